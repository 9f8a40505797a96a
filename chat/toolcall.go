package chat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"html"
	"iter"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sheenhq/sheen/store"
	"github.com/sheenhq/sheen/tokens"
)

// Tool calls: the content type that shows a model's calls of tools as
// cards inside the assistant message that made them.
//
// A card sits between the message's thinking panel and its answer, in the
// order the calls were made: a reply that calls tools reads top to bottom
// as "thought, did these things, answered". (Interleaving the cards with
// the text, as Claude does, would split the streamed answer into pieces;
// ToolCall.Offset keeps where each call came in the text, so the provider
// formats send each round's text with its calls, and a later version can
// interleave the cards without a change to the saved data.)

// ToolStatus is the state of a tool call.
type ToolStatus string

// Tool call states.
const (
	ToolPending ToolStatus = "pending" // waits for a person's approval
	ToolRunning ToolStatus = "running" // the model writes its arguments, or the tool runs
	ToolSuccess ToolStatus = "success"
	ToolError   ToolStatus = "error"  // the tool failed, its arguments were invalid, or the reply stopped first
	ToolDenied  ToolStatus = "denied" // a person denied it
)

// done reports whether the call has ended.
func (s ToolStatus) done() bool { return s == ToolSuccess || s == ToolError || s == ToolDenied }

// ToolCall is one call of a tool by the model, shown as a card in the
// assistant message that made it and sent back to the model with that
// message (the provider formats pair each call with its result by ID).
type ToolCall struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Args are the arguments as the model wrote them: pretty-printed JSON,
	// or the raw text if it is not JSON (a malformed call).
	Args   string     `json:"args,omitempty"`
	Status ToolStatus `json:"status"`
	// Result is what the model got back: the tool's text, or the error.
	Result string `json:"result,omitempty"`
	// Display, if set, is shown on the card instead of Result, as
	// DisplayType says: Markdown (the default; rendered and sanitized),
	// TextType (literal) or HTMLType (trusted HTML written by the app: never
	// put a tool's or a model's text in it).
	Display     string      `json:"display,omitempty"`
	DisplayType ContentType `json:"displayType,omitempty"`
	// Offset is how much of the message's Content (bytes) was written
	// before the call; Round counts the model's requests in the reply (1,
	// 2, …): the calls of one round were made together.
	Offset int `json:"offset,omitempty"`
	Round  int `json:"round,omitempty"`
	// NeedsApproval says the call waits, or waited, for a person; Approval
	// is their decision.
	NeedsApproval bool      `json:"needsApproval,omitempty"`
	Approval      *Approval `json:"approval,omitempty"`
}

// Approval is a person's decision on a tool call that needed one.
type Approval struct {
	Allowed bool      `json:"allowed"`
	By      string    `json:"by,omitempty"` // the user who decided (the session's user; "" when anonymous)
	At      time.Time `json:"at"`           // when
}

// PrettyArgs formats a model's arguments for a card: indented JSON, or the
// text as written if it is not JSON.
func PrettyArgs(raw []byte) string {
	var b bytes.Buffer
	if json.Indent(&b, bytes.TrimSpace(raw), "", "  ") == nil {
		return b.String()
	}
	return string(raw)
}

// failed reports whether the call ended badly (what the model is told is
// an error).
func (t ToolCall) failed() bool {
	return t.Status == ToolError || t.Status == ToolDenied || !t.Status.done()
}

// modelResult is what the model is told of the call.
func (t ToolCall) modelResult() string {
	switch {
	case t.Status == ToolDenied && t.Result == "":
		return "Error: the user denied this call."
	case !t.Status.done():
		return "Error: the call did not finish."
	}
	return t.Result
}

// wireTool is a card as the page receives it.
type wireTool struct {
	ID       string     `json:"id"`
	Name     string     `json:"name"`
	Args     string     `json:"args"`
	Status   ToolStatus `json:"status"`
	HTML     string     `json:"html,omitempty"` // the result, rendered
	Approve  bool       `json:"approve,omitempty"`
	Decision string     `json:"decision,omitempty"` // "allowed" or "denied"
	By       string     `json:"by,omitempty"`
}

