package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/model"
	"github.com/sheenhq/sheen/tokens"
	"github.com/sheenhq/sheen/tools"
)

// Respond makes the chat answer every submission with a model: the
// transcript ([Chat.Messages]) is cut to the model's context window (the
// newest messages that fit, the system messages always) and sent; the
// reply streams into a new assistant message with its thinking shown; the
// tools the model calls run (in parallel within a round) and show as
// cards; the stop button cancels the HTTP request and the running tools;
// an error shows on the message with Retry; the provider's usage and the
// reply's timing go to the message's [Metrics]. It returns the
// [Responder], whose model can be switched at any time.
//
//	chat.Respond(c, openai.New(openai.Config{Model: "gpt-4o-mini"}),
//		chat.WithTools(weather), chat.SystemPrompt("Be brief."))
//
// It registers one submit handler ([Chat.OnUserSubmit]); call it once per
// chat.
func Respond(c *Chat, m model.Model, opts ...RespondOption) *Responder {
	cfg := respondConfig{maxRounds: DefaultMaxRounds}
	for _, o := range opts {
		o(&cfg)
	}
	r := &Responder{c: c, m: m, cfg: cfg}
	for _, t := range cfg.tools { // declared with every request: room for them
		sp := t.Spec()
		r.toolTokens += c.countTokens(sp.Name+" "+sp.Description+" "+string(sp.Schema)) + 3
	}
	c.OnUserSubmit(r.Reply)
	if cfg.meter {
		c.SetTokenBudget(r.Budget())
	}
	return r
}

// DefaultMaxRounds is how many rounds of tool calls a reply may make
// unless [MaxRounds] says otherwise.
const DefaultMaxRounds = 10

// ErrTooManyRounds is the error of a reply whose model still called tools
// after MaxRounds rounds: those calls are not run, and the reply ends
// failed (with Retry).
var ErrTooManyRounds = errors.New("chat: the model called tools too many rounds in a row")

// RespondOption configures [Respond].
type RespondOption func(*respondConfig)

type respondConfig struct {
	tools       []*tools.Tool
	maxRounds   int
	thinking    int
	maxTokens   int
	temperature *float64
	system      string
	include     func(Message) bool
	showErrors  bool
	meter       bool
}

// WithTools gives the model tools to call ([tools.Func]).
func WithTools(ts ...*tools.Tool) RespondOption {
	return func(c *respondConfig) { c.tools = append(c.tools, ts...) }
}

// MaxRounds bounds the tool loop: a reply asks the model at most n times.
// If the model still calls tools in the n-th answer, those calls are not
// run and the reply fails with [ErrTooManyRounds] (Retry runs it again).
// n < 1 means 1: tools are declared but never run. The default is
// [DefaultMaxRounds].
func MaxRounds(n int) RespondOption { return func(c *respondConfig) { c.maxRounds = max(n, 1) } }

// ThinkingBudget asks for extended thinking with this many tokens where
// the provider has it (Anthropic); models that always reason stream their
// reasoning regardless. It is shown in the message's thinking panel.
func ThinkingBudget(tokens int) RespondOption { return func(c *respondConfig) { c.thinking = tokens } }

// MaxTokens caps each answer of the model (0: the model's default).
func MaxTokens(n int) RespondOption { return func(c *respondConfig) { c.maxTokens = n } }

// Temperature sets the sampling temperature.
func Temperature(t float64) RespondOption { return func(c *respondConfig) { c.temperature = &t } }

// SystemPrompt sends s first, as a system message, with every request (it
// is not in the transcript; the budget keeps room for it).
func SystemPrompt(s string) RespondOption { return func(c *respondConfig) { c.system = s } }

// Include chooses the messages of the transcript that go to the model
// (after the cut to the context window). The default sends every message
// but slash commands and failed replies.
func Include(fn func(Message) bool) RespondOption { return func(c *respondConfig) { c.include = fn } }

// ShowModelErrors shows the provider's error (a wrong key, an unknown
// model, a server that is down) to the user as is, whatever the chat's
// error mode: right when the user chose the server, as in a demo or a
// local tool.
func ShowModelErrors() RespondOption { return func(c *respondConfig) { c.showErrors = true } }

