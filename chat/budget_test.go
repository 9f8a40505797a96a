package chat_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/tiktoken-go/tokenizer/codec"
	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/gocorpus"
	"github.com/sheenhq/sheen/internal/pagetest"
	"github.com/sheenhq/sheen/protocol"
	"github.com/sheenhq/sheen/tokens"
)

// wordCounter counts the words of a text: a counter whose answers are easy to
// predict, and that counts how often it is asked.
type wordCounter struct{ calls atomic.Int64 }

func (w *wordCounter) Count(text string) int {
	w.calls.Add(1)
	return len(strings.Fields(text))
}

// startChat opens a page on an app whose chat has the given options and
// returns the chat and the page.
func budgetChat(t *testing.T, opts ...chat.Option) (*chat.Chat, *pagetest.Page) {
	t.Helper()
	ch := make(chan *chat.Chat, 1)
	base := newApp(t, func(s *sheen.Session) { ch <- chat.New(s, "chat", opts...) })
	p := open(t, base)
	select {
	case c := <-ch:
		return c, p
	case <-time.After(10 * time.Second):
		t.Fatal("no session started")
	}
	return nil, nil
}

func sysMsg(s string) chat.Message { return chat.Message{Role: chat.System, Content: s} }
func userMsg(s string) chat.Message {
	return chat.Message{Role: chat.User, Content: s, ContentType: chat.TextType}
}
func botMsg(s string) chat.Message { return chat.Message{Role: chat.Assistant, Content: s} }

// nWords is n words.
func nWords(n int) string { return strings.TrimSpace(strings.Repeat("w ", n)) }

func contentsOf(ms []chat.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Content)
	}
	return out
}

