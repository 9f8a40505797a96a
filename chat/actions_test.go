package chat_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/pagetest"
	"github.com/sheenhq/sheen/internal/redistest"
)

// texts is the view's messages' texts joined by "|".
func texts(v *pagetest.View) string { return strings.Join(v.Texts(), "|") }

// waitTexts waits until p's view shows want.
func waitTexts(p *pagetest.Page, what, want string) {
	p.Wait(what, func(pagetestMsg) bool { return texts(p.View()) == want })
}

// waitIdle waits for p's "busy false".
func waitIdle(p *pagetest.Page) {
	p.Wait("idle", func(m pagetestMsg) bool { return m.Name == "busy" && strings.Contains(string(m.Data), "false") })
}

// wireField returns field of the last "replace", "append", "own" or "reset"
// for message id, decoded.
func wireField(p *pagetest.Page, id, field string) any {
	var got any
	for _, m := range p.Received() {
		var d struct {
			Message  map[string]any   `json:"message"`
			Messages []map[string]any `json:"messages"`
		}
		_ = json.Unmarshal(m.Data, &d)
		for _, w := range append(d.Messages, d.Message) {
			if w != nil && w["id"] == id {
				got = w[field]
			}
		}
	}
	return got
}

// submit sends text as the page's question, which its view shows (as the
// browser's does).
func submit(p *pagetest.Page, text string) {
	p.View().ShowOwn()
	p.Submit(text)
}

