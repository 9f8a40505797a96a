package chat_test

import (
	"context"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/model/openai"
	"github.com/sheenhq/sheen/tools"
)

// ExampleRespond wires a chat to a model with one line: every submission is
// answered, with the history cut to the model's window, streaming, stop,
// errors with Retry, a tool shown as a card, and metrics.
func ExampleRespond() {
	weather := tools.Func("get_weather", "The current weather in a city.", func(ctx context.Context, a struct {
		City string `json:"city"`
	}) (tools.Result, error) {
		return tools.Result{Text: `{"temp_c": 18}`, Display: "**18 °C** in " + a.City}, nil
	})
	remove := tools.Func("delete_file", "Delete a file.", func(ctx context.Context, a struct {
		Path string `json:"path"`
	}) (string, error) {
		return "deleted " + a.Path, nil
	}, tools.RequireApproval()) // the card asks Allow / Deny first

	page := sheen.Page("Chat", chat.UI("chat", chat.ShowMetrics()))
	app := sheen.New(page, func(s *sheen.Session) {
		c := chat.New(s, "chat", chat.ShowMetrics())
		r := chat.Respond(c, openai.New(openai.Config{BaseURL: "http://localhost:11434/v1", Model: "llama3.2"}),
			chat.WithTools(weather, remove), chat.SystemPrompt("Be brief."), chat.MaxRounds(5))
		_ = r // r.SetModel(other) switches the model for the next reply
	})
	_ = app // app.ListenAndServe("127.0.0.1:8000")
}