func TestMessagesWithin(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n0000")
	tests := []struct {
		name    string
		msgs    []chat.Message
		budget  tokens.Budget
		want    []string // contents of the messages sent
		wantErr error
	}{
		{name: "everything fits",
			msgs:   []chat.Message{sysMsg(nWords(2)), userMsg(nWords(3)), botMsg(nWords(4))},
			budget: tokens.Budget{Max: 20, Reserve: 5},
			want:   []string{nWords(2), nWords(3), nWords(4)}},
		{name: "the oldest go, the system prompt stays",
			msgs:   []chat.Message{sysMsg(nWords(2)), userMsg(nWords(5)), botMsg(nWords(5)), userMsg(nWords(3)), botMsg(nWords(4))},
			budget: tokens.Budget{Max: 15, Reserve: 5}, // 10: 2 + 3 + 4 fits, + 5 does not
			want:   []string{nWords(2), nWords(3), nWords(4)}},
		{name: "a contiguous run: an older small message is not squeezed in",
			msgs:   []chat.Message{userMsg(nWords(1)), botMsg(nWords(8)), userMsg(nWords(3)), botMsg(nWords(4))},
			budget: tokens.Budget{Max: 10},
			want:   []string{nWords(3), nWords(4)}},
		{name: "system messages in the middle are kept",
			msgs:   []chat.Message{userMsg(nWords(6)), sysMsg(nWords(1)), botMsg(nWords(6)), userMsg(nWords(2))},
			budget: tokens.Budget{Max: 4},
			want:   []string{nWords(1), nWords(2)}},
		{name: "format overhead counts",
			msgs:   []chat.Message{sysMsg(nWords(1)), userMsg(nWords(1)), botMsg(nWords(1)), userMsg(nWords(1))},
			budget: tokens.Budget{Max: 100, Reserve: 85, PerMessage: 3, PerReply: 3}, // 15: 3 + 4·3 = 15
			want:   []string{nWords(1), nWords(1), nWords(1)}},
		{name: "an image counts as AttachmentTokens",
			msgs: []chat.Message{
				{Role: chat.User, Content: nWords(2), Attachments: []chat.Attachment{{Name: "a.png", MIME: "image/png", Data: png}}},
				userMsg(nWords(2))},
			budget: tokens.Budget{Max: chat.AttachmentTokens + 3},
			want:   []string{nWords(2)}},
		{name: "a text file counts as its text",
			msgs: []chat.Message{
				{Role: chat.User, Content: nWords(1), Attachments: []chat.Attachment{{Name: "a.txt", MIME: "text/plain", Data: []byte(nWords(5))}}},
				userMsg(nWords(1))},
			budget: tokens.Budget{Max: 9}, // 1 + 5 words + the tags (3 "words") + 1 = 10 does not fit
			want:   []string{nWords(1)}},
		{name: "invalid budget",
			msgs:    []chat.Message{userMsg(nWords(1))},
			budget:  tokens.Budget{Max: 10, Reserve: 10},
			wantErr: tokens.ErrInvalidBudget},
		{name: "system messages too large",
			msgs:    []chat.Message{sysMsg(nWords(8)), userMsg(nWords(1))},
			budget:  tokens.Budget{Max: 10, Reserve: 3},
			wantErr: tokens.ErrSystemTooLarge},
		{name: "the newest user message too large",
			msgs:    []chat.Message{sysMsg(nWords(2)), userMsg(nWords(1)), botMsg(nWords(1)), userMsg(nWords(9))},
			budget:  tokens.Budget{Max: 10},
			wantErr: tokens.ErrUserTooLarge},
		{name: "empty transcript",
			budget: tokens.Budget{Max: 10},
			want:   nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs := make([]any, len(tt.msgs))
			for i, m := range tt.msgs {
				msgs[i] = m
			}
			c, _ := budgetChat(t, chat.TokenCounter(&wordCounter{}), chat.Messages(msgs...))
			got, err := c.MessagesWithin(tt.budget)
			if tt.wantErr != nil {
				var be *tokens.BudgetError
				if !errors.Is(err, tt.wantErr) || !errors.As(err, &be) {
					t.Fatalf("error %v, want a *tokens.BudgetError wrapping %v", err, tt.wantErr)
				}
				if got != nil {
					t.Errorf("messages %q with an error", contentsOf(got))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(contentsOf(got), tt.want) {
				t.Fatalf("sent %q, want %q", contentsOf(got), tt.want)
			}
			// The same answer as tokens.Budget.Fit over the counts.
			u, err := c.TokenUsage(tt.budget)
			if err != nil {
				t.Fatal(err)
			}
			var tm []tokens.Message
			for i, m := range u.Messages {
				tm = append(tm, tokens.Message{Role: tokens.Role(m.Role), Tokens: u.Tokens[i]})
			}
			w, err := tt.budget.Fit(tm)
			if err != nil || w != u.Window {
				t.Fatalf("TokenUsage window %+v, Fit %+v (%v)", u.Window, w, err)
			}
			var kept []string
			for i, m := range u.Messages {
				if u.Window.Keeps(i, tokens.Role(m.Role)) {
					kept = append(kept, m.Content)
				}
			}
			if !slices.Equal(kept, tt.want) {
				t.Fatalf("TokenUsage keeps %q, want %q", kept, tt.want)
			}
		})
	}
}

func TestTokenUsage(t *testing.T) {
	c, _ := budgetChat(t, chat.TokenCounter(&wordCounter{}), chat.Messages(sysMsg(nWords(2)), userMsg(nWords(3)), botMsg(nWords(7)), userMsg(nWords(1))))
	u, err := c.TokenUsage(tokens.Budget{Max: 10, PerReply: 1})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{2, 3, 7, 1}; !slices.Equal(u.Tokens, want) {
		t.Errorf("Tokens = %v, want %v", u.Tokens, want)
	}
	if want := (tokens.Window{Start: 3, Dropped: 2, Used: 4, Limit: 10}); u.Window != want {
		t.Errorf("Window = %+v, want %+v", u.Window, want)
	}
	if len(u.Messages) != 4 || u.Messages[2].Content != nWords(7) {
		t.Errorf("Messages = %s", fmtMsgs(u.Messages))
	}
	// Over budget: the counts are still there.
	u, err = c.TokenUsage(tokens.Budget{Max: 1})
	if !errors.Is(err, tokens.ErrSystemTooLarge) || len(u.Tokens) != 4 {
		t.Fatalf("over budget: %v, %v", err, u.Tokens)
	}
}

// TestNoRecount adds messages one at a time through the chat (appends,
// submits with a handler, streamed replies) and asks for the window after
// each: every message is counted exactly once, also by TokenUsage and by
// concurrent callers; after a clear, only the new messages are counted.
func TestNoRecount(t *testing.T) {
	counter := &wordCounter{}
	budget := tokens.Budget{Max: 60, Reserve: 10, PerMessage: 1}
	var c *chat.Chat
	base := newApp(t, func(s *sheen.Session) {
		c = chat.New(s, "chat", chat.TokenCounter(counter), chat.Messages(sysMsg(nWords(3))))
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			_, err := c.AppendMessageStream(ctx, chat.FromStrings("reply ", "to ", in.Text)).Wait(ctx)
			return err
		})
	})
	p := open(t, base)
	p.Next("reset")
	ctx := context.Background()
	added := 1
	check := func() {
		t.Helper()
		var wg sync.WaitGroup
		for range 4 { // concurrent callers see the same window and count nothing twice
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := c.MessagesWithin(budget); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		got, err := c.MessagesWithin(budget)
		if err != nil {
			t.Fatal(err)
		}
		if got[0].Role != chat.System {
			t.Fatalf("the system prompt was dropped: %s", fmtMsgs(got))
		}
		if all := c.Messages(); got[len(got)-1].ID != all[len(all)-1].ID {
			t.Fatalf("the window does not end with the newest message")
		}
		if _, err := c.TokenUsage(budget); err != nil {
			t.Fatal(err)
		}
		if n := counter.calls.Load(); n != int64(added) {
			t.Fatalf("%d messages, counted %d times", added, n)
		}
	}
	check()
	for i := range 40 {
		if i%4 == 3 {
			p.Submit(fmt.Sprintf("question %d", i))
			p.Idle()
			added += 2 // the question and the streamed reply
		} else {
			// From reactive code, so that the append is done when the next
			// submit comes (a queued append would still hold the chat busy,
			// and the submit would be ignored, as the page's would be).
			c.Session().Graph().Do(func() {
				if err := c.AppendMessage(ctx, botMsg(fmt.Sprintf("note %d %s", i, nWords(i%7)))); err != nil {
					t.Error(err)
				}
			})
			added++
		}
		check()
	}
	if n := len(c.Messages()); n != added {
		t.Fatalf("transcript has %d messages, want %d", n, added)
	}

	c.ClearMessages(chat.DropGreeting)
	if got, err := c.MessagesWithin(budget); err != nil || len(got) != 0 {
		t.Fatalf("after a clear: %s, %v", fmtMsgs(got), err)
	}
	before := counter.calls.Load()
	if err := c.AppendMessage(ctx, sysMsg(nWords(3))); err != nil {
		t.Fatal(err)
	}
	if err := c.AppendMessage(ctx, botMsg(nWords(2))); err != nil {
		t.Fatal(err)
	}
	u, err := c.TokenUsage(budget)
	if err != nil || !slices.Equal(u.Tokens, []int{3, 2}) {
		t.Fatalf("after a clear: %v, %v", u.Tokens, err)
	}
	if n := counter.calls.Load() - before; n != 2 {
		t.Fatalf("after a clear, 2 new messages counted %d times", n)
	}
}