// Meter shows the chat's context meter for the model's budget, and keeps
// it in step when the model changes.
func Meter() RespondOption { return func(c *respondConfig) { c.meter = true } }

// Responder answers a chat's submissions with a model ([Respond]).
type Responder struct {
	c          *Chat
	cfg        respondConfig
	toolTokens int // what the tools' declarations take of every request

	mu sync.Mutex
	m  model.Model
}

// Model returns the model in use.
func (r *Responder) Model() model.Model {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.m
}

// SetModel switches the model: the next reply uses m (a reply running now
// goes on with the one it started with).
func (r *Responder) SetModel(m model.Model) {
	r.mu.Lock()
	r.m = m
	r.mu.Unlock()
	if r.cfg.meter {
		r.c.SetTokenBudget(r.Budget())
	}
}

// Budget is the token budget a reply's history must fit: the model's
// context window, less the room for its answer (its MaxOutput, else a
// quarter of the window, at most 4,096), for the SystemPrompt and for the
// tools' declarations, with the chat formats' overhead. A model with an unknown window (0) has the zero
// Budget: nothing is cut.
func (r *Responder) Budget() tokens.Budget {
	info := r.Model().Info()
	if info.Context <= 0 {
		return tokens.Budget{}
	}
	reserve := min(4096, info.Context/4)
	if r.cfg.maxTokens > 0 {
		reserve = r.cfg.maxTokens
	} else if info.MaxOutput > 0 {
		reserve = min(info.MaxOutput, info.Context/2)
	}
	if r.cfg.system != "" {
		reserve += r.c.countTokens(r.cfg.system) + 3
	}
	reserve += r.toolTokens
	return tokens.Budget{Max: info.Context, Reserve: reserve, PerMessage: 3, PerReply: 3}
}

