package chat

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
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
	// Interrupted: the server stopped (shut down, or died) before the reply
	// finished. Saved conversations show it with a Retry button.
	Interrupted Status = "interrupted"
)

// Attachment is a file sent with a user message.
type Attachment struct {
	Name string `json:"name"`
	MIME string `json:"mime"`
	Data []byte `json:"data,omitempty"`
	URL  string `json:"url,omitempty"`
	// Size is the file's size in bytes: len(Data), or what was saved of a
	// file whose bytes the store does not keep.
	Size int64 `json:"-"`

	thumb string // an image's thumbnail, a data: URL (attach.go)
	file  string // the key of its bytes in the store (persist.go)
}

// Message is one message of the transcript.
type Message struct {
	ID          string
	Role        Role
	Content     string
	ContentType ContentType
	// Thinking is the model's reasoning shown above the answer (markdown).
	Thinking string
	// Icon is the message's avatar, beside it (trusted HTML: see
	// [AvatarImage]); empty for the chat's default for its role.
	Icon HTML
	// Author is the name shown above the message (a user's, an agent's);
	// empty for the chat's default for its role ([UserName],
	// [AssistantName]).
	Author string
	// Time is when the message was written; set when it is appended if
	// zero. Shown with [Timestamps].
	Time time.Time
	// Transformed is the message's transformed form, "" if none (see
	// [Chat.TransformUserInput] and [Chat.TransformAssistantResponse]): for
	// a user message what the handlers and the model get, for an assistant
	// message what the page shows.
	Transformed string
	Attachments []Attachment
	Status      Status
	Error       string // why the message failed, as shown to the user
	// Command is the slash command a user message started with.
	Command string
	// ToolCalls are the tools an assistant message called, shown as cards
	// (toolcall.go).
	ToolCalls []ToolCall
	// Metrics are a streamed reply's measurements (metrics.go); nil for a
	// message that was not streamed.
	Metrics *Metrics
	// Feedback is the user's rating of an assistant message (actions.go).
	Feedback Feedback
	// UI is live UI shown below the content, in order (live_ui.go). A
	// message read back from the store has none: its parts are snapshots.
	UI []LiveUI

	ui *uiSet // the parts, built (live_ui.go)
}