// meterState follows the page's context meter and busy state.
type meterState struct {
	p            *pagetest.Page
	used, budget int
	busy         bool
}

// newMeterState follows the meter of page p; if the test fails, it logs
// the meter's last state.
func newMeterState(t *testing.T, p *pagetest.Page) *meterState {
	m := &meterState{p: p}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the meter was at %d/%d, busy %v", m.used, m.budget, m.busy)
		}
	})
	return m
}

// until reads the page's messages until ok holds for the state.
func (m *meterState) until(what string, ok func() bool) {
	if ok() {
		return
	}
	m.p.Wait(what, func(msg protocol.Message) bool {
		var d struct {
			Used, Budget int
			Busy         bool
		}
		_ = json.Unmarshal(msg.Data, &d)
		switch msg.Name {
		case "meter":
			m.used, m.budget = d.Used, d.Budget
		case "busy":
			m.busy = d.Busy
		}
		return ok()
	})
}

func TestTokenMeter(t *testing.T) {
	budget := tokens.Budget{Max: 40, Reserve: 10}
	var c *chat.Chat
	base := newApp(t, func(s *sheen.Session) {
		c = chat.New(s, "chat", chat.TokenCounter(&wordCounter{}), chat.TokenBudget(budget), chat.Messages(sysMsg(nWords(4))))
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			return c.AppendMessage(ctx, nWords(10))
		})
	})
	m := newMeterState(t, open(t, base))
	m.until("the first meter", func() bool { return m.budget != 0 })
	if m.used != 4 || m.budget != 30 {
		t.Fatalf("first meter %d/%d, want 4/30", m.used, m.budget)
	}
	// The meter follows the turn: the question, then the reply.
	m.p.Submit("one two three")
	m.until("the turn to start", func() bool { return m.busy })
	m.until("the meter after the turn", func() bool { return !m.busy && m.used == 17 })
	if m.budget != 30 {
		t.Fatalf("budget %d, want 30", m.budget)
	}
	// Over budget, the meter shows what the window needs: the system prompt
	// and the newest question with its reply.
	m.p.Submit(nWords(30))
	m.until("the turn to start", func() bool { return m.busy })
	m.until("the meter over budget", func() bool { return !m.busy && m.used == 4+30+10 })
	c.SetTokenBudget(tokens.Budget{Max: 1000})
	m.until("the new budget", func() bool { return m.budget == 1000 })
	if m.used != 57 {
		t.Fatalf("meter %d/%d, want 57/1000", m.used, m.budget)
	}
	c.SetTokenBudget(tokens.Budget{})
	m.until("the meter to hide", func() bool { return m.budget == 0 })
	if m.used != 0 {
		t.Fatalf("a zero budget shows %d/%d, want 0/0 (hidden)", m.used, m.budget)
	}
	c.ClearMessages(chat.DropGreeting)
	if got := c.Messages(); len(got) != 0 {
		t.Fatalf("cleared transcript: %s", fmtMsgs(got))
	}
}

