package browsertest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"
)

// Server is an HTTP server on 127.0.0.1 for one test.
type Server struct {
	// URL is the server's base URL, "http://127.0.0.1:<port>", with no
	// trailing slash.
	URL  string
	srv  *http.Server
	done chan struct{}
}

// Serve serves h on a free port of 127.0.0.1 until [Server.Close] or the
// end of the test.
//
// Close does not wait for hijacked connections such as WebSockets: a test
// serving a sheen.App serves it with [ServeApp], which shuts it down too.
func Serve(t testing.TB, h http.Handler) *Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("browsertest: listen: %v", err)
	}
	s := &Server{
		URL:  "http://" + l.Addr().String(),
		srv:  &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second},
		done: make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("browsertest: serve: %v", err)
		}
	}()
	t.Cleanup(s.Close)
	return s
}

// Close stops the server: it stops listening, waits briefly for requests in
// progress, and closes every connection. It is safe to call more than once.
func (s *Server) Close() {
	// A browser keeps speculative connections open on which it never sends
	// a request; Shutdown would wait 5 s for those.
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		_ = s.srv.Close()
	}
	<-s.done
}

// App is an http.Handler with sessions to end when the test does, as a
// sheen.App is.
type App interface {
	http.Handler
	// Shutdown ends the app's sessions and waits for them, until ctx ends.
	Shutdown(ctx context.Context) error
}

// ShutdownTimeout bounds the shutdown of an app served with [ServeApp].
const ShutdownTimeout = 10 * time.Second

// ServeApp is [Serve] for an App. When the test ends it shuts the app down
// (within [ShutdownTimeout]), failing the test if that fails, and then
// closes the server.
func ServeApp(t testing.TB, app App) *Server {
	t.Helper()
	s := Serve(t, app)
	t.Cleanup(func() { // before s.Close: cleanups run last registered first
		ctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
		defer cancel()
		if err := app.Shutdown(ctx); err != nil {
			t.Errorf("browsertest: shutting the app down: %v", err)
		}
	})
	return s
}
