package chat

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/internal/markdown"
)

// renderer renders every chat's markdown; it is immutable and safe for
// concurrent use, so one serves the whole process.
var renderer = markdown.New()

// Option configures a chat. [UI] uses the options about the page (size,
// placeholder, icon, submit key, footer, cancel, and the first-paint
// messages and greeting); [New] uses the options about behaviour and the
// transcript. Passing the same options to both is the simplest.
type Option func(*config)

type config struct {
	placeholder        string
	width, height      string
	fill               bool
	icon               HTML
	submitModifier     bool
	footer             HTML
	cancel             bool
	messages           []any
	greeting           *any
	greetingPersistent bool
	errorMode          ErrorMode
	coalesce           time.Duration
	tokens             tokenConfig // budget.go
	attachTypes        []string    // nil: no attachments (attach.go)
	attachMax          int64
	attachFile         int64
	attachCount        int
	attachOriginal     bool
	history            *History // history.go
	sidebar            bool
	actionsOff         map[ActionKind]bool // actions.go
	userName           string              // people.go
	userIcon           HTML
	assistantName      string
	times              bool
	timeLocale         string
	pendingText        string // display.go
	pendingDelay       time.Duration
	hideSend           bool
	keepInput          bool
	followPx, jumpPx   int
	header             HTML
	classes            []string
	attrs              [][2]string
	metrics            bool // metrics.go
}

func defaults() config {
	return config{placeholder: "Enter a message…", cancel: true, sidebar: true, coalesce: 30 * time.Millisecond, attachMax: DefaultMaxAttachmentBytes,
		followPx: -1, jumpPx: -1}
}

// Placeholder sets the input's placeholder.
func Placeholder(s string) Option { return func(c *config) { c.placeholder = s } }

// Size sets the chat's CSS width and height (e.g. "100%", "600px"); either
// may be "" for the default. The width holds inside a [sheen.Row] too (the
// chat neither grows nor takes the row's basis; it may shrink on a narrow
// screen).
func Size(width, height string) Option {
	return func(c *config) { c.width, c.height = width, height }
}

// Fill makes the chat fill its container's height: the window in a plain
// [sheen.Page] or a page's main area.
func Fill() Option { return func(c *config) { c.fill = true } }

// AssistantIcon sets the icon shown beside assistant messages (trusted HTML,
// e.g. an <svg> or <img>).
func AssistantIcon(h HTML) Option { return func(c *config) { c.icon = h } }

// SubmitWithModifier makes Ctrl+Enter (Cmd+Enter on macOS) submit, and Enter
// insert a newline. By default Enter submits and Shift+Enter is a newline.
func SubmitWithModifier() Option { return func(c *config) { c.submitModifier = true } }

// Footer sets trusted HTML shown under the input.
func Footer(h HTML) Option { return func(c *config) { c.footer = h } }

// Cancel enables or disables the stop button (enabled by default).
func Cancel(on bool) Option { return func(c *config) { c.cancel = on } }

// Messages sets the messages the chat starts with. Each is what
// [Chat.AppendMessage] accepts (a plain string is an assistant message in
// markdown).
func Messages(msgs ...any) Option {
	return func(c *config) { c.messages = append(c.messages, msgs...) }
}

// Greeting sets a greeting shown while the chat has no message: a plain
// string is markdown, [HTML] is trusted HTML. It is dismissed by the first
// message unless [PersistentGreeting] is set.
func Greeting(content any) Option { return func(c *config) { c.greeting = &content } }

// PersistentGreeting keeps the greeting above the messages.
func PersistentGreeting() Option { return func(c *config) { c.greetingPersistent = true } }

// OnError sets how errors of a response are shown (default [ErrorAuto]).
func OnError(m ErrorMode) Option { return func(c *config) { c.errorMode = m } }

// Coalesce sets the longest time streamed chunks are held back to be sent
// together (default 30 ms: at most about 33 frames a second per stream).
func Coalesce(d time.Duration) Option { return func(c *config) { c.coalesce = max(d, 0) } }

// UI places a chat in a page. Bind it in the server function with [New]
// and the same id.
func UI(id string, opts ...Option) sheen.Node {
	cfg := defaults()
	for _, o := range opts {
		o(&cfg)
	}
	key := "enter"
	if cfg.submitModifier {
		key = "enter+modifier"
	}
	attrs := []sheen.Node{
		sheen.Class("sheen-chat"),
		sheen.Attr("data-placeholder", cfg.placeholder),
		sheen.Attr("data-submit-key", key),
		sheen.Attr("data-cancel", strconv.FormatBool(cfg.cancel)),
		sheen.Attr("data-assistant-icon", string(cfg.icon)),
	}
	if cfg.fill {
		attrs = append(attrs, sheen.Attr("data-fill", ""))
	}
	attrs = append(attrs, cfg.displayAttrs()...)
	if cfg.times {
		attrs = append(attrs, sheen.Attr("data-times", cfg.timeLocale))
	}
	if cfg.userName != "" || cfg.userIcon != "" {
		attrs = append(attrs, sheen.Attr("data-user-name", cfg.userName), sheen.Attr("data-user-icon", string(cfg.userIcon)))
	}
	if cfg.history != nil && cfg.sidebar {
		attrs = append(attrs, sheen.Attr("data-history", ""))
	}
	if cfg.metrics {
		attrs = append(attrs, sheen.Attr("data-metrics", ""))
	}
	var style []string
	if cfg.width != "" {
		style = append(style, "width:"+cssValue(cfg.width))
		attrs = append(attrs, sheen.Attr("data-width", "")) // chat.css: the width holds in a Row
	}
	if cfg.height != "" {
		style = append(style, "height:"+cssValue(cfg.height))
	}
	if len(style) > 0 {
		attrs = append(attrs, sheen.Attr("style", strings.Join(style, ";")))
	}
	// First paint: what the server will send anyway, so the page is not empty
	// before the socket connects.
	c := &Chat{cfg: cfg, md: renderer, id: id}
	var first []wireMsg
	for i, m := range cfg.messages {
		msg := c.normalizeStatic(m, i)
		if msg.Role != System {
			first = append(first, wireOf(msg, render(msg), false))
		}
	}
	initial := map[string]any{"messages": first, "footer": string(cfg.footer), "header": string(cfg.header)}
	if cfg.greeting != nil {
		initial["greeting"] = map[string]any{"html": c.renderContent(*cfg.greeting), "persistent": cfg.greetingPersistent}
	}
	raw, _ := json.Marshal(initial)
	script := strings.ReplaceAll(string(raw), "</", `<\/`)
	attrs = append(attrs, sheen.El("script", sheen.Attr("type", "application/json"), sheen.Class("sheen-chat-initial"), sheen.TrustedHTML(script)))
	return sheen.Component("chat", id, attrs...)
}

// cssValue keeps a CSS length free of anything that could end the
// declaration.
func cssValue(v string) string {
	return strings.Map(func(r rune) rune {
		if r == ';' || r == '"' || r == '<' || r == '>' || r == '{' || r == '}' {
			return -1
		}
		return r
	}, v)
}

// normalizeStatic is normalize for the page (no session): ids are positional.
func (c *Chat) normalizeStatic(content any, i int) Message {
	m := c.normalizeNoID(content, Assistant)
	if m.ID == "" {
		m.ID = c.id + "-init" + strconv.Itoa(i)
	}
	return m
}
