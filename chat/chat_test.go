package chat_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/protocol"
	"github.com/sheenhq/sheen/reactive"
)

func TestIdenticalSubmitsAreBothAnswered(t *testing.T) {
	var calls atomic.Int32
	base := newApp(t, func(s *sheen.Session) {
		c := chat.New(s, "chat")
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			calls.Add(1)
			return c.AppendMessage(ctx, "echo: "+in.Text)
		})
	})
	p := open(t, base)
	p.Next("reset")
	for range 2 {
		p.Submit("same")
		if d := p.Next("append"); !strings.Contains(d["message"].(map[string]any)["html"].(string), "echo: same") {
			t.Fatalf("append = %v", d)
		}
		p.Idle()
	}
	if calls.Load() != 2 {
		t.Fatalf("handler ran %d times, want 2", calls.Load())
	}
}

func TestAppendsAndStreamsKeepOrder(t *testing.T) {
	var c *chat.Chat
	base := newApp(t, func(s *sheen.Session) {
		c = chat.New(s, "chat")
		g := s.Graph()
		for i := range 5 {
			reactive.NewEffect(g, func() error {
				if i%2 == 0 {
					n := string(rune('A' + i))
					c.AppendMessageStream(context.Background(), chat.FromStrings(n+"1 ", n+"2 ", n+"3"))
				} else {
					_ = c.AppendMessage(context.Background(), "append "+string(rune('A'+i)))
				}
				return nil
			})
		}
	})
	p := open(t, base)
	ends := 0
	p.Wait("three streams to end", func(m protocol.Message) bool {
		if m.Name == "end" {
			ends++
		}
		return ends == 3
	})
	want := []string{"A1 A2 A3", "append B", "C1 C2 C3", "append D", "E1 E2 E3"}
	if got := p.View().Texts(); !slices.Equal(got, want) {
		t.Fatalf("messages = %q, want %q", got, want)
	}
	got := c.Messages()
	if len(got) != 5 || got[0].Content != "A1 A2 A3" || got[1].Content != "append B" {
		t.Fatalf("transcript = %s", fmtMsgs(got))
	}
}

func TestStreamContexts(t *testing.T) {
	cases := streamContextCases
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var c *chat.Chat
			base := newApp(t, func(s *sheen.Session) {
				c = chat.New(s, "chat")
				c.OnUserSubmit(func(ctx context.Context, in chat.Input) error { return tc.run(ctx, c) })
			})
			p := open(t, base)
			p.Next("reset")
			p.Submit("go")
			p.Until("end")
			v := p.View()
			page := v.Text(v.IDs()[0]) // before Idle applies what follows
			p.Idle()
			var got []string
			for _, m := range c.Messages() {
				if m.Role == chat.Assistant {
					got = append(got, m.Content)
				}
			}
			if strings.Join(got, "|") != tc.want {
				t.Fatalf("assistant messages = %q, want %q", got, tc.want)
			}
			if want := strings.Split(tc.want, "|")[0]; page != want {
				t.Fatalf("page shows %q, want %q", page, want)
			}
		})
	}
}

func TestStreamErrorKeepsPartialTextAndUnlocks(t *testing.T) {
	var c *chat.Chat
	base := newApp(t, func(s *sheen.Session) {
		c = chat.New(s, "chat", chat.OnError(chat.ErrorActual))
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			st := c.AppendMessageStream(ctx, func(yield func(string, error) bool) {
				if yield("partial ", nil) && yield("text", nil) {
					yield("", errors.New("model went away"))
				}
			})
			_, err := st.Wait(ctx)
			return err
		})
	})
	p := open(t, base)
	p.Next("reset")
	p.Submit("hi")
	ms := p.Until("end")
	if end := string(ms[len(ms)-1].Data); !strings.Contains(end, "model went away") {
		t.Fatalf("end = %s, want the error inline", end)
	}
	v := p.View()
	id := v.IDs()[0]
	if v.Status(id) != "error" || v.Text(id) != "partial text" {
		t.Fatalf("status %q text %q", v.Status(id), v.Text(id))
	}
	p.Idle()
	if ns := p.Notices(); len(ns) > 0 { // the failure shows once: inline
		t.Fatalf("the failure is shown inline and as notices %+v", ns)
	}
	msgs := c.Messages()
	last := msgs[len(msgs)-1]
	if last.Status != chat.Failed || last.Content != "partial text" {
		t.Fatalf("transcript = %s", fmtMsgs(msgs))
	}
	// The input is usable: another submission is answered.
	c.OnUserSubmit(func(ctx context.Context, in chat.Input) error { return nil })
	p.Submit("again")
	p.Next("busy")
	p.Idle()
}

