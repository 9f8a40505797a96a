package chat

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/store"
)

// Message actions (docs/chat.md, "Message actions"): the buttons of a
// message (copy, regenerate, edit, delete, feedback, the app's own) and of
// the input row (undo, clear, the app's own).
//
// Everything that cuts the transcript (edit, delete, undo, regenerate,
// choosing another answer) goes through cut and replace, which change the
// conversation's messages under its mutex, save the change (the store's
// DeleteMessages and Update, in order with the other writes), publish it to
// the other instances (the live events "cut" and "edit") and show it in
// every view. Edit, undo and regenerate stop a running reply first and act
// once nothing runs (whenIdle): the stopped reply's last writes are queued
// before the cut, so the store never sees a write to a message already cut.

// ActionKind names a built-in message action, for [WithoutActions].
type ActionKind string

// The built-in actions. All are on by default; feedback shows once an
// [Chat.OnFeedback] handler is registered.
const (
	ActionCopy       ActionKind = "copy"       // copy a message (markdown as text, and as rich HTML)
	ActionRegenerate ActionKind = "regenerate" // answer the last question again
	ActionEdit       ActionKind = "edit"       // edit a user message and resubmit it
	ActionDelete     ActionKind = "delete"     // delete a message
	ActionUndo       ActionKind = "undo"       // remove the last question and its answer (input row)
	ActionClear      ActionKind = "clear"      // clear the chat, after a confirmation (input row)
	ActionFeedback   ActionKind = "feedback"   // thumbs up or down, with a comment
)

var builtinActions = []ActionKind{ActionCopy, ActionRegenerate, ActionEdit, ActionDelete, ActionUndo, ActionClear, ActionFeedback}

// WithoutActions turns built-in actions off: the page does not show them
// and the server refuses them. Give it to [New].
func WithoutActions(kinds ...ActionKind) Option {
	return func(c *config) {
		if c.actionsOff == nil {
			c.actionsOff = map[ActionKind]bool{}
		}
		for _, k := range kinds {
			c.actionsOff[k] = true
		}
	}
}

// MaxAlternatives is how many answers to one question a conversation keeps
// (regenerating more drops the oldest).
const MaxAlternatives = 10

// MaxFeedbackComment is the longest feedback comment kept, in runes.
const MaxFeedbackComment = 2000

// Rating is a thumbs up or down.
type Rating string

// Ratings. The zero Rating is none.
const (
	ThumbsUp   Rating = "up"
	ThumbsDown Rating = "down"
)

// Feedback is the user's rating of an assistant message, with an optional
// comment. It is kept in [Message.Feedback] and saved with the
// conversation.
type Feedback struct {
	Rating  Rating `json:"rating,omitempty"`
	Comment string `json:"comment,omitempty"`
}

// clean is f with a known rating (or none) and a comment of at most
// MaxFeedbackComment runes of valid UTF-8.
func (f Feedback) clean() Feedback {
	if f.Rating != ThumbsUp && f.Rating != ThumbsDown {
		f.Rating = ""
	}
	c := strings.TrimSpace(strings.ToValidUTF8(f.Comment, "\uFFFD"))
	if utf8.RuneCountInString(c) > MaxFeedbackComment {
		c = string([]rune(c)[:MaxFeedbackComment])
	}
	f.Comment = c
	return f
}

// FeedbackEvent is what an [Chat.OnFeedback] handler receives: the message
// rated (its ID, Content and the rest, with Feedback set) and the feedback.
type FeedbackEvent struct {
	Message  Message
	Feedback Feedback
}

// OnFeedback registers fn to run, off the session's goroutine, whenever the
// user rates an assistant message or changes its rating or comment (a
// rating taken back arrives with an empty Rating). Registering a handler
// shows the thumbs on assistant messages (unless [WithoutActions] turns
// feedback off). The feedback is kept in the message and saved before fn
// runs; ctx is the session's. An error is logged.
func (c *Chat) OnFeedback(fn func(ctx context.Context, e FeedbackEvent) error) {
	c.g.Do(func() {
		c.feedbackFns = append(c.feedbackFns, fn)
		c.sendActions()
	})
}

// Action is a button the app adds to messages or to the input row (like
// Panel's button_properties). Its Run is called off the session's goroutine
// with the message it belongs to; an input-row action gets a user message
// holding the input's text (no ID). An error is logged and shown to the
// user as a notification, worded by the chat's error mode.
type Action struct {
	Name    string                                     // unique in the chat; an action of the same name is replaced
	Label   string                                     // the accessible name (required)
	Icon    HTML                                       // trusted HTML (an <svg>); without one the label is shown
	Tooltip string                                     // shown on hover; the label by default
	Roles   []Role                                     // the messages that show it; none: the input row
	Run     func(ctx context.Context, m Message) error // its ctx is the session's
}

