package load

import (
	"context"
	"errors"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
)

func TestParseRequest(t *testing.T) {
	r := Request{Chunks: 3000, Every: 20 * time.Millisecond}
	got, err := ParseRequest(r.String())
	if err != nil || got != r {
		t.Fatalf("ParseRequest(%q) = %v, %v; want %v", r.String(), got, err, r)
	}
	for _, bad := range []string{"", "stream", "stream 0 20ms", "stream 10 0s", "stream 10 20", "hello 10 20ms"} {
		if _, err := ParseRequest(bad); err == nil {
			t.Errorf("ParseRequest(%q): no error", bad)
		}
	}
	if got, want := Text(21), strings.Join([]string{"w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 w16 w17 w18 w19 w20\n\n", "w21 "}, ""); got != want {
		t.Errorf("Text(21) = %q, want %q", got, want)
	}
}

// TestPageAcknowledges checks that a page pings within AckDelay of applying
// updates, as the browser does, not only every heartbeat: with a heartbeat
// of an hour, a pong can only answer such a ping.
func TestPageAcknowledges(t *testing.T) {
	base, _ := serveApp(t, sheen.WithHeartbeat(time.Hour))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, err := Open(ctx, &http.Client{}, base, "u1")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Submit(ctx, Request{Chunks: 10, Every: 5 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	for ended := false; ; {
		f, err := p.Next(ctx)
		if err != nil {
			t.Fatalf("no pong before %v: %v", err, ctx.Err())
		}
		ended = ended || f.End
		if f.Pong {
			if !ended {
				t.Log("the pong came while the reply streamed")
			}
			break
		}
	}
	if err := p.Check(10); err != nil {
		t.Fatal(err)
	}
}

// serveApp serves the load's app on 127.0.0.1 and returns its base URL and
// the function that stops the server and checks how it stopped, which runs
// when the test ends if it was not called before.
func serveApp(t *testing.T, opts ...sheen.Option) (base string, stop func()) {
	t.Helper()
	app := sheen.New(AppPage(), Server(1000), append([]sheen.Option{sheen.WithLogger(zap.NewNop()), sheen.WithUsers(Users)}, opts...)...)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- app.Serve(l) }()
	stop = sync.OnceFunc(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := app.Shutdown(ctx); err != nil {
			t.Error(err)
		}
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			t.Error(err)
		}
	})
	t.Cleanup(stop)
	return "http://" + l.Addr().String(), stop
}

// TestPageResume streams a reply to a Page that drops its socket in the
// middle and resumes: the reply must arrive whole, and no goroutine of the
// test (server or page) may be left running.
func TestPageResume(t *testing.T) {
	before := runtime.NumGoroutine()
	base, stopApp := serveApp(t)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, err := Open(ctx, &http.Client{}, base, "u1")
	if err != nil {
		t.Fatal(err)
	}
	const n = 100
	if err := p.Submit(ctx, Request{Chunks: n, Every: 5 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	frames, dropped := 0, false
	for {
		f, err := p.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if f.End {
			break
		}
		if frames += f.Patches; frames >= 2 && !dropped {
			p.Drop()
			dropped = true
			if err := p.Resume(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !dropped {
		t.Fatal("the reply ended before the page dropped its socket")
	}
	if err := p.Check(n); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	p.Close()

	stopApp()
	http.DefaultClient.CloseIdleConnections()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if now := runtime.NumGoroutine(); now > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines left running (%d before):\n%s", now-before, before, buf[:runtime.Stack(buf, true)])
	}
}
