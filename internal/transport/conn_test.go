package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// pair serves one WebSocket, wrapped in a Conn with opts and handed to fn on
// the server's goroutine, and returns the client's end.
func pair(t *testing.T, opts Options, fn func(*Conn)) *websocket.Conn {
	t.Helper()
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			t.Error(err)
			return
		}
		c := New(ws, opts)
		defer c.Wait()
		defer c.CloseNow()
		fn(c)
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	client.SetReadLimit(-1)
	t.Cleanup(func() {
		client.CloseNow()
		<-done
		srv.Close()
	})
	return client
}

// Close writes the frames already queued before it closes: a last error or
// expired frame reaches the page.
func TestCloseWritesQueuedFrames(t *testing.T) {
	client := pair(t, Options{}, func(c *Conn) {
		for i := range 3 {
			c.Send(fmt.Appendf(nil, "frame %d", i))
		}
		c.Close(websocket.StatusPolicyViolation, "bye")
		if c.Send([]byte("too late")) {
			t.Error("Send after Close reported success")
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := range 3 {
		_, data, err := client.Read(ctx)
		if want := fmt.Sprintf("frame %d", i); err != nil || string(data) != want {
			t.Fatalf("read %q, %v; want %q", data, err, want)
		}
	}
	_, _, err := client.Read(ctx)
	if websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
		t.Fatalf("after the frames: %v, want a close with status %v", err, websocket.StatusPolicyViolation)
	}
}

// A write the peer does not take within WriteTimeout closes the connection.
func TestWriteTimeout(t *testing.T) {
	closed := make(chan struct{})
	pair(t, Options{WriteTimeout: 50 * time.Millisecond, MaxQueue: 256 << 20}, func(c *Conn) {
		frame := make([]byte, 1<<20)
		// The client never reads: once the socket buffers are full, a
		// write blocks until the watchdog closes the connection.
		for range 128 {
			if !c.Send(frame) {
				break
			}
		}
		select {
		case <-c.Done():
			close(closed)
		case <-time.After(10 * time.Second):
			t.Error("the connection is still open 10 s after a write blocked")
		}
	})
	select {
	case <-closed:
	case <-time.After(15 * time.Second):
		t.Fatal("timed out")
	}
}

// A peer that sends frames is read; one that then falls silent for
// ReadTimeout is cut with ReasonSilent, and its Read returns.
func TestReadTimeout(t *testing.T) {
	type result struct {
		frames []string
		err    error
		reason string
	}
	got := make(chan result, 1)
	client := pair(t, Options{ReadTimeout: 500 * time.Millisecond}, func(c *Conn) {
		var r result
		for {
			data, err := c.Read(context.Background())
			if err != nil {
				r.err, r.reason = err, c.Reason()
				break
			}
			r.frames = append(r.frames, string(data))
		}
		got <- r
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, f := range []string{"a", "b"} {
		if err := client.Write(ctx, websocket.MessageText, []byte(f)); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case r := <-got:
		if strings.Join(r.frames, ",") != "a,b" || r.err == nil || r.reason != ReasonSilent {
			t.Errorf("read %q, then %v (reason %q); want a,b, then an error with reason %q", r.frames, r.err, r.reason, ReasonSilent)
		}
	case <-ctx.Done():
		t.Fatal("Read still waits 10 s after the peer fell silent")
	}
}

// Read returns each frame whole and as its own slice, whatever the sizes
// before it (the read buffer is kept between frames, grown, and dropped
// when large), and drops a frame over MaxFrame.
func TestReadFrames(t *testing.T) {
	sizes := []int{0, 1, 60, 511, 512, 513, 4000, 70_000, 60, 0, 100_001, 3}
	frame := func(i, n int) []byte {
		b := make([]byte, n)
		for k := range b {
			b[k] = byte('a' + (i+k)%26)
		}
		return b
	}
	got := make(chan [][]byte, 1)
	client := pair(t, Options{MaxFrame: 100_000}, func(c *Conn) {
		var frames [][]byte
		for range sizes {
			data, err := c.Read(context.Background())
			if errors.Is(err, ErrTooBig) {
				frames = append(frames, nil)
				continue
			}
			if err != nil {
				t.Error(err)
				break
			}
			frames = append(frames, data)
		}
		got <- frames
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i, n := range sizes {
		if err := client.Write(ctx, websocket.MessageText, frame(i, n)); err != nil {
			t.Fatal(err)
		}
	}
	var frames [][]byte
	select {
	case frames = <-got:
	case <-ctx.Done():
		t.Fatal("timed out")
	}
	if len(frames) != len(sizes) {
		t.Fatalf("read %d frames; want %d", len(frames), len(sizes))
	}
	for i, n := range sizes {
		switch {
		case n > 100_000:
			if frames[i] != nil {
				t.Errorf("frame %d (%d bytes, over MaxFrame): read %d bytes; want ErrTooBig", i, n, len(frames[i]))
			}
		case !bytes.Equal(frames[i], frame(i, n)):
			t.Errorf("frame %d (%d bytes): read %d bytes that differ (changed by a later Read?)", i, n, len(frames[i]))
		}
	}
}

// Frames are written in the order they were sent, across many batches.
func TestSendOrder(t *testing.T) {
	const n = 1000
	client := pair(t, Options{}, func(c *Conn) {
		for i := range n {
			if !c.Send(fmt.Appendf(nil, "%d", i)) {
				t.Errorf("Send %d failed", i)
				return
			}
		}
		c.Close(websocket.StatusNormalClosure, "")
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := range n {
		_, data, err := client.Read(ctx)
		if err != nil || string(data) != fmt.Sprint(i) {
			t.Fatalf("frame %d: %q, %v", i, data, err)
		}
	}
}

// A binary frame is refused: Read returns ErrBinary and the connection is
// closed with status 1003 (unsupported data), as docs/protocol.md says.
func TestBinaryFrameRefused(t *testing.T) {
	got := make(chan error, 1)
	client := pair(t, Options{}, func(c *Conn) {
		_, err := c.Read(context.Background())
		got <- err
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := client.Write(ctx, websocket.MessageBinary, []byte(`{"type":"ping","seq":0}`)); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != ErrBinary {
		t.Fatalf("Read: %v, want ErrBinary", err)
	}
	_, _, err := client.Read(ctx)
	if st := websocket.CloseStatus(err); st != websocket.StatusUnsupportedData {
		t.Fatalf("client read: %v, want a close with status 1003", err)
	}
}

// A peer that reads, but too slowly to drain the queue, is cut once the
// queue has stayed over MaxBehind bytes for MaxBehindFor, with a close
// reason, even though no single write ever times out.
func TestSlowReaderCut(t *testing.T) {
	cut := make(chan struct{})
	client := pair(t, Options{MaxBehind: 64 << 10, MaxBehindFor: 200 * time.Millisecond, WriteTimeout: time.Minute}, func(c *Conn) {
		frame := make([]byte, 16<<10)
		for c.Send(frame) {
			select {
			case <-c.Done():
			case <-time.After(time.Millisecond): // pacing the producer, not synchronisation
				continue
			}
			break
		}
		<-c.Done()
		if c.Reason() != ReasonTooSlow {
			t.Errorf("reason %q, want %q", c.Reason(), ReasonTooSlow)
		}
		close(cut)
	})
	// The client reads one frame at a time, slowly, for as long as it can.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		_, _, err := client.Read(ctx)
		if err != nil {
			break
		}
		select {
		case <-cut:
		case <-time.After(5 * time.Millisecond):
			continue
		}
		break
	}
	waitCut := time.NewTimer(20 * time.Second)
	defer waitCut.Stop()
	select {
	case <-cut:
	case <-waitCut.C:
		t.Fatal("a slow reader was never cut")
	}
}

// The watchdog is armed by a write and disarms itself when it fires with
// no write in progress; a write that blocks after such an idle spell arms
// it again and is still cut after WriteTimeout.
func TestWriteTimeoutAfterIdle(t *testing.T) {
	closed := make(chan struct{})
	read := make(chan struct{})
	client := pair(t, Options{WriteTimeout: 50 * time.Millisecond, MaxQueue: 256 << 20}, func(c *Conn) {
		c.Send([]byte("first"))
		<-read
		// Wait for the watchdog armed by the first write to fire and
		// find the connection idle.
		for deadline := time.Now().Add(5 * time.Second); c.armed.Load(); {
			if time.Now().After(deadline) {
				t.Error("the watchdog is still armed 5 s after the last write")
				return
			}
			time.Sleep(time.Millisecond)
		}
		frame := make([]byte, 1<<20)
		for range 128 {
			if !c.Send(frame) {
				break
			}
		}
		select {
		case <-c.Done():
			close(closed)
		case <-time.After(10 * time.Second):
			t.Error("the connection is still open 10 s after a write blocked")
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, data, err := client.Read(ctx); err != nil || string(data) != "first" {
		t.Fatalf("first frame: %q, %v", data, err)
	}
	close(read)
	select {
	case <-closed:
	case <-time.After(15 * time.Second):
		t.Fatal("timed out")
	}
}

// One writer goroutine serves the connection's life: frames sent one at a
// time, each after the previous one was read (the writer parks between
// them), arrive in order, and the writer ends when the connection closes
// (TestMain checks that no goroutine is left).
func TestWriterParksBetweenFrames(t *testing.T) {
	const n = 50
	next := make(chan struct{})
	client := pair(t, Options{}, func(c *Conn) {
		for i := range n {
			if !c.Send(fmt.Appendf(nil, "%d", i)) {
				t.Errorf("Send %d failed", i)
				return
			}
			<-next
		}
		c.Close(websocket.StatusNormalClosure, "")
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := range n {
		_, data, err := client.Read(ctx)
		if err != nil || string(data) != fmt.Sprint(i) {
			t.Fatalf("frame %d: %q, %v", i, data, err)
		}
		next <- struct{}{}
	}
}

// A writer parked for writerLinger ends (an idle connection keeps no
// writer goroutine), and the next frame starts another.
func TestWriterRetiresWhenIdle(t *testing.T) {
	client := pair(t, Options{}, func(c *Conn) {
		for i := range 2 {
			if !c.Send(fmt.Appendf(nil, "%d", i)) {
				t.Errorf("Send %d failed", i)
				return
			}
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
				c.mu.Lock()
				started := c.started
				c.mu.Unlock()
				if !started {
					break
				}
				if time.Now().After(deadline) {
					t.Errorf("the writer still runs 10 s after frame %d", i)
					return
				}
			}
		}
		c.Close(websocket.StatusNormalClosure, "")
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i := range 2 {
		_, data, err := client.Read(ctx)
		if err != nil || string(data) != fmt.Sprint(i) {
			t.Fatalf("frame %d: %q, %v", i, data, err)
		}
	}
}