// AddAction adds a to the chat's buttons.
func (c *Chat) AddAction(a Action) {
	if a.Name == "" || a.Label == "" || a.Run == nil {
		c.log.Error("chat: AddAction needs a Name, a Label and Run", zap.String("name", a.Name))
		return
	}
	c.g.Do(func() {
		c.actions = slices.DeleteFunc(c.actions, func(x Action) bool { return x.Name == a.Name })
		c.actions = append(c.actions, a)
		c.sendActions()
	})
}

// actionOn reports whether built-in action k is on. Turn.
func (c *Chat) actionOn(k ActionKind) bool {
	if c.cfg.actionsOff[k] {
		return false
	}
	return k != ActionFeedback || len(c.feedbackFns) > 0
}

// sendActions tells the page which actions to show. Turn.
func (c *Chat) sendActions() {
	type wireAction struct {
		Name    string `json:"name"`
		Label   string `json:"label"`
		Icon    string `json:"icon,omitempty"`
		Tooltip string `json:"tooltip,omitempty"`
		Roles   []Role `json:"roles,omitempty"`
	}
	on := []ActionKind{}
	for _, k := range builtinActions {
		if c.actionOn(k) {
			on = append(on, k)
		}
	}
	custom := make([]wireAction, 0, len(c.actions))
	for _, a := range c.actions {
		custom = append(custom, wireAction{a.Name, a.Label, string(a.Icon), a.Tooltip, a.Roles})
	}
	c.send("actions", map[string]any{"builtin": on, "custom": custom})
}

// Regenerate answers the last question again, as the Regenerate button
// does: a running reply is stopped, the answer shown so far is kept as an
// alternative ([Chat.Alternatives]) and the submit handlers run again with
// the same input (a new Seq). Without a question it does nothing.
func (c *Chat) Regenerate() { c.g.Do(func() { c.regenerate("") }) }

// EditMessage replaces the text of user message id and submits it again,
// as the Edit button does: a running reply is stopped, the conversation is
// cut after the message (its answers are dropped) and the submit handlers
// run with the new text.
func (c *Chat) EditMessage(id, text string) { c.g.Do(func() { c.edit(id, text) }) }

// DeleteMessage removes message id from the conversation, as the Delete
// button does. A message still streaming cannot be deleted (stop it
// first).
func (c *Chat) DeleteMessage(id string) { c.g.Do(func() { c.remove(id) }) }

// Undo removes the last user message and everything after it, as the Undo
// button does (which also puts its text back into the input); a running
// reply is stopped first.
func (c *Chat) Undo() { c.g.Do(func() { c.undo(false) }) }

// SelectAlternative shows answer i (from 0) of the last question, as the
// ‹ › buttons do. It does nothing while a reply runs.
func (c *Chat) SelectAlternative(i int) { c.g.Do(func() { c.selectAlt("", i) }) }

// Alternatives returns the answers kept for user message id, each the
// messages that answered it, in the order they were made, and the index of
// the one in the transcript ([Chat.Messages] shows only that one). Without
// alternatives it returns nil and 0.
func (c *Chat) Alternatives(id string) (answers [][]Message, shown int) {
	cv := c.cur()
	cv.mu.Lock()
	defer cv.mu.Unlock()
	a := cv.alts[id]
	if a == nil {
		return nil, 0
	}
	i := cv.index(id)
	for k, ans := range a.answers {
		var msgs []Message
		if k == a.sel && i >= 0 {
			msgs = slices.Clone(cv.msgs[i+1:])
		}
		for _, sm := range ans {
			if m, _, ok := fromStore(sm); ok {
				msgs = append(msgs, m)
			}
		}
		answers = append(answers, msgs)
	}
	return answers, a.sel
}

