package chat_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/browsertest"
)

// The helpers of the browser tests: a real sheen.App with one chat served on
// 127.0.0.1 and open in a tab of headless Chromium.

// chatRecorder runs in every document before the page's own scripts. It
// records, on the page:
//   - __chat: the chat's component messages as they arrive, as {name, id}
//     (id: the message's id, for start, append, patch and end);
//   - __hostile: anything active that was ever added to the chat's message
//     log (script elements, inline event handlers, script URLs), even if it
//     was removed again at once;
//   - __pwned: set by anything hostile that ran (the tests' payloads call
//     pwn(), alert() or set it themselves);
//
// and defines shorthands the tests use in their JavaScript.
const chatRecorder = `(() => {
	window.__chat = [];
	window.__hostile = [];
	window.__pwned = 0;
	window.pwn = (n) => { window.__pwned = n || 1; };
	window.alert = window.confirm = window.prompt = () => { window.__pwned = "dialog"; };
	const WS = window.WebSocket;
	window.WebSocket = class extends WS {
		constructor(...args) {
			super(...args);
			this.addEventListener("message", (e) => {
				let f;
				try { f = JSON.parse(e.data); } catch { return; }
				for (const m of f.messages || []) {
					if (m.target !== "chat") continue;
					const d = m.data || {};
					__chat.push({name: m.name, id: d.id || d.message?.id || ""});
				}
			});
		}
	};
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
	srv := browsertest.Serve(t, app)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := app.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	tab := &chatTab{Tab: b.Tab(t), t: t}
	tab.OnNewDocument(chatRecorder)
	for _, s := range scripts {
		tab.OnNewDocument(s)
	}
	tab.Do(chromedp.Navigate(srv.URL + "/"))
	select {
	case tab.chat = <-chats:
	case <-time.After(browsertest.Timeout):
		t.Fatal("the session did not start")
	}
	tab.Wait(`document.documentElement.dataset.sheenState === "open" && received("reset") > 0 && received("commands") > 0 && !!ta()`)
	return tab
}

// eval returns the value of the JavaScript expression x.
func (p *chatTab) eval(x string) any {
	p.t.Helper()
	return browsertest.Eval[any](p.Tab, x)
}

// check fails the test for each JavaScript expression that is not true.
func (p *chatTab) check(exprs ...string) {
	p.t.Helper()
	for _, x := range exprs {
		if ok := browsertest.Eval[bool](p.Tab, "!!("+x+")"); !ok {
			p.t.Errorf("not true: %s\nmessages: %v\nchat messages: %v", x, p.eval(`texts()`), p.eval(`__chat.map((m) => m.name).join(" ")`))
		}
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
	xy := browsertest.Eval[[]float64](p.Tab, `(() => {
		const el = `+el+`;
		if (!el) return [];
		el.scrollIntoView({block: "nearest"});
		const r = el.getBoundingClientRect();
		return [r.left + r.width / 2, r.top + r.height / 2];
	})()`)
	if len(xy) != 2 {
		p.t.Fatalf("no element %s to click", el)
	}
	p.Do(chromedp.MouseClickXY(xy[0], xy[1], chromedp.ButtonModifiers(mods...)))
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
	if err := os.MkdirAll(dir, 0o755); err != nil {
		p.t.Log(err)
		return
	}
	// Let finite animations (cards fading in) end first.
	p.JS(`Promise.all(document.getAnimations().filter((a) => isFinite(a.effect?.getComputedTiming().endTime)).map((a) => a.finished.catch(() => {})))`)
	p.Screenshot(filepath.Join(dir, name+".png"))
}

// press presses the keys one after the other as a keyboard does: a keyDown
// carrying the key's text, then a keyUp. (chromedp.KeyEvent sends the text
// in a separate char event, which Chromium inserts even when the page
// prevented the keydown.) Keys pressed with Ctrl, Alt or Meta type no text.
func press(keys string, modifiers ...chromedp.Modifier) chromedp.Action[chromedp.Void] {
	var mods int64
	for _, m := range modifiers {
		mods |= int64(m)
	}
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
					if mods&^int64(chromedp.ModifierShift) == 0 {
						down.Text, down.UnmodifiedText = k.Text, k.UnmodifiedText
					}
				}
			}
			down.Modifiers |= mods
			up.Modifiers |= mods
			for _, p := range []input.DispatchKeyEventParams{down, up} {
				if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, p); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

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

// waitHighlighter waits, when the test ends, for the goroutine of the regexp
// engine behind the code highlighter (a process-wide clock that
// regexp2 starts for match timeouts and that ends by itself about 1.4 s
// after the last highlighted code block), so that the package's goleak
// check sees only goroutines a test really left.
func waitHighlighter(t testing.TB) {
	t.Cleanup(func() {
		buf := make([]byte, 1<<20)
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if !strings.Contains(string(buf[:runtime.Stack(buf, true)]), "regexp2/v2.runClock") {
				return
			}
		}
	})
}
