package chat_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/browsertest"
)

// clipRecorder replaces the clipboard's write with one that records what
// was written, type by type, in __clip.
const clipRecorder = `(() => {
	window.__clip = [];
	const write = async (items) => {
		for (const it of items) {
			const o = {};
			for (const t of it.types) o[t] = await (await it.getType(t)).text();
			__clip.push(o);
		}
	};
	if (navigator.clipboard) navigator.clipboard.write = write;
	else Object.defineProperty(navigator, "clipboard", {value: {write}});
})()`

// actionShorthands: the toolbar button of message i (from the messages
// shown) for an action.
const actionShorthands = `(() => {
	window.btn = (i, action) => msgs().at(i)?.querySelector(".sheen-chat-action-" + action);
	window.tool = (action) => q(".sheen-chat-inputtools .sheen-chat-action-" + action);
	// forge clicks a button of action that the page did not offer, put in
	// the element of class cls inside el.
	window.forge = (el, cls, action) => {
		let bar = el.querySelector(cls);
		if (!bar) { bar = document.createElement("div"); bar.className = cls.slice(1); (el.querySelector(".sheen-chat-body") || el).append(bar); }
		const b = document.createElement("button");
		b.dataset.action = action;
		bar.append(b);
		b.click();
		return true;
	};
})()`

// answering answers every input with "answer <n> to <text>" (n counts the
// handler's runs) and records the inputs.
type answering struct {
	mu  sync.Mutex
	n   int
	ins []chat.Input
}

func (a *answering) handler(c *chat.Chat) func(ctx context.Context, in chat.Input) error {
	return func(ctx context.Context, in chat.Input) error {
		a.mu.Lock()
		a.n++
		n := a.n
		a.ins = append(a.ins, in)
		a.mu.Unlock()
		return c.AppendMessage(ctx, fmt.Sprintf("answer %d to **%s**", n, in.Text))
	}
}

func (a *answering) inputs() []chat.Input {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]chat.Input(nil), a.ins...)
}

// contents is the transcript's contents, joined by "|".
func contents(ms []chat.Message) string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Content)
	}
	return strings.Join(out, "|")
}

