package chat_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/pagetest"
	"github.com/sheenhq/sheen/protocol"
	"github.com/sheenhq/sheen/store"
	"github.com/sheenhq/sheen/store/sqlite"
)

// historyApp is an app whose chat keeps its conversations in a SQLite
// file. Users are who says so (set before opening a page); replies stream
// from chunks the test feeds, one response at a time.
type historyApp struct {
	t      *testing.T
	path   string
	st     *sqlite.Store
	h      *chat.History
	base   string
	user   atomic.Value // string
	chunks chan string  // what replies stream; endReply ends one
	runs   atomic.Int32 // responses started
}

func newHistoryApp(t *testing.T, path string, opts ...chat.HistoryOption) *historyApp {
	t.Helper()
	st, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	a := &historyApp{t: t, path: path, st: st, h: chat.NewHistory(st, opts...), chunks: make(chan string, 100)}
	a.user.Store("ann")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = a.h.Shutdown(ctx)
		_ = st.Close()
		close(a.chunks) // iterators of stopped replies wait for a next chunk
	})
	opt := chat.WithHistory(a.h)
	page := sheen.Page("history test", chat.UI("chat", opt))
	a.base = serve(t, sheen.New(page, func(s *sheen.Session) {
		c := chat.New(s, "chat", opt)
		c.OnFeedback(func(context.Context, chat.FeedbackEvent) error { return nil }) // ratings are kept (actions_test.go)
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			a.runs.Add(1)
			_, err := c.AppendMessageStream(ctx, func(yield func(string, error) bool) {
				for s := range a.chunks {
					if s == endReply || !yield(s, nil) {
						return
					}
				}
			}).Wait(ctx)
			if errors.Is(err, chat.ErrStopped) {
				return nil
			}
			return err
		})
	}, sheen.WithUsers(func(*http.Request) (string, error) { return a.user.Load().(string), nil }),
		sheen.WithGrace(time.Millisecond), a.h.PageCheck()))
	return a
}

// open opens a page as user.
func (a *historyApp) open(user string) *pagetest.Page {
	a.t.Helper()
	a.user.Store(user)
	p := open(a.t, a.base)
	p.Next("history")
	return p
}

// openConv opens a page as user on conversation id and returns the page
// and its "reset" message.
func (a *historyApp) openConv(user, id string) (*pagetest.Page, map[string]any) {
	a.t.Helper()
	p := a.open(user)
	p.Send("open", map[string]any{"id": id})
	reset := p.Next("reset")
	return p, reset
}

// ask submits text, streams parts as the reply, and returns the new
// conversation's id.
func ask(t *testing.T, a *historyApp, p *pagetest.Page, text string, parts ...string) string {
	t.Helper()
	p.Submit(text)
	conv := p.Next("conversation")
	for _, s := range parts {
		a.chunks <- s
	}
	return conv["id"].(string)
}

// endReply, streamed, ends the reply.
const endReply = "\x00end"

// finish ends the current reply.
func (a *historyApp) finish() { a.chunks <- endReply }

// shown returns the messages' HTML and status as the page shows them.
func shown(v *pagetest.View) []string {
	var out []string
	for _, id := range v.IDs() {
		st := v.Status(id)
		if st == "done" { // how a stream's end says "" (done)
			st = ""
		}
		out = append(out, v.Role(id)+" "+st+" "+v.HTML(id))
	}
	return out
}