// waitAlts waits until p has received, for its message i, alternatives
// counting n.
func waitAlts(t *testing.T, p *pagetest.Page, i int, n float64) {
	t.Helper()
	id := p.View().IDs()[i]
	deadline := time.Now().Add(10 * time.Second)
	for {
		if alts, ok := wireField(p, id, "alts").([]any); ok && len(alts) == 2 && alts[1] == n {
			return
		}
		if time.Now().After(deadline) {
			for _, m := range p.Received() {
				t.Logf("received %s %s", m.Name, m.Data)
			}
			t.Fatalf("message %d (%s) has no %v alternatives", i, id, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestActionsSaved: regenerate, feedback, delete, undo and the choice of an
// answer are saved: a restarted server shows the conversation as it was
// left, with its alternatives and ratings.
func TestActionsSaved(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chat.db")
	a := newHistoryApp(t, path)
	p := a.open("ann")
	submit(p, "q1")
	id := p.Next("conversation")["id"].(string)
	a.chunks <- "a1"
	a.finish()
	waitIdle(p)
	p.Send("regenerate", map[string]any{})
	a.chunks <- "a2"
	a.finish()
	waitTexts(p, "the new answer", "q1|a2")
	waitIdle(p)
	ids := p.View().IDs()
	p.Send("feedback", map[string]any{"id": ids[1], "rating": "down", "comment": "meh"})
	p.Wait("the rating", func(m pagetestMsg) bool { return m.Name == "replace" && strings.Contains(string(m.Data), `"meh"`) })
	submit(p, "q2")
	a.chunks <- "b1"
	a.finish()
	waitTexts(p, "the second answer", "q1|a2|q2|b1")
	waitIdle(p)
	p.Send("remove", map[string]any{"id": p.View().IDs()[3]})
	waitTexts(p, "the delete", "q1|a2|q2")
	p.Send("undo", map[string]any{})
	waitTexts(p, "the undo", "q1|a2")
	in := p.Wait("the undone text back in the input", func(m pagetestMsg) bool { return m.Name == "input" })
	if !strings.Contains(string(in.Data), `"q2"`) {
		t.Errorf("input %s", in.Data)
	}

	restart := func() *historyApp {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := a.h.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
		_ = a.st.Close()
		return newHistoryApp(t, path)
	}
	a = restart()
	q, _ := a.openConv("ann", id)
	if got := texts(q.View()); got != "q1|a2" {
		t.Fatalf("restored %q", got)
	}
	ids = q.View().IDs()
	if alts := wireField(q, ids[0], "alts"); alts == nil || alts.([]any)[0] != 2.0 || alts.([]any)[1] != 2.0 {
		t.Errorf("alts of the question = %v, want [2 2]", alts)
	}
	if fb, c := wireField(q, ids[1], "feedback"), wireField(q, ids[1], "comment"); fb != "down" || c != "meh" {
		t.Errorf("feedback = %v %v", fb, c)
	}
	q.Send("alt", map[string]any{"id": ids[0], "index": 0})
	waitTexts(q, "the first answer again", "q1|a1")

	a = restart()
	r, _ := a.openConv("ann", id)
	if got := texts(r.View()); got != "q1|a1" {
		t.Fatalf("restored after the choice %q", got)
	}
	if alts := wireField(r, r.View().IDs()[0], "alts"); alts == nil || alts.([]any)[0] != 1.0 {
		t.Errorf("alts = %v, want [1 2]", alts)
	}
	// Edit cuts after the question and answers the new text.
	r.Send("edit", map[string]any{"id": r.View().IDs()[0], "text": "q1 again"})
	a.chunks <- "c1"
	a.finish()
	waitTexts(r, "the edit", "q1 again|c1")
	waitIdle(r)
	a = restart()
	s, _ := a.openConv("ann", id)
	if got := texts(s.View()); got != "q1 again|c1" {
		t.Fatalf("restored after the edit %q", got)
	}
	if alts := wireField(s, s.View().IDs()[0], "alts"); alts != nil {
		t.Errorf("an edited question kept its answers: %v", alts)
	}
}

// TestActionsAcrossInstances: what an action changes reaches a page of the
// same conversation on another instance.
func TestActionsAcrossInstances(t *testing.T) {
	addr := redistest.Start(t)
	a, b := newInstance(t, addr), newInstance(t, addr)
	pa := a.open(t, "")
	submit(pa, "question")
	id := pa.Next("conversation")["id"].(string)
	a.chunks <- "first answer"
	a.chunks <- endReply
	waitIdle(pa)
	synced(t, a.h)
	pb := b.open(t, id)
	waitTexts(pb, "the conversation on b", "question|first answer")

	// Regenerated on a: b shows the new answer and the pager.
	pa.Send("regenerate", map[string]any{})
	a.chunks <- "second answer"
	a.chunks <- endReply
	waitTexts(pb, "the new answer on b", "question|second answer")
	waitAlts(t, pb, 0, 2)
	waitIdle(pa)
	waitIdle(pb)

	// Paged back on b: a shows the first answer.
	pb.Send("alt", map[string]any{"id": pb.View().IDs()[0], "index": 0})
	waitTexts(pa, "the first answer again on a", "question|first answer")
	waitTexts(pb, "the first answer again on b", "question|first answer")

	// Deleted on b, gone on a; edited on a, answered on a, shown on b.
	pb.Send("remove", map[string]any{"id": pb.View().IDs()[1]})
	waitTexts(pa, "the delete on a", "question")
	waitTexts(pb, "the delete on b", "question")
	pa.Send("edit", map[string]any{"id": pa.View().IDs()[0], "text": "better question"})
	a.chunks <- "better answer"
	a.chunks <- endReply
	waitTexts(pb, "the edit on b", "better question|better answer")
	waitIdle(pa)
	waitIdle(pb)

	// Regenerate on a while b streams the reply: b's reply stops first (it
	// is kept as an alternative), then a answers again.
	submit(pb, "asked on b")
	b.chunks <- "Partial on b"
	pa.Wait("b's reply on a", func(m pagetestMsg) bool { return m.Name == "patch" && strings.Contains(string(m.Data), "Partial on b") })
	pa.Send("regenerate", map[string]any{})
	pa.Wait("the stopped reply's end", func(m pagetestMsg) bool { return m.Name == "end" && strings.Contains(string(m.Data), `"stopped"`) })
	a.chunks <- "Answered again on a"
	a.chunks <- endReply
	waitTexts(pb, "the new answer on b", "better question|better answer|asked on b|Answered again on a")
	waitAlts(t, pb, 2, 2)
}

// TestActionsKeepHandedOutSlices: a slice Messages returned before a cut
// or an edit does not change, whatever comes after (a tail cut followed by
// an append, a deletion in the middle, a rating).
func TestActionsKeepHandedOutSlices(t *testing.T) {
	chats := make(chan *chat.Chat, 1)
	base := newApp(t, func(s *sheen.Session) {
		c := chat.New(s, "chat")
		c.OnFeedback(func(context.Context, chat.FeedbackEvent) error { return nil })
		chats <- c
	})
	p := open(t, base)
	p.Next("reset")
	c := <-chats
	ctx := context.Background()
	for _, s := range []string{"a", "b", "c", "d"} {
		if err := c.AppendMessage(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name   string
		change func(ms []chat.Message)
		want   string // the transcript after the change
	}{
		{"a tail cut, then an append", func(ms []chat.Message) {
			c.DeleteMessage(ms[len(ms)-1].ID)
			_ = c.AppendMessage(ctx, "e")
		}, "a|b|c|e"},
		{"a deletion in the middle", func(ms []chat.Message) { c.DeleteMessage(ms[1].ID) }, "a|c|e"},
		{"an edit in place", func(ms []chat.Message) {
			p.Send("feedback", map[string]any{"id": ms[0].ID, "rating": "up"})
			p.Wait("the rating", func(m pagetestMsg) bool { return m.Name == "replace" })
		}, "a|c|e"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := c.Messages()
			was := contents(before)
			tt.change(before)
			if got := contents(before); got != was {
				t.Errorf("the slice handed out changed: %s, was %s", got, was)
			}
			if got := contents(c.Messages()); got != tt.want {
				t.Errorf("Messages = %s, want %s", got, tt.want)
			}
		})
	}
	if fb := c.Messages()[0].Feedback; fb.Rating != chat.ThumbsUp {
		t.Errorf("feedback %+v", fb)
	}
}