func TestBrowserActions(t *testing.T) {
	b := browsertest.New(t)

	// ask submits text and waits for the answer.
	ask := func(p *chatTab, text string) {
		t.Helper()
		n := browsertest.Eval[float64](p.Tab, `msgs().length`)
		p.setInput(text)
		p.JS(`q(".sheen-chat-send").click()`)
		p.Wait(fmt.Sprintf(`msgs().length >= %v + 2 && idle() && !!btn(-2, "copy")`, n))
	}

	t.Run("copy: the markdown as text and the rendered HTML", func(t *testing.T) {
		a := &answering{}
		p := openChat(t, b, nil, func(s *sheen.Session, c *chat.Chat) { c.OnUserSubmit(a.handler(c)) }, clipRecorder, actionShorthands)
		ask(p, "hello")
		p.check(`btn(-1, "copy").getAttribute("aria-label") === "Copy message"`)
		p.click(`btn(-1, "copy")`)
		p.Wait(`__clip.length === 1`)
		p.check(
			`__clip[0]["text/plain"] === "answer 1 to **hello**"`,
			`__clip[0]["text/html"].includes("<strong>hello</strong>")`,
			`!__clip[0]["text/html"].includes("button")`,
			`btn(-1, "copy").getAttribute("aria-label") === "Copied"`,
		)
		p.click(`btn(-2, "copy")`) // the user's message
		p.Wait(`__clip.length === 2`)
		p.check(`__clip[1]["text/plain"] === "hello"`)
	})

	t.Run("regenerate keeps the answers as alternatives; Messages shows the chosen one", func(t *testing.T) {
		a := &answering{}
		var c *chat.Chat
		p := openChat(t, b, nil, func(s *sheen.Session, cc *chat.Chat) { c = cc; c.OnUserSubmit(a.handler(c)) }, actionShorthands)
		ask(p, "first")
		ask(p, "second")
		p.check(`!btn(1, "regenerate")`, `!!btn(3, "regenerate")`) // only the last answer
		p.click(`btn(-1, "regenerate")`)
		p.Wait(`idle() && lastText() === "answer 3 to second" && !!q(".sheen-chat-pager")`)
		p.check(
			`texts().join("|") === "first|answer 1 to first|second|answer 3 to second"`,
			`q(".sheen-chat-pager-label").textContent === "2 / 2"`,
			`msgs().at(-1).contains(q(".sheen-chat-pager"))`,
		)
		if got := contents(c.Messages()); got != "first|answer 1 to **first**|second|answer 3 to **second**" {
			t.Errorf("Messages = %s", got)
		}
		ins := a.inputs()
		if last := ins[len(ins)-1]; last.Text != "second" || last.Seq != 3 {
			t.Errorf("regenerate's input = %+v, want second, Seq 3", last)
		}
		// Back to the first answer.
		p.click(`q(".sheen-chat-action-prev")`)
		p.Wait(`lastText() === "answer 2 to second" && q(".sheen-chat-pager-label").textContent === "1 / 2"`)
		p.check(`q(".sheen-chat-action-prev").disabled`, `!q(".sheen-chat-action-next").disabled`)
		if got := contents(c.Messages()); got != "first|answer 1 to **first**|second|answer 2 to **second**" {
			t.Errorf("Messages after ‹ = %s", got)
		}
		ms := c.Messages()
		answers, shown := c.Alternatives(ms[2].ID)
		if len(answers) != 2 || shown != 0 || contents(answers[1]) != "answer 3 to **second**" {
			t.Errorf("Alternatives = %v, %d", answers, shown)
		}
		if a.n != 3 {
			t.Errorf("the handler ran %d times, want 3 (paging runs nothing)", a.n)
		}
		p.shot("actions-regenerate")
	})

	t.Run("edit a user message: cut after it, the handler runs with the new text", func(t *testing.T) {
		a := &answering{}
		var c *chat.Chat
		p := openChat(t, b, nil, func(s *sheen.Session, cc *chat.Chat) { c = cc; c.OnUserSubmit(a.handler(c)) }, actionShorthands)
		ask(p, "one")
		ask(p, "two")
		p.click(`btn(0, "edit")`)
		p.Wait(`!!q(".sheen-chat-edit-input") && document.activeElement === q(".sheen-chat-edit-input")`)
		p.check(`q(".sheen-chat-edit-input").value === "one"`)
		// Escape cancels, the chat's stop is not pressed.
		p.Do(press(kb.Escape))
		p.Wait(`!q(".sheen-chat-edit-input") && texts()[0] === "one"`)
		p.click(`btn(0, "edit")`)
		p.Wait(`!!q(".sheen-chat-edit-input")`)
		p.JS(`q(".sheen-chat-edit-input").select()`)
		p.Do(press("uno" + kb.Enter))
		p.Wait(`idle() && texts().join("|") === "uno|answer 3 to uno"`)
		if got := contents(c.Messages()); got != "uno|answer 3 to **uno**" {
			t.Errorf("Messages = %s", got)
		}
		if ins := a.inputs(); ins[len(ins)-1].Text != "uno" {
			t.Errorf("the handler got %q", ins[len(ins)-1].Text)
		}
	})

	t.Run("edit while a reply streams stops it first", func(t *testing.T) {
		feed := make(chan string)
		var c *chat.Chat
		var mu sync.Mutex
		var got []string
		p := openChat(t, b, nil, func(s *sheen.Session, cc *chat.Chat) {
			c = cc
			c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
				mu.Lock()
				got = append(got, in.Text)
				mu.Unlock()
				if in.Text == "slow" {
					_, err := c.AppendMessageStream(ctx, fed(ctx, feed)).Wait(ctx)
					if err == chat.ErrStopped {
						return nil
					}
					return err
				}
				return c.AppendMessage(ctx, "quick answer")
			})
		}, actionShorthands)
		p.setInput("slow")
		p.JS(`q(".sheen-chat-send").click()`)
		feed <- "Streaming…"
		p.Wait(`!!q(".sheen-chat-streaming") && !!btn(0, "edit")`)
		p.check(`!q(".sheen-chat-streaming .sheen-chat-actions")`) // no actions on the streaming message
		p.click(`btn(0, "edit")`)
		p.Wait(`!!q(".sheen-chat-edit-input")`)
		p.JS(`q(".sheen-chat-edit-input").select()`)
		p.Do(press("fast" + kb.Enter))
		p.Wait(`idle() && texts().join("|") === "fast|quick answer"`)
		if got := contents(c.Messages()); got != "fast|quick answer" {
			t.Errorf("Messages = %s", got)
		}

		// Regenerate (from Go) while a reply streams: the partial reply is
		// stopped and kept as the first alternative.
		p.setInput("slow")
		p.JS(`q(".sheen-chat-send").click()`)
		feed <- "Partial"
		p.Wait(`!!q(".sheen-chat-streaming") && lastText().includes("Partial")`)
		c.Regenerate()
		feed <- "Complete"
		p.Wait(`!!q(".sheen-chat-streaming") && lastText() === "Complete"`)
		close(feed)
		p.Wait(`idle() && !!q(".sheen-chat-pager")`)
		p.check(`texts().join("|") === "fast|quick answer|slow|Complete"`, `q(".sheen-chat-pager-label").textContent === "2 / 2"`)
		ms := c.Messages()
		answers, shown := c.Alternatives(ms[2].ID)
		if len(answers) != 2 || shown != 1 || len(answers[0]) != 1 || answers[0][0].Status != chat.Stopped || answers[0][0].Content != "Partial" {
			t.Errorf("Alternatives = %+v, %d", answers, shown)
		}
	})

	t.Run("delete, undo, and clear after a confirmation", func(t *testing.T) {
		a := &answering{}
		var c *chat.Chat
		p := openChat(t, b, nil, func(s *sheen.Session, cc *chat.Chat) { c = cc; c.OnUserSubmit(a.handler(c)) }, actionShorthands)
		ask(p, "one")
		ask(p, "two")
		ask(p, "three")
		p.click(`btn(1, "remove")`)
		p.Wait(`texts().join("|") === "one|two|answer 2 to two|three|answer 3 to three"`)
		if got := contents(c.Messages()); got != "one|two|answer 2 to **two**|three|answer 3 to **three**" {
			t.Errorf("Messages after delete = %s", got)
		}
		// Undo removes the last question and its answer, and gives its text back.
		p.setInput("")
		p.click(`tool("undo")`)
		p.Wait(`texts().join("|") === "one|two|answer 2 to two" && ta().value === "three"`)
		if got := contents(c.Messages()); got != "one|two|answer 2 to **two**" {
			t.Errorf("Messages after undo = %s", got)
		}
		// Clear asks first: Cancel keeps everything.
		p.click(`tool("clear")`)
		p.Wait(`q(".sheen-chat-clear-dialog").open`)
		p.check(`document.activeElement === q(".sheen-chat-clear-dialog .sheen-chat-dialog-cancel")`)
		p.shot("actions-clear-dialog")
		p.Do(press(kb.Escape))
		p.Wait(`!q(".sheen-chat-clear-dialog").open`)
		p.check(`msgs().length === 3`)
		p.click(`tool("clear")`)
		p.Wait(`q(".sheen-chat-clear-dialog").open`)
		p.click(`q(".sheen-chat-dialog-delete")`)
		p.Wait(`msgs().length === 0`)
		if n := len(c.Messages()); n != 0 {
			t.Errorf("Messages after clear: %d", n)
		}
	})

	t.Run("the greeting comes back when everything is undone", func(t *testing.T) {
		a := &answering{}
		p := openChat(t, b, []chat.Option{chat.Greeting("**Hello!** Ask me anything.")}, func(s *sheen.Session, c *chat.Chat) { c.OnUserSubmit(a.handler(c)) }, actionShorthands)
		p.check(`!!q(".sheen-chat-greeting")`)
		ask(p, "one")
		p.Wait(`!q(".sheen-chat-greeting")`)
		p.click(`tool("undo")`)
		p.Wait(`msgs().length === 0 && !!q(".sheen-chat-greeting") && q(".sheen-chat-greeting").textContent.includes("Hello!")`)
	})

	t.Run("feedback: thumbs with a comment reach OnFeedback and show as chosen", func(t *testing.T) {
		a := &answering{}
		fbs := make(chan chat.FeedbackEvent, 8)
		var c *chat.Chat
		p := openChat(t, b, nil, func(s *sheen.Session, cc *chat.Chat) {
			c = cc
			c.OnUserSubmit(a.handler(c))
			c.OnFeedback(func(ctx context.Context, e chat.FeedbackEvent) error { fbs <- e; return nil })
		}, actionShorthands)
		ask(p, "rate me")
		p.check(`!btn(0, "up")`) // users' messages are not rated
		p.click(`btn(-1, "up")`)
		e := recv(t, fbs, "the rating")
		if e.Feedback.Rating != chat.ThumbsUp || e.Message.Content != "answer 1 to **rate me**" || e.Message.ID == "" {
			t.Errorf("feedback %+v", e)
		}
		p.Wait(`btn(-1, "up").getAttribute("aria-pressed") === "true" && document.activeElement === q(".sheen-chat-feedback-input")`)
		p.shot("actions-feedback")
		p.Do(press("Clear and short." + kb.Enter))
		e = recv(t, fbs, "the comment")
		if e.Feedback.Comment != "Clear and short." || e.Feedback.Rating != chat.ThumbsUp {
			t.Errorf("feedback %+v", e)
		}
		p.Wait(`!q(".sheen-chat-feedback") && btn(-1, "up").title.includes("Clear and short.")`)
		if fb := c.Messages()[1].Feedback; fb.Rating != chat.ThumbsUp || fb.Comment != "Clear and short." {
			t.Errorf("Message.Feedback = %+v", fb)
		}
		// Down instead, skipping the comment; then taken back.
		p.click(`btn(-1, "down")`)
		e = recv(t, fbs, "the change")
		if e.Feedback.Rating != chat.ThumbsDown || e.Feedback.Comment != "" {
			t.Errorf("feedback %+v", e)
		}
		p.Wait(`!!q(".sheen-chat-feedback")`)
		p.Do(press(kb.Escape))
		p.Wait(`!q(".sheen-chat-feedback") && btn(-1, "down").getAttribute("aria-pressed") === "true" && btn(-1, "up").getAttribute("aria-pressed") === "false"`)
		p.click(`btn(-1, "down")`)
		e = recv(t, fbs, "the rating taken back")
		if e.Feedback.Rating != "" {
			t.Errorf("feedback %+v", e)
		}
		p.Wait(`btn(-1, "down").getAttribute("aria-pressed") === "false"`)
	})

	t.Run("custom actions on messages and on the input row", func(t *testing.T) {
		a := &answering{}
		got := make(chan chat.Message, 4)
		p := openChat(t, b, nil, func(s *sheen.Session, c *chat.Chat) {
			c.OnUserSubmit(a.handler(c))
			c.AddAction(chat.Action{Name: "pin", Label: "Pin", Tooltip: "Pin this answer", Roles: []chat.Role{chat.Assistant},
				Icon: `<svg viewBox="0 0 24 24" width="1em" height="1em"><circle cx="12" cy="12" r="5" fill="currentColor"/></svg>`,
				Run:  func(ctx context.Context, m chat.Message) error { got <- m; return nil }})
			c.AddAction(chat.Action{Name: "translate", Label: "Translate",
				Run: func(ctx context.Context, m chat.Message) error { got <- m; return nil }})
			c.AddAction(chat.Action{Name: "boom", Label: "Boom", Roles: []chat.Role{chat.User},
				Run: func(ctx context.Context, m chat.Message) error { panic("boom") }})
			c.AddAction(chat.Action{Name: "", Label: "no name"}) // refused, logged
		}, actionShorthands)
		ask(p, "pin it")
		p.check(
			`btn(0, "custom").getAttribute("aria-label") === "Boom"`, // pin: assistant messages only
			`btn(-1, "custom").getAttribute("aria-label") === "Pin"`,
			`btn(-1, "custom").title === "Pin this answer"`,
			`!!btn(-1, "custom").querySelector("svg")`,
			`q(".sheen-chat-inputtools .sheen-chat-action-custom").textContent === "Translate"`,
		)
		p.click(`btn(-1, "custom")`)
		if m := recv(t, got, "the pin"); m.Content != "answer 1 to **pin it**" || m.Role != chat.Assistant {
			t.Errorf("pin got %+v", m)
		}
		p.setInput("bonjour")
		p.click(`q(".sheen-chat-inputtools .sheen-chat-action-custom")`)
		if m := recv(t, got, "the translation"); m.Content != "bonjour" || m.Role != chat.User || m.ID != "" {
			t.Errorf("translate got %+v", m)
		}
		// A panicking action is logged; the session goes on.
		p.check(`btn(0, "custom").getAttribute("aria-label") === "Boom"`, `qa(".sheen-chat-inputtools button").length === 3`)
		p.click(`btn(0, "custom")`)
		ask(p, "still alive")
		p.check(`lastText() === "answer 2 to still alive"`)
	})

	t.Run("keyboard: the toolbar shows on focus, arrows move, Enter acts", func(t *testing.T) {
		a := &answering{}
		p := openChat(t, b, nil, func(s *sheen.Session, c *chat.Chat) { c.OnUserSubmit(a.handler(c)) }, clipRecorder, actionShorthands)
		ask(p, "keys")
		ask(p, "more keys")
		// Not the last answer's toolbar: hidden until hovered or focused.
		// Not a touch screen (where the toolbars always show).
		p.check(`!matchMedia("(pointer: coarse)").matches`)
		p.JS(`document.activeElement.blur()`)
		p.check(`getComputedStyle(btn(1, "copy")).opacity === "0"`, `getComputedStyle(btn(-1, "copy")).opacity === "1"`)
		p.check(`[...msgs()[1].querySelectorAll(".sheen-chat-actions button")].filter((b) => b.tabIndex === 0).length === 1`)
		p.JS(`btn(1, "copy").focus()`)
		p.Wait(`getComputedStyle(btn(1, "copy")).opacity === "1" && getComputedStyle(btn(1, "remove")).opacity === "1"`)
		p.Do(press(kb.ArrowRight))
		p.check(`document.activeElement !== btn(1, "copy") && document.activeElement.tabIndex === 0`)
		p.Do(press(kb.Home))
		p.check(`document.activeElement === btn(1, "copy")`)
		p.Do(press(kb.Enter))
		p.Wait(`__clip.length === 1 && __clip[0]["text/plain"] === "answer 1 to **keys**"`)
		p.Do(press(kb.End))
		p.check(`document.activeElement === btn(1, "remove")`)
		p.Do(press(kb.Enter))
		p.Wait(`texts().join("|") === "keys|more keys|answer 2 to more keys"`)
		p.check(`!q(".sheen-chat-actions button:not([aria-label])")`)
		// On a narrow screen every toolbar shows.
		p.Do(chromedp.EmulateViewport(390, 700))
		p.JS(`document.activeElement.blur()`)
		p.Wait(`getComputedStyle(btn(0, "copy")).opacity === "1" && getComputedStyle(btn(1, "remove")).opacity === "1"`)
	})

	t.Run("actions turned off are not shown and are refused", func(t *testing.T) {
		a := &answering{}
		var c *chat.Chat
		opts := []chat.Option{chat.WithoutActions(chat.ActionDelete, chat.ActionEdit, chat.ActionUndo, chat.ActionClear)}
		p := openChat(t, b, opts, func(s *sheen.Session, cc *chat.Chat) { c = cc; c.OnUserSubmit(a.handler(c)) }, actionShorthands)
		ask(p, "keep")
		p.check(`!btn(0, "edit")`, `!btn(0, "remove")`, `!!btn(0, "copy")`, `!btn(-1, "up")`, `!!btn(-1, "regenerate")`,
			`q(".sheen-chat-inputtools").hidden`)
		// A page that sends them anyway (a forged button, clicked) changes nothing.
		p.JS(`forge(msgs()[1], ".sheen-chat-actions", "remove")`)
		p.JS(`forge(q(".sheen-chat-inputbar"), ".sheen-chat-inputtools", "undo")`)
		p.JS(`forge(msgs()[1], ".sheen-chat-actions", "up")`)
		ask(p, "still here")
		if got := contents(c.Messages()); got != "keep|answer 1 to **keep**|still here|answer 2 to **still here**" {
			t.Errorf("Messages = %s", got)
		}
		if fb := c.Messages()[1].Feedback; fb != (chat.Feedback{}) {
			t.Errorf("feedback without a handler was kept: %+v", fb)
		}
	})
}

