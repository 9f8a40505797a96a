package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"go.uber.org/goleak"
	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/internal/browsertest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestInputs drives the example in headless Chromium: typing in the text box
// and moving the slider update the text and the markdown outputs.
// SHEEN_SCREENSHOTS=dir saves a screenshot of the page there.
func TestInputs(t *testing.T) {
	browser := browsertest.New(t)
	srv := browsertest.ServeApp(t, sheen.New(Page(), Server, sheen.WithLogger(zap.NewNop())))
	tab := browser.Tab(t)
	tab.Do(chromedp.Navigate(srv.URL + "/"))

	const (
		summary = `document.querySelector('[data-sheen-output=summary]').textContent`
		table   = `document.querySelector('[data-sheen-output=table]')`
	)
	// The first render: the page's initial values reached the session.
	tab.Wait(`document.documentElement.dataset.sheenState === "open"`)
	tab.Wait(summary + ` === "Hello, stranger: 5 × circle  ●●●●●"`)
	tab.Wait(table + `.querySelector("td strong")?.textContent === "5"`)

	steps := []struct {
		name    string
		do      chromedp.Action[chromedp.Void]
		summary string
		cells   string // the markdown table's value column, joined by "|"
	}{
		{"type a name", chromedp.SendKeys(chromedp.ID("name"), "Ada"),
			"Hello, Ada: 5 × circle  ●●●●●", "5|circle|Ada"},
		{"move the slider", chromedp.SendKeys(chromedp.ID("n"), kb.ArrowLeft+kb.ArrowLeft),
			"Hello, Ada: 3 × circle  ●●●", "3|circle|Ada"},
		{"pick a shape", chromedp.Steps(
			chromedp.SetValue(chromedp.ID("shape"), "star"), // fires no event by itself
			chromedp.Evaluate[chromedp.Void](`document.getElementById("shape").dispatchEvent(new Event("change", {bubbles: true}))`)),
			"Hello, Ada: 3 × star  ★★★", "3|star|Ada"},
		{"type more", chromedp.SendKeys(chromedp.ID("name"), " L"),
			"Hello, Ada L: 3 × star  ★★★", "3|star|Ada L"},
		{"slider to the top", chromedp.SendKeys(chromedp.ID("n"), kb.End),
			"Hello, Ada L: 20 × star  " + strings.Repeat("★", 20), "20|star|Ada L"},
	}
	for _, st := range steps {
		tab.Do(st.do)
		// Typing is sent 250 ms after the last key, the slider at once: wait.
		tab.Wait(summary + ` === ` + jsString(st.summary))
		count, _, _ := strings.Cut(st.cells, "|")
		tab.Wait(`document.querySelector("output.sheen-slider-value[for=n]").textContent === ` + jsString(count))
		tab.Wait(`[...` + table + `.querySelectorAll("tbody td:nth-child(2)")].map(td => td.textContent).join("|") === ` + jsString(st.cells))
	}
	// The markdown is rendered on the server: a real table, code and bold.
	if got := browsertest.Eval[string](tab, table+`.querySelector("td code")?.outerHTML`); got != "<code>star</code>" {
		t.Errorf("markdown code cell = %q", got)
	}
	tab.SaveScreenshot(os.Getenv("SHEEN_SCREENSHOTS"), "inputs")
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
