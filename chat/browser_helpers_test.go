package chat_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/browsertest"
)

// The helpers of the browser tests: a real sheen.App with one chat served on
// 127.0.0.1 and open in a tab of headless Chromium.

// chatRecorder runs in every document before the page's own scripts, after
// browsertest's recording of the WebSocket frames (__frames). It records,
// on the page:
//   - __chat: the chat's component messages as they arrived, as {name, id}
//     (id: the message's id, for start, append, patch and end), read from
//     __frames;
//   - __hostile: anything active that was ever added to the chat's message
//     log (script elements, inline event handlers, script URLs), even if it
//     was removed again at once;
//   - __pwned: set by anything hostile that ran (the tests' payloads call
//     pwn(), alert() or set it themselves);
//
// and defines shorthands the tests use in their JavaScript.
const chatRecorder = `(() => {
	Object.defineProperty(window, "__chat", {get: () => __frames
		.filter((f) => f.dir === "in")
		.flatMap((f) => f.frame?.messages || [])
		.filter((m) => m.target === "chat")
		.map((m) => { const d = m.data || {}; return {name: m.name, id: d.id || d.message?.id || ""}; })});
	window.__hostile = [];
	window.__pwned = 0;
	window.pwn = (n) => { window.__pwned = n || 1; };
	window.alert = window.confirm = window.prompt = () => { window.__pwned = "dialog"; };
	const URLS = new Set(["href", "src", "action", "formaction", "xlink:href", "poster", "background", "data", "srcdoc"]);
	const bad = (el) => {
		const found = [];
		for (const e of [el, ...el.querySelectorAll("*")]) {
			if (e.tagName === "SCRIPT" || e.tagName === "IFRAME" || e.tagName === "OBJECT" || e.tagName === "EMBED") found.push(e.tagName);
			for (const a of e.attributes) {
				const v = a.value.replace(/[\u0000-\u0020\u007f-\u009f]/g, "");
				if (/^on/i.test(a.name) || URLS.has(a.name) && /^(javascript|vbscript|data):/i.test(v)) found.push(e.tagName + "[" + a.name + "=" + a.value + "]");
			}
		}
		return found;
	};
	new MutationObserver((records) => {
		for (const r of records) {
			const log = r.target.closest?.(".sheen-chat-log") || (r.target.classList?.contains("sheen-chat-log") && r.target);
			if (!log) continue;
			if (r.type === "attributes") {
				if (r.target.nodeType === 1) __hostile.push(...bad(r.target).map((x) => "attr " + x));
				continue;
			}
			for (const n of r.addedNodes) if (n.nodeType === 1) __hostile.push(...bad(n));
		}
	}).observe(document, {childList: true, subtree: true, attributes: true});

	// Shorthands. q and qa query inside the chat.
	window.q = (s) => document.querySelector("#chat " + s);
	window.qa = (s) => [...document.querySelectorAll("#chat " + s)];
	window.ta = () => q(".sheen-chat-input");
	window.sc = () => q(".sheen-chat-scroll");
	// The messages shown, without the greeting and the typing indicator.
	window.msgs = () => qa(".sheen-chat-log > .sheen-chat-msg:not(.sheen-chat-greeting):not(.sheen-chat-pending)");
	window.texts = () => msgs().map((m) => m.querySelector(".sheen-chat-content").textContent.trim());
	window.roles = () => msgs().map((m) => m.classList.contains("sheen-chat-user") ? "user" : "assistant");
	window.last = () => msgs().at(-1);
	window.lastText = () => last()?.querySelector(".sheen-chat-content").textContent.trim();
	window.idle = () => !document.getElementById("chat").classList.contains("sheen-chat-locked");
	window.atBottom = () => { const s = sc(); return s.scrollHeight - s.scrollTop - s.clientHeight <= 2; };
	window.received = (name) => __chat.filter((m) => m.name === name).length;
	// Resolves after n animation frames: whatever the page does at the next
	// frames (rendering a streamed tail, following the stream) is done.
	window.frames = (n = 2) => new Promise((res) => { const f = () => (--n > 0 ? requestAnimationFrame(f) : res(true)); requestAnimationFrame(f); });
})()`

// chatTab is a chat page in a tab, with the session's *chat.Chat.
type chatTab struct {
	*browsertest.Tab
	t    *testing.T
	chat *chat.Chat
}

// liveSetup binds what a test needs in the server function, after chat.New.
type liveSetup func(s *sheen.Session, c *chat.Chat)