// Input is one submission from the user.
type Input struct {
	Text        string
	Attachments []Attachment
	// Seq counts submissions (1, 2, …): two identical texts are two inputs.
	Seq int
	// Typed is the text as the user typed it when a user input transform
	// ([Chat.TransformUserInput]) changed it into Text; "" otherwise.
	Typed string
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

// Chat is a chat bound to a session: a view of one conversation. Its
// methods are safe to call from any goroutine.
//
// Without a [History] the conversation is the chat's own and ends with the
// session. With one ([WithHistory]) the chat shows a saved conversation
// that the user can leave and come back to, that other tabs can show at the
// same time, and whose reply goes on when the page goes away.
type Chat struct {
	s   *sheen.Session
	g   *reactive.Graph
	id  string
	cfg config
	md  *markdown.Renderer
	log *zap.Logger
	h   *History       // nil without history
	up  *sheen.Uploads // the upload endpoint, with AllowAttachments (attach.go)

	cv atomic.Pointer[conv] // the conversation shown; changed in turns

	// Turn-owned.
	ver       *reactive.Value[int] // changes whenever the shown transcript does
	switches  int                  // conversations shown so far (token state's epoch)
	input     *reactive.Value[Input]
	busyV     *reactive.Value[bool]
	handlers  []func(context.Context, Input) error
	greeting  *greetingState
	greetReq  []func(context.Context)
	greetDism []func()
	commands  []*command
	ready     bool
	cursor    string  // the history list's next page
	gone      bool    // the session ended
	opening   int     // conversations being loaded for this chat (sidebar.go)
	waiting   []Input // submissions that came while one loads: they go to it

	tok tokenState // token counts, budgets and the context meter (budget.go)

	feedbackFns []func(context.Context, FeedbackEvent) error // turn-owned (actions.go)
	actions     []Action                                     // the app's own buttons; turn-owned
	parts       []*uiPart                                    // the live UI this chat's session holds (live_ui.go)

	userTransform      func(context.Context, Input) (string, bool, error) // transform.go; turn-owned
	assistantTransform func(string) string
	inputOff           inputOff               // display.go; turn-owned
	latest             atomic.Pointer[Stream] // the latest AppendMessageStream's
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
	c := &Chat{s: s, g: s.Graph(), id: id, cfg: cfg, md: renderer, h: cfg.history, log: s.Logger().With(zap.String("chat", id))}
	c.g.Do(func() {
		c.ver = reactive.NewValue(c.g, 0)
		c.input = reactive.NewValueFunc(c.g, Input{}, nil)
		c.input.Unset()
		c.busyV = reactive.NewValue(c.g, false)
		if cfg.greeting != nil {
			c.greeting = &greetingState{html: c.renderContent(*cfg.greeting), persistent: cfg.greetingPersistent}
		}
		c.openUploads()
		c.show(c.newConv(), false)
		c.sendCommands()
		c.sendActions()
		c.sendDisplay()
		c.h.addView(c)
	})
	s.OnEvent(id, c.event)
	s.OnEnded(c.ended)
	return c
}

// newConv returns a new conversation holding the chat's starting messages.
// With a history it is saved when the first user message arrives. Turn.
func (c *Chat) newConv() *conv {
	var cv *conv
	if c.h == nil {
		cv = newConv(nil, "", "", c.id)
	} else {
		cv = newConv(c.h, newConvID(), c.s.User(), c.id)
	}
	for _, m := range c.cfg.messages {
		cv.msgs = append(cv.msgs, cv.normalize(c, m, Assistant))
	}
	return cv
}

// show makes the chat a view of cv and sends the page its transcript (and,
// if a message is streaming, that message so far, which then goes on live).
// false from attach means cv was dropped from memory meanwhile. Turn.
func (c *Chat) show(cv *conv, history bool) bool {
	shown, live, livePatch, busy, ok := cv.attach(c)
	if !ok {
		return false
	}
	c.disposeShown(cv) // live UI leaves with its message (live_ui.go)
	if old := c.cv.Swap(cv); old != nil && old != cv {
		old.detach(c)
	}
	c.switches++
	if len(shown) == 0 && live == nil && c.greeting != nil && history {
		c.greeting.dismissed = false // a new, empty conversation greets again
	}
	c.reset(shown, live, livePatch, busy)
	return true
}

// reset sends the page the transcript, and the message streaming now. Turn.
func (c *Chat) reset(shown []wireMsg, live *wireMsg, livePatch *patchWire, busy bool) {
	if len(shown) > 0 || live != nil {
		c.dismissGreeting()
	}
	c.send("reset", map[string]any{"messages": shown, "greeting": c.greetingWire()})
	if live != nil {
		c.send("start", map[string]wireMsg{"message": *live})
		c.send("patch", livePatch)
	}
	if c.busyV.Set(busy) || c.switches > 1 {
		c.sendBusy(busy) // the page learns the state of the conversation it now shows
	}
	c.changed()
}

// cur returns the conversation the chat shows.
func (c *Chat) cur() *conv { return c.cv.Load() }

// target returns the conversation that what is appended with ctx goes to:
// the one whose response ctx belongs to, else the one shown.
func (c *Chat) target(ctx context.Context) *conv {
	if r, ok := ctx.Value(respKey{}).(*respInfo); ok && r.chatID == c.id {
		return r.cv
	}
	return c.cur()
}

// post runs fn in the chat's turn if the chat still shows cv then.
func (c *Chat) post(cv *conv, fn func(v *Chat)) { c.g.Post(c.shown(cv, fn)) }

// postLater posts run, a turn's work, for a caller that runs the turns
// itself once it lets go of the conversation's lock: a turn the page's
// session needs is added to runs (see reactive.Graph.PostLater).
func (c *Chat) postLater(run func(), runs *[]func()) {
	if turn := c.g.PostLater(run); turn != nil {
		*runs = append(*runs, turn)
	}
}

// shown returns fn for c, to run in a turn of its session while c shows cv.
func (c *Chat) shown(cv *conv, fn func(v *Chat)) func() {
	return func() {
		if c.cur() == cv && !c.gone {
			fn(c)
		}
	}
}

// shownPatch is shown for sending patch p: one closure per streamed frame
// and view, where shown would wrap a second.
func (c *Chat) shownPatch(cv *conv, p *patchWire) func() {
	return func() {
		if c.cur() == cv && !c.gone {
			c.send("patch", p)
		}
	}
}

// changed records that the shown transcript changed. Turn.
func (c *Chat) changed() {
	c.ver.Set(c.ver.Peek() + 1)
	c.meterChanged()
}

// setBusy follows the conversation's busy state. Turn.
func (c *Chat) setBusy(busy bool) {
	if c.busyV.Set(busy) {
		c.sendBusy(busy)
		c.meterChanged()
	}
}

// ended runs when the session ends: a chat without history stops its
// response; with history the reply goes on without this page. Turn.
func (c *Chat) ended() {
	if c.gone {
		return // destroyed before (display.go)
	}
	c.gone = true
	cv := c.cur()
	c.disposeUI(nil)
	c.h.removeView(c)
	if c.h == nil {
		cv.stopResponse()
		return
	}
	cv.detach(c)
}

// ID returns the chat's element id.
func (c *Chat) ID() string { return c.id }

// Session returns the chat's session.
func (c *Chat) Session() *sheen.Session { return c.s }

// Messages returns the transcript (system messages included) and, in reactive
// code, makes the reader depend on it. It is up to date as soon as an append
// returns; a streamed message is added when its stream ends. The slice must
// not be modified.
//
// With transforms ([Chat.TransformUserInput],
// [Chat.TransformAssistantResponse]), opts choose each message's form: by
// default user messages are transformed (what the model should get) and
// assistant messages are as the model wrote them.
func (c *Chat) Messages(opts ...MessagesOption) []Message {
	msgs, _, _ := c.messages()
	var sel messagesSel
	for _, o := range opts {
		o(&sel)
	}
	return sel.choose(msgs)
}

// messages returns the transcript and its epoch (for the token state), and
// whether the session still runs.
func (c *Chat) messages() ([]Message, int, bool) {
	var sw int
	ran := false
	c.g.Do(func() { c.ver.Get(); sw, ran = c.switches, true })
	msgs, epoch := c.cur().snapshot()
	return msgs, sw<<32 | epoch, ran
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
// registration order. Their ctx is cancelled by the stop button or Escape
// (in any page showing the conversation), by ClearMessages, and by the end of
// the session — or, with a [History], not by the end of the session but by
// the history's reply time limit and its Shutdown. An error is shown
// according to the chat's error mode. The input unlocks when every handler
// has returned and every message they started has been sent.
func (c *Chat) OnUserSubmit(fn func(ctx context.Context, in Input) error) {
	c.g.Do(func() { c.handlers = append(c.handlers, fn) })
}

// event handles the page's events for this chat. Turn.
func (c *Chat) event(name string, data json.RawMessage) {
	if c.gone {
		c.log.Info("chat: event for a destroyed chat; ignored", zap.String("name", name))
		return
	}
	switch name {
	case "submit":
		var in struct {
			Text        string       `json:"text"`
			Attachments []Attachment `json:"attachments"`
			Files       []string     `json:"files"` // uploads, by id (attach.go)
		}
		if err := json.Unmarshal(data, &in); err != nil || strings.TrimSpace(in.Text) == "" && len(in.Attachments) == 0 && len(in.Files) == 0 {
			c.log.Warn("chat: bad submit event", zap.Error(err))
			c.sendBusy(c.busyV.Peek()) // the page waits for an answer to its submit
			return
		}
		if c.inputOff.on {
			c.log.Info("chat: submit while the input is disabled; ignored")
			c.sendBusy(c.busyV.Peek())
			return
		}
		kept, refused := c.cfg.acceptAttachments(in.Attachments)
		if len(in.Files) > 0 || len(kept) > 0 {
			// Uploads are read, and thumbnails made, off the turn.
			go func() {
				ups, more := c.takeUploads(in.Files, kept)
				all := withThumbs(append(kept, ups...))
				c.g.Post(func() { c.submitChecked(in.Text, all, append(refused, more...)) })
			}()
			return
		}
		c.submitChecked(in.Text, kept, refused)
	case "stop":
		c.cur().stopResponse()
	case "ready":
		c.ready = true
		c.readyHistory(data)
		c.maybeRequestGreeting()
	case "retry":
		var r struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(data, &r)
		c.cur().retry(c, r.ID)
	case "approve":
		c.approveEvent(data) // respond.go
	case "open", "rename", "delete", "more":
		c.historyEvent(name, data)
	case "regenerate", "edit", "remove", "undo", "clear", "alt", "feedback", "action":
		c.actionEvent(name, data) // actions.go
	default:
		c.log.Warn("chat: unknown event", zap.String("name", name))
	}
}

// submitChecked submits text and the attachments the policy kept, after
// telling the user about those it refused. Turn.
func (c *Chat) submitChecked(text string, kept []Attachment, refused []string) {
	if c.gone {
		return
	}
	if len(refused) > 0 {
		shown := refused[:min(len(refused), 5)] // a hostile page may send thousands
		more := ""
		if n := len(refused) - len(shown); n > 0 {
			more = fmt.Sprintf("; and %d more", n)
		}
		c.log.Warn("chat: attachments refused", zap.Int("count", len(refused)), zap.Strings("first", shown))
		c.s.Notify(sheen.LevelWarning, fmt.Sprintf("%d attachment(s) not accepted: %s%s", len(refused), strings.Join(shown, "; "), more))
		if strings.TrimSpace(text) == "" && len(kept) == 0 {
			c.sendBusy(c.busyV.Peek()) // nothing left to run: unlock the page
			return
		}
	}
	c.submit(Input{Text: text, Attachments: kept})
}

// submit records a submission and starts the handlers. A submission that
// comes while the page's conversation is still loading (typed right after
// the page loaded) waits for it: it belongs to that conversation. Turn.
func (c *Chat) submit(in Input) {
	if c.opening > 0 {
		c.waiting = append(c.waiting, in)
		return
	}
	c.submitTo(in, c)
}

// submitTo is submit; skip is the page that shows the question already
// (nil: show it to every page). Turn.
func (c *Chat) submitTo(in Input, skip *Chat) {
	cv := c.cur()
	if c.h.closing() {
		// The server is draining: the question is kept (and saved), and
		// answered by Retry once the page is on a server that runs.
		cv.mu.Lock()
		cv.submits++
		cv.appendMsg(c.userMsg(in), skip)
		a := Message{Role: Assistant, ContentType: Markdown, Status: Interrupted, Error: restartingText}
		c.stamp(&a)
		cv.appendMsg(a, nil)
		cv.mu.Unlock()
		c.sendBusy(false)
		return
	}
	if cv.isBusy() {
		// The page locks its input while a response runs and queues
		// server-driven submits, so this is a page out of step.
		c.log.Info("chat: submit while a response is running; ignored")
		return
	}
	if c.runCommand(in, skip) {
		return
	}
	cv.mu.Lock()
	cv.submits++
	in.Seq = cv.submits
	cv.appendMsg(c.userMsg(in), skip)
	cv.startResponse(c, c.handlersFor(in, cv, cv.msgs[len(cv.msgs)-1].ID))
	cv.mu.Unlock()
	c.input.Set(in)
}

// handlersFor is the response to in: the submit handlers, as registered
// now, one after another. Turn.
func (c *Chat) handlersFor(in Input, cv *conv, uid string) func(context.Context) error {
	hs := slices.Clone(c.handlers)
	tf := c.userTransform
	return func(ctx context.Context) error {
		in, ok, err := c.transformInput(ctx, tf, in, cv, uid)
		if err != nil || !ok {
			return err // suspended, or failed
		}
		for _, h := range hs {
			if err := h(ctx, in); err != nil {
				return err
			}
		}
		return nil
	}
}

// responseFor is the response that user message u asks for: its slash
// command, or the submit handlers. Turn.
func (c *Chat) responseFor(u Message) func(context.Context) error {
	if u.Command != "" {
		name, args, _ := parseCommand(u.Content)
		i := slices.IndexFunc(c.commands, func(x *command) bool { return x.name == name && x.handler != nil })
		if i < 0 {
			return nil
		}
		h := c.commands[i].handler
		return func(ctx context.Context) error { return h(ctx, args) }
	}
	if len(c.handlers) == 0 {
		return nil
	}
	return c.handlersFor(Input{Text: u.Content, Attachments: u.Attachments}, c.cur(), u.ID)
}

// sendBusy tells the page whether a response runs; false also ends its wait
// for an answer to a submit.
func (c *Chat) sendBusy(busy bool) { c.send("busy", map[string]bool{"busy": busy}) }

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
	Source    string `json:"source,omitempty"`   // the markdown or text, for the copy action
	Feedback  Rating `json:"feedback,omitempty"` // the rating chosen
	Comment   string `json:"comment,omitempty"`  // its comment
	Alts      []int  `json:"alts,omitempty"`     // a user message's answers: [shown (1-based), count]
	Author    string `json:"author,omitempty"`
	Time      int64  `json:"time,omitempty"` // ms since the epoch
	// Parts is the message's live UI (live_ui.go): set per view.
	Parts   []wirePart   `json:"parts,omitempty"`
	Files   []wireFile   `json:"files,omitempty"`   // attach.go
	Tools   []wireTool   `json:"tools,omitempty"`   // toolcall.go
	Metrics *wireMetrics `json:"metrics,omitempty"` // metrics.go
}

// rendered is a message's markdown, rendered: its HTML and its thinking's.
type rendered struct{ html, thinking string }

// render renders what of m is markdown.
func render(m Message) rendered {
	var r rendered
	switch m.ContentType {
	case HTMLType, TextType:
	case Thinking:
		r.thinking = renderer.RenderString(m.Content)
	default:
		r.html = renderer.RenderString(shownSource(m))
	}
	if m.Thinking != "" {
		r.thinking = renderer.RenderString(m.Thinking)
	}
	return r
}

// wireOf is m as the page receives it, with r its rendering; retry shows its
// Retry button.
func wireOf(m Message, r rendered, retry bool) wireMsg {
	w := wireMsg{ID: m.ID, Role: m.Role, Kind: string(m.ContentType), Icon: string(m.Icon), Status: m.Status, Error: m.Error, Command: m.Command,
		HTML: r.html, Thinking: r.thinking, Retry: retry, Files: wireFiles(m.Attachments), Feedback: m.Feedback.Rating, Comment: m.Feedback.Comment,
		Author: m.Author, Time: msTime(m.Time), Tools: wireTools(m.ToolCalls), Metrics: wireMetricsOf(m.Metrics)}
	if m.ContentType != HTMLType {
		w.Source = shownSource(m) // what the page shows is what Copy copies
	}
	switch m.ContentType {
	case HTMLType:
		w.HTML = shownSource(m)
	case TextType:
		w.HTML = html.EscapeString(shownSource(m))
	default:
		w.Kind = string(Markdown)
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

// normalize turns what AppendMessage accepts into a Message with an id,
// with v's options. Locked.
func (cv *conv) normalize(v *Chat, content any, role Role) Message {
	m := v.normalizeNoID(content, role)
	if m.ID == "" {
		m.ID = cv.newID()
	}
	if m.Time.IsZero() {
		m.Time = time.Now()
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
	c.stamp(&m)
	return m
}

// AfterClear says what [Chat.ClearMessages] does with the greeting.
type AfterClear int

const (
	// KeepGreeting shows the greeting again (and requests one, through
	// [Chat.OnGreetingRequested], if the chat has none): the chat looks new.
	KeepGreeting AfterClear = iota
	// DropGreeting removes the greeting: the chat is left empty.
	DropGreeting
)

// ClearMessages cancels the running response and empties the transcript
// and the page; greeting says whether the greeting is shown again
// ([KeepGreeting]) or removed ([DropGreeting]). With a [History], the
// conversation is kept in the history and the chat starts a new one.
func (c *Chat) ClearMessages(greeting AfterClear) {
	keep := greeting == KeepGreeting
	c.cur().stopResponse()
	c.g.Do(func() {
		if keep && c.greeting != nil {
			c.greeting.dismissed = false
		}
		if !keep {
			c.greeting = nil
		}
		if c.h != nil {
			c.openNew(true)
		} else {
			cv := c.cur()
			cv.mu.Lock()
			cv.clear()
			cv.mu.Unlock()
			c.show(cv, false)
		}
		if keep {
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
	content = c.withUI(thumbsFor(content)) // thumbsFor: attach.go
	var tf func(string) string
	c.g.Do(func() { tf = c.assistantTransform })
	if tf != nil {
		switch content.(type) {
		case string, Message, *Message: // markdown the transform can read
			m := c.normalizeNoID(content, Assistant)
			if m.Role == Assistant && m.ContentType == Markdown && m.Transformed == "" {
				m.Transformed = c.transformShown(tf, m.Content)
			}
			content = m
		}
	}
	o := &op{v: c, kind: opAppend, content: content, done: make(chan struct{})}
	return c.target(ctx).enqueue(ctx, o, true)
}

// Footer, meter and other page-level updates.

// SetTokenMeter shows "used / budget" tokens in the chat's footer; a zero
// budget hides it.
func (c *Chat) SetTokenMeter(used, budget int) {
	c.g.Do(func() { c.send("meter", map[string]int{"used": used, "budget": budget}) })
}
