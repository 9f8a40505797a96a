package sessions

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/reactive"
)

// BenchmarkOutputPath times one session's output path: Value.Set from
// outside the session (a turn of its graph), the flush that re-runs a text
// output's render function, the after-flush hook that encodes the Update,
// stores it for replay and queues it on the connection, and the write to a
// Go WebSocket client on loopback, which reads every frame.
//
//   - roundtrip waits for the client to have read each update before the
//     next set: the latency of one change, end to end.
//   - pipelined sets values back to back, with at most window updates not
//     yet read, and waits for the last one: the throughput of one session.
//
// allocs/op counts the whole process, the reading client included.
func BenchmarkOutputPath(b *testing.B) {
	const window = 256
	values := make(chan *reactive.Value[int], 1)
	app := sheen.New(sheen.Page("bench", sheen.TextOutput("out")), func(s *sheen.Session) {
		v := reactive.NewValue(s.Graph(), 0)
		s.Output("out", sheen.RenderText(func() (string, error) { return "value " + strconv.Itoa(v.Get()), nil }))
		values <- v
	}, sheen.WithLogger(zap.NewNop()), sheen.WithHeartbeat(time.Hour))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- app.Serve(l) }()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := app.Shutdown(ctx); err != nil {
			b.Error(err)
		}
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			b.Error(err)
		}
	}()

	ctx := context.Background()
	c, _, err := websocket.Dial(ctx, "ws://"+l.Addr().String()+"/_sheen/ws", nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.CloseNow()
	if err := c.Write(ctx, websocket.MessageText, []byte(`{"type":"hello","v":1,"inputs":{}}`)); err != nil {
		b.Fatal(err)
	}
	// The reader counts frames: welcome, the first update, then one update
	// per set. It reads into one buffer, so it allocates little itself.
	var frames atomic.Int64
	notify := make(chan struct{}, 1)
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		buf := make([]byte, 64<<10)
		for {
			_, r, err := c.Reader(ctx)
			if err != nil {
				return
			}
			for {
				if _, err := r.Read(buf); err == io.EOF {
					break
				} else if err != nil {
					return
				}
			}
			frames.Add(1)
			select {
			case notify <- struct{}{}:
			default:
			}
		}
	}()
	defer func() { c.CloseNow(); <-readDone }()
	// wait waits until the client has read n frames. It allocates nothing.
	timeout, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	wait := func(n int64) {
		for frames.Load() < n {
			select {
			case <-notify:
			case <-timeout.Done():
				b.Fatalf("timed out: %d frames read, want %d", frames.Load(), n)
			}
		}
	}
	v := <-values
	wait(2) // welcome and the first update
	i := 0
	b.Run("roundtrip", func(b *testing.B) {
		b.ReportAllocs()
		want := frames.Load()
		for b.Loop() {
			i++
			want++
			v.Set(i)
			wait(want)
		}
	})
	b.Run("pipelined", func(b *testing.B) {
		b.ReportAllocs()
		want := frames.Load()
		for b.Loop() {
			i++
			v.Set(i)
			want++
			wait(want - window) // a slow reader's connection is closed past 8 MiB queued
		}
		wait(want)
	})
}
