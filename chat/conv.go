package chat

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/internal/logerr"
	"github.com/sheenhq/sheen/reactive"
)

// conv is one conversation in this process: the authoritative transcript,
// the queue of appends and streams, the message streaming now and the
// running response. A [Chat] is a view of one conv at a time; several chats
// (tabs, pages) may show the same conv, and a conv outlives them: a reply
// belongs to the conversation, not to the page that asked for it.
//
// A chat without a [History] has a private conv that lives and dies with
// its session. With a History, convs are shared through it and saved to its
// store (persist.go).
//
// Everything in a conv is guarded by mu. Views learn of changes through
// broadcast, which posts to each view's reactive graph while mu is held, so
// every view sees the changes in the order they happened. Code holding mu
// never waits for a graph (no Do), and the views' turns may take mu: the
// lock order is turn → conv.mu.
type conv struct {
	h      *History // nil: a private conversation without history
	id     string   // the store's id ("" without history)
	owner  string
	prefix string // message ids are prefix + "-m" + n

	mu      sync.Mutex
	later   *[]func() // while a flusher flushes: where the turns it runs itself go (see broadcast)
	title   string
	stored  bool // created in the store
	msgs    []Message
	html    map[string]rendered // by message id: rendered once, for every view and the store
	nextID  int
	submits int
	epoch   int // incremented by clear: older streams stop showing
	views   []*Chat

	running  int // response goroutines running
	respStop context.CancelFunc
	respFn   func(context.Context) error            // the current (or last) response
	retries  map[string]func(context.Context) error // failed message id → the response to run again

	queue   []*op
	working bool
	current *op
	ctxs    []*StreamContext
	live    *writer // the message streaming now, for views that join
	busy    bool
	evicted bool // dropped from the history's memory: load it again
	loading bool // being loaded: not idle

	localBusy  bool      // a response or a queued message runs in this process
	remoteBusy bool      // another instance runs one (live.go)
	shared     liveState // what other instances do with this conversation (live.go)

	saves persistQueue // persist.go

	alts      map[string]*altSet         // by user message id: its answers (actions.go)
	cuts      int                        // transcript cuts and edits so far (actions.go)
	idleFns   []func()                   // run once nothing runs (actions.go)
	approvals map[string]chan<- decision // tool call id → the reply waiting for its approval (respond.go)

	ids idIndex // where each message id is in msgs, for long transcripts (live.go)
}

func newConv(h *History, id, owner, prefix string) *conv {
	return &conv{h: h, id: id, owner: owner, prefix: prefix}
}

// respKey carries, in a response's context, the conversation it answers:
// what the response's handlers append goes there even if the chat that
// started it has moved on to another conversation.
type respKey struct{}

type respInfo struct {
	cv     *conv
	chatID string
}

// broadcast runs fn in the turn of every view that shows cv. Locked.
func (cv *conv) broadcast(fn func(v *Chat)) {
	for _, v := range cv.views {
		cv.postTo(v, v.shown(cv, fn))
	}
}

// broadcastPatch sends patch p to every view, as broadcast would, with a
// closure less per frame.
func (cv *conv) broadcastPatch(p *patchWire) {
	for _, v := range cv.views {
		cv.postTo(v, v.shownPatch(cv, p))
	}
}

// postTo posts run, one of broadcast's, to view v. Locked.
func (cv *conv) postTo(v *Chat, run func()) {
	if cv.later != nil {
		v.postLater(run, cv.later)
	} else {
		v.g.Post(run)
	}
}

// newID returns a fresh message id. Locked.
func (cv *conv) newID() string {
	for {
		cv.nextID++
		id := cv.prefix + "-m" + strconv.Itoa(cv.nextID)
		if cv.h != nil && cv.h.bus != nil {
			id += "-" + cv.h.inst // several instances write to one conversation
		}
		if !cv.has(id) { // ids are unique in a conversation (the store insists)
			return id
		}
	}
}

// snapshot returns the transcript; the slice must not be modified.
func (cv *conv) snapshot() ([]Message, int) {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	return slices.Clip(cv.msgs), cv.epoch + cv.cuts // a cut or an edit counts as a clear for the token mirror
}

// isBusy reports whether a response or a queued message runs.
func (cv *conv) isBusy() bool {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	return cv.busy
}

