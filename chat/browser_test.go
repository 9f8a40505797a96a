package chat_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/browsertest"
	"github.com/sheenhq/sheen/reactive"
)

// The chat in headless Chromium against the real server: a sheen.App on
// 127.0.0.1 with chat.New in its server function, and the real client. Each
// case opens its own App in its own tab of one browser. Screenshots go to
// $SHEEN_SCREENSHOTS (default /tmp/sheen-chat-screens).

// paced streams chunks with a pause before each, as a model does, and stops
// when ctx ends.
func paced(ctx context.Context, d time.Duration, chunks ...string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		t := time.NewTimer(d)
		defer t.Stop()
		for _, s := range chunks {
			select {
			case <-ctx.Done():
				yield("", ctx.Err())
				return
			case <-t.C:
			}
			if !yield(s, nil) {
				return
			}
			t.Reset(d)
		}
	}
}

// fed streams what the test sends on feed until feed is closed or ctx ends.
func fed(ctx context.Context, feed <-chan string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for {
			select {
			case s, ok := <-feed:
				if !ok || !yield(s, nil) {
					return
				}
			case <-ctx.Done():
				yield("", ctx.Err())
				return
			}
		}
	}
}

// afterLastUser is the page's messages after the last user message, joined
// by "|".
const afterLastUser = `(() => { const t = texts(), r = roles(); return t.slice(r.lastIndexOf("user") + 1).join("|"); })()`