// openChat serves an App whose page holds chat.UI("chat", opts...) and whose
// server function binds it with chat.New(s, "chat", opts...) and then runs
// setup; it opens the page in a new tab of b (running scripts before the
// page's own) and returns when the chat is connected and shows the server's
// transcript. The App is shut down when the test ends.
func openChat(t *testing.T, b *browsertest.Browser, opts []chat.Option, setup liveSetup, scripts ...string) *chatTab {
	t.Helper()
	return openChatWithin(t, b, browsertest.Timeout,
		`document.documentElement.dataset.sheenState === "open" && received("reset") > 0 && received("commands") > 0 && !!ta()`,
		opts, setup, scripts...)
}

// openChatWithin is openChat with limit for each step of opening (the page
// load, the session's start, the chat's readiness) and ready, the
// JavaScript condition that says the chat is open.
func openChatWithin(t *testing.T, b *browsertest.Browser, limit time.Duration, ready string, opts []chat.Option, setup liveSetup, scripts ...string) *chatTab {
	t.Helper()
	chats := make(chan *chat.Chat, 1)
	page := sheen.Page("sheen chat test", chat.UI("chat", opts...))
	app := sheen.New(page, func(s *sheen.Session) {
		c := chat.New(s, "chat", opts...)
		if setup != nil {
			setup(s, c)
		}
		select {
		case chats <- c: // the tab's session
		default:
		}
	}, sheen.WithLogger(zap.NewNop()))
	srv := browsertest.ServeApp(t, app)
	tab := &chatTab{Tab: b.Tab(t), t: t}
	tab.RecordFrames()
	tab.OnNewDocument(chatRecorder)
	tab.OnNewDocument(scripts...)
	ctx, cancel := context.WithTimeout(tab.Context(), limit)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatalf("opening the page: %v", err)
	}
	select {
	case tab.chat = <-chats:
	case <-time.After(limit):
		t.Fatal("the session did not start")
	}
	if err := tab.WaitTimeout(ready, limit); err != nil {
		t.Fatalf("the chat did not open (%s): %v", ready, err)
	}
	return tab
}

// eval returns the value of the JavaScript expression x.
func (p *chatTab) eval(x string) any {
	p.t.Helper()
	return browsertest.Eval[any](p.Tab, x)
}

// check fails the test for each JavaScript expression that is not true,
// and then shows the chat's messages.
func (p *chatTab) check(exprs ...string) {
	p.t.Helper()
	if !p.Check(exprs...) {
		p.t.Logf("messages: %v\nchat messages: %v", p.eval(`texts()`), p.eval(`__chat.map((m) => m.name).join(" ")`))
	}
}

// settle waits for the page's next animation frames: a streamed tail is
// rendered and the scroll position follows it.
func (p *chatTab) settle() {
	p.t.Helper()
	p.JS(`frames(3)`)
}

// typeText focuses the chat's input, puts the caret at its end and types s
// key by key.
func (p *chatTab) typeText(s string) {
	p.t.Helper()
	p.JS(`ta().focus(); ta().setSelectionRange(ta().value.length, ta().value.length)`)
	p.Do(press(s))
}

// setInput empties the input (or sets it) as the user would, with an input
// event.
func (p *chatTab) setInput(s string) {
	p.t.Helper()
	p.JS(`ta().focus(); ta().value = ` + strconv.Quote(s) + `; ta().dispatchEvent(new Event("input", {bubbles: true}))`)
}

// clickOn clicks the centre of the first element matching the CSS selector
// sel (in the whole document) with the mouse, holding modifiers.
func (p *chatTab) clickOn(sel string, mods ...chromedp.Modifier) {
	p.t.Helper()
	p.click(`document.querySelector(`+strconv.Quote(sel)+`)`, mods...)
}

// click clicks the centre of the element the JavaScript expression el
// returns with the mouse, holding modifiers.
func (p *chatTab) click(el string, mods ...chromedp.Modifier) {
	p.t.Helper()
	p.MouseClick(el, mods...)
}

// idle waits until the chat's input is unlocked (no response runs).
func (p *chatTab) idle() {
	p.t.Helper()
	p.Wait(`idle()`)
}

// shot saves a screenshot to $SHEEN_SCREENSHOTS/name.png (default
// /tmp/sheen-chat-screens) for a human to look at.
func (p *chatTab) shot(name string) {
	p.t.Helper()
	dir := os.Getenv("SHEEN_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "sheen-chat-screens")
	}
	p.SaveScreenshot(dir, name)
}

// press is browsertest.Press: a key press as a chromedp action.
var press = browsertest.Press

// recv returns the next value from ch, failing the test if none arrives in
// time.
func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(browsertest.Timeout):
		t.Fatalf("timed out waiting for %s", what)
	}
	var zero T
	return zero
}

// none fails the test if ch holds a value now.
func none[T any](t *testing.T, ch <-chan T, what string) {
	t.Helper()
	select {
	case v := <-ch:
		t.Errorf("unexpected %s: %v", what, v)
	default:
	}
}
