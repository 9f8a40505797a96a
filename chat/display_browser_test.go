package chat_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/browsertest"
)

// TestBrowserChatDisplay: the display options and the input's server-side
// switches, in real Chromium.
func TestBrowserChatDisplay(t *testing.T) {
	b := browsertest.New(t)
	opts := []chat.Option{
		chat.ThinkingIndicator("Consulting the archive…", 1500*time.Millisecond),
		chat.HideSendButton(), chat.KeepInput(), chat.ScrollThresholds(60, 200),
		chat.Header("<h2>Archive desk</h2>"), chat.ContainerClass("my-chat"),
		chat.ContainerAttr("data-app", "x"), chat.ContainerAttr("id", "evil"), chat.ContainerAttr("data-cancel", "false"),
		chat.Size("100%", "500px"),
	}
	release := make(chan string)
	begin := make(chan struct{}) // the model's first words
	p := openChat(t, b, opts, func(s *sheen.Session, c *chat.Chat) {
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			select {
			case <-begin:
			case <-ctx.Done():
				return ctx.Err()
			}
			_, err := c.AppendMessageStream(ctx, fed(ctx, release)).Wait(ctx)
			return err
		})
	}, `(() => {
		window.__pendingAt = 0; window.__submitAt = 0;
		document.addEventListener("keydown", (e) => { if (e.key === "Enter") window.__submitAt = performance.now(); }, true);
		new MutationObserver(() => { if (!__pendingAt && document.querySelector("#chat .sheen-chat-pending")) __pendingAt = performance.now(); })
			.observe(document, {childList: true, subtree: true});
	})()`)
	if p.chat.LatestStream() != nil {
		t.Error("LatestStream before any stream is not nil")
	}
	p.check(
		`q(".sheen-chat-header h2")?.textContent === "Archive desk" && !q(".sheen-chat-header").hidden`,
		`document.getElementById("chat").classList.contains("my-chat") && document.getElementById("chat").dataset.app === "x"`,
		`document.getElementById("chat").dataset.cancel === "true"`, // the chat's own attributes are not overridden
		`q(".sheen-chat-send").hidden`,
		// The header is above the transcript.
		`q(".sheen-chat-header").getBoundingClientRect().bottom <= sc().getBoundingClientRect().top + 1`,
	)

	p.typeText("first")
	p.Do(press(kb.Enter))
	// The indicator shows once the delay has passed, with its text.
	p.Wait(`!!q(".sheen-chat-pending")`)
	p.shot("display-pending")
	p.check(
		`__pendingAt - __submitAt >= 1400`,
		`q(".sheen-chat-pending-text").textContent === "Consulting the archive…"`,
		`q(".sheen-chat-pending .sheen-chat-dots").getAttribute("aria-label") === "Consulting the archive…"`,
		`ta().value === "first"`, // kept after sending
	)
	close(begin)
	release <- "the first answer"
	p.Wait(`!q(".sheen-chat-pending") && lastText() === "the first answer"`)
	s := p.chat.LatestStream()
	if s == nil {
		t.Fatal("LatestStream is nil after a stream")
	}
	release <- " (end)"
	p.Wait(`lastText() === "the first answer (end)"`)
	close(release)
	if text, err := s.Wait(context.Background()); err != nil || text != "the first answer (end)" {
		t.Errorf("LatestStream().Wait() = %q, %v", text, err)
	}
	if st := s.Status(); st != chat.StreamDone {
		t.Errorf("LatestStream().Status() = %v", st)
	}
	p.idle()

	// Disabled from the server, with a reason; the draft stays; a submit is
	// not sent; enabled again.
	p.chat.SetInputDisabled(true, "Daily limit reached; try again tomorrow.")
	p.Wait(`ta().disabled && q(".sheen-chat-off").textContent === "Daily limit reached; try again tomorrow." && !q(".sheen-chat-off").hidden`)
	p.check(`ta().value === "first"`)
	p.shot("display-disabled")
	p.JS(`ta().dispatchEvent(new KeyboardEvent("keydown", {key: "Enter", bubbles: true, cancelable: true}))`)
	p.settle()
	p.check(`msgs().length === 2`)
	p.chat.SetInputDisabled(false, "")
	p.Wait(`!ta().disabled && q(".sheen-chat-off").hidden`)

	// Follow within 60 px of the bottom; the jump button beyond 200 px.
	for i := range 30 {
		if err := p.chat.AppendMessage(context.Background(), fmt.Sprintf("filler %d\n\nmore text to make it tall", i)); err != nil {
			t.Fatal(err)
		}
	}
	p.Wait(`msgs().length === 32 && atBottom()`)
	p.JS(`sc().scrollTop -= 40`)
	p.settle()
	p.check(`q(".sheen-chat-jump").hidden`)
	if err := p.chat.AppendMessage(context.Background(), "followed"); err != nil {
		t.Fatal(err)
	}
	p.Wait(`lastText() === "followed" && atBottom()`) // 40 px up still follows
	p.JS(`sc().scrollTop -= 120`)
	p.settle()
	p.check(`q(".sheen-chat-jump").hidden`) // 120 px: no jump button yet
	p.JS(`sc().scrollTop -= 200`)
	p.Wait(`!q(".sheen-chat-jump").hidden`)
}
