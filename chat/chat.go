package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/internal/logerr"
	"github.com/sheenhq/sheen/internal/markdown"
	"github.com/sheenhq/sheen/reactive"
)

// Role says who wrote a message.
type Role string

// Roles.
const (
	User      Role = "user"
	Assistant Role = "assistant"
	System    Role = "system" // kept in the transcript, never shown
)

// ContentType says how a message's content is shown.
type ContentType string

// Content types.
const (
	Markdown ContentType = "markdown" // rendered on the server and sanitized
	HTMLType ContentType = "html"     // trusted HTML written by the app author
	TextType ContentType = "text"     // shown literally
	Thinking ContentType = "thinking" // the model's reasoning, in a collapsible panel
)

// HTML is trusted HTML written by the app author; it is shown as is. Never
// put model output or user text in it: use a plain string (markdown, which is
// sanitized) or [Text].
type HTML string

// Text is content shown literally (no markdown, no HTML).
type Text string

// Status is the state a message ended in.
type Status string

// Message states.
const (
	Done    Status = ""
	Stopped Status = "stopped" // the user stopped it
	Failed  Status = "error"   // the stream failed; Error says why
)

// Attachment is a file sent with a user message.
type Attachment struct {
	Name string `json:"name"`
	MIME string `json:"mime"`
	Data []byte `json:"data,omitempty"`
	URL  string `json:"url,omitempty"`
}

// Message is one message of the transcript.
type Message struct {
	ID          string
	Role        Role
	Content     string
	ContentType ContentType
	// Thinking is the model's reasoning shown above the answer (markdown).
	Thinking    string
	Icon        HTML
	Attachments []Attachment
	Status      Status
	Error       string // why the message failed, as shown to the user
	// Command is the slash command a user message started with.
	Command string
}

// Input is one submission from the user.
type Input struct {
	Text        string
	Attachments []Attachment
	// Seq counts submissions (1, 2, …): two identical texts are two inputs.
	Seq int
}

// ErrorMode says how errors of a response are shown.
type ErrorMode int

// Error modes.
const (
	// ErrorAuto shows the real message in development mode and a sanitized
	// one otherwise (the default).
	ErrorAuto ErrorMode = iota
	ErrorActual
	ErrorSanitize
	// ErrorUnhandled ends the session, like an unhandled error in Shiny.
	ErrorUnhandled
)

// Chat is a chat bound to a session. Its methods are safe to call from any
// goroutine.
type Chat struct {
	s   *sheen.Session
	g   *reactive.Graph
	id  string
	cfg config
	md  *markdown.Renderer
	log *zap.Logger

	// Turn-owned.
	msgs      *reactive.Value[[]Message]
	input     *reactive.Value[Input]
	busyV     *reactive.Value[bool]
	nextID    int
	submits   int
	handlers  []func(context.Context, Input) error
	greeting  *greetingState
	greetReq  []func(context.Context)
	greetDism []func()
	commands  []*command
	ready     bool
	running   int // handler goroutines running
	respCtx   context.Context
	respStop  context.CancelFunc
	respFn    func(context.Context) error            // the current (or last) response
	retries   map[string]func(context.Context) error // failed message id → the response to run again
	epoch     int                                    // incremented by ClearMessages: older streams stop showing

	tok tokenState // token counts, budgets and the context meter (budget.go)

	// The queue of appends and streams, guarded by mu.
	mu      sync.Mutex
	queue   []*op
	working bool
	current *op
	ctxs    []*StreamContext
}

type greetingState struct {
	html       string
	persistent bool
	dismissed  bool
}

// New binds the chat with the given element id (placed in the page with
// [UI]) to the session. Options given to UI that concern the transcript
// (Messages, Greeting) should be given here too: the server owns the
// transcript and sends it to the page.
func New(s *sheen.Session, id string, opts ...Option) *Chat {
	cfg := defaults()
	for _, o := range opts {
		o(&cfg)
	}
	c := &Chat{s: s, g: s.Graph(), id: id, cfg: cfg, md: renderer, log: s.Logger().With(zap.String("chat", id))}
	c.g.Do(func() {
		c.msgs = reactive.NewValueFunc[[]Message](c.g, nil, nil)
		c.input = reactive.NewValueFunc(c.g, Input{}, nil)
		c.input.Unset()
		c.busyV = reactive.NewValue(c.g, false)
		var initial []Message
		for _, m := range cfg.messages {
			initial = append(initial, c.normalize(m, Assistant))
		}
		c.msgs.Set(initial)
		if cfg.greeting != nil {
			c.greeting = &greetingState{html: c.renderContent(*cfg.greeting), persistent: cfg.greetingPersistent}
		}
		c.sendReset()
		c.sendCommands()
		c.meterChanged()
	})
	s.OnEvent(id, c.event)
	s.OnEnded(func() { c.stopResponse() })
	return c
}

