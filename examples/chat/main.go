// Command chat is sheen's main example: a streaming chat on
// http://127.0.0.1:8000.
//
//	go run ./examples/chat
//
// With no configuration it answers with a built-in offline responder that
// streams real markdown (code, tables, thinking, suggestions) and says plainly
// that no model is configured.
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8000", "address to serve on")
	dev := flag.Bool("dev", false, "show real error messages to users")
	flag.Parse()

	app := NewApp(Offline{}, sheen.WithDevelopment(*dev))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = app.Shutdown(shutdown)
	}()
	log.Printf("sheen chat example: open http://%s/", *addr)
	if err := app.ListenAndServe(*addr); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

// Responder answers a conversation with a stream of markdown chunks.
type Responder interface {
	Name() string
	Respond(ctx context.Context, history []chat.Message) func(yield func(string, error) bool)
}

func chatOptions() []chat.Option {
	return []chat.Option{
		chat.Placeholder("Ask about sheen, or type / for commands"),
		chat.Fill(),
		chat.Greeting(greeting),
	}
}

// NewApp builds the example app around a responder.
func NewApp(r Responder, opts ...sheen.Option) *sheen.App {
	page := sheen.Page("sheen chat",
		sheen.El("div", sheen.Class("example-chat"),
			sheen.El("header", sheen.Class("example-chat-header"),
				sheen.Heading(1, "sheen chat"),
				sheen.El("span", sheen.Class("example-chat-model"), sheen.Text(r.Name())),
			),
			chat.UI("chat", chatOptions()...),
		),
	).With(sheen.Head(sheen.El("style", sheen.TrustedHTML(pageCSS))))
	return sheen.New(page, func(s *sheen.Session) { Server(s, r) }, opts...)
}

// Server binds the chat for one session.
func Server(s *sheen.Session, r Responder) {
	c := chat.New(s, "chat", chatOptions()...)
	c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
		st := c.AppendMessageStream(ctx, r.Respond(ctx, c.Messages()))
		_, err := st.Wait(ctx)
		if errors.Is(err, chat.ErrStopped) || errors.Is(err, context.Canceled) {
			return nil
		}
		return err
	})
	_ = c.SlashCommand("clear", "Clear the conversation", func(ctx context.Context, args string) error {
		c.ClearMessages(true)
		return nil
	}, chat.Echo(false))
	_ = c.SlashCommand("help", "What this chat can do", func(ctx context.Context, args string) error {
		return c.AppendMessage(ctx, helpText)
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
