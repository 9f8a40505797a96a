package fakeserver

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// End is how an exchange ended.
type End int

// Ends.
const (
	Pending   End = iota // still running
	Completed            // the whole reply was sent
	Failed               // the reply failed as scripted
	Rejected             // an error status: a bad request or a scripted Status
	Canceled             // the client went away before the end (or the server closed)
)

func (e End) String() string {
	return [...]string{"pending", "completed", "failed", "rejected", "canceled"}[e]
}

// Server is a running HTTP server and the log of the requests (R) it took.
type Server[R any] struct {
	name string
	end  func(*R) *End // where a request keeps how its exchange ended
	srv  *httptest.Server
	quit chan struct{} // closed by Close: running replies stop

	mu      sync.Mutex
	reqs    []R
	changed chan struct{} // closed and replaced whenever reqs changes
	closed  bool
}

// Start serves h on 127.0.0.1. name prefixes errors; end returns the
// field of a request that says how its exchange ended.
func Start[R any](name string, h http.Handler, end func(*R) *End) *Server[R] {
	return &Server[R]{name: name, end: end, srv: httptest.NewServer(h), quit: make(chan struct{}), changed: make(chan struct{})}
}

// URL is the server's base URL, "http://127.0.0.1:port".
func (s *Server[R]) URL() string { return s.srv.URL }

// Close stops the server: replies still running end (as Canceled), and it
// waits for their handlers to return.
func (s *Server[R]) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	close(s.quit)
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Requests returns the requests received so far, in order, with how each
// has gone so far.
func (s *Server[R]) Requests() []R {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]R(nil), s.reqs...)
}

// Finished waits until the i-th request (from 0) has arrived and its
// exchange has ended, and returns it; or returns ctx's error.
func (s *Server[R]) Finished(ctx context.Context, i int) (R, error) {
	for {
		s.mu.Lock()
		if i < len(s.reqs) && *s.end(&s.reqs[i]) != Pending {
			r := s.reqs[i]
			s.mu.Unlock()
			return r, nil
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			var zero R
			return zero, fmt.Errorf("%s: request %d has not finished: %w", s.name, i, ctx.Err())
		}
	}
}

// Add logs a request received and returns its number.
func (s *Server[R]) Add(r R) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, r)
	return len(s.reqs) - 1
}

// Update changes request i under the lock and wakes the waiters.
func (s *Server[R]) Update(i int, fn func(r *R)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(&s.reqs[i])
	close(s.changed)
	s.changed = make(chan struct{})
}

// Ended records how request i's exchange ended.
func (s *Server[R]) Ended(i int, e End) { s.Update(i, func(r *R) { *s.end(r) = e }) }

// Wait waits d (or only looks, if d <= 0) and reports whether the reply
// may go on: false if the client went away (ctx) or the server is closing.
func (s *Server[R]) Wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		select {
		case <-ctx.Done():
			return false
		case <-s.quit:
			return false
		default:
			return true
		}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.quit:
		return false
	}
}

// Pick chooses the reply to request i (req): respond's, if set; else the
// i-th of replies, the last once they are used up; else hello.
func Pick[Req, Rep any](i int, req Req, replies []Rep, respond func(Req) Rep, hello Rep) Rep {
	switch {
	case respond != nil:
		return respond(req)
	case len(replies) == 0:
		return hello
	}
	return replies[min(i, len(replies)-1)]
}
