package chat_test

import (
	"context"
	"testing"

	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/browsertest"
)

// TestBrowserChatLong: in a long transcript only the messages near the
// viewport are rendered; scrolling brings others in; the chat still opens
// at the bottom and follows new messages.
func TestBrowserChatLong(t *testing.T) {
	b := browsertest.New(t)
	msgs := longTranscript(1000)
	opts := []chat.Option{chat.Messages(msgs...), chat.Size("100%", "600px")}
	p := openChat(t, b, opts, nil)
	p.JS(`window.rendered = () => msgs().filter((m) => getComputedStyle(m).contentVisibility !== "hidden")`)
	p.Wait(`msgs().length === 1000 && atBottom()`)
	p.settle()
	p.check(
		`rendered().length > 3 && rendered().length < 80`,
		`rendered().includes(last())`,
		`getComputedStyle(msgs()[0]).contentVisibility === "hidden"`,
		// Hidden messages keep their text in the DOM.
		`msgs()[0].textContent.includes("Question 0")`,
	)
	p.JS(`sc().scrollTop = 0`)
	p.Wait(`rendered().includes(msgs()[0]) && !rendered().includes(last())`)
	p.check(`rendered().length < 80`)
	// Back to the bottom, and a new message is followed.
	p.JS(`sc().scrollTop = sc().scrollHeight`)
	p.Wait(`rendered().includes(last()) && atBottom()`)
	if err := p.chat.AppendMessage(context.Background(), "the newest answer"); err != nil {
		t.Fatal(err)
	}
	p.Wait(`lastText() === "the newest answer" && atBottom() && rendered().includes(last())`)
}