// ID returns the chat's element id.
func (c *Chat) ID() string { return c.id }

// Session returns the chat's session.
func (c *Chat) Session() *sheen.Session { return c.s }

// Messages returns the transcript (system messages included) and, in reactive
// code, makes the reader depend on it. It is up to date as soon as an append
// returns; a streamed message is added when its stream ends. The slice must
// not be modified.
func (c *Chat) Messages() []Message {
	var out []Message
	c.g.Do(func() { out = c.msgs.Get() })
	return slices.Clip(out)
}

// UserInput returns the latest submission and, in reactive code, makes the
// reader depend on it (every submission invalidates it, even the same text).
// Before the first submission it stops the reader silently.
func (c *Chat) UserInput() Input {
	var in Input
	c.g.Do(func() { in = c.input.Get() })
	return in
}

// Busy reports (reactively) whether a response is running.
func (c *Chat) Busy() bool {
	var b bool
	c.g.Do(func() { b = c.busyV.Get() })
	return b
}

// OnUserSubmit registers fn to run for every submission, off the session's
// goroutine (the page stays responsive). Handlers run one after another in
// registration order. Their ctx is cancelled by the stop button or Escape, by
// ClearMessages and by the end of the session. An error is shown according to
// the chat's error mode. The input unlocks when every handler has returned and
// every message they started has been sent.
func (c *Chat) OnUserSubmit(fn func(ctx context.Context, in Input) error) {
	c.g.Do(func() { c.handlers = append(c.handlers, fn) })
}

// event handles the page's events for this chat. Turn.
func (c *Chat) event(name string, data json.RawMessage) {
	switch name {
	case "submit":
		var in struct {
			Text        string       `json:"text"`
			Attachments []Attachment `json:"attachments"`
		}
		if err := json.Unmarshal(data, &in); err != nil || strings.TrimSpace(in.Text) == "" && len(in.Attachments) == 0 {
			c.log.Warn("chat: bad submit event", zap.Error(err))
			c.sendBusy(c.busyV.Peek()) // the page waits for an answer to its submit
			return
		}
		kept, refused := c.cfg.acceptAttachments(in.Attachments)
		if len(refused) > 0 {
			shown := refused[:min(len(refused), 5)] // a hostile page may send thousands
			more := ""
			if n := len(refused) - len(shown); n > 0 {
				more = fmt.Sprintf("; and %d more", n)
			}
			c.log.Warn("chat: attachments refused", zap.Int("count", len(refused)), zap.Strings("first", shown))
			c.s.Notify(sheen.LevelWarning, fmt.Sprintf("%d attachment(s) not accepted: %s%s", len(refused), strings.Join(shown, "; "), more))
			if strings.TrimSpace(in.Text) == "" && len(kept) == 0 {
				c.sendBusy(c.busyV.Peek()) // nothing left to run: unlock the page
				return
			}
		}
		c.submit(Input{Text: in.Text, Attachments: kept})
	case "stop":
		c.stopResponse()
	case "ready":
		c.ready = true
		c.maybeRequestGreeting()
	case "retry":
		var r struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(data, &r)
		c.retry(r.ID)
	default:
		c.log.Warn("chat: unknown event", zap.String("name", name))
	}
}

// submit records a submission and starts the handlers. Turn.
func (c *Chat) submit(in Input) {
	if c.running > 0 || c.queueBusy() {
		// The page locks its input while a response runs and queues
		// server-driven submits, so this is a page out of step.
		c.log.Info("chat: submit while a response is running; ignored")
		return
	}
	if c.runCommand(in) {
		return
	}
	c.submits++
	in.Seq = c.submits
	c.appendNow(Message{Role: User, Content: in.Text, ContentType: TextType, Attachments: in.Attachments}, false)
	c.input.Set(in)
	c.startResponse(func(ctx context.Context) error {
		for _, h := range c.handlersSnapshot() {
			if err := h(ctx, in); err != nil {
				return err
			}
		}
		return nil
	})
}

func (c *Chat) handlersSnapshot() []func(context.Context, Input) error {
	var hs []func(context.Context, Input) error
	c.g.Do(func() { hs = slices.Clone(c.handlers) })
	return hs
}