func TestHistoryReloadShowsTheSameTranscript(t *testing.T) {
	a := newHistoryApp(t, filepath.Join(t.TempDir(), "chat.db"))
	p := a.open("ann")
	reply := []string{"# Title\n\nSome *markdown* with `code`.\n\n", "```go\nfunc main() {}\n```\n\n", "| a | b |\n|---|---|\n| 1 | 2 |\n"}
	id := ask(t, a, p, "hello <b>there</b>", reply...)
	a.finish()
	p.Idle()
	want := append([]string{"user  hello &lt;b&gt;there&lt;/b&gt;"}, shown(p.View())...) // a browser shows its own question as it sends it
	if len(want) != 2 {
		t.Fatalf("page shows %d messages, want 2: %v", len(want), want)
	}

	// Another page (a reload, a bookmark, another tab) of the same user.
	q, _ := a.openConv("ann", id)
	q.Next("conversation")
	if got := shown(q.View()); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("restored page shows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// And after a restart: a new History on the same file.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.h.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	b := newHistoryApp(t, a.path)
	r, _ := b.openConv("ann", id)
	r.Next("conversation")
	if got := shown(r.View()); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("page after a restart shows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestHistoryOwners(t *testing.T) {
	a := newHistoryApp(t, filepath.Join(t.TempDir(), "chat.db"))
	p := a.open("ann")
	id := ask(t, a, p, "ann's secret", "ok")
	a.finish()
	p.Idle()

	// Bob's page asks for Ann's conversation: not found, and a new chat.
	q := a.open("bob")
	q.Send("open", map[string]any{"id": id})
	if n := q.Notice(); !strings.Contains(n.Message, "not found") {
		t.Fatalf("notice %q, want not found", n.Message)
	}
	if c := q.Next("conversation"); c["id"] != "" {
		t.Fatalf("bob's page moved to %v", c["id"])
	}
	if got := q.View().IDs(); len(got) != 0 {
		t.Fatalf("bob's page shows %v", got)
	}

	// Over HTTP: 404 for another owner, a malformed id, a deleted one —
	// the same answer for all three.
	get := func(user, query string) int {
		t.Helper()
		a.user.Store(user)
		resp, err := http.Get(a.base + "/?" + query)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, tc := range []struct {
		user, query string
		want        int
	}{
		{"ann", "c=" + id, 200},
		{"bob", "c=" + id, 404},
		{"ann", "c=not-an-id", 404},
		{"ann", "c=AAAAAAAAAAAAAAAAAAAAAA", 404},
		{"ann", "", 200},
	} {
		if got := get(tc.user, tc.query); got != tc.want {
			t.Errorf("GET /?%s as %s: %d, want %d", tc.query, tc.user, got, tc.want)
		}
	}
	// Ann deletes it: then it is not found for her either.
	a.user.Store("ann")
	p.Send("delete", map[string]any{"id": id})
	p.Wait("the conversation gone from the list", func(m pagetestMsg) bool {
		return m.Name == "history" && !strings.Contains(string(m.Data), id)
	})
	if got := get("ann", "c="+id); got != 404 {
		t.Errorf("GET a deleted conversation: %d, want 404", got)
	}
}

func TestHistoryReplyOutlivesItsPage(t *testing.T) {
	a := newHistoryApp(t, filepath.Join(t.TempDir(), "chat.db"))
	p := a.open("ann")
	id := ask(t, a, p, "write a lot", "First paragraph.\n\n")
	p.Next("patch")
	p.Close() // the tab closes mid-reply; the session ends (1 ms grace)

	a.chunks <- "Second paragraph, written with nobody watching.\n\n"
	a.chunks <- "The end."
	a.finish()

	// A later page finds the reply complete (or joins it live, if the
	// stream is still being written: either way it ends complete).
	q, reset := a.openConv("ann", id)
	text := q.View().Texts()
	if live := strings.Contains(mustJSON(t, reset), `"streaming":true`); live || len(text) < 2 || !strings.Contains(text[1], "The end.") {
		q.Wait("the reply's end", func(m pagetestMsg) bool { return m.Name == "end" })
	}
	text = q.View().Texts()
	if len(text) != 2 || !strings.Contains(text[1], "nobody watching") || !strings.Contains(text[1], "The end.") {
		t.Fatalf("reopened page shows %q", text)
	}
	if got := q.View().Status(q.View().IDs()[1]); got != "" {
		t.Fatalf("reply status %q, want done", got)
	}
}

func TestHistoryTwoTabsFollowOneStream(t *testing.T) {
	a := newHistoryApp(t, filepath.Join(t.TempDir(), "chat.db"))
	p := a.open("ann")
	id := ask(t, a, p, "stream to both", "Shown before the second tab came.\n\n", "Still the open tail")
	p.Wait("the tail", func(m pagetestMsg) bool { return m.Name == "patch" && strings.Contains(string(m.Data), "open tail") })

	q, _ := a.openConv("ann", id)
	q.Next("patch") // the streaming message so far
	if got := q.View().Texts(); len(got) != 2 || !strings.Contains(got[1], "Still the open tail") {
		t.Fatalf("joining page shows %q", got)
	}
	a.chunks <- ", and more.\n\n- a list\n- of items\n"
	a.finish()
	p.Wait("the end", func(m pagetestMsg) bool { return m.Name == "end" })
	q.Wait("the end", func(m pagetestMsg) bool { return m.Name == "end" })
	// (A Go page does not show its own question: a browser adds it as it
	// sends it.)
	if a, b := shown(p.View()), shown(q.View()); a[len(a)-1] != b[len(b)-1] {
		t.Fatalf("the two pages differ:\n%s\n--\n%s", a[len(a)-1], b[len(b)-1])
	}

	// Stop from either tab: the second stops a new reply of the first (asked
	// once the first is over, as a page whose input unlocks does).
	p.Idle()
	p.Submit("again")
	q.Next("append") // the second tab sees the question
	a.chunks <- "Partial"
	p.Wait("the partial reply", func(m pagetestMsg) bool { return m.Name == "patch" && strings.Contains(string(m.Data), "Partial") })
	q.Send("stop", nil)
	for _, pg := range []*pagetest.Page{p, q} {
		end := pg.Wait("the stopped end", func(m pagetestMsg) bool { return m.Name == "end" })
		if !strings.Contains(string(end.Data), `"stopped"`) {
			t.Fatalf("end %s, want stopped", end.Data)
		}
	}
}

func TestHistoryShutdownInterruptsAndRetryCompletes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chat.db")
	a := newHistoryApp(t, path)
	p := a.open("ann")
	id := ask(t, a, p, "a long answer please", "The beginning.\n\n", "More text that is saved as it streams.\n\n")
	p.Wait("the second block", func(m pagetestMsg) bool {
		return m.Name == "patch" && strings.Contains(string(m.Data), "saved as it streams")
	})

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := a.h.Shutdown(ctx); err != nil { // the stream never ends by itself: it is cut
		t.Fatal(err)
	}
	end := p.Wait("the interrupted end", func(m pagetestMsg) bool { return m.Name == "end" })
	if !strings.Contains(string(end.Data), `"interrupted"`) {
		t.Fatalf("end %s, want interrupted", end.Data)
	}

	b := newHistoryApp(t, path)
	q, _ := b.openConv("ann", id)
	ids := q.View().IDs()
	if len(ids) != 2 || q.View().Status(ids[1]) != "interrupted" || !strings.Contains(q.View().Text(ids[1]), "The beginning.") {
		t.Fatalf("after restart the page shows %q (status %q)", q.View().Texts(), q.View().Status(ids[len(ids)-1]))
	}
	q.Send("retry", map[string]any{"id": ids[1]})
	b.chunks <- "A complete answer."
	b.finish()
	q.Wait("the retried reply's end", func(m pagetestMsg) bool { return m.Name == "end" && strings.Contains(string(m.Data), `"done"`) })
	if got := q.View().Texts(); !strings.Contains(got[len(got)-1], "A complete answer.") {
		t.Fatalf("after retry: %q", got)
	}
}

// failing wraps a store whose writes fail while fail is set: a disk that
// is full, a file gone read-only, a database that does not answer.
type failing struct {
	store.Store
	fail   atomic.Bool
	mu     sync.Mutex
	failed int
}

var errDiskFull = errors.New("disk full (injected)")

func (f *failing) check() error {
	if f.fail.Load() {
		f.mu.Lock()
		f.failed++
		f.mu.Unlock()
		return errDiskFull
	}
	return nil
}

func (f *failing) Create(ctx context.Context, c store.Conversation) error {
	if err := f.check(); err != nil {
		return err
	}
	return f.Store.Create(ctx, c)
}

func (f *failing) Append(ctx context.Context, id string, m store.Message) error {
	if err := f.check(); err != nil {
		return err
	}
	return f.Store.Append(ctx, id, m)
}

func (f *failing) AppendText(ctx context.Context, id, msgID, text string) error {
	if err := f.check(); err != nil {
		return err
	}
	return f.Store.AppendText(ctx, id, msgID, text)
}

func (f *failing) Update(ctx context.Context, id string, m store.Message) error {
	if err := f.check(); err != nil {
		return err
	}
	return f.Store.Update(ctx, id, m)
}

func TestHistoryStoreFailsThenCatchesUp(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chat.db")
	st, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	f := &failing{Store: st}
	f.fail.Store(true)
	h := chat.NewHistory(f)
	opt := chat.WithHistory(h)
	base := serve(t, sheen.New(sheen.Page("t", chat.UI("chat", opt)), func(s *sheen.Session) {
		c := chat.New(s, "chat", opt)
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			return c.AppendMessage(ctx, "echo: "+in.Text)
		})
	}, sheen.WithUsers(func(*http.Request) (string, error) { return "ann", nil })))
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = h.Shutdown(ctx)
	}()
	p := open(t, base)
	p.Submit("saved later")
	// The reply, the conversation's URL and the warning come in any order.
	var id string
	seen := map[string]bool{}
	p.Wait("the reply, the URL and the warning", func(m pagetestMsg) bool {
		var d map[string]any
		_ = json.Unmarshal(m.Data, &d)
		switch m.Name {
		case "conversation":
			id, _ = d["id"].(string)
		case "storage":
			if d["ok"] != false || !strings.Contains(d["message"].(string), "not being saved") {
				t.Fatalf("storage message %s", m.Data)
			}
		}
		seen[m.Name] = true
		return seen["conversation"] && seen["storage"] && seen["append"]
	})
	if got := p.View().Texts(); len(got) != 1 || got[0] != "echo: saved later" {
		t.Fatalf("the chat did not go on in memory: %q", got)
	}
	f.fail.Store(false) // the disk has room again
	if back := p.Next("storage"); back["ok"] != true {
		t.Fatalf("storage message %v", back)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	_, msgs, err := st.Get(ctx, "ann", id)
	if err != nil || len(msgs) != 2 || msgs[1].Content != "echo: saved later" {
		t.Fatalf("after catching up the store has %v, %v", msgs, err)
	}
}