// attach makes v a view of cv and returns what v must show: the messages
// as the page receives them, and the message streaming now with the patch
// that brings it to where the stream is. ok is false if cv was dropped from
// memory (evicted) meanwhile. It takes mu itself.
func (cv *conv) attach(v *Chat) (shown []wireMsg, live *wireMsg, livePatch *patchWire, busy, ok bool) {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	if cv.evicted {
		return nil, nil, nil, false, false
	}
	if !slices.Contains(cv.views, v) {
		cv.views = append(cv.views, v)
	}
	shown = []wireMsg{}
	for _, m := range cv.msgs {
		if m.Role != System {
			wm := cv.wire(m, cv.canRetry(m))
			wm.Parts = m.ui.wireFor(v)
			shown = append(shown, wm)
		}
	}
	if w := cv.live; w != nil && !w.ended && w.epoch == cv.epoch {
		head := w.head()
		head.ToolCalls = w.tools
		wm := wireOf(head, rendered{}, false)
		wm.Streaming = true
		wm.Parts = w.ui.wireFor(v)
		live = &wm
		livePatch = wirePatch(w.id, w.ms.Snapshot())
	}
	return shown, live, livePatch, cv.busy, true
}

// wire is m as the page receives it, rendered once and kept. Locked.
func (cv *conv) wire(m Message, retry bool) wireMsg {
	r, ok := cv.html[m.ID]
	if !ok {
		r = render(m)
		cv.keep(m.ID, r)
	}
	w := wireOf(m, r, retry)
	w.Alts = cv.altsWire(m.ID)
	return w
}

// keep keeps message id's rendering. Locked.
func (cv *conv) keep(id string, r rendered) {
	if r == (rendered{}) {
		return
	}
	if cv.html == nil {
		cv.html = map[string]rendered{}
	}
	cv.html[id] = r
}

// detach removes v from cv's views.
func (cv *conv) detach(v *Chat) {
	cv.mu.Lock()
	cv.views = slices.DeleteFunc(cv.views, func(x *Chat) bool { return x == v })
	cv.mu.Unlock()
	cv.h.release(cv)
}

// idle reports whether nothing runs or waits to be saved. Locked.
func (cv *conv) idle() bool {
	return len(cv.views) == 0 && cv.running == 0 && !cv.working && len(cv.queue) == 0 && !cv.saves.running && !cv.loading
}

// canRetry reports whether a failed or interrupted message m gets a Retry
// button: its response can run again, or a user message before it can be
// submitted again. Locked.
func (cv *conv) canRetry(m Message) bool {
	if m.Role != Assistant || (m.Status != Failed && m.Status != Interrupted) {
		return false
	}
	if cv.retries[m.ID] != nil {
		return true
	}
	return cv.userBefore(m.ID) >= 0
}

// userBefore returns the index of the last user message before message id,
// or -1. Locked.
func (cv *conv) userBefore(id string) int {
	i := slices.IndexFunc(cv.msgs, func(m Message) bool { return m.ID == id })
	for i--; i >= 0; i-- {
		if cv.msgs[i].Role == User {
			return i
		}
	}
	return -1
}

// appendMsg adds m to the transcript and shows it in every view but skip
// (the page that sent a user message shows it already). Locked.
func (cv *conv) appendMsg(m Message, skip *Chat) {
	if m.ID == "" || cv.has(m.ID) {
		m.ID = cv.newID()
	}
	if m.Time.IsZero() {
		m.Time = time.Now()
	}
	cv.attachUI(m)
	// Appending in place is safe: every slice handed out is clipped, so
	// nobody sees the element written past its end; and it keeps an append
	// O(1) on a long transcript instead of a copy of it.
	cv.msgs = append(cv.msgs, m)
	if m.Role != System {
		cv.wire(m, false) // rendered once: for every view and the store
	}
	cv.persistAppend(m)
	if cv.shares() {
		cv.publish(liveEvent{Kind: evMsg, Msg: ptr(cv.toStore(m))})
	}
	cv.show(m, skip)
}

// show shows m, just added to the transcript, in every view but skip.
// Locked.
func (cv *conv) show(m Message, skip *Chat) {
	if m.Role == System {
		cv.broadcast(func(v *Chat) { v.changed() })
		return // never shown, so it dismisses no greeting
	}
	wm := cv.wire(m, cv.canRetry(m))
	cv.broadcast(func(v *Chat) {
		v.changed()
		v.dismissGreeting()
		if v != skip {
			wm := wm
			wm.Parts = m.ui.wireFor(v)
			v.send("append", map[string]wireMsg{"message": wm})
		} else {
			wm := wm
			wm.Parts = m.ui.wireFor(v)
			v.send("own", map[string]wireMsg{"message": wm}) // the page's own bubble learns its id (actions.go)
		}
	})
}

// setBusy recomputes the busy state and tells the views when it changes.
// Locked.
func (cv *conv) setBusy() {
	local := cv.running > 0 || cv.working || len(cv.queue) > 0
	if local != cv.localBusy {
		cv.localBusy = local
		cv.publish(liveEvent{Kind: evBusy, Busy: local})
		cv.heartbeat(local)
	}
	busy := local || cv.remoteBusy
	if busy == cv.busy {
		return
	}
	cv.busy = busy
	if !busy && cv.respStop != nil {
		cv.respStop() // nothing runs: release the response's context
		cv.respStop = nil
	}
	cv.broadcast(func(v *Chat) { v.setBusy(busy) })
	if !busy {
		cv.runIdle() // actions waiting for the running reply to stop (actions.go)
		cv.h.released(cv)
	}
}

