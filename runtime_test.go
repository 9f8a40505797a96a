package sheen_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/internal/browsertest"
	"github.com/sheenhq/sheen/protocol"
	"github.com/sheenhq/sheen/reactive"
)

// These tests run the real App on 127.0.0.1 and talk to it over real
// WebSockets: here with a Go client speaking the protocol, in
// runtime_browser_test.go with the real page in headless Chromium.

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The app under test: a text input and a button drive text outputs; a
// counter the test sets from outside plays the server's own updates; the
// output "risky" panics when the name starts with "panic".
func testPage() *sheen.PageNode {
	return sheen.Page("sheen runtime test",
		sheen.Sidebar(
			sheen.Group(
				sheen.TextInput("name", "Name", "", sheen.Placeholder("type here")),
				sheen.ActionButton("go", "Go"),
			),
			sheen.Card("Outputs",
				sheen.TextOutput("echo"),
				sheen.TextOutput("count"),
				sheen.TextOutput("clicks"),
				sheen.TextOutput("risky"),
			),
		),
	)
}

// rig is one App under test, served on 127.0.0.1, shut down at the end of
// the test.
type rig struct {
	t        testing.TB
	app      *sheen.App
	url      string            // http://127.0.0.1:port
	sessions chan *testSession // every session, as its server function runs
	refuse   atomic.Bool       // answer 503 to WebSocket upgrades (the server is "down")
	logs     *observer.ObservedLogs

	mu      sync.Mutex
	applied map[string][]string // by session id: the input and event messages applied
}

// testSession is a session of the test app and its handles.
type testSession struct {
	*sheen.Session
	counter *reactive.Value[int]
	ended   chan struct{} // closed by OnEnded
}

func newRig(t testing.TB, opts ...sheen.Option) *rig {
	t.Helper()
	core, logs := observer.New(zap.DebugLevel)
	r := &rig{t: t, sessions: make(chan *testSession, 16), logs: logs, applied: make(map[string][]string)}
	opts = append([]sheen.Option{
		sheen.WithLogger(zap.New(core)),
		sheen.WithAppliedHook(r.recordApplied),
	}, opts...)
	r.app = sheen.New(testPage(), r.server, opts...)
	h := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == "/_sheen/ws" && r.refuse.Load() {
			http.Error(w, "down for the test", http.StatusServiceUnavailable)
			return
		}
		r.app.ServeHTTP(w, req)
	})
	r.url = browsertest.Serve(t, h).URL
	t.Cleanup(func() { // before the server closes: cleanups run last in, first out
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := r.app.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return r
}

func (r *rig) server(s *sheen.Session) {
	name, btn := s.Input("name"), s.Input("go")
	counter := reactive.NewValue(s.Graph(), 0)
	s.Output("echo", sheen.RenderText(func() (string, error) { return "name=" + name.Text(), nil }))
	s.Output("count", sheen.RenderText(func() (string, error) { return "count=" + strconv.Itoa(counter.Get()), nil }))
	s.Output("clicks", sheen.RenderText(func() (string, error) { return "clicks=" + strconv.Itoa(int(btn.Clicks())), nil }))
	s.Output("risky", sheen.RenderText(func() (string, error) {
		if v := name.Text(); strings.HasPrefix(v, "panic") {
			panic("kaboom: " + v)
		}
		return "risky ok", nil
	}))
	ts := &testSession{Session: s, counter: counter, ended: make(chan struct{})}
	s.OnEnded(func() { close(ts.ended) })
	r.sessions <- ts
}

func (r *rig) recordApplied(s *sheen.Session, m protocol.ClientMessage) {
	var rec string
	switch m := m.(type) {
	case protocol.Input:
		b, _ := json.Marshal(m.Values)
		rec = "input " + string(b)
	case protocol.Event:
		rec = "event " + m.Target + "/" + m.Name
	}
	r.mu.Lock()
	r.applied[s.ID()] = append(r.applied[s.ID()], rec)
	r.mu.Unlock()
}

// appliedBy returns the messages session id applied, in order.
func (r *rig) appliedBy(id string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.applied[id]...)
}

