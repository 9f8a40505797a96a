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

	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/fakeanthropic"
	"github.com/sheenhq/sheen/internal/fakeopenai"
	"github.com/sheenhq/sheen/internal/pagetest"
	"github.com/sheenhq/sheen/model"
	"github.com/sheenhq/sheen/model/anthropic"
	"github.com/sheenhq/sheen/model/openai"
	"github.com/sheenhq/sheen/protocol"
	"github.com/sheenhq/sheen/store/sqlite"
	"github.com/sheenhq/sheen/tools"
)

// respondApp is an app whose chat answers with Respond; chats holds the
// chat and responder of each session.
type respondApp struct {
	base  string
	mu    sync.Mutex
	chats []*chat.Chat
	resp  []*chat.Responder
}

func newRespondApp(t *testing.T, m model.Model, copts []chat.Option, opts ...chat.RespondOption) *respondApp {
	t.Helper()
	a := &respondApp{}
	page := sheen.Page("respond test", chat.UI("chat", copts...))
	a.base = serve(t, sheen.New(page, func(s *sheen.Session) {
		c := chat.New(s, "chat", copts...)
		r := chat.Respond(c, m, opts...)
		a.mu.Lock()
		a.chats, a.resp = append(a.chats, c), append(a.resp, r)
		a.mu.Unlock()
	}, sheen.WithLogger(zap.NewNop()), sheen.WithUsers(func(*http.Request) (string, error) { return "ann", nil })))
	return a
}

func (a *respondApp) chat(i int) *chat.Chat {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.chats[i]
}

func last(c *chat.Chat) chat.Message {
	ms := c.Messages()
	return ms[len(ms)-1]
}

func openAIModel(t *testing.T, replies ...fakeopenai.Reply) (*fakeopenai.Server, model.Model) {
	fake := fakeopenai.New(fakeopenai.Options{Replies: replies})
	t.Cleanup(fake.Close)
	return fake, openai.New(openai.Config{BaseURL: fake.URL, Model: "fake-model", MaxRetries: -1, Context: 100_000})
}

// weatherTool answers 18 °C for any city but Atlantis.
func weatherTool(opts ...tools.Option) *tools.Tool {
	return tools.Func("get_weather", "The weather in a city.", func(ctx context.Context, a struct {
		City string `json:"city"`
	}) (tools.Result, error) {
		if a.City == "Atlantis" {
			return tools.Result{}, errors.New("no station there")
		}
		return tools.Result{Text: `{"temp_c":18}`, Display: "**18 °C** in " + a.City}, nil
	}, opts...)
}

// toolMsgs returns the "tool" messages the page received.
func toolMsgs(p *pagetest.Page) []map[string]any {
	var out []map[string]any
	for _, m := range p.Received() {
		if m.Name == "tool" {
			var d struct {
				Call map[string]any `json:"call"`
			}
			_ = json.Unmarshal(m.Data, &d)
			out = append(out, d.Call)
		}
	}
	return out
}

func TestRespondTextAndMetrics(t *testing.T) {
	_, m := openAIModel(t, fakeopenai.Reply{Reasoning: []string{"Six times ", "seven."}, Chunks: []string{"It is ", "**42**."}, Usage: &fakeopenai.Usage{Prompt: 30, Completion: 9}})
	a := newRespondApp(t, m, []chat.Option{chat.ShowMetrics()})
	p := open(t, a.base)
	p.Submit("6×7?")
	end := p.Next("end")
	p.Idle()
	got := last(a.chat(0))
	if got.Content != "It is **42**." || got.Thinking != "Six times seven." {
		t.Fatalf("message = %q, thinking %q", got.Content, got.Thinking)
	}
	mt := got.Metrics
	if mt == nil || mt.TokensOut == 0 || mt.TokensIn != 30 || mt.ProviderTokensOut != 9 || mt.Duration < mt.FirstToken {
		t.Fatalf("metrics = %+v", mt)
	}
	if w, ok := end["metrics"].(map[string]any); !ok || w["out"].(float64) != float64(mt.TokensOut) || w["in"].(float64) != 30 {
		t.Errorf("end's metrics = %v", end["metrics"])
	}
}