type pagetestMsg = protocol.Message

// TestHistoryRenderingKept: a saved message's HTML is shown as saved while
// the renderer's fingerprint matches, and rendered again when it does not
// (a sheen upgrade that renders differently never shows stale HTML).
func TestHistoryRenderingKept(t *testing.T) {
	a := newHistoryApp(t, filepath.Join(t.TempDir(), "chat.db"))
	ctx := context.Background()
	id := "BBBBBBBBBBBBBBBBBBBBBB"
	if err := a.st.Create(ctx, store.Conversation{ID: id, Owner: "ann", Title: "t"}); err != nil {
		t.Fatal(err)
	}
	saved := chat.SavedForm(chat.Message{ID: "chat-m1", Role: chat.Assistant, Content: "**bold**", ContentType: chat.Markdown})
	var md map[string]any
	if err := json.Unmarshal(saved.Meta, &md); err != nil || md["html"] != "<p><strong>bold</strong></p>\n" || md["renderer"] == "" {
		t.Fatalf("saved meta %s (%v)", saved.Meta, err)
	}
	for i, tc := range []struct{ renderer, want string }{
		{md["renderer"].(string), "<p>as saved</p>"},  // the same renderer: kept
		{"another", "<p><strong>bold</strong></p>\n"}, // another: rendered again
	} {
		md["html"], md["renderer"] = "<p>as saved</p>", tc.renderer
		m := saved
		m.ID = fmt.Sprintf("chat-m%d", i+1)
		m.Meta, _ = json.Marshal(md)
		if err := a.st.Append(ctx, id, m); err != nil {
			t.Fatal(err)
		}
	}
	p, _ := a.openConv("ann", id)
	v := p.View()
	if got := []string{v.HTML("chat-m1"), v.HTML("chat-m2")}; got[0] != "<p>as saved</p>" || got[1] != "<p><strong>bold</strong></p>\n" {
		t.Fatalf("shown %q", got)
	}
}