func TestHandlerErrorWithoutStream(t *testing.T) {
	base := newApp(t, func(s *sheen.Session) {
		c := chat.New(s, "chat")
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			return &sheen.SafeError{Message: "Quota exceeded", Err: errors.New("HTTP 429 secret detail")}
		})
	})
	p := open(t, base)
	p.Next("reset")
	p.Submit("hi")
	d := p.Next("append")["message"].(map[string]any)
	if d["status"] != "error" || d["retry"] != true || d["error"] != "Quota exceeded" {
		t.Fatalf("inline error = %v", d)
	}
	p.Idle()
	// Shown once: inline, with Retry, and no toast repeating it.
	if ns := p.Notices(); len(ns) > 0 {
		t.Fatalf("the error is shown inline and as notices %+v", ns)
	}
}

// ErrorUnhandled ends the session, but the page shows why first: the
// error, inline, before the connection ends.
func TestErrorUnhandledShowsTheErrorBeforeEnding(t *testing.T) {
	base := newApp(t, func(s *sheen.Session) {
		c := chat.New(s, "chat", chat.OnError(chat.ErrorUnhandled))
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			return &sheen.SafeError{Message: "Quota exceeded", Err: errors.New("HTTP 429 secret detail")}
		})
	})
	p := open(t, base)
	p.Next("reset")
	p.Submit("hi")
	d := p.Next("append")["message"].(map[string]any)
	if d["status"] != "error" || d["error"] != "Quota exceeded" {
		t.Fatalf("inline error = %v, want the safe message", d)
	}
	<-p.Ended()
}

func TestStopCancelsHandlerContext(t *testing.T) {
	cancelled := make(chan struct{})
	base := newApp(t, func(s *sheen.Session) {
		c := chat.New(s, "chat")
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			ch := make(chan string)
			go func() {
				defer close(ch)
				select {
				case ch <- "first chunk ":
				case <-ctx.Done():
					return
				}
				<-ctx.Done()
				close(cancelled)
			}()
			st := c.AppendMessageStream(ctx, chat.FromChannel(ch))
			_, err := st.Wait(context.Background())
			if !errors.Is(err, chat.ErrStopped) {
				t.Errorf("Wait error = %v, want ErrStopped", err)
			}
			return nil
		})
	})
	p := open(t, base)
	p.Next("reset")
	p.Submit("hi")
	p.Next("patch")
	p.Send("stop", nil)
	<-cancelled
	if d := p.Next("end"); d["status"] != "stopped" {
		t.Fatalf("end = %v", d)
	}
	p.Idle()
}

// An iterator that ends because the stream's ctx ended leaves the message
// stopped, even when it watched ctx itself and so can finish before the
// context derived from it reports the end. Repeated: the window is narrow.
func TestStreamEndedByItsContextIsStopped(t *testing.T) {
	const rounds = 200
	done := make(chan error, 1)
	base := newApp(t, func(s *sheen.Session) {
		c := chat.New(s, "chat")
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			for i := range rounds {
				sctx, cancel := context.WithCancel(ctx)
				started := make(chan struct{})
				st := c.AppendMessageStream(sctx, func(yield func(string, error) bool) {
					if !yield("chunk", nil) {
						return
					}
					close(started)
					<-sctx.Done()
				})
				<-started
				cancel()
				if _, err := st.Wait(context.Background()); !errors.Is(err, chat.ErrStopped) {
					done <- fmt.Errorf("round %d: Wait error = %v, want ErrStopped", i, err)
					return nil
				}
			}
			done <- nil
			return nil
		})
	})
	p := open(t, base)
	p.Next("reset")
	p.Submit("go")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	p.Idle()
}

func TestClearWhileStreamingCancels(t *testing.T) {
	var c *chat.Chat
	started := make(chan struct{})
	base := newApp(t, func(s *sheen.Session) {
		c = chat.New(s, "chat")
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			st := c.AppendMessageStream(ctx, func(yield func(string, error) bool) {
				if !yield("streaming", nil) {
					return
				}
				close(started)
				<-ctx.Done()
				yield("", ctx.Err())
			})
			_, _ = st.Wait(context.Background())
			return nil
		})
	})
	p := open(t, base)
	p.Next("reset")
	p.Submit("hi")
	<-started
	c.ClearMessages(chat.DropGreeting)
	// The reset and the end of the response (busy false) may come in either
	// order.
	sawReset, sawIdle := false, false
	p.Wait("the reset and the end of the response", func(m protocol.Message) bool {
		switch {
		case m.Name == "reset":
			sawReset = true
		case m.Name == "busy" && strings.Contains(string(m.Data), "false"):
			sawIdle = true
		}
		return sawReset && sawIdle
	})
	all := p.Received()
	for _, m := range all[len(all)-1:] {
		if m.Name == "end" || m.Name == "patch" {
			t.Errorf("the cleared stream still sent %q", m.Name)
		}
	}
	for _, m := range c.Messages() {
		if m.Role != chat.System {
			t.Fatalf("transcript not empty after clear: %s", fmtMsgs(c.Messages()))
		}
	}
}