func TestMessagesWithinAfterSessionEnd(t *testing.T) {
	ch := make(chan *chat.Chat, 1)
	app := sheen.New(sheen.Page("chat test", chat.UI("chat")), func(s *sheen.Session) { ch <- chat.New(s, "chat") },
		sheen.WithLogger(zap.NewNop()))
	p := open(t, serve(t, app))
	c := <-ch
	p.Next("reset")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := app.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	<-c.Session().Context().Done()
	if _, err := c.MessagesWithin(tokens.Budget{Max: 10}); !errors.Is(err, context.Canceled) {
		t.Fatalf("MessagesWithin after the session ended: %v, want context.Canceled", err)
	}
	if _, err := c.TokenUsage(tokens.Budget{Max: 10}); !errors.Is(err, context.Canceled) {
		t.Fatalf("TokenUsage after the session ended: %v, want context.Canceled", err)
	}
}

// The benchmarks below need a chat without the test harness's *testing.T.

// benchChat starts an app with one chat on 127.0.0.1, connects a Go page
// that reads and drops everything, and returns the chat and the number of
// "append" messages the page has received so far.
func budgetBenchChat(b *testing.B, opts ...chat.Option) (*chat.Chat, *atomic.Int64) {
	b.Helper()
	ch := make(chan *chat.Chat, 1)
	app := sheen.New(sheen.Page("bench", chat.UI("chat")), func(s *sheen.Session) { ch <- chat.New(s, "chat", opts...) },
		sheen.WithLogger(zap.NewNop()))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: app}
	go func() { _ = srv.Serve(l) }()
	ctx := context.Background()
	ws, _, err := websocket.Dial(ctx, "ws://"+l.Addr().String()+"/_sheen/ws", nil)
	if err != nil {
		b.Fatal(err)
	}
	ws.SetReadLimit(-1)
	hello, _ := protocol.Hello{V: protocol.Version, Inputs: map[string]json.RawMessage{}}.MarshalJSON()
	if err := ws.Write(ctx, websocket.MessageText, hello); err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	appends := new(atomic.Int64)
	go func() {
		defer close(done)
		for {
			_, data, err := ws.Read(ctx)
			if err != nil {
				return
			}
			appends.Add(int64(bytes.Count(data, []byte(`"name":"append"`))))
		}
	}()
	b.Cleanup(func() {
		_ = ws.CloseNow()
		<-done
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = app.Shutdown(ctx)
		_ = srv.Shutdown(ctx)
	})
	select {
	case c := <-ch:
		return c, appends
	case <-time.After(10 * time.Second):
		b.Fatal("no session started")
	}
	return nil, nil
}