// session returns the next session the app starts.
func (r *rig) session() *testSession {
	r.t.Helper()
	select {
	case s := <-r.sessions:
		return s
	case <-time.After(browsertest.Timeout):
		r.t.Fatal("timed out waiting for a session to start")
		return nil
	}
}

// noNewSession fails the test if the app started a session not yet taken.
func (r *rig) noNewSession() {
	r.t.Helper()
	select {
	case s := <-r.sessions:
		r.t.Errorf("unexpected new session %s", s.ID())
	default:
	}
}

func waitClosed(t testing.TB, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(browsertest.Timeout):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// client is a Go WebSocket client speaking the sheen protocol.
type client struct {
	t testing.TB
	c *websocket.Conn
}

func (r *rig) dial(header http.Header) (*client, *http.Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), browsertest.Timeout)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(r.url, "http")+"/_sheen/ws", &websocket.DialOptions{HTTPHeader: header})
	if err != nil {
		return nil, resp, err
	}
	c.SetReadLimit(-1)
	cl := &client{t: r.t, c: c}
	r.t.Cleanup(func() { _ = c.CloseNow() })
	return cl, resp, nil
}

func (r *rig) mustDial() *client {
	r.t.Helper()
	c, _, err := r.dial(nil)
	if err != nil {
		r.t.Fatalf("dial: %v", err)
	}
	return c
}

func (c *client) send(frame string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), browsertest.Timeout)
	defer cancel()
	if err := c.c.Write(ctx, websocket.MessageText, []byte(frame)); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// read returns the next frame, or the read error.
func (c *client) read() (protocol.ServerMessage, error) {
	ctx, cancel := context.WithTimeout(context.Background(), browsertest.Timeout)
	defer cancel()
	_, data, err := c.c.Read(ctx)
	if err != nil {
		return nil, err
	}
	m, err := protocol.DecodeServer(data)
	if err != nil {
		return nil, fmt.Errorf("invalid server frame %s: %w", data, err)
	}
	return m, nil
}

func (c *client) next() protocol.ServerMessage {
	c.t.Helper()
	m, err := c.read()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return m
}

func nextAs[T protocol.ServerMessage](c *client) T {
	c.t.Helper()
	m := c.next()
	v, ok := m.(T)
	if !ok {
		b, _ := m.MarshalJSON()
		var want T
		c.t.Fatalf("got %s, want a %s", b, want.Type())
	}
	return v
}

// start sends a fresh hello and returns the welcome and the first update.
func (c *client) start(inputs string) (protocol.Welcome, protocol.Update) {
	c.t.Helper()
	c.send(`{"type":"hello","v":1,"inputs":` + inputs + `}`)
	w := nextAs[protocol.Welcome](c)
	u := nextAs[protocol.Update](c)
	if w.Resumed || u.Seq != w.Seq+1 {
		c.t.Fatalf("welcome %+v then update seq %d", w, u.Seq)
	}
	return w, u
}

// text returns an update's text or error for output id ("" when absent).
func text(u protocol.Update, id string) string {
	o, ok := u.Outputs[id]
	switch {
	case !ok:
		return ""
	case o.Text != nil:
		return *o.Text
	case o.Error != "":
		return "error: " + o.Error
	}
	return "?"
}

