package sheen_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/internal/browsertest"
)

// TestBrowserCSPBlocksInlineScript: if HTML that should have been sanitized
// reached the page anyway (here trusted HTML in the page and in an HTML
// output, with an inline script and an inline event handler), the page's
// Content-Security-Policy stops it in a real Chromium, while the page itself
// (its module scripts, its WebSocket) works. Without the policy the same
// page runs the script, which shows the test can tell.
func TestBrowserCSPBlocksInlineScript(t *testing.T) {
	b := browsertest.New(t)
	for _, tc := range []struct {
		name    string
		opts    []sheen.Option
		blocked bool
	}{
		{"default policy", nil, true},
		{"no policy", []sheen.Option{sheen.WithCSP("")}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page := sheen.Page("csp test",
				sheen.TrustedHTML(`<script>window.pwnedInline = true</script>`),
				sheen.HTMLOutput("out"),
			)
			app := sheen.New(page, func(s *sheen.Session) {
				s.Output("out", sheen.RenderHTML(func() (sheen.TrustedHTML, error) {
					return `<p id="rendered">rendered</p><img src="data:," onerror="window.pwnedHandler = true">`, nil
				}))
			}, append([]sheen.Option{sheen.WithLogger(zap.NewNop())}, tc.opts...)...)
			url := browsertest.Serve(t, app).URL
			t.Cleanup(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				_ = app.Shutdown(ctx)
			})
			p := b.Tab(t)
			p.Do(chromedp.Navigate(url + "/"))
			p.Wait(`document.documentElement.dataset.sheenState === "open"`)
			p.Wait(`document.getElementById("rendered") !== null`)
			// The img's error event fires once it has tried to load.
			p.Wait(`document.querySelector("img").complete`)
			inline := browsertest.Eval[bool](p, `window.pwnedInline === true`)
			handler := browsertest.Eval[bool](p, `window.pwnedHandler === true`)
			if tc.blocked && (inline || handler) {
				t.Errorf("under the CSP: inline script ran %v, inline handler ran %v", inline, handler)
			}
			if !tc.blocked && !inline {
				t.Error("without a CSP the inline script did not run: the test proves nothing")
			}
		})
	}
}
