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
	"github.com/sheenhq/sheen/internal/browsertest"
)

// plotJS are the helpers of the plot test: the chart's line, the slider.
const plotJS = `window.part = () => last()?.querySelector(".sheen-chat-ui");
	window.line = () => part()?.querySelector(".sheen-chart-line")?.getAttribute("d") || "";
	window.slider = () => part()?.querySelector("input[type=range]");
	window.slide = (v) => { const s = slider(); s.value = String(v); s.dispatchEvent(new Event("input", {bubbles: true})); s.dispatchEvent(new Event("change", {bubbles: true})); };`

// TestPlotBrowser: "plot …" answers with a chart and a slider inside the
// streamed message; moving the slider draws the chart again, live; the
// chart passes the page's CSP (no violation); a reload shows the message's
// last snapshot, marked as no longer live, with its slider disabled; a
// second tab showing the conversation sees a snapshot while the first
// stays live.
func TestPlotBrowser(t *testing.T) {
	h := testHistory(t)
	srv := browsertest.ServeApp(t, NewApp(Offline{Delay: time.Millisecond}, h, sheen.WithLogger(zap.NewNop()), h.PageCheck()))
	browser := browsertest.New(t)
	shots := screenshotDir()

	tab := historyTab(t, browser, srv.URL+"/")
	tab.OnNewDocument(plotJS)
	tab.JS(plotJS)
	tab.JS(`window.__csp = []; document.addEventListener("securitypolicyviolation", (e) => __csp.push(e.violatedDirective + " " + e.blockedURI))`)
	send(t, tab, "Plot a sine wave")
	tab.Wait(`last()?.dataset.status === "done" && idle() && line() !== "" && !!slider()`)
	tab.Check(
		`last().querySelector(".sheen-chat-content").textContent.includes("sin(f·x)")`,
		`part().querySelector(".sheen-chart-title").textContent === "sin(1·x) and cos(1·x)"`,
		`slider().id.startsWith("ui") && slider().id.endsWith("_k")`, // namespaced
		`!part().classList.contains("sheen-chat-ui-snapshot")`,
	)
	before := browsertest.Eval[string](tab, `line()`)
	tab.JS(`slide(3)`)
	tab.Wait(`part().querySelector(".sheen-chart-title").textContent === "sin(3·x) and cos(3·x)"`)
	if browsertest.Eval[string](tab, `line()`) == before {
		t.Fatal("the chart did not change with the slider")
	}
	tab.Check(`__csp.length === 0`)

	for _, theme := range []string{"light", "dark"} {
		tab.Do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: theme}},
			})
			return err
		}))
		for _, w := range []int64{1200, 390} {
			tab.Do(chromedp.EmulateViewport(w, 900))
			tab.JS(`part().scrollIntoView({block: "center"})`)
			tab.JS(`new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))`)
			tab.SaveScreenshot(shots, "plot-"+theme+"-"+itoa(w))
		}
	}
	tab.Do(chromedp.EmulateViewport(1200, 900))

	// A second tab on the same conversation: a snapshot of the live UI,
	// which follows the first tab's changes.
	u := browsertest.Eval[string](tab, `location.href`)
	other := historyTab(t, browser, u)
	other.OnNewDocument(plotJS)
	other.JS(plotJS)
	other.Wait(`idle() && !!part()?.classList.contains("sheen-chat-ui-snapshot")`)
	other.Check(
		`part().textContent.includes("no longer live")`,
		`slider().disabled && !slider().hasAttribute("data-sheen-input")`,
		`part().querySelector(".sheen-chart-title").textContent === "sin(3·x) and cos(3·x)"`,
	)
	tab.JS(`slide(2)`)
	tab.Wait(`part().querySelector(".sheen-chart-title").textContent === "sin(2·x) and cos(2·x)"`)
	other.Wait(`part().querySelector(".sheen-chart-title").textContent === "sin(2·x) and cos(2·x)"`)
	tab.Check(`!part().classList.contains("sheen-chat-ui-snapshot")`)

	// A reload: the saved snapshot, its slider where it was left.
	tab.Do(chromedp.Reload())
	tab.Wait(`idle() && !!part()?.classList.contains("sheen-chat-ui-snapshot")`)
	tab.Check(
		`part().querySelector(".sheen-chart-title").textContent === "sin(2·x) and cos(2·x)"`,
		`slider().disabled && slider().value === "2"`,
		`part().querySelector("output").textContent === "2"`,
	)
	tab.SaveScreenshot(shots, "plot-restored")
}

func itoa(n int64) string {
	var b strings.Builder
	if n >= 10 {
		b.WriteString(itoa(n / 10))
	}
	b.WriteByte(byte('0' + n%10))
	return b.String()
}
