package sheen_test

import (
	"strings"
	"time"

	"fmt"
	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/internal/browsertest"
	"testing"

	"github.com/coder/websocket"

	"github.com/sheenhq/sheen/protocol"
)

// TestHugeMessageNumber: an n above 2^53−1 is refused with bad_message and
// does not become the session's last applied n: later messages still apply.
func TestHugeMessageNumber(t *testing.T) {
	r := newRig(t)
	c := r.mustDial()
	c.start(`{"name":"a"}`)
	r.session()
	c.send(`{"type":"input","n":18446744073709551615,"values":{"name":"huge"}}`)
	if e := nextAs[protocol.Error](c); e.Code != protocol.CodeBadMessage || e.Fatal {
		t.Fatalf("got %+v, want a non-fatal bad_message", e)
	}
	c.send(`{"type":"input","n":1,"values":{"name":"b"}}`)
	if u := nextAs[protocol.Update](c); text(u, "echo") != "name=b" || u.Ack != 1 {
		t.Fatalf("after the refused frame: %+v", u)
	}
}

// TestResumeAheadRefused: a resume claiming a seq the server never sent is
// refused (expired on that connection) and the session goes on; a good
// resume gets a new token, and the old one no longer works.
func TestResumeAheadRefused(t *testing.T) {
	r := newRig(t)
	c := r.mustDial()
	w, u := c.start(`{"name":"a"}`)
	s := r.session()
	_ = c.c.CloseNow()

	c2 := r.mustDial()
	c2.send(fmt.Sprintf(`{"type":"hello","v":1,"inputs":{},"resume":{"session":%q,"token":%q,"seq":%d,"n":0}}`, w.Session, w.Token, u.Seq+100))
	nextAs[protocol.Expired](c2)
	if _, err := c2.read(); websocket.CloseStatus(err) == -1 {
		t.Errorf("after expired: %v, want a close", err)
	}
	select {
	case <-s.ended:
		t.Fatal("the session ended after a resume that could not be served")
	default:
	}

	c3 := r.mustDial()
	c3.send(fmt.Sprintf(`{"type":"hello","v":1,"inputs":{},"resume":{"session":%q,"token":%q,"seq":%d,"n":0}}`, w.Session, w.Token, u.Seq))
	w3 := nextAs[protocol.Welcome](c3)
	if !w3.Resumed || w3.Session != w.Session {
		t.Fatalf("welcome: %+v", w3)
	}
	if w3.Token == w.Token || w3.Token == "" {
		t.Errorf("the resume token was not rotated: %q", w3.Token)
	}
	c3.send(`{"type":"input","n":1,"values":{"name":"b"}}`)
	if u := nextAs[protocol.Update](c3); text(u, "echo") != "name=b" {
		t.Fatalf("after resume: %+v", u)
	}
	_ = c3.c.CloseNow()

	// The old token is spent.
	c4 := r.mustDial()
	c4.send(fmt.Sprintf(`{"type":"hello","v":1,"inputs":{},"resume":{"session":%q,"token":%q,"seq":0,"n":0}}`, w.Session, w.Token))
	nextAs[protocol.Expired](c4)
	c5 := r.mustDial()
	c5.send(fmt.Sprintf(`{"type":"hello","v":1,"inputs":{},"resume":{"session":%q,"token":%q,"seq":0,"n":1}}`, w.Session, w3.Token))
	if w5 := nextAs[protocol.Welcome](c5); !w5.Resumed {
		t.Fatalf("resume with the new token: %+v", w5)
	}
}

// detachedRig is a rig whose detached sessions are reported on a channel.
func detachedRig(t *testing.T, opts ...sheen.Option) (*rig, chan string) {
	ch := make(chan string, 16)
	r := newRig(t, append(opts, sheen.WithDetachedHook(func(s *sheen.Session) { ch <- s.ID() }))...)
	return r, ch
}

func waitID(t *testing.T, ch <-chan string, id string) {
	t.Helper()
	select {
	case got := <-ch:
		if got != id {
			t.Fatalf("detached %s, want %s", got, id)
		}
	case <-time.After(browsertest.Timeout):
		t.Fatalf("timed out waiting for %s to detach", id)
	}
}

// wantLimit reads a non-fatal limit error, then a close with 1013.
func wantLimit(t *testing.T, c *client) {
	t.Helper()
	if e := nextAs[protocol.Error](c); e.Code != protocol.CodeLimit || e.Fatal {
		t.Fatalf("got %+v, want a non-fatal limit error", e)
	}
	if _, err := c.read(); websocket.CloseStatus(err) != websocket.StatusTryAgainLater {
		t.Fatalf("after the limit error: %v, want a close with 1013", err)
	}
}

