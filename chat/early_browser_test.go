package chat_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp/kb"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/browsertest"
)

// holdUpdates keeps the server's update frames from the page until
// __release() is called: the page has connected but not yet seen the
// server's transcript, as on a slow link.
const holdUpdates = `(() => {
	const held = [];
	let holding = true;
	window.__release = () => { holding = false; for (const [ws, data] of held.splice(0)) ws.dispatchEvent(new MessageEvent("message", {data})); };
	const WS = window.WebSocket;
	window.WebSocket = class extends WS {
		constructor(...args) {
			super(...args);
			this.addEventListener("message", (e) => {
				if (!holding || !e.isTrusted || !String(e.data).includes('"update"')) return;
				e.stopImmediatePropagation();
				held.push([this, e.data]);
			});
		}
	};
})()`

// TestBrowserAskBeforeTranscript: a question asked before the server's
// first transcript reaches the page stays on the page (the transcript does
// not replace it) and is answered once.
func TestBrowserAskBeforeTranscript(t *testing.T) {
	b := browsertest.New(t)
	tab := openChat(t, b, nil, func(s *sheen.Session, c *chat.Chat) {
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			return c.AppendMessage(ctx, "You said: "+in.Text)
		})
	}, holdUpdates)
	tab.check(`!("synced" in document.getElementById("chat").dataset)`)
	tab.typeText("early question")
	tab.Do(press(kb.Enter))
	tab.Wait(`texts().length === 1 && texts()[0] === "early question"`)
	tab.JS(`__release()`)
	tab.Wait(`"synced" in document.getElementById("chat").dataset && idle() && texts().length === 2`)
	tab.check(`texts()[0] === "early question"`, `texts()[1] === "You said: early question"`, `roles().join() === "user,assistant"`)
}
