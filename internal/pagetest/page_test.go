package pagetest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"
	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/internal/pagetest"
	"github.com/sheenhq/sheen/protocol"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// msg is a component message for the test server to send: the event "say"
// carries a list of them, sent in one update.
type msg struct {
	Target string `json:"target,omitempty"` // default "c"
	Name   string `json:"name"`
	Data   any    `json:"data,omitempty"`
}

// event is an event as the test server received it.
type event struct {
	Name string
	Data string
}

// serve starts a sheen app on 127.0.0.1 with one component, "c", and
// returns its URL and the events the component receives. The component
// answers "say" by sending the messages it lists, "notify" by showing its
// text as a warning and "close" by ending the session.
func serve(t *testing.T) (base string, events <-chan event) {
	t.Helper()
	got := make(chan event, 64)
	app := sheen.New(sheen.Page("pagetest", sheen.Component("test", "c")), func(s *sheen.Session) {
		s.OnEvent("c", func(name string, data json.RawMessage) {
			got <- event{name, string(data)}
			switch name {
			case "say":
				var ms []struct {
					Target string          `json:"target"`
					Name   string          `json:"name"`
					Data   json.RawMessage `json:"data"`
				}
				if err := json.Unmarshal(data, &ms); err != nil {
					t.Errorf("say: %v", err)
				}
				for _, m := range ms {
					if m.Target == "" {
						m.Target = "c"
					}
					if err := s.Send(m.Target, m.Name, m.Data); err != nil {
						t.Errorf("say: %v", err)
					}
				}
			case "notify":
				var text string
				_ = json.Unmarshal(data, &text)
				s.Notify(sheen.LevelWarning, text)
			case "close":
				s.Close()
			}
		})
	}, sheen.WithLogger(zap.NewNop()))
	srv := httptest.NewServer(app)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := app.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		srv.Close()
	})
	return srv.URL, got
}

func message(id, role, html string) map[string]any {
	return map[string]any{"message": map[string]string{"id": id, "role": role, "html": html}}
}

func patch(id string, from, keep int, tail string, blocks ...string) map[string]any {
	return map[string]any{"id": id, "answer": map[string]any{"from": from, "keep": keep, "blocks": blocks, "tail": tail}}
}

// TestView: the page's view of what the server sends, as the browser keeps
// it.
func TestView(t *testing.T) {
	tests := []struct {
		name    string
		say     [][]msg // one update each
		ids     []string
		texts   []string
		html    string // of the last message
		status  string // of the last message
		role    string // of the last message
		nothing bool   // the view is empty
	}{
		{
			name:  "an appended message",
			say:   [][]msg{{{Name: "append", Data: map[string]any{"message": map[string]string{"id": "a", "role": "assistant", "html": "<p>Hi <em>there</em></p>", "status": "done"}}}}},
			ids:   []string{"a"},
			texts: []string{"Hi there"}, html: "<p>Hi <em>there</em></p>", status: "done", role: "assistant",
		},
		{
			name: "a stream: the tail grows, blocks commit, a full render replaces them",
			say: [][]msg{
				{{Name: "start", Data: message("s", "assistant", "")}},
				{{Name: "patch", Data: patch("s", 0, 0, "<p>Hel")}},
				{{Name: "patch", Data: patch("s", 0, 6, "lo</p>")}},
				{{Name: "patch", Data: patch("s", 0, 0, "<p>wor", "<p>Hello</p>")}},
				{{Name: "patch", Data: patch("s", 1, 6, "ld</p>")}, {Name: "patch", Data: patch("s", 0, 0, "", "<p>Hello</p>", "<p>world!</p>")}},
				{{Name: "end", Data: map[string]string{"id": "s", "status": "done"}}},
			},
			ids:   []string{"s"},
			texts: []string{"Helloworld!"}, html: "<p>Hello</p><p>world!</p>", status: "done", role: "assistant",
		},
		{
			name: "keep counts UTF-16 units",
			say: [][]msg{
				{{Name: "start", Data: message("u", "assistant", "<p>😀 é")}},
				{{Name: "patch", Data: patch("u", 0, 7, "!</p>")}},
			},
			ids:   []string{"u"},
			texts: []string{"😀 é!"}, html: "<p>😀 é!</p>", role: "assistant",
		},
		{
			name: "a message sent again with its id is replaced in place",
			say: [][]msg{
				{{Name: "append", Data: message("a", "assistant", "one")}, {Name: "append", Data: message("b", "user", "two")}},
				{{Name: "append", Data: map[string]any{"message": map[string]string{"id": "a", "role": "assistant", "html": "one again", "status": "error"}}}},
			},
			ids:   []string{"a", "b"},
			texts: []string{"one again", "two"}, html: "two", role: "user",
		},
		{
			name: "a reset replaces the messages; system messages and a removed stream's patches are left out",
			say: [][]msg{
				{{Name: "append", Data: message("a", "assistant", "old")}, {Name: "start", Data: message("s", "assistant", "")}},
				{{Name: "reset", Data: map[string]any{"messages": []map[string]string{
					{"id": "sys", "role": "system", "html": "secret"}, {"id": "q", "role": "user", "html": "<p>question</p>"},
				}}}},
				{{Name: "patch", Data: patch("s", 0, 0, "late")}, {Name: "end", Data: map[string]string{"id": "s", "status": "stopped"}}},
			},
			ids:   []string{"q"},
			texts: []string{"question"}, html: "<p>question</p>", role: "user",
		},
		{
			name: "other names and other components' messages leave the view alone",
			say: [][]msg{
				{{Name: "busy", Data: map[string]bool{"busy": true}}, {Name: "meter", Data: map[string]int{"used": 1, "budget": 2}}},
				{{Target: "other", Name: "append", Data: message("x", "assistant", "not ours")}},
			},
			nothing: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, _ := serve(t)
			p := pagetest.Open(t, base, "c")
			for _, batch := range tt.say {
				p.Send("say", batch)
			}
			p.Send("say", []msg{{Name: "mark"}})
			p.Until("mark")
			v := p.View()
			if tt.nothing {
				if ids := v.IDs(); len(ids) != 0 {
					t.Fatalf("view has %q, want nothing", ids)
				}
				return
			}
			ids := v.IDs()
			if !slices.Equal(ids, tt.ids) {
				t.Fatalf("ids %q, want %q", ids, tt.ids)
			}
			if got := v.Texts(); !slices.Equal(got, tt.texts) {
				t.Errorf("texts %q, want %q", got, tt.texts)
			}
			last := ids[len(ids)-1]
			if got := v.HTML(last); got != tt.html {
				t.Errorf("HTML %q, want %q", got, tt.html)
			}
			if got := v.Status(last); got != tt.status {
				t.Errorf("status %q, want %q", got, tt.status)
			}
			if got := v.Role(last); got != tt.role {
				t.Errorf("role %q, want %q", got, tt.role)
			}
		})
	}
}