// TestSessionLimitPerAddr: a second session from the same address is
// refused while the first is connected; once the first is detached, it is
// dropped to make room and its page learns the session expired.
func TestSessionLimitPerAddr(t *testing.T) {
	r, detached := detachedRig(t, sheen.WithSessionLimits(sheen.SessionLimits{PerAddr: 1}))
	a := r.mustDial()
	wa, ua := a.start(`{}`)
	sa := r.session()

	b := r.mustDial()
	b.send(`{"type":"hello","v":1,"inputs":{}}`)
	wantLimit(t, b)

	_ = a.c.CloseNow()
	waitID(t, detached, sa.ID())
	b2 := r.mustDial()
	b2.start(`{}`)
	r.session()
	waitClosed(t, sa.ended, "the detached session to be dropped")

	a2 := r.mustDial()
	a2.send(fmt.Sprintf(`{"type":"hello","v":1,"inputs":{},"resume":{"session":%q,"token":%q,"seq":%d,"n":0}}`, wa.Session, wa.Token, ua.Seq))
	if e := nextAs[protocol.Expired](a2); !strings.Contains(e.Message, "Reload") {
		t.Errorf("expired message %q does not say to reload", e.Message)
	}
}

// TestDetachedBytesLimit: a detached session whose replay buffer grows past
// the bound on detached memory is dropped.
func TestDetachedBytesLimit(t *testing.T) {
	r, detached := detachedRig(t, sheen.WithSessionLimits(sheen.SessionLimits{DetachedBytes: 8 << 10}))
	a := r.mustDial()
	a.start(`{}`)
	sa := r.session()
	_ = a.c.CloseNow()
	waitID(t, detached, sa.ID())
	for i := 1; i <= 1000; i++ {
		select {
		case <-sa.ended:
			return
		default:
		}
		sa.counter.Set(i)
	}
	waitClosed(t, sa.ended, "the detached session over the memory bound to be dropped")
}

// TestDetachedCountLimit: beyond Detached detached sessions, the oldest is
// dropped.
func TestDetachedCountLimit(t *testing.T) {
	r, detached := detachedRig(t, sheen.WithSessionLimits(sheen.SessionLimits{Detached: 1}))
	a := r.mustDial()
	a.start(`{}`)
	sa := r.session()
	b := r.mustDial()
	b.start(`{}`)
	sb := r.session()
	_ = a.c.CloseNow()
	waitID(t, detached, sa.ID())
	_ = b.c.CloseNow()
	waitID(t, detached, sb.ID())
	waitClosed(t, sa.ended, "the oldest detached session to be dropped")
	select {
	case <-sb.ended:
		t.Error("the newest detached session was dropped")
	default:
	}
}

// TestHelloRate: hellos from one address beyond the bucket are refused
// with a non-fatal limit error.
func TestHelloRate(t *testing.T) {
	r := newRig(t, sheen.WithSessionLimits(sheen.SessionLimits{HelloRate: 0.001, HelloBurst: 2}))
	for range 2 {
		c := r.mustDial()
		c.start(`{}`)
		r.session()
	}
	c := r.mustDial()
	c.send(`{"type":"hello","v":1,"inputs":{}}`)
	wantLimit(t, c)
}

// TestInputIDs: ids the page was built with are always taken; others up to
// WithInputLimit; beyond it a value is refused with a non-fatal limit error
// and the session goes on.
func TestInputIDs(t *testing.T) {
	r := newRig(t, sheen.WithInputLimit(2))
	c := r.mustDial()
	c.start(`{"name":"a"}`)
	r.session()
	c.send(`{"type":"input","n":1,"values":{"x1":"1","x2":"2"}}`)
	nextAs[protocol.Update](c) // the ack
	c.send(`{"type":"input","n":2,"values":{"x3":"3","name":"b"}}`)
	e := nextAs[protocol.Error](c)
	if e.Code != protocol.CodeLimit || e.Fatal || !strings.Contains(e.Message, "x3") {
		t.Fatalf("got %+v, want a non-fatal limit error naming x3", e)
	}
	if u := nextAs[protocol.Update](c); text(u, "echo") != "name=b" {
		t.Fatalf("the page's own input in the same frame: %+v", u)
	}
	c.send(`{"type":"input","n":3,"values":{"x1":"again"}}`) // already taken
	if u := nextAs[protocol.Update](c); u.Ack != 3 {
		t.Fatalf("after a taken id: %+v", u)
	}
	if n := r.logs.FilterMessage("sheen: input ids refused").Len(); n != 1 {
		t.Errorf("%d refusals logged, want 1", n)
	}
}
