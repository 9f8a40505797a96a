package chat_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"go.uber.org/zap/zaptest"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/a11y"
	"github.com/sheenhq/sheen/internal/browsertest"
	"github.com/sheenhq/sheen/store/sqlite"
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

// longHelpers are the long-transcript tests' shorthands in the page.
const longHelpers = `(() => {
	window.rendered = () => msgs().filter((m) => getComputedStyle(m).display !== "none");
	// Whether the rendered messages cover the viewport: no spacer shows in it.
	window.covered = () => { const b = sc().getBoundingClientRect(); return !qa(".sheen-chat-spacer").some((s) => { const r = s.getBoundingClientRect(); return r.height > 0 && r.bottom > b.top + 1 && r.top < b.bottom - 1; }); };
	// The indices of the messages in view.
	window.inView = () => { const b = sc().getBoundingClientRect(); return msgs().flatMap((m, i) => { const r = m.getBoundingClientRect(); return r.height > 0 && r.bottom > b.top && r.top < b.bottom ? [i] : []; }); };
	// The first message in view and where it is on the screen.
	window.firstInView = () => { const i = inView()[0]; return i === undefined ? "none" : i + "@" + Math.round(msgs()[i].getBoundingClientRect().top) + "/" + sc().scrollTop; };
	// Scrolls by dy, steps times, each after the frames that follow the
	// last: the largest difference between where the message in the middle
	// of the view moved and the scroll (0: it moved exactly by the scroll).
	window.drift = async (steps, dy) => {
		const s = sc();
		let worst = 0;
		for (let i = 0; i < steps; i++) {
			const box = s.getBoundingClientRect();
			const m = msgs().find((x) => { const r = x.getBoundingClientRect(); return r.height > 0 && r.bottom > box.top + box.height / 3; });
			if (!m) return "no message in the middle of the view at step " + i;
			const y = m.getBoundingClientRect().top, top = s.scrollTop;
			s.scrollTop += dy;
			const by = s.scrollTop - top;
			await frames(3);
			if (!covered()) return "a spacer in view at step " + i;
			worst = Math.max(worst, Math.abs(m.getBoundingClientRect().top - (y - by)));
		}
		return worst;
	};
})()`

// steady fails the test unless the first message in view stays where it is
// on the screen, with the same scroll position, for ten frames: the window
// has settled where it landed.
func steady(p *chatTab) {
	p.t.Helper()
	got := p.eval(`(async () => { const a = firstInView(); for (let i = 0; i < 5; i++) { await frames(2); const b = firstInView(); if (b !== a) return a + " then " + b; } return "steady"; })()`)
	if got != "steady" {
		p.t.Fatalf("the view moved by itself: %v", got)
	}
}

// noDrift fails the test unless scrolling by dy, steps times, moves the
// message in view by exactly the scroll each time.
func noDrift(p *chatTab, steps, dy int) {
	p.t.Helper()
	got := p.eval(fmt.Sprintf(`drift(%d, %d)`, steps, dy))
	if v, ok := got.(float64); !ok || v > 2 {
		p.t.Fatalf("scrolling by %d px: %v (the largest difference in px between the scroll and the move of the message in view)", dy, got)
	}
}

