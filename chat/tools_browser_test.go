package chat_test

import (
	"context"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/browsertest"
	"github.com/sheenhq/sheen/internal/fakeopenai"
	"github.com/sheenhq/sheen/tools"
)

// colours emulates a colour scheme ("light", "dark").
func colours(p *chatTab, scheme string) {
	p.Do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	}))
}

// shots saves light and dark screenshots at 1200 and 390 px wide.
func shots(p *chatTab, name string) {
	for _, w := range []int64{1200, 390} {
		for _, scheme := range []string{"light", "dark"} {
			colours(p, scheme)
			p.Do(chromedp.EmulateViewport(w, 800))
			p.settle()
			p.shot(name + "-" + scheme + "-" + map[int64]string{1200: "wide", 390: "narrow"}[w])
		}
	}
	colours(p, "light")
	p.Do(chromedp.EmulateViewport(1200, 800))
}

func submitTab(p *chatTab, text string) {
	p.setInput(text)
	p.Do(press(kb.Enter))
}

// TestBrowserToolCard: a reply that calls a tool shows a card, open while
// the tool runs, closed once it is done, with the arguments as text and the
// result rendered; the answer follows; the metrics line is shown.
func TestBrowserToolCard(t *testing.T) {
	b := browsertest.New(t)
	release := make(chan struct{})
	weather := tools.Func("get_weather", "The weather.", func(ctx context.Context, a struct {
		City string `json:"city"`
	}) (tools.Result, error) {
		select {
		case <-release:
		case <-ctx.Done():
			return tools.Result{}, ctx.Err()
		}
		return tools.Result{Text: `{"temp_c":18}`, Display: "**18 °C**, sunny in " + a.City}, nil
	})
	fake := fakeopenai.New(fakeopenai.Options{Replies: []fakeopenai.Reply{
		{Reasoning: []string{"The user wants the weather."}, Chunks: []string{"Let me check."}, ToolCalls: []fakeopenai.ToolCall{{ID: "call_1", Name: "get_weather", Args: []string{`{"city":`, `"Paris <img src=x onerror=pwn()>"}`}}}},
		{Chunks: []string{"It is **18 °C** and sunny in Paris."}, Usage: &fakeopenai.Usage{Prompt: 40, Completion: 12}},
	}})
	defer fake.Close()
	p := openChat(t, b, []chat.Option{chat.ShowMetrics()}, func(s *sheen.Session, c *chat.Chat) {
		chat.Respond(c, openAIModel0(fake), chat.WithTools(weather))
	})
	submitTab(p, "Weather in Paris?")
	p.Wait(`q(".sheen-chat-tool[data-status=running]") !== null && q(".sheen-chat-tool-args").textContent.includes("Paris")`)
	p.check(
		`q(".sheen-chat-tool-card").open`,
		`q(".sheen-chat-tool-name").textContent === "get_weather"`,
		`q(".sheen-chat-tool-state").textContent === "Running…"`,
		`q(".sheen-chat-tool-args").textContent.includes('"city": "Paris <img src=x onerror=pwn()>"')`,
		`q(".sheen-chat-tool-args img") === null`,
		// The thinking panel sits above the cards, the answer below.
		`q(".sheen-chat-thinking").compareDocumentPosition(q(".sheen-chat-tools")) === Node.DOCUMENT_POSITION_FOLLOWING`,
		`q(".sheen-chat-tools").compareDocumentPosition(last().querySelector(".sheen-chat-content")) === Node.DOCUMENT_POSITION_FOLLOWING`,
	)
	shots(p, "tool-running")
	close(release)
	p.Wait(`last().dataset.status === "done"`)
	p.idle()
	p.check(
		`q(".sheen-chat-tool").dataset.status === "success"`,
		`!q(".sheen-chat-tool-card").open`,
		`q(".sheen-chat-tool-state").textContent === "Done"`,
		`q(".sheen-chat-tool-result strong")?.textContent === "18 °C"`,
		`lastText().startsWith("Let me check.") && lastText().includes("It is 18 °C and sunny in Paris.")`,
		`/^(\d+ ms|\d\.\d\d s) to first token · \d+ tokens · .* · \d/.test(q(".sheen-chat-metrics").textContent)`,
		`q(".sheen-chat-metrics").title.includes("Tokens in: 40")`,
		`__pwned === 0`, `__hostile.length === 0`,
	)
	// The user opens the card: the result is there.
	p.clickOn("#chat .sheen-chat-tool-card > summary")
	p.check(`q(".sheen-chat-tool-card").open`)
	shots(p, "tool-done")
}

// openAIModel0 is the model of a fake server (no test needed).
func openAIModel0(fake *fakeopenai.Server) *openaiModel {
	return newOpenAIModel(fake.URL)
}

