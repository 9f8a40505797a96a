package chat_test

import (
	"context"
	"log"
	"strings"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
)

// Thumbs up and down on every answer, with the user's optional comment,
// logged with the message they rate.
func ExampleChat_OnFeedback() {
	server := func(s *sheen.Session) {
		c := chat.New(s, "chat")
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			return c.AppendMessage(ctx, "You said: "+in.Text)
		})
		c.OnFeedback(func(ctx context.Context, e chat.FeedbackEvent) error {
			log.Printf("message %s rated %q (%q): %s", e.Message.ID, e.Feedback.Rating, e.Feedback.Comment, e.Message.Content)
			return nil
		})
	}
	_ = sheen.New(sheen.Page("Chat", chat.UI("chat")), server)
}

// The app's own buttons: one on every answer, one on the input row.
func ExampleChat_AddAction() {
	server := func(s *sheen.Session) {
		c := chat.New(s, "chat")
		c.AddAction(chat.Action{
			Name: "shout", Label: "Shout", Tooltip: "Repeat this answer in capitals",
			Icon:  `<svg viewBox="0 0 24 24" width="1em" height="1em"><path d="M4 12h16" stroke="currentColor" stroke-width="2"/></svg>`,
			Roles: []chat.Role{chat.Assistant},
			Run: func(ctx context.Context, m chat.Message) error {
				return c.AppendMessage(ctx, strings.ToUpper(m.Content))
			},
		})
		c.AddAction(chat.Action{
			Name: "draft", Label: "Save draft", // no Roles: the input row
			Run: func(ctx context.Context, m chat.Message) error {
				log.Printf("draft: %s", m.Content) // the input's text
				return nil
			},
		})
	}
	_ = sheen.New(sheen.Page("Chat", chat.UI("chat")), server)
}

// A read-only transcript: copy and feedback only.
func ExampleWithoutActions() {
	server := func(s *sheen.Session) {
		_ = chat.New(s, "chat", chat.WithoutActions(chat.ActionRegenerate, chat.ActionEdit,
			chat.ActionDelete, chat.ActionUndo, chat.ActionClear))
	}
	_ = sheen.New(sheen.Page("Chat", chat.UI("chat")), server)
}

// A slash command that answers the last question again, and the answers
// kept for it.
func ExampleChat_Regenerate() {
	server := func(s *sheen.Session) {
		c := chat.New(s, "chat")
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			return c.AppendMessage(ctx, "An answer to "+in.Text)
		})
		_ = c.SlashCommand("again", "Answer the last question again", func(ctx context.Context, args string) error {
			c.Regenerate()
			return nil
		}, chat.Echo(false))
	}
	_ = sheen.New(sheen.Page("Chat", chat.UI("chat")), server)
}

// Every answer the user generated for a question; Messages holds only the
// one shown.
func ExampleChat_Alternatives() {
	var c *chat.Chat // bound in the server function
	for _, m := range c.Messages() {
		if m.Role != chat.User {
			continue
		}
		answers, shown := c.Alternatives(m.ID)
		for i, a := range answers {
			log.Printf("answer %d of %d to %q (shown: %v): %d message(s)", i+1, len(answers), m.Content, i == shown, len(a))
		}
	}
}

// Edit, delete and undo from Go, as the page's buttons do.
func ExampleChat_EditMessage() {
	var c *chat.Chat // bound in the server function
	msgs := c.Messages()
	if len(msgs) > 0 && msgs[0].Role == chat.User {
		c.EditMessage(msgs[0].ID, "A better first question") // cut after it and answered again
	}
	if n := len(msgs); n > 1 {
		c.DeleteMessage(msgs[n-1].ID)
	}
	c.Undo() // the last question and its answer
}
