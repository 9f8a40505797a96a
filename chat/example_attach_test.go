package chat_test

import (
	"context"
	"fmt"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
)

// A chat that takes images and PDFs up to 5 MB per message. The page may
// send frames that large because the app allows them.
func ExampleAllowAttachments() {
	server := func(s *sheen.Session) {
		c := chat.New(s, "chat",
			chat.AllowAttachments("image/*", "application/pdf"),
			chat.MaxAttachmentBytes(5<<20),
		)
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			for _, a := range in.Attachments { // only what the policy accepted
				_ = a.Data // a.Name, a.MIME: hand them to the model (see OpenAIMessages)
			}
			return c.AppendMessage(ctx, fmt.Sprintf("Got %d file(s).", len(in.Attachments)))
		})
	}
	app := sheen.New(sheen.Page("Chat", chat.UI("chat")), server,
		sheen.WithMaxFrame(8<<20), // 5 MB base64-encoded, and the JSON around it
	)
	_ = app // app.ListenAndServe("127.0.0.1:8000")
}