// TestOrigin: a cross-origin upgrade is refused (cross-site WebSocket
// hijacking) unless WithOrigins allows the origin.
func TestOrigin(t *testing.T) {
	cases := []struct {
		name    string
		allow   []string
		origin  string // "" sends none; "self" the server's own origin
		refused bool
	}{
		{"no origin (not a browser)", nil, "", false},
		{"same origin", nil, "self", false},
		{"other host", nil, "http://evil.example", true},
		{"other port", nil, "http://127.0.0.1:1", true},
		{"allowed host", []string{"evil.example"}, "http://evil.example", false},
		{"allowed by pattern", []string{"*.example.com"}, "https://app.example.com", false},
		{"pattern does not match", []string{"*.example.com"}, "https://example.org", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var opts []sheen.Option
			if tc.allow != nil {
				opts = append(opts, sheen.WithOrigins(tc.allow...))
			}
			r := newRig(t, opts...)
			h := http.Header{}
			switch tc.origin {
			case "":
			case "self":
				h.Set("Origin", r.url)
			default:
				h.Set("Origin", tc.origin)
			}
			c, resp, err := r.dial(h)
			if tc.refused {
				if err == nil {
					t.Fatal("upgrade accepted, want 403")
				}
				if resp == nil || resp.StatusCode != http.StatusForbidden {
					t.Fatalf("got %v (response %v), want 403", err, resp)
				}
				if n := r.app.Sessions(); n != 0 {
					t.Errorf("%d sessions after a refused upgrade", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("upgrade refused: %v", err)
			}
			_, u := c.start(`{"name":"\"Ada\""}`)
			_ = u
			r.session()
		})
	}
}

// TestBadFrames: every kind of bad frame after the handshake is answered with
// an error frame of the right code, and the session goes on: the next input
// still updates an output.
func TestBadFrames(t *testing.T) {
	const maxFrame = 4096
	r := newRig(t, sheen.WithMaxFrame(maxFrame))
	c := r.mustDial()
	_, u := c.start(`{"name":"start"}`)
	if got := text(u, "echo"); got != "name=start" {
		t.Fatalf("first update: echo = %q", got)
	}
	s := r.session()
	cases := []struct {
		name  string
		frame string
		code  protocol.Code
	}{
		{"oversized", `{"type":"input","n":1,"values":{"name":"` + strings.Repeat("x", maxFrame) + `"}}`, protocol.CodeTooBig},
		{"bad JSON", `{"type":"input",`, protocol.CodeBadJSON},
		{"empty frame", ``, protocol.CodeBadJSON},
		{"two values", `{"type":"ping","seq":0} {}`, protocol.CodeBadJSON},
		{"unknown type", `{"type":"shout","n":1}`, protocol.CodeUnknownType},
		{"server type from the page", `{"type":"pong","seq":1}`, protocol.CodeUnknownType},
		{"not an object", `[1,2]`, protocol.CodeBadMessage},
		{"n is zero", `{"type":"input","n":0,"values":{"name":"x"}}`, protocol.CodeBadMessage},
		{"no values", `{"type":"input","n":5,"values":{}}`, protocol.CodeBadMessage},
		{"empty input id", `{"type":"input","n":5,"values":{"":1}}`, protocol.CodeBadMessage},
		{"event without target", `{"type":"event","n":5,"name":"x"}`, protocol.CodeBadMessage},
		{"second hello", `{"type":"hello","v":1,"inputs":{}}`, protocol.CodeBadMessage},
	}
	n := 0
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			c.send(tc.frame)
			e := nextAs[protocol.Error](c)
			if e.Code != tc.code || e.Fatal || e.Message == "" {
				t.Errorf("error frame %+v, want code %s, not fatal, with a message", e, tc.code)
			}
			// The session goes on.
			n++
			name := fmt.Sprintf("after %d", n)
			c.send(fmt.Sprintf(`{"type":"input","n":%d,"values":{"name":%q}}`, n, name))
			u := nextAs[protocol.Update](c)
			if got := text(u, "echo"); got != "name="+name || u.Ack != uint64(n) {
				t.Errorf("after the error: update ack %d echo %q, want ack %d echo %q", u.Ack, got, n, "name="+name)
			}
		})
	}
	c.t = t
	if got := len(r.appliedBy(s.ID())); got != n {
		t.Errorf("%d messages applied, want %d (bad frames are never applied)", got, n)
	}
	// A resent message (same n) is not applied twice, but acknowledged.
	c.send(fmt.Sprintf(`{"type":"input","n":%d,"values":{"name":"dup"}}`, n))
	c.send(`{"type":"ping","seq":0}`)
	if p := nextAs[protocol.Pong](c); p.Ack != uint64(n) {
		t.Errorf("pong ack %d, want %d", p.Ack, n)
	}
	if got := len(r.appliedBy(s.ID())); got != n {
		t.Errorf("a resent message was applied again: %d applied, want %d", got, n)
	}
}