// resultHTML renders what the card shows of the result.
func (t ToolCall) resultHTML() string {
	text := t.Display
	if text == "" {
		text = t.Result
		if t.Display == "" && t.DisplayType == "" {
			// A tool's raw text (often JSON) is shown literally.
			return textHTML(text)
		}
	}
	switch t.DisplayType {
	case HTMLType:
		return text
	case TextType:
		return textHTML(text)
	}
	return renderer.RenderString(text)
}

func textHTML(s string) string {
	if s == "" {
		return ""
	}
	return "<pre class=\"sheen-chat-tool-text\" tabindex=\"0\">" + html.EscapeString(s) + "</pre>"
}

func wireToolOf(t ToolCall) wireTool {
	w := wireTool{ID: t.ID, Name: t.Name, Args: t.Args, Status: t.Status, Approve: t.NeedsApproval}
	if t.Status.done() || t.Result != "" || t.Display != "" {
		w.HTML = t.resultHTML()
	}
	if a := t.Approval; a != nil {
		w.Decision, w.By = "denied", a.By
		if a.Allowed {
			w.Decision = "allowed"
		}
	}
	return w
}

func wireTools(ts []ToolCall) []wireTool {
	if len(ts) == 0 {
		return nil
	}
	out := make([]wireTool, len(ts))
	for i, t := range ts {
		out[i] = wireToolOf(t)
	}
	return out
}

// segment is a piece of an assistant message as the models see it: the
// text of a round and the calls it made (none for the last piece).
type segment struct {
	text  string
	calls []ToolCall
}

// segments splits an assistant message into its rounds: the text written
// before each round's calls, with those calls, then the text after the
// last round.
func segments(m *Message) []segment {
	if len(m.ToolCalls) == 0 {
		return []segment{{text: m.Content}}
	}
	calls := slices.Clone(m.ToolCalls)
	slices.SortStableFunc(calls, func(a, b ToolCall) int { return a.Round - b.Round })
	var out []segment
	prev := 0
	for i := 0; i < len(calls); {
		j := i
		for j < len(calls) && calls[j].Round == calls[i].Round {
			j++
		}
		at := clampOffset(m.Content, max(prev, calls[i].Offset))
		out = append(out, segment{text: strings.TrimSpace(m.Content[prev:at]), calls: calls[i:j]})
		prev, i = at, j
	}
	if rest := strings.TrimSpace(m.Content[prev:]); rest != "" {
		out = append(out, segment{text: rest})
	}
	return out
}

// clampOffset keeps an offset within s and on a character boundary.
func clampOffset(s string, n int) int {
	n = min(max(n, 0), len(s))
	for n > 0 && n < len(s) && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}

// setTool adds the card t to w's message, or replaces the card with its
// ID, and shows it on every page. It reports false once the message has
// ended.
func (w *writer) setTool(t ToolCall) bool {
	cv := w.cv
	cv.mu.Lock()
	defer cv.mu.Unlock()
	if w.ended {
		return false
	}
	if i := slices.IndexFunc(w.tools, func(x ToolCall) bool { return x.ID == t.ID }); i >= 0 {
		w.tools[i] = t
	} else {
		w.tools = append(w.tools, t)
	}
	cv.showTool(w, t)
	cv.persistTools(w)
	return true
}

// persistTools saves the streaming message of w with its text so far and
// its cards: a reply cut by a crash comes back with the calls it made.
// Locked.
func (cv *conv) persistTools(w *writer) {
	s := &w.save
	if !s.started {
		return
	}
	text := w.text.String()
	s.dirty, s.saved, s.last = false, len(text), time.Now()
	cv.save(saveOp{kind: saveUpdate, msg: store.Message{ID: w.id, Role: string(Assistant), Content: text, Status: store.StatusStreaming, Meta: w.streamingMeta()}})
}

