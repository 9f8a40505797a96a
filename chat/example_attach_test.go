package chat_test

import (
	"context"
	"fmt"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
)

// A chat that takes images and PDFs, up to 5 MB per file and 4 files per
// message. The page gets an attach button, paste and drop; files upload
// over HTTP to the session's endpoint and arrive checked.
func ExampleAllowAttachments() {
	server := func(s *sheen.Session) {
		c := chat.New(s, "chat",
			chat.AllowAttachments("image/*", "application/pdf"),
			chat.MaxAttachmentFile(5<<20),
			chat.MaxAttachments(4),
		)
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			for _, a := range in.Attachments { // only what the policy accepted
				_ = a.Data // a.Name, a.MIME, a.Size: hand them to the model (see OpenAIMessages)
			}
			return c.AppendMessage(ctx, fmt.Sprintf("Got %d file(s).", len(in.Attachments)))
		})
	}
	app := sheen.New(sheen.Page("Chat", chat.UI("chat", chat.AllowAttachments("image/*", "application/pdf"))), server)
	_ = app // app.ListenAndServe("127.0.0.1:8000")
}