// TestPanickingRender: a render function that panics shows a sanitized error
// in its output (the real message in development mode), the log has the
// details, and the session goes on.
func TestPanickingRender(t *testing.T) {
	for _, dev := range []bool{false, true} {
		t.Run("development="+strconv.FormatBool(dev), func(t *testing.T) {
			r := newRig(t, sheen.WithDevelopment(dev))
			c := r.mustDial()
			_, u := c.start(`{"name":"ok"}`)
			if got := text(u, "risky"); got != "risky ok" {
				t.Fatalf("risky = %q", got)
			}
			c.send(`{"type":"input","n":1,"values":{"name":"panic now"}}`)
			u = nextAs[protocol.Update](c)
			got := text(u, "risky")
			if dev {
				if !strings.HasPrefix(got, "error: ") || !strings.Contains(got, "kaboom: panic now") {
					t.Errorf("development mode: risky = %q, want the panic's message", got)
				}
			} else if got != "error: An error occurred. The details are in the server log." {
				t.Errorf("risky = %q, want the generic message", got)
			}
			if text(u, "echo") != "name=panic now" {
				t.Errorf("the other outputs of the flush are lost: %+v", u.Outputs)
			}
			logged := r.logs.FilterMessageSnippet("panic").FilterField(zap.Any("panic", "kaboom: panic now")).Len()
			if logged != 1 {
				t.Errorf("%d log entries with the panic, want 1: %v", logged, r.logs.All())
			}
			// The session goes on, and the output recovers.
			c.send(`{"type":"input","n":2,"values":{"name":"fine"}}`)
			u = nextAs[protocol.Update](c)
			if text(u, "risky") != "risky ok" || text(u, "echo") != "name=fine" {
				t.Errorf("after the panic: %+v", u.Outputs)
			}
		})
	}
}

// TestHandshakeRefused: a hello of another protocol version, or a first
// frame that is not a hello, gets a fatal error and the connection closes.
// (runtime_browser_test.go checks what the page shows.)
func TestHandshakeRefused(t *testing.T) {
	cases := []struct {
		name  string
		first string
		code  protocol.Code
	}{
		{"version 2", `{"type":"hello","v":2,"inputs":{}}`, protocol.CodeVersion},
		{"version 2, other fields", `{"type":"hello","v":2,"session":"x"}`, protocol.CodeVersion},
		{"input first", `{"type":"input","n":1,"values":{"name":"x"}}`, protocol.CodeBadMessage},
		{"bad JSON", `{"type":`, protocol.CodeBadJSON},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			c := r.mustDial()
			c.send(tc.first)
			e := nextAs[protocol.Error](c)
			if e.Code != tc.code || !e.Fatal {
				t.Errorf("got %+v, want a fatal %s error", e, tc.code)
			}
			_, err := c.read()
			if st := websocket.CloseStatus(err); st != websocket.StatusPolicyViolation {
				t.Errorf("after the error: %v (status %v), want a close with status %v", err, st, websocket.StatusPolicyViolation)
			}
			if n := r.app.Sessions(); n != 0 {
				t.Errorf("%d sessions, want 0", n)
			}
		})
	}
}