// TestHistoryReplyLimit: a reply that runs past the history's limit is
// stopped and saved as stopped.
func TestHistoryReplyLimit(t *testing.T) {
	a := newHistoryApp(t, filepath.Join(t.TempDir(), "chat.db"), chat.ReplyLimit(200*time.Millisecond))
	p := a.open("ann")
	id := ask(t, a, p, "never ending", "The start")
	end := p.Wait("the stopped end", func(m pagetestMsg) bool { return m.Name == "end" })
	if !strings.Contains(string(end.Data), `"stopped"`) {
		t.Fatalf("end %s, want stopped", end.Data)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.h.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	_, msgs, err := a.st.Get(ctx, "ann", id)
	if err != nil || len(msgs) != 2 || msgs[1].Status != string(chat.Stopped) || msgs[1].Content != "The start" {
		t.Fatalf("saved %+v, %v", msgs, err)
	}
}

// TestHistorySubmitWhileLoading: a question sent right after the page
// loaded, before its conversation (the URL's) has loaded, goes to that
// conversation, not to a new one.
func TestHistorySubmitWhileLoading(t *testing.T) {
	a := newHistoryApp(t, filepath.Join(t.TempDir(), "chat.db"))
	p := a.open("ann")
	id := ask(t, a, p, "first", "answer one")
	a.finish()
	p.Idle()

	q := open(t, a.base) // a reload of the conversation's URL: ready names it
	q.Send("ready", map[string]any{"c": id})
	q.View().ShowOwn() // as a browser: the page shows its question, which the server's "own" confirms
	q.Submit("second")
	q.Wait("the question shown", func(m pagetestMsg) bool {
		return (m.Name == "append" || m.Name == "own") && strings.Contains(string(m.Data), "second")
	})
	a.chunks <- "answer two"
	a.finish()
	q.Wait("the answer", func(m pagetestMsg) bool { return m.Name == "end" })
	if got := q.View().Texts(); len(got) != 4 || got[2] != "second" || got[3] != "answer two" {
		t.Fatalf("the page shows %q", got)
	}
}
