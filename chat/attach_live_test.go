package chat_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/redistest"
	"github.com/sheenhq/sheen/store/redis"
)

// TestAttachmentsAcrossInstances: a question with a picture asked on A
// shows its thumbnail on B, and B's transcript carries the picture's bytes
// (loaded from the store: the live event carries only their key), so a
// model answering on B sees it.
func TestAttachmentsAcrossInstances(t *testing.T) {
	addr := redistest.Start(t)
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 50, 40))); err != nil {
		t.Fatal(err)
	}
	type inst struct {
		base  string
		h     *chat.History
		chats chan *chat.Chat
	}
	start := func() *inst {
		ctx := context.Background()
		st, err := redis.Open(ctx, addr)
		if err != nil {
			t.Fatal(err)
		}
		bus, err := redis.OpenBus(ctx, addr)
		if err != nil {
			t.Fatal(err)
		}
		in := &inst{h: chat.NewHistory(st, chat.WithBus(bus)), chats: make(chan *chat.Chat, 4)}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = in.h.Shutdown(ctx)
			_ = bus.Close()
			_ = st.Close()
		})
		opts := []chat.Option{chat.WithHistory(in.h), chat.AllowAttachments()}
		in.base = serve(t, sheen.New(sheen.Page("t", chat.UI("chat", opts...)), func(s *sheen.Session) {
			c := chat.New(s, "chat", opts...)
			c.OnUserSubmit(func(ctx context.Context, in chat.Input) error { return c.AppendMessage(ctx, "seen") })
			in.chats <- c
		}, sheen.WithLogger(zap.NewNop()), sheen.WithUsers(func(*http.Request) (string, error) { return "ann", nil }), sheen.WithGrace(time.Millisecond)))
		return in
	}
	a, b := start(), start()
	pa := open(t, a.base)
	<-a.chats
	pa.Next("history")
	pa.Send("submit", map[string]any{"text": "look", "attachments": []chat.Attachment{{Name: "p.png", MIME: "image/png", Data: img.Bytes()}}})
	id := pa.Next("conversation")["id"].(string)
	pa.Wait("the answer on A", func(m pagetestMsg) bool { return m.Name == "append" && strings.Contains(string(m.Data), "seen") })
	if err := a.h.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}

	pb := open(t, b.base)
	cb := <-b.chats
	pb.Next("history")
	pb.Send("open", map[string]any{"id": id})
	pb.Wait("the transcript on B, with the thumbnail", func(m pagetestMsg) bool {
		return m.Name == "reset" && strings.Contains(string(m.Data), "look") && strings.Contains(string(m.Data), "data:image/jpeg;base64,")
	})
	// A second question with a picture, asked on A while B shows the
	// conversation: it arrives on B live.
	pa.Send("submit", map[string]any{"text": "and this", "attachments": []chat.Attachment{{Name: "q.png", MIME: "image/png", Data: img.Bytes()}}})
	pb.Wait("the question on B", func(m pagetestMsg) bool {
		return m.Name == "append" && strings.Contains(string(m.Data), "and this") && strings.Contains(string(m.Data), "data:image/jpeg")
	})
	pb.Wait("the answer on B", func(m pagetestMsg) bool { return m.Name == "append" && strings.Contains(string(m.Data), "seen") })
	if err := b.h.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	var pics int
	for _, m := range cb.Messages() {
		for _, f := range m.Attachments {
			if !bytes.Equal(f.Data, img.Bytes()) {
				t.Errorf("B's %s has %d bytes, want the picture", f.Name, len(f.Data))
			}
			pics++
		}
	}
	if pics != 2 {
		t.Fatalf("B's transcript has %d pictures, want 2", pics)
	}
}
