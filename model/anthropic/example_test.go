package anthropic_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/sheenhq/sheen/internal/fakeanthropic"
	"github.com/sheenhq/sheen/model"
	"github.com/sheenhq/sheen/model/anthropic"
)

func ExampleNew() {
	// A fake of Anthropic's API stands in for it here.
	srv := fakeanthropic.New(fakeanthropic.Options{Replies: []fakeanthropic.Reply{{
		Thinking: []string{"The user wants the weather: call the tool."},
		Chunks:   []string{"Let me check."},
		ToolUses: []fakeanthropic.ToolUse{{ID: "toolu_1", Name: "get_weather", Args: []string{`{"city": `, `"Paris"}`}}},
		In:       120, Out: 40,
	}}})
	defer srv.Close()

	m := anthropic.New(anthropic.Config{BaseURL: srv.URL, APIKey: "sk-ant-…", Model: "claude-sonnet-4-5"})
	r, err := model.Collect(context.Background(), m, model.Request{
		Messages: []model.Message{{Role: model.User, Text: "Weather in Paris?"}},
		Tools: []model.ToolSpec{{Name: "get_weather", Description: "The weather in a city.",
			Schema: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`)}},
		Thinking: 1024, // extended thinking, with a budget of 1,024 tokens
	})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Printf("thinking: %s\ntext: %s\n", r.Thinking, r.Text)
	for _, c := range r.Calls {
		fmt.Printf("call %s %s(%s)\n", c.ID, c.Name, c.Args)
	}
	fmt.Printf("stop: %s; %d tokens in, %d out\n", r.Stop, r.In, r.Out)
	// Output:
	// thinking: The user wants the weather: call the tool.
	// text: Let me check.
	// call toolu_1 get_weather({"city": "Paris"})
	// stop: tool_use; 120 tokens in, 40 out
}
