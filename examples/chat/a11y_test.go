package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/internal/a11y"
	"github.com/sheenhq/sheen/internal/browsertest"
)

// TestAccessibility runs axe-core on the example's page, in the light and
// the dark theme, wide and narrow: with a conversation in the sidebar and
// the transcript (code, a table, suggestions, a tool card and the metrics
// line), and with the command palette
// open. No rule may fail.
func TestAccessibility(t *testing.T) {
	h := testHistory(t)
	srv := browsertest.ServeApp(t, NewApp(Offline{Delay: time.Millisecond}, h, sheen.WithLogger(zap.NewNop()), h.PageCheck()))
	browser := browsertest.New(t)
	for _, tc := range []struct {
		name   string
		scheme string
		width  int64
	}{
		{"light", "light", 1200},
		{"dark", "dark", 1200},
		{"light narrow", "light", 390},
		{"dark narrow", "dark", 390},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab := browser.Tab(t)
			tab.Do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
					Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: tc.scheme}},
				})
				return err
			}), chromedp.EmulateViewport(tc.width, 800))
			tab.OnNewDocument(chatJS)
			tab.Do(chromedp.Navigate(srv.URL + "/"))
			tab.Wait(`document.documentElement.dataset.sheenState === "open"`)
			send(t, tab, "Show me some Go code")
			tab.Wait(`cParam() !== "" && msgs().length === 2 && last().dataset.status === "done" && idle()`)
			send(t, tab, "Compare sheen with shinychat in a table")
			tab.Wait(`msgs().length === 4 && !!last().querySelector("table") && last().dataset.status === "done" && idle()`)
			send(t, tab, "What is the weather in Paris?")
			tab.Wait(`msgs().length === 6 && last().dataset.status === "done" && idle()`)
			tab.JS(`q(".sheen-chat-tool-card").open = true`) // a tool card, opened
			report(t, "transcript", a11y.Check(t, tab))
			send(t, tab, "Plot bars with a table") // live UI: a chart, a slider, a sortable table
			tab.Wait(`msgs().length === 8 && !!last().querySelector(".sheen-chat-ui .sheen-chart svg") && !!last().querySelector(".sheen-chat-ui table") && idle()`)
			report(t, "live chart", a11y.Check(t, tab))

			tab.JS(`q(".sheen-chat-input").focus()`)
			tab.Do(browsertest.Press("/"))
			tab.Wait(`!q(".sheen-chat-palette").hidden`)
			report(t, "palette open", a11y.Check(t, tab))

			// The message actions: an answer regenerated (the pager), a
			// rating's comment box and a question being edited.
			tab.JS(`(() => { const i = q(".sheen-chat-input"); i.value = ""; i.dispatchEvent(new Event("input", {bubbles: true})); i.blur(); })()`)
			tab.JS(`last().querySelector(".sheen-chat-action-regenerate").click()`)
			tab.Wait(`!!q(".sheen-chat-pager") && last().dataset.status === "done" && idle()`)
			tab.JS(`last().querySelector(".sheen-chat-action-up").click()`)
			tab.Wait(`!!q(".sheen-chat-feedback")`)
			tab.JS(`msgs()[0].querySelector(".sheen-chat-action-edit").click()`)
			tab.Wait(`!!q(".sheen-chat-edit")`)
			// (The jump button may be fading in: checked once it has.)
			tab.Wait(`(() => { const j = q(".sheen-chat-jump"); return j.hidden || getComputedStyle(j).opacity === "1"; })()`)
			report(t, "actions", a11y.Check(t, tab))
			tab.SaveScreenshot(screenshotDir(), "a11y-"+strings.ReplaceAll(tc.name, " ", "-"))
			tab.Do(browsertest.Press("Escape"))
			tab.JS(`q(".sheen-chat-input").value = ""; q(".sheen-chat-input").dispatchEvent(new Event("input", {bubbles: true}))`)

			// Attachments: the tray, then the sent files and the offline
			// responder's account of them.
			tab.JS(`(() => { const dt = new DataTransfer();
				const c = document.createElement("canvas"); c.width = 64; c.height = 48;
				const g = c.getContext("2d"); g.fillStyle = "#3a7"; g.fillRect(0, 0, 64, 48);
				const png = Uint8Array.from(atob(c.toDataURL("image/png").split(",")[1]), (x) => x.charCodeAt(0));
				dt.items.add(new File([png], "green.png", {type: "image/png"}));
				dt.items.add(new File(["a,b\n1,2\n"], "data.csv", {type: "text/csv"}));
				q(".sheen-chat-log").dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true})); })()`)
			tab.Wait(`[...document.querySelectorAll("#chat .sheen-chat-tray .sheen-chat-file")].map((e) => e.dataset.state).join() === "done,done"`)
			report(t, "tray", a11y.Check(t, tab))
			tab.JS(`q(".sheen-chat-send").click()`)
			tab.Wait(`msgs().length === 10 && last().dataset.status === "done" && idle()`)
			tab.Check(`last().textContent.includes("I received 2 file(s)")`, `last().textContent.includes("a PNG image, 64 × 48 px")`,
				`msgs().at(-2).querySelectorAll(".sheen-chat-file").length === 2`)
			report(t, "sent files", a11y.Check(t, tab))
			tab.SaveScreenshot(screenshotDir(), "a11y-attach-"+strings.ReplaceAll(tc.name, " ", "-"))
		})
	}
}

// report fails the test with each violation.
func report(t *testing.T, state string, vs []a11y.Violation) {
	t.Helper()
	for _, v := range vs {
		t.Errorf("%s: %s", state, v)
	}
}
