package openai_test

import (
	"context"
	"fmt"

	"github.com/sheenhq/sheen/internal/fakeopenai"
	"github.com/sheenhq/sheen/model"
	"github.com/sheenhq/sheen/model/openai"
)

func ExampleNew() {
	// A fake server stands in for OpenAI, Ollama or vLLM here.
	srv := fakeopenai.New(fakeopenai.Options{Replies: []fakeopenai.Reply{{
		Reasoning: []string{"Six times seven."},
		Chunks:    []string{"It is ", "42."},
		Usage:     &fakeopenai.Usage{Prompt: 12, Completion: 4},
	}}})
	defer srv.Close()

	m := openai.New(openai.Config{BaseURL: srv.URL, Model: "llama3.2", Context: 32_768})
	req := model.Request{Messages: []model.Message{
		{Role: model.System, Text: "Be brief."},
		{Role: model.User, Text: "6×7?"},
	}}
	for c, err := range m.Stream(context.Background(), req) {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		switch c.Kind {
		case model.ThinkingChunk:
			fmt.Printf("thinking %q\n", c.Text)
		case model.TextChunk:
			if c.Text != "" {
				fmt.Printf("text %q\n", c.Text)
			}
		case model.UsageChunk:
			fmt.Printf("usage %d in, %d out\n", c.In, c.Out)
		}
	}
	// Output:
	// thinking "Six times seven."
	// text "It is "
	// text "42."
	// usage 12 in, 4 out
}