// setRetry makes the failed message id's Retry button run fn again. Locked.
func (cv *conv) setRetry(id string, fn func(context.Context) error) {
	if fn == nil {
		return
	}
	if cv.retries == nil {
		cv.retries = map[string]func(context.Context) error{}
	}
	cv.retries[id] = fn
}

// startResponse runs fn off every session's goroutine as the current
// response, for view v. Without a history the response ends with v's
// session; with one it belongs to the conversation: it goes on when the
// page goes away, until it ends, is stopped, or reaches the history's time
// limit. Locked.
func (cv *conv) startResponse(v *Chat, fn func(ctx context.Context) error) {
	var ctx context.Context
	var cancel context.CancelFunc
	if cv.h != nil {
		ctx, cancel = cv.h.responseContext()
	} else {
		ctx, cancel = context.WithCancel(v.s.Context())
	}
	ctx = context.WithValue(ctx, respKey{}, &respInfo{cv: cv, chatID: v.id})
	if cv.respStop != nil {
		cv.respStop()
	}
	cv.respStop, cv.respFn = cancel, fn
	cv.running++
	cv.setBusy()
	cv.h.responseStarted()
	go func() {
		defer cv.h.responseEnded()
		err := callHandler(fn, ctx)
		cv.mu.Lock()
		defer cv.mu.Unlock()
		cv.running--
		if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
			cv.handlerError(v, fn, err)
		}
		cv.setBusy()
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

// handlerError shows a response's error once, inline: a failed message
// with a Retry button (a toast repeating it would show it twice). Under
// ErrorUnhandled the failed message reaches the page before
// v's session ends, so the user sees what happened. Locked.
func (cv *conv) handlerError(v *Chat, fn func(context.Context) error, err error) {
	logerr.Log(v.log, "chat: a submit handler", err)
	var se *StreamError
	if errors.As(err, &se) {
		if v.cfg.errorMode == ErrorUnhandled {
			cv.closeAfterShown(v)
		}
		return // the stream already showed its failure inline
	}
	msg := v.userMessage(err)
	id := cv.newID()
	cv.setRetry(id, fn)
	fail := Message{ID: id, Role: Assistant, ContentType: Markdown, Status: Failed, Error: msg}
	v.stamp(&fail)
	cv.appendMsg(fail, nil)
	if v.cfg.errorMode == ErrorUnhandled {
		cv.closeAfterShown(v)
	}
}

// closeAfterShown ends v's session after what was broadcast so far: the
// close is posted behind it, and the session flushes its page's queue
// before it closes the connection. Locked.
func (cv *conv) closeAfterShown(v *Chat) {
	v.g.Post(func() { v.s.Close() }) // even if v moved to another conversation
}

// stopResponse cancels the running response and every stream. The streams
// go first, so that a stream whose iterator ends because the handler's
// context ended is already marked stopped rather than done.
func (cv *conv) stopResponse() {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	cv.stopLocked()
}

// stopLocked is stopResponse with mu held.
func (cv *conv) stopLocked() {
	if cv.current != nil {
		cv.current.cancel()
	}
	for _, o := range cv.queue {
		o.cancel()
	}
	if cv.respStop != nil && cv.running > 0 {
		cv.respStop()
	}
	if cv.remoteBusy { // another instance runs it
		cv.publish(liveEvent{Kind: evStop})
	}
}

// clear empties the transcript (a chat without history). Locked.
func (cv *conv) clear() {
	cv.msgs = nil
	cv.ids = idIndex{}
	clear(cv.html)
	cv.epoch++
	clear(cv.retries)
	clear(cv.alts)
}

// retry runs again the response that made the failed message id: the same
// response if this process ran it, otherwise v's handlers with the user
// message before it.
func (cv *conv) retry(v *Chat, id string) {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	if cv.running > 0 || cv.busy {
		return
	}
	if cv.h.closing() {
		v.s.Notify(sheen.LevelWarning, restartingText)
		return
	}
	fn := cv.retries[id]
	if fn == nil {
		i := slices.IndexFunc(cv.msgs, func(m Message) bool { return m.ID == id })
		if i < 0 || !cv.canRetry(cv.msgs[i]) {
			return
		}
		u := cv.msgs[cv.userBefore(id)]
		fn = v.responseFor(u)
		if fn == nil {
			return
		}
	}
	cv.startResponse(v, fn)
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

// logStore logs a store error of cv's conversation.
func (cv *conv) logger() *zap.Logger {
	if cv.h == nil {
		return zap.NewNop()
	}
	return cv.h.log.With(zap.String("conversation", cv.id))
}
