package chat_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chart"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/browsertest"
)

// widgetUI is a message's UI: a slider, a select and a button, and outputs
// that read them (a bar chart, a text). Every message has the same local
// ids.
func widgetUI(sc *sheen.Scope) sheen.Node {
	k, color, btn := sc.Input("k"), sc.Input("color"), sc.Input("go")
	sc.Output("chart", sheen.RenderUI(func() (sheen.Node, error) {
		v := k.Float()
		return chart.Bar(chart.Options{Title: "k=" + strconv.FormatFloat(v, 'f', -1, 64)}, []string{"a", "b"}, chart.Series{Y: []float64{v, 2 * v}}), nil
	}))
	sc.Output("state", sheen.RenderText(func() (string, error) {
		return "clicks=" + strconv.Itoa(int(btn.Clicks())) + " color=" + color.Text(), nil
	}))
	return sheen.Group(
		sheen.HTMLOutput("chart"),
		sheen.Slider("k", "K", 0, 10, 3),
		sheen.Select("color", "Colour", sheen.Choices("red", "blue"), "red"),
		sheen.ActionButton("go", "Go"),
		sheen.TextOutput("state"),
	)
}

// liveJS are the helpers of the live UI tests: part i of message m.
const liveJS = `window.ui = (m) => msgs()[m]?.querySelector(".sheen-chat-ui");
	window.title = (m) => ui(m)?.querySelector(".sheen-chart-title")?.textContent || "";
	window.state = (m) => ui(m)?.querySelector("[data-sheen-output$=_state]")?.textContent || "";
	window.slide = (m, v) => { const s = ui(m).querySelector("input[type=range]"); s.value = String(v); s.dispatchEvent(new Event("input", {bubbles: true})); };
	window.choose = (m, v) => { const s = ui(m).querySelector("select"); s.value = v; s.dispatchEvent(new Event("change", {bubbles: true})); };
	window.__csp = []; document.addEventListener("securitypolicyviolation", (e) => __csp.push(e.violatedDirective));`

// TestBrowserLiveUI: live UI inside messages in real Chromium. Two messages
// with the same widgets never collide: a click, a select and a slider in
// one change that message's outputs only. UI added inside a streaming
// reply (a tool's result) shows at once and stays live after the stream.
// Model text that imitates sheen's bindings stays inert. A data table sorts
// by its headers. Nothing breaks the page's CSP.
func TestBrowserLiveUI(t *testing.T) {
	b := browsertest.New(t)
	p := openChat(t, b, nil, func(s *sheen.Session, c *chat.Chat) {
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			switch {
			case in.Text == "widgets":
				return c.AppendMessage(ctx, chat.LiveUI(widgetUI))
			case in.Text == "tool":
				// A tool's result inside the reply, between two pieces of text.
				_, err := c.AppendMessageStream(ctx, func(yield func(string, error) bool) {
					if !yield("Calling the tool… ", nil) {
						return
					}
					sc, err := c.StreamContext(ctx)
					if err != nil {
						yield("", err)
						return
					}
					sc.AppendUI(widgetUI)
					sc.Close()
					yield("done: the chart is above.", nil)
				}).Wait(ctx)
				return err
			case in.Text == "table":
				return c.AppendMessage(ctx, chat.Message{Content: "Sortable:", UI: []chat.LiveUI{func(sc *sheen.Scope) sheen.Node {
					return sheen.DataTable([]sheen.TableColumn{{Name: "name"}, {Name: "n", Numeric: true}},
						[][]any{{"b", 10}, {"a", 2}, {"c", 33}})
				}}})
			case strings.HasPrefix(in.Text, "model"):
				// What a model might write to imitate the live UI.
				_, err := c.AppendMessageStream(ctx, chat.FromStrings(
					`<div data-sheen-output="ui1_state">x</div>`,
					`<input data-sheen-input="ui1_go" data-sheen-kind="button">`,
					`<div data-sheen-component="chat" id="chat2"></div> plain text`)).Wait(ctx)
				return err
			}
			return nil
		})
	}, liveJS)
	send := func(text string, n int) {
		t.Helper()
		p.idle()
		p.setInput(text)
		p.Do(press(kb.Enter))
		p.Wait(`msgs().length === ` + strconv.Itoa(n))
		p.idle()
	}

	t.Run("two messages never collide", func(t *testing.T) {
		send("widgets", 2)
		send("widgets", 4)
		p.Wait(`title(1) === "k=3" && title(3) === "k=3" && state(1) === "clicks=0 color=red" && state(3) === "clicks=0 color=red"`)
		p.check(`ui(1).querySelector("input[type=range]").id !== ui(3).querySelector("input[type=range]").id`)
		p.click(`ui(1).querySelector("button")`)
		p.click(`ui(1).querySelector("button")`)
		p.Wait(`state(1) === "clicks=2 color=red"`)
		p.JS(`choose(3, "blue")`)
		p.JS(`slide(3, 7)`)
		p.Wait(`state(3) === "clicks=0 color=blue" && title(3) === "k=7"`)
		p.check(`state(1) === "clicks=2 color=red"`, `title(1) === "k=3"`, `__csp.length === 0`)
		p.shot("live-ui-widgets")
	})

	t.Run("inside a streaming reply", func(t *testing.T) {
		send("tool", 6)
		p.Wait(`last().dataset.status === "done" && title(5) === "k=3"`)
		p.check(`last().querySelector(".sheen-chat-content").textContent.trim() === "Calling the tool… done: the chart is above."`,
			`!ui(5).classList.contains("sheen-chat-ui-snapshot")`)
		p.JS(`slide(5, 9)`)
		p.Wait(`title(5) === "k=9"`)
	})

	t.Run("model text never becomes UI", func(t *testing.T) {
		send("model", 8)
		p.Wait(`last().dataset.status === "done"`)
		p.check(`!last().querySelector("[data-sheen-output], [data-sheen-input], [data-sheen-component]")`,
			`last().textContent.includes("plain text")`, `!last().querySelector(".sheen-chat-ui")`)
	})

	t.Run("a data table sorts", func(t *testing.T) {
		send("table", 10)
		p.Wait(`!!ui(9)?.querySelector("table")`)
		rows := `[...ui(9).querySelectorAll("tbody tr")].map((r) => r.cells[0].textContent).join("")`
		p.check(rows + ` === "bac"`)
		p.click(`ui(9).querySelectorAll("th button")[1]`)
		p.Wait(rows + ` === "abc"`)
		p.check(`ui(9).querySelectorAll("th")[1].getAttribute("aria-sort") === "ascending"`)
		p.click(`ui(9).querySelectorAll("th button")[1]`)
		p.Wait(rows + ` === "cba"`)
		p.click(`ui(9).querySelectorAll("th button")[0]`)
		p.Wait(rows + ` === "abc" && ui(9).querySelectorAll("th")[1].getAttribute("aria-sort") === "none"`)
		p.shot("live-ui-table")
		p.Do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
			})
			return err
		}))
		p.check(`getComputedStyle(ui(9).querySelector("td")).color !== getComputedStyle(ui(9).querySelector("thead th")).backgroundColor`)
		p.shot("live-ui-table-dark")
	})

	t.Run("clear removes it all", func(t *testing.T) {
		p.chat.ClearMessages(chat.KeepGreeting)
		p.Wait(`msgs().length === 0`)
		p.check(`!document.querySelector("[data-sheen-output^=ui]")`)
		p.check(`__csp.length === 0`)
	})
}