func TestBrowserChat(t *testing.T) {
	b := browsertest.New(t)

	t.Run("submit by Enter and by click, send disabled when empty, identical resubmits", func(t *testing.T) {
		got := make(chan chat.Input, 8)
		p := openChat(t, b, nil, func(s *sheen.Session, c *chat.Chat) {
			c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
				got <- in
				return c.AppendMessage(ctx, fmt.Sprintf("echo %d: %s", in.Seq, in.Text))
			})
		})
		p.check(`q(".sheen-chat-send").disabled`, `!q(".sheen-chat-send").hidden`)
		p.typeText("   ")
		p.check(`q(".sheen-chat-send").disabled`)
		p.Do(press(kb.Enter))
		p.check(`msgs().length === 0`)
		p.setInput("")

		p.typeText("by enter")
		p.check(`!q(".sheen-chat-send").disabled`)
		p.Do(press(kb.Enter))
		if in := recv(t, got, "the first submission"); in.Text != "by enter" || in.Seq != 1 {
			t.Fatalf("OnUserSubmit got %+v", in)
		}
		p.Wait(`texts().join("|") === "by enter|echo 1: by enter"`)
		p.idle()
		p.check(`ta().value === ""`, `q(".sheen-chat-send").disabled`)

		// Shift+Enter is a new line; the button sends.
		p.typeText("by")
		p.Do(press(kb.Enter, chromedp.ModifierShift))
		p.typeText("click")
		p.check(`ta().value === "by\nclick"`)
		p.clickOn("#chat .sheen-chat-send")
		if in := recv(t, got, "the clicked submission"); in.Text != "by\nclick" || in.Seq != 2 {
			t.Fatalf("OnUserSubmit got %+v", in)
		}
		p.Wait(`lastText() === "echo 2: by\nclick" || lastText() === "echo 2: by click"`)
		p.idle()

		for seq := 3; seq <= 4; seq++ {
			p.typeText("same")
			p.Do(press(kb.Enter))
			if in := recv(t, got, "an identical submission"); in.Text != "same" || in.Seq != seq {
				t.Fatalf("OnUserSubmit got %+v, want same #%d", in, seq)
			}
			p.Wait(`lastText() === "echo ` + strconv.Itoa(seq) + `: same"`)
			p.idle()
		}
		p.check(`texts().filter((t) => t === "same").length === 2`, `msgs().length === 8`)
		none(t, got, "submission")
		p.shot("submit")
	})

	t.Run("five effects at start-up come out in order", func(t *testing.T) {
		p := openChat(t, b, nil, func(s *sheen.Session, c *chat.Chat) {
			g := s.Graph()
			for i := range 5 {
				n := string(rune('A' + i))
				reactive.NewEffect(g, func() error {
					if i%2 == 0 {
						c.AppendMessageStream(s.Context(), paced(s.Context(), 15*time.Millisecond, n+"1 ", n+"2 ", n+"3"))
					} else {
						_ = c.AppendMessage(s.Context(), "append "+n)
					}
					return nil
				})
			}
		})
		p.Wait(`msgs().length === 5 && msgs().every((m) => m.dataset.status === "done")`)
		p.check(`texts().join("|") === "A1 A2 A3|append B|C1 C2 C3|append D|E1 E2 E3"`,
			`__chat.filter((m) => m.name !== "patch" && m.name !== "busy" && m.name !== "reset" && m.name !== "commands" && m.name !== "actions").map((m) => m.name).join(" ") === "start end append start end append start end"`,
			// Every patch belongs to the message streaming at that moment.
			`(() => {
				let open = null;
				for (const m of __chat) {
					if (m.name === "start") { if (open) return false; open = m.id; }
					else if (m.name === "patch" && m.id !== open) return false;
					else if (m.name === "end") { if (m.id !== open) return false; open = null; }
					else if (m.name === "append" && open) return false;
				}
				return open === null;
			})()`)
		p.shot("order")
	})

	t.Run("nested stream contexts", func(t *testing.T) {
		cases := streamContextCases
		p := openChat(t, b, nil, func(s *sheen.Session, c *chat.Chat) {
			c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
				for _, tc := range cases {
					if tc.name == in.Text {
						return tc.run(ctx, c)
					}
				}
				return fmt.Errorf("no case %q", in.Text)
			})
		})
		for _, tc := range cases {
			p.setInput(tc.name)
			p.Do(press(kb.Enter))
			p.idle()
			if got := p.eval(afterLastUser); got != tc.want {
				t.Errorf("%s: the page shows %q, want %q", tc.name, got, tc.want)
			}
		}
		p.check(`msgs().every((m) => !m.classList.contains("sheen-chat-streaming"))`)
		p.shot("stream-contexts")
	})

	t.Run("a failing stream keeps its text, shows the error and unlocks", func(t *testing.T) {
		retried := make(chan string, 2)
		p := openChat(t, b, []chat.Option{chat.OnError(chat.ErrorActual)}, func(s *sheen.Session, c *chat.Chat) {
			fails := 0
			c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
				switch in.Text {
				case "fail":
					fails++
					if fails > 1 {
						retried <- in.Text
						return c.AppendMessage(ctx, "fixed on retry")
					}
					st := c.AppendMessageStream(ctx, func(yield func(string, error) bool) {
						if yield("partial ", nil) && yield("**text**", nil) {
							yield("", errors.New("model went away"))
						}
					})
					_, err := st.Wait(ctx)
					return err
				case "plain":
					return errors.New("the backend exploded")
				}
				return c.AppendMessage(ctx, "recovered: "+in.Text)
			})
		})
		p.setInput("fail")
		p.Do(press(kb.Enter))
		p.Wait(`last()?.dataset.status === "error"`)
		p.check(`lastText() === "partial text"`,
			`last().querySelector(".sheen-chat-content strong")?.textContent === "text"`,
			`last().querySelector(".sheen-chat-error[role=alert] .sheen-chat-error-text")?.textContent === "model went away"`,
			`!!last().querySelector(".sheen-chat-error .sheen-chat-retry")`)
		p.idle()
		p.check(`!document.querySelector(".sheen-notice-error")`) // shown once: inline
		p.shot("stream-error")

		// The input is usable.
		p.check(`!ta().disabled`)
		p.typeText("again")
		p.check(`!q(".sheen-chat-send").disabled`)
		p.Do(press(kb.Enter))
		p.Wait(`lastText() === "recovered: again"`)
		p.idle()

		// Retry runs the handlers again with the same input.
		p.clickOn(`#chat .sheen-chat-retry`)
		if got := recv(t, retried, "the retry"); got != "fail" {
			t.Fatalf("retry ran with %q", got)
		}
		p.Wait(`lastText() === "fixed on retry"`)
		p.idle()

		// A handler error without a stream: an inline failed message, and
		// no toast repeating it.
		p.setInput("plain")
		p.Do(press(kb.Enter))
		p.Wait(`last()?.dataset.status === "error"`)
		p.check(`last().querySelector(".sheen-chat-error-text").textContent === "the backend exploded"`,
			`!!last().querySelector(".sheen-chat-error .sheen-chat-retry")`)
		p.idle()
		p.check(`!document.querySelector(".sheen-notice-error")`)
	})

	t.Run("stop cancels the server's context and marks the message", func(t *testing.T) {
		cancelled := make(chan string, 2)
		waited := make(chan error, 2)
		p := openChat(t, b, nil, func(s *sheen.Session, c *chat.Chat) {
			c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
				ch := make(chan string)
				go func() {
					defer close(ch)
					select {
					case ch <- "first chunk":
					case <-ctx.Done():
					}
					<-ctx.Done()
					cancelled <- in.Text
				}()
				st := c.AppendMessageStream(ctx, chat.FromChannel(ch))
				_, err := st.Wait(context.Background())
				waited <- err
				return nil
			})
		})
		for _, how := range []string{"button", "escape"} {
			p.setInput("stop by " + how)
			p.Do(press(kb.Enter))
			p.Wait(`lastText() === "first chunk"`)
			p.check(`!q(".sheen-chat-stop").hidden`, `q(".sheen-chat-send").hidden`, `last().classList.contains("sheen-chat-streaming")`)
			if how == "button" {
				p.clickOn("#chat .sheen-chat-stop")
			} else {
				p.Do(press(kb.Escape))
			}
			if got := recv(t, cancelled, "the handler's context to end"); got != "stop by "+how {
				t.Fatalf("cancelled %q", got)
			}
			if err := recv(t, waited, "Wait"); !errors.Is(err, chat.ErrStopped) {
				t.Errorf("Wait returned %v, want ErrStopped", err)
			}
			p.Wait(`last().dataset.status === "stopped"`)
			p.check(`last().querySelector(".sheen-chat-note")?.textContent === "Stopped"`, `lastText() === "first chunk"`,
				`!last().classList.contains("sheen-chat-streaming")`)
			p.idle()
			p.check(`q(".sheen-chat-stop").hidden`, `!q(".sheen-chat-send").hidden`)
		}
		p.shot("stopped")
		msgs := p.chat.Messages()
		if last := msgs[len(msgs)-1]; last.Status != chat.Stopped || last.Content != "first chunk" {
			t.Errorf("transcript: %s", fmtMsgs(msgs))
		}
	})

	t.Run("clear while streaming cancels the stream", func(t *testing.T) {
		cancelled := make(chan struct{}, 1)
		p := openChat(t, b, nil, func(s *sheen.Session, c *chat.Chat) {
			c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
				st := c.AppendMessageStream(ctx, func(yield func(string, error) bool) {
					if !yield("streaming…", nil) {
						return
					}
					<-ctx.Done()
					cancelled <- struct{}{}
					yield("", ctx.Err())
				})
				_, _ = st.Wait(context.Background())
				return nil
			})
		})
		p.setInput("go")
		p.Do(press(kb.Enter))
		p.Wait(`lastText() === "streaming…"`)
		p.chat.ClearMessages(chat.DropGreeting)
		recv(t, cancelled, "the stream's context to end")
		p.idle()
		p.settle()
		p.check(`msgs().length === 0`, `!q(".sheen-chat-greeting")`, `!q(".sheen-chat-pending")`,
			// Nothing of the cleared stream came after the clear.
			`__chat.slice(__chat.findLastIndex((m) => m.name === "reset")).every((m) => m.name !== "patch" && m.name !== "end")`)
		if n := len(p.chat.Messages()); n != 0 {
			t.Errorf("transcript after clear: %s", fmtMsgs(p.chat.Messages()))
		}
		// The chat works on.
		p.typeText("go")
		p.Do(press(kb.Enter))
		p.Wait(`lastText() === "streaming…"`)
		p.clickOn("#chat .sheen-chat-stop")
		recv(t, cancelled, "the second stream's context to end")
		p.idle()
	})

	t.Run("greeting", func(t *testing.T) {
		requested := make(chan int, 4)
		p := openChat(t, b, []chat.Option{chat.Greeting("Hello **there**")}, func(s *sheen.Session, c *chat.Chat) {
			n := 0
			c.OnGreetingRequested(func(ctx context.Context) {
				n++
				c.SetGreeting(fmt.Sprintf("Fresh greeting %d", n), false)
				requested <- n
			})
			c.OnUserSubmit(func(ctx context.Context, in chat.Input) error { return c.AppendMessage(ctx, "ok") })
		})
		p.Wait(`q(".sheen-chat-greeting strong")?.textContent === "there"`)
		p.shot("greeting")
		p.typeText("hi")
		p.Do(press(kb.Enter))
		p.Wait(`lastText() === "ok"`)
		p.check(`!q(".sheen-chat-greeting")`)
		p.idle()

		p.chat.ClearMessages(chat.KeepGreeting)
		p.Wait(`msgs().length === 0 && q(".sheen-chat-greeting strong")?.textContent === "there"`)
		p.chat.ClearMessages(chat.DropGreeting)
		p.Wait(`received("reset") === 3`)
		p.settle()
		p.check(`!q(".sheen-chat-greeting")`)
		none(t, requested, "greeting request")
		// No greeting any more: ClearMessages(chat.KeepGreeting) requests one.
		p.chat.ClearMessages(chat.KeepGreeting)
		if n := recv(t, requested, "the greeting request"); n != 1 {
			t.Fatalf("request %d", n)
		}
		p.Wait(`q(".sheen-chat-greeting")?.textContent.trim() === "Fresh greeting 1"`)
		p.check(`msgs().length === 0`)
	})

	t.Run("a greeting is requested when the chat has none", func(t *testing.T) {
		p := openChat(t, b, nil, func(s *sheen.Session, c *chat.Chat) {
			c.OnGreetingRequested(func(ctx context.Context) {
				_ = c.StreamGreeting(ctx, paced(ctx, 10*time.Millisecond, "Hello ", "from ", "the **server**"), false)
			})
		})
		p.Wait(`q(".sheen-chat-greeting")?.textContent.trim() === "Hello from the server"`)
		p.check(`q(".sheen-chat-greeting strong")?.textContent === "server"`)
	})

	t.Run("Enter during IME composition does not submit", func(t *testing.T) {
		got := make(chan string, 4)
		p := openChat(t, b, nil, func(s *sheen.Session, c *chat.Chat) {
			c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
				got <- in.Text
				return c.AppendMessage(ctx, "ok")
			})
		})
		p.JS(`window.__keys = []; ta().addEventListener("keydown", (e) => __keys.push(e.key + ":" + e.isComposing), true)`)
		p.JS(`ta().focus()`)
		p.Do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, input.ImeSetComposition, input.ImeSetCompositionParams{Text: "にほん", SelectionStart: 3, SelectionEnd: 3})
			return err
		}))
		// The IME takes the Enter that picks a candidate: the page sees its
		// keydown (isComposing), and no text comes with it.
		p.Do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
				ev := input.DispatchKeyEventParams{Type: typ, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13}
				if _, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, ev); err != nil {
					return err
				}
			}
			return nil
		}))
		p.settle()
		p.check(`__keys.includes("Enter:true")`, `msgs().length === 0`, `ta().value.includes("にほん")`)
		// Committing the composition, then Enter, sends.
		p.Do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, input.InsertText, input.InsertTextParams{Text: "日本"})
			return err
		}))
		p.check(`ta().value === "日本"`)
		p.Do(press(kb.Enter))
		if text := recv(t, got, "the submission"); text != "日本" {
			t.Fatalf("sent %q", text)
		}
		p.Wait(`lastText() === "ok"`)
		none(t, got, "submission")
	})

	t.Run("auto-scroll follows the stream until the user scrolls up", func(t *testing.T) {
		feed := make(chan string)
		p := openChat(t, b, []chat.Option{chat.Size("100%", "420px")}, func(s *sheen.Session, c *chat.Chat) {
			c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
				_, err := c.AppendMessageStream(ctx, fed(ctx, feed)).Wait(ctx)
				return err
			})
		})
		para := func(i int) {
			t.Helper()
			feed <- fmt.Sprintf("Paragraph %d. %s\n\n", i, strings.Repeat("A line of a long streamed answer. ", 3))
			p.Wait(fmt.Sprintf(`lastText()?.includes("Paragraph %d.")`, i))
			p.settle()
		}
		p.setInput("a long answer, please")
		p.Do(press(kb.Enter))
		i := 0
		for i < 20 {
			i++
			para(i)
			p.check(`atBottom()`)
		}
		p.check(`sc().scrollHeight > sc().clientHeight * 2`, `q(".sheen-chat-jump").hidden`)

		// The user turns the mouse wheel up over the messages.
		xy := browsertest.Eval[[]float64](p.Tab, `(() => { const r = sc().getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()`)
		p.Do(chromedp.MouseEvent(input.DispatchMouseEventTypeMouseWheel, xy[0], xy[1], func(e *input.DispatchMouseEventParams) { e.DeltaX, e.DeltaY = 0.01, -300 }))
		p.Wait(`!atBottom()`)
		p.settle()
		top := p.eval(`sc().scrollTop`)
		for range 5 {
			i++
			para(i)
			if got := p.eval(`sc().scrollTop`); got != top {
				t.Fatalf("the page scrolled from %v to %v after the user scrolled up", top, got)
			}
		}
		p.check(`!atBottom()`, `!q(".sheen-chat-jump").hidden`)
		p.shot("scrolled-up")

		// Jump to latest: following again.
		p.clickOn("#chat .sheen-chat-jump")
		p.Wait(`atBottom()`)
		for range 3 {
			i++
			para(i)
			p.check(`atBottom()`)
		}
		p.check(`q(".sheen-chat-jump").hidden`)
		close(feed)
		p.Wait(`last().dataset.status === "done"`)
		p.idle()
	})

	t.Run("hostile markdown never runs and never reaches the DOM", func(t *testing.T) {
		hostile := strings.Join([]string{
			`<script>pwn("script")</script>`,
			`<img src=x onerror="pwn('img')">`,
			`<svg onload="pwn('svg')"><circle r="5"/></svg>`,
			`[markdown link](javascript:pwn('link'))`,
			`<a href="javascript:pwn('a')">raw link</a>`,
			`<a href=" java&#09;script:pwn('entity')">entity link</a>`,
			`<a href="vbscript:msgbox(1)">vb link</a>`,
			`<iframe src="javascript:pwn('iframe')"></iframe>`,
			`<details open ontoggle="pwn('details')">toggle</details>`,
			`<form action="javascript:pwn('form')"><button formaction="javascript:pwn('fa')">go</button></form>`,
			`![image](javascript:pwn('mdimg'))`,
			`<math><mi xlink:href="javascript:pwn('math')">m</mi></math>`,
			`<object data="javascript:pwn('object')"></object>`,
			"```html\n<script>pwn('code')</script>\n```",
			`<span class="suggestion" onclick="pwn('suggestion')" onfocus="pwn('focus')">a suggestion</span>`,
			`<p style="background:url(javascript:pwn('css'))" onmouseover="pwn('over')">hover me</p>`,
		}, "\n\n")
		p := openChat(t, b, nil, func(s *sheen.Session, c *chat.Chat) {
			c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
				if in.Text != "stream it" {
					return c.AppendMessage(ctx, in.Text)
				}
				var chunks []string
				for i := 0; i < len(hostile); i += 5 {
					chunks = append(chunks, hostile[i:min(i+5, len(hostile))])
				}
				_, err := c.AppendMessageStream(ctx, chat.FromStrings(chunks...)).Wait(ctx)
				return err
			})
		})
		url := p.eval(`location.href`)
		// The user's own text is shown literally.
		p.setInput(hostile)
		p.clickOn("#chat .sheen-chat-send")
		p.Wait(`msgs().length === 2 && last().dataset.status === "done"`)
		p.idle()
		p.check(`msgs()[0].querySelector(".sheen-chat-content").children.length === 0`,
			`msgs()[0].querySelector(".sheen-chat-content").textContent.includes("<script>")`)
		p.setInput("stream it")
		p.Do(press(kb.Enter))
		p.Wait(`msgs().length === 4 && last().dataset.status === "done"`)
		p.idle()
		p.settle()
		// Click, hover and focus everything in the replies.
		for _, sel := range []string{"a", "button", "span", "p", "details", "summary"} {
			p.JS(fmt.Sprintf(`qa(".sheen-chat-assistant .sheen-chat-content %s").forEach((el) => { el.focus?.(); el.dispatchEvent(new MouseEvent("mouseover", {bubbles: true})); el.click(); })`, sel))
		}
		p.settle()
		p.check(`__pwned === 0`, `__hostile.length === 0`, `location.href === `+strconv.Quote(fmt.Sprint(url)),
			`qa(".sheen-chat-log script, .sheen-chat-log iframe, .sheen-chat-log object, .sheen-chat-log embed").length === 0`,
			`qa(".sheen-chat-log [href]").every((a) => /^https?:/.test(a.getAttribute("href")))`,
			`qa(".sheen-chat-assistant .sheen-chat-content").every((c) => c.textContent.includes("raw link"))`,
			// The code block shows the script as text.
			`qa(".sheen-chat-assistant pre code").every((c) => c.textContent.includes("<script>pwn('code')</script>"))`)
		if v := p.eval(`__hostile.join(", ")`); v != "" {
			t.Errorf("hostile content reached the DOM: %v", v)
		}
		p.shot("hostile")
	})
}

