package anthropic_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sheenhq/sheen/internal/fakeanthropic"
	"github.com/sheenhq/sheen/model"
	"github.com/sheenhq/sheen/model/anthropic"
	"github.com/sheenhq/sheen/model/modeltest"
)

func harness(t *testing.T, replies ...modeltest.Script) (model.Model, func(context.Context, int) (modeltest.End, error)) {
	var rs []fakeanthropic.Reply
	for _, s := range replies {
		r := fakeanthropic.Reply{Thinking: s.Thinking, Chunks: s.Text, Delay: s.Delay, Status: s.Status, Message: s.Message, FailAfter: s.FailAfter, In: s.In, Out: s.Out}
		for _, c := range s.Calls {
			r.ToolUses = append(r.ToolUses, fakeanthropic.ToolUse{ID: c.ID, Name: c.Name, Args: c.Args})
		}
		switch {
		case s.ErrorEvent:
			r.Fail = fakeanthropic.ErrorEvent
		case s.Drop:
			r.Fail = fakeanthropic.Drop
		}
		rs = append(rs, r)
	}
	fake := fakeanthropic.New(fakeanthropic.Options{Replies: rs})
	t.Cleanup(fake.Close)
	m := anthropic.New(anthropic.Config{BaseURL: fake.URL, APIKey: "test-key", Model: "claude-fake", MaxRetries: -1})
	return m, func(ctx context.Context, i int) (modeltest.End, error) {
		r, err := fake.Finished(ctx, i)
		return modeltest.End(r.End.String()), err
	}
}

func TestSuite(t *testing.T) { modeltest.Run(t, harness) }

// TestRequest checks what goes on the wire: the system prompt apart, tool
// results as tool_result blocks of one user message, thinking with its
// signature sent back within a tool turn, malformed arguments as {}.
func TestRequest(t *testing.T) {
	fake := fakeanthropic.New(fakeanthropic.Options{})
	defer fake.Close()
	m := anthropic.New(anthropic.Config{BaseURL: fake.URL, APIKey: "k", Model: "claude-fake", MaxRetries: -1})
	_, err := model.Collect(context.Background(), m, model.Request{
		Thinking: 2048,
		Messages: []model.Message{
			{Role: model.System, Text: "sys"},
			{Role: model.Assistant, Text: "a greeting before the user: left out"},
			{Role: model.User, Text: "Weather?"},
			{Role: model.Assistant, Thinking: "I should call it.", ThinkingSignature: "sig1", Text: "Checking.", ToolCalls: []model.ToolCall{
				{ID: "t1", Name: "get_weather", Args: json.RawMessage(`{"city":"Paris"}`)},
				{ID: "t2", Name: "get_weather", Args: json.RawMessage(`{"city":`)},
			}},
			{Role: model.Tool, ToolCallID: "t1", Text: "18 °C"},
			{Role: model.Tool, ToolCallID: "t2", Text: "bad arguments", IsError: true},
		},
		Tools: []model.ToolSpec{{Name: "get_weather", Description: "Weather.", Schema: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}`)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := fake.Requests()[0]
	if r.MaxTokens != anthropic.DefaultMaxOutput+2048 || !strings.Contains(string(r.Thinking), `"budget_tokens":2048`) {
		t.Errorf("max_tokens = %d, thinking = %s", r.MaxTokens, r.Thinking)
	}
	if !strings.Contains(string(r.System), `"text":"sys"`) {
		t.Errorf("system = %s", r.System)
	}
	if len(r.Messages) != 3 {
		t.Fatalf("messages = %s", r.Messages)
	}
	a := string(r.Messages[1])
	for _, want := range []string{`"type":"thinking"`, `"signature":"sig1"`, `"type":"tool_use"`, `"input":{"city":"Paris"}`, `"input":{}`} {
		if !strings.Contains(a, want) {
			t.Errorf("assistant message lacks %s: %s", want, a)
		}
	}
	u := string(r.Messages[2])
	if !strings.Contains(u, `"role":"user"`) || strings.Count(u, `"type":"tool_result"`) != 2 || !strings.Contains(u, `"is_error":true`) {
		t.Errorf("tool results = %s", u)
	}
	tool := string(r.Tools[0])
	for _, want := range []string{`"name":"get_weather"`, `"required":["city"]`, `"additionalProperties":false`, `"type":"object"`} {
		if !strings.Contains(tool, want) {
			t.Errorf("tool lacks %s: %s", want, tool)
		}
	}
	if r.Header.Get("X-Api-Key") != "k" && r.Header.Get("Authorization") != "Bearer k" {
		t.Errorf("the key is not sent: %v", r.Header)
	}
}
