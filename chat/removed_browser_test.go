package chat_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp/kb"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/browsertest"
)

// TestBrowserRemovedContent: a message the sanitizer empties shows a small
// muted "(content removed)" instead of an empty bubble, appended and
// streamed alike; a message with content shows none.
func TestBrowserRemovedContent(t *testing.T) {
	b := browsertest.New(t)
	p := openChat(t, b, nil, func(s *sheen.Session, c *chat.Chat) {
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			if err := c.AppendMessage(ctx, `<script>pwn()</script><iframe src="javascript:pwn()"></iframe>`); err != nil {
				return err
			}
			_, err := c.AppendMessageStream(ctx, chat.FromStrings(`<script>pwn()`, `</script>`)).Wait(ctx)
			return err
		})
	})
	p.setInput("<script>pwn()</script>")
	p.Do(press(kb.Enter))
	p.Wait(`msgs().length === 3 && msgs().every((m) => m.dataset.status !== undefined || m.classList.contains("sheen-chat-user"))`)
	p.idle()
	// The user's own text is shown literally: nothing is removed from it.
	p.check(`msgs()[0].querySelector(".sheen-chat-removed") === null`)
	for _, i := range []string{"1", "2"} { // appended, streamed
		m := `msgs()[` + i + `]`
		p.check(m+`.querySelector(".sheen-chat-removed")?.textContent === "(content removed)"`,
			`getComputedStyle(`+m+`.querySelector(".sheen-chat-removed")).fontStyle === "italic"`,
			m+`.querySelector(".sheen-chat-removed").title !== ""`)
	}
	p.check(`__pwned === 0`)

	// Content that shows something gets no placeholder.
	p.setInput("hello")
	p.Do(press(kb.Enter))
	p.Wait(`msgs().length === 6`)
	p.idle()
	p.check(`msgs()[3].querySelector(".sheen-chat-removed") === null`)
}
