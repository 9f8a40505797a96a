package client_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/coder/websocket"

	"github.com/sheenhq/sheen/internal/browsertest"
	"github.com/sheenhq/sheen/internal/markdown"
	"github.com/sheenhq/sheen/protocol"
)

// TestChatBrowser drives the chat component in headless Chromium against a
// scripted server that speaks the real protocol and sends the chat's
// component messages. It finds Chromium as internal/browsertest does; with
// SHEEN_SCREENSHOTS=dir it saves screenshots there.

const chatPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="sheen-ws" content="ws">
<title>sheen chat test</title>
<link rel="stylesheet" href="assets/sheen.css">
<link rel="stylesheet" href="assets/chat.css">
<link rel="stylesheet" href="highlight.css">
<script>
// The page's own slash commands: "theme" and "local" are handled here.
window.commandsSeen = [];
document.addEventListener("sheen-chat-command", (e) => {
  window.commandsSeen.push(e.detail);
  if (e.detail.name === "theme" || e.detail.name === "local") e.preventDefault();
});
</script>
<script type="module" src="assets/sheen.js"></script>
<script type="module" src="assets/chat.js"></script>
</head><body>
<div class="sheen-page"><main class="sheen-main">
<div class="sheen-chat" data-sheen-component="chat" id="chat" data-placeholder="Ask anything…" data-submit-key="enter" data-cancel="true" data-assistant-icon="" data-fill>
<script type="application/json" class="sheen-chat-initial">{"messages":[{"id":"m0","role":"assistant","kind":"markdown","html":"<p>First paint.</p>"},{"id":"sys","role":"system","kind":"text","html":"<p>hidden</p>"}],"greeting":null,"footer":"<p>Answers can be wrong. Check important facts.</p>"}</script>
</div>
</main></div>
</body></html>`

type obj = map[string]any

// chatServer is a scripted sheen server for one page: it answers the
// handshake, acknowledges client messages, hands the chat's events to the
// test in order and sends the updates the test asks for.
type chatServer struct {
	pageConn
	events chan protocol.Event
	done   chan struct{} // closed when the test ends
}

func (s *chatServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.serveConn(w, r, s.session)
}

func (s *chatServer) session(ctx context.Context, c *websocket.Conn, _ protocol.Hello) {
	s.mu.Lock()
	s.write(c, protocol.Welcome{V: protocol.Version, Seq: s.seq, Session: "s1", Token: "tok", Ack: s.ack, Heartbeat: 60000, Grace: 60000})
	s.conn = c
	s.mu.Unlock()
	for {
		m, ok := s.read(ctx, c)
		if !ok {
			return
		}
		switch m := m.(type) {
		case protocol.Ping:
			s.mu.Lock()
			s.write(c, protocol.Pong{Seq: s.seq, Ack: s.ack})
			s.mu.Unlock()
		case protocol.Input:
			s.mu.Lock()
			s.ack = max(s.ack, m.N)
			s.mu.Unlock()
		case protocol.Event:
			s.mu.Lock()
			s.ack = max(s.ack, m.N)
			s.mu.Unlock()
			select {
			case s.events <- m:
			case <-s.done:
				return
			}
		}
	}
}

// send sends one update carrying the chat messages.
func (s *chatServer) send(msgs ...protocol.Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	if s.conn == nil {
		s.tb.Error("send before the page connected")
		return
	}
	s.write(s.conn, protocol.Update{Seq: s.seq, Ack: s.ack, Messages: msgs})
}

// cm is a message for the chat.
func cm(name string, data any) protocol.Message {
	return cmTo("chat", name, data)
}

// cmTo is a message for the chat with the id target.
func cmTo(target, name string, data any) protocol.Message {
	b, err := json.Marshal(data)
	if err != nil {
		panic(err)
	}
	return protocol.Message{Target: target, Name: name, Data: b}
}

// expect takes the next event and checks that it is the chat's, with the
// name and data (as JSON).
func (s *chatServer) expect(t testing.TB, name, data string) {
	t.Helper()
	s.expectOn(t, "chat", name, data)
}

// expectOn is expect for the component target.
func (s *chatServer) expectOn(t testing.TB, target, name, data string) {
	t.Helper()
	var ev protocol.Event
	select {
	case ev = <-s.events:
	case <-time.After(15 * time.Second):
		t.Fatalf("timed out waiting for the event %s %s", name, data)
	}
	var got, want any
	if err := json.Unmarshal(ev.Data, &got); err != nil && len(ev.Data) > 0 {
		t.Fatalf("event data %s: %v", ev.Data, err)
	}
	if err := json.Unmarshal([]byte(data), &want); err != nil {
		t.Fatal(err)
	}
	if ev.Target != target || ev.Name != name || !reflect.DeepEqual(got, want) {
		t.Fatalf("got the event %s %s %s, want %s %s %s", ev.Target, ev.Name, ev.Data, target, name, data)
	}
}

// streamPatches streams text through the real markdown renderer in chunks
// of n bytes and returns the patch messages for message id, and the final
// answer's HTML.
func streamPatches(r *markdown.Renderer, id, text string, n int) ([]protocol.Message, string) {
	type delta struct {
		From   int      `json:"from,omitempty"`
		Keep   int      `json:"keep,omitempty"`
		Blocks []string `json:"blocks,omitempty"`
		Tail   string   `json:"tail,omitempty"`
	}
	conv := func(d markdown.Delta) *delta { return &delta{d.From, d.Keep, d.Blocks, d.Tail} }
	patch := func(p markdown.Patch) protocol.Message {
		m := obj{"id": id, "answer": conv(p.Answer)}
		if len(p.Thinking.Blocks) > 0 || p.Thinking.Tail != "" || p.Thinking.From > 0 {
			m["thinking"] = conv(p.Thinking)
		}
		if p.ThinkingClosed {
			m["thinkingClosed"] = true
		}
		return cm("patch", m)
	}
	s := r.NewStream()
	var out []protocol.Message
	for i := 0; i < len(text); i += n {
		_, _ = s.WriteString(text[i:min(i+n, len(text))])
		if p, ok := s.Flush(); ok {
			out = append(out, patch(p))
		}
	}
	out = append(out, patch(s.Finish()))
	return out, r.RenderString(s.Answer())
}

// chatEnv is a headless Chromium showing chatPage, connected to a scripted
// server.
type chatEnv struct {
	tab *browsertest.Tab
	srv *chatServer
}

// newChatEnv starts the server and the browser, opens the page and waits for
// the chat's ready event. Without Chromium it skips tb, or fails it if
// SHEEN_REQUIRE_BROWSER=1 (see browsertest.Chrome); everything stops at tb's
// cleanup.
func newChatEnv(tb testing.TB) *chatEnv {
	tb.Helper()
	highlight, err := markdown.HighlightCSS("", "")
	if err != nil {
		tb.Fatal(err)
	}
	srv := &chatServer{pageConn: pageConn{tb: tb}, events: make(chan protocol.Event, 100), done: make(chan struct{})}
	hs := servePage(tb, chatPage, srv, map[string]string{"/highlight.css": highlight})
	tb.Cleanup(func() { // after the browser has closed
		close(srv.done)
		srv.drop()
		hs.Close()
		srv.wg.Wait()
	})
	e := &chatEnv{tab: browsertest.New(tb, chromedp.WindowSize(1100, 860)).Tab(tb), srv: srv}
	e.run(tb, chromedp.Navigate(hs.URL+"/"))
	srv.expect(tb, "ready", `{"c":""}`)
	// Shorthands for the page: the chat's input, its scroller, a query.
	e.run(tb, js(`window.ta = document.querySelector("#chat .sheen-chat-input");
		window.sc = document.querySelector("#chat .sheen-chat-scroll");
		window.q = (s) => document.querySelector("#chat " + s);
		window.qa = (s) => [...document.querySelectorAll("#chat " + s)];
		window.text = (s) => q(s)?.textContent;
		window.lastUser = (s) => qa('.sheen-chat-user').at(-1)?.querySelector(s);
		window.atBottom = () => sc.scrollHeight - sc.scrollTop - sc.clientHeight <= 2;
		// The content of an element without what the chat added (copy buttons, suggestion roles).
		window.bare = (el) => {
			const c = el.cloneNode(true);
			c.querySelectorAll(".sheen-chat-copy").forEach((b) => b.remove());
			for (const s of c.querySelectorAll(".sheen-suggestion")) {
				s.classList.remove("sheen-suggestion");
				if (!s.classList.length) s.removeAttribute("class");
				for (const a of ["tabindex", "role", "aria-label"]) s.removeAttribute(a);
			}
			return c.innerHTML;
		};
		window.norm = (html) => { const t = document.createElement("template"); t.innerHTML = html; return t.innerHTML; };`))
	return e
}

// run runs actions in the page, failing tb on an error.
func (e *chatEnv) run(tb testing.TB, actions ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	e.tab.For(tb).Do(actions...)
}

// eval returns the value of a JavaScript expression that gives a string.
func (e *chatEnv) eval(tb testing.TB, expr string) string {
	tb.Helper()
	return browsertest.Eval[string](e.tab.For(tb), expr)
}

// waitFor polls a JavaScript expression until it is true (an exception
// counts as false).
func (e *chatEnv) waitFor(tb testing.TB, expr string) {
	tb.Helper()
	e.tab.For(tb).Wait("(() => { try { return " + expr + "\n; } catch { return false; } })()")
}

// check reports the JavaScript expressions that are not true, and then the
// chat's HTML.
func (e *chatEnv) check(tb testing.TB, exprs ...string) {
	tb.Helper()
	if !e.tab.For(tb).Check(exprs...) {
		tb.Logf("the chat: %s", e.eval(tb, `document.getElementById("chat").outerHTML`))
	}
}

func TestChatBrowser(t *testing.T) {
	e := newChatEnv(t)
	srv := e.srv
	run, eval, waitFor, check := e.run, e.eval, e.waitFor, e.check
	// type into the chat input: focus it, put the caret at the end, press keys.
	typeIn := func(t *testing.T, keys string, mods ...chromedp.Modifier) {
		t.Helper()
		run(t, js(`ta.focus(); ta.setSelectionRange(ta.value.length, ta.value.length)`), browsertest.Press(keys, mods...))
	}
	clearInput := js(`ta.value = ""; ta.dispatchEvent(new Event("input", {bubbles: true}))`)
	screenshot := func(t *testing.T, name string) {
		t.Helper()
		e.tab.For(t).SaveScreenshot(os.Getenv("SHEEN_SCREENSHOTS"), name)
	}
	idle := func() { srv.send(cm("busy", obj{"busy": false})) }

	md := markdown.New()

	t.Run("first paint and reset", func(t *testing.T) {
		check(t,
			`text('[data-id=m0] .sheen-chat-content') === "First paint."`,
			`!q('[data-id=sys]') && qa('.sheen-chat-msg').length === 1`,
			`text('.sheen-chat-footer-text') === "Answers can be wrong. Check important facts."`,
			`q('.sheen-chat-log').getAttribute("role") === "log" && q('.sheen-chat-log').getAttribute("aria-live") === "polite"`,
			`ta.placeholder === "Ask anything…" && !ta.hasAttribute("aria-haspopup")`,
			`q('.sheen-chat-send').disabled && !q('.sheen-chat-send').hidden && q('.sheen-chat-stop').hidden`,
			`q('[data-id=m0] .sheen-chat-icon svg') !== null`,
		)
		srv.send(cm("reset", obj{"messages": []obj{}, "greeting": obj{"html": "<p>Hi! Ask me anything.</p>", "persistent": false}}))
		waitFor(t, `text('.sheen-chat-greeting') === "Hi! Ask me anything." && !q('[data-id=m0]')`)
	})

	t.Run("submit", func(t *testing.T) {
		typeIn(t, "   ")
		check(t, `q('.sheen-chat-send').disabled`)
		run(t, clearInput)
		typeIn(t, "Hello there")
		check(t, `!q('.sheen-chat-send').disabled`)
		typeIn(t, kb.Enter, chromedp.ModifierShift)
		typeIn(t, "second line")
		check(t, `ta.value === "Hello there\nsecond line"`)
		typeIn(t, kb.Enter)
		srv.expect(t, "submit", `{"text":"Hello there\nsecond line"}`)
		check(t,
			`lastUser('.sheen-chat-content').textContent === "Hello there\nsecond line"`,
			`ta.value === "" && q('.sheen-chat-send').disabled`,
			`q('.sheen-chat-pending [aria-label="Assistant is typing"]') !== null`,
			`!q('.sheen-chat-greeting')`,   // a non-persistent greeting leaves with the first message
			`q('.sheen-chat-stop').hidden`, // the server has not said busy yet
		)
		srv.send(cm("busy", obj{"busy": true}))
		waitFor(t, `!q('.sheen-chat-stop').hidden && q('.sheen-chat-send').hidden`)
		typeIn(t, "typing while busy")
		check(t, `ta.value === "typing while busy"`)
		typeIn(t, kb.Enter)
		typeIn(t, kb.Escape)
		srv.expect(t, "stop", `{}`) // and no submit before it
		waitFor(t, `q('.sheen-chat-stop').disabled && q('.sheen-chat-stop').getAttribute("aria-label") === "Stopping…"`)
		idle()
		waitFor(t, `q('.sheen-chat-stop').hidden && !q('.sheen-chat-send').disabled && !q('.sheen-chat-pending')`)
		run(t, clearInput)
		typeIn(t, "clicked")
		run(t, click(`#chat .sheen-chat-send`))
		srv.expect(t, "submit", `{"text":"clicked"}`)
		idle()
		waitFor(t, `!q('.sheen-chat-pending')`)
	})

	t.Run("IME composition never submits", func(t *testing.T) {
		run(t, js(`ta.focus(); ta.value = "nihongo"; ta.dispatchEvent(new Event("input", {bubbles: true}))`))
		run(t, js(`ta.dispatchEvent(new KeyboardEvent("keydown", {key: "Enter", isComposing: true, bubbles: true, cancelable: true}))`))
		run(t, js(`ta.dispatchEvent(new CompositionEvent("compositionstart", {bubbles: true}));
			ta.dispatchEvent(new KeyboardEvent("keydown", {key: "Enter", keyCode: 229, bubbles: true, cancelable: true}));
			ta.dispatchEvent(new KeyboardEvent("keydown", {key: "Enter", bubbles: true, cancelable: true}));
			ta.dispatchEvent(new CompositionEvent("compositionend", {bubbles: true, data: "日本語"}))`))
		check(t, `ta.value === "nihongo"`)
		typeIn(t, kb.Enter)
		srv.expect(t, "submit", `{"text":"nihongo"}`) // the first submit since "clicked"
		idle()
		waitFor(t, `!q('.sheen-chat-pending')`)
	})

	t.Run("history", func(t *testing.T) {
		run(t, clearInput)
		steps := []struct{ key, want string }{
			{kb.ArrowUp, "nihongo"}, {kb.ArrowUp, "clicked"}, {kb.ArrowDown, "nihongo"}, {kb.ArrowDown, ""},
		}
		for _, s := range steps {
			typeIn(t, s.key)
			check(t, fmt.Sprintf(`ta.value === %q`, s.want))
		}
		typeIn(t, "my draft")
		run(t, js(`ta.setSelectionRange(0, 0)`), browsertest.Press(kb.ArrowUp))
		check(t, `ta.value === "nihongo"`)
		run(t, browsertest.Press(kb.ArrowDown))
		check(t, `ta.value === "my draft"`)
		run(t, clearInput)
	})

	t.Run("streaming with thinking", func(t *testing.T) {
		answer := "Here is a plan.\n\n" +
			"```go\nfunc main() {\n\tfmt.Println(\"hello\")\n}\n```\n\n" +
			"| Step | Cost |\n|------|-----:|\n| Parse | 1 ms |\n| Render | 2 ms |\n\n" +
			"1. First, **measure**.\n2. Then *optimise*.\n\nDone — that's all. 😀\n"
		text := "<thinking>\nThe user wants a plan. Consider the *costs* first.\n\nThen write code.\n</thinking>\n" + answer
		patches, want := streamPatches(md, "a1", text, 7)
		typeIn(t, "Plan it")
		typeIn(t, kb.Enter)
		srv.expect(t, "submit", `{"text":"Plan it"}`)
		srv.send(cm("busy", obj{"busy": true}))
		waitFor(t, `!q('.sheen-chat-stop').hidden`)
		check(t, `q('.sheen-chat-pending') !== null`)
		srv.send(cm("start", obj{"message": obj{"id": "a1", "role": "assistant", "kind": "markdown", "html": "", "streaming": true}}))
		waitFor(t, `q('[data-id=a1]').classList.contains("sheen-chat-streaming") && q('[data-id=a1]').getAttribute("aria-busy") === "true"`)
		check(t, `!q('.sheen-chat-pending')`, `q('.sheen-chat-log').lastElementChild === q('[data-id=a1]')`)
		thinkingOpen, marked := false, false
		for i, p := range patches {
			srv.send(p)
			if i%5 == 0 {
				srv.send(p) // a delta applied twice equals it applied once
			}
			if !thinkingOpen {
				thinkingOpen = eval(t, `String(q('[data-id=a1] details.sheen-chat-thinking')?.open === true && q('[data-id=a1] .sheen-chat-content').innerHTML === "")`) == "true"
			}
			// Mark the first committed block; it must survive to the end.
			if !marked && eval(t, `String(qa('[data-id=a1] .sheen-chat-content > p').length >= 1 && qa('[data-id=a1] .sheen-chat-content > *').length >= 2)`) == "true" {
				run(t, js(`q('[data-id=a1] .sheen-chat-content > p').sheenMark = "kept"`))
				marked = true
			}
		}
		srv.send(cm("end", obj{"id": "a1", "status": "done"}))
		waitFor(t, `!q('[data-id=a1]').classList.contains("sheen-chat-streaming")`)
		if !thinkingOpen {
			t.Error("the thinking panel was never open while thinking streamed")
		}
		if !marked {
			t.Error("no block was committed before the end")
		}
		wantJS, _ := json.Marshal(want)
		check(t,
			fmt.Sprintf(`bare(q('[data-id=a1] .sheen-chat-content')) === norm(%s)`, wantJS),
			`q('[data-id=a1] .sheen-chat-content > p').sheenMark === "kept"`, // committed blocks are never re-rendered
			`q('[data-id=a1] details.sheen-chat-thinking').open === false`,
			`text('[data-id=a1] .sheen-chat-thinking-body').includes("Consider the costs first.")`,
			`q('[data-id=a1] .sheen-chat-thinking-body em').textContent === "costs"`,
			`!q('[data-id=a1]').hasAttribute("aria-busy")`,
			`q('[data-id=a1] pre .sheen-chat-copy') !== null`,
		)
		if got := eval(t, `bare(q('[data-id=a1] .sheen-chat-content'))`); t.Failed() {
			t.Logf("got  %s\nwant %s", got, want)
		}
		// The copy button copies the code.
		run(t, js(`window.copied = null; navigator.clipboard.writeText = async (s) => { window.copied = s; }; q('[data-id=a1] pre .sheen-chat-copy').click()`))
		waitFor(t, `window.copied === 'func main() {\n\tfmt.Println("hello")\n}\n' && text('[data-id=a1] .sheen-chat-copy') === "Copied"`)
		idle()
	})

	t.Run("markdown corpus streams to the full rendering", func(t *testing.T) {
		files, err := filepath.Glob("../internal/markdown/testdata/corpus/*.md")
		if err != nil || len(files) == 0 {
			t.Skipf("no corpus: %v", err)
		}
		for i, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			id := fmt.Sprintf("c%d", i)
			patches, want := streamPatches(md, id, string(src), 3+i%11)
			msgs := []protocol.Message{cm("start", obj{"message": obj{"id": id, "role": "assistant", "kind": "markdown", "html": "", "streaming": true}})}
			for j, p := range patches {
				msgs = append(msgs, p)
				if j%3 == 1 {
					msgs = append(msgs, p) // twice
				}
			}
			// Half the files arrive in one update, half in one update per patch.
			if i%2 == 0 {
				srv.send(msgs...)
			} else {
				for _, m := range msgs {
					srv.send(m)
				}
			}
			srv.send(cm("end", obj{"id": id, "status": "done"}))
			wantJS, _ := json.Marshal(want)
			waitFor(t, fmt.Sprintf(`q('[data-id=%s]')?.dataset.status === "done"`, id))
			if eval(t, fmt.Sprintf(`String(bare(q('[data-id=%s] .sheen-chat-content')) === norm(%s))`, id, wantJS)) != "true" {
				got := eval(t, fmt.Sprintf(`bare(q('[data-id=%s] .sheen-chat-content'))`, id))
				t.Errorf("%s: the streamed message differs from the rendering\n got %s\nwant %s", filepath.Base(f), got, want)
			}
		}
	})

	t.Run("thinking collapses on thinkingClosed", func(t *testing.T) {
		srv.send(cm("start", obj{"message": obj{"id": "t1", "role": "assistant", "kind": "markdown", "html": "", "streaming": true}}),
			cm("patch", obj{"id": "t1", "answer": obj{}, "thinking": obj{"tail": "<p>Hmm…</p>"}}))
		waitFor(t, `q('[data-id=t1] details').open && q('[data-id=t1] details').classList.contains("sheen-chat-thinking-active")`)
		srv.send(cm("patch", obj{"id": "t1", "thinkingClosed": true}))
		waitFor(t, `!q('[data-id=t1] details').open && text('[data-id=t1] summary') === "Thinking"`)
		// A user who opens it keeps it open.
		run(t, js(`q('[data-id=t1] summary').click()`))
		srv.send(cm("patch", obj{"id": "t1", "answer": obj{"tail": "<p>Answer.</p>"}}), cm("end", obj{"id": "t1", "status": "done"}))
		waitFor(t, `text('[data-id=t1] .sheen-chat-content') === "Answer." && q('[data-id=t1] details').open`)
		// An empty thinking delta (as a final patch may carry) makes no panel.
		srv.send(cm("start", obj{"message": obj{"id": "t2", "role": "assistant", "kind": "markdown", "html": "", "streaming": true}}),
			cm("patch", obj{"id": "t2", "answer": obj{"from": 0, "keep": 0, "blocks": []string{}, "tail": "<p>No thoughts.</p>"},
				"thinking": obj{"from": 0, "keep": 0, "blocks": []string{}, "tail": ""}, "thinkingClosed": true}),
			cm("end", obj{"id": "t2", "status": "done"}))
		waitFor(t, `text('[data-id=t2] .sheen-chat-content') === "No thoughts."`)
		check(t, `!q('[data-id=t2] details')`)
	})

	t.Run("errors, retry and stop", func(t *testing.T) {
		hostile := `<img src=x onerror="window.pwned=1">Rate limited`
		srv.send(cm("start", obj{"message": obj{"id": "a2", "role": "assistant", "kind": "markdown", "html": "", "streaming": true}}),
			cm("patch", obj{"id": "a2", "answer": obj{"tail": "<p>Partial answer</p>"}}),
			cm("end", obj{"id": "a2", "status": "error", "error": hostile, "retry": true}))
		waitFor(t, `q('[data-id=a2] .sheen-chat-error[role=alert]') !== null`)
		check(t,
			`text('[data-id=a2] .sheen-chat-content') === "Partial answer"`,
			fmt.Sprintf(`text('[data-id=a2] .sheen-chat-error-text') === %q`, hostile),
			`!q('[data-id=a2] .sheen-chat-error img')`,
			`q('[data-id=a2]').dataset.status === "error"`,
		)
		run(t, click(`#chat [data-id=a2] .sheen-chat-retry`))
		srv.expect(t, "retry", `{"id":"a2"}`)
		check(t, `q('[data-id=a2] .sheen-chat-retry').disabled`)
		srv.send(cm("start", obj{"message": obj{"id": "a3", "role": "assistant", "kind": "markdown", "html": "<p>Cut</p>", "streaming": true}}),
			cm("end", obj{"id": "a3", "status": "stopped"}))
		waitFor(t, `text('[data-id=a3] .sheen-chat-note') === "Stopped" && text('[data-id=a3] .sheen-chat-content') === "Cut"`)
		// A message without retry has no button; an append carries its status.
		srv.send(cm("append", obj{"message": obj{"id": "a3b", "role": "assistant", "kind": "text", "html": "Half", "status": "error", "error": "Timed out"}}))
		waitFor(t, `text('[data-id=a3b] .sheen-chat-error') === "Timed out" && !q('[data-id=a3b] .sheen-chat-retry')`)
		screenshot(t, "chat-error")
	})

	t.Run("auto-scroll", func(t *testing.T) {
		srv.send(cm("start", obj{"message": obj{"id": "a4", "role": "assistant", "kind": "markdown", "html": "", "streaming": true}}))
		block := func(i int) string {
			return fmt.Sprintf("<p>Line %d of a long reply that keeps the transcript growing.</p>\n", i)
		}
		n := 0
		more := func(k int) {
			for range k {
				srv.send(cm("patch", obj{"id": "a4", "answer": obj{"from": n, "blocks": []string{block(n)}, "tail": "<p>…</p>"}}))
				n++
			}
			waitFor(t, fmt.Sprintf(`qa('[data-id=a4] .sheen-chat-content > p').length === %d`, n+1))
		}
		more(60)
		waitFor(t, `atBottom() && q('.sheen-chat-jump').hidden`)
		// The user scrolls up: following stops and the button appears.
		run(t, js(`sc.scrollTop = 0`))
		waitFor(t, `!q('.sheen-chat-jump').hidden`)
		more(20)
		check(t, `sc.scrollTop === 0`, `!q('.sheen-chat-jump').hidden`)
		screenshot(t, "chat-jump")
		run(t, click(`#chat .sheen-chat-jump`))
		waitFor(t, `atBottom() && q('.sheen-chat-jump').hidden`)
		more(20)
		waitFor(t, `atBottom()`)
		// A mouse wheel turned up stops following too.
		var box struct{ X, Y float64 }
		if err := json.Unmarshal([]byte(eval(t, `JSON.stringify((() => { const r = sc.getBoundingClientRect(); return {X: r.x + r.width / 2, Y: r.y + r.height / 2}; })())`)), &box); err != nil {
			t.Fatal(err)
		}
		run(t, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseWheel, box.X, box.Y, func(p *input.DispatchMouseEventParams) {
			p.DeltaX, p.DeltaY = 0.01, -300 // the protocol wants deltaX, and a 0 would be left out
		}))
		waitFor(t, `!q('.sheen-chat-jump').hidden && !atBottom()`)
		top := eval(t, `String(sc.scrollTop)`)
		more(5)
		check(t, fmt.Sprintf(`String(sc.scrollTop) === %q`, top))
		run(t, click(`#chat .sheen-chat-jump`))
		waitFor(t, `atBottom() && q('.sheen-chat-jump').hidden`)
		srv.send(cm("end", obj{"id": "a4", "status": "done"}))
		waitFor(t, `!q('[data-id=a4]').classList.contains("sheen-chat-streaming")`)
	})

	t.Run("palette", func(t *testing.T) {
		srv.send(cm("commands", obj{"commands": []obj{
			{"name": "greet", "description": "Say hello to someone", "echo": true, "server": true},
			{"name": "help", "description": "List the commands", "echo": false, "server": true},
			{"name": "theme", "description": "Switch light and dark", "echo": true, "server": false},
			{"name": "local", "description": "Handled on the page, silently", "echo": false, "server": false},
		}}))
		waitFor(t, `ta.getAttribute("aria-haspopup") === "listbox" && ta.getAttribute("aria-autocomplete") === "list" && !ta.hasAttribute("aria-controls")`)
		run(t, clearInput)
		typeIn(t, "/")
		waitFor(t, `!q('.sheen-chat-palette').hidden`)
		check(t,
			`q('.sheen-chat-palette').getAttribute("role") === "listbox"`,
			`qa('.sheen-chat-option[role=option]').map((o) => o.textContent).join("|") === "/greetSay hello to someone|/helpList the commands|/themeSwitch light and dark|/localHandled on the page, silently"`,
			`q('.sheen-chat-option[aria-selected=true]').dataset.command === "greet"`,
			`ta.getAttribute("aria-controls") === q('.sheen-chat-palette').id`,
			`ta.getAttribute("aria-activedescendant") === q('.sheen-chat-option[aria-selected=true]').id`,
			// Above the input: there is room.
			`q('.sheen-chat-palette').getBoundingClientRect().bottom <= q('.sheen-chat-inputbar').getBoundingClientRect().top`,
		)
		screenshot(t, "chat-palette")
		typeIn(t, kb.ArrowDown)
		check(t, `q('.sheen-chat-option[aria-selected=true]').dataset.command === "help"`,
			`ta.getAttribute("aria-activedescendant") === q('.sheen-chat-option[aria-selected=true]').id`)
		typeIn(t, kb.ArrowUp+kb.ArrowUp)
		check(t, `q('.sheen-chat-option[aria-selected=true]').dataset.command === "local"`) // wrapped
		typeIn(t, kb.Escape)
		check(t, `q('.sheen-chat-palette').hidden && ta.value === "/" && !ta.hasAttribute("aria-controls") && !ta.hasAttribute("aria-activedescendant")`)
		typeIn(t, "zz")
		waitFor(t, `text('.sheen-chat-palette') === "No matching commands"`)
		run(t, clearInput)
		typeIn(t, "/gr")
		check(t, `qa('.sheen-chat-option').map((o) => o.dataset.command).join() === "greet"`)
		typeIn(t, kb.Enter)
		check(t, `ta.value === "/greet " && q('.sheen-chat-palette').hidden`)
		typeIn(t, "Ada")
		typeIn(t, kb.Enter)
		srv.expect(t, "submit", `{"text":"/greet Ada"}`)
		check(t, `lastUser('.sheen-chat-chip').textContent === "/greet" && lastUser('.sheen-chat-content').textContent === "/greetAda"`)
		idle()
		waitFor(t, `!q('.sheen-chat-pending')`)

		// A server command without echo: sent, no bubble.
		users := eval(t, `String(qa('.sheen-chat-user').length)`)
		typeIn(t, "/he")
		typeIn(t, kb.Tab)
		check(t, `ta.value === "/help "`)
		typeIn(t, kb.Enter)
		srv.expect(t, "submit", `{"text":"/help"}`)
		check(t, fmt.Sprintf(`String(qa('.sheen-chat-user').length) === %q`, users))
		idle()
		waitFor(t, `!q('.sheen-chat-pending')`)

		// Page commands: handled by the page's listener, never sent.
		typeIn(t, "/theme dark")
		typeIn(t, kb.Enter)
		waitFor(t, `lastUser('.sheen-chat-content').textContent === "/themedark"`)
		typeIn(t, "/local x")
		typeIn(t, kb.Enter)
		check(t, `ta.value === "" && lastUser('.sheen-chat-content').textContent === "/themedark"`,
			`JSON.stringify(commandsSeen) === '[{"name":"theme","args":"dark","echo":true},{"name":"local","args":"x","echo":false}]'`,
			`!q('.sheen-chat-pending') && !document.getElementById("chat").classList.contains("sheen-chat-locked")`)

		// New commands: the palette follows; a page command nobody handles is sent as text.
		srv.send(cm("commands", obj{"commands": []obj{
			{"name": "greet", "description": "Say hello", "echo": true, "server": true},
			{"name": "shout", "description": "<img src=x onerror=\"window.pwned=4\">Loud", "echo": false, "server": false},
		}}))
		typeIn(t, "/")
		waitFor(t, `qa('.sheen-chat-option').length === 2`)
		check(t, `text('.sheen-chat-option[data-command=shout] .sheen-chat-option-desc') === '<img src=x onerror="window.pwned=4">Loud'`)
		typeIn(t, "sh")
		typeIn(t, kb.Enter)
		typeIn(t, "hi")
		typeIn(t, kb.Enter)
		srv.expect(t, "submit", `{"text":"/shout hi"}`) // not /theme or /local
		check(t, `lastUser('.sheen-chat-chip').textContent === "/shout"`)
		idle()
		waitFor(t, `!q('.sheen-chat-pending')`)
	})

	t.Run("suggestions", func(t *testing.T) {
		srv.send(cm("append", obj{"message": obj{"id": "a5", "role": "assistant", "kind": "markdown", "html": `<p>Try ` +
			`<span class="suggestion" id="s-fill">Fill me</span>, ` +
			`<span class="suggestion submit" id="s-send">Send me</span>, ` +
			`<span data-suggestion="attribute value" id="s-attr">by attribute</span>, ` +
			`<span data-suggestion="attr send" data-suggestion-submit id="s-attr-send">attr submit</span>, ` +
			`<span data-suggestion="no send" data-suggestion-submit="false" id="s-false">false flag</span>.</p>` +
			`<ol>` +
			`<li><span class="suggestion" title="Alpha">First card</span></li>` +
			`<li><span class="suggestion" title="Beta">Second card</span></li>` +
			`<li><span class="suggestion submit" title="Gamma">Third card</span></li>` +
			`<li><span class="suggestion" title="Delta">Fourth card</span></li>` +
			`<li><span class="suggestion" title="Epsilon">Fifth card</span></li>` +
			`</ol><ul><li><span class="suggestion">one</span> and <span class="suggestion">two</span></li></ul>`}}))
		waitFor(t, `q('#s-fill') !== null`)
		check(t,
			`q('#s-fill').getAttribute("role") === "button" && q('#s-fill').tabIndex === 0`,
			`q('#s-fill').getAttribute("aria-label") === "Use suggestion: Fill me"`,
			`q('#s-send').getAttribute("aria-label") === "Send suggestion: Send me"`,
			`q('#s-attr-send').getAttribute("aria-label") === "Send suggestion: attr send"`,
			`q('#s-false').getAttribute("aria-label") === "Use suggestion: no send"`,
			`q('[data-id=a5] ol').classList.contains("sheen-suggestion-cards")`,
			`!q('[data-id=a5] ul').classList.contains("sheen-suggestion-cards")`, // two in one item
			`qa('[data-id=a5] ol .sheen-suggestion-card-title').map((e) => e.textContent).join() === "Alpha,Beta,Gamma,Delta,Epsilon"`,
			`qa('[data-id=a5] ol .sheen-suggestion-card-num').map((e) => e.textContent).join() === "1,2,3,4,5"`,
			`qa('[data-id=a5] ol .sheen-suggestion').map((e) => e.tabIndex).join() === "0,-1,-1,-1,-1"`,
		)
		run(t, js(`document.activeElement.blur()`), click(`#s-fill`))
		check(t, `ta.value === "Fill me" && document.activeElement === ta`)
		run(t, click(`#s-send`))
		srv.expect(t, "submit", `{"text":"Send me"}`)
		check(t, `ta.value === "Fill me"`) // a sent suggestion leaves the draft alone
		idle()
		waitFor(t, `!q('.sheen-chat-pending')`)
		run(t, js(`q('#s-send').dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true, altKey: true}))`))
		check(t, `ta.value === "Send me"`)
		run(t, js(`q('#s-fill').dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true, ctrlKey: true}))`))
		srv.expect(t, "submit", `{"text":"Fill me"}`)
		idle()
		waitFor(t, `!q('.sheen-chat-pending')`)
		run(t, click(`#s-attr`))
		check(t, `ta.value === "attribute value"`)
		run(t, click(`#s-false`))
		check(t, `ta.value === "no send"`)
		run(t, click(`#s-attr-send`))
		srv.expect(t, "submit", `{"text":"attr send"}`)
		idle()
		waitFor(t, `!q('.sheen-chat-pending')`)
		// The keyboard: Enter and Space activate; Ctrl+Enter sends.
		run(t, clearInput, js(`q('#s-attr').focus()`), browsertest.Press(kb.Enter))
		check(t, `ta.value === "attribute value" && document.activeElement === ta`)
		run(t, js(`q('#s-fill').focus()`), browsertest.Press(" "))
		check(t, `ta.value === "Fill me"`)
		run(t, js(`q('#s-attr').focus()`), browsertest.Press(kb.Enter, chromedp.ModifierCtrl))
		srv.expect(t, "submit", `{"text":"attribute value"}`)
		idle()
		waitFor(t, `!q('.sheen-chat-pending')`)

		// The card grid: arrows, Home and End move the focus.
		cols := eval(t, `(() => { const li = qa('[data-id=a5] ol > li'); return String(li.filter((e) => e.offsetTop === li[0].offsetTop).length); })()`)
		if cols == "1" || cols == "5" {
			t.Fatalf("the cards are laid out in %s columns; the test wants a grid", cols)
		}
		focused := `[...q('[data-id=a5] ol').children].findIndex((li) => li.contains(document.activeElement))`
		run(t, js(`qa('[data-id=a5] ol .sheen-suggestion')[0].focus()`))
		keys := []struct{ key, want string }{
			{kb.ArrowRight, "1"}, {kb.ArrowLeft, "0"}, {kb.End, "4"}, {kb.Home, "0"}, {kb.ArrowDown, cols}, {kb.ArrowUp, "0"},
		}
		for _, k := range keys {
			run(t, browsertest.Press(k.key))
			check(t, fmt.Sprintf(`String(%s) === %q && document.activeElement.tabIndex === 0`, focused, k.want))
		}
		run(t, clearInput, js(`qa('[data-id=a5] ol .sheen-suggestion')[1].focus()`), browsertest.Press(kb.Enter))
		check(t, `ta.value === "Second card"`) // the title is not part of the text
		run(t, click(`#chat [data-id=a5] ol > li:nth-child(3)`))
		srv.expect(t, "submit", `{"text":"Third card"}`) // the whole card is the target
		idle()
		waitFor(t, `!q('.sheen-chat-pending')`)

		// Suggestions of a streaming message become cards when it ends.
		srv.send(cm("start", obj{"message": obj{"id": "a6", "role": "assistant", "kind": "markdown", "html": "", "streaming": true}}),
			cm("patch", obj{"id": "a6", "answer": obj{"blocks": []string{`<ul><li><span class="suggestion">Later A</span></li><li><span class="suggestion">Later B</span></li></ul>`}}}))
		waitFor(t, `qa('[data-id=a6] .sheen-suggestion').length === 2`)
		check(t, `!q('[data-id=a6] ul').classList.contains("sheen-suggestion-cards")`)
		srv.send(cm("end", obj{"id": "a6", "status": "done"}))
		waitFor(t, `q('[data-id=a6] ul').classList.contains("sheen-suggestion-cards")`)
		run(t, clearInput)
	})

	t.Run("input from the server", func(t *testing.T) {
		typeIn(t, "my draft")
		run(t, js(`ta.blur()`))
		srv.send(cm("input", obj{"value": "asked by the app", "submit": true}))
		srv.expect(t, "submit", `{"text":"asked by the app"}`)
		check(t, `ta.value === "my draft" && document.activeElement !== ta`,
			`lastUser('.sheen-chat-content').textContent === "asked by the app"`)
		idle()
		waitFor(t, `!q('.sheen-chat-pending')`)
		srv.send(cm("input", obj{"value": "focused", "submit": true, "focus": true}))
		srv.expect(t, "submit", `{"text":"focused"}`)
		check(t, `ta.value === "my draft" && document.activeElement === ta`)
		idle()
		waitFor(t, `!q('.sheen-chat-pending')`)
		run(t, js(`ta.blur()`))
		srv.send(cm("input", obj{"value": "set, not sent", "placeholder": "Ask again…"}))
		waitFor(t, `ta.value === "set, not sent" && ta.placeholder === "Ask again…" && document.activeElement !== ta`)

		// While busy, a submit from the server waits for the response to end.
		srv.send(cm("busy", obj{"busy": true}), cm("input", obj{"value": "queued", "submit": true}))
		waitFor(t, `!q('.sheen-chat-stop').hidden`)
		run(t, click(`#chat .sheen-chat-stop`))
		srv.expect(t, "stop", `{}`) // and not the queued submit
		idle()
		srv.expect(t, "submit", `{"text":"queued"}`)
		check(t, `ta.value === "set, not sent"`)
		idle()
		waitFor(t, `!q('.sheen-chat-pending')`)
		run(t, clearInput)
	})

	t.Run("hostile content never runs", func(t *testing.T) {
		typed := `<img src=x onerror="window.pwned=1"><b>bold?</b>`
		run(t, js(fmt.Sprintf(`ta.focus(); ta.value = %q; ta.dispatchEvent(new Event("input", {bubbles: true}))`, typed)))
		typeIn(t, kb.Enter)
		srv.expect(t, "submit", fmt.Sprintf(`{"text":%q}`, typed))
		check(t, fmt.Sprintf(`lastUser('.sheen-chat-content').textContent === %q`, typed),
			`!lastUser('img') && !lastUser('b')`)
		idle()
		srv.send(cm("append", obj{"message": obj{"id": "a7", "role": "assistant", "kind": "html",
			"html": `<p>x<img src="/missing.png" onerror="window.pwned=2" id="bad"><a id="jsl" href=" java&#x09;script:window.pwned=3">link</a>` +
				`<svg><a id="svgl" href="javascript:window.pwned=5"><text>t</text></a></svg></p>` +
				`<script>window.pwned=6</script><iframe hidden onload="window.pwned=7"></iframe>`,
			"icon": `<img src="/missing-icon.png" onerror="window.pwned=8" id="badicon">`}}))
		waitFor(t, `q('#bad')?.complete && q('#badicon')?.complete`)
		run(t, js(`q('#jsl').click(); q('#svgl').dispatchEvent(new MouseEvent("click", {bubbles: true}))`))
		check(t, `!q('#bad').hasAttribute("onerror") && !q('#jsl').hasAttribute("href") && !q('#svgl').hasAttribute("href")`,
			`!q('[data-id=a7] iframe')`) // the client's second layer removes frames altogether
		waitFor(t, `document.readyState === "complete"`)
		check(t, `window.pwned === undefined`)
	})

	t.Run("greeting", func(t *testing.T) {
		srv.send(cm("reset", obj{"messages": []obj{}, "greeting": obj{"html": `<p>Welcome back.</p>`, "persistent": true}}))
		waitFor(t, `qa('.sheen-chat-msg').length === 1 && text('.sheen-chat-greeting') === "Welcome back."`)
		srv.send(cm("append", obj{"message": obj{"id": "u1", "role": "user", "kind": "markdown", "html": "<p>/greet <em>you</em></p>", "command": "greet"}}))
		waitFor(t, `q('[data-id=u1]') !== null`)
		check(t, `q('.sheen-chat-log').firstElementChild.classList.contains("sheen-chat-greeting")`, // a persistent greeting stays first
			`text('[data-id=u1] .sheen-chat-chip') === "/greet" && text('[data-id=u1] .sheen-chat-content') === "/greetyou"`,
			`q('[data-id=u1] .sheen-chat-content p > .sheen-chat-chip + em') !== null`)
		srv.send(cm("greeting", obj{"greeting": nil}))
		waitFor(t, `!q('.sheen-chat-greeting')`)
		srv.send(cm("greeting", obj{"greeting": obj{"html": "<p>Not while there are messages.</p>", "persistent": false}}))
		srv.send(cm("reset", obj{"messages": []obj{}, "greeting": obj{"html": "<p>Alone again.</p>"}}))
		waitFor(t, `text('.sheen-chat-greeting') === "Alone again." && qa('.sheen-chat-msg').length === 1`)
	})

	t.Run("meter", func(t *testing.T) {
		srv.send(cm("meter", obj{"used": 6900, "budget": 8000}))
		waitFor(t, `!q('.sheen-chat-meter').hidden && text('.sheen-chat-meter') === "6.9k / 8k"`)
		check(t, `q('.sheen-chat-meter').getAttribute("aria-valuenow") === "6900" && q('.sheen-chat-meter').dataset.level === "high"`)
		srv.send(cm("meter", obj{"used": 10, "budget": 0}))
		waitFor(t, `q('.sheen-chat-meter').hidden`)
		srv.send(cm("meter", obj{"used": "x", "budget": -1}), cm("nonsense", 5), cm("patch", "no"), cm("end", nil))
		srv.send(cm("meter", obj{"used": 2100, "budget": 128000}))
		waitFor(t, `!q('.sheen-chat-meter').hidden && text('.sheen-chat-meter') === "2.1k / 128k"`)
	})

	t.Run("a second chat: Ctrl+Enter, no cancel, palette below", func(t *testing.T) {
		// Messages for a chat that is not on the page yet wait for it. The
		// server's first message for a chat is its transcript: until it
		// came, the page would hold a submission.
		srv.send(cmTo("chat2", "reset", obj{"messages": []obj{}, "greeting": obj{"html": "<p>Second chat.</p>"}}))
		run(t, js(`const c = document.createElement("div");
			c.id = "chat2"; c.dataset.sheenComponent = "chat"; c.dataset.submitKey = "enter+modifier"; c.dataset.cancel = "false";
			c.dataset.placeholder = "Ctrl+Enter to send";
			c.style.cssText = "position: fixed; top: 0; left: 0; width: 600px; --sheen-chat-height: 16rem; z-index: 100";
			document.body.append(c);
			window.ta2 = null;`))
		srv.expectOn(t, "chat2", "ready", `{"c":""}`)
		waitFor(t, `document.querySelector("#chat2 .sheen-chat-greeting")?.textContent === "Second chat."`)
		run(t, js(`window.ta2 = document.querySelector("#chat2 .sheen-chat-input"); ta2.focus()`), browsertest.Press("two"), browsertest.Press(kb.Enter), browsertest.Press("lines"))
		check(t, `ta2.value === "two\nlines"`)
		run(t, browsertest.Press(kb.Enter, chromedp.ModifierCtrl))
		srv.expectOn(t, "chat2", "submit", `{"text":"two\nlines"}`)
		srv.send(cmTo("chat2", "busy", obj{"busy": true}))
		waitFor(t, `document.querySelector("#chat2").classList.contains("sheen-chat-locked")`)
		check(t, `document.querySelector("#chat2 .sheen-chat-stop").hidden && !document.querySelector("#chat2 .sheen-chat-send").hidden`)
		run(t, js(`ta2.focus()`), browsertest.Press(kb.Escape)) // no cancel: no stop
		srv.send(cmTo("chat2", "busy", obj{"busy": false}))
		waitFor(t, `!document.querySelector("#chat2").classList.contains("sheen-chat-locked")`)
		run(t, js(`ta2.focus()`), browsertest.Press("x"), browsertest.Press(kb.Enter, chromedp.ModifierMeta))
		srv.expectOn(t, "chat2", "submit", `{"text":"x"}`) // and no stop before it
		srv.send(cmTo("chat2", "busy", obj{"busy": false}), cmTo("chat2", "commands", obj{"commands": []obj{
			{"name": "one"}, {"name": "two"}, {"name": "three"}, {"name": "four"}, {"name": "five"}, {"name": "six"},
		}}))
		waitFor(t, `ta2.getAttribute("aria-haspopup") === "listbox"`)
		run(t, js(`ta2.focus()`), browsertest.Press("/"))
		waitFor(t, `!document.querySelector("#chat2 .sheen-chat-palette").hidden`)
		check(t, `document.querySelector("#chat2 .sheen-chat-palette").getBoundingClientRect().top >= document.querySelector("#chat2 .sheen-chat-inputbar").getBoundingClientRect().bottom`)
		screenshot(t, "chat-palette-below")
		run(t, js(`document.getElementById("chat2").remove()`))
	})

	t.Run("reduced motion", func(t *testing.T) {
		run(t, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}},
			})
			return err
		}))
		defer run(t, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{}})
			return err
		}))
		typeIn(t, "still")
		typeIn(t, kb.Enter)
		srv.expect(t, "submit", `{"text":"still"}`)
		waitFor(t, `q('.sheen-chat-dots > span') !== null`)
		check(t, `getComputedStyle(q('.sheen-chat-dots > span')).animationName === "none"`)
		idle()
		waitFor(t, `!q('.sheen-chat-pending')`)
	})

	t.Run("screenshots", func(t *testing.T) {
		if os.Getenv("SHEEN_SCREENSHOTS") == "" {
			t.Skip("set SHEEN_SCREENSHOTS to a directory")
		}
		code := "Here's a small Go program that streams a reply:\n\n```go\npackage main\n\nimport \"fmt\"\n\nfunc main() {\n\tfor i, w := range []string{\"Hello\", \"sheen\"} {\n\t\tfmt.Println(i, w) // one line each\n\t}\n}\n```\n\n" +
			"| Library | Renders | Streams |\n|---|---|---:|\n| shinychat | client | per chunk |\n| **sheen** | server | per block |\n\nRun it with `go run .` and you should see two lines."
		cards := `<p>I can help with a few things:</p><ul>` +
			`<li><span class="suggestion" title="Explain">How does streaming work?</span></li>` +
			`<li><span class="suggestion submit" title="Compare">Compare sheen with Shiny</span></li>` +
			`<li><span class="suggestion" title="Write">A haiku about Go channels</span></li></ul>`
		srv.send(cm("reset", obj{"messages": []obj{
			{"id": "s1", "role": "user", "kind": "text", "html": "Can you show me a Go example, and compare the approaches in a table?"},
			{"id": "s2", "role": "assistant", "kind": "markdown", "html": md.RenderString(code), "thinking": md.RenderString("The user wants code **and** a table. Keep it short.")},
			{"id": "s3", "role": "user", "kind": "text", "html": "What else can you do?"},
			{"id": "s4", "role": "assistant", "kind": "markdown", "html": cards},
			{"id": "s5", "role": "user", "kind": "text", "html": "/greet Ada", "command": "greet"},
			{"id": "s6", "role": "assistant", "kind": "markdown", "html": "<p>Hello Ada! Let me look that up</p>", "status": "error", "error": "The model is overloaded. Try again in a moment.", "retry": true},
		}, "greeting": obj{"html": "<p><strong>Hi, I'm sheen.</strong> Ask me anything.</p>", "persistent": false}}))
		srv.send(cm("meter", obj{"used": 2100, "budget": 128000}))
		waitFor(t, `q('[data-id=s6] .sheen-chat-retry') !== null`)
		run(t, clearInput, js(`sc.scrollTop = 0`))
		for _, theme := range []string{"light", "dark"} {
			run(t, js(`document.documentElement.dataset.theme = "`+theme+`"`))
			run(t, js(`sc.scrollTop = 0`))
			screenshot(t, "chat-top-"+theme)
			run(t, js(`sc.scrollTop = sc.scrollHeight`))
			screenshot(t, "chat-bottom-"+theme)
		}
		// Streaming with thinking, and the palette, in dark.
		srv.send(cm("start", obj{"message": obj{"id": "s7", "role": "assistant", "kind": "markdown", "html": "", "streaming": true}}),
			cm("patch", obj{"id": "s7", "answer": obj{}, "thinking": obj{"tail": md.RenderString("First I'll check what the user asked, then look at the **tables** and decide.")}}),
			cm("busy", obj{"busy": true}))
		waitFor(t, `q('[data-id=s7] details')?.open`)
		run(t, js(`sc.scrollTop = sc.scrollHeight`))
		screenshot(t, "chat-thinking-dark")
		srv.send(cm("patch", obj{"id": "s7", "answer": obj{"tail": "<p>Streaming an answer</p>"}, "thinkingClosed": true}))
		waitFor(t, `!q('[data-id=s7] details').open`)
		screenshot(t, "chat-streaming-dark")
		srv.send(cm("end", obj{"id": "s7", "status": "done"}))
		idle()
		srv.send(cm("commands", obj{"commands": []obj{
			{"name": "greet", "description": "Say hello to someone", "echo": true},
			{"name": "help", "description": "List the commands"},
			{"name": "summarize", "description": "Summarize the conversation so far"},
			{"name": "theme", "description": "Switch light and dark", "server": false},
		}}))
		run(t, clearInput)
		typeIn(t, "/")
		waitFor(t, `!q('.sheen-chat-palette').hidden`)
		screenshot(t, "chat-palette-dark")
		run(t, js(`document.documentElement.dataset.theme = "light"`))
		screenshot(t, "chat-palette-light")
		typeIn(t, kb.Escape)
		run(t, clearInput)
		// A fresh chat: the greeting with cards.
		srv.send(cm("reset", obj{"messages": []obj{}, "greeting": obj{"html": "<p><strong>Hi, I'm sheen.</strong> What shall we do today?</p>" +
			`<ol><li><span class="suggestion" title="Plan">Plan a three-day trip to Lisbon</span></li>` +
			`<li><span class="suggestion" title="Explain">Explain Go's select statement</span></li>` +
			`<li><span class="suggestion submit" title="Write">Draft a polite reminder email</span></li>` +
			`<li><span class="suggestion" title="Debug">Why does my goroutine leak?</span></li></ol>`}}))
		waitFor(t, `q('.sheen-chat-greeting .sheen-suggestion-cards') !== null`)
		screenshot(t, "chat-greeting-light")
		run(t, js(`document.documentElement.dataset.theme = "dark"`))
		screenshot(t, "chat-greeting-dark")
		run(t, js(`delete document.documentElement.dataset.theme`))
		// A phone.
		srv.send(cm("append", obj{"message": obj{"id": "p1", "role": "user", "kind": "text", "html": "Explain Go's select statement"}}),
			cm("append", obj{"message": obj{"id": "p2", "role": "assistant", "kind": "markdown", "html": md.RenderString(code)}}))
		run(t, chromedp.EmulateViewport(390, 760), js(`sc.scrollTop = 0`))
		screenshot(t, "chat-phone-light")
		run(t, chromedp.ResetViewport())
	})
}

