package chat_test

import (
	"context"
	"fmt"
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
	p.JS(`window.rendered = () => msgs().filter((m) => getComputedStyle(m).display !== "none")`)
	p.Wait(`msgs().length === 1000 && atBottom()`)
	p.settle()
	p.check(
		`rendered().length > 3 && rendered().length < 80`,
		`rendered().includes(last())`,
		`getComputedStyle(msgs()[0]).display === "none"`,
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

// TestBrowserChatLongScrollStable: scrolling up through a long transcript
// into messages never rendered (whose spacer height was an estimate) moves
// the message in view by exactly the scroll: their real heights do not make
// the page jump.
func TestBrowserChatLongScrollStable(t *testing.T) {
	b := browsertest.New(t)
	msgs := longTranscript(1000)
	opts := []chat.Option{chat.Messages(msgs...), chat.Size("100%", "600px")}
	p := openChat(t, b, opts, nil)
	// The server's transcript has replaced the page's (it would replace the
	// messages measured during the scroll).
	p.Wait(`document.querySelector("#chat").hasAttribute("data-synced") && msgs().length === 1000 && atBottom()`)
	p.settle()
	p.JS(`(async () => {
		const s = sc();
		let worst = 0, steps = 0;
		for (let i = 0; i < 15 && s.scrollTop > 1000; i++) {
			const box = s.getBoundingClientRect();
			const m = msgs().find((x) => { const r = x.getBoundingClientRect(); return r.height > 0 && r.bottom > box.top + box.height / 3; });
			if (!m) return "no message in the middle of the view at step " + i + " top " + s.scrollTop + " h " + s.scrollHeight + " rendered " + msgs().filter((x) => x.getBoundingClientRect().height > 0).map((x) => msgs().indexOf(x) + ":" + Math.round(x.getBoundingClientRect().top - box.top)).join(",") + " log " + document.querySelector(".sheen-chat-log").style.cssText;
			const y = m.getBoundingClientRect().top;
			s.scrollTop -= 450;
			await frames(3);
			worst = Math.max(worst, Math.abs(m.getBoundingClientRect().top - (y + 450)));
			steps++;
		}
		return steps >= 12 ? worst : "too few steps: " + steps;
	})().then((v) => { window.drifted = v; }, (e) => { window.drifted = String(e); }), undefined`)
	p.Wait(`window.drifted !== undefined`)
	if got := p.eval(`drifted`); fmt.Sprint(got) != "0" {
		if v, ok := got.(float64); !ok || v > 2 {
			t.Fatalf("the message in view moved %v px more (or less) than the scroll", got)
		}
	}
}