// TestBrowserToolApproval: a tool that needs approval shows Allow and Deny;
// the reply waits; the choice runs the tool or tells the model it was
// denied, and the card says so.
func TestBrowserToolApproval(t *testing.T) {
	b := browsertest.New(t)
	for _, tt := range []struct {
		button, status, state string
	}{{"allow", "success", "Done"}, {"deny", "denied", "Denied"}} {
		t.Run(tt.button, func(t *testing.T) {
			ran := make(chan string, 1)
			del := tools.Func("delete_file", "Delete a file.", func(ctx context.Context, a struct {
				Path string `json:"path"`
			}) (string, error) {
				ran <- a.Path
				return "deleted " + a.Path, nil
			}, tools.RequireApproval())
			fake := fakeopenai.New(fakeopenai.Options{Replies: []fakeopenai.Reply{
				{ToolCalls: []fakeopenai.ToolCall{{ID: "call_1", Name: "delete_file", Args: []string{`{"path":"/tmp/x"}`}}}},
				{Chunks: []string{"OK."}},
			}})
			defer fake.Close()
			p := openChat(t, b, nil, func(s *sheen.Session, c *chat.Chat) {
				chat.Respond(c, openAIModel0(fake), chat.WithTools(del))
			})
			submitTab(p, "Delete /tmp/x")
			p.Wait(`q(".sheen-chat-tool[data-status=pending] .sheen-chat-tool-allow") !== null`)
			p.check(
				`q(".sheen-chat-tool-state").textContent === "Waiting for approval"`,
				`q(".sheen-chat-tool-question").textContent === "Allow delete_file to run with these arguments?"`,
				`q(".sheen-chat-tool-approval").getAttribute("role") === "group"`,
				`!idle()`,
			)
			none(t, ran, "a run before the approval")
			if tt.button == "allow" {
				shots(p, "tool-approval")
			}
			p.clickOn("#chat .sheen-chat-tool-" + tt.button)
			p.Wait(`last().dataset.status === "done"`)
			p.idle()
			p.check(
				`q(".sheen-chat-tool").dataset.status === "`+tt.status+`"`,
				`q(".sheen-chat-tool-state").textContent === "`+tt.state+`"`,
				`q(".sheen-chat-tool-approval") === null`,
				`lastText() === "OK."`,
			)
			if tt.button == "allow" {
				if got := recv(t, ran, "the tool to run"); got != "/tmp/x" {
					t.Errorf("ran with %q", got)
				}
			} else {
				none(t, ran, "a run of a denied call")
				p.check(`q(".sheen-chat-tool-result").textContent.includes("denied")`)
			}
			got := p.chat.Messages()
			if a := got[len(got)-1].ToolCalls[0].Approval; a == nil || a.Allowed != (tt.button == "allow") {
				t.Errorf("approval = %+v", a)
			}
		})
	}
}

// TestBrowserStopDuringTool: the stop button during a tool call cancels the
// tool's ctx; the card ends failed, the message stopped.
func TestBrowserStopDuringTool(t *testing.T) {
	b := browsertest.New(t)
	cancelled := make(chan error, 1)
	slow := tools.Func("slow_search", "Search slowly.", func(ctx context.Context, _ struct{}) (string, error) {
		<-ctx.Done()
		cancelled <- ctx.Err()
		return "", ctx.Err()
	})
	fake := fakeopenai.New(fakeopenai.Options{Replies: []fakeopenai.Reply{
		{Chunks: []string{"Searching."}, ToolCalls: []fakeopenai.ToolCall{{ID: "call_1", Name: "slow_search", Args: []string{`{}`}}}},
	}})
	defer fake.Close()
	p := openChat(t, b, nil, func(s *sheen.Session, c *chat.Chat) {
		chat.Respond(c, openAIModel0(fake), chat.WithTools(slow))
	})
	submitTab(p, "search")
	p.Wait(`q(".sheen-chat-tool[data-status=running]") !== null && !q(".sheen-chat-stop").hidden`)
	p.clickOn("#chat .sheen-chat-stop")
	recv(t, cancelled, "the tool's ctx to end")
	p.Wait(`last().dataset.status === "stopped"`)
	p.idle()
	p.check(
		`q(".sheen-chat-tool").dataset.status === "error"`,
		`q(".sheen-chat-tool-result").textContent.includes("Stopped before it finished.")`,
		`lastText() === "Searching."`,
		`last().querySelector(".sheen-chat-note").textContent === "Stopped"`,
	)
	if n := len(fake.Requests()); n != 1 {
		t.Errorf("%d requests", n)
	}
}

// TestBrowserMalformedToolArguments: a model that streams broken arguments
// gets an error result; the card shows the arguments as written and the
// error; the reply goes on; nothing crashes.
func TestBrowserMalformedToolArguments(t *testing.T) {
	b := browsertest.New(t)
	calls := make(chan struct{}, 1)
	weather := tools.Func("get_weather", "The weather.", func(ctx context.Context, a struct {
		City string `json:"city"`
	}) (string, error) {
		calls <- struct{}{}
		return "18", nil
	})
	fake := fakeopenai.New(fakeopenai.Options{Replies: []fakeopenai.Reply{
		{ToolCalls: []fakeopenai.ToolCall{{ID: "call_1", Name: "get_weather", Args: []string{`{"city": "Par`, `is", <script>pwn()</script>`}}}},
		{Chunks: []string{"Sorry, I sent bad arguments."}},
	}})
	defer fake.Close()
	p := openChat(t, b, nil, func(s *sheen.Session, c *chat.Chat) {
		chat.Respond(c, openAIModel0(fake), chat.WithTools(weather))
	})
	submitTab(p, "weather?")
	p.Wait(`last().dataset.status === "done"`)
	p.idle()
	p.check(
		`q(".sheen-chat-tool").dataset.status === "error"`,
		`q(".sheen-chat-tool-state").textContent === "Failed"`,
		`q(".sheen-chat-tool-args").textContent === '{"city": "Paris", <script>pwn()</script>'`,
		`q(".sheen-chat-tool-result").textContent.includes("invalid arguments")`,
		`lastText() === "Sorry, I sent bad arguments."`,
		`__pwned === 0`, `__hostile.length === 0`,
	)
	none(t, calls, "a call with bad arguments")
	r := fake.Requests()[1]
	if tm := r.Messages[len(r.Messages)-1]; tm.Role != "tool" {
		t.Errorf("the model was not told: %+v", tm)
	}
}
