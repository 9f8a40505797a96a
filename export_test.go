package sheen

import (
	"github.com/coder/websocket"

	"github.com/sheenhq/sheen/protocol"
)

// Test seams for the package's external tests (package sheen_test).

// WithAppliedHook calls fn for every input and event message a session
// applies, inside the session's turn, after the exactly-once check: a message
// the page resends after a reconnect is seen once.
func WithAppliedHook(fn func(*Session, protocol.ClientMessage)) Option {
	return func(c *config) { c.applied = fn }
}

// WithDetachedHook calls fn when a session loses its connection, after the
// limits on detached sessions have been applied.
func WithDetachedHook(fn func(*Session)) Option {
	return func(c *config) { c.detached = fn }
}

// CloseConn closes the session's current connection from the server side,
// as a restarting proxy or a failing server would: abruptly (the TCP
// connection just closes) or with a WebSocket close frame. The session
// itself goes on, waiting for the page to resume it. It reports whether the
// session had a connection.
func CloseConn(s *Session, abrupt bool) bool {
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	if c == nil {
		return false
	}
	if abrupt {
		c.CloseNow()
	} else {
		c.Close(websocket.StatusGoingAway, "test: closed by the server")
	}
	return true
}