func TestRespondToolRoundTrip(t *testing.T) {
	fake, m := openAIModel(t,
		fakeopenai.Reply{Chunks: []string{"Let me check."}, ToolCalls: []fakeopenai.ToolCall{{ID: "call_1", Name: "get_weather", Args: []string{`{"city":`, `"Paris"}`}}}},
		fakeopenai.Reply{Chunks: []string{"It is 18 °C in Paris."}},
		fakeopenai.Reply{Chunks: []string{"You are welcome."}},
	)
	a := newRespondApp(t, m, nil, chat.WithTools(weatherTool()))
	p := open(t, a.base)
	p.Submit("Weather in Paris?")
	p.Next("end")
	p.Idle()
	c := a.chat(0)
	got := last(c)
	if got.Content != "Let me check.\n\nIt is 18 °C in Paris." {
		t.Errorf("content = %q", got.Content)
	}
	if len(got.ToolCalls) != 1 {
		t.Fatalf("tool calls = %+v", got.ToolCalls)
	}
	tc := got.ToolCalls[0]
	if tc.ID != "call_1" || tc.Status != chat.ToolSuccess || tc.Args != "{\n  \"city\": \"Paris\"\n}" || tc.Result != `{"temp_c":18}` || tc.Offset != len("Let me check.") || tc.Round != 1 {
		t.Errorf("tool call = %+v", tc)
	}
	var states []string
	for _, w := range toolMsgs(p) {
		states = append(states, w["status"].(string))
	}
	if strings.Join(states, ",") != "running,running,success" {
		t.Errorf("card states = %v", states)
	}
	if cards := toolMsgs(p); !strings.Contains(cards[len(cards)-1]["html"].(string), "<strong>18 °C</strong> in Paris") {
		t.Errorf("card html = %v", cards[len(cards)-1]["html"])
	}
	// The second request carries the call and its result.
	r := fake.Requests()[1]
	n := len(r.Messages)
	if r.Messages[n-2].Role != "assistant" || len(r.Messages[n-2].ToolCalls) != 1 || r.Messages[n-1].Role != "tool" || r.Messages[n-1].ToolCallID != "call_1" || r.Messages[n-1].Content != `{"temp_c":18}` {
		t.Errorf("second request = %+v", r.Messages)
	}
	// The next turn sends the whole exchange back, from the transcript.
	p.Submit("Thanks")
	p.Next("end")
	p.Idle()
	r = fake.Requests()[2]
	var roles []string
	for _, m := range r.Messages {
		roles = append(roles, m.Role)
	}
	if strings.Join(roles, ",") != "user,assistant,tool,assistant,user" {
		t.Errorf("third request's roles = %v", roles)
	}
	if r.Messages[1].Content != "Let me check." || r.Messages[3].Content != "It is 18 °C in Paris." {
		t.Errorf("third request = %+v", r.Messages)
	}
	// The provider formats give the same shape.
	om := chat.OpenAIMessages(c.Messages())
	if len(om) != 6 || om[2].Role != "tool" || om[2].ToolCallID != "call_1" || len(om[1].ToolCalls) != 1 {
		t.Errorf("OpenAIMessages = %+v", om)
	}
	_, am := chat.AnthropicMessages(c.Messages())
	if len(am) != 6 || am[1].Content[1].Type != "tool_use" || am[2].Role != "user" || am[2].Content[0].Type != "tool_result" {
		t.Errorf("AnthropicMessages = %+v", am)
	}
}

