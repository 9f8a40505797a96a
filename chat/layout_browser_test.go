package chat_test

import (
	"testing"

	"github.com/chromedp/chromedp"
	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/browsertest"
)

// TestBrowserChatLayout measures the chat's box in real Chromium: Fill
// fills a plain sheen.Page's window, and Size's width holds inside a Row.
func TestBrowserChatLayout(t *testing.T) {
	b := browsertest.New(t)
	open := func(t *testing.T, page *sheen.PageNode) *browsertest.Tab {
		t.Helper()
		app := sheen.New(page, func(s *sheen.Session) { chat.New(s, "chat") }, sheen.WithLogger(zap.NewNop()))
		srv := browsertest.ServeApp(t, app)
		tab := b.Tab(t)
		tab.Do(chromedp.EmulateViewport(1000, 700), chromedp.Navigate(srv.URL+"/"))
		tab.Wait(`document.documentElement.dataset.sheenState === "open"`)
		return tab
	}
	const box = `document.getElementById("chat").getBoundingClientRect()`

	t.Run("Fill fills a plain page", func(t *testing.T) {
		tab := open(t, sheen.Page("fill", chat.UI("chat", chat.Fill())))
		if !tab.Check(box+`.height >= innerHeight - 2 && `+box+`.height <= innerHeight`,
			box+`.width >= innerWidth - 2`,
			`document.documentElement.scrollHeight <= innerHeight`) { // no scrollbar
			t.Logf("box %v, window %v", browsertest.Eval[any](tab, `JSON.stringify(`+box+`)`), browsertest.Eval[any](tab, `innerWidth + "x" + innerHeight`))
		}
	})

	t.Run("Size holds inside a Row", func(t *testing.T) {
		tab := open(t, sheen.Page("row", sheen.Row(
			chat.UI("chat", chat.Size("300px", "400px")),
			sheen.El("div", sheen.Text("beside")),
		)))
		if !tab.Check(box+`.width === 300`, box+`.height === 400`) {
			t.Logf("box %v", browsertest.Eval[any](tab, `JSON.stringify(`+box+`)`))
		}
	})
}
