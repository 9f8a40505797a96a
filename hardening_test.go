package sheen_test

import (
	"io"
	"net/http"
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

// get sends a GET for path with the given Host header.
func (r *rig) get(t *testing.T, path, host string, header http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequest("GET", r.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if host != "" {
		req.Host = host
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp
}

// TestHostCheck: on a loopback address only the loopback names are
// answered (DNS rebinding), for the page and the WebSocket, unless
// WithHosts names others; an Origin of another scheme is refused.
func TestHostCheck(t *testing.T) {
	upgrade := http.Header{"Connection": {"Upgrade"}, "Upgrade": {"websocket"}, "Sec-Websocket-Version": {"13"}, "Sec-Websocket-Key": {"dGhlIHNhbXBsZSBub25jZQ=="}}
	r := newRig(t)
	port := strings.TrimPrefix(r.url, "http://127.0.0.1")
	for _, host := range []string{"", "localhost" + port, "[::1]" + port} {
		if resp := r.get(t, "/", host, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("Host %q: status %d", host, resp.StatusCode)
		}
	}
	for _, path := range []string{"/", "/_sheen/ws"} {
		if resp := r.get(t, path, "rebind.example"+port, upgrade); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s with Host rebind.example: status %d, want 403", path, resp.StatusCode)
		}
	}
	h := http.Header{}
	h.Set("Origin", "https://127.0.0.1"+port)
	if _, resp, err := r.dial(h); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("an https Origin on an http server: %v, want 403", err)
	}
	if r.app.Sessions() != 0 {
		t.Error("a refused request started a session")
	}

	r2 := newRig(t, sheen.WithHosts("*.example"))
	if resp := r2.get(t, "/", "rebind.example", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("WithHosts: status %d", resp.StatusCode)
	}
}

// TestCSPHeaders: every answer sheen writes carries a Content-Security-
// Policy; the page's forbids inline scripts.
func TestCSPHeaders(t *testing.T) {
	r := newRig(t, sheen.WithPageCheck(func(req *http.Request, _ string) int {
		if req.URL.Query().Get("c") == "gone" {
			return http.StatusNotFound
		}
		return 0
	}))
	for _, path := range []string{"/", "/?c=gone", "/nope", "/_sheen/assets/x/sheen.js"} {
		resp := r.get(t, path, "", nil)
		csp := resp.Header.Get("Content-Security-Policy")
		if csp == "" {
			t.Errorf("%s (%d): no Content-Security-Policy", path, resp.StatusCode)
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: %q allows inline code", path, csp)
		}
		if path == "/" && !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("page CSP %q", csp)
		}
	}
	if resp := newRig(t, sheen.WithCSP("")).get(t, "/", "", nil); resp.Header.Get("Content-Security-Policy") != "" {
		t.Error("WithCSP(\"\") still sends a policy")
	}
}
