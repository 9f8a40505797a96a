package chat_test

import (
	"context"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chart"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/browsertest"
)

// liveApp serves a chat (with a history when hist) whose handler answers
// every question with a message holding live UI: a slider, a button, an
// output reading both (a chart) and an observer. Each UI function holds a
// large value only its render function refers to, whose collection the
// test watches. "clear" clears the chat instead.
type liveApp struct {
	base      string
	sessions  chan *sheen.Session
	chats     chan *chat.Chat
	collected chan int // the numbers of the UIs whose render function was collected
}

func newLiveApp(t *testing.T, hist bool) *liveApp {
	t.Helper()
	a := &liveApp{sessions: make(chan *sheen.Session, 4), chats: make(chan *chat.Chat, 4), collected: make(chan int, 100)}
	var opts []chat.Option
	if hist {
		h, _ := tempHistory(t)
		opts = append(opts, chat.WithHistory(h))
	}
	n := 0
	page := sheen.Page("live UI test", chat.UI("chat", opts...))
	a.base = serve(t, sheen.New(page, func(s *sheen.Session) {
		c := chat.New(s, "chat", opts...)
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			if in.Text == "clear" {
				c.ClearMessages(chat.KeepGreeting)
				return nil
			}
			n++
			return c.AppendMessage(ctx, chat.Message{Content: "UI " + strconv.Itoa(n), UI: []chat.LiveUI{a.ui(n)}})
		})
		a.sessions <- s
		a.chats <- c
	}, sheen.WithLogger(zap.NewNop()), sheen.WithUsers(func(*http.Request) (string, error) { return "ann", nil }),
		sheen.WithGrace(time.Millisecond)))
	return a
}

func (a *liveApp) ui(n int) chat.LiveUI {
	return func(sc *sheen.Scope) sheen.Node {
		big := new([1 << 16]byte)
		runtime.AddCleanup(big, func(n int) { a.collected <- n }, n)
		k, btn := sc.Input("k"), sc.Input("go")
		sc.Output("chart", sheen.RenderUI(func() (sheen.Node, error) {
			_ = big[0]
			v := k.Float()
			return chart.Line(chart.Options{Title: "k=" + strconv.FormatFloat(v, 'f', -1, 64)},
				chart.Series{X: []float64{0, 1, 2}, Y: []float64{0, v, 2 * v}}), nil
		}))
		sc.Output("clicks", sheen.RenderText(func() (string, error) { return strconv.Itoa(int(btn.Clicks())), nil }))
		sc.Observe(func() error { _ = k.IsSet(); return nil })
		return sheen.Group(sheen.HTMLOutput("chart"), sheen.Slider("k", "K", 0, 10, 3), sheen.ActionButton("go", "Go"), sheen.TextOutput("clicks"))
	}
}

// waitCollected waits until the render functions of the UIs numbered want
// were collected.
func waitCollected(t *testing.T, ch <-chan int, want ...int) {
	t.Helper()
	seen := map[int]bool{}
	deadline := time.Now().Add(browsertest.Timeout)
	for {
		runtime.GC()
		for more := true; more; {
			select {
			case n := <-ch:
				seen[n] = true
			default:
				more = false
			}
		}
		missing := []int{}
		for _, n := range want {
			if !seen[n] {
				missing = append(missing, n)
			}
		}
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the live UIs %v were never collected", missing)
		}
		time.Sleep(20 * time.Millisecond) // between collections: cleanups run on their own goroutine
	}
}

// waitGoroutines waits until no more goroutines run than at most n.
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(browsertest.Timeout)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines run, %d before", runtime.NumGoroutine(), n)
		}
		time.Sleep(20 * time.Millisecond) // polling a count: nothing to wait on
	}
}