// BenchmarkChatStream streams a 51 KB reply (internal/markdown's
// reply50k.md) in 5-byte chunks through the real markdown stream into the
// chat in headless Chromium, one update frame per patch, as the performance
// plan's MD-3 measurement does. Besides ns/op (the whole stream, wall time)
// it reports the page's main-thread time from Chromium's own counters:
// task-ms/update (everything: WebSocket, JSON, the runtime, the chat, style,
// layout), script-ms/update and layout-ms/update.
func BenchmarkChatStream(b *testing.B) {
	src, err := os.ReadFile("../internal/markdown/testdata/reply50k.md")
	if err != nil {
		b.Skip(err)
	}
	e := newChatEnv(b)
	md := markdown.New()
	patches, want := streamPatches(md, "r", string(src), 5)
	wantJS, _ := json.Marshal(want)
	tab := e.tab.For(b)
	tab.Metrics() // start counting
	var task, script, layout float64
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		e.srv.send(cm("reset", obj{"messages": []obj{}}),
			cm("start", obj{"message": obj{"id": "r", "role": "assistant", "kind": "markdown", "html": "", "streaming": true}}))
		e.waitFor(b, `q('[data-id=r]')?.classList.contains("sheen-chat-streaming")`)
		before := tab.Metrics()
		b.StartTimer()
		for _, p := range patches {
			e.srv.send(p)
		}
		e.srv.send(cm("end", obj{"id": "r", "status": "done"}))
		e.waitFor(b, `q('[data-id=r]')?.dataset.status === "done"`)
		b.StopTimer()
		after := tab.Metrics()
		task += after["TaskDuration"] - before["TaskDuration"]
		script += after["ScriptDuration"] - before["ScriptDuration"]
		layout += after["LayoutDuration"] + after["RecalcStyleDuration"] - before["LayoutDuration"] - before["RecalcStyleDuration"]
		e.check(b, fmt.Sprintf(`bare(q('[data-id=r] .sheen-chat-content')) === norm(%s)`, wantJS))
		b.StartTimer()
	}
	updates := float64(b.N * (len(patches) + 1))
	b.ReportMetric(task*1000/updates, "task-ms/update")
	b.ReportMetric(script*1000/updates, "script-ms/update")
	b.ReportMetric(layout*1000/updates, "layout-ms/update")
	b.ReportMetric(float64(len(patches)+1), "updates/op")
}