// actionEvent handles the page's action events. Turn.
func (c *Chat) actionEvent(name string, data json.RawMessage) {
	var r struct {
		ID      string `json:"id"`
		Text    string `json:"text"`
		Rating  Rating `json:"rating"`
		Comment string `json:"comment"`
		Index   int    `json:"index"`
		Name    string `json:"name"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		c.log.Warn("chat: bad action event", zap.String("name", name), zap.Error(err))
		c.sendBusy(c.busyV.Peek()) // the page may wait for an answer
		return
	}
	kind := map[string]ActionKind{"regenerate": ActionRegenerate, "edit": ActionEdit, "remove": ActionDelete,
		"undo": ActionUndo, "clear": ActionClear, "feedback": ActionFeedback, "alt": ActionRegenerate}[name]
	if kind != "" && !c.actionOn(kind) {
		c.refuse(name, "the action is turned off")
		return
	}
	switch name {
	case "regenerate":
		c.regenerate(r.ID)
	case "edit":
		c.edit(r.ID, r.Text)
	case "remove":
		c.remove(r.ID)
	case "undo":
		c.undo(true)
	case "clear":
		c.ClearMessages(KeepGreeting)
	case "alt":
		c.selectAlt(r.ID, r.Index)
	case "feedback":
		c.feedback(r.ID, Feedback{Rating: r.Rating, Comment: r.Comment})
	case "action":
		c.runAction(r.Name, r.ID, r.Text)
	}
}

// refuse logs an action that cannot be done and unlocks the page, which
// may wait for its reply. Turn.
func (c *Chat) refuse(name, why string) {
	c.log.Info("chat: action refused", zap.String("action", name), zap.String("why", why))
	c.sendBusy(c.busyV.Peek())
}

// whenIdle runs fn in the chat's turn once cv runs nothing: at once if it is
// idle, else after the running reply (here or on another instance) is
// stopped and has ended. fn must check again that nothing runs. Turn.
func (c *Chat) whenIdle(cv *conv, fn func()) {
	cv.mu.Lock()
	if !cv.busy {
		cv.mu.Unlock()
		fn()
		return
	}
	cv.stopLocked()
	cv.idleFns = append(cv.idleFns, func() { c.post(cv, func(*Chat) { fn() }) })
	cv.mu.Unlock()
}

// runIdle runs what waited for the conversation to be idle. Locked.
func (cv *conv) runIdle() {
	fns := cv.idleFns
	cv.idleFns = nil
	for _, f := range fns {
		f()
	}
}

// lastUser returns the index of the last user message, or -1. Locked.
func (cv *conv) lastUser() int {
	for i := len(cv.msgs) - 1; i >= 0; i-- {
		if cv.msgs[i].Role == User {
			return i
		}
	}
	return -1
}

// regenerate answers the last question again; id, if given, must be a
// message of its answer. Turn.
func (c *Chat) regenerate(id string) {
	cv := c.cur()
	c.whenIdle(cv, func() {
		cv.mu.Lock()
		i := cv.lastUser()
		switch {
		case cv.busy:
			cv.mu.Unlock()
			c.refuse("regenerate", "a reply runs")
			return
		case i < 0 || id != "" && cv.index(id) <= i:
			cv.mu.Unlock()
			c.refuse("regenerate", "not the last answer")
			return
		}
		u := cv.msgs[i]
		in := Input{Text: u.Content, Attachments: u.Attachments, Seq: cv.submits + 1}
		fn := c.handlersFor(in, cv, u.ID)
		if u.Command != "" {
			fn = c.responseFor(u) // the command runs again
		}
		if fn == nil {
			cv.mu.Unlock()
			c.refuse("regenerate", "the command has no handler")
			return
		}
		tail := slices.Clone(cv.msgs[i+1:])
		cv.keepAnswer(u.ID, tail)
		cv.cut(ids(tail), true)
		cv.replace(u, false)
		cv.submits++
		cv.startResponse(c, fn)
		cv.mu.Unlock()
		c.input.Set(in)
	})
}

// edit replaces user message id's text and submits it again. Turn.
func (c *Chat) edit(id, text string) {
	if strings.TrimSpace(text) == "" {
		c.refuse("edit", "no text")
		return
	}
	cv := c.cur()
	c.whenIdle(cv, func() {
		cv.mu.Lock()
		i := cv.index(id)
		if cv.busy || i < 0 || cv.msgs[i].Role != User || cv.msgs[i].Command != "" {
			cv.mu.Unlock()
			c.refuse("edit", "not an editable message, or a reply runs")
			return
		}
		u := cv.msgs[i]
		cv.cut(ids(cv.msgs[i+1:]), true)
		if a := cv.alts[u.ID]; a != nil { // the question changed: its answers go, and their files
			delete(cv.alts, u.ID)
			if keys := cv.orphanFiles(nil, []*altSet{a}); len(keys) > 0 && cv.h != nil && cv.stored {
				cv.save(saveOp{kind: saveDelete, keys: keys})
			}
		}
		u.Content = text
		u.Transformed = "" // the user-input transform runs again on the new text
		cv.replace(u, true)
		cv.submits++
		in := Input{Text: text, Attachments: u.Attachments, Seq: cv.submits}
		cv.startResponse(c, c.handlersFor(in, cv, u.ID))
		cv.mu.Unlock()
		c.input.Set(in)
	})
}

// remove deletes message id. Turn.
func (c *Chat) remove(id string) {
	cv := c.cur()
	cv.mu.Lock()
	defer cv.mu.Unlock()
	if cv.index(id) < 0 {
		c.log.Info("chat: delete of a message not in the transcript (gone, or streaming)", zap.String("message", id))
		return
	}
	cv.cut([]string{id}, true)
}

// undo removes the last user message and what followed it; fill puts its
// text back into the page's input. Turn.
func (c *Chat) undo(fill bool) {
	cv := c.cur()
	c.whenIdle(cv, func() {
		cv.mu.Lock()
		i := cv.lastUser()
		if cv.busy || i < 0 {
			cv.mu.Unlock()
			c.refuse("undo", "nothing to undo, or a reply runs")
			return
		}
		text := cv.msgs[i].Content
		cv.cut(ids(cv.msgs[i:]), true)
		if fill { // after the removal (posted)
			c.post(cv, func(v *Chat) { v.send("input", map[string]any{"value": text, "focus": true}) })
		}
		cv.mu.Unlock()
	})
}

// selectAlt shows answer k of the last question (user message id, if
// given). Turn.
func (c *Chat) selectAlt(id string, k int) {
	cv := c.cur()
	cv.mu.Lock()
	defer cv.mu.Unlock()
	i := cv.lastUser()
	if cv.busy || i < 0 || id != "" && cv.msgs[i].ID != id {
		c.log.Info("chat: answer not selected: a reply runs, or not the last question")
		return
	}
	u := cv.msgs[i]
	a := cv.alts[u.ID]
	if a == nil || k < 0 || k >= len(a.answers) || k == a.sel {
		c.log.Info("chat: answer not selected: no such alternative, or the one shown", zap.Int("index", k), zap.Bool("alternatives", a != nil))
		return
	}
	tail := slices.Clone(cv.msgs[i+1:])
	a.answers[a.sel] = cv.storeAll(tail)
	chosen := a.answers[k]
	a.answers[k], a.sel = nil, k
	cv.cut(ids(tail), true)
	cv.replace(u, false)
	for _, sm := range chosen {
		m, r, ok := fromStore(sm)
		if !ok {
			continue
		}
		cv.keep(m.ID, r)
		cv.appendMsg(m, nil)
	}
}

// feedback sets assistant message id's feedback and tells the handlers.
// Turn.
func (c *Chat) feedback(id string, fb Feedback) {
	fb = fb.clean()
	cv := c.cur()
	cv.mu.Lock()
	i := cv.index(id)
	if i < 0 || cv.msgs[i].Role != Assistant {
		cv.mu.Unlock()
		c.log.Info("chat: feedback on a message that is not an assistant's", zap.String("message", id))
		return
	}
	m := cv.msgs[i]
	if m.Feedback == fb {
		cv.mu.Unlock()
		return
	}
	m.Feedback = fb
	cv.replace(m, false)
	cv.mu.Unlock()
	hs := slices.Clone(c.feedbackFns)
	ev := FeedbackEvent{Message: m, Feedback: fb}
	c.goSafe("feedback", func(ctx context.Context) error {
		for _, h := range hs {
			if err := h(ctx, ev); err != nil {
				return err
			}
		}
		return nil
	}, false)
}

// runAction runs the app's action name for message id (or, on the input
// row, for the input's text). Turn.
func (c *Chat) runAction(name, id, text string) {
	i := slices.IndexFunc(c.actions, func(a Action) bool { return a.Name == name })
	if i < 0 {
		c.log.Warn("chat: unknown action", zap.String("action", name))
		return
	}
	a := c.actions[i]
	m := Message{Role: User, Content: text}
	if len(a.Roles) > 0 {
		cv := c.cur()
		cv.mu.Lock()
		k := cv.index(id)
		if k >= 0 {
			m = cv.msgs[k]
		}
		cv.mu.Unlock()
		if k < 0 || !slices.Contains(a.Roles, m.Role) {
			c.log.Warn("chat: action on a message it does not apply to", zap.String("action", name), zap.String("message", id))
			return
		}
	}
	c.goSafe("action "+name, func(ctx context.Context) error { return a.Run(ctx, m) }, true)
}

// goSafe runs fn off the session's goroutine with the session's context;
// a panic or an error is logged and, if notify, shown to the user.
func (c *Chat) goSafe(what string, fn func(context.Context) error, notify bool) {
	ctx := c.s.Context()
	go func() {
		err := callHandler(fn, ctx)
		if err == nil || ctx.Err() != nil {
			return
		}
		c.log.Error("chat: "+what+" failed", zap.Error(err))
		if notify {
			c.s.Notify(sheen.LevelError, c.userMessage(err))
		}
	}()
}

// ids returns the ids of msgs.
func ids(msgs []Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.ID
	}
	return out
}

// cut removes the messages with the given ids from the transcript and the
// page; local: the change is this instance's, saved and published (not
// another instance's, applied here). Locked.
func (cv *conv) cut(cutIDs []string, local bool) {
	if len(cutIDs) == 0 {
		return
	}
	drop := make(map[string]bool, len(cutIDs))
	for _, id := range cutIDs {
		drop[id] = true
	}
	// The messages cut from start on; a cut of the transcript's tail (undo,
	// edit, regenerate, the last message deleted) keeps the array: clipped,
	// the next append copies it, and slices handed out still see theirs.
	start := len(cv.msgs)
	for start > 0 && drop[cv.msgs[start-1].ID] {
		start--
	}
	tail := true
	for _, m := range cv.msgs[:start] {
		if drop[m.ID] {
			tail = false
			break
		}
	}
	var kept []Message
	if tail {
		kept = slices.Clip(cv.msgs[:start])
	} else {
		kept = make([]Message, 0, len(cv.msgs)) // a new array: slices handed out keep theirs
	}
	var gone []string
	var cut []Message
	var dropped []*altSet
	hadUI := false
	for _, m := range cv.msgs {
		if !drop[m.ID] {
			if !tail {
				kept = append(kept, m)
			}
			continue
		}
		hadUI = hadUI || m.ui != nil
		gone = append(gone, m.ID)
		cut = append(cut, m)
		if a := cv.alts[m.ID]; a != nil {
			dropped = append(dropped, a)
		}
		delete(cv.html, m.ID)
		delete(cv.retries, m.ID)
		delete(cv.alts, m.ID)
	}
	if len(gone) == 0 {
		return
	}
	cv.msgs = kept
	cv.cuts++
	empty := !slices.ContainsFunc(cv.msgs, func(m Message) bool { return m.Role != System }) && (cv.live == nil || cv.live.ended)
	if local {
		if cv.h != nil && cv.stored {
			cv.save(saveOp{kind: saveDelete, ids: gone, keys: cv.orphanFiles(cut, dropped)})
		}
		cv.publish(liveEvent{Kind: evCut, IDs: gone})
	}
	cv.broadcast(func(v *Chat) {
		v.send("remove", map[string][]string{"ids": gone})
		v.changed()
		if hadUI {
			v.disposeShown(cv) // the live UI of the messages cut (live_ui.go)
		}
		if empty {
			v.greetAgain()
		}
	})
}

// greetAgain shows the greeting again when the transcript has become empty
// (everything undone or deleted), as after ClearMessages(KeepGreeting).
// Turn.
func (c *Chat) greetAgain() {
	if c.greeting != nil && c.greeting.dismissed {
		c.greeting.dismissed = false
		c.send("greeting", map[string]any{"greeting": c.greetingWire()})
	}
	c.maybeRequestGreeting()
}

// replace puts m in place of the message of its id (rendered again if
// rerender), saves it, publishes it and shows it. Locked.
func (cv *conv) replace(m Message, rerender bool) {
	i := cv.index(m.ID)
	if i < 0 {
		return
	}
	msgs := slices.Clone(cv.msgs) // slices handed out keep the old message
	msgs[i] = m
	cv.msgs = msgs
	cv.cuts++
	if rerender {
		delete(cv.html, m.ID)
		cv.wire(m, false) // rendered again, for the store and every view
	}
	if cv.h != nil && cv.stored {
		cv.save(saveOp{kind: saveUpdate, msg: cv.toStore(m)})
	}
	if cv.shares() {
		cv.publish(liveEvent{Kind: evEdit, ID: m.ID, Msg: ptr(cv.toStore(m))})
	}
	cv.showReplaced(m)
}

// showReplaced shows m in place of the message of its id, with its live UI
// (live_ui.go). Locked.
func (cv *conv) showReplaced(m Message) {
	wm := cv.wire(m, cv.canRetry(m))
	cv.broadcast(func(v *Chat) {
		wm := wm
		wm.Parts = m.ui.wireFor(v)
		v.send("replace", map[string]wireMsg{"message": wm})
		v.changed()
	})
}

// applyCut applies another instance's cut. Locked.
func (cv *conv) applyCut(cutIDs []string) { cv.cut(cutIDs, false) }

// applyEdit applies another instance's edit of a message. Locked.
func (cv *conv) applyEdit(sm store.Message) {
	i := cv.index(sm.ID)
	m, r, ok := fromStore(sm)
	if i < 0 || !ok {
		return
	}
	cv.restoreAlts(sm)
	msgs := slices.Clone(cv.msgs)
	msgs[i] = m
	cv.msgs = msgs
	cv.cuts++
	delete(cv.html, m.ID)
	cv.keep(m.ID, r)
	cv.showReplaced(m)
}

// altSet is a question's answers: answers[sel] is nil, its messages are the
// transcript's after the question.
type altSet struct {
	answers [][]store.Message
	sel     int
}

// fileKeys adds to keys the store's keys of the files the answers' messages
// refer to.
func (a *altSet) fileKeys(keys map[string]bool) {
	for _, ans := range a.answers {
		for _, sm := range ans {
			// Only the attachments of the saved metadata: fromStore would
			// also split the thinking off a reply saved while it streamed.
			var md struct {
				Attachments []savedFile `json:"attachments"`
			}
			if json.Unmarshal(sm.Meta, &md) != nil {
				continue
			}
			for _, f := range md.Attachments {
				if f.File != "" {
					keys[f.File] = true
				}
			}
		}
	}
}

// savedAlts is an altSet as saved in its user message's meta.
type savedAlts struct {
	Sel     int               `json:"sel"`
	Answers [][]store.Message `json:"answers"`
}

// keepAnswer keeps tail, the answer shown to question uid, as an
// alternative, and makes room for a new answer, which becomes the one
// shown. Locked.
func (cv *conv) keepAnswer(uid string, tail []Message) {
	a := cv.alts[uid]
	if len(tail) == 0 {
		return // nothing to keep: the new answer takes the empty one's place
	}
	if a == nil {
		a = &altSet{answers: [][]store.Message{nil}}
		if cv.alts == nil {
			cv.alts = map[string]*altSet{}
		}
		cv.alts[uid] = a
	}
	a.answers[a.sel] = cv.storeAll(tail)
	a.answers = append(a.answers, nil)
	if len(a.answers) > MaxAlternatives {
		a.answers = slices.Delete(a.answers, 0, len(a.answers)-MaxAlternatives)
	}
	a.sel = len(a.answers) - 1
}

// storeAll is msgs as the store keeps them. Locked.
func (cv *conv) storeAll(msgs []Message) []store.Message {
	out := make([]store.Message, len(msgs))
	for i, m := range msgs {
		out[i] = cv.toStore(m)
	}
	return out
}

// altsWire is user message id's [shown (from 1), count] for the page, or
// nil. Locked.
func (cv *conv) altsWire(id string) []int {
	a := cv.alts[id]
	if a == nil || len(a.answers) < 2 {
		return nil
	}
	return []int{a.sel + 1, len(a.answers)}
}

// savedAlts is user message id's alternatives as saved, or nil. Locked.
func (cv *conv) savedAlts(id string) *savedAlts {
	a := cv.alts[id]
	if a == nil || len(a.answers) < 2 {
		return nil
	}
	return &savedAlts{Sel: a.sel, Answers: a.answers}
}

// restoreAlts takes the alternatives saved in sm's meta (or forgets those
// of its id if it has none). A set that makes no sense is dropped.
// Locked, or not yet shared.
func (cv *conv) restoreAlts(sm store.Message) {
	var md struct {
		Alts *savedAlts `json:"alts"`
	}
	_ = json.Unmarshal(sm.Meta, &md)
	s := md.Alts
	if s == nil || len(s.Answers) < 2 || s.Sel < 0 || s.Sel >= len(s.Answers) {
		delete(cv.alts, sm.ID)
		return
	}
	if cv.alts == nil {
		cv.alts = map[string]*altSet{}
	}
	answers := slices.Clone(s.Answers)
	answers[s.Sel] = nil
	cv.alts[sm.ID] = &altSet{answers: answers, sel: s.Sel}
}
