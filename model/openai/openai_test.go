package openai_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sheenhq/sheen/internal/fakeopenai"
	"github.com/sheenhq/sheen/model"
	"github.com/sheenhq/sheen/model/modeltest"
	"github.com/sheenhq/sheen/model/openai"
)

func harness(t *testing.T, replies ...modeltest.Script) (model.Model, func(context.Context, int) (modeltest.End, error)) {
	var rs []fakeopenai.Reply
	for _, s := range replies {
		r := fakeopenai.Reply{Reasoning: s.Thinking, Chunks: s.Text, Delay: s.Delay, Status: s.Status, Message: s.Message, FailAfter: s.FailAfter}
		for _, c := range s.Calls {
			r.ToolCalls = append(r.ToolCalls, fakeopenai.ToolCall{ID: c.ID, Name: c.Name, Args: c.Args})
		}
		if s.In != 0 || s.Out != 0 {
			r.Usage = &fakeopenai.Usage{Prompt: s.In, Completion: s.Out}
		}
		switch {
		case s.ErrorEvent:
			r.Fail = fakeopenai.ErrorEvent
		case s.Drop:
			r.Fail = fakeopenai.Drop
		}
		rs = append(rs, r)
	}
	fake := fakeopenai.New(fakeopenai.Options{Replies: rs})
	t.Cleanup(fake.Close)
	m := openai.New(openai.Config{BaseURL: fake.URL, Model: "fake-model", MaxRetries: -1})
	return m, func(ctx context.Context, i int) (modeltest.End, error) {
		r, err := fake.Finished(ctx, i)
		return modeltest.End(r.End.String()), err
	}
}

func TestSuite(t *testing.T) { modeltest.Run(t, harness) }

// TestRequest checks what goes on the wire: the tools, the usage option,
// and a history with a tool round in OpenAI's shape.
func TestRequest(t *testing.T) {
	fake := fakeopenai.New(fakeopenai.Options{})
	defer fake.Close()
	m := openai.New(openai.Config{BaseURL: fake.URL, Model: "fake-model", MaxRetries: -1, MaxOutput: 500})
	_, err := model.Collect(context.Background(), m, model.Request{
		Messages: []model.Message{
			{Role: model.System, Text: "sys"},
			{Role: model.User, Text: "Weather?", Files: []model.File{{Name: "a.png", MIME: "image/png", Data: []byte("PNG")}}},
			{Role: model.Assistant, Thinking: "hidden", ToolCalls: []model.ToolCall{{ID: "c1", Name: "get_weather", Args: json.RawMessage(`{"city":"Paris"}`)}}},
			{Role: model.Tool, ToolCallID: "c1", Text: "18 °C"},
		},
		Tools: []model.ToolSpec{{Name: "get_weather", Description: "Weather.", Schema: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := fake.Requests()[0]
	if !r.IncludeUsage || r.MaxTokens != 500 {
		t.Errorf("include_usage = %v, max tokens = %d", r.IncludeUsage, r.MaxTokens)
	}
	if len(r.Tools) != 1 || !strings.Contains(string(r.Tools[0]), `"name":"get_weather"`) || !strings.Contains(string(r.Tools[0]), `"required":["city"]`) {
		t.Errorf("tools = %s", r.Tools)
	}
	roles := []string{}
	for _, msg := range r.Messages {
		roles = append(roles, msg.Role)
	}
	if strings.Join(roles, ",") != "system,user,assistant,tool" {
		t.Fatalf("roles = %v", roles)
	}
	if len(r.Messages[1].Parts) != 2 || !strings.Contains(string(r.Messages[1].Parts[0]), "data:image/png;base64,UE5H") {
		t.Errorf("user parts = %s", r.Messages[1].Parts)
	}
	a := r.Messages[2]
	if len(a.ToolCalls) != 1 || !strings.Contains(string(a.ToolCalls[0]), `"arguments":"{\"city\":\"Paris\"}"`) || strings.Contains(string(r.Body), "hidden") {
		t.Errorf("assistant = %+v; thinking is never sent", a)
	}
	if r.Messages[3].ToolCallID != "c1" || r.Messages[3].Content != "18 °C" {
		t.Errorf("tool message = %+v", r.Messages[3])
	}
}

func TestContextWindow(t *testing.T) {
	for _, tt := range []struct {
		name string
		want int
	}{{"gpt-4o-mini", 128_000}, {"openai/gpt-4.1", 1_047_576}, {"llama3.2", 8_192}, {"o3-mini", 200_000}} {
		if got := openai.ContextWindow(tt.name); got != tt.want {
			t.Errorf("ContextWindow(%q) = %d, want %d", tt.name, got, tt.want)
		}
	}
}
