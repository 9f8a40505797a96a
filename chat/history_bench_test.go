package chat_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/pagetest"
	"github.com/sheenhq/sheen/store"
	"github.com/sheenhq/sheen/store/sqlite"
)

// BenchmarkHistoryRestore1000 opens a saved conversation of 1,000 messages
// (alternating questions and markdown answers of about 400 bytes, with
// lists and code) that is not in memory: from the page's "open" event to
// the "reset" frame that carries the whole transcript, as a Go page on
// 127.0.0.1 receives it (so an upper bound of the server's time to the
// first frame). Each op uses a new History on the same SQLite file, so the
// conversation is read from the store every time.
func BenchmarkHistoryRestore1000(b *testing.B) {
	st, err := sqlite.Open(filepath.Join(b.TempDir(), "chat.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	id := "AAAAAAAAAAAAAAAAAAAAAA" // a valid conversation id
	if err := st.Create(ctx, store.Conversation{ID: id, Owner: "ann", Title: "long"}); err != nil {
		b.Fatal(err)
	}
	answer := "Here is **one** answer, with a list:\n\n- first item\n- second item with `code`\n\n```go\nfunc f() int { return 42 }\n```\n\nAnd a closing paragraph that says a little more about it.\n"
	for i := range 1000 {
		m := chat.Message{ID: fmt.Sprintf("chat-m%d", i+1), Role: chat.Assistant, Content: answer, ContentType: chat.Markdown}
		if i%2 == 0 {
			m.Role, m.Content, m.ContentType = chat.User, fmt.Sprintf("Question number %d: how does this work?", i), chat.TextType
		}
		if err := st.Append(ctx, id, chat.SavedForm(m)); err != nil {
			b.Fatal(err)
		}
	}
	var times []float64
	for b.Loop() {
		b.StopTimer()
		h := chat.NewHistory(st)
		opt := chat.WithHistory(h)
		base := serveBench(b, sheen.New(sheen.Page("t", chat.UI("chat", opt)), func(s *sheen.Session) {
			chat.New(s, "chat", opt)
		}, sheen.WithLogger(zap.NewNop()), sheen.WithUsers(func(*http.Request) (string, error) { return "ann", nil })))
		p := pagetest.Open(b, base, "chat")
		p.Next("history")
		b.StartTimer()
		t0 := time.Now()
		p.Send("open", map[string]any{"id": id})
		reset := p.Next("reset")
		times = append(times, float64(time.Since(t0).Microseconds())/1000)
		b.StopTimer()
		if n := len(reset["messages"].([]any)); n != 1000 {
			b.Fatalf("restored %d messages", n)
		}
		p.Close()
		_ = h.Shutdown(ctx)
		b.StartTimer()
	}
	slices.Sort(times)
	b.ReportMetric(times[len(times)/2], "p50-ms")
	b.ReportMetric(times[len(times)*99/100], "p99-ms")
}

// BenchmarkHistoryList10000 is the history sidebar's first page for a user
// with 10,000 conversations: from the page's "ready" to the "history"
// message, as a Go page on 127.0.0.1 receives it.
func BenchmarkHistoryList10000(b *testing.B) {
	st, err := sqlite.Open(filepath.Join(b.TempDir(), "chat.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	t0 := time.Now().Add(-time.Hour)
	for i := range 10000 {
		at := t0.Add(time.Duration(i) * time.Millisecond)
		c := store.Conversation{ID: fmt.Sprintf("c%021d", i), Owner: "ann", Title: strings.Repeat("t", 40), Created: at, Updated: at}
		if err := st.Create(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
	h := chat.NewHistory(st)
	defer h.Shutdown(ctx)
	opt := chat.WithHistory(h)
	base := serveBench(b, sheen.New(sheen.Page("t", chat.UI("chat", opt)), func(s *sheen.Session) {
		chat.New(s, "chat", opt)
	}, sheen.WithLogger(zap.NewNop()), sheen.WithUsers(func(*http.Request) (string, error) { return "ann", nil })))
	p := pagetest.Open(b, base, "chat")
	p.Next("history")
	var times []float64
	for b.Loop() {
		t := time.Now()
		p.Send("ready", map[string]any{"c": ""})
		list := p.Next("history")
		times = append(times, float64(time.Since(t).Microseconds())/1000)
		if n := len(list["items"].([]any)); n != 30 {
			b.Fatalf("first page of %d", n)
		}
	}
	slices.Sort(times)
	b.ReportMetric(times[len(times)/2], "p50-ms")
	b.ReportMetric(times[len(times)*99/100], "p99-ms")
}

// serveBench serves app on 127.0.0.1 until the benchmark ends.
func serveBench(b *testing.B, app *sheen.App) string {
	b.Helper()
	return serve(b, app)
}