// media emulates the CSS media features (hover, prefers-color-scheme, …).
func media(p *chatTab, features ...*emulation.MediaFeature) {
	p.t.Helper()
	p.Do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: features})
		return err
	}))
}

// TestBrowserActionsScreenshots saves the actions in light and dark, at
// 1200 and 390 px, to $SHEEN_SCREENSHOTS, for a human to look at.
func TestBrowserActionsScreenshots(t *testing.T) {
	if os.Getenv("SHEEN_SCREENSHOTS") == "" {
		t.Skip("set SHEEN_SCREENSHOTS to a directory")
	}
	b := browsertest.New(t)
	n := 0
	answer := func(ctx context.Context, c *chat.Chat, in chat.Input) error {
		n++
		if strings.Contains(in.Text, "Go") {
			return c.AppendMessage(ctx, fmt.Sprintf("Here is version %d of a tiny Go program:\n\n```go\nfunc main() {\n\tfmt.Println(\"hello, sheen\")\n}\n```\n\nRun it with `go run .`.", n))
		}
		return c.AppendMessage(ctx, "Channels carry values between goroutines; a **buffered** one holds a few before the sender waits.")
	}
	p := openChat(t, b, []chat.Option{chat.Fill()}, func(s *sheen.Session, c *chat.Chat) {
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error { return answer(ctx, c, in) })
		c.OnFeedback(func(context.Context, chat.FeedbackEvent) error { return nil })
		c.AddAction(chat.Action{Name: "pin", Label: "Pin", Roles: []chat.Role{chat.Assistant},
			Icon: `<svg viewBox="0 0 24 24" width="1em" height="1em" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"><path d="M12 17v5M9 3h6l-1 7 4 3H6l4-3z"/></svg>`,
			Run:  func(context.Context, chat.Message) error { return nil }})
	}, actionShorthands)
	ask := func(text string) {
		k := browsertest.Eval[float64](p.Tab, `msgs().length`)
		p.setInput(text)
		p.JS(`q(".sheen-chat-send").click()`)
		p.Wait(fmt.Sprintf(`msgs().length >= %v + 2 && idle() && !!btn(-1, "copy")`, k))
	}
	ask("What is a buffered channel?")
	p.click(`btn(1, "up")`)
	p.Wait(`!!q(".sheen-chat-feedback")`)
	p.Do(press(kb.Escape))
	ask("Show me some Go code")
	p.click(`btn(-1, "regenerate")`)
	p.Wait(`idle() && !!q(".sheen-chat-pager")`)
	for _, scheme := range []string{"light", "dark"} {
		media(p, &emulation.MediaFeature{Name: "prefers-color-scheme", Value: scheme})
		for _, w := range []int64{1200, 390} {
			p.Do(chromedp.EmulateViewport(w, 760))
			name := fmt.Sprintf("actions-%s-%d", scheme, w)
			p.JS(`btn(2, "copy").focus()`) // the keyboard in a user message's toolbar
			p.settle()
			p.shot(name)
			p.JS(`document.activeElement.blur()`)
			p.click(`btn(2, "edit")`)
			p.Wait(`!!q(".sheen-chat-edit-input")`)
			p.settle()
			p.shot(name + "-edit")
			p.Do(press(kb.Escape))
			p.click(`btn(-1, "down")`)
			p.Wait(`!!q(".sheen-chat-feedback")`)
			p.JS(`sc().scrollTop = sc().scrollHeight`)
			p.settle()
			p.shot(name + "-feedback")
			p.Do(press(kb.Escape))
			p.click(`btn(-1, "down")`) // taken back
			p.Wait(`btn(-1, "down").getAttribute("aria-pressed") === "false"`)
		}
	}
	p.Do(chromedp.EmulateViewport(1200, 760))
	p.click(`tool("clear")`)
	p.Wait(`q(".sheen-chat-clear-dialog").open`)
	p.shot("actions-dark-clear")
}
