package main

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/internal/browsertest"
)

func TestWeatherQuestion(t *testing.T) {
	for _, tt := range []struct {
		text, city string
		ok         bool
	}{
		{"What is the weather in Paris?", "Paris", true},
		{"weather for São Paulo!", "São Paulo", true},
		{"How's the weather", "", true},
		{"Whether or not", "", false},
		{"What is sheen?", "", false},
	} {
		city, ok := weatherQuestion(tt.text)
		if city != tt.city || ok != tt.ok {
			t.Errorf("weatherQuestion(%q) = %q, %v; want %q, %v", tt.text, city, ok, tt.city, tt.ok)
		}
	}
}

// TestOfflineToolCard: offline, a question about the weather shows the
// demo tool's card, running and then done, and the reply's metrics; a
// reload shows both as they ended.
func TestOfflineToolCard(t *testing.T) {
	h := testHistory(t)
	srv := browsertest.ServeApp(t, NewApp(Offline{Delay: 5 * time.Millisecond}, h, sheen.WithLogger(zap.NewNop()), h.PageCheck()))
	tab := historyTab(t, browsertest.New(t), srv.URL+"/")
	send(t, tab, "What is the weather in Oslo?")
	tab.Wait(`q(".sheen-chat-tool[data-status=running]") !== null`)
	tab.Check(`q(".sheen-chat-tool-card").open`, `q(".sheen-chat-tool-args").textContent.includes('"city": "Oslo"')`)
	tab.Wait(`last().dataset.status === "done" && idle()`)
	done := []string{
		`q(".sheen-chat-tool").dataset.status === "success"`,
		`!q(".sheen-chat-tool-card").open`,
		`q(".sheen-chat-tool-result strong").textContent === "18 °C"`,
		`last().querySelector(".sheen-chat-content").textContent.includes("18 °C with light rain in Oslo")`,
		`/ tokens · /.test(last().querySelector(".sheen-chat-metrics").textContent)`,
	}
	tab.Check(done...)
	tab.SaveScreenshot(screenshotDir(), "example-tool-card")
	tab.Do(chromedp.Reload())
	tab.Wait(`idle() && msgs().length === 2`)
	tab.Check(done...)
}
