package chat_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/store"
)

// TestCutMessagesTakeTheirFiles: the bytes of a message's attachments leave
// the store with the message (delete, undo, an edit's cut), except while
// another message still refers to them (an answer kept as an alternative).
func TestCutMessagesTakeTheirFiles(t *testing.T) {
	h, st := tempHistory(t)
	opt := chat.WithHistory(h)
	var answers atomic.Int64
	base := serve(t, sheen.New(sheen.Page("files", chat.UI("chat", opt)), func(s *sheen.Session) {
		c := chat.New(s, "chat", opt)
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			n := int(answers.Add(1))
			return c.AppendMessage(ctx, chat.Message{Content: "the table", Attachments: []chat.Attachment{
				{Name: "t.csv", MIME: "text/csv", Data: []byte("a,b\n" + strings.Repeat("1,2\n", n))},
			}})
		})
	}, sheen.WithUsers(func(*http.Request) (string, error) { return "ann", nil }), sheen.WithGrace(time.Millisecond), h.PageCheck()))

	p := open(t, base)
	p.Next("history")
	ctx := context.Background()
	sync := func() {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if err := h.Sync(sctx); err != nil {
			t.Fatal(err)
		}
	}
	has := func(conv, msgID string) bool {
		t.Helper()
		_, err := st.GetFile(ctx, conv, msgID+"-a0")
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			t.Fatal(err)
		}
		return err == nil
	}
	answer := func(i int) string { return p.View().IDs()[i] }

	submit(p, "q1")
	conv := p.Next("conversation")["id"].(string)
	waitTexts(p, "the answer", "q1|the table")
	waitIdle(p)
	sync()
	first := answer(1)
	if !has(conv, first) {
		t.Fatal("the answer's file was not saved")
	}

	// Regenerate: the first answer is kept as an alternative, its file too.
	p.Send("regenerate", map[string]any{})
	waitAlts(t, p, 0, 2)
	waitIdle(p)
	sync()
	second := answer(1)
	if second == first || !has(conv, first) || !has(conv, second) {
		t.Fatalf("after regenerate: first %v, second %v", has(conv, first), has(conv, second))
	}

	// Edit the question: its answers go, and with them both files.
	p.Send("edit", map[string]any{"id": answer(0), "text": "q1 again"})
	waitTexts(p, "the edit's answer", "q1 again|the table")
	waitIdle(p)
	sync()
	third := answer(1)
	if has(conv, first) || has(conv, second) || !has(conv, third) {
		t.Fatalf("after edit: first %v, second %v, third %v", has(conv, first), has(conv, second), has(conv, third))
	}

	// Delete the answer: its file goes.
	p.Send("remove", map[string]any{"id": third})
	waitTexts(p, "the delete", "q1 again")
	sync()
	if has(conv, third) {
		t.Fatal("a deleted message's file is still in the store")
	}

	// Undo takes a question and its answer, and the answer's file.
	submit(p, "q2")
	waitTexts(p, "the second question's answer", "q1 again|q2|the table")
	waitIdle(p)
	sync()
	fourth := answer(2)
	if !has(conv, fourth) {
		t.Fatal("the fourth answer's file was not saved")
	}
	p.Send("undo", map[string]any{})
	waitTexts(p, "the undo", "q1 again")
	sync()
	if has(conv, fourth) {
		t.Fatal("an undone answer's file is still in the store")
	}
}