// freeCounter counts like a real tokenizer would, roughly, at no cost: the turn
// benchmark measures everything but tokenizing the new text (which
// BenchmarkCountThroughChat measures).
type freeCounter struct{ calls atomic.Int64 }

func (c *freeCounter) Count(text string) int {
	c.calls.Add(1)
	return len(text)/4 + 1
}

// BenchmarkTurn adds turns one at a time, through AppendMessage, to a chat
// whose transcript has 10,000 messages (a 1,000-token system prompt, then
// user messages of 5 to 120 tokens and assistant messages of 5 to 480), and
// asks for the window under an 8,192-token budget after each (TOK-2):
//
//   - usage: TokenUsage, the window with every count, copying nothing;
//   - messages: MessagesWithin, which also builds the slice of the window's
//     messages (about 40 here, behind the system prompt: O(window)).
//
// Reported: window-ns/turn, the mean time in that call per turn, which is all
// the budget costs (reading the transcript, counting the new message with a
// counter that costs nothing, the History, the window), and window-p50-ns its
// median (robust on a loaded machine); ns/op, the whole turn, the append to
// the transcript and its frame to the page included; recounts, messages
// counted more than once (must be 0). Run it with
// -benchtime 10000x: the transcript then grows from 10,000 to 20,000
// messages.
func BenchmarkTurn(b *testing.B) {
	budget := tokens.Budget{Max: 8192, Reserve: 1024, PerMessage: 3, PerReply: 3}
	for _, bm := range []struct {
		name   string
		window func(c *chat.Chat) (int, error)
	}{
		{"usage", func(c *chat.Chat) (int, error) {
			u, err := c.TokenUsage(budget)
			return len(u.Messages) - u.Window.Dropped, err
		}},
		{"messages", func(c *chat.Chat) (int, error) {
			msgs, err := c.MessagesWithin(budget)
			return len(msgs), err
		}},
	} {
		b.Run(bm.name, func(b *testing.B) {
			counter := &freeCounter{}
			c, _ := budgetBenchChat(b, chat.TokenCounter(counter))
			g := c.Session().Graph()
			var texts []string
			for i := range 64 {
				texts = append(texts, strings.Repeat("word ", 4+i*6)) // 5 to 400 tokens
			}
			ctx := context.Background()
			n := 0
			add := func() {
				var m chat.Message
				switch {
				case n == 0:
					m = chat.Message{Role: chat.System, Content: strings.Repeat("rule ", 800)}
				case n%2 == 1:
					m = chat.Message{Role: chat.User, Content: texts[n%16], ContentType: chat.TextType}
				default:
					m = chat.Message{Role: chat.Assistant, Content: texts[(n*7)%len(texts)], ContentType: chat.TextType}
				}
				n++
				// From reactive code an append is applied at once, in the
				// caller's turn: the transcript's own code path without the
				// queue's goroutine, which would otherwise still hold the
				// session when the window is asked for.
				g.Do(func() {
					if err := c.AppendMessage(ctx, m); err != nil {
						b.Fatal(err)
					}
				})
			}
			for n < turnHistory {
				add()
			}
			if _, err := bm.window(c); err != nil {
				b.Fatal(err)
			}
			var times []time.Duration
			kept := 0
			for b.Loop() {
				add()
				t0 := time.Now()
				k, err := bm.window(c)
				times = append(times, time.Since(t0))
				if err != nil {
					b.Fatal(err)
				}
				kept += k
			}
			recounts := counter.calls.Load() - int64(n)
			var sum time.Duration
			for _, d := range times {
				sum += d
			}
			slices.Sort(times)
			b.ReportMetric(float64(sum.Nanoseconds())/float64(b.N), "window-ns/turn")
			b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "window-p50-ns")
			b.ReportMetric(float64(kept)/float64(b.N), "msgs/window")
			b.ReportMetric(float64(recounts), "recounts")
			if recounts != 0 {
				b.Fatalf("%d messages re-counted", recounts)
			}
		})
	}
}