// streamingMeta is the meta of w's message as saved while it streams: its
// text is raw (thinking tags included), and its cards so far. Locked.
func (w *writer) streamingMeta() []byte {
	if len(w.tools) == 0 {
		return w.rawMeta()
	}
	b, err := json.Marshal(meta{Raw: true, Icon: w.icon, Author: w.author, Time: msTime(w.at), ToolCalls: w.tools})
	if err != nil {
		return w.rawMeta()
	}
	return b
}

// showTool sends card t of w's message to every page and, when the
// conversation is shared, to the other instances. Locked.
func (cv *conv) showTool(w *writer, t ToolCall) {
	if w.epoch != cv.epoch {
		return
	}
	wt, id := wireToolOf(t), w.id
	cv.broadcast(func(v *Chat) { v.send("tool", map[string]any{"id": id, "call": wt}) })
	if !w.remote && cv.shares() {
		cv.publish(liveEvent{Kind: evTool, ID: w.id, Tool: &t})
	}
}

// endTools are w's cards as the message ends: a call still running or
// waiting for approval is marked failed, stopped before it finished.
// Locked.
func (w *writer) endTools() []ToolCall { return endedTools(w.tools) }

// endedTools are cards as their message ends: a call not finished is
// marked failed.
func endedTools(ts []ToolCall) []ToolCall {
	if len(ts) == 0 {
		return nil
	}
	out := slices.Clone(ts)
	for i := range out {
		if !out[i].Status.done() {
			out[i].Status = ToolError
			if out[i].Result == "" {
				out[i].Result = "Stopped before it finished."
			}
		}
	}
	return out
}

// ToolCall shows a tool call's card in the streaming message, or updates
// the card with the same ID: a [Respond] reply does it for every call, and
// an app that runs tools itself can do it from its stream's iterator. A
// card is open while its call runs and closes when it ends. It returns
// [ErrNotStreaming] before the stream runs and after it ended.
func (s *Stream) ToolCall(t ToolCall) error {
	w := s.writer()
	if w == nil || !w.setTool(t) {
		return ErrNotStreaming
	}
	return nil
}

// ErrNotStreaming is returned by [Stream.ToolCall] for a stream that is
// not running.
var ErrNotStreaming = errors.New("chat: the stream is not running")

// writer returns the stream's message writer, nil until it runs.
func (s *Stream) writer() *writer {
	s.cv.mu.Lock()
	defer s.cv.mu.Unlock()
	return s.o.w
}

// usage adds a provider's usage report to the stream's metrics (and
// makes the reply count its tokens).
func (s *Stream) usage(in, billed int) {
	w := s.writer()
	if w == nil {
		return
	}
	s.cv.mu.Lock()
	w.mt.count = true
	w.mt.in += in
	w.mt.billed += billed
	s.cv.mu.Unlock()
}

// count counts the tokens of w's text for its metrics, outside the lock
// (counting a long reply takes a while).
func (w *writer) count() {
	w.cv.mu.Lock()
	if !w.mt.count && !w.v.cfg.metrics {
		w.cv.mu.Unlock()
		return
	}
	text := w.text.String()
	w.cv.mu.Unlock()
	n := tokens.Default().Count(text)
	w.cv.mu.Lock()
	w.mt.tokens = n
	w.cv.mu.Unlock()
}

// AppendMessageStreamFunc is [Chat.AppendMessageStream] with the stream
// made from its own handle, so that the iterator can show tool calls as it
// streams ([Stream.ToolCall]): what an app that runs its tools itself
// needs ([Respond] does it for a model's calls).
//
//	st := c.AppendMessageStreamFunc(ctx, func(s *chat.Stream) iter.Seq2[string, error] {
//		return func(yield func(string, error) bool) {
//			call := chat.ToolCall{ID: "call-1", Name: "search", Args: `{"q": "sheen"}`, Status: chat.ToolRunning}
//			_ = s.ToolCall(call)
//			call.Status, call.Result = chat.ToolSuccess, search(ctx, "sheen")
//			_ = s.ToolCall(call)
//			yield("Found it.", nil)
//		}
//	})
func (c *Chat) AppendMessageStreamFunc(ctx context.Context, fn func(s *Stream) iter.Seq2[string, error]) *Stream {
	return c.appendStream(ctx, fn)
}
