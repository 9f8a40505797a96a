package main

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sheenhq/sheen/chat"
)

// Offline is the built-in responder: it needs no network and no model. It
// picks a canned markdown answer by keyword and streams it word by word, as
// a model would.
type Offline struct {
	// Delay between chunks (default 12 ms); zero-valued Offline is ready.
	Delay time.Duration
}

// Name implements Responder.
func (Offline) Name() string { return "offline demo responder (no model configured)" }

// Respond implements Responder.
func (o Offline) Respond(ctx context.Context, history []chat.Message) func(yield func(string, error) bool) {
	var last string
	var files []chat.Attachment
	for i := len(history) - 1; i >= 0; i-- {
		if history[i].Role == chat.User {
			last, files = history[i].Content, history[i].Attachments
			break
		}
	}
	answer := pick(last)
	if len(files) > 0 {
		answer = received(last, files)
	}
	delay := o.Delay
	if delay == 0 {
		delay = 12 * time.Millisecond
	}
	return func(yield func(string, error) bool) {
		t := time.NewTimer(delay)
		defer t.Stop()
		for _, c := range chunks(answer) {
			select {
			case <-ctx.Done():
				yield("", ctx.Err())
				return
			case <-t.C:
			}
			if !yield(c, nil) {
				return
			}
			t.Reset(delay)
		}
	}
}

// chunks splits text into word-sized pieces, keeping whitespace attached.
func chunks(text string) []string {
	var out []string
	for len(text) > 0 {
		i := strings.IndexAny(text[1:], " \n")
		if i < 0 {
			out = append(out, text)
			break
		}
		n := i + 2
		if n > len(text) {
			n = len(text)
		}
		for !utf8.ValidString(text[:n]) && n < len(text) {
			n++
		}
		out = append(out, text[:n])
		text = text[n:]
	}
	return out
}

func pick(q string) string {
	q = strings.ToLower(q)
	switch {
	case strings.Contains(q, "code") || strings.Contains(q, "go "):
		return codeAnswer
	case strings.Contains(q, "table") || strings.Contains(q, "compare"):
		return tableAnswer
	case strings.Contains(q, "think") || strings.Contains(q, "step"):
		return thinkingAnswer
	case strings.Contains(q, "what") || strings.Contains(q, "sheen"):
		return aboutAnswer
	}
	return "I am the offline demo responder: **no model is configured**, so I can only show what sheen renders. " +
		"You said:\n\n> " + strings.ReplaceAll(strings.TrimSpace(q), "\n", "\n> ") + "\n\n" + aboutAnswer
}

const aboutAnswer = `**sheen** is a reactive UI runtime for Go, built for streaming LLM chat apps.

- A Shiny-style *reactive graph* runs per session on the server: values, calcs and effects re-run exactly what depends on each input.
- The page is a small vanilla-JS client that talks to the server over **one WebSocket** and reconnects without losing a message.
- Markdown is rendered on the server with goldmark and sanitized with bluemonday, *incrementally* while it streams: closed blocks are sent once.

No model is configured in this demo. Set ` + "`OPENAI_BASE_URL`" + ` or ` + "`OPENAI_API_KEY`" + ` to talk to a real one.

Ask for <span class="suggestion" data-suggestion="Show me some Go code">some code</span>, <span class="suggestion" data-suggestion="Compare sheen with shinychat in a table">a comparison table</span>, or <span class="suggestion" data-suggestion="Plot a sine wave">a live chart</span>.
`

const codeAnswer = "Here is a complete sheen chat app with a streaming handler:\n\n```go\npackage main\n\nimport (\n\t\"context\"\n\n\t\"github.com/sheenhq/sheen\"\n\t\"github.com/sheenhq/sheen/chat\"\n)\n\nfunc main() {\n\tpage := sheen.Page(\"Chat\", chat.UI(\"chat\"))\n\tapp := sheen.New(page, func(s *sheen.Session) {\n\t\tc := chat.New(s, \"chat\")\n\t\tc.OnUserSubmit(func(ctx context.Context, in chat.Input) error {\n\t\t\tst := c.AppendMessageStream(ctx, chat.FromStrings(\"You said: \", in.Text))\n\t\t\t_, err := st.Wait(ctx)\n\t\t\treturn err\n\t\t})\n\t})\n\tapp.ListenAndServe(\"127.0.0.1:8000\")\n}\n```\n\nThe handler runs **off** the session's goroutine, so the page stays responsive, and `ctx` is cancelled by the stop button.\n\nA reactive calc, for comparison:\n\n```go\ndoubled := reactive.NewCalc(g, func() (int, error) {\n\treturn n.Get() * 2, nil\n})\n```\n"

const tableAnswer = "| Feature | sheen | shinychat |\n|---|---|---|\n| Server language | Go | Python, R |\n| Markdown rendering | server (goldmark + bluemonday), incremental | client (marked + DOMPurify), whole message per chunk |\n| Transport | one WebSocket, typed versioned protocol | Shiny custom messages |\n| Reconnect | resumes the session, replays missed updates | reloads the app |\n| Sessions | one reactive graph each, never blocking each other | one global lock in py-shiny |\n| Token budgets | `Messages()` with a budget | removed in 0.5 |\n\n~~Client-side rendering~~ is gone: the browser only applies small patches.\n"

const thinkingAnswer = "<thinking>\nThe user wants to see how reasoning is shown.\n\n1. Reasoning streams into a collapsible panel above the answer.\n2. When the answer starts, the panel collapses.\n3. Closed markdown blocks are rendered once; only the open tail is re-rendered.\n</thinking>\nStreaming in sheen works in three steps:\n\n1. Your handler yields chunks from a Go iterator.\n2. The server coalesces them (at most one frame every ~30 ms) and renders only the **open tail block** again.\n3. The page applies each patch: committed blocks are appended once, the tail is replaced.\n\nSo a 50 KB answer costs microseconds per chunk on the server and a fraction of a millisecond in the browser.\n"