// TestResumeGoClient: the resume path at the protocol level. Updates made
// while the client is away are replayed once, in order; a message the
// client resends is applied once; a wrong token or an unknown session is
// refused with expired.
func TestResumeGoClient(t *testing.T) {
	r := newRig(t)
	c := r.mustDial()
	w, u := c.start(`{"name":"a"}`)
	s := r.session()
	c.send(`{"type":"input","n":1,"values":{"name":"b"}}`)
	if u2 := nextAs[protocol.Update](c); text(u2, "echo") != "name=b" {
		t.Fatalf("echo %q", text(u2, "echo"))
	}
	_ = c.c.CloseNow()
	for i := 1; i <= 3; i++ { // the server goes on while the page is away
		s.counter.Set(i)
	}
	c2 := r.mustDial()
	// The page applied only the first update, and never saw the ack of n=1:
	// it resends n=1.
	c2.send(fmt.Sprintf(`{"type":"hello","v":1,"inputs":{"name":"ignored"},"resume":{"session":%q,"token":%q,"seq":%d,"n":0}}`, w.Session, w.Token, u.Seq))
	w2 := nextAs[protocol.Welcome](c2)
	if !w2.Resumed || w2.Session != w.Session || w2.Ack != 1 || w2.Seq != u.Seq+4 {
		t.Fatalf("welcome after resume: %+v", w2)
	}
	var replayed []string
	for seq := u.Seq + 1; seq <= w2.Seq; seq++ {
		u := nextAs[protocol.Update](c2)
		if u.Seq != seq {
			t.Fatalf("replayed seq %d, want %d", u.Seq, seq)
		}
		replayed = append(replayed, text(u, "echo")+text(u, "count"))
	}
	if want := []string{"name=b", "count=1", "count=2", "count=3"}; fmt.Sprint(replayed) != fmt.Sprint(want) {
		t.Errorf("replayed %q, want %q", replayed, want)
	}
	c2.send(`{"type":"input","n":1,"values":{"name":"b"}}`) // the resend
	c2.send(`{"type":"input","n":2,"values":{"name":"c"}}`)
	if u := nextAs[protocol.Update](c2); text(u, "echo") != "name=c" || u.Ack != 2 || u.Seq != w2.Seq+1 {
		t.Errorf("after the resend: %+v", u)
	}
	if got, want := r.appliedBy(s.ID()), []string{`input {"name":"b"}`, `input {"name":"c"}`}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("applied %q, want %q", got, want)
	}
	r.noNewSession()

	for _, tc := range []struct{ name, session, token string }{
		{"wrong token", w.Session, "nope"},
		{"unknown session", "s_nope", w.Token},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c3 := r.mustDial()
			c3.t = t
			c3.send(fmt.Sprintf(`{"type":"hello","v":1,"inputs":{},"resume":{"session":%q,"token":%q,"seq":0,"n":0}}`, tc.session, tc.token))
			nextAs[protocol.Expired](c3)
			if _, err := c3.read(); websocket.CloseStatus(err) == -1 {
				t.Errorf("after expired: %v, want a close", err)
			}
		})
	}
	// The real session is untouched by the refused attempts.
	c2.send(`{"type":"input","n":3,"values":{"name":"d"}}`)
	if u := nextAs[protocol.Update](c2); text(u, "echo") != "name=d" {
		t.Errorf("after refused resumes: %+v", u)
	}
}

// TestShutdownEndsSessions: Shutdown runs every session's OnEnded hooks and
// closes its connection.
func TestShutdownEndsSessions(t *testing.T) {
	r := newRig(t)
	c := r.mustDial()
	c.start(`{}`)
	s := r.session()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- r.app.Shutdown(ctx) }()
	// Reading answers the server's close frame, so Shutdown need not wait.
	_, err := c.read()
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.StatusGoingAway {
		t.Errorf("after Shutdown: %v, want a going-away close", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	waitClosed(t, s.ended, "OnEnded")
	if n := r.app.Sessions(); n != 0 {
		t.Errorf("%d sessions after Shutdown", n)
	}
}
