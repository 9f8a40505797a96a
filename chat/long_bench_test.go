package chat_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/browsertest"
)

// longTranscript is a conversation of n messages: short user questions and
// assistant answers of a few shapes (paragraphs, a list, a code block, a
// table).
func longTranscript(n int) []any {
	out := make([]any, 0, n)
	for i := range n {
		if i%2 == 0 {
			out = append(out, chat.Message{Role: chat.User, ContentType: chat.TextType, Content: fmt.Sprintf("Question %d: how does part %d of the engine work?", i/2, i%97)})
			continue
		}
		var s string
		switch i / 2 % 4 {
		case 0:
			s = fmt.Sprintf("Part %d turns the **mill** once per cycle.\n\nIt reads two columns from the store, adds them and writes the sum back; a carry is held until the next cycle.", i)
		case 1:
			s = fmt.Sprintf("Steps for part %d:\n\n1. Set the operation card.\n2. Load the variable cards.\n3. Turn the crank.\n4. Read the result from column %d.", i, i%50)
		case 2:
			s = fmt.Sprintf("In code, part %d is:\n\n```go\nfunc step(a, b int) (sum, carry int) {\n\tsum = a + b\n\tif sum >= 10 {\n\t\treturn sum - 10, 1\n\t}\n\treturn sum, 0\n}\n```", i)
		default:
			s = fmt.Sprintf("| column | value |\n|---|---|\n| %d | %d |\n| %d | %d |\n\nThe table shows the store after part %d.", i%40, i*7%1000, i%40+1, i*11%1000, i)
		}
		out = append(out, s)
	}
	return out
}

// scrollProbe scrolls the chat's transcript by dy pixels at each of n
// animation frames and returns each frame's main-thread time: from the
// frame's requestAnimationFrame callback (which scrolls) to the first task
// after the frame (style, layout, paint and the chat's scroll handler in
// between).
const scrollProbe = `(async (n, dy) => {
	const sc = document.querySelector("#chat .sheen-chat-scroll");
	const after = (cb) => { const ch = new MessageChannel(); ch.port1.onmessage = cb; ch.port2.postMessage(0); };
	const out = [];
	for (let i = 0; i < n; i++) {
		await new Promise((res) => requestAnimationFrame(() => {
			const t0 = performance.now();
			if (dy === "top") sc.scrollTop = 0; else if (dy === "bottom") sc.scrollTop = sc.scrollHeight; else sc.scrollTop -= dy;
			after(() => { out.push(performance.now() - t0); res(); });
		}));
	}
	return out;
})`