func TestRespondParallelTools(t *testing.T) {
	// Each call waits until both have started: run one after the other,
	// they would wait forever (the ctx deadline fails the test instead).
	var started sync.WaitGroup
	started.Add(2)
	both := make(chan struct{})
	go func() { started.Wait(); close(both) }()
	slow := tools.Func("slow", "", func(ctx context.Context, a struct {
		N int `json:"n"`
	}) (string, error) {
		started.Done()
		select {
		case <-both:
			return "done", nil
		case <-time.After(10 * time.Second):
			return "", errors.New("the calls did not run in parallel")
		}
	})
	_, m := openAIModel(t,
		fakeopenai.Reply{ToolCalls: []fakeopenai.ToolCall{{ID: "a", Name: "slow", Args: []string{`{"n":1}`}}, {ID: "b", Name: "slow", Args: []string{`{"n":2}`}}}},
		fakeopenai.Reply{Chunks: []string{"Both done."}},
	)
	a := newRespondApp(t, m, nil, chat.WithTools(slow))
	p := open(t, a.base)
	p.Submit("go")
	p.Next("end")
	p.Idle()
	got := last(a.chat(0))
	if len(got.ToolCalls) != 2 || got.ToolCalls[0].Status != chat.ToolSuccess || got.ToolCalls[1].Status != chat.ToolSuccess || got.Content != "Both done." {
		t.Errorf("message = %+v", got)
	}
}

func TestRespondBadArguments(t *testing.T) {
	fake, m := openAIModel(t,
		fakeopenai.Reply{ToolCalls: []fakeopenai.ToolCall{
			{ID: "bad", Name: "get_weather", Args: []string{`{"city": "Par`}},
			{ID: "unknown", Name: "launch_rockets", Args: []string{`{}`}},
			{ID: "fails", Name: "get_weather", Args: []string{`{"city":"Atlantis"}`}},
		}},
		fakeopenai.Reply{Chunks: []string{"Sorry."}},
	)
	a := newRespondApp(t, m, nil, chat.WithTools(weatherTool()))
	p := open(t, a.base)
	p.Submit("weather?")
	p.Next("end")
	p.Idle()
	got := last(a.chat(0))
	if got.Status != chat.Done || got.Content != "Sorry." || len(got.ToolCalls) != 3 {
		t.Fatalf("message = %+v", got)
	}
	for i, want := range []string{"invalid arguments", "no such tool", "no station there"} {
		tc := got.ToolCalls[i]
		if tc.Status != chat.ToolError || !strings.Contains(tc.Result, want) {
			t.Errorf("call %d = %+v, want an error with %q", i, tc, want)
		}
	}
	if got.ToolCalls[0].Args != `{"city": "Par` {
		t.Errorf("malformed args shown as %q", got.ToolCalls[0].Args)
	}
	r := fake.Requests()[1]
	if tm := r.Messages[len(r.Messages)-3]; tm.Role != "tool" || !strings.HasPrefix(tm.Content, "Error: invalid arguments") {
		t.Errorf("the model is told: %+v", tm)
	}
}

func TestRespondApproval(t *testing.T) {
	for _, allow := range []bool{true, false} {
		name := map[bool]string{true: "allow", false: "deny"}[allow]
		t.Run(name, func(t *testing.T) {
			fake, m := openAIModel(t,
				fakeopenai.Reply{ToolCalls: []fakeopenai.ToolCall{{ID: "call_1", Name: "get_weather", Args: []string{`{"city":"Paris"}`}}}},
				fakeopenai.Reply{Chunks: []string{"Done."}},
			)
			a := newRespondApp(t, m, nil, chat.WithTools(weatherTool(tools.RequireApproval())))
			p := open(t, a.base)
			p.Submit("weather?")
			p.Wait("a pending card", func(msg protocol.Message) bool {
				return msg.Name == "tool" && strings.Contains(string(msg.Data), `"status":"pending"`)
			})
			p.Send("approve", map[string]any{"call": "nope", "allow": true}) // nobody waits for it: ignored
			p.Send("approve", map[string]any{"call": "call_1"})              // malformed: ignored
			p.Send("approve", map[string]any{"call": "call_1", "allow": allow})
			p.Next("end")
			p.Idle()
			got := last(a.chat(0)).ToolCalls[0]
			if got.Approval == nil || got.Approval.Allowed != allow || got.Approval.By != "ann" || got.Approval.At.IsZero() {
				t.Fatalf("approval = %+v", got.Approval)
			}
			wantStatus, wantResult := chat.ToolSuccess, `{"temp_c":18}`
			if !allow {
				wantStatus, wantResult = chat.ToolDenied, "Error: the user denied this call."
			}
			if got.Status != wantStatus || got.Result != wantResult {
				t.Errorf("call = %+v", got)
			}
			r := fake.Requests()[1]
			if tm := r.Messages[len(r.Messages)-1]; tm.Content != wantResult {
				t.Errorf("the model is told %q", tm.Content)
			}
		})
	}
}

