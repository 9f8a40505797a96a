package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/internal/browsertest"
	"github.com/sheenhq/sheen/internal/fakeopenai"
	"github.com/sheenhq/sheen/internal/pagetest"
	"github.com/sheenhq/sheen/model"
	"github.com/sheenhq/sheen/protocol"
	"github.com/sheenhq/sheen/tokens"
)

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    Config
		ok      bool
		wantErr string
	}{
		{name: "nothing set: offline", env: map[string]string{"OPENAI_MODEL": "gpt-4o"}},
		{name: "a key: OpenAI", env: map[string]string{"OPENAI_API_KEY": " sk-test "},
			want: Config{APIKey: "sk-test", MaxRetries: 2}, ok: true},
		{name: "a local server",
			env:  map[string]string{"OPENAI_BASE_URL": "http://localhost:11434/v1", "OPENAI_MODEL": "llama3.2", "OPENAI_CONTEXT": "32_768"},
			want: Config{BaseURL: "http://localhost:11434/v1", Model: "llama3.2", Context: 32768, MaxRetries: 2}, ok: true},
		{name: "not a URL", env: map[string]string{"OPENAI_BASE_URL": "localhost:11434"}, wantErr: "OPENAI_BASE_URL"},
		{name: "bad context", env: map[string]string{"OPENAI_API_KEY": "k", "OPENAI_CONTEXT": "lots"}, wantErr: "OPENAI_CONTEXT"},
		{name: "tiny context", env: map[string]string{"OPENAI_API_KEY": "k", "OPENAI_CONTEXT": "100"}, wantErr: "at least 256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, ok, err := ConfigFromEnv(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one about %s", err, tt.wantErr)
				}
				return
			}
			if err != nil || ok != tt.ok || cfg != tt.want {
				t.Fatalf("ConfigFromEnv = %+v, %v, %v; want %+v, %v", cfg, ok, err, tt.want, tt.ok)
			}
		})
	}
}

func TestBudgetByModel(t *testing.T) {
	tests := []struct {
		model   string
		context int
		want    tokens.Budget
	}{
		{"gpt-4o-mini", 0, tokens.Budget{Max: 128_000, Reserve: 4096, PerMessage: 3, PerReply: 3}},
		{"openai/gpt-4.1", 0, tokens.Budget{Max: 1_047_576, Reserve: 4096, PerMessage: 3, PerReply: 3}},
		{"gpt-4", 0, tokens.Budget{Max: 8192, Reserve: 2048, PerMessage: 3, PerReply: 3}},
		{"o3-mini", 0, tokens.Budget{Max: 200_000, Reserve: 4096, PerMessage: 3, PerReply: 3}},
		{"llama3.2", 0, tokens.Budget{Max: 8192, Reserve: 2048, PerMessage: 3, PerReply: 3}},
		{"gpt-4o", 1000, tokens.Budget{Max: 1000, Reserve: 250, PerMessage: 3, PerReply: 3}},
	}
	for _, tt := range tests {
		m := NewOpenAI(Config{APIKey: "k", Model: tt.model, Context: tt.context})
		if got := m.Budget(); got != tt.want {
			t.Errorf("%s (context %d): budget %+v, want %+v", tt.model, tt.context, got, tt.want)
		}
		if got := m.WithModel("gpt-4o").Budget().Max; tt.context == 0 && got != 128_000 || tt.context != 0 && got != tt.context {
			t.Errorf("%s: WithModel(gpt-4o) budget max %d", tt.model, got)
		}
	}
}

func TestPickModel(t *testing.T) {
	fake := fakeopenai.New(fakeopenai.Options{Models: []string{"llama3.2", "qwen3"}})
	defer fake.Close()
	if got := pickModel(Config{BaseURL: fake.URL, MaxRetries: -1}); got != "llama3.2" {
		t.Errorf("pickModel(a server with models) = %q, want llama3.2", got)
	}
	if got := pickModel(Config{APIKey: "k"}); got != DefaultModel {
		t.Errorf("pickModel(OpenAI) = %q, want %q", got, DefaultModel)
	}
	down := fakeopenai.New(fakeopenai.Options{})
	url := down.URL
	down.Close()
	if got := pickModel(Config{BaseURL: url, MaxRetries: -1}); got != DefaultModel {
		t.Errorf("pickModel(a server that is down) = %q, want %q", got, DefaultModel)
	}
}

