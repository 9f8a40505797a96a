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
	"github.com/sheenhq/sheen/store/sqlite"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8000", "address to serve on")
	dev := flag.Bool("dev", false, "show real error messages to users")
	db := flag.String("db", envOr("SHEEN_CHAT_DB", "sheen-chat.db"), "the SQLite file conversations are kept in (env SHEEN_CHAT_DB); \"\" keeps none; unused with -redis")
	redisAddr := flag.String("redis", os.Getenv("SHEEN_REDIS"), "keep conversations in the Redis at this address, host:port or a redis:// URL (env SHEEN_REDIS), shared by every instance, instead of SQLite; needs -cookie-key-file")
	keyFile := flag.String("cookie-key-file", os.Getenv("SHEEN_COOKIE_KEY_FILE"), "the file holding the key that signs users' cookies (env SHEEN_COOKIE_KEY_FILE); default: the -db file's name + \".key\", created when missing; with -redis required, must exist, the same file for every instance")
	liveTimeout := flag.Duration("live-timeout", 10*time.Second, "with -redis: how long a reply another instance streams may go unheard of before it is shown as interrupted (its instance died)")
	instance := flag.String("instance", envOr("SHEEN_INSTANCE", defaultInstance()), "this instance's name in the logs (env SHEEN_INSTANCE); default: host name and pid")
	hosts := flag.String("hosts", os.Getenv("SHEEN_HOSTS"), "host names browsers reach the app by, comma-separated patterns such as chat.example.com (env SHEEN_HOSTS); needed when the app listens on a loopback address behind a proxy that passes another Host")
	origins := flag.String("origins", os.Getenv("SHEEN_ORIGINS"), "other origins allowed to open the WebSocket, comma-separated host patterns (env SHEEN_ORIGINS); same-origin needs none")
	proxies := flag.String("proxies", os.Getenv("SHEEN_PROXIES"), "addresses or CIDR prefixes of the proxies in front (env SHEEN_PROXIES), e.g. 127.0.0.1: their X-Forwarded-For's last hop is the client for the per-address limits")
	delay := flag.Duration("offline-delay", 12*time.Millisecond, "the offline responder's delay between words")
	drain := flag.Duration("drain", 10*time.Second, "on SIGTERM, how long running replies may go on before they are saved as interrupted")
	flag.Usage = usage
	flag.Parse()

	log.SetFlags(log.LstdFlags | log.Lmsgprefix)
	log.SetPrefix("[" + *instance + "] ")
	zl := newLogger(*instance)
	defer func() { _ = zl.Sync() }()

	var r Backend = Offline{Delay: *delay}
	cfg, ok, err := ConfigFromEnv(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	acfg, aok, err := AnthropicFromEnv(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	switch {
	case ok:
		if cfg.Model == "" {
			cfg.Model = pickModel(cfg)
		}
		r = NewOpenAI(cfg)
	case aok:
		r = NewAnthropic(acfg)
	}
	opts := []sheen.Option{sheen.WithDevelopment(*dev), sheen.WithLogger(zl)}
	popts, err := proxyOptions(*hosts, *origins, *proxies)
	if err != nil {
		log.Fatal(err)
	}
	opts = append(opts, popts...)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var h *chat.History
	where := "no history"
	switch {
	case *redisAddr != "":
		// Every instance: the same Redis, the same cookie key.
		key, err := readCookieKey(*keyFile)
		if err != nil {
			log.Fatal(err)
		}
		rb, err := openRedis(ctx, *redisAddr, zl)
		if err != nil {
			log.Fatal(err)
		}
		defer rb.Close()
		h = chat.NewHistory(rb.st, append(rb.historyOptions(*instance), chat.HistoryLogger(zl), chat.LiveTimeout(*liveTimeout))...)
		opts = append(opts, sheen.WithCookieKey(key), h.PageCheck())
		where = "conversations and live replies shared in Redis at " + rb.addr
	case *db != "":
		st, err := sqlite.Open(*db)
		if err != nil {
			log.Fatal(err)
		}
		defer st.Close()
		h = chat.NewHistory(st, chat.HistoryLogger(zl))
		// Who is who: an anonymous cookie signed with a key kept beside the
		// database, so that users keep their conversations across restarts.
		kf := *keyFile
		if kf == "" {
			kf = *db + ".key"
		}
		opts = append(opts, sheen.WithCookieKeyFile(kf), h.PageCheck())
		where = "conversations in " + *db
	}
	app := NewApp(r, h, opts...)
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		log.Print("stopping: draining replies")
		if h != nil {
			// Replies may finish for a while; then they are saved as
			// interrupted, and the next start offers Retry.
			drainCtx, cancel := context.WithTimeout(context.Background(), *drain)
			if err := h.Shutdown(drainCtx); err != nil {
				log.Print(err)
			}
			cancel()
		}
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = app.Shutdown(shutdown)
	}()
	log.Printf("sheen chat example (%s; %s): open http://%s/", r.Name(), where, *addr)
	if err := app.ListenAndServe(*addr); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
	<-done
	log.Print("stopped")
}

func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// Backend is what answers: the offline Responder, or a Model.
type Backend interface {
	Name() string // for people: what answers, and where
}

