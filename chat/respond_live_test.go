package chat_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/fakeopenai"
	"github.com/sheenhq/sheen/internal/pagetest"
	"github.com/sheenhq/sheen/internal/redistest"
	"github.com/sheenhq/sheen/model"
	"github.com/sheenhq/sheen/store/redis"
	"github.com/sheenhq/sheen/tools"
)

// respondInstance is an instance whose chats answer with Respond, sharing
// conversations through Redis.
func respondInstance(t *testing.T, addr string, m model.Model, opts ...chat.RespondOption) (string, *chat.History) {
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
	h := chat.NewHistory(st, chat.WithBus(bus))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = h.Shutdown(ctx)
		_ = bus.Close()
		_ = st.Close()
	})
	opt := chat.WithHistory(h)
	return serve(t, sheen.New(sheen.Page("live respond test", chat.UI("chat", opt)), func(s *sheen.Session) {
		chat.Respond(chat.New(s, "chat", opt), m, opts...)
	}, sheen.WithLogger(zap.NewNop()), sheen.WithUsers(func(*http.Request) (string, error) { return "ann", nil }), sheen.WithGrace(time.Millisecond))), h
}

// TestLiveToolCards: a reply on instance A calls a tool that needs
// approval; a page on B shows the card as it changes, and its Allow reaches
// the reply on A, which goes on; both pages end with the same cards.
func TestLiveToolCards(t *testing.T) {
	addr := redistest.Start(t)
	fake := fakeopenai.New(fakeopenai.Options{Replies: []fakeopenai.Reply{
		{ToolCalls: []fakeopenai.ToolCall{{ID: "call_1", Name: "get_weather", Args: []string{`{"city":"Paris"}`}}}},
		{Chunks: []string{"18 °C."}},
	}})
	t.Cleanup(fake.Close)
	m := newOpenAIModel(fake.URL)
	tool := chat.WithTools(weatherTool(tools.RequireApproval()))
	a, ha := respondInstance(t, addr, m, tool)
	b, _ := respondInstance(t, addr, m, tool)

	pa := open(t, a)
	pa.Next("history")
	pa.Submit("Weather in Paris?")
	id := pa.Next("conversation")["id"].(string)
	pending := func(m pagetestMsg) bool {
		return m.Name == "tool" && strings.Contains(string(m.Data), `"status":"pending"`)
	}
	pa.Wait("the pending card on A", pending)
	synced(t, ha) // the page has the id before the store has the conversation

	pb := open(t, b)
	pb.Next("history")
	pb.Send("open", map[string]any{"id": id})
	// The card comes with the streaming message ("start", as far as the
	// reply has gone) or after it.
	pb.Wait("the pending card on B", func(m pagetestMsg) bool {
		return (m.Name == "start" || m.Name == "tool") && strings.Contains(string(m.Data), `"status":"pending"`)
	})
	pb.Send("approve", map[string]any{"call": "call_1", "allow": true})
	for name, p := range map[string]*pagetest.Page{"A": pa, "B": pb} {
		end := p.Wait("the end on "+name, func(m pagetestMsg) bool { return m.Name == "end" })
		var d struct {
			Status string `json:"status"`
			Tools  []struct {
				Status, Decision, By string
			} `json:"tools"`
		}
		_ = json.Unmarshal(end.Data, &d)
		if d.Status != "done" || len(d.Tools) != 1 || d.Tools[0].Status != "success" || d.Tools[0].Decision != "allowed" || d.Tools[0].By != "ann" {
			t.Errorf("end on %s: %s", name, end.Data)
		}
	}
}