// startResponse runs fn off the session goroutine as the current response.
// Turn.
func (c *Chat) startResponse(fn func(ctx context.Context) error) {
	ctx, cancel := context.WithCancel(c.s.Context())
	c.respCtx, c.respStop, c.respFn = ctx, cancel, fn
	c.running++
	c.setBusy()
	go func() {
		err := callHandler(fn, ctx)
		c.g.Do(func() {
			c.running--
			if err != nil && !errors.Is(err, context.Canceled) {
				c.handlerError(err)
			}
			c.setBusy()
		})
	}()
}

func callHandler(fn func(context.Context) error, ctx context.Context) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = reactive.AsError(p)
		}
	}()
	return fn(ctx)
}

// handlerError shows a handler's error. Turn.
func (c *Chat) handlerError(err error) {
	logerr.Log(c.log, "chat: a submit handler", err)
	if c.cfg.errorMode == ErrorUnhandled {
		c.s.Close()
		return
	}
	var se *StreamError
	if errors.As(err, &se) {
		return // the stream already showed its failure inline and notified
	}
	msg := c.userMessage(err)
	c.s.Notify(sheen.LevelError, msg)
	id := c.newID()
	c.setRetry(id, c.respFn)
	c.appendNow(Message{ID: id, Role: Assistant, ContentType: Markdown, Status: Failed, Error: msg}, false)
}

// setRetry makes the failed message id's Retry button run fn again. Turn.
func (c *Chat) setRetry(id string, fn func(context.Context) error) {
	if fn == nil {
		return
	}
	if c.retries == nil {
		c.retries = map[string]func(context.Context) error{}
	}
	c.retries[id] = fn
}

// userMessage is what the user sees for err under the chat's error mode.
func (c *Chat) userMessage(err error) string {
	var safe *sheen.SafeError
	switch {
	case c.cfg.errorMode == ErrorActual:
		return err.Error()
	case errors.As(err, &safe):
		return safe.Message
	case c.cfg.errorMode == ErrorAuto && c.s.Development():
		return err.Error()
	}
	return "The assistant could not answer. The details are in the server log."
}

// stopResponse cancels the running response and every stream. Any goroutine.
// The streams go first, so that a stream whose iterator ends because the
// handler's context ended is already marked stopped rather than done.
func (c *Chat) stopResponse() {
	c.mu.Lock()
	ops := append([]*op(nil), c.queue...)
	cur := c.current
	c.mu.Unlock()
	if cur != nil {
		cur.cancel()
	}
	for _, o := range ops {
		o.cancel()
	}
	c.g.Do(func() {
		if c.respStop != nil {
			c.respStop()
		}
	})
}

// setBusy recomputes the busy state and tells the page when it changes. Turn.
func (c *Chat) setBusy() {
	busy := c.running > 0 || c.queueBusy()
	if c.busyV.Set(busy) {
		c.sendBusy(busy)
		c.meterChanged()
	}
}

// sendBusy tells the page whether a response runs; false also ends its wait
// for an answer to a submit.
func (c *Chat) sendBusy(busy bool) { c.send("busy", map[string]bool{"busy": busy}) }

func (c *Chat) queueBusy() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.working || len(c.queue) > 0
}

// retry runs again the response that made the failed message id: the
// handlers with the same input, or the same slash command. Turn.
func (c *Chat) retry(id string) {
	fn := c.retries[id]
	if fn == nil || c.running > 0 || c.queueBusy() {
		return
	}
	c.startResponse(fn)
}

func (c *Chat) newID() string {
	c.nextID++
	return c.id + "-m" + strconv.Itoa(c.nextID)
}

func (c *Chat) send(name string, data any) {
	if err := c.s.Send(c.id, name, data); err != nil {
		c.log.Error("chat: message does not encode", zap.String("name", name), zap.Error(err))
	}
}

// wireMsg is a message as the page receives it.
type wireMsg struct {
	ID        string `json:"id"`
	Role      Role   `json:"role"`
	Kind      string `json:"kind"`
	HTML      string `json:"html"`
	Thinking  string `json:"thinking,omitempty"`
	Icon      string `json:"icon,omitempty"`
	Status    Status `json:"status,omitempty"`
	Error     string `json:"error,omitempty"`
	Retry     bool   `json:"retry,omitempty"`
	Streaming bool   `json:"streaming,omitempty"`
	Command   string `json:"command,omitempty"`
}