func TestGreetingLifecycle(t *testing.T) {
	var c *chat.Chat
	requested := make(chan struct{}, 4)
	base := newApp(t, func(s *sheen.Session) {
		c = chat.New(s, "chat", chat.Greeting("Hello **there**"))
		c.OnGreetingRequested(func(ctx context.Context) { requested <- struct{}{} })
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error { return c.AppendMessage(ctx, "ok") })
	})
	p := open(t, base)
	r := p.Next("reset")
	if g, _ := r["greeting"].(map[string]any); g == nil || !strings.Contains(g["html"].(string), "<strong>there</strong>") {
		t.Fatalf("greeting not shown: %v", r)
	}
	p.Submit("hi")
	if d := p.Next("greeting"); d["greeting"] != nil {
		t.Fatalf("greeting not dismissed: %v", d)
	}
	p.Idle()
	c.ClearMessages(chat.KeepGreeting)
	if r := p.Next("reset"); r["greeting"] == nil {
		t.Fatalf("greeting not back after clear: %v", r)
	}
	c.ClearMessages(chat.DropGreeting)
	if r := p.Next("reset"); r["greeting"] != nil {
		t.Fatalf("greeting shown after ClearMessages(chat.DropGreeting): %v", r)
	}
	c.ClearMessages(chat.KeepGreeting) // no greeting any more: requested
	<-requested
}

func TestGreetingRequestedWhenEmpty(t *testing.T) {
	var c *chat.Chat
	base := newApp(t, func(s *sheen.Session) {
		c = chat.New(s, "chat")
		c.OnGreetingRequested(func(ctx context.Context) { c.SetGreeting("Streamed hi", false) })
	})
	p := open(t, base)
	if d := p.Next("greeting"); d["greeting"] == nil || !strings.Contains(d["greeting"].(map[string]any)["html"].(string), "Streamed hi") {
		t.Fatalf("greeting = %v", d)
	}
}

func TestHostileMarkdownIsSanitized(t *testing.T) {
	base := newApp(t, func(s *sheen.Session) {
		c := chat.New(s, "chat")
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			return c.AppendMessage(ctx, in.Text)
		})
	})
	p := open(t, base)
	p.Next("reset")
	hostile := `<script>alert(1)</script><img src=x onerror="alert(2)"> [click](javascript:alert(3)) <a href="vbscript:x">v</a>`
	p.Submit(hostile)
	h := p.Next("append")["message"].(map[string]any)["html"].(string)
	for _, bad := range []string{"<script", "onerror", `="javascript:`, `="vbscript:`, "<img"} {
		if strings.Contains(strings.ToLower(h), bad) {
			t.Fatalf("%q survived: %s", bad, h)
		}
	}
}

func TestMessagesConsistentAfterAppend(t *testing.T) {
	done := make(chan []chat.Message, 1)
	base := newApp(t, func(s *sheen.Session) {
		c := chat.New(s, "chat", chat.Messages(chat.Message{Role: chat.System, Content: "be brief"}))
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			if err := c.AppendMessage(ctx, chat.Text("literal *text*")); err != nil {
				return err
			}
			done <- c.Messages()
			return nil
		})
	})
	p := open(t, base)
	if r := p.Next("reset"); len(r["messages"].([]any)) != 0 {
		t.Fatalf("system message shown: %v", r)
	}
	p.Submit("question")
	got := <-done
	roles := []chat.Role{}
	for _, m := range got {
		roles = append(roles, m.Role)
	}
	if !slices.Equal(roles, []chat.Role{chat.System, chat.User, chat.Assistant}) || got[2].Content != "literal *text*" || got[2].ContentType != chat.TextType {
		t.Fatalf("transcript = %s", fmtMsgs(got))
	}
}

func TestSetGreetingRemovesAndReplaces(t *testing.T) {
	var c *chat.Chat
	base := newApp(t, func(s *sheen.Session) {
		c = chat.New(s, "chat", chat.Greeting("Hello"), chat.PersistentGreeting())
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error { return c.AppendMessage(ctx, "ok") })
	})
	p := open(t, base)
	p.Next("reset")
	if html, persistent, shown := c.Greeting(); !strings.Contains(string(html), "Hello") || !persistent || !shown {
		t.Fatalf("Greeting() = %q %v %v", html, persistent, shown)
	}
	p.Submit("hi")
	p.Until("append")
	p.Idle()
	// A non-persistent greeting set while messages are shown replaces the
	// persistent one on the page, dismissed at once.
	c.SetGreeting("Later", false)
	if d := p.Next("greeting"); d["greeting"] != nil {
		t.Fatalf("the old greeting stays on the page: %v", d)
	}
	if html, _, shown := c.Greeting(); shown || !strings.Contains(string(html), "Later") {
		t.Fatalf("Greeting() = %q shown %v, want Later, dismissed", html, shown)
	}
	c.SetGreeting("Pinned", true)
	if d := p.Next("greeting"); d["greeting"] == nil {
		t.Fatalf("persistent greeting not shown: %v", d)
	}
	// nil removes the greeting: no empty bubble.
	c.SetGreeting(nil, true)
	if d := p.Next("greeting"); d["greeting"] != nil {
		t.Fatalf("SetGreeting(nil) shows %v", d)
	}
	if html, _, shown := c.Greeting(); html != "" || shown {
		t.Fatalf("Greeting() after nil = %q %v", html, shown)
	}
}
