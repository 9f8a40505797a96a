package chat_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/tokens"
)

// A handler that sends a model only what fits its context window, and a
// chat that shows how full that window is.
func ExampleChat_MessagesWithin() {
	// A 128k-token model, with 4k kept for its reply and OpenAI's format
	// overhead counted.
	budget := tokens.Budget{Max: 128_000, Reserve: 4_000, PerMessage: 3, PerReply: 3}
	server := func(s *sheen.Session) {
		c := chat.New(s, "chat",
			chat.Messages(chat.Message{Role: chat.System, Content: "You are a helpful assistant."}),
			chat.TokenBudget(budget), // the context meter under the input
		)
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			history, err := c.MessagesWithin(budget) // the system prompt and the newest turns
			if err != nil {
				return err // e.g. the question alone is too long: shown in the chat
			}
			request := chat.OpenAIMessages(history) // hand these to an SDK, or marshal them
			_ = request
			return c.AppendMessage(ctx, "…the model's answer…")
		})
	}
	app := sheen.New(sheen.Page("Chat", chat.UI("chat")), server)
	_ = app // app.ListenAndServe("127.0.0.1:8000")
}

func ExampleOpenAIMessages() {
	msgs := []chat.Message{
		{Role: chat.System, Content: "Be brief."},
		{Role: chat.User, Content: "What is in this file?", Attachments: []chat.Attachment{
			{Name: "hello.go", MIME: "text/x-go", Data: []byte("package main")},
		}},
		{Role: chat.Assistant, Content: "A Go package clause."},
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	for _, m := range chat.OpenAIMessages(msgs) {
		_ = enc.Encode(m)
	}
	// Output:
	// {"role":"system","content":"Be brief."}
	// {"role":"user","content":[{"type":"text","text":"<file name=\"hello.go\">\npackage main\n</file>"},{"type":"text","text":"What is in this file?"}]}
	// {"role":"assistant","content":"A Go package clause."}
}

func ExampleAnthropicMessages() {
	msgs := []chat.Message{
		{Role: chat.Assistant, Content: "Hi! Ask me anything."}, // a greeting: dropped, the API wants the user first
		{Role: chat.System, Content: "Be brief."},
		{Role: chat.User, Content: "Name a prime."},
		{Role: chat.Assistant, Content: "7"},
	}
	system, out := chat.AnthropicMessages(msgs)
	fmt.Printf("system: %q\n", system)
	for _, m := range out {
		raw, _ := json.Marshal(m)
		fmt.Println(string(raw))
	}
	// Output:
	// system: "Be brief."
	// {"role":"user","content":[{"type":"text","text":"Name a prime."}]}
	// {"role":"assistant","content":[{"type":"text","text":"7"}]}
}