// Reply answers the conversation as it is: the submit handler [Respond]
// registers. An app that registers its own handler can call it from there
// (after a transform of the input, say).
func (r *Responder) Reply(ctx context.Context, _ Input) error {
	m := r.Model()
	var msgs []Message
	if b := r.Budget(); b != (tokens.Budget{}) {
		var err error
		if msgs, err = r.c.MessagesWithin(b); err != nil {
			return budgetError(err)
		}
	} else {
		msgs = r.c.Messages()
	}
	history := make([]model.Message, 0, len(msgs)+1)
	if r.cfg.system != "" {
		history = append(history, model.Message{Role: model.System, Text: r.cfg.system})
	}
	history = append(history, modelHistory(msgs, r.cfg.include)...)
	st := r.c.appendStream(ctx, func(h *Stream) iter.Seq2[string, error] {
		t := &turn{r: r, m: m, h: h, history: history, lineStart: true}
		return t.run
	})
	_, err := st.Wait(ctx)
	if errors.Is(err, ErrStopped) || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// budgetError explains a history that does not fit the model.
func budgetError(err error) error {
	var be *tokens.BudgetError
	if !errors.As(err, &be) {
		return err
	}
	limit := be.Budget.Max - be.Budget.Reserve
	switch be.Err {
	case tokens.ErrUserTooLarge:
		return &sheen.SafeError{Err: err, Message: fmt.Sprintf(
			"Your message is too long for the model: it needs %d tokens, and the model's context window leaves %d. Shorten it, or use a model with a larger window.", be.Need, limit)}
	case tokens.ErrSystemTooLarge:
		return &sheen.SafeError{Err: err, Message: fmt.Sprintf(
			"The system prompt alone needs %d tokens; the model's context window leaves %d.", be.Need, limit)}
	}
	return &sheen.SafeError{Err: err, Message: "The model's context window is misconfigured: " + err.Error()}
}

// modelHistory converts a transcript to a model's history: system, user
// (attachments as files, text files inline) and assistant messages, each
// assistant message with tool calls split into its rounds (text and calls,
// then one tool message per call), in order.
func modelHistory(msgs []Message, include func(Message) bool) []model.Message {
	out := make([]model.Message, 0, len(msgs))
	for i := range msgs {
		m := &msgs[i]
		if include != nil {
			if !include(*m) {
				continue
			}
		} else if m.Command != "" || m.Status == Failed {
			continue
		}
		switch m.Role {
		case System:
			if m.Content != "" {
				out = append(out, model.Message{Role: model.System, Text: m.Content})
			}
		case User:
			um := model.Message{Role: model.User, Text: m.Content}
			var texts []string
			for _, a := range m.Attachments {
				p := readAttachment(a)
				switch {
				case p.kind == partImage || p.kind == partPDF && p.data != nil:
					um.Files = append(um.Files, model.File{Name: p.name, MIME: p.mime, Data: p.data, URL: p.link})
				case p.kind == partPDF:
					texts = append(texts, p.linkNote())
				default:
					texts = append(texts, p.text())
				}
			}
			if len(texts) > 0 {
				um.Text = strings.Join(append(texts, m.Content), "\n\n")
			}
			if um.Text != "" || len(um.Files) > 0 {
				out = append(out, um)
			}
		case Assistant:
			for _, s := range segments(m) {
				am := model.Message{Role: model.Assistant, Text: s.text}
				for _, t := range s.calls {
					am.ToolCalls = append(am.ToolCalls, model.ToolCall{ID: t.ID, Name: t.Name, Args: json.RawMessage(t.Args)})
				}
				if am.Text == "" && len(am.ToolCalls) == 0 {
					continue
				}
				out = append(out, am)
				for _, t := range s.calls {
					out = append(out, model.Message{Role: model.Tool, ToolCallID: t.ID, Text: t.modelResult(), IsError: t.failed()})
				}
			}
		}
	}
	return out
}

// turn is one reply: the model's rounds and the tools they call.
type turn struct {
	r       *Responder
	m       model.Model
	h       *Stream
	history []model.Message

	yield     func(string, error) bool
	answer    int  // bytes of the answer written
	nl        int  // newlines that end the answer
	lineStart bool // the next text starts a line (of the answer, or after a thinking block)
	thinking  bool // a <thinking> block is open
	sep       bool // a round of tool calls ended: the next text is a new paragraph
}

// write writes s to the answer. After a round of tool calls the next
// text starts a new paragraph.
func (t *turn) write(s string) bool {
	if s == "" {
		return true
	}
	if !t.closeThinking() {
		return false
	}
	if t.sep && t.answer > 0 {
		pad := "\n\n"[min(t.nl, 2):]
		if pad != "" {
			t.answer += len(pad)
			t.nl = 2
			if !t.emit(pad) {
				return false
			}
		}
	}
	t.sep = false
	t.answer += len(s)
	t.noteText(s)
	return t.emit(s)
}

// noteText tracks the newlines that end the answer.
func (t *turn) noteText(s string) {
	n := len(s) - len(strings.TrimRight(s, "\n"))
	if n == len(s) {
		t.nl += n
	} else {
		t.nl = n
	}
	t.lineStart = t.nl > 0
}

// think writes s to the thinking panel: a <thinking> block, opened at a
// line start.
func (t *turn) think(s string) bool {
	if s == "" {
		return true
	}
	if !t.thinking {
		t.thinking = true
		if !t.lineStart {
			t.answer++ // the "\n" goes to the answer
			t.noteText("\n")
			if !t.emit("\n") {
				return false
			}
		}
		if !t.emit("<thinking>") {
			return false
		}
	}
	return t.emit(s)
}

// closeThinking ends an open thinking block. The markdown stream starts
// the answer's next text on a new line (it adds one to a non-empty answer).
func (t *turn) closeThinking() bool {
	if !t.thinking {
		return true
	}
	t.thinking = false
	if t.answer > 0 {
		t.answer++
		t.nl++
	}
	t.lineStart = true
	return t.emit("</thinking>")
}

func (t *turn) emit(s string) bool { return t.yield(s, nil) }

// fail ends the reply with err.
func (t *turn) fail(err error) {
	t.closeThinking()
	t.yield("", t.r.userError(err))
}

// userError is err as the chat shows it: with ShowModelErrors, a model
// error's own message whatever the error mode.
func (r *Responder) userError(err error) error {
	var me *model.Error
	if r.cfg.showErrors && errors.As(err, &me) {
		var msg string
		if me.Status != 0 {
			msg = fmt.Sprintf("The model server %s answered %d: %s", me.Provider, me.Status, me.Message)
		} else {
			msg = fmt.Sprintf("The model server %s failed: %s", me.Provider, me.Message)
		}
		return &sheen.SafeError{Err: err, Message: msg}
	}
	return err
}

// run is the reply's stream: rounds of the model's answer and its tool
// calls until it answers without calling any, or MaxRounds.
func (t *turn) run(yield func(string, error) bool) {
	t.yield = yield
	ctx := t.h.o.ctx // the stop button cancels it, and with it the request and the tools
	cfg := &t.r.cfg
	specs := make([]model.ToolSpec, len(cfg.tools))
	for i, tl := range cfg.tools {
		specs[i] = tl.Spec()
	}
	for round := 1; ; round++ {
		req := model.Request{Messages: t.history, Tools: specs, MaxTokens: cfg.maxTokens, Thinking: cfg.thinking, Temperature: cfg.temperature}
		var calls []model.ToolCall
		var text, thinking strings.Builder
		sig := ""
		in, out := 0, 0
		for ch, err := range t.m.Stream(ctx, req) {
			if err != nil {
				t.h.usage(in, out)
				t.fail(err)
				return
			}
			switch ch.Kind {
			case model.TextChunk:
				text.WriteString(ch.Text)
				if !t.write(ch.Text) {
					return
				}
			case model.ThinkingChunk:
				thinking.WriteString(ch.Text)
				if !t.think(ch.Text) {
					return
				}
			case model.SignatureChunk:
				sig += ch.Text
			case model.ToolStartChunk:
				t.card(ToolCall{ID: ch.Call.ID, Name: ch.Call.Name, Status: ToolRunning, Offset: t.answer, Round: round})
			case model.ToolCallChunk:
				calls = append(calls, *ch.Call)
				tl := tools.Find(cfg.tools, ch.Call.Name)
				t.card(ToolCall{ID: ch.Call.ID, Name: ch.Call.Name, Args: PrettyArgs(ch.Call.Args), Status: ToolRunning,
					Offset: t.answer, Round: round, NeedsApproval: tl != nil && tl.NeedsApproval()})
			case model.UsageChunk:
				in, out = max(in, ch.In), max(out, ch.Out)
			}
		}
		t.h.usage(in, out)
		if !t.closeThinking() {
			return
		}
		if len(calls) == 0 {
			return
		}
		cards := t.cards(calls, round)
		if round >= cfg.maxRounds {
			for i := range cards {
				cards[i].Status, cards[i].Result = ToolError, fmt.Sprintf("Not run: the reply reached its limit of %d rounds of tool calls.", cfg.maxRounds)
				_ = t.h.ToolCall(cards[i])
			}
			t.yield("", &sheen.SafeError{Err: ErrTooManyRounds, Message: fmt.Sprintf(
				"The model kept calling tools: the reply stopped after %d rounds (the chat's limit).", cfg.maxRounds)})
			return
		}
		if !t.approve(ctx, cards) {
			return // stopped while waiting
		}
		t.runTools(ctx, calls, cards)
		if ctx.Err() != nil {
			t.yield("", ctx.Err())
			return
		}
		t.history = append(t.history, model.Message{Role: model.Assistant, Text: text.String(), Thinking: thinking.String(), ThinkingSignature: sig, ToolCalls: calls})
		for _, c := range cards {
			t.history = append(t.history, model.Message{Role: model.Tool, ToolCallID: c.ID, Text: c.modelResult(), IsError: c.failed()})
		}
		t.sep = true // the next round's text starts a new paragraph
	}
}

// card shows or updates a card.
func (t *turn) card(c ToolCall) { _ = t.h.ToolCall(c) }

// cards are the cards of a round's calls as they stand once the calls are
// complete.
func (t *turn) cards(calls []model.ToolCall, round int) []ToolCall {
	w := t.h.writer()
	out := make([]ToolCall, len(calls))
	t.h.cv.mu.Lock()
	for i, c := range calls {
		out[i] = ToolCall{ID: c.ID, Name: c.Name, Args: PrettyArgs(c.Args), Status: ToolRunning, Round: round, Offset: t.answer}
		for _, x := range w.tools {
			if x.ID == c.ID {
				out[i] = x
			}
		}
	}
	t.h.cv.mu.Unlock()
	return out
}

// decision is a person's answer to a call waiting for approval.
type decision struct {
	id string
	a  Approval
}

// approve waits for a person's decision on each card that needs one. The
// reply's goroutine waits on one channel for all of them: no lock is held
// and no other goroutine waits. It returns false if the reply was stopped
// meanwhile.
func (t *turn) approve(ctx context.Context, cards []ToolCall) bool {
	cv := t.h.cv
	ch := make(chan decision, len(cards))
	waiting := 0
	cv.mu.Lock()
	for i := range cards {
		if cards[i].NeedsApproval && cards[i].Approval == nil {
			if cv.approvals == nil {
				cv.approvals = map[string]chan<- decision{}
			}
			cv.approvals[cards[i].ID] = ch
			waiting++
		}
	}
	cv.mu.Unlock()
	if waiting == 0 {
		return true
	}
	defer func() {
		cv.mu.Lock()
		for _, c := range cards {
			if cv.approvals[c.ID] == ch {
				delete(cv.approvals, c.ID)
			}
		}
		cv.mu.Unlock()
	}()
	for i := range cards {
		if cards[i].NeedsApproval {
			cards[i].Status = ToolPending
			t.card(cards[i])
		}
	}
	for waiting > 0 {
		select {
		case d := <-ch:
			for i := range cards {
				if cards[i].ID == d.id && cards[i].Approval == nil {
					cards[i].Approval = &d.a
					cards[i].Status = ToolRunning
					if !d.a.Allowed {
						cards[i].Status, cards[i].Result = ToolDenied, "Error: the user denied this call."
					}
					t.card(cards[i])
					waiting--
				}
			}
		case <-ctx.Done():
			return false
		}
	}
	return true
}

// decide delivers a decision on tool call id to the reply waiting for it,
// if one waits here; false if none does. Locked.
func (cv *conv) decide(id string, a Approval) bool {
	ch := cv.approvals[id]
	if ch == nil {
		return false
	}
	delete(cv.approvals, id)
	ch <- decision{id: id, a: a} // buffered for every card of the round: never blocks
	return true
}

// approveEvent is the page's Allow or Deny on a card. Turn.
func (c *Chat) approveEvent(data json.RawMessage) {
	var d struct {
		Call  string `json:"call"`
		Allow *bool  `json:"allow"`
	}
	if err := json.Unmarshal(data, &d); err != nil || d.Call == "" || d.Allow == nil {
		c.log.Warn("chat: bad approve event", zap.Error(err))
		return
	}
	a := Approval{Allowed: *d.Allow, By: c.s.User(), At: time.Now().UTC().Truncate(time.Millisecond)}
	cv := c.cur()
	cv.mu.Lock()
	defer cv.mu.Unlock()
	if cv.decide(d.Call, a) {
		return
	}
	if cv.shares() && cv.remoteBusy {
		// Another instance runs the reply: the decision goes to it.
		cv.publish(liveEvent{Kind: evDecide, Tool: &ToolCall{ID: d.Call, Approval: &a}})
		return
	}
	c.log.Info("chat: a decision on a call nobody waits for", zap.String("call", d.Call))
}

// runTools runs a round's calls in parallel, each with ctx, and shows
// each card's end. A denied call is not run.
func (t *turn) runTools(ctx context.Context, calls []model.ToolCall, cards []ToolCall) {
	var wg sync.WaitGroup
	for i := range calls {
		if cards[i].Status == ToolDenied {
			continue
		}
		if cards[i].Status != ToolRunning {
			cards[i].Status = ToolRunning
			t.card(cards[i])
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := tools.Run(ctx, tools.Find(t.r.cfg.tools, calls[i].Name), calls[i])
			c := &cards[i]
			if ctx.Err() != nil {
				return // stopped: the message's end marks the card
			}
			c.Status, c.Result = ToolSuccess, o.ModelText()
			if o.IsError() {
				c.Status = ToolError
			} else if o.Display != "" {
				c.Display, c.DisplayType = o.Display, displayType(o.DisplayType)
			}
			t.card(*c)
		}()
	}
	wg.Wait()
}

func displayType(s string) ContentType {
	switch s {
	case "text":
		return TextType
	case "html":
		return HTMLType
	}
	return Markdown
}