// pageCommands runs before the page's scripts: the page handles the chat's
// client-side commands, except "free", which it lets through.
const pageCommands = `window.__commands = [];
document.addEventListener("sheen-chat-command", (e) => {
	__commands.push(e.detail);
	if (e.detail.name !== "free") e.preventDefault();
});`

// sug is the suggestion with the given text, in the page's JavaScript.
func sug(text string) string {
	return `qa(".sheen-suggestion").find((s) => s.textContent.trim() === ` + strconv.Quote(text) + `)`
}

func TestBrowserInteraction(t *testing.T) {
	b := browsertest.New(t)

	// answering is a server function whose OnUserSubmit reports each text on
	// submitted and answers "answer: text".
	answering := func(submitted chan<- string) func(*chat.Chat) {
		return func(c *chat.Chat) {
			c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
				submitted <- in.Text
				return c.AppendMessage(ctx, "answer: "+in.Text)
			})
		}
	}
	// send types text into the empty input and presses Enter.
	send := func(p *chatTab, text string) {
		t.Helper()
		p.setInput("")
		p.typeText(text)
		p.Do(press(kb.Enter))
	}

	t.Run("palette keyboard flow and server commands", func(t *testing.T) {
		submitted := make(chan string, 8)
		greeted := make(chan string, 4)
		quiet := make(chan string, 4)
		p := openChat(t, b, nil, func(s *sheen.Session, c *chat.Chat) {
			answering(submitted)(c)
			for _, err := range []error{
				c.SlashCommand("greet", "Say hello", func(ctx context.Context, args string) error {
					greeted <- args
					return c.AppendMessage(ctx, "Hello, "+args+"!")
				}),
				c.SlashCommand("help", "What the chat can do", func(ctx context.Context, args string) error {
					return c.AppendMessage(ctx, "Some help.")
				}),
				c.SlashCommand("quiet", "A side effect, no bubble", func(ctx context.Context, args string) error {
					quiet <- args
					return nil
				}, chat.Echo(false)),
				c.SlashCommand("stats", "Show statistics", func(ctx context.Context, args string) error {
					return c.AppendMessage(ctx, "No statistics.")
				}),
			} {
				if err != nil {
					t.Error(err)
				}
			}
		})
		options := `qa(".sheen-chat-option").map((o) => o.querySelector(".sheen-chat-option-name")?.textContent ?? o.textContent).join(" ")`
		selected := `qa(".sheen-chat-option[aria-selected=true]").map((o) => o.dataset.command).join(" ")`
		p.check(`ta().getAttribute("aria-haspopup") === "listbox"`, `q(".sheen-chat-palette").hidden`)

		p.typeText("/")
		p.check(`!q(".sheen-chat-palette").hidden`, `q(".sheen-chat-palette").getAttribute("role") === "listbox"`,
			options+` === "/greet /help /quiet /stats"`, selected+` === "greet"`,
			`ta().getAttribute("aria-controls") === q(".sheen-chat-palette").id`,
			`ta().getAttribute("aria-activedescendant") === q(".sheen-chat-option[aria-selected=true]").id`)
		p.shot("palette")
		p.Do(press(kb.ArrowDown))
		p.check(selected + ` === "help"`)
		p.Do(press(kb.ArrowUp + kb.ArrowUp))
		p.check(selected + ` === "stats"`) // wraps
		p.Do(press(kb.ArrowDown))
		p.check(selected + ` === "greet"`) // wraps back
		p.Do(press(kb.Escape))
		p.check(`q(".sheen-chat-palette").hidden`, `ta().value === "/"`, `!ta().hasAttribute("aria-controls")`)

		p.Do(press(kb.Backspace))
		p.typeText("/gr")
		p.check(`!q(".sheen-chat-palette").hidden`, options+` === "/greet"`, selected+` === "greet"`)
		p.Do(press(kb.Enter)) // chooses, does not send
		p.check(`ta().value === "/greet "`, `q(".sheen-chat-palette").hidden`, `msgs().length === 0`)
		p.typeText("world")
		p.Do(press(kb.Enter))
		if got := recv(t, greeted, "the greet handler"); got != "world" {
			t.Fatalf("greet got %q", got)
		}
		p.Wait(`lastText() === "Hello, world!"`)
		p.idle()
		p.check(`msgs()[0].querySelector(".sheen-chat-chip")?.textContent === "/greet"`,
			`msgs()[0].querySelector(".sheen-chat-content").textContent === "/greetworld"`)
		none(t, submitted, "OnUserSubmit call")

		// Tab chooses too; nothing matching says so.
		p.setInput("")
		p.typeText("/HE")
		p.check(options + ` === "/help"`)
		p.Do(press(kb.Tab))
		p.check(`ta().value === "/help "`, `document.activeElement === ta()`)
		p.setInput("")
		p.typeText("/zz")
		p.check(`q(".sheen-chat-option-none")?.textContent === "No matching commands"`)
		p.Do(press(kb.Escape))

		// An Echo-off command shows no bubble.
		n := browsertest.Eval[int](p.Tab, `msgs().length`)
		send(p, "/quiet shh")
		if got := recv(t, quiet, "the quiet handler"); got != "shh" {
			t.Fatalf("quiet got %q", got)
		}
		p.idle()
		p.settle()
		p.check(`msgs().length === `+strconv.Itoa(n), `!q(".sheen-chat-pending")`, `ta().value === ""`)

		// An unknown command is ordinary text.
		send(p, "/unknown hello")
		if got := recv(t, submitted, "OnUserSubmit"); got != "/unknown hello" {
			t.Fatalf("OnUserSubmit got %q", got)
		}
		p.Wait(`lastText() === "answer: /unknown hello"`)
		p.idle()
		p.check(`!msgs().at(-2).querySelector(".sheen-chat-chip")`)
		none(t, greeted, "greet call")

		// Commands removed and added at run time: the palette follows.
		p.chat.RemoveSlashCommand("stats")
		if err := p.chat.SlashCommand("zeta", "Added later", func(ctx context.Context, args string) error { return nil }); err != nil {
			t.Fatal(err)
		}
		p.Wait(`received("commands") >= 3`)
		p.setInput("")
		p.typeText("/")
		p.check(options + ` === "/greet /help /quiet /zeta"`)
		p.Do(press(kb.Escape))
		p.setInput("")
		p.typeText("/st")
		p.check(`q(".sheen-chat-option-none")?.textContent === "No matching commands"`)
		// With no command left, the input has no popup.
		for _, name := range []string{"greet", "help", "quiet", "zeta"} {
			p.chat.RemoveSlashCommand(name)
		}
		p.Wait(`!ta().hasAttribute("aria-haspopup") && q(".sheen-chat-palette").hidden`)
	})

	t.Run("commands handled by the page", func(t *testing.T) {
		submitted := make(chan string, 8)
		p := openChat(t, b, nil, func(s *sheen.Session, c *chat.Chat) {
			answering(submitted)(c)
			for _, err := range []error{
				c.SlashCommand("theme", "Switch the theme (page)", nil),
				c.SlashCommand("note", "Keep a note (page, echoed)", nil, chat.Echo(true)),
				c.SlashCommand("free", "Left to the server", nil),
			} {
				if err != nil {
					t.Error(err)
				}
			}
		}, pageCommands)
		send(p, "/theme dark")
		p.check(`JSON.stringify(__commands.at(-1)) === '{"name":"theme","args":"dark","echo":false}'`,
			`msgs().length === 0`, `ta().value === ""`, `idle()`)
		send(p, "/note remember this")
		p.check(`JSON.stringify(__commands.at(-1)) === '{"name":"note","args":"remember this","echo":true}'`,
			`msgs().length === 1`, `last().querySelector(".sheen-chat-chip")?.textContent === "/note"`,
			`lastText() === "/noteremember this"`, `idle()`)
		// Not cancelled by the page: sent as ordinary text.
		send(p, "/free for all")
		if got := recv(t, submitted, "OnUserSubmit"); got != "/free for all" {
			t.Fatalf("OnUserSubmit got %q", got)
		}
		p.Wait(`lastText() === "answer: /free for all"`)
		p.idle()
		p.check(`__commands.length === 3`)
		none(t, submitted, "OnUserSubmit call")
		if n := len(p.chat.Messages()); n != 2 {
			t.Errorf("the page's commands reached the transcript: %s", fmtMsgs(p.chat.Messages()))
		}
	})

	t.Run("suggestions", func(t *testing.T) {
		submitted := make(chan string, 8)
		const md = `Try <span class="suggestion">Fill me</span>, ` +
			`<span data-suggestion="Attribute value">shown text</span>, ` +
			`<span class="suggestion submit">Send me</span> or ` +
			`<span data-suggestion="Sent by attribute" data-suggestion-submit>send attr</span>.`
		p := openChat(t, b, nil, func(s *sheen.Session, c *chat.Chat) {
			answering(submitted)(c)
			_ = c.AppendMessage(s.Context(), md)
		})
		p.Wait(`qa(".sheen-suggestion").length === 4`)
		p.check(`qa(".sheen-suggestion").every((s) => s.getAttribute("role") === "button" && s.tabIndex === 0)`,
			sug("Fill me")+`.getAttribute("aria-label") === "Use suggestion: Fill me"`,
			sug("Send me")+`.getAttribute("aria-label") === "Send suggestion: Send me"`,
			sug("send attr")+`.getAttribute("aria-label") === "Send suggestion: Sent by attribute"`)
		p.shot("suggestions")
		count := func() int { return browsertest.Eval[int](p.Tab, `msgs().length`) }
		fills := []struct {
			name, el, want string
			do             func(el string)
		}{
			{"click", sug("Fill me"), "Fill me", func(el string) { p.click(el) }},
			{"click on data-suggestion", sug("shown text"), "Attribute value", func(el string) { p.click(el) }},
			{"Enter", sug("Fill me"), "Fill me", func(el string) { p.JS(el + `.focus()`); p.Do(press(kb.Enter)) }},
			{"Space", sug("shown text"), "Attribute value", func(el string) { p.JS(el + `.focus()`); p.Do(press(" ")) }},
			{"Alt+click on a submit suggestion", sug("Send me"), "Send me", func(el string) { p.click(el, chromedp.ModifierAlt) }},
			{"Alt+Enter on a submit suggestion", sug("send attr"), "Sent by attribute", func(el string) { p.JS(el + `.focus()`); p.Do(press(kb.Enter, chromedp.ModifierAlt)) }},
		}
		for _, f := range fills {
			n := count()
			p.setInput("")
			p.JS(`document.activeElement.blur()`)
			f.do(f.el)
			p.settle()
			if got := p.eval(`ta().value`); got != f.want {
				t.Errorf("%s: the input holds %q, want %q", f.name, got, f.want)
			}
			p.check(`document.activeElement === ta()`, `msgs().length === `+strconv.Itoa(n))
		}
		none(t, submitted, "submission")
		sends := []struct {
			name, el, want string
			do             func(el string)
		}{
			{"click on class submit", sug("Send me"), "Send me", func(el string) { p.click(el) }},
			{"click on data-suggestion-submit", sug("send attr"), "Sent by attribute", func(el string) { p.click(el) }},
			{"Enter on a submit suggestion", sug("Send me"), "Send me", func(el string) { p.JS(el + `.focus()`); p.Do(press(kb.Enter)) }},
			{"Ctrl+click", sug("Fill me"), "Fill me", func(el string) { p.click(el, chromedp.ModifierCtrl) }},
			{"Cmd+click", sug("shown text"), "Attribute value", func(el string) { p.click(el, chromedp.ModifierMeta) }},
			{"Ctrl+Enter", sug("Fill me"), "Fill me", func(el string) { p.JS(el + `.focus()`); p.Do(press(kb.Enter, chromedp.ModifierCtrl)) }},
		}
		for _, f := range sends {
			p.setInput("a draft")
			f.do(f.el)
			if got := recv(t, submitted, f.name); got != f.want {
				t.Errorf("%s: sent %q, want %q", f.name, got, f.want)
			}
			p.Wait(`lastText() === "answer: ` + f.want + `"`)
			p.idle()
			p.check(`ta().value === "a draft"`)
		}
	})

	t.Run("card grids by keyboard", func(t *testing.T) {
		submitted := make(chan string, 4)
		feed := make(chan string)
		const list = "Pick one:\n\n" +
			"1. <span class=\"suggestion\" title=\"First\">Alpha</span>\n" +
			"2. <span class=\"suggestion\" title=\"Second\">Beta</span>\n" +
			"3. <span class=\"suggestion\" title=\"Third\">Gamma</span>\n" +
			"4. <span class=\"suggestion\" title=\"Fourth\">Delta</span>\n" +
			"5. <span class=\"suggestion\" title=\"Fifth\">Epsilon</span>\n"
		p := openChat(t, b, nil, func(s *sheen.Session, c *chat.Chat) {
			answering(submitted)(c)
			c.AppendMessageStream(s.Context(), fed(s.Context(), feed))
		})
		// While the message streams its suggestions are not cards yet.
		for _, line := range strings.SplitAfter(list, "\n") {
			feed <- line
		}
		p.Wait(`qa(".sheen-suggestion").length === 5`)
		p.settle()
		p.check(`!q(".sheen-suggestion-cards")`, `last().classList.contains("sheen-chat-streaming")`)
		close(feed)
		p.Wait(`!!q("ol.sheen-suggestion-cards")`)
		p.shot("cards")
		cards := `qa(".sheen-suggestion-cards .sheen-suggestion")`
		focused := cards + `.indexOf(document.activeElement)`
		p.check(cards+`.length === 5`,
			`qa(".sheen-suggestion-card-head").map((h) => h.textContent).join(" ") === "1First 2Second 3Third 4Fourth 5Fifth"`,
			cards+`.map((c) => c.tabIndex).join() === "0,-1,-1,-1,-1"`)
		cols := browsertest.Eval[int](p.Tab, `(() => { const c = `+cards+`, top = c[0].closest("li").offsetTop; return c.filter((x) => x.closest("li").offsetTop === top).length; })()`)
		if cols < 2 {
			t.Errorf("the cards are laid out in %d column(s)", cols)
		}
		p.JS(cards + `[0].focus()`)
		steps := []struct {
			key  string
			want int
		}{
			{kb.ArrowRight, 1}, {kb.ArrowLeft, 0}, {kb.ArrowLeft, 0}, {kb.End, 4}, {kb.Home, 0},
			{kb.ArrowDown, min(cols, 4)}, {kb.ArrowUp, 0},
		}
		for _, s := range steps {
			p.Do(press(s.key))
			if got := browsertest.Eval[int](p.Tab, focused); got != s.want {
				t.Fatalf("after %q the focus is on card %d, want %d", s.key, got, s.want)
			}
		}
		p.Do(press(kb.End))
		p.check(cards + `.map((c) => c.tabIndex).join() === "-1,-1,-1,-1,0"`)
		p.Do(press(kb.Enter))
		p.check(`ta().value === "Epsilon"`, `document.activeElement === ta()`)
		none(t, submitted, "submission")
	})

	t.Run("UpdateUserInput", func(t *testing.T) {
		submitted := make(chan string, 8)
		release := make(chan struct{})
		p := openChat(t, b, nil, func(s *sheen.Session, c *chat.Chat) {
			c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
				submitted <- in.Text
				if in.Text == "slow" {
					select {
					case <-release:
					case <-ctx.Done():
						return ctx.Err()
					}
				}
				return c.AppendMessage(ctx, "answer: "+in.Text)
			})
		})
		c := p.chat
		// A submit from the server sends its value and leaves the user's
		// draft in the input; the focus stays where it was.
		p.typeText("my draft")
		p.JS(`ta().blur()`)
		c.UpdateUserInput(chat.InputValue("from the server"), chat.InputSubmit())
		if got := recv(t, submitted, "the server's submit"); got != "from the server" {
			t.Fatalf("sent %q", got)
		}
		p.Wait(`lastText() === "answer: from the server"`)
		p.idle()
		p.check(`ta().value === "my draft"`, `document.activeElement !== ta()`,
			`msgs().at(-2).querySelector(".sheen-chat-content").textContent === "from the server"`)

		// Value and placeholder, without and with the focus.
		c.UpdateUserInput(chat.InputValue("set, not sent"), chat.InputPlaceholder("Type here"))
		p.Wait(`ta().value === "set, not sent"`)
		p.check(`ta().placeholder === "Type here"`, `document.activeElement !== ta()`, `!q(".sheen-chat-send").disabled`)
		c.UpdateUserInput(chat.InputValue("focused"), chat.InputFocus())
		p.Wait(`ta().value === "focused"`)
		p.check(`document.activeElement === ta()`, `ta().selectionStart === 7 && ta().selectionEnd === 7`)

		// With the focus, a submit keeps the draft and the focus.
		p.setInput("second draft")
		c.UpdateUserInput(chat.InputValue("sent with focus"), chat.InputSubmit(), chat.InputFocus())
		if got := recv(t, submitted, "the focused submit"); got != "sent with focus" {
			t.Fatalf("sent %q", got)
		}
		p.Wait(`lastText() === "answer: sent with focus"`)
		p.idle()
		p.check(`ta().value === "second draft"`, `document.activeElement === ta()`)

		// A submit that arrives while a response runs waits for it.
		send(p, "slow")
		recv(t, submitted, "the slow submission")
		p.check(`!idle()`)
		c.UpdateUserInput(chat.InputValue("queued"), chat.InputSubmit())
		p.Wait(`received("input") === 5`)
		p.settle()
		none(t, submitted, "submission while busy")
		close(release)
		if got := recv(t, submitted, "the queued submit"); got != "queued" {
			t.Fatalf("sent %q", got)
		}
		p.Wait(`lastText() === "answer: queued"`)
		p.idle()
		p.check(`texts().slice(-4).join("|") === "slow|answer: slow|queued|answer: queued"`)
	})

	t.Run("Up and Down recall sent messages", func(t *testing.T) {
		submitted := make(chan string, 8)
		p := openChat(t, b, nil, func(s *sheen.Session, c *chat.Chat) { answering(submitted)(c) })
		for _, s := range []string{"first", "second"} {
			send(p, s)
			recv(t, submitted, s)
			p.Wait(`lastText() === "answer: ` + s + `"`)
			p.idle()
		}
		p.check(`ta().value === ""`)
		steps := []struct{ key, want string }{
			{kb.ArrowUp, "second"}, {kb.ArrowUp, "first"}, {kb.ArrowUp, "first"},
			{kb.ArrowDown, "second"}, {kb.ArrowDown, ""},
		}
		for i, s := range steps {
			p.Do(press(s.key))
			if got := p.eval(`ta().value`); got != s.want {
				t.Fatalf("step %d: the input holds %q, want %q", i, got, s.want)
			}
		}
		// A draft is kept while recalling: ArrowUp at the start of the
		// input recalls, ArrowDown past the newest brings the draft back.
		p.typeText("wip")
		p.JS(`ta().setSelectionRange(0, 0)`)
		p.Do(press(kb.ArrowUp))
		p.check(`ta().value === "second"`)
		p.Do(press(kb.ArrowDown))
		p.check(`ta().value === "wip"`)
		// A recalled message is sent like a typed one.
		p.setInput("")
		p.Do(press(kb.ArrowUp + kb.ArrowUp + kb.Enter))
		if got := recv(t, submitted, "the recalled message"); got != "first" {
			t.Fatalf("sent %q", got)
		}
		p.idle()
	})
}