func TestRespondStopDuringTool(t *testing.T) {
	running := make(chan struct{})
	ended := make(chan error, 1)
	block := tools.Func("block", "", func(ctx context.Context, _ struct{}) (string, error) {
		close(running)
		<-ctx.Done()
		ended <- ctx.Err()
		return "", ctx.Err()
	})
	fake, m := openAIModel(t, fakeopenai.Reply{Chunks: []string{"Working."}, ToolCalls: []fakeopenai.ToolCall{{ID: "c", Name: "block", Args: []string{`{}`}}}})
	a := newRespondApp(t, m, nil, chat.WithTools(block))
	p := open(t, a.base)
	p.Submit("go")
	<-running
	p.Send("stop", nil)
	end := p.Next("end")
	p.Idle()
	if end["status"] != "stopped" {
		t.Errorf("end = %v", end)
	}
	if err := <-ended; !errors.Is(err, context.Canceled) {
		t.Errorf("the tool's ctx ended with %v", err)
	}
	got := last(a.chat(0))
	if got.Status != chat.Stopped || got.ToolCalls[0].Status != chat.ToolError || got.ToolCalls[0].Result != "Stopped before it finished." {
		t.Errorf("message = %+v", got)
	}
	if len(fake.Requests()) != 1 {
		t.Errorf("%d requests: a stopped reply asks nothing more", len(fake.Requests()))
	}
}

func TestRespondMaxRounds(t *testing.T) {
	var n atomic.Int32
	fake := fakeopenai.New(fakeopenai.Options{Respond: func(fakeopenai.Request) fakeopenai.Reply {
		id := fmt.Sprintf("call_%d", n.Add(1))
		return fakeopenai.Reply{ToolCalls: []fakeopenai.ToolCall{{ID: id, Name: "get_weather", Args: []string{`{"city":"Paris"}`}}}}
	}})
	t.Cleanup(fake.Close)
	m := openai.New(openai.Config{BaseURL: fake.URL, Model: "fake-model", MaxRetries: -1})
	a := newRespondApp(t, m, nil, chat.WithTools(weatherTool()), chat.MaxRounds(2))
	p := open(t, a.base)
	p.Submit("loop")
	end := p.Next("end")
	p.Idle()
	if end["status"] != "error" || !strings.Contains(end["error"].(string), "after 2 rounds") || end["retry"] != true {
		t.Errorf("end = %v", end)
	}
	got := last(a.chat(0))
	if len(got.ToolCalls) != 2 || got.ToolCalls[0].Status != chat.ToolSuccess || !strings.HasPrefix(got.ToolCalls[1].Result, "Not run") {
		t.Errorf("calls = %+v", got.ToolCalls)
	}
}

func TestRespondErrorsAndSwitch(t *testing.T) {
	_, bad := openAIModel(t, fakeopenai.Reply{Status: 404, Message: "model 'nope' not found"})
	fake2, good := openAIModel(t, fakeopenai.Reply{Chunks: []string{"Hi."}})
	a := newRespondApp(t, bad, nil, chat.ShowModelErrors())
	p := open(t, a.base)
	p.Submit("hello")
	end := p.Next("end")
	p.Idle()
	if end["status"] != "error" || !strings.Contains(end["error"].(string), "answered 404: model 'nope' not found") || end["retry"] != true {
		t.Fatalf("end = %v", end)
	}
	a.mu.Lock()
	r := a.resp[0]
	a.mu.Unlock()
	r.SetModel(good)
	p.Send("retry", map[string]string{"id": end["id"].(string)})
	p.Next("end")
	p.Idle()
	if got := last(a.chat(0)); got.Content != "Hi." || len(fake2.Requests()) != 1 {
		t.Errorf("after the switch: %+v", got)
	}
	// The failed reply is not sent.
	for _, m := range fake2.Requests()[0].Messages {
		if m.Role == "assistant" {
			t.Errorf("sent %+v", m)
		}
	}
}

