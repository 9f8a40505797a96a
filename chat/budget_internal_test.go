package chat

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sheenhq/sheen/reactive"
	"github.com/sheenhq/sheen/tokens"
)

type freeCount struct{ calls int64 } // only counted under the token lock

func (c *freeCount) Count(text string) int {
	c.calls++
	return len(text)/4 + 1
}

// BenchmarkBudgetTurn is BenchmarkTurn (budget_test.go) without a session:
// a chat's transcript and token bookkeeping on a bare reactive graph, each
// turn appended in a turn of the graph the way appendNow does, then the
// window asked for, in a tight loop. It measures the budget's CPU cost per
// turn without the page's frames, the WebSocket and the other goroutines of
// a session: window-ns/turn (mean) and window-p50-ns of the call, and
// recounts (must be 0). Run it with -benchtime 10000x.
func BenchmarkBudgetTurn(b *testing.B) {
	budget := tokens.Budget{Max: 8192, Reserve: 1024, PerMessage: 3, PerReply: 3}
	var texts []string
	for i := range 64 {
		texts = append(texts, strings.Repeat("word ", 4+i*6))
	}
	for _, bm := range []struct {
		name   string
		window func(c *Chat) error
	}{
		{"append", nil},
		{"usage", func(c *Chat) error { _, err := c.TokenUsage(budget); return err }},
		{"messages", func(c *Chat) error { _, err := c.MessagesWithin(budget); return err }},
	} {
		b.Run(bm.name, func(b *testing.B) {
			g := reactive.NewGraph()
			counter := &freeCount{}
			c := &Chat{g: g, id: "chat"}
			c.cfg.tokens.counter = counter
			cv := newConv(nil, "", "", "chat")
			c.cv.Store(cv)
			g.Do(func() { c.ver = reactive.NewValue(g, 0) })
			n := 0
			add := func() {
				m := Message{ID: "chat-m" + strconv.Itoa(n), Role: Assistant, Content: texts[(n*7)%len(texts)]}
				switch {
				case n == 0:
					m.Role, m.Content = System, strings.Repeat("rule ", 800)
				case n%2 == 1:
					m.Role, m.Content = User, texts[n%16]
				}
				n++
				cv.mu.Lock()
				cv.msgs = append(cv.msgs, m)
				cv.mu.Unlock()
				g.Do(func() { c.ver.Set(c.ver.Peek() + 1) })
			}
			for n < 10_000 {
				add()
			}
			if bm.window != nil {
				if err := bm.window(c); err != nil {
					b.Fatal(err)
				}
			}
			var times []time.Duration
			for b.Loop() {
				add()
				if bm.window == nil {
					continue
				}
				t0 := time.Now()
				err := bm.window(c)
				times = append(times, time.Since(t0))
				if err != nil {
					b.Fatal(err)
				}
			}
			if bm.window == nil {
				return
			}
			var sum time.Duration
			for _, d := range times {
				sum += d
			}
			slices.Sort(times)
			b.ReportMetric(float64(sum.Nanoseconds())/float64(b.N), "window-ns/turn")
			b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "window-p50-ns")
			b.ReportMetric(float64(counter.calls-int64(n)), "recounts")
			if counter.calls != int64(n) {
				b.Fatalf("%d messages, %d counts", n, counter.calls)
			}
		})
	}
}
