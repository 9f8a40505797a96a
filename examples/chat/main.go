// Command chat is sheen's main example: a streaming chat on
// http://127.0.0.1:8000.
//
//	go run ./examples/chat
//
// With no configuration it answers with a built-in offline responder that
// streams real markdown (code, tables, thinking, suggestions) and says plainly
// that no model is configured. With OPENAI_BASE_URL or OPENAI_API_KEY set it
// streams from that OpenAI-compatible server instead (see -h and openai.go).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/reactive"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8000", "address to serve on")
	dev := flag.Bool("dev", false, "show real error messages to users")
	flag.Usage = usage
	flag.Parse()

	var r Responder = Offline{}
	cfg, ok, err := ConfigFromEnv(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	if ok {
		if cfg.Model == "" {
			cfg.Model = pickModel(cfg)
		}
		r = NewOpenAI(cfg)
	}
	app := NewApp(r, sheen.WithDevelopment(*dev))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = app.Shutdown(shutdown)
	}()
	log.Printf("sheen chat example (%s): open http://%s/", r.Name(), *addr)
	if err := app.ListenAndServe(*addr); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

// Responder answers a conversation with a stream of markdown chunks.
type Responder interface {
	Name() string
	Respond(ctx context.Context, history []chat.Message) func(yield func(string, error) bool)
}

func usage() {
	fmt.Fprintf(flag.CommandLine.Output(), `Usage: go run ./examples/chat [flags]

Serves a streaming chat. With no configuration a built-in offline responder
answers. To talk to a model on an OpenAI-compatible server (OpenAI, Ollama,
vLLM, llama.cpp's server, LM Studio), set:

  OPENAI_BASE_URL  the server's API, e.g. http://localhost:11434/v1 (default: OpenAI's)
  OPENAI_API_KEY   its key (local servers take none)
  OPENAI_MODEL     the model (default: the first the server lists, or %s on OpenAI)
  OPENAI_CONTEXT   the model's context window in tokens (default: by name, or 8192)

Flags:
`, DefaultModel)
	flag.PrintDefaults()
}

func chatOptions(r Responder) []chat.Option {
	opts := []chat.Option{
		chat.Placeholder("Ask about sheen, or type / for commands"),
		chat.Fill(),
		chat.Greeting(greeting),
	}
	if m, ok := r.(Model); ok {
		opts = append(opts[:2],
			chat.Greeting(modelGreeting(m)),
			chat.Messages(chat.Message{Role: chat.System, Content: systemPrompt}),
			chat.TokenBudget(m.Budget()), // the context meter
		)
	}
	return opts
}

// NewApp builds the example app around a responder.
func NewApp(r Responder, opts ...sheen.Option) *sheen.App {
	page := sheen.Page("sheen chat",
		sheen.El("div", sheen.Class("example-chat"),
			sheen.El("header", sheen.Class("example-chat-header"),
				sheen.Heading(1, "sheen chat"),
				sheen.TextOutput("model", sheen.Inline(), sheen.Class("example-chat-model")), // follows /model
			),
			chat.UI("chat", chatOptions(r)...),
		),
	).With(sheen.Head(sheen.El("style", sheen.TrustedHTML(pageCSS))))
	return sheen.New(page, func(s *sheen.Session) { Server(s, r) }, opts...)
}

// Server binds the chat for one session.
func Server(s *sheen.Session, r Responder) {
	c := chat.New(s, "chat", chatOptions(r)...)
	cv := &conversation{c: c, r: r, name: reactive.NewValue(s.Graph(), r.Name())}
	s.Output("model", sheen.RenderText(func() (string, error) { return cv.name.Get(), nil }))
	c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
		r := cv.responder()
		history, err := cv.history(r)
		if err != nil {
			return err
		}
		st := c.AppendMessageStream(ctx, r.Respond(ctx, history))
		_, err = st.Wait(ctx)
		if errors.Is(err, chat.ErrStopped) || errors.Is(err, context.Canceled) {
			return nil
		}
		return err
	})
	_ = c.SlashCommand("clear", "Clear the conversation", func(ctx context.Context, args string) error {
		return cv.clear(ctx)
	}, chat.Echo(false))
	help := helpText
	if _, ok := r.(Model); ok {
		help = modelHelp
		_ = c.SlashCommand("model", "Show the model, or switch: /model name", cv.modelCommand)
		_ = c.SlashCommand("tokens", "How full the model's context window is", cv.tokensCommand)
	}
	_ = c.SlashCommand("help", "What this chat can do", func(ctx context.Context, args string) error {
		return cv.note(ctx, help)
	})
}

const greeting = `**Welcome to sheen chat.** This is the offline demo: no model is configured, so a built-in responder answers.

Try one of these:

- <span class="suggestion submit" title="Explain">What is sheen?</span>
- <span class="suggestion submit" title="Code">Show me some Go code</span>
- <span class="suggestion submit" title="Table">Compare sheen with shinychat in a table</span>
- <span class="suggestion submit" title="Reasoning">Think step by step about streaming</span>
`

const helpText = "### Commands\n\n- `/help`: this list\n- `/clear`: start over\n\nEverything else goes to the responder. Markdown, code, tables and thinking all stream as they are written."

const pageCSS = `
html, body { height: 100%; margin: 0; }
.example-chat { display: flex; flex-direction: column; height: 100vh; max-width: 880px; margin: 0 auto; padding: 0 16px; box-sizing: border-box; }
.example-chat-header { display: flex; align-items: baseline; gap: 12px; padding: 14px 4px 6px; }
.example-chat-header h1 { font-size: 1.15rem; margin: 0; }
.example-chat-model { font-size: .8rem; opacity: .65; }
.example-chat .sheen-chat { flex: 1; min-height: 0; }
`