func TestRespondAnthropicThinkingAndTools(t *testing.T) {
	fake := fakeanthropic.New(fakeanthropic.Options{Replies: []fakeanthropic.Reply{
		{Thinking: []string{"I need the weather."}, Signature: "sig-1", Chunks: []string{"Checking."}, ToolUses: []fakeanthropic.ToolUse{{ID: "toolu_1", Name: "get_weather", Args: []string{`{"city":"Oslo"}`}}}, In: 50, Out: 20},
		{Thinking: []string{"It is cold."}, Chunks: []string{"18 °C."}, In: 80, Out: 10},
	}})
	t.Cleanup(fake.Close)
	m := anthropic.New(anthropic.Config{BaseURL: fake.URL, APIKey: "k", Model: "claude-fake", MaxRetries: -1})
	a := newRespondApp(t, m, nil, chat.WithTools(weatherTool()), chat.ThinkingBudget(1024))
	p := open(t, a.base)
	p.Submit("Weather in Oslo?")
	p.Next("end")
	p.Idle()
	got := last(a.chat(0))
	if got.Thinking != "I need the weather.\n\nIt is cold." {
		t.Errorf("thinking = %q", got.Thinking)
	}
	if got.Content != "Checking.\n\n18 °C." || len(got.ToolCalls) != 1 || got.ToolCalls[0].Status != chat.ToolSuccess {
		t.Errorf("message = %q %+v", got.Content, got.ToolCalls)
	}
	if got.Metrics.TokensIn != 130 || got.Metrics.ProviderTokensOut != 30 {
		t.Errorf("metrics = %+v", got.Metrics)
	}
	// Within the tool turn the thinking goes back with its signature.
	r := fake.Requests()[1]
	a1 := string(r.Messages[1])
	if !strings.Contains(a1, `"signature":"sig-1"`) || !strings.Contains(a1, `"type":"tool_use"`) || !strings.Contains(string(r.Messages[2]), `"tool_result"`) {
		t.Errorf("second request = %s", r.Messages)
	}
}

func TestRespondSavedAndRestored(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chat.db")
	_, m := openAIModel(t,
		fakeopenai.Reply{ToolCalls: []fakeopenai.ToolCall{{ID: "call_1", Name: "get_weather", Args: []string{`{"city":"Rome"}`}}}},
		fakeopenai.Reply{Chunks: []string{"Warm."}, Usage: &fakeopenai.Usage{Prompt: 7, Completion: 2}},
	)
	st, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	h := chat.NewHistory(st)
	a := newRespondApp(t, m, []chat.Option{chat.WithHistory(h)}, chat.WithTools(weatherTool(tools.RequireApproval())))
	p := open(t, a.base)
	p.Next("history")
	p.Submit("Weather in Rome?")
	conv := p.Next("conversation")["id"].(string)
	p.Wait("a pending card", func(msg protocol.Message) bool {
		return msg.Name == "tool" && strings.Contains(string(msg.Data), `"status":"pending"`)
	})
	p.Send("approve", map[string]any{"call": "call_1", "allow": true})
	p.Next("end")
	p.Idle()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	_, rows, err := st.Get(ctx, "ann", conv)
	if err != nil {
		t.Fatal(err)
	}
	_ = st.Close()
	var md struct {
		Tools   []chat.ToolCall `json:"tools"`
		Metrics *chat.Metrics   `json:"metrics"`
	}
	if err := json.Unmarshal(rows[len(rows)-1].Meta, &md); err != nil {
		t.Fatal(err)
	}
	if len(md.Tools) != 1 || md.Tools[0].Approval == nil || md.Tools[0].Approval.By != "ann" || md.Tools[0].Status != chat.ToolSuccess || md.Metrics == nil || md.Metrics.TokensIn != 7 {
		t.Errorf("saved = %+v %+v", md.Tools, md.Metrics)
	}
	// A new history on the same file shows the cards again.
	st2, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	h2 := chat.NewHistory(st2)
	t.Cleanup(func() { _ = h2.Shutdown(context.Background()); _ = st2.Close() })
	b := newRespondApp(t, m, []chat.Option{chat.WithHistory(h2)})
	p2 := open(t, b.base)
	p2.Next("history")
	p2.Send("open", map[string]any{"id": conv})
	reset := p2.Next("reset")
	msgs := reset["messages"].([]any)
	w := msgs[len(msgs)-1].(map[string]any)
	tools := w["tools"].([]any)
	card := tools[0].(map[string]any)
	if card["status"] != "success" || card["decision"] != "allowed" || card["by"] != "ann" || w["metrics"] == nil {
		t.Errorf("restored = %v", w)
	}
}

