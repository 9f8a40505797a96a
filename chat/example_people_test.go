package chat_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
)

// Several agents in one chat: each message names its author; the user's
// name and avatar come from the session; times are shown.
func ExampleStreamAuthor() {
	page := func(user string) []chat.Option {
		return []chat.Option{
			chat.UserName(user), chat.UserIcon(chat.AvatarInitials(user)),
			chat.AssistantName("Planner"), chat.Timestamps(),
		}
	}
	server := func(s *sheen.Session) {
		c := chat.New(s, "chat", page("Ada Lovelace")...) // e.g. the signed-in user's name
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			// The chat's default author (Planner) writes first…
			if err := c.AppendMessage(ctx, "I will ask the researcher."); err != nil {
				return err
			}
			// …then another agent, with its own name and avatar.
			st := c.AppendMessageStream(ctx, chat.FromStrings("Three sources found."),
				chat.StreamAuthor("Researcher"), chat.StreamIcon(chat.AvatarInitials("Researcher")))
			_, err := st.Wait(ctx)
			return err
		})
	}
	app := sheen.New(sheen.Page("Agents", chat.UI("chat", page("")...)), server)
	_ = app // app.ListenAndServe("127.0.0.1:8000")
}

func ExampleAvatarInitials() {
	fmt.Println(chat.AvatarInitials("Ada Lovelace"))
	fmt.Println(chat.AvatarImage("https://example.com/ada.png", "Ada"))
	fmt.Println(chat.AvatarImage("javascript:alert(1)", "x") == "")
	// Output:
	// <span class="sheen-chat-initials">AL</span>
	// <img src="https://example.com/ada.png" alt="Ada">
	// true
}

// Retrieval before the model: the user's question is shown as typed, the
// handlers (and the model) get it with the retrieved notes; a question
// about passwords is not answered at all.
func ExampleChat_TransformUserInput() {
	lookup := func(q string) string { return "Notes: the Analytical Engine was designed in 1837." }
	server := func(s *sheen.Session) {
		c := chat.New(s, "chat")
		c.TransformUserInput(func(ctx context.Context, in chat.Input) (string, bool, error) {
			if strings.Contains(strings.ToLower(in.Text), "password") {
				return "", false, nil // suspended: no handler runs
			}
			return lookup(in.Text) + "\n\nQuestion: " + in.Text, true, nil
		})
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			history := c.Messages() // user messages with their notes: what the model gets
			_ = chat.OpenAIMessages(history)
			return c.AppendMessage(ctx, "…the model's answer…")
		})
	}
	app := sheen.New(sheen.Page("RAG", chat.UI("chat")), server)
	_ = app
}
