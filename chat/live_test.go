package chat_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/pagetest"
	"github.com/sheenhq/sheen/internal/redistest"
	"github.com/sheenhq/sheen/store/redis"
)

// instance is one instance of an app whose conversations are in Redis and
// shared through its live log; replies stream what the test feeds.
type instance struct {
	h      *chat.History
	base   string
	chunks chan string
}

func newInstance(t testing.TB, addr string) *instance {
	t.Helper()
	ctx := context.Background()
	st, err := redis.Open(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	bus, err := redis.OpenBus(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	in := &instance{h: chat.NewHistory(st, chat.WithBus(bus)), chunks: make(chan string, 100)}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = in.h.Shutdown(ctx)
		_ = bus.Close()
		_ = st.Close()
		close(in.chunks)
	})
	opt := chat.WithHistory(in.h)
	in.base = serve(t, sheen.New(sheen.Page("live test", chat.UI("chat", opt)), func(s *sheen.Session) {
		c := chat.New(s, "chat", opt)
		c.OnUserSubmit(func(ctx context.Context, _ chat.Input) error {
			_, err := c.AppendMessageStream(ctx, func(yield func(string, error) bool) {
				for s := range in.chunks {
					if s == endReply || !yield(s, nil) {
						return
					}
				}
			}).Wait(ctx)
			return err
		})
	}, sheen.WithLogger(zap.NewNop()), sheen.WithUsers(func(*http.Request) (string, error) { return "ann", nil }), sheen.WithGrace(time.Millisecond)))
	return in
}

// synced waits until h has saved every change made so far. A page learns a
// new conversation's id as soon as its creation is queued; another instance
// that opens the id before the write lands answers "not found" (which under
// a loaded machine made tests that open it there at once fail now and then).
func synced(t testing.TB, h *chat.History) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := h.Sync(ctx); err != nil {
		t.Fatalf("history not saved: %v", err)
	}
}

func (in *instance) open(t testing.TB, id string) *pagetest.Page {
	t.Helper()
	p := open(t, in.base)
	p.Next("history")
	if id != "" {
		p.Send("open", map[string]any{"id": id})
		p.Next("reset")
	}
	return p
}