// TestBrowserChatLongJumps: in a conversation of 10,000 messages the jumps
// a reader makes land on messages and stay there: the scroll bar dragged to
// the middle (scrollTop set directly), to the top, "Jump to latest", the
// scroll bar dragged to the end; scrolling from the middle moves the
// messages by exactly the scroll; a reply streamed at the bottom is
// followed.
func TestBrowserChatLongJumps(t *testing.T) {
	b := browsertest.New(t)
	feed := make(chan string)
	opts := []chat.Option{chat.Messages(longTranscript(10000)...), chat.Size("100%", "600px")}
	p := openLong(t, b, opts, func(s *sheen.Session, c *chat.Chat) {
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			_, err := c.AppendMessageStream(ctx, fed(ctx, feed)).Wait(ctx)
			return err
		})
	}, longHelpers)
	if err := p.WaitTimeout(`document.querySelector("#chat").hasAttribute("data-synced") && msgs().length === 10000 && atBottom() && covered()`, 2*time.Minute); err != nil {
		t.Fatalf("opening 10,000 messages: %v", err)
	}
	steady(p)
	p.check(`rendered().length > 3 && rendered().length < 80`, `rendered().includes(last())`)

	// The scroll bar dragged to the middle.
	p.JS(`sc().scrollTop = sc().scrollHeight / 2`)
	p.Wait(`covered() && inView().length > 0`)
	steady(p)
	p.check(`rendered().length < 80`, `inView()[0] > 3000 && inView()[0] < 7000`)
	// Scrolling from there, up into messages never shown and down again.
	noDrift(p, 8, -450)
	noDrift(p, 8, 450)
	noDrift(p, 8, 450)

	// The top.
	p.JS(`sc().scrollTop = 0`)
	p.Wait(`covered() && inView()[0] === 0`)
	steady(p)
	p.check(`sc().scrollTop === 0`, `rendered().length < 80`, `msgs()[0].getBoundingClientRect().top - sc().getBoundingClientRect().top < 40`)

	// Jump to latest.
	p.Wait(`!q(".sheen-chat-jump").hidden`)
	p.clickOn("#chat .sheen-chat-jump")
	p.Wait(`atBottom() && covered() && rendered().includes(last())`)
	steady(p)
	p.check(`atBottom()`, `q(".sheen-chat-jump").hidden`)

	// A third of the way down, then the scroll bar dragged to the end.
	p.JS(`sc().scrollTop = sc().scrollHeight / 3`)
	p.Wait(`covered() && !atBottom() && inView().length > 0`)
	steady(p)
	p.JS(`sc().scrollTop = sc().scrollHeight`)
	p.Wait(`atBottom() && covered() && rendered().includes(last())`)
	steady(p)
	p.check(`atBottom()`)

	// A reply streamed at the bottom is followed.
	p.setInput("one more question")
	p.Do(press(kb.Enter))
	for i := 1; i <= 12; i++ {
		feed <- fmt.Sprintf("Paragraph %d. %s\n\n", i, strings.Repeat("A line of a long streamed answer. ", 4))
		p.Wait(fmt.Sprintf(`lastText()?.includes("Paragraph %d.") && msgs().length === 10002`, i))
		p.settle()
		p.check(`atBottom()`, `covered()`)
	}
	close(feed)
	p.Wait(`last().dataset.status === "done"`)
	p.settle()
	p.check(`atBottom()`, `covered()`, `rendered().length < 80`, `texts()[10000] === "one more question"`)
}

// TestBrowserChatLongReload: a saved conversation of 2,000 messages opens
// at its bottom when the page is reloaded (the server's transcript, from
// the store, replaces the page's), even after the reader scrolled to the
// top before. (2,000, not 10,000: the store's write of a new conversation
// of 10,000 messages does not end within its deadline under -race.)
func TestBrowserChatLongReload(t *testing.T) {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "chat.db"))
	if err != nil {
		t.Fatal(err)
	}
	h := chat.NewHistory(st, chat.HistoryLogger(zaptest.NewLogger(t)))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = h.Shutdown(ctx)
		_ = st.Close()
	})
	b := browsertest.New(t)
	opts := []chat.Option{chat.Messages(longTranscript(2000)...), chat.Size("100%", "600px"), chat.WithHistory(h)}
	p := openLong(t, b, opts, func(s *sheen.Session, c *chat.Chat) {
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			return c.AppendMessage(ctx, chat.Text("the saved answer"))
		})
	}, longHelpers)
	if err := p.WaitTimeout(`document.querySelector("#chat").hasAttribute("data-synced") && msgs().length === 2000 && atBottom()`, 2*time.Minute); err != nil {
		t.Fatalf("opening 2,000 messages: %v", err)
	}
	p.setInput("keep this")
	p.Do(press(kb.Enter))
	p.Wait(`lastText() === "the saved answer" && !!new URL(location.href).searchParams.get("c")`)
	if err := h.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	p.JS(`sc().scrollTop = 0`)
	p.Wait(`covered() && inView()[0] === 0`)

	reload, cancel := context.WithTimeout(p.Context(), 3*time.Minute)
	defer cancel()
	if err := chromedp.Do(reload, chromedp.Reload()); err != nil {
		t.Fatalf("reloading: %v", err)
	}
	// A page of 2,000 messages and then the server's 2,002 load slowly on
	// a loaded machine (and more slowly under -race).
	if err := p.WaitTimeout(`document.querySelector("#chat")?.hasAttribute("data-synced") && msgs().length === 2002 && lastText() === "the saved answer"`, 2*time.Minute); err != nil {
		t.Fatalf("the reloaded page: %v: %v", err, p.eval(`location.href + " " + msgs().length + " " + lastText()`))
	}
	p.Wait(`atBottom() && covered() && rendered().includes(last())`)
	steady(p)
	p.check(`atBottom()`, `rendered().length < 80`, `q(".sheen-chat-jump").hidden`)
}