const turnHistory = 10_000

// BenchmarkCountThroughChat compares counting new messages through the chat
// (MessagesWithin counting a message just appended, with the default
// counter, through the chat's cache) with calling tiktoken-go on the same
// text (TOK-1 through the chat: target ratio >= 0.9). The corpus is cut into
// blocks of about 16 KB; each iteration appends every block again as a new
// message and times the chat's count of it and tiktoken-go's, alternating
// which goes first. ratio is the sum over blocks of tiktoken-go's fastest
// time over the sum of the chat's fastest. Run it with -benchtime 5x or more.
func BenchmarkCountThroughChat(b *testing.B) {
	text, err := gocorpus.Text()
	if err != nil {
		b.Skip("no corpus:", err)
	}
	var blocks []string
	for len(text) > 0 {
		n := len(text)
		if n > 16<<10 {
			if i := strings.Index(text[16<<10:], "\n\n"); i >= 0 {
				n = 16<<10 + i + 2
			}
		}
		blocks, text = append(blocks, text[:n]), text[n:]
	}
	c, _ := budgetBenchChat(b)
	raw := codec.NewO200kBase()
	budget := tokens.Budget{Max: math.MaxInt / 2}
	ctx := context.Background()
	tokens.Default().Count("warm up")
	raw.Count("warm up")
	fastest := make([][2]time.Duration, len(blocks))
	round := 0
	for b.Loop() {
		for i, block := range blocks {
			b.StopTimer()
			if err := c.AppendMessage(ctx, chat.Message{Role: chat.User, Content: block, ContentType: chat.TextType}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			for k := range 2 {
				k := (k + i + round) % 2
				t0 := time.Now()
				if k == 0 {
					if _, err := c.MessagesWithin(budget); err != nil {
						b.Fatal(err)
					}
				} else {
					_, _ = raw.Count(block)
				}
				d := time.Since(t0)
				if f := &fastest[i][k]; *f == 0 || d < *f {
					*f = d
				}
			}
		}
		round++
	}
	var sum [2]time.Duration
	for _, f := range fastest {
		sum[0] += f[0]
		sum[1] += f[1]
	}
	b.ReportMetric(sum[1].Seconds()/sum[0].Seconds(), "ratio")
	b.ReportMetric(float64(len(blocks)), "blocks")
}