// BenchmarkChatLongBrowser opens a conversation of 10,000 messages in
// headless Chromium and scrolls it, with every message rendered
// ("all-rendered": the window turned off by a page style), with far
// messages kept in the layout but content-visibility: hidden ("cv-hidden":
// the window before the spacers) and with far messages out of the layout,
// spacers in their place ("spacers": chat.css as it is). It reports:
//
//   - fcp-ms: the page's first contentful paint, its first paint holding the
//     10,000 messages (chat.UI's Messages);
//   - scroll p50/p99/max ms per frame: 30 frames each scrolling up by 240
//     px from the bottom (scrollProbe), into messages not shown before;
//   - back p50/p99 ms per frame: 30 frames scrolling down again over them;
//   - jump-ms: the frames that jump to the top and back to the bottom.
func BenchmarkChatLongBrowser(b *testing.B) {
	const n = 10000
	msgs := longTranscript(n)
	br := browsertest.New(b)
	for _, tc := range []struct {
		name  string
		style string
	}{
		// Every message rendered: the window's classes and spacers overridden.
		{"all-rendered", ".sheen-chat-log > .sheen-chat-msg { display: flex !important; } .sheen-chat-spacer { display: none !important; }"},
		// The window as it was before the spacers: far messages in the layout
		// with content-visibility: hidden and their last (or an intrinsic) size.
		{"cv-hidden", ".sheen-chat-log > .sheen-chat-msg { display: flex !important; contain-intrinsic-size: auto 5rem; } .sheen-chat-log > .sheen-chat-far:not(.sheen-chat-streaming, .sheen-chat-pending) { content-visibility: hidden; } .sheen-chat-spacer { display: none !important; }"},
		// chat.css as it is: far messages display: none, spacers in their place.
		{"spacers", ""},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var body []sheen.Node
			if tc.style != "" {
				body = append(body, sheen.El("style", sheen.TrustedHTML(tc.style)))
			}
			body = append(body, chat.UI("chat", chat.Size("100%", "700px"), chat.Messages(msgs...)))
			app := sheen.New(sheen.Page("bench", body...), func(s *sheen.Session) {
				chat.New(s, "chat", chat.Messages(msgs...))
			}, sheen.WithLogger(zap.NewNop()))
			srv := browsertest.ServeApp(b, app)
			tab := br.Tab(b)
			tab.Do(chromedp.EmulateViewport(1200, 800))
			var fcp, jump, scroll, back []float64
			for b.Loop() {
				slowRun(b, tab, chromedp.Navigate(srv.URL+"/"), chromedp.Poll[chromedp.Void](benchPageOpen+` && document.querySelector("#chat").hasAttribute("data-synced") && document.querySelectorAll("#chat .sheen-chat-msg").length === `+fmt.Sprint(n), chromedp.WithPollingTimeout(5*time.Minute)))
				tab.JS(`new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))`)
				b.StopTimer()
				fcp = append(fcp, browsertest.Eval[float64](tab, `performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? -1`))
				if got := browsertest.Eval[string](tab, `(s => s.display + "/" + s.contentVisibility)(getComputedStyle(document.querySelector("#chat .sheen-chat-msg")))`); got != map[string]string{"all-rendered": "flex/visible", "cv-hidden": "flex/hidden", "spacers": "none/visible"}[tc.name] {
					b.Fatalf("the first message's display/content-visibility is %q", got)
				}
				scroll = append(scroll, slowEval(b, tab, scrollProbe+`(30, 240)`)...)
				back = append(back, slowEval(b, tab, scrollProbe+`(30, -240)`)...)
				jump = append(jump, slowEval(b, tab, scrollProbe+`(1, "top")`)...)
				jump = append(jump, slowEval(b, tab, scrollProbe+`(1, "bottom")`)...)
				b.StartTimer()
			}
			for _, s := range [][]float64{fcp, jump, scroll, back} {
				slices.Sort(s)
			}
			b.ReportMetric(quantile(fcp, 0.5), "fcp-ms")
			b.ReportMetric(quantile(scroll, 0.5), "scroll-p50-ms/frame")
			b.ReportMetric(quantile(scroll, 0.99), "scroll-p99-ms/frame")
			b.ReportMetric(quantile(scroll, 1), "scroll-max-ms/frame")
			b.ReportMetric(quantile(back, 0.5), "back-p50-ms/frame")
			b.ReportMetric(quantile(back, 0.99), "back-p99-ms/frame")
			b.ReportMetric(quantile(jump, 0.5), "jump-p50-ms")
			b.ReportMetric(quantile(jump, 1), "jump-max-ms")
		})
	}
}

// slowRun runs actions with a generous timeout (a page of 10,000 messages
// all rendered loads slowly on a loaded machine).
func slowRun(b *testing.B, tab *browsertest.Tab, actions ...chromedp.Action[chromedp.Void]) {
	b.Helper()
	ctx, cancel := context.WithTimeout(tab.Context(), 5*time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.Fatalf("loading the page: %v", err)
	}
}

// slowEval is browsertest.Eval with a generous timeout: on a loaded machine
// 30 frames of a 10,000-message page may take longer than a test's wait.
func slowEval(b *testing.B, tab *browsertest.Tab, expr string) []float64 {
	b.Helper()
	ctx, cancel := context.WithTimeout(tab.Context(), 5*time.Minute)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.Fatalf("evaluating the scroll probe: %v", err)
	}
	return v
}