// TestLiveUIDisposal: every way a message leaves a page disposes its live
// UI: the session's scopes, outputs, inputs and effects go back to what
// they were, its goroutines too, and the UI functions' values are
// collected.
func TestLiveUIDisposal(t *testing.T) {
	tests := []struct {
		name   string
		hist   bool
		remove func(t *testing.T, a *liveApp, p pageLike, c *chat.Chat)
		ended  bool // the session ends: its counts are not read after
	}{
		{"clear without history", false, func(t *testing.T, a *liveApp, p pageLike, c *chat.Chat) {
			p.Submit("clear")
			p.Next("reset")
		}, false},
		{"clear with history (a new conversation)", true, func(t *testing.T, a *liveApp, p pageLike, c *chat.Chat) {
			c.ClearMessages(chat.KeepGreeting)
		}, false},
		{"deleted by the message actions (actions.go)", true, func(t *testing.T, a *liveApp, p pageLike, c *chat.Chat) {
			for _, m := range c.Messages() {
				c.DeleteMessage(m.ID)
				p.Next("remove")
			}
		}, false},
		{"switch to another conversation", true, func(t *testing.T, a *liveApp, p pageLike, c *chat.Chat) {
			p.Send("open", map[string]any{"id": ""})
			p.Next("reset")
		}, false},
		{"the session ends", true, func(t *testing.T, a *liveApp, p pageLike, c *chat.Chat) {
			s := c.Session()
			ended := make(chan struct{})
			s.OnEnded(func() { close(ended) })
			p.Close()
			recv(t, ended, "the session's end")
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newLiveApp(t, tt.hist)
			p := open(t, a.base)
			s := recv(t, a.sessions, "the session")
			c := recv(t, a.chats, "the chat")
			p.Next("reset")
			before := s.ScopeStats()
			goroutines := runtime.NumGoroutine()
			const n = 5
			for i := 1; i <= n; i++ {
				p.Submit("show " + strconv.Itoa(i))
				m := p.Next("append")
				if ps := partsHTML(m); len(ps) != 1 || !strings.HasPrefix(ps[0], "live:") || !strings.Contains(ps[0], `data-sheen-output="ui`+strconv.Itoa(i)+`_chart"`) {
					t.Fatalf("message %d: parts %v, want one live part, namespaced", i, ps)
				}
				p.Idle()
			}
			st := s.ScopeStats()
			if st.Scopes != n || st.Effects != 3*n || st.Outputs != before.Outputs || st.Inputs < before.Inputs+2*n {
				t.Fatalf("with %d live messages: %+v (before %+v)", n, st, before)
			}
			tt.remove(t, a, p, c)
			if !tt.ended {
				// The disposal is in the turn that showed the new transcript.
				if st := s.ScopeStats(); st != before {
					t.Errorf("after the removal: %+v, want %+v", st, before)
				}
			}
			waitCollected(t, a.collected, 1, 2, 3, 4, 5)
			if !tt.ended {
				waitGoroutines(t, goroutines)
			}
		})
	}
}

// pageLike is what the disposal cases use of a pagetest page.
type pageLike interface {
	Submit(string)
	Send(string, any)
	Next(string) map[string]any
	Close()
}

// partsHTML returns the HTML of the parts of an "append" message.
func partsHTML(m map[string]any) []string {
	msg, _ := m["message"].(map[string]any)
	parts, _ := msg["parts"].([]any)
	var out []string
	for _, p := range parts {
		if pm, ok := p.(map[string]any); ok {
			h, _ := pm["html"].(string)
			if pm["live"] == true {
				h = "live:" + h
			}
			out = append(out, h)
		}
	}
	return out
}

// TestLiveUIPanics: a live UI function that panics, or whose output
// panics, is logged; the message still shows and the session goes on.
func TestLiveUIPanics(t *testing.T) {
	base := newApp(t, func(s *sheen.Session) {
		c := chat.New(s, "chat")
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			switch in.Text {
			case "build":
				return c.AppendMessage(ctx, chat.Message{Content: "built", UI: []chat.LiveUI{func(*sheen.Scope) sheen.Node { panic("no UI") }}})
			case "render":
				return c.AppendMessage(ctx, chat.Message{Content: "rendered", UI: []chat.LiveUI{func(sc *sheen.Scope) sheen.Node {
					sc.Output("x", sheen.RenderText(func() (string, error) { panic("no output") }))
					return sheen.TextOutput("x")
				}}})
			}
			return c.AppendMessage(ctx, "fine")
		})
	})
	p := open(t, base)
	p.Next("reset")
	for _, q := range []string{"build", "render", "again"} {
		p.Submit(q)
		m := p.Next("append")
		if msg, _ := m["message"].(map[string]any); msg["html"] == "" {
			t.Errorf("%s: the message shows nothing: %v", q, m)
		}
		p.Idle()
	}
}