type openaiModel = openai.Model

func newOpenAIModel(url string) *openai.Model {
	return openai.New(openai.Config{BaseURL: url, Model: "fake-model", MaxRetries: -1, Context: 100_000})
}

// TestRespondStopWhileWaiting: stop while a call waits for approval ends
// the reply at once; the card says it never ran; a late decision is
// ignored.
func TestRespondStopWhileWaiting(t *testing.T) {
	fake, m := openAIModel(t, fakeopenai.Reply{ToolCalls: []fakeopenai.ToolCall{{ID: "call_1", Name: "get_weather", Args: []string{`{"city":"Paris"}`}}}})
	a := newRespondApp(t, m, nil, chat.WithTools(weatherTool(tools.RequireApproval())))
	p := open(t, a.base)
	p.Submit("weather?")
	p.Wait("a pending card", func(msg protocol.Message) bool {
		return msg.Name == "tool" && strings.Contains(string(msg.Data), `"status":"pending"`)
	})
	p.Send("stop", nil)
	end := p.Next("end")
	p.Idle()
	p.Send("approve", map[string]any{"call": "call_1", "allow": true}) // too late: ignored
	if end["status"] != "stopped" {
		t.Errorf("end = %v", end)
	}
	got := last(a.chat(0))
	if got.ToolCalls[0].Status != chat.ToolError || got.ToolCalls[0].Approval != nil || got.ToolCalls[0].Result != "Stopped before it finished." {
		t.Errorf("call = %+v", got.ToolCalls[0])
	}
	if n := len(fake.Requests()); n != 1 {
		t.Errorf("%d requests", n)
	}
}

// TestRespondCardsSavedWhileStreaming: a reply's cards are saved as they
// change, with its text so far: a process that dies mid-reply leaves them
// in the store, and the reply comes back interrupted with its calls (the
// unfinished ones failed).
func TestRespondCardsSavedWhileStreaming(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chat.db")
	_, m := openAIModel(t, fakeopenai.Reply{Chunks: []string{"Checking."}, ToolCalls: []fakeopenai.ToolCall{{ID: "call_1", Name: "get_weather", Args: []string{`{"city":"Rome"}`}}}})
	st, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := chat.NewHistory(st)
	defer func() { _ = h.Shutdown(context.Background()) }()
	a := newRespondApp(t, m, []chat.Option{chat.WithHistory(h)}, chat.WithTools(weatherTool(tools.RequireApproval())))
	p := open(t, a.base)
	p.Next("history")
	p.Submit("Weather in Rome?")
	conv := p.Next("conversation")["id"].(string)
	p.Wait("a pending card", func(msg protocol.Message) bool {
		return msg.Name == "tool" && strings.Contains(string(msg.Data), `"status":"pending"`)
	})
	// The save queue writes in the background: wait until the row has the
	// pending card (what a crash now would leave).
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var row struct {
		Content string
		Meta    []byte
	}
	for ctx.Err() == nil {
		_, rows, err := st.Get(ctx, "ann", conv)
		if err == nil && len(rows) == 2 && strings.Contains(string(rows[1].Meta), `"status":"pending"`) {
			row.Content, row.Meta = rows[1].Content, rows[1].Meta
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Millisecond):
		}
	}
	if row.Meta == nil {
		t.Fatal("the streaming row never had the card")
	}
	if row.Content != "Checking." || !strings.Contains(string(row.Meta), `"raw":true`) {
		t.Errorf("row = %q %s", row.Content, row.Meta)
	}
	p.Send("stop", nil)
	p.Next("end")
	p.Idle()
}