// TestLiveAcrossInstances: two instances share conversations through Redis.
// A page on B opens a conversation while A streams its reply: it shows the
// reply so far and follows it live to the end, with the same HTML as A's
// page; B's stop button stops a reply that A runs; a question asked on B is
// answered on B and shown live on A.
func TestLiveAcrossInstances(t *testing.T) {
	addr := redistest.Start(t)
	a, b := newInstance(t, addr), newInstance(t, addr)

	pa := a.open(t, "")
	pa.Submit("question on A")
	id := pa.Next("conversation")["id"].(string)
	a.chunks <- "# Streamed on A\n\nThe first paragraph.\n\n"
	a.chunks <- "An open tail"
	pa.Wait("the tail on A", func(m pagetestMsg) bool { return m.Name == "patch" && strings.Contains(string(m.Data), "open tail") })
	synced(t, a.h)

	pb := b.open(t, id)
	pb.Wait("the reply so far on B", func(m pagetestMsg) bool {
		return m.Name == "patch" && strings.Contains(pb.View().Text(pb.View().IDs()[len(pb.View().IDs())-1]), "open tail")
	})
	if got := pb.View().Texts(); len(got) != 2 || got[0] != "question on A" {
		t.Fatalf("B shows %q", got)
	}
	a.chunks <- ", and more of it.\n\n```go\nfunc main() {}\n```\n"
	a.chunks <- endReply
	pa.Wait("the end on A", func(m pagetestMsg) bool { return m.Name == "end" })
	pb.Wait("the end on B", func(m pagetestMsg) bool { return m.Name == "end" })
	sa, sb := shown(pa.View()), shown(pb.View())
	if sa[len(sa)-1] != sb[len(sb)-1] {
		t.Fatalf("the reply differs:\nA %s\nB %s", sa[len(sa)-1], sb[len(sb)-1])
	}
	pb.Wait("B idle", func(m pagetestMsg) bool { return m.Name == "busy" && strings.Contains(string(m.Data), "false") })

	// B stops a reply A runs.
	pa.Submit("again on A")
	pb.Wait("the question on B", func(m pagetestMsg) bool { return m.Name == "append" && strings.Contains(string(m.Data), "again on A") })
	a.chunks <- "Partial"
	pb.Wait("the partial reply on B", func(m pagetestMsg) bool { return m.Name == "patch" && strings.Contains(string(m.Data), "Partial") })
	pb.Send("stop", nil)
	for _, p := range []*pagetest.Page{pa, pb} {
		end := p.Wait("the stopped end", func(m pagetestMsg) bool { return m.Name == "end" })
		if !strings.Contains(string(end.Data), `"stopped"`) {
			t.Fatalf("end %s, want stopped", end.Data)
		}
	}

	// A question on B, answered on B, shown live on A.
	pa.Wait("A idle", func(m pagetestMsg) bool { return m.Name == "busy" && strings.Contains(string(m.Data), "false") })
	pb.Wait("B idle", func(m pagetestMsg) bool { return m.Name == "busy" && strings.Contains(string(m.Data), "false") })
	pb.Submit("question on B")
	pa.Wait("the question on A", func(m pagetestMsg) bool {
		return m.Name == "append" && strings.Contains(string(m.Data), "question on B")
	})
	b.chunks <- "Answered by B."
	b.chunks <- endReply
	pa.Wait("B's answer on A", func(m pagetestMsg) bool { return m.Name == "end" })
	if got := pa.View().Texts(); !strings.Contains(got[len(got)-1], "Answered by B.") {
		t.Fatalf("A shows %q", got)
	}
}

// TestLiveAfterInstanceShutdown: a reply runs on b, which shuts down (it
// drains: the reply finishes first); the conversation then goes on at a,
// which answers the next question.
func TestLiveAfterInstanceShutdown(t *testing.T) {
	addr := redistest.Start(t)
	a, b := newInstance(t, addr), newInstance(t, addr)
	pb := b.open(t, "")
	pb.Submit("question on b")
	id := pb.Next("conversation")["id"].(string)
	synced(t, b.h)
	pa := a.open(t, id) // a follows the conversation too, as a page there would
	b.chunks <- "The answer from b."
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		done <- b.h.Shutdown(ctx)
	}()
	b.chunks <- endReply
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	pa.Wait("b's answer on a", func(m pagetestMsg) bool { return m.Name == "end" && strings.Contains(string(m.Data), `"done"`) })
	pa.Wait("a idle", func(m pagetestMsg) bool { return m.Name == "busy" && strings.Contains(string(m.Data), "false") })

	qa := a.open(t, id) // the page that was on b, loaded again on a
	qa.Submit("question on a")
	a.chunks <- "The answer from a."
	a.chunks <- endReply
	qa.Wait("a's answer", func(m pagetestMsg) bool { return m.Name == "end" && strings.Contains(string(m.Data), `"done"`) })
	if got := qa.View().Texts(); len(got) != 3 || !strings.Contains(got[2], "The answer from a.") {
		t.Fatalf("a shows %q", got)
	}

	// A new instance (b restarted) loads it from the store and the log,
	// and answers on it.
	c := newInstance(t, addr)
	pc := c.open(t, id)
	pc.Submit("question on the new instance")
	c.chunks <- "The answer from the new one."
	c.chunks <- endReply
	pc.Wait("its answer", func(m pagetestMsg) bool { return m.Name == "end" && strings.Contains(string(m.Data), `"done"`) })
	// (The page shows its own question only if it was asked while the
	// conversation still loaded: the server then shows it.)
	if got := pc.View().Texts(); len(got) < 5 || !strings.Contains(got[len(got)-1], "The answer from the new one.") {
		t.Fatalf("the new instance shows %q", got)
	}
}