// Responder answers a conversation with a stream of markdown chunks.
type Responder interface {
	Backend
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

or, for Anthropic's API (when no OPENAI_* is set):

  ANTHROPIC_API_KEY   its key
  ANTHROPIC_MODEL     the model (default: %s)
  ANTHROPIC_THINKING  a budget of tokens for extended thinking (default: off)

SHEEN_TOOLS=1 gives the model a tool, get_time (the time in a time zone),
shown as a card.

To run several instances behind nginx with Redis (-redis, -cookie-key-file,
-hosts, -proxies, -instance), see docs/deployment.md; make cluster tries it.

Flags:
`, DefaultModel, DefaultAnthropicModel)
	flag.PrintDefaults()
}

func chatOptions(r Backend, h *chat.History) []chat.Option {
	opts := []chat.Option{
		chat.Placeholder("Ask about sheen, or type / for commands"),
		chat.Fill(),
		chat.ShowMetrics(), // time to first token, tokens, speed under each reply
		chat.Greeting(greeting),
		chat.AllowAttachments(), // images, PDFs and text: the attach button, paste and drop
	}
	if m, ok := r.(Model); ok {
		opts = append(opts[:3],
			chat.AllowAttachments(),
			chat.Greeting(modelGreeting(m)),
			chat.Messages(chat.Message{Role: chat.System, Content: systemPrompt}),
			chat.TokenBudget(m.Budget()), // the context meter
		)
	}
	if h != nil {
		opts = append(opts, chat.WithHistory(h))
	}
	return opts
}

// NewApp builds the example app around a responder; with a history (nil:
// none) conversations are kept and listed in a sidebar.
func NewApp(r Backend, h *chat.History, opts ...sheen.Option) *sheen.App {
	page := sheen.Page("sheen chat",
		sheen.El("div", sheen.Class("example-chat"),
			sheen.El("header", sheen.Class("example-chat-header"),
				sheen.Heading(1, "sheen chat"),
				sheen.TextOutput("model", sheen.Inline(), sheen.Class("example-chat-model")), // follows /model
			),
			sheen.El("main", sheen.Class("example-chat-main"), chat.UI("chat", chatOptions(r, h)...)),
		),
	).With(sheen.Head(sheen.El("style", sheen.TrustedHTML(pageCSS))))
	return sheen.New(page, func(s *sheen.Session) { Server(s, r, h) }, opts...)
}

// Server binds the chat for one session.
func Server(s *sheen.Session, r Backend, h *chat.History) {
	c := chat.New(s, "chat", chatOptions(r, h)...)
	cv := &conversation{c: c, kept: h != nil, r: r, name: reactive.NewValue(s.Graph(), r.Name())}
	s.Output("model", sheen.RenderText(func() (string, error) { return cv.name.Get(), nil }))
	if m, ok := r.(Model); ok {
		// A model answers: chat.Respond does the history, the budget,
		// streaming, stop, errors, tools and metrics.
		cv.resp = chat.Respond(c, m.LLM(), respondOptions(m)...)
	} else {
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			if _, ok := r.(Offline); ok && isPlot(in.Text) {
				return plotReply(ctx, c, in.Text) // live UI in the message (plot.go)
			}
			var st *chat.Stream
			if city, ok := weatherQuestion(in.Text); ok {
				st = weatherDemo(ctx, c, city, offlineDelay(r))
			} else {
				st = c.AppendMessageStream(ctx, r.(Responder).Respond(ctx, cv.history()))
			}
			_, err := st.Wait(ctx)
			if errors.Is(err, chat.ErrStopped) || errors.Is(err, context.Canceled) {
				return nil
			}
			return err
		})
	}
	// Copy, regenerate, edit, delete, undo and clear are on by default;
	// the thumbs show once feedback has somewhere to go: here, the log.
	c.OnFeedback(func(ctx context.Context, e chat.FeedbackEvent) error {
		log.Printf("feedback on %s: %q %q", e.Message.ID, e.Feedback.Rating, e.Feedback.Comment)
		return nil
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

Ask <span class="suggestion" data-suggestion="What is the weather in Paris?">about the weather</span> to see a tool call shown as a card.
`

const helpText = "### Commands\n\n- `/help`: this list\n- `/clear`: start over\n\nEverything else goes to the responder. Markdown, code, tables and thinking all stream as they are written; \"plot …\" (bars, points, with a table) answers with a live chart; ask about the weather for a tool call, shown as a card."

const pageCSS = `
html, body { height: 100%; margin: 0; }
.example-chat { display: flex; flex-direction: column; height: 100vh; height: 100dvh; max-width: 1180px; margin: 0 auto; padding: 0 16px; box-sizing: border-box; }
.example-chat-header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 2px 12px; padding: 14px 4px 6px; }
.example-chat-header h1 { font-size: 1.15rem; margin: 0; white-space: nowrap; }
@media (max-width: 600px) { .example-chat { padding: 0 8px; } .example-chat-header { padding: 8px 4px 6px; } }
.example-chat-model { font-size: .8rem; opacity: .65; }
.example-chat-main { flex: 1; min-height: 0; display: flex; flex-direction: column; }
.example-chat .sheen-chat { flex: 1; min-height: 0; }
`
