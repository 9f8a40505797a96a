package tokens

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sheenhq/sheen/internal/gocorpus"
	"github.com/tiktoken-go/tokenizer/codec"
)

func benchCorpus(b *testing.B) string {
	text, err := gocorpus.Text()
	if err != nil {
		b.Skip("no corpus:", err)
	}
	return text
}

var encodings = []struct {
	name string
	raw  func() *codec.Codec
}{
	{O200kBase, codec.NewO200kBase},
	{Cl100kBase, codec.NewCl100kBase},
}

// BenchmarkCount compares the package's counter with calling tiktoken-go
// directly, on the same corpus.
func BenchmarkCount(b *testing.B) {
	text := benchCorpus(b)
	for _, enc := range encodings {
		ours := mustEncoding(b, enc.name)
		raw := enc.raw()
		for _, c := range []struct {
			name  string
			count func(string) int
		}{
			{"tokens", ours.Count},
			{"tiktoken-go", func(s string) int { n, _ := raw.Count(s); return n }},
		} {
			b.Run(enc.name+"/"+c.name, func(b *testing.B) {
				c.count("warm up")
				n := 0
				b.SetBytes(int64(len(text)))
				for b.Loop() {
					n = c.count(text)
				}
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
			})
		}
	}
}

// BenchmarkCountRatio reports the package's counting throughput relative to
// tiktoken-go's (target: >= 0.9). The two count the corpus block by block in
// turn, alternating which goes first, so that both see the same machine
// noise; ratio is the sum over blocks of tiktoken-go's fastest time over the
// sum of the package's fastest time (run it with -benchtime 5x or more: each
// iteration is one more try per block).
func BenchmarkCountRatio(b *testing.B) {
	text := benchCorpus(b)
	var blocks []string // about 16 KB each, cut after blank lines
	for len(text) > 0 {
		n := len(text)
		if n > 16<<10 {
			if i := strings.Index(text[16<<10:], "\n\n"); i >= 0 {
				n = 16<<10 + i + 2
			}
		}
		blocks, text = append(blocks, text[:n]), text[n:]
	}
	for _, enc := range encodings {
		b.Run(enc.name, func(b *testing.B) {
			raw := enc.raw()
			counters := [2]func(string) int{
				mustEncoding(b, enc.name).Count,
				func(s string) int { n, _ := raw.Count(s); return n },
			}
			counters[0]("warm up")
			fastest := make([][2]time.Duration, len(blocks))
			round := 0
			for b.Loop() {
				for i, block := range blocks {
					var n [2]int
					for k := range 2 {
						k := (k + i + round) % 2 // who goes first alternates
						t := time.Now()
						n[k] = counters[k](block)
						d := time.Since(t)
						if f := &fastest[i][k]; *f == 0 || d < *f {
							*f = d
						}
					}
					if n[0] != n[1] {
						b.Fatalf("block %d: counts differ: %d, %d", i, n[0], n[1])
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
		})
	}
}

// BenchmarkCountMessage counts one 200-byte chat message with Default.
func BenchmarkCountMessage(b *testing.B) {
	text := benchCorpus(b)[100_000:100_200]
	c := Default()
	c.Count("warm up")
	for b.Loop() {
		c.Count(text)
	}
}

// BenchmarkCountWhitespace counts a pasted run of " \n": quadratic in
// tiktoken-go, linear here.
func BenchmarkCountWhitespace(b *testing.B) {
	ours, raw := Default(), codec.NewO200kBase()
	ours.Count("warm up")
	for _, size := range []int{8 << 10, 64 << 10, 1 << 20} {
		text := strings.Repeat(" \n", size/2)
		b.Run(fmt.Sprintf("tokens/%dKB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				ours.Count(text)
			}
		})
		if size <= 64<<10 {
			b.Run(fmt.Sprintf("tiktoken-go/%dKB", size>>10), func(b *testing.B) {
				b.SetBytes(int64(size))
				for b.Loop() {
					raw.Count(text)
				}
			})
		}
	}
}

// cheapCounter counts how often it is asked; its answer costs nothing, so
// that the turn benchmarks measure everything but counting the new text.
type cheapCounter struct{ calls atomic.Int64 }

func (c *cheapCounter) Count(text string) int {
	c.calls.Add(1)
	return len(text)/4 + 1
}

const historySize = 10_000

// A chat of 10,000 messages: a system prompt, then user and assistant turns.
type benchChat struct {
	ids    []string // message ids by index
	texts  []string // a pool of message texts
	budget Budget
	rng    *rand.Rand
}

func newBenchChat() *benchChat {
	c := &benchChat{
		budget: Budget{Max: 8192, Reserve: 1024, PerMessage: 3, PerReply: 3},
		rng:    rand.New(rand.NewPCG(3, 5)),
	}
	for i := range 64 {
		c.texts = append(c.texts, strings.Repeat("word ", 4+i*6)) // 5 to 400 tokens
	}
	for i := range 2 * historySize {
		c.ids = append(c.ids, "m"+strconv.Itoa(i))
	}
	return c
}

// message returns the message at index i: its id (unique in the history, so
// reused after a Truncate), role and text.
func (c *benchChat) message(i int) (id string, role Role, text string) {
	switch {
	case i == 0:
		return c.ids[0], System, strings.Repeat("rule ", 800)
	case i%2 == 1:
		return c.ids[i], User, c.texts[c.rng.IntN(16)]
	default:
		return c.ids[i], Assistant, c.texts[c.rng.IntN(len(c.texts))]
	}
}

// BenchmarkTurn adds turns one at a time to a 10,000-message history and
// asks for the window after each (TOK-2). The history is cut back to 10,000
// messages, off the clock, whenever it reaches 20,000.
//
//   - history: History.Append + History.Window, counts given.
//   - cache+history: the same plus Cache.Count of the new message (with a
//     counter that costs nothing); reports recounts, which must be 0.
//   - fit: Budget.Fit over the whole slice every turn, counts given (O(n)).
//   - recount-all: the naive way, re-tokenizing every message with Default
//     every turn (on a 1,000-message history, to finish).
func BenchmarkTurn(b *testing.B) {
	b.Run("history", func(b *testing.B) {
		chat := newBenchChat()
		var h History
		for i := range historySize {
			_, role, text := chat.message(i)
			if err := h.Append(Message{role, len(text) / 4}); err != nil {
				b.Fatal(err)
			}
		}
		for b.Loop() {
			i := h.Len()
			_, role, text := chat.message(i)
			if err := h.Append(Message{role, len(text) / 4}); err != nil {
				b.Fatal(err)
			}
			if _, err := h.Window(chat.budget); err != nil {
				b.Fatal(err)
			}
			if h.Len() == 2*historySize {
				b.StopTimer()
				h.Truncate(historySize)
				b.StartTimer()
			}
		}
	})

	b.Run("cache+history", func(b *testing.B) {
		chat := newBenchChat()
		var counter cheapCounter
		cache := NewCache(&counter)
		var h History
		var ids []string
		add := func() {
			id, role, text := chat.message(h.Len())
			ids = append(ids, id)
			if err := h.Append(Message{role, cache.Count(id, text)}); err != nil {
				b.Fatal(err)
			}
		}
		for h.Len() < historySize {
			add()
		}
		added := int64(h.Len())
		for b.Loop() {
			add()
			added++
			if _, err := h.Window(chat.budget); err != nil {
				b.Fatal(err)
			}
			if h.Len() == 2*historySize {
				b.StopTimer()
				for _, id := range ids[historySize:] {
					cache.Forget(id)
				}
				ids = ids[:historySize]
				h.Truncate(historySize)
				b.StartTimer()
			}
		}
		recounts := counter.calls.Load() - added
		b.ReportMetric(float64(recounts), "recounts")
		if recounts != 0 {
			b.Fatalf("%d texts re-counted", recounts)
		}
	})

	b.Run("fit", func(b *testing.B) {
		chat := newBenchChat()
		var msgs []Message
		for i := range historySize {
			_, role, text := chat.message(i)
			msgs = append(msgs, Message{role, len(text) / 4})
		}
		for b.Loop() {
			_, role, text := chat.message(len(msgs))
			msgs = append(msgs, Message{role, len(text) / 4})
			if _, err := chat.budget.Fit(msgs); err != nil {
				b.Fatal(err)
			}
			if len(msgs) == 2*historySize {
				msgs = msgs[:historySize]
			}
		}
	})

	b.Run("recount-all", func(b *testing.B) {
		chat := newBenchChat()
		counter := Default()
		var texts []string
		var roles []Role
		for i := range historySize / 10 {
			_, role, text := chat.message(i % historySize)
			texts, roles = append(texts, text), append(roles, role)
		}
		msgs := make([]Message, 0, 2*len(texts))
		for b.Loop() {
			_, role, text := chat.message(len(texts) % historySize)
			texts, roles = append(texts, text), append(roles, role)
			msgs = msgs[:0]
			for i, text := range texts {
				msgs = append(msgs, Message{roles[i], counter.Count(text)})
			}
			if _, err := chat.budget.Fit(msgs); err != nil {
				b.Fatal(err)
			}
		}
	})
}