func (c *Chat) wire(m Message) wireMsg {
	w := wireMsg{ID: m.ID, Role: m.Role, Kind: string(m.ContentType), Icon: string(m.Icon), Status: m.Status, Error: m.Error, Command: m.Command}
	switch m.ContentType {
	case HTMLType:
		w.HTML = m.Content
	case TextType:
		w.HTML = html.EscapeString(m.Content)
	case Thinking:
		w.Kind = string(Markdown)
		w.Thinking = c.md.RenderString(m.Content)
	default:
		w.Kind = string(Markdown)
		w.HTML = c.md.RenderString(m.Content)
	}
	if m.Thinking != "" {
		w.Thinking = c.md.RenderString(m.Thinking)
	}
	if m.Status == Failed {
		w.Retry = m.Role == Assistant && c.retries[m.ID] != nil
	}
	return w
}

func (c *Chat) renderContent(content any) string {
	switch v := content.(type) {
	case HTML:
		return string(v)
	case Text:
		return "<p>" + strings.ReplaceAll(html.EscapeString(string(v)), "\n", "<br>") + "</p>"
	case string:
		return c.md.RenderString(v)
	case fmt.Stringer:
		return c.md.RenderString(v.String())
	}
	return ""
}

// normalize turns what AppendMessage accepts into a Message with an id.
// Turn.
func (c *Chat) normalize(content any, role Role) Message {
	m := c.normalizeNoID(content, role)
	if m.ID == "" {
		m.ID = c.newID()
	}
	return m
}

func (c *Chat) normalizeNoID(content any, role Role) Message {
	var m Message
	switch v := content.(type) {
	case Message:
		m = v
	case *Message:
		m = *v
	case HTML:
		m = Message{Content: string(v), ContentType: HTMLType}
	case Text:
		m = Message{Content: string(v), ContentType: TextType}
	case string:
		m = Message{Content: v, ContentType: Markdown}
	case fmt.Stringer:
		m = Message{Content: v.String(), ContentType: Markdown}
	default:
		m = Message{Content: fmt.Sprint(v), ContentType: TextType}
	}
	if m.Role == "" {
		m.Role = role
	}
	if m.ContentType == "" {
		m.ContentType = Markdown
	}
	if m.Icon == "" && m.Role == Assistant {
		m.Icon = c.cfg.icon
	}
	return m
}

// appendNow adds m to the transcript and, unless the page already shows it
// (a user submit from the page), to the page. Turn.
func (c *Chat) appendNow(m Message, show bool) {
	if m.ID == "" {
		m.ID = c.newID()
	}
	// Appending in place is safe: every slice handed out is clipped, so
	// nobody sees the element written past its end; and it keeps an append
	// O(1) on a long transcript instead of a copy of it.
	c.msgs.Set(append(c.msgs.Peek(), m))
	if m.Role == System {
		return // never shown, so it dismisses no greeting
	}
	c.dismissGreeting()
	if m.Role != User || show {
		c.send("append", map[string]wireMsg{"message": c.wire(m)})
	}
}

// sendReset sends the whole transcript to the page. Turn.
func (c *Chat) sendReset() {
	var shown []wireMsg
	for _, m := range c.msgs.Peek() {
		if m.Role != System {
			shown = append(shown, c.wire(m))
		}
	}
	if shown == nil {
		shown = []wireMsg{}
	}
	c.send("reset", map[string]any{"messages": shown, "greeting": c.greetingWire()})
}

// ClearMessages cancels the running response, empties the transcript and the
// page. With greeting, the greeting is shown again (and requested again if
// the chat has none).
func (c *Chat) ClearMessages(greeting bool) {
	c.stopResponse()
	c.g.Do(func() {
		c.msgs.Set(nil)
		c.epoch++
		clear(c.retries)
		if greeting && c.greeting != nil {
			c.greeting.dismissed = false
		}
		if !greeting {
			c.greeting = nil
		}
		c.sendReset()
		c.meterChanged()
		if greeting {
			c.maybeRequestGreeting()
		}
	})
}

// AppendMessage appends a message: a plain string is markdown, [HTML] is
// trusted HTML, [Text] is shown literally, and a [Message] sets everything
// (the role defaults to assistant). If a stream (or a stream context) is
// running, the message waits for it, in order. Called from reactive code it
// never waits; elsewhere it returns once the message is in the transcript, or
// when ctx is done.
func (c *Chat) AppendMessage(ctx context.Context, content any) error {
	o := &op{kind: opAppend, content: content, done: make(chan struct{})}
	return c.enqueue(ctx, o, true)
}

// Footer, meter and other page-level updates.

// SetTokenMeter shows "used / budget" tokens in the chat's footer; a zero
// budget hides it.
func (c *Chat) SetTokenMeter(used, budget int) {
	c.g.Do(func() { c.send("meter", map[string]int{"used": used, "budget": budget}) })
}