// TestRespondReasoning: reasoning deltas reach the chat as thinking,
// before the answer (model/openai streams them; chat.Respond shows them).
func TestRespondReasoning(t *testing.T) {
	fake := fakeopenai.New(fakeopenai.Options{Replies: []fakeopenai.Reply{
		{Reasoning: []string{"Six times ", "seven."}, Chunks: []string{"4", "2"}},
		{Reasoning: []string{"Only thoughts."}},
	}})
	defer fake.Close()
	m := NewOpenAI(Config{BaseURL: fake.URL, Model: "fake-model", MaxRetries: -1})
	for _, want := range []model.Reply{{Thinking: "Six times seven.", Text: "42"}, {Thinking: "Only thoughts."}} {
		got, err := model.Collect(context.Background(), m.LLM(), model.Request{Messages: []model.Message{{Role: model.User, Text: "6×7?"}}})
		if err != nil {
			t.Fatal(err)
		}
		if got.Thinking != want.Thinking || got.Text != want.Text {
			t.Errorf("streamed %q then %q, want %q then %q", got.Thinking, got.Text, want.Thinking, want.Text)
		}
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1_047_576: "1,047,576", -12345: "-12,345"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// modelApp starts the fake model and the example app on it. cfg's BaseURL
// is filled in.
func modelApp(t *testing.T, opts fakeopenai.Options, cfg Config) (base string, fake *fakeopenai.Server) {
	t.Helper()
	fake = fakeopenai.New(opts)
	t.Cleanup(fake.Close) // last: the app ends its requests first
	cfg.BaseURL, cfg.MaxRetries = fake.URL, -1
	if cfg.Model == "" {
		cfg.Model = "fake-model"
	}
	if cfg.APIKey == "" {
		cfg.APIKey = "test-key"
	}
	app := NewApp(NewOpenAI(cfg), nil, sheen.WithLogger(zap.NewNop()))
	srv := browsertest.Serve(t, app)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := app.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return srv.URL, fake
}

// wsPage is a Go stand-in for the browser: it speaks sheen's protocol over
// a real WebSocket and keeps the chat's messages as the page would.
type wsPage struct {
	*pagetest.Page
	t *testing.T
}

func openPage(t *testing.T, base string) wsPage {
	t.Helper()
	return wsPage{pagetest.Open(t, base, "chat"), t}
}

// event is a chat message with its data decoded.
type event struct {
	Name string
	Data struct {
		Message struct {
			ID     string `json:"id"`
			Role   string `json:"role"`
			HTML   string `json:"html"`
			Status string `json:"status"`
			Error  string `json:"error"`
		} `json:"message"`
		ID     string `json:"id"`
		Status string `json:"status"`
		Error  string `json:"error"`
		Busy   *bool  `json:"busy"`
		Used   int    `json:"used"`
		Budget int    `json:"budget"`
	}
}

// until takes the chat's messages as they come, applying them to the
// page's view, up to the first that satisfies ok, and returns it.
func (p wsPage) until(what string, ok func(e event) bool) event {
	p.t.Helper()
	var e event
	p.Wait(what, func(m protocol.Message) bool {
		e = event{Name: m.Name}
		if err := json.Unmarshal(m.Data, &e.Data); err != nil {
			p.t.Fatalf("%s: %v", m.Name, err)
		}
		return ok(e)
	})
	return e
}

// text is the visible text of message id.
func (p wsPage) text(id string) string { return p.View().Text(id) }

func (p wsPage) end() event {
	p.t.Helper()
	return p.until("the end of a reply", func(e event) bool { return e.Name == "end" })
}

// note waits for an app note (a command's answer) and returns its text.
func (p wsPage) note() string {
	p.t.Helper()
	e := p.until("a note", func(e event) bool { return e.Name == "append" && strings.HasPrefix(e.Data.Message.ID, notePrefix) })
	return pagetest.Text(e.Data.Message.HTML)
}

func finished(t *testing.T, fake *fakeopenai.Server, i int) fakeopenai.Request {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r, err := fake.Finished(ctx, i)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func roles(r fakeopenai.Request) string {
	var s []string
	for _, m := range r.Messages {
		s = append(s, m.Role)
	}
	return strings.Join(s, ",")
}

// words is n words of filler: about n tokens.
func words(prefix string, n int) string {
	return prefix + strings.Repeat(" lorem", n)
}

// TestModelProtocol runs the example on the fake model, driven by a Go page
// over the real protocol: streaming, stop, failures, the budget and the
// commands.
func TestModelProtocol(t *testing.T) {
	t.Run("streaming", func(t *testing.T) {
		base, fake := modelApp(t, fakeopenai.Options{Replies: []fakeopenai.Reply{
			{Chunks: []string{"Hello", ", ", "**world**", "."}, Delay: 2 * time.Millisecond},
		}}, Config{Context: 4000})
		p := openPage(t, base)
		meter := p.until("the context meter", func(e event) bool { return e.Name == "meter" })
		if meter.Data.Budget != 3000 || meter.Data.Used <= 3 {
			t.Errorf("meter %d/%d, want the system prompt of 3,000", meter.Data.Used, meter.Data.Budget)
		}
		p.Submit("hi")
		e := p.end()
		if e.Data.Status != "done" || p.text(e.Data.ID) != "Hello, world." {
			t.Fatalf("reply %q ended %q", p.text(e.Data.ID), e.Data.Status)
		}
		r := finished(t, fake, 0)
		if r.End != fakeopenai.Completed || r.Model != "fake-model" || !r.Stream || roles(r) != "system,user" ||
			r.Messages[0].Content != systemPrompt || r.Messages[1].Content != "hi" || r.Header.Get("Authorization") != "Bearer test-key" {
			t.Fatalf("request: %+v", r)
		}
		// After the turn the meter counts the question and the answer.
		p.until("the meter after the turn", func(e event) bool { return e.Name == "meter" && e.Data.Used > meter.Data.Used+3 })
	})

	t.Run("stop", func(t *testing.T) {
		base, fake := modelApp(t, fakeopenai.Options{Replies: []fakeopenai.Reply{
			{Chunks: slices.Repeat([]string{"tick "}, 500), Delay: 20 * time.Millisecond},
		}}, Config{})
		p := openPage(t, base)
		p.Submit("count")
		first := p.until("the first words", func(e event) bool { return e.Name == "patch" && strings.Contains(p.text(e.Data.ID), "tick") })
		p.Send("stop", nil)
		e := p.end()
		if e.Data.Status != "stopped" || e.Data.ID != first.Data.ID || !strings.HasPrefix(p.text(e.Data.ID), "tick") {
			t.Fatalf("reply %q ended %q", p.text(e.Data.ID), e.Data.Status)
		}
		if r := finished(t, fake, 0); r.End != fakeopenai.Canceled || r.Sent >= 500 {
			t.Fatalf("the model saw the request end %v after %d chunks, want canceled", r.End, r.Sent)
		}
		p.Idle()
	})

	t.Run("error midway", func(t *testing.T) {
		base, fake := modelApp(t, fakeopenai.Options{Replies: []fakeopenai.Reply{
			{Chunks: []string{"partial ", "text ", "lost"}, Fail: fakeopenai.ErrorEvent, FailAfter: 2, Message: "the model overheated"},
		}}, Config{})
		p := openPage(t, base)
		p.Submit("go")
		e := p.end()
		if e.Data.Status != "error" || !strings.Contains(e.Data.Error, "the model overheated") || p.text(e.Data.ID) != "partial text" {
			t.Fatalf("reply %q ended %q: %q", p.text(e.Data.ID), e.Data.Status, e.Data.Error)
		}
		p.Idle()
		if ns := p.Notices(); len(ns) != 0 { // the error shows once: inline, with Retry
			t.Errorf("notices %v", ns)
		}
		if r := finished(t, fake, 0); r.End != fakeopenai.Failed {
			t.Errorf("request ended %v", r.End)
		}
	})

	t.Run("connection dropped", func(t *testing.T) {
		base, _ := modelApp(t, fakeopenai.Options{Replies: []fakeopenai.Reply{
			{Chunks: []string{"half ", "gone"}, Fail: fakeopenai.Drop, FailAfter: 1},
		}}, Config{})
		p := openPage(t, base)
		p.Submit("go")
		e := p.end()
		if e.Data.Status != "error" || !strings.Contains(e.Data.Error, "broke off") || p.text(e.Data.ID) != "half" {
			t.Fatalf("reply %q ended %q: %q", p.text(e.Data.ID), e.Data.Status, e.Data.Error)
		}
	})

	t.Run("error status", func(t *testing.T) {
		base, _ := modelApp(t, fakeopenai.Options{Replies: []fakeopenai.Reply{
			{Status: http.StatusUnauthorized, Message: "Incorrect API key provided"},
		}}, Config{})
		p := openPage(t, base)
		p.Submit("go")
		e := p.end()
		if e.Data.Status != "error" || !strings.Contains(e.Data.Error, "answered 401: Incorrect API key provided") {
			t.Fatalf("reply ended %q: %q", e.Data.Status, e.Data.Error)
		}
	})

	t.Run("budget trimming", func(t *testing.T) {
		budget := tokens.Budget{Max: 400, Reserve: 100, PerMessage: 3, PerReply: 3}
		base, fake := modelApp(t, fakeopenai.Options{Respond: func(r fakeopenai.Request) fakeopenai.Reply {
			last := r.Messages[len(r.Messages)-1].Content
			return fakeopenai.Reply{Chunks: []string{words("answer to "+strings.Fields(last)[1], 30)}}
		}}, Config{Context: budget.Max})
		p := openPage(t, base)
		const turns = 8
		for i := range turns {
			p.Submit(words("question "+strconv.Itoa(i), 30))
			p.end()
			p.Idle()
		}
		counter := tokens.Default()
		for i := range turns {
			r := finished(t, fake, i)
			if r.Messages[0].Role != "system" || r.Messages[0].Content != systemPrompt {
				t.Fatalf("request %d does not start with the system prompt: %s", i, roles(r))
			}
			if last := r.Messages[len(r.Messages)-1].Content; !strings.HasPrefix(last, "question "+strconv.Itoa(i)+" ") {
				t.Fatalf("request %d ends with %q", i, last)
			}
			used := budget.PerReply
			for _, m := range r.Messages {
				used += counter.Count(m.Content) + budget.PerMessage
			}
			if used > budget.Max-budget.Reserve {
				t.Errorf("request %d takes %d tokens, more than %d", i, used, budget.Max-budget.Reserve)
			}
		}
		first, last := finished(t, fake, 0), finished(t, fake, turns-1)
		if len(first.Messages) != 2 {
			t.Errorf("the first request has %d messages", len(first.Messages))
		}
		// The oldest turns are gone, the newest are there, in order.
		var sent []string
		for _, m := range last.Messages[1:] {
			sent = append(sent, strings.Join(strings.Fields(m.Content)[:2], " "))
		}
		t.Logf("the last request sent the system prompt and %q", sent)
		if len(sent) >= 2*turns-1 || slices.Contains(sent, "question 0") || sent[len(sent)-1] != "question 7" {
			t.Fatalf("the last request sent %q", sent)
		}
		for k := 1; k < len(sent); k++ {
			if strings.HasPrefix(sent[k], "answer") == strings.HasPrefix(sent[k-1], "answer") {
				t.Fatalf("the last request is not a contiguous run of turns: %q", sent)
			}
		}
		// A question that cannot fit is refused with a clear message, and
		// nothing is sent.
		p.Submit(words("question huge", 400))
		e := p.until("the refusal", func(e event) bool { return e.Name == "append" && e.Data.Message.Status == "error" })
		if !strings.Contains(e.Data.Message.Error, "too long for the model") {
			t.Fatalf("refusal %q", e.Data.Message.Error)
		}
		p.Idle()
		if n := len(fake.Requests()); n != turns {
			t.Fatalf("%d requests after the refusal, want %d", n, turns)
		}
	})

	t.Run("commands", func(t *testing.T) {
		base, fake := modelApp(t, fakeopenai.Options{Models: []string{"fake-model", "other-model"}}, Config{Context: 8000})
		p := openPage(t, base)
		p.Submit("/model")
		if n := p.note(); !strings.Contains(n, "The model is fake-model") || !strings.Contains(n, "other-model") || !strings.Contains(n, "8,000") {
			t.Fatalf("/model: %q", n)
		}
		p.Idle()
		p.Submit("/model other-model")
		if n := p.note(); !strings.Contains(n, "Switched to other-model") {
			t.Fatalf("/model other-model: %q", n)
		}
		p.Idle()
		p.Submit("hello")
		p.end()
		p.Idle()
		if r := finished(t, fake, 0); r.Model != "other-model" || roles(r) != "system,user" || r.Messages[1].Content != "hello" {
			t.Fatalf("after /model other-model: model %q, %s", r.Model, roles(r))
		}
		p.Submit("/tokens")
		n := p.note()
		for _, want := range []string{"of 6,000 tokens", "3 of 8 messages would be sent", "yes", "no (command)"} {
			if !strings.Contains(n, want) {
				t.Errorf("/tokens lacks %q:\n%s", want, n)
			}
		}
		p.Idle()
		p.Submit("/clear")
		p.until("the reset", func(e event) bool { return e.Name == "reset" })
		p.Idle()
		p.Submit("again")
		p.end()
		if r := finished(t, fake, 1); roles(r) != "system,user" || r.Messages[0].Content != systemPrompt || r.Messages[1].Content != "again" {
			t.Fatalf("after /clear: %s %q", roles(r), r.Messages)
		}
	})
}

// TestModelBrowser runs the example on the fake model in headless Chromium:
// a streamed answer and the context meter, the stop button, a failure
// midway, and the budget at work.
func TestModelBrowser(t *testing.T) {
	browser := browsertest.New(t)
	base, fake := modelApp(t, fakeopenai.Options{Respond: func(r fakeopenai.Request) fakeopenai.Reply {
		q := r.Messages[len(r.Messages)-1].Content
		switch {
		case strings.HasPrefix(q, "slow"):
			return fakeopenai.Reply{Chunks: slices.Repeat([]string{"tick "}, 1000), Delay: 20 * time.Millisecond}
		case strings.HasPrefix(q, "fail"):
			return fakeopenai.Reply{Chunks: []string{"Half an ", "answer", " never seen"}, Delay: time.Millisecond,
				Fail: fakeopenai.ErrorEvent, FailAfter: 2, Message: "the model overheated"}
		}
		return fakeopenai.Reply{Chunks: []string{"You said: ", "**" + strings.Fields(q)[0] + "**", words(".", 60)}, Delay: time.Millisecond}
	}}, Config{Context: 600})
	tab := browser.Tab(t)
	tab.OnNewDocument(`window.q = (s) => document.querySelector("#chat " + s);
		window.qa = (s) => [...document.querySelectorAll("#chat " + s)];
		window.msgs = () => qa(".sheen-chat-log > .sheen-chat-msg:not(.sheen-chat-greeting):not(.sheen-chat-pending)");
		window.last = () => msgs().at(-1);
		window.idle = () => !document.getElementById("chat").classList.contains("sheen-chat-locked");`)
	tab.Do(chromedp.Navigate(base + "/"))
	send := func(text string) {
		t.Helper()
		tab.JS(`q(".sheen-chat-input").focus()`)
		tab.Do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, input.InsertText, input.InsertTextParams{Text: text})
			return err
		}))
		tab.JS(`q(".sheen-chat-send").click()`)
	}
	shot := func(name string) {
		if dir := os.Getenv("SHEEN_SCREENSHOTS"); dir != "" {
			tab.Screenshot(filepath.Join(dir, name+".png"))
		}
	}

	// The greeting and the header name the model; the meter shows the system prompt.
	tab.Wait(`document.documentElement.dataset.sheenState === "open" && q(".sheen-chat-greeting")?.textContent.includes("fake-model")`)
	tab.Wait(`document.querySelector(".example-chat-model").textContent.startsWith("fake-model")`)
	tab.Wait(`!q(".sheen-chat-meter").hidden && q(".sheen-chat-meter").getAttribute("aria-valuemax") === "450"`)
	before := browsertest.Eval[string](tab, `q(".sheen-chat-meter").getAttribute("aria-valuenow")`)

	// A streamed answer, rendered as markdown; the meter grows.
	send("hello there")
	tab.Wait(`last()?.classList.contains("sheen-chat-assistant") && last().dataset.status === "done" && idle()`)
	if got := browsertest.Eval[string](tab, `last().querySelector("strong")?.textContent`); got != "hello" {
		t.Errorf("bold word %q, want hello", got)
	}
	tab.Wait(`+q(".sheen-chat-meter").getAttribute("aria-valuenow") > ` + before + ` + 60`)
	shot("model-answer")

	// Stop: the answer keeps what came, the model sees the request cancelled.
	send("slow count")
	tab.Wait(`last()?.classList.contains("sheen-chat-assistant") && last().textContent.includes("tick")`)
	tab.JS(`q(".sheen-chat-stop").click()`)
	tab.Wait(`last().dataset.status === "stopped" && idle()`)
	if r := finished(t, fake, 1); r.End != fakeopenai.Canceled {
		t.Errorf("the model saw the stopped request end %v", r.End)
	}

	// A failure midway: the partial text stays, the error is shown.
	send("fail please")
	tab.Wait(`last()?.dataset.status === "error" && idle()`)
	check := func(exprs ...string) {
		t.Helper()
		for _, x := range exprs {
			if !browsertest.Eval[bool](tab, "!!("+x+")") {
				t.Errorf("not true: %s", x)
			}
		}
	}
	check(`last().querySelector(".sheen-chat-content").textContent.includes("Half an answer")`,
		`!last().textContent.includes("never seen")`,
		`last().querySelector(".sheen-chat-error-text").textContent.includes("the model overheated")`)
	shot("model-error")

	// The budget: a few more turns, and the oldest are no longer sent.
	for i := range 4 {
		send(fmt.Sprintf("turn%d %s", i, words("", 40)))
		tab.Wait(`last()?.classList.contains("sheen-chat-assistant") && last().dataset.status === "done" && idle()`)
	}
	last := fake.Requests()[len(fake.Requests())-1]
	if last.Messages[0].Content != systemPrompt {
		t.Fatalf("the last request does not start with the system prompt: %s", roles(last))
	}
	for _, m := range last.Messages {
		if strings.HasPrefix(m.Content, "hello there") {
			t.Fatalf("the oldest question was still sent: %s", roles(last))
		}
	}
	if m := last.Messages[len(last.Messages)-1].Content; !strings.HasPrefix(m, "turn3") {
		t.Fatalf("the last request ends with %q", m)
	}
	shot("model-budget")

	// /model switches the model; the header follows.
	send("/model other-model")
	tab.Wait(`document.querySelector(".example-chat-model").textContent.startsWith("other-model") && idle()`)
}