// TestPage: events reach the server in order, and each way of taking
// messages takes what it says.
func TestPage(t *testing.T) {
	base, events := serve(t)
	p := pagetest.Open(t, base, "c")

	p.Submit("hi")
	p.Send("say", []msg{
		{Name: "busy", Data: map[string]bool{"busy": true}},
		{Name: "append", Data: message("a", "assistant", "<p>a</p>")},
		{Name: "busy", Data: map[string]bool{"busy": false}},
		{Name: "greeting", Data: map[string]any{"greeting": nil}},
		{Name: "end", Data: map[string]string{"id": "a", "status": "done"}},
		{Target: "other", Name: "end"},
		{Name: "bare"},
	})
	p.Send("notify", "careful")

	for i, want := range []string{"ready", "submit", "say", "notify"} {
		if e := <-events; e.Name != want || (want == "submit") != (e.Data == `{"text":"hi"}`) {
			t.Fatalf("event %d: %+v, want %q", i, e, want)
		}
	}
	if d := p.Next("append"); d["message"].(map[string]any)["html"] != "<p>a</p>" {
		t.Errorf("Next(append) = %v", d)
	}
	if got := p.View().Texts(); !slices.Equal(got, []string{"a"}) {
		t.Errorf("the view after Next: %q", got)
	}
	p.Idle() // skips nothing but the busy: false
	if d := p.Next("greeting"); d == nil || d["greeting"] != nil {
		t.Errorf("Next(greeting) = %#v, want a null greeting", d)
	}
	var names []string
	for _, m := range p.Until("bare") {
		names = append(names, m.Name)
	}
	if !slices.Equal(names, []string{"end", "bare"}) {
		t.Errorf("Until(bare) took %q", names)
	}
	if n := p.Notice(); n.Level != sheen.LevelWarning || n.Message != "careful" {
		t.Errorf("notice %+v", n)
	}
	var all []string
	for _, m := range p.Received() {
		all = append(all, m.Name)
	}
	if want := []string{"busy", "append", "busy", "greeting", "end", "bare"}; !slices.Equal(all, want) {
		t.Errorf("Received: %q, want %q", all, want)
	}
	if got := p.View().Status("a"); got != "done" {
		t.Errorf("status %q", got)
	}
}

// recorder is a testing.TB that records failures instead of reporting
// them; Fatalf ends the goroutine, as testing's does.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

// run runs f on a goroutine of its own, so that a Fatalf ends only f.
func (r *recorder) run(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
}

func (r *recorder) failures() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.errs, "\n")
}

// script serves a WebSocket that answers the hello with frames and then
// reads until the page goes away.
func script(t *testing.T, frames ...string) string {
	t.Helper()
	var wg sync.WaitGroup
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wg.Add(1)
		defer wg.Done()
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx := context.Background()
		if _, _, err := c.Read(ctx); err != nil {
			return
		}
		for _, f := range frames {
			if err := c.Write(ctx, websocket.MessageText, []byte(f)); err != nil {
				return
			}
		}
		for {
			if _, _, err := c.Read(ctx); err != nil {
				return
			}
		}
	}))
	t.Cleanup(func() {
		srv.Close()
		wg.Wait()
	})
	return srv.URL
}

