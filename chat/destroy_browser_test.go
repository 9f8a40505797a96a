package chat_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/browsertest"
)

// TestBrowserChatDestroy: a chat destroyed on a live page stops its
// response, and its goroutines end (counted); the page's later events for
// it are ignored; the session goes on.
func TestBrowserChatDestroy(t *testing.T) {
	b := browsertest.New(t)
	started := make(chan struct{}, 1)
	stopped := make(chan error, 1)
	calls := make(chan string, 4)
	p := openChat(t, b, nil, func(s *sheen.Session, c *chat.Chat) {
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			calls <- in.Text
			st := c.AppendMessageStream(ctx, func(yield func(string, error) bool) {
				if !yield("working…", nil) {
					return
				}
				started <- struct{}{}
				<-ctx.Done()
				yield("", ctx.Err())
			})
			_, err := st.Wait(context.Background())
			stopped <- err
			return err
		})
	})
	p.idle()
	settle := func(want int) int {
		t.Helper()
		deadline := time.Now().Add(browsertest.Timeout)
		n := runtime.NumGoroutine()
		for n > want && time.Now().Before(deadline) {
			runtime.Gosched()
			time.Sleep(10 * time.Millisecond) // polling the count, not synchronising
			n = runtime.NumGoroutine()
		}
		return n
	}
	idle := runtime.NumGoroutine()

	p.typeText("long job")
	p.Do(press(kb.Enter))
	recv(t, calls, "the submission")
	recv(t, started, "the stream's start")
	p.Wait(`lastText() === "working…"`)
	running := runtime.NumGoroutine()
	if running <= idle {
		t.Logf("goroutines: idle %d, running %d", idle, running)
	}

	p.chat.Destroy()
	if err := recv(t, stopped, "the stream's end"); err == nil {
		t.Error("the stream ended without an error; want it stopped")
	}
	if n := settle(idle); n > idle {
		t.Errorf("goroutines: %d idle, %d while the response ran, %d after Destroy", idle, running, n)
	}
	p.chat.Destroy() // idempotent

	// The page's events are ignored; the session is alive.
	p.JS(`document.documentElement.dataset.sheenState === "open"`)
	p.setInput("again")
	p.JS(`ta().dispatchEvent(new KeyboardEvent("keydown", {key: "Enter", bubbles: true, cancelable: true}))`)
	p.Wait(`texts().includes("again")`)
	p.settle()
	none(t, calls, "a handler call after Destroy")
	p.check(`document.documentElement.dataset.sheenState === "open"`)
}
