package chat

import (
	"context"
	"slices"

	"go.uber.org/zap"

	"github.com/sheenhq/sheen/reactive"
)

// Transforms (py-shiny's transform_user_input and
// transform_assistant_response): a message has the form the user typed or
// the model wrote (Content) and, once a transform has run, the transformed
// form (Transformed). Both are kept, saved and restored.
//
//   - A user message shows what was typed; its transformed form (with
//     retrieved context, say, or redacted) is what the submit handlers get
//     and what is sent to the model.
//   - An assistant message keeps what the model wrote (sent back to it);
//     its transformed form is what the page shows.

// TransformUserInput registers fn to run on every submission before the
// submit handlers (in the response's goroutine, with its ctx): it returns
// the text the handlers get (Input.Text; Input.Typed keeps what was typed),
// or ok false to suspend the submission: no handler runs and the input
// unlocks (the user's message stays shown). An error is shown as a
// handler's is. One transform per chat: a second call replaces the first.
func (c *Chat) TransformUserInput(fn func(ctx context.Context, in Input) (text string, ok bool, err error)) {
	c.g.Do(func() { c.userTransform = fn })
}

// TransformAssistantResponse registers fn to make the shown form of every
// assistant message from the model's text (markdown in, markdown out):
// appended messages are shown transformed; a streamed message streams as
// written and is shown transformed when it ends. A panic or an empty result
// leaves the message as written. One transform per chat: a second call
// replaces the first.
func (c *Chat) TransformAssistantResponse(fn func(content string) string) {
	c.g.Do(func() { c.assistantTransform = fn })
}

// Which says which user messages [Chat.Messages] gives in their
// transformed form.
type Which int

// Which user messages are transformed.
const (
	AllTransformed  Which = iota // every one (what the model should get; the default)
	LastTransformed              // the last user message only
	NoneTransformed              // none: as typed
)

// MessagesOption chooses the form of the messages [Chat.Messages] returns.
type MessagesOption func(*messagesSel)

type messagesSel struct {
	user      Which
	assistant bool
}

// UserForm chooses which user messages Messages gives transformed
// ([TransformUserInput]); by default all of them.
func UserForm(w Which) MessagesOption { return func(s *messagesSel) { s.user = w } }

// AssistantShown makes Messages give assistant messages as shown (their
// transformed form, [TransformAssistantResponse]) rather than as the model
// wrote them (the default).
func AssistantShown() MessagesOption { return func(s *messagesSel) { s.assistant = true } }

// choose returns msgs with Content replaced by Transformed where sel says.
// msgs is not modified; it is returned as is when nothing changes.
func (sel messagesSel) choose(msgs []Message) []Message {
	last := -1
	if sel.user == LastTransformed {
		for i := len(msgs) - 1; i >= 0; i-- {
			if msgs[i].Role == User {
				last = i
				break
			}
		}
	}
	var out []Message
	for i, m := range msgs {
		if m.Transformed == "" {
			continue
		}
		use := false
		switch m.Role {
		case User:
			use = sel.user == AllTransformed || sel.user == LastTransformed && i == last
		case Assistant:
			use = sel.assistant
		}
		if !use {
			continue
		}
		if out == nil {
			out = slices.Clone(msgs)
		}
		out[i].Content = m.Transformed
	}
	if out == nil {
		return msgs
	}
	return out
}

// transformInput runs the user transform, if any, on in (user message id
// uid): the handlers get its result, the message keeps it. Response
// goroutine.
func (c *Chat) transformInput(ctx context.Context, fn func(context.Context, Input) (string, bool, error), in Input, cv *conv, uid string) (Input, bool, error) {
	if fn == nil {
		return in, true, nil
	}
	text, ok, err := fn(ctx, in)
	if err != nil || !ok {
		return in, false, err
	}
	if text == in.Text {
		return in, true, nil
	}
	cv.mu.Lock()
	if i := cv.index(uid); i >= 0 {
		cv.msgs[i].Transformed = text
		cv.updated(cv.msgs[i], false)
	}
	cv.mu.Unlock()
	in.Typed, in.Text = in.Text, text
	return in, true, nil
}

// transformShown returns the shown form of an assistant message's content
// (markdown), or "" to show it as written. A panic is logged.
func (c *Chat) transformShown(fn func(string) string, content string) (shown string) {
	if fn == nil {
		return ""
	}
	defer func() {
		if p := recover(); p != nil {
			c.log.Error("chat: the assistant response transform panicked", zap.Error(reactive.AsError(p)))
			shown = ""
		}
	}()
	if s := fn(content); s != content {
		return s
	}
	return ""
}

// transformStreamed gives the streamed message id its shown form when it
// has ended. Queue worker, mu not held.
func (cv *conv) transformStreamed(v *Chat, id string, fn func(string) string) {
	if fn == nil {
		return
	}
	cv.mu.Lock()
	i := cv.index(id)
	if i < 0 {
		cv.mu.Unlock()
		return
	}
	content := cv.msgs[i].Content
	cv.mu.Unlock()
	shown := v.transformShown(fn, content)
	if shown == "" {
		return
	}
	cv.mu.Lock()
	defer cv.mu.Unlock()
	if i = cv.index(id); i >= 0 && cv.msgs[i].Content == content {
		cv.msgs[i].Transformed = shown
		cv.updated(cv.msgs[i], true)
	}
}

// updated saves m, changed in place, tells the other instances, and, if
// shown (its shown form changed), shows it again in every view. Locked.
func (cv *conv) updated(m Message, shown bool) {
	if shown {
		delete(cv.html, m.ID)
	}
	if cv.h != nil && cv.stored {
		cv.save(saveOp{kind: saveUpdate, msg: cv.toStore(m)})
	}
	if cv.shares() {
		cv.publish(liveEvent{Kind: evEnd, ID: m.ID, Msg: ptr(cv.toStore(m))})
	}
	if !shown {
		return
	}
	wm := cv.wire(m, cv.canRetry(m))
	cv.broadcast(func(v *Chat) {
		v.changed()
		v.send("append", map[string]wireMsg{"message": wm})
	})
}

// shownSource is the markdown the page shows for m.
func shownSource(m Message) string {
	if m.Role == Assistant && m.Transformed != "" {
		return m.Transformed
	}
	return m.Content
}