func frame(t *testing.T, m interface{ MarshalJSON() ([]byte, error) }) string {
	t.Helper()
	b, err := m.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestFailures: what goes wrong is reported, the test is failed, and
// nothing crashes.
func TestFailures(t *testing.T) {
	welcome := protocol.Welcome{V: protocol.Version, Seq: 4, Session: "s", Token: "t", Heartbeat: 1000, Grace: 1000}
	update := func(seq uint64, names ...string) protocol.Update {
		u := protocol.Update{Seq: seq}
		for _, n := range names {
			u.Messages = append(u.Messages, protocol.Message{Target: "c", Name: n})
		}
		return u
	}
	tests := []struct {
		name string
		base func(t *testing.T) string
		do   func(p *pagetest.Page)
		want []string // in the failures, in order; "(the end)" if do returns
	}{
		{
			name: "an update out of sequence",
			base: func(t *testing.T) string {
				return script(t, frame(t, welcome), frame(t, update(5, "one")), frame(t, update(7, "two")), frame(t, update(8, "three")))
			},
			do:   func(p *pagetest.Page) { p.Next("three") },
			want: []string{"update seq 7 after 5", "(the end)"},
		},
		{
			name: "an update before the welcome",
			base: func(t *testing.T) string { return script(t, frame(t, update(1, "one")), frame(t, welcome)) },
			do:   func(p *pagetest.Page) { p.Next("one") },
			want: []string{"update 1 before the welcome", "(the end)"},
		},
		{
			name: "a frame that does not decode ends the reading, and the waits",
			base: func(t *testing.T) string {
				return script(t, frame(t, welcome), `{"type":"update","seq":5,"messages":[{}]}`)
			},
			do:   func(p *pagetest.Page) { p.Next("one") },
			want: []string{"bad server frame", `waited in vain for a "one" message (the connection closed`},
		},
		{
			name: "an error frame",
			base: func(t *testing.T) string {
				return script(t, frame(t, welcome), frame(t, protocol.Error{Seq: 4, Code: protocol.CodeBadMessage, Message: "no"}), frame(t, update(5, "one")))
			},
			do:   func(p *pagetest.Page) { p.Next("one") },
			want: []string{"the server reports bad_message: no", "(the end)"},
		},
		{
			name: "a patch out of step",
			base: func(t *testing.T) string {
				base, _ := serve(t)
				return base
			},
			do: func(p *pagetest.Page) {
				p.Send("say", []msg{{Name: "start", Data: message("s", "assistant", "")}, {Name: "patch", Data: patch("s", 3, 0, "x")}})
				p.Next("patch")
			},
			want: []string{`pagetest: patch of message "s" (0 blocks and a tail of 0 bytes) from 3 keeping 0: markdown: delta does not follow`, `(while waiting for a "patch" message)`},
		},
		{
			name: "a wait ends as soon as the connection does",
			base: func(t *testing.T) string {
				base, _ := serve(t)
				return base
			},
			do: func(p *pagetest.Page) {
				p.Send("close", nil)
				p.Next("never")
			},
			want: []string{`waited in vain for a "never" message (the connection closed: `, "closed by the app"},
		},
		{
			name: "data that does not decode",
			base: func(t *testing.T) string {
				return script(t, frame(t, welcome), `{"type":"update","seq":5,"messages":[{"target":"c","name":"one","data":[1]}]}`)
			},
			do:   func(p *pagetest.Page) { p.Next("one") },
			want: []string{`"one" message: json: cannot unmarshal array`},
		},
		{
			name: "an event that does not encode",
			base: func(t *testing.T) string { return script(t, frame(t, welcome)) },
			do:   func(p *pagetest.Page) { p.Send("bad", func() {}) },
			want: []string{`event "bad": json: unsupported type`},
		},
		{
			name: "a server that is not there",
			base: func(t *testing.T) string {
				srv := httptest.NewServer(http.NotFoundHandler())
				srv.Close()
				return srv.URL
			},
			want: []string{"pagetest: failed to WebSocket dial"},
		},
		{
			name: "not an http URL",
			base: func(t *testing.T) string { return "ftp://127.0.0.1/" },
			want: []string{`base "ftp://127.0.0.1/" is not an http(s) URL`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := tt.base(t)
			r := &recorder{TB: t}
			r.run(func() {
				p := pagetest.Open(r, base, "c")
				if tt.do != nil {
					tt.do(p)
				}
				r.Fatalf("(the end)")
			})
			got := r.failures()
			if want := slices.Contains(tt.want, "(the end)"); strings.Contains(got, "(the end)") != want {
				t.Errorf("the run reached its end: %v, want %v", !want, want)
			}
			rest := got
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("failures:\n%s\nwant, in order: %q", got, tt.want)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}
