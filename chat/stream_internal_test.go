package chat

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sheenhq/sheen/reactive"
)

// TestStreamContextQueuedRespectsDeadline: a stream context that waits in
// the queue behind work that is not a stream (so it cannot nest into one)
// gives up when its ctx ends, and leaves the queue and the open contexts.
func TestStreamContextQueuedRespectsDeadline(t *testing.T) {
	g := reactive.NewGraph()
	defer g.Close()
	c := &Chat{g: g, id: "chat", cfg: defaults()}
	cv := newConv(nil, "", "", "chat")
	c.cv.Store(cv)
	cv.mu.Lock()
	cv.working, cv.current = true, &op{kind: opAppend} // the queue is busy with something else
	cv.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	sc, err := c.StreamContext(ctx)
	if sc != nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("StreamContext = %v, %v; want the deadline", sc, err)
	}
	cv.mu.Lock()
	defer cv.mu.Unlock()
	if len(cv.queue) != 0 || len(cv.ctxs) != 0 {
		t.Fatalf("left behind: %d queued, %d contexts", len(cv.queue), len(cv.ctxs))
	}
}
