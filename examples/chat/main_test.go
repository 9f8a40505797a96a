package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"go.uber.org/goleak"
	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/internal/browsertest"
)

// The code highlighter's regexp engine (regexp2, under chroma) keeps a clock
// goroutine for its match timeouts that ends by itself about a second after
// the last highlighted block: not a leak of this program.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/dlclark/regexp2/v2.runClock"))
}

// TestExample drives the main job, `go run ./examples/chat`, in headless
// Chromium: the greeting with its suggestion cards, a card that streams the
// offline answer (a code block with a copy button), a table, /help and
// /clear. Screenshots go to $SHEEN_SCREENSHOTS (default
// /tmp/sheen-chat-screens).
func TestExample(t *testing.T) {
	browser := browsertest.New(t)
	app := NewApp(Offline{Delay: time.Millisecond}, sheen.WithLogger(zap.NewNop()))
	srv := browsertest.Serve(t, app)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := app.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	tab := browser.Tab(t)
	tab.OnNewDocument(`window.q = (s) => document.querySelector("#chat " + s);
		window.qa = (s) => [...document.querySelectorAll("#chat " + s)];
		window.msgs = () => qa(".sheen-chat-log > .sheen-chat-msg:not(.sheen-chat-greeting):not(.sheen-chat-pending)");
		window.last = () => msgs().at(-1);
		window.idle = () => !document.getElementById("chat").classList.contains("sheen-chat-locked");`)
	tab.Do(chromedp.Navigate(srv.URL + "/"))
	check := func(exprs ...string) {
		t.Helper()
		for _, x := range exprs {
			if !browsertest.Eval[bool](tab, "!!("+x+")") {
				t.Errorf("not true: %s", x)
			}
		}
	}
	shot := func(name string) {
		t.Helper()
		dir := os.Getenv("SHEEN_SCREENSHOTS")
		if dir == "" {
			dir = filepath.Join(os.TempDir(), "sheen-chat-screens")
		}
		if err := os.MkdirAll(dir, 0o755); err == nil {
			tab.JS(`Promise.all(document.getAnimations().filter((a) => isFinite(a.effect?.getComputedTiming().endTime)).map((a) => a.finished.catch(() => {})))`)
			tab.Screenshot(filepath.Join(dir, name+".png"))
		}
	}
	click := func(el string) {
		t.Helper()
		xy := browsertest.Eval[[]float64](tab, `(() => { const el = `+el+`; el.scrollIntoView({block: "nearest"}); const r = el.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()`)
		tab.Do(chromedp.MouseClickXY(xy[0], xy[1]))
	}
	send := func(text string) {
		t.Helper()
		tab.JS(`q(".sheen-chat-input").focus()`)
		tab.Do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, input.InsertText, input.InsertTextParams{Text: text})
			return err
		}))
		tab.Do(press(kb.Enter))
	}

	// The greeting, with four suggestion cards, and the model's name.
	tab.Wait(`document.documentElement.dataset.sheenState === "open" && qa(".sheen-chat-greeting .sheen-suggestion-cards .sheen-suggestion").length === 4`)
	check(`document.querySelector(".example-chat-model").textContent.includes("no model configured")`,
		`q(".sheen-chat-greeting").textContent.includes("no model is configured")`,
		`qa(".sheen-suggestion-card-title").map((e) => e.textContent).join() === "Explain,Code,Table,Reasoning"`)
	shot("example-greeting")

	// A card sends its text; the answer streams, with highlighted code and
	// copy buttons.
	click(`qa(".sheen-chat-greeting .sheen-suggestion").find((s) => s.textContent.trim() === "Show me some Go code")`)
	tab.Wait(`msgs()[0]?.textContent.trim() === "Show me some Go code"`)
	check(`!q(".sheen-chat-greeting")`)
	tab.Wait(`last()?.classList.contains("sheen-chat-assistant") && last().dataset.status === "done" && idle()`)
	check(`last().querySelectorAll("pre code").length === 2`,
		`last().querySelector("pre code").textContent.includes("chat.New(s, \"chat\")")`,
		`last().querySelectorAll("pre .sheen-chat-copy").length === 2`,
		`last().querySelectorAll("pre code span[class]").length > 10`) // highlighted
	click(`last().querySelector("pre .sheen-chat-copy")`)
	tab.Wait(`last().querySelector("pre .sheen-chat-copy").getAttribute("aria-label") === "Copied"`)
	shot("example-code")

	// A table.
	send("Compare sheen with shinychat in a table")
	tab.Wait(`last()?.querySelector("table") && last().dataset.status === "done" && idle()`)
	check(`[...last().querySelectorAll("th")].map((th) => th.textContent.trim()).join("|") === "|sheen|shinychat"`,
		`last().querySelectorAll("tbody tr").length === 6`)
	shot("example-table")

	// Thinking: a collapsed panel above the answer.
	send("Think step by step about streaming")
	tab.Wait(`last()?.querySelector("details.sheen-chat-thinking") && last().dataset.status === "done" && idle()`)
	check(`!last().querySelector("details.sheen-chat-thinking").open`,
		`last().querySelector(".sheen-chat-thinking-body").textContent.includes("Reasoning streams into a collapsible panel")`,
		`last().querySelector(".sheen-chat-content ol")`)

	// /help answers with the commands; the palette lists them.
	tab.JS(`q(".sheen-chat-input").focus()`)
	tab.Do(press("/"))
	tab.Wait(`qa(".sheen-chat-option").map((o) => o.dataset.command).join() === "clear,help"`)
	tab.Do(press("h" + kb.Tab))
	check(`q(".sheen-chat-input").value === "/help "`)
	tab.Do(press(kb.Enter))
	tab.Wait(`last()?.querySelector("h3")?.textContent === "Commands" && idle()`)
	check(`msgs().at(-2).querySelector(".sheen-chat-chip")?.textContent === "/help"`)
	shot("example-help")
	n := browsertest.Eval[int](tab, `msgs().length`)
	if n != 8 {
		t.Errorf("%d messages before /clear, want 8", n)
	}

	// /clear empties the chat and brings the greeting back. (The first Enter
	// picks the command in the palette, the second sends it.)
	send("/clear")
	check(`q(".sheen-chat-input").value === "/clear "`)
	tab.Do(press(kb.Enter))
	tab.Wait(`msgs().length === 0 && qa(".sheen-chat-greeting .sheen-suggestion-cards .sheen-suggestion").length === 4 && idle()`)
	shot("example-cleared")

	// Anything else: the offline responder says what it is.
	send("hello there")
	tab.Wait(`last()?.dataset.status === "done" && idle()`)
	check(`last().textContent.includes("no model is configured")`,
		`msgs().length === 2`, `msgs()[0].textContent.trim() === `+strconv.Quote("hello there"))
}

// press presses the keys one after the other as a keyboard does: a keyDown
// carrying the key's text, then a keyUp. (chromedp.KeyEvent sends the text
// in a separate char event, which Chromium inserts even when the page
// prevented the keydown.)
func press(keys string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, r := range keys {
			var down, up input.DispatchKeyEventParams
			for _, k := range kb.Encode(r) {
				switch k.Type {
				case input.DispatchKeyEventTypeKeyDown:
					down = *k
				case input.DispatchKeyEventTypeKeyUp:
					up = *k
				case input.DispatchKeyEventTypeChar:
					down.Text, down.UnmodifiedText = k.Text, k.UnmodifiedText
				}
			}
			for _, p := range []input.DispatchKeyEventParams{down, up} {
				if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, p); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
