package tokens_test

import (
	"errors"
	"fmt"

	"github.com/sheenhq/sheen/tokens"
)

func ExampleDefault() {
	c := tokens.Default()
	fmt.Println(c.Count("The quick brown fox jumps over the lazy dog."))
	// Output: 10
}

func ExampleForModel() {
	c, err := tokens.ForModel("gpt-4")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c, c.Count("こんにちは世界"))

	_, err = tokens.ForModel("my-local-llama")
	fmt.Println(errors.Is(err, tokens.ErrUnknownModel))
	// Output:
	// cl100k_base 4
	// true
}

func ExampleCache() {
	var cache tokens.Cache // counts with tokens.Default()
	fmt.Println(cache.Count("msg-1", "Hello, world!"))
	fmt.Println(cache.Count("msg-1", "Hello, world!"))       // cached
	fmt.Println(cache.Count("msg-1", "Hello again, world!")) // edited: counted again
	// Output:
	// 4
	// 4
	// 5
}

func ExampleBudget_Fit() {
	history := []tokens.Message{
		{Role: tokens.System, Tokens: 20},
		{Role: tokens.User, Tokens: 400},
		{Role: tokens.Assistant, Tokens: 900},
		{Role: tokens.User, Tokens: 30},
		{Role: tokens.Assistant, Tokens: 250},
		{Role: tokens.User, Tokens: 40},
	}
	// An 8k model, 6.6k kept for the reply, OpenAI's chat format overhead.
	b := tokens.Budget{Max: 8192, Reserve: 6600, PerMessage: 3, PerReply: 3}
	w, err := b.Fit(history)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("send messages %d… plus system; %d left out; %d/%d tokens\n", w.Start, w.Dropped, w.Used, w.Limit)
	var kept []int
	for i, m := range history {
		if w.Keeps(i, m.Role) {
			kept = append(kept, i)
		}
	}
	fmt.Println(kept)

	b.Reserve = 8180
	_, err = b.Fit(history)
	var be *tokens.BudgetError
	if errors.As(err, &be) && errors.Is(err, tokens.ErrSystemTooLarge) {
		fmt.Printf("system prompt needs %d tokens\n", be.Need)
	}
	// Output:
	// send messages 2… plus system; 1 left out; 1258/1592 tokens
	// [0 2 3 4 5]
	// system prompt needs 26 tokens
}

func ExampleHistory() {
	var (
		cache tokens.Cache
		h     tokens.History
		b     = tokens.Budget{Max: 25, Reserve: 10}
	)
	send := func(id string, role tokens.Role, text string) {
		// Count once, as the message is added; the window never recounts.
		if err := h.Append(tokens.Message{Role: role, Tokens: cache.Count(id, text)}); err != nil {
			fmt.Println(err)
		}
		w, err := h.Window(b)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%d messages, window from %d: %d/%d tokens\n", h.Len(), w.Start, w.Used, w.Limit)
	}
	send("s", tokens.System, "Answer in one word.")
	send("u1", tokens.User, "What is the capital of France?")
	send("a1", tokens.Assistant, "Paris.")
	send("u2", tokens.User, "And of Italy?")
	send("u3", tokens.User, "Please write a very long essay about every single capital city of Europe.")
	// Output:
	// 1 messages, window from 0: 5/15 tokens
	// 2 messages, window from 0: 12/15 tokens
	// 3 messages, window from 0: 14/15 tokens
	// 4 messages, window from 2: 11/15 tokens
	// tokens: newest user message exceeds the budget: it needs 19 tokens with the system messages, the budget allows 15 (max 25 - reserve 10)
}