// TestBrowserChatLongSlowCPU: the scroll-stability check with the page's
// CPU slowed down 8× (DevTools' CPU throttling), so that every frame is
// slow, as under -race on a loaded machine: the rendered messages still
// cover the viewport after every step, and the message in view moves by
// exactly the scroll.
func TestBrowserChatLongSlowCPU(t *testing.T) {
	b := browsertest.New(t)
	opts := []chat.Option{chat.Messages(longTranscript(1000)...), chat.Size("100%", "600px")}
	p := openChat(t, b, opts, nil, longHelpers)
	p.Wait(`document.querySelector("#chat").hasAttribute("data-synced") && msgs().length === 1000 && atBottom() && covered()`)
	p.settle()
	throttleCPU(p, 8)
	noDrift(p, 15, -450)
	noDrift(p, 10, 450)
	throttleCPU(p, 1)
}

// throttleCPU slows the tab's CPU down rate times (1: full speed).
func throttleCPU(p *chatTab, rate float64) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.Context(), browsertest.Timeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: rate}); err != nil {
		p.t.Fatalf("throttling the CPU: %v", err)
	}
}

// TestBrowserChatLongFocus: a message holding the keyboard focus, or the
// text selection, stays rendered when the window moves far from it (the
// focus is not lost, the selection can still be copied); once they leave
// it, it is far like any other.
func TestBrowserChatLongFocus(t *testing.T) {
	b := browsertest.New(t)
	opts := []chat.Option{chat.Messages(longTranscript(1000)...), chat.Size("100%", "600px")}
	p := openChat(t, b, opts, nil, longHelpers)
	p.Wait(`document.querySelector("#chat").hasAttribute("data-synced") && msgs().length === 1000 && atBottom() && covered()`)
	p.settle()
	// The focus on a code block's Copy button near the bottom.
	p.JS(`window.btn = rendered().map((m) => m.querySelector(".sheen-chat-copy")).filter(Boolean).at(-1); btn.focus(); window.holder = btn.closest(".sheen-chat-msg")`)
	p.check(`document.activeElement === btn`)
	p.JS(`sc().scrollTop = 0`)
	p.Wait(`covered() && inView()[0] === 0`)
	steady(p)
	p.check(`document.activeElement === btn`, `getComputedStyle(holder).display !== "none"`, `rendered().length < 80`, `!rendered().includes(msgs()[500])`)
	// The text of a message near the top selected, and the view at the bottom.
	p.JS(`(() => { const r = document.createRange(); r.selectNodeContents(msgs()[1].querySelector(".sheen-chat-content")); getSelection().removeAllRanges(); getSelection().addRange(r); })()`)
	p.JS(`btn.blur(); sc().scrollTop = sc().scrollHeight`)
	p.Wait(`atBottom() && covered() && rendered().includes(last())`)
	steady(p)
	p.check(`getComputedStyle(msgs()[1]).display !== "none"`, `getSelection().toString().includes("Part 1 turns the mill")`, `!rendered().includes(msgs()[500])`)
	// Neither any more: both far again once the window moves.
	p.JS(`getSelection().removeAllRanges(); sc().scrollTop = sc().scrollHeight / 2`)
	p.Wait(`covered() && getComputedStyle(msgs()[1]).display === "none" && getComputedStyle(holder).display === "none"`)
	steady(p)
	// axe finds nothing wrong with the chat mid-scroll (far messages,
	// spacers); the rules about the page's landmarks and heading are the
	// bare test page's (examples/chat's test checks a whole page).
	for _, v := range a11y.Check(t, p.Tab) {
		switch v.ID {
		case "landmark-one-main", "page-has-heading-one", "region":
		default:
			t.Errorf("axe: %s", v)
		}
	}
}

// openLong is openChat with generous timeouts: a page of 10,000 messages
// is slow to render on the server and to load in the browser on a loaded
// machine, more so under -race.
func openLong(t *testing.T, b *browsertest.Browser, opts []chat.Option, setup liveSetup, scripts ...string) *chatTab {
	t.Helper()
	return openChatWithin(t, b, 3*time.Minute,
		`document.documentElement.dataset.sheenState === "open" && document.querySelector("#chat").hasAttribute("data-synced") && !!ta()`,
		opts, setup, scripts...)
}
