package chat

import (
	"bufio"
	"context"
	"errors"
	"io"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/sheenhq/sheen/internal/markdown"
	"github.com/sheenhq/sheen/internal/wirejson"
	"github.com/sheenhq/sheen/reactive"
)

// StreamStatus is the state of a streamed message.
type StreamStatus int

// Stream states.
const (
	StreamQueued StreamStatus = iota
	StreamRunning
	StreamDone
	StreamStopped
	StreamFailed
)

func (s StreamStatus) String() string {
	return [...]string{"queued", "running", "done", "stopped", "failed"}[s]
}

// StreamError is the error of a stream that failed midway. The partial text
// stays in the chat, marked failed, with a retry button.
type StreamError struct {
	ID  string // the message's id
	Err error
}

func (e *StreamError) Error() string { return "chat: stream failed: " + e.Err.Error() }

// Unwrap returns the stream's own error.
func (e *StreamError) Unwrap() error { return e.Err }

// ErrStopped is returned by [Stream.Wait] for a stream the user (or the app)
// stopped.
var ErrStopped = errors.New("chat: stream stopped")

// Stream is the handle of a message being streamed by
// [Chat.AppendMessageStream]. Blocking nothing else, it reports the stream's
// status (reactively), waits for its end, and cancels it.
type Stream struct {
	c      *Chat
	cv     *conv // the conversation it streams into
	status *reactive.Value[StreamStatus]
	done   chan struct{}
	o      *op
	text   string
	err    error
}

// Status returns the stream's status and, in reactive code, makes the reader
// depend on it.
func (s *Stream) Status() StreamStatus {
	var st StreamStatus
	s.c.g.Do(func() { st = s.status.Get() })
	return st
}

// Done is closed when the stream has ended.
func (s *Stream) Done() <-chan struct{} { return s.done }

// Wait waits for the stream's end and returns the full text of the message.
// The error is a [*StreamError] if the stream failed and [ErrStopped] if it
// was stopped, or ctx's error if ctx ends first.
func (s *Stream) Wait(ctx context.Context) (string, error) {
	select {
	case <-s.done:
		return s.text, s.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Cancel stops the stream; the text so far stays, marked stopped.
func (s *Stream) Cancel() { s.o.cancel() }

type opKind int

const (
	opAppend opKind = iota
	opStream
	opContext
)

// op is one entry of the chat's queue: appends, streams and stream contexts
// reach the page strictly in the order they were issued.
type op struct {
	v       *Chat // the chat that issued it (its options apply)
	kind    opKind
	content any
	seq     iter.Seq2[string, error]
	handle  *Stream
	w       *writer // opStream: its message, once it runs
	sc      *StreamContext
	ctx     context.Context // derived from parent; cancelled by stop
	parent  context.Context // the caller's ctx
	stop    context.CancelFunc
	done    chan struct{}
	ready   chan struct{} // opContext: the context is open
	closed  chan struct{} // opContext: the outermost context closed
	head    []StreamOption
	tf      func(string) string // opStream: the assistant transform (transform.go)
}

// ended reports whether o's context has ended. It asks the caller's context
// too: a parent closes its Done channel before it cancels its children, so an
// iterator that watched the parent can finish before o.ctx reports the end.
func (o *op) ended() bool {
	return o.ctx.Err() != nil || (o.parent != nil && o.parent.Err() != nil)
}

func (o *op) cancel() {
	if o.stop != nil {
		o.stop()
	}
}

// enqueue puts o in the conversation's queue. An append on an idle queue is
// applied at once; callers outside reactive code wait for an append to be
// applied (unless a stream context is open, whose appends wait for it to
// close). Reactive code never waits.
func (cv *conv) enqueue(ctx context.Context, o *op, wait bool) error {
	inTurn := o.v.g.InTurn()
	cv.mu.Lock()
	if o.kind == opAppend && !cv.working && len(cv.queue) == 0 {
		cv.appendMsg(cv.normalize(o.v, o.content, Assistant), nil)
		cv.mu.Unlock()
		close(o.done)
		return nil
	}
	if wait && len(cv.ctxs) > 0 {
		wait = false
	}
	cv.queue = append(cv.queue, o)
	if !cv.working {
		cv.working = true
		cv.h.responseStarted() // Shutdown waits for the queue too: a stream's end is saved
		go cv.work()
	}
	cv.setBusy()
	cv.mu.Unlock()
	if inTurn || !wait {
		return nil
	}
	select {
	case <-o.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// work runs the queue until it is empty.
func (cv *conv) work() {
	for {
		cv.mu.Lock()
		if len(cv.queue) == 0 {
			cv.working, cv.current = false, nil
			cv.setBusy()
			cv.mu.Unlock()
			cv.h.responseEnded()
			return
		}
		o := cv.queue[0]
		cv.queue[0] = nil
		cv.queue = cv.queue[1:]
		cv.current = o
		if o.kind == opAppend {
			cv.appendMsg(cv.normalize(o.v, o.content, Assistant), nil)
		}
		cv.mu.Unlock()
		switch o.kind {
		case opStream:
			cv.runStream(o)
			cv.transformStreamed(o.v, o.w.id, o.tf)
		case opContext:
			cv.runContext(o)
		}
		close(o.done)
	}
}

// AppendMessageStream streams a message from seq: each string is a chunk of
// markdown (with <thinking>…</thinking> recognised at a line start). It
// returns at once with a handle; the stream runs after anything queued before
// it, and appends issued after it wait for it. ctx (typically the submit
// handler's) and the stop button both stop it. If seq yields an error the
// partial text stays, marked failed with the error (as the chat's error mode
// words it) and a Retry button, and the input unlocks.
//
// opts set the message's author and avatar ([StreamAuthor], [StreamIcon]).
func (c *Chat) AppendMessageStream(ctx context.Context, seq iter.Seq2[string, error], opts ...StreamOption) *Stream {
	return c.appendStream(ctx, func(*Stream) iter.Seq2[string, error] { return seq }, opts...)
}

// appendStream is AppendMessageStream with the stream made from its own
// handle (which it uses to show tool calls and record usage: respond.go).
func (c *Chat) appendStream(ctx context.Context, mk func(h *Stream) iter.Seq2[string, error], opts ...StreamOption) *Stream {
	h := &Stream{c: c, done: make(chan struct{})}
	var tf func(string) string
	c.g.Do(func() { h.status, tf = reactive.NewValue(c.g, StreamQueued), c.assistantTransform })
	octx, stop := context.WithCancel(ctx)
	o := &op{v: c, kind: opStream, handle: h, ctx: octx, parent: ctx, stop: stop, done: make(chan struct{}), head: opts, tf: tf}
	h.o = o
	h.cv = c.target(ctx)
	o.seq = mk(h)
	c.latest.Store(h)
	_ = h.cv.enqueue(ctx, o, false)
	return h
}

// FromChannel adapts a channel of chunks to a stream; it ends when ch is
// closed.
func FromChannel(ch <-chan string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for s := range ch {
			if !yield(s, nil) {
				return
			}
		}
	}
}

// FromReader adapts a reader to a stream of chunks (as they are read).
func FromReader(r io.Reader) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		br := bufio.NewReader(r)
		buf := make([]byte, 4096)
		for {
			n, err := br.Read(buf)
			if n > 0 && !yield(string(buf[:n]), nil) {
				return
			}
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				yield("", err)
				return
			}
		}
	}
}

// FromStrings streams the given chunks (handy for tests and canned replies).
func FromStrings(chunks ...string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for _, s := range chunks {
			if !yield(s, nil) {
				return
			}
		}
	}
}

func (cv *conv) runStream(o *op) {
	w := cv.newWriter(o.v)
	w.applyHead(o.head)
	o.v.g.Do(func() { o.handle.status.Set(StreamRunning) })
	cv.mu.Lock()
	w.start()
	o.w = w
	cv.mu.Unlock()
	// The producer runs the iterator and writes its chunks itself (handing
	// each chunk to another goroutine would wake a thread per chunk), so that
	// stopping is immediate even if the iterator is blocked: this goroutine
	// waits for the producer or for ctx, whichever ends first. A producer
	// still inside the iterator then ends at its next chunk, whose write the
	// finished writer ignores.
	type result struct {
		status StreamStatus
		err    error
	}
	res := make(chan result, 1)
	go func() {
		r := result{status: StreamDone}
		done := o.ctx.Done()
		for s, err := range o.seq {
			if err != nil {
				if errors.Is(err, context.Canceled) && o.ended() {
					r.status = StreamStopped
				} else {
					r = result{StreamFailed, err}
				}
				break
			}
			select {
			case <-done:
				r.status = StreamStopped
			default:
				w.write(s)
				continue
			}
			break
		}
		res <- r
	}()
	var r result
	select {
	case r = <-res:
		// An iterator that ends because ctx ended was stopped (both cases of
		// this select may be ready: either can win).
		if r.status == StreamDone && o.ended() {
			r.status = StreamStopped
		}
	case <-o.ctx.Done():
		r.status = StreamStopped
	}
	status, failErr := r.status, r.err
	interrupted := status == StreamStopped && o.interrupted()
	o.stop()
	w.count()
	text := w.finish(status, failErr, interrupted)
	cv.mu.Lock()
	// Contexts opened inside the stream end with its message.
	cv.ctxs = slices.DeleteFunc(cv.ctxs, func(sc *StreamContext) bool { return sc.w == w })
	cv.mu.Unlock()
	h := o.handle
	h.text = text
	switch status {
	case StreamStopped:
		h.err = ErrStopped
	case StreamFailed:
		h.err = &StreamError{ID: w.id, Err: failErr}
	}
	o.v.g.Do(func() { h.status.Set(status) })
	close(h.done)
}

// interrupted reports whether o ended because the server is shutting down
// (rather than a stop by the user, the app or the time limit).
func (o *op) interrupted() bool {
	return errors.Is(context.Cause(o.ctx), errShutdown) || (o.parent != nil && errors.Is(context.Cause(o.parent), errShutdown))
}

// writer streams one message: chunks go into a markdown stream, and patches
// go to every view at most once per coalescing period. Its state is
// guarded by its conversation's mu.
type writer struct {
	cv       *conv
	runs     []func() // the flusher's: turns it runs itself (see flushLoop)
	v        *Chat    // the chat that started it (its options apply)
	id       string
	icon     HTML
	author   string          // people.go
	at       time.Time       // when the message started
	text     strings.Builder // the raw text, thinking tags included
	ms       *markdown.Stream
	last     time.Time
	fl       flusher // runs the coalesced flushes (flusher.go)
	ended    bool
	epoch    int // the conversation's epoch when the message started
	coalesce time.Duration
	save     textSaver  // persist.go
	pub      int        // bytes of the text published to the other instances (live.go)
	ui       *uiSet     // live UI added with StreamContext.AppendUI (live_ui.go)
	remote   bool       // the copy of a message another instance streams (live.go)
	tools    []ToolCall // its tool calls' cards (toolcall.go)
	mt       meter      // its metrics (metrics.go)
}

func (cv *conv) newWriter(v *Chat) *writer {
	return &writer{cv: cv, v: v, ms: renderer.NewStream(), icon: v.cfg.icon, author: v.cfg.assistantName, coalesce: v.cfg.coalesce}
}

// start shows the empty streaming message. Locked.
func (w *writer) start() {
	cv := w.cv
	w.id = cv.newID()
	w.epoch = cv.epoch
	w.at = time.Now()
	w.mt.start = w.at
	cv.live = w
	wm := wireOf(w.head(), rendered{}, false)
	wm.Streaming = true
	cv.persistStart(w)
	cv.publish(liveEvent{Kind: evStart, ID: w.id, Icon: w.icon, Author: w.author})
	cv.broadcast(func(v *Chat) {
		v.dismissGreeting()
		v.send("start", map[string]wireMsg{"message": wm})
	})
}

func (w *writer) write(s string) {
	cv := w.cv
	cv.mu.Lock()
	defer cv.mu.Unlock()
	if w.ended {
		return
	}
	w.text.WriteString(s)
	_, _ = w.ms.WriteString(s)
	w.mt.wrote(s)
	w.schedule()
}

// schedule flushes now if the coalescing period has passed since the last
// flush, or leaves the flush to the writer's flusher, which runs it when the
// period ends. A flush that is due at once is left to the flusher too while
// its goroutine runs (a chunk that came late): it sends the page its patch
// on that goroutine (see flushLoop), where a flush here would start a
// goroutine of the session's to send it. Locked.
func (w *writer) schedule() {
	switch {
	case w.fl.pending:
	case time.Since(w.last) < w.coalesce || w.fl.running && w.coalesce > 0:
		w.fl.pending = true
		w.wakeFlusher()
	default:
		w.flush()
	}
}

// stop ends the writer: no more flushes, no longer the message streaming
// now. Locked.
func (w *writer) stop() {
	w.fl.pending = false
	w.ended = true
	w.endFlusher()
	if w.cv.live == w {
		w.cv.live = nil
	}
}

// showEnd adds m, the finished message of w, to the transcript and ends it
// on every page: the last patch p, then its end (status, error, Retry).
// Locked.
func (w *writer) showEnd(m Message, p markdown.Patch) {
	cv := w.cv
	cv.msgs = append(cv.msgs, m)                                             // in place: every slice handed out is clipped
	end := map[string]any{"id": m.ID, "status": "done", "source": m.Content} // source: for the copy action
	if m.Status != Done {
		end["status"] = string(m.Status)
		if m.Error != "" {
			end["error"] = m.Error
		}
	}
	if m.Status == Failed || m.Status == Interrupted {
		end["retry"] = cv.canRetry(m)
	}
	if len(m.ToolCalls) > 0 {
		end["tools"] = wireTools(m.ToolCalls) // the cards as they ended
	}
	if m.Metrics != nil {
		end["metrics"] = wireMetricsOf(m.Metrics)
	}
	wp := wirePatch(w.id, p)
	cv.broadcast(func(v *Chat) {
		v.send("patch", wp)
		v.send("end", end) // a failure shows inline, once: no toast too
		v.changed()
	})
}

// replace makes the text keep[:n] + s and re-renders it from scratch.
func (w *writer) replace(n int, s string) {
	cv := w.cv
	cv.mu.Lock()
	defer cv.mu.Unlock()
	if w.ended {
		return
	}
	old := w.text.String()
	if n > len(old) {
		n = len(old)
	}
	w.text.Reset()
	w.text.WriteString(old[:n])
	w.text.WriteString(s)
	w.pub = min(w.pub, n) // the other instances rewrite from n too
	w.ms = renderer.NewStream()
	_, _ = w.ms.WriteString(w.text.String())
	w.save.rewound(n)
	w.flush() // a fresh stream's first patch replaces everything shown
}

func (w *writer) length() int {
	w.cv.mu.Lock()
	defer w.cv.mu.Unlock()
	return w.text.Len()
}

// flush sends what changed since the last flush to every view. Locked: the
// patch is taken and posted under the lock, so patches reach every page in
// order.
func (w *writer) flush() {
	w.fl.pending = false
	w.last = time.Now()
	if w.ended {
		return
	}
	p, ok := w.ms.Flush()
	if !ok || w.epoch != w.cv.epoch {
		return
	}
	w.cv.broadcastPatch(wirePatch(w.id, p)) // each view's frame appends it
	if w.remote {
		return // its own instance saves and publishes it
	}
	w.cv.publishText(w)
	if len(p.Answer.Blocks) > 0 || len(p.Thinking.Blocks) > 0 {
		w.cv.persistText(w, false) // a block closed: save the text, at most every SaveEvery
	}
}

// finish ends the message with status and returns its full text.
func (w *writer) finish(status StreamStatus, err error, interrupted bool) string {
	cv := w.cv
	cv.mu.Lock()
	defer cv.mu.Unlock()
	w.stop()
	p := w.ms.Finish()
	text := w.text.String()
	if w.epoch != cv.epoch {
		return text // the chat was cleared while this message streamed
	}
	m := w.head()
	m.Content, m.Thinking, m.ui = w.ms.Answer(), w.ms.Thinking(), w.ui
	m.ToolCalls, m.Metrics = w.endTools(), w.mt.metrics(time.Now())
	switch {
	case interrupted:
		m.Status, m.Error = Interrupted, interruptedText
	case status == StreamStopped:
		m.Status = Stopped
	case status == StreamFailed:
		v := w.v
		m.Status, m.Error = Failed, v.userMessage(err)
		if cv.running > 0 { // a response streamed it: Retry runs that response again
			cv.setRetry(w.id, cv.respFn)
		}
		v.log.Error("chat: stream failed", zap.Error(err))
	}
	// After Finish the stream's blocks are those of a render of the whole
	// text: kept, the message is never rendered again.
	snap := w.ms.Snapshot()
	cv.keep(m.ID, rendered{html: joinDelta(snap.Answer), thinking: joinDelta(snap.Thinking)})
	cv.persistFinish(w, m) // queued before any page can see the end
	if cv.shares() {
		cv.publish(liveEvent{Kind: evEnd, ID: w.id, Msg: ptr(cv.toStore(m))})
	}
	w.showEnd(m, p)
	return text
}

// interruptedText is what an interrupted message says.
const interruptedText = "The reply was interrupted."

// restartingText is what a question asked while the server drains gets.
const restartingText = "The server is restarting and could not answer. Retry in a moment."

// wireDelta is a markdown.Delta on the wire. Zero fields are left out (the
// page reads a missing from or keep as 0, blocks as [] and tail as ""): most
// patches only extend the tail, and a frame is sent every coalescing period.
type wireDelta struct {
	From   int      `json:"from,omitempty"`
	Keep   int      `json:"keep,omitempty"`
	Blocks []string `json:"blocks,omitempty"`
	Tail   string   `json:"tail,omitempty"`
}

// joinDelta is the HTML a delta from an empty view shows.
func joinDelta(d markdown.Delta) string { return strings.Join(d.Blocks, "") + d.Tail }

func toWire(d markdown.Delta) wireDelta {
	return wireDelta{From: d.From, Keep: d.Keep, Blocks: d.Blocks, Tail: d.Tail}
}

// patchWire is a patch message as the page receives it. A struct, not a
// map: encoding/json encodes a struct from a cached plan, a map by sorting
// its keys each time (every streamed frame carries one). The fields are in
// the order a map's sorted keys had, so the bytes are the same.
type patchWire struct {
	Answer         wireDelta  `json:"answer"`
	ID             string     `json:"id"`
	Thinking       *wireDelta `json:"thinking,omitempty"`
	ThinkingClosed *bool      `json:"thinkingClosed,omitempty"` // with Thinking
}

// AppendJSON appends the patch as encoding/json writes it with HTML
// escaping off (as sheen encodes a component message's data), without
// reflection. A *patchWire is a wirejson.Appender: [sheen.Session.Send]
// appends it straight into the frame that carries it, once for every view
// (it never changes once made). TestPatchAppendJSON pins the bytes against
// encoding/json.
func (w *patchWire) AppendJSON(b []byte) []byte {
	b = append(b, `{"answer":`...)
	b = w.Answer.appendJSON(b)
	b = append(b, `,"id":`...)
	b = wirejson.AppendString(b, w.ID)
	if w.Thinking != nil {
		b = append(b, `,"thinking":`...)
		b = w.Thinking.appendJSON(b)
	}
	if w.ThinkingClosed != nil {
		b = append(b, `,"thinkingClosed":`...)
		b = strconv.AppendBool(b, *w.ThinkingClosed)
	}
	return append(b, '}')
}

func (d wireDelta) appendJSON(b []byte) []byte {
	b = append(b, '{')
	n := len(b) // a field after the first starts with a comma
	if d.From != 0 {
		b = append(b, `"from":`...)
		b = strconv.AppendInt(b, int64(d.From), 10)
	}
	if d.Keep != 0 {
		b = appendKey(b, n, `"keep":`)
		b = strconv.AppendInt(b, int64(d.Keep), 10)
	}
	if len(d.Blocks) > 0 {
		b = appendKey(b, n, `"blocks":[`)
		for i, s := range d.Blocks {
			if i > 0 {
				b = append(b, ',')
			}
			b = wirejson.AppendString(b, s)
		}
		b = append(b, ']')
	}
	if d.Tail != "" {
		b = appendKey(b, n, `"tail":`)
		b = wirejson.AppendString(b, d.Tail)
	}
	return append(b, '}')
}

// appendKey appends key, after a comma unless the object that starts at
// b[n] is still empty.
func appendKey(b []byte, n int, key string) []byte {
	if len(b) > n {
		b = append(b, ',')
	}
	return append(b, key...)
}

// Size is the length of the patch's JSON (wirejson.Appender): the frame
// that carries it is made that much larger.
func (w *patchWire) Size() int {
	n := len(`{"answer":,"id":}`) + wirejson.StringLen(w.ID) + w.Answer.size()
	if w.Thinking != nil {
		n += len(`,"thinking":,"thinkingClosed":`) + w.Thinking.size() + len(strconv.FormatBool(*w.ThinkingClosed))
	}
	return n
}

// size is Size for a delta.
func (d wireDelta) size() int {
	n, fields := len(`{}`), 0
	if d.From != 0 {
		n, fields = n+len(`"from":`)+wirejson.IntLen(int64(d.From)), fields+1
	}
	if d.Keep != 0 {
		n, fields = n+len(`"keep":`)+wirejson.IntLen(int64(d.Keep)), fields+1
	}
	if len(d.Blocks) > 0 {
		n, fields = n+len(`"blocks":[]`)+len(d.Blocks)-1, fields+1 // commas between
		for _, s := range d.Blocks {
			n += wirejson.StringLen(s)
		}
	}
	if d.Tail != "" {
		n, fields = n+len(`"tail":`)+wirejson.StringLen(d.Tail), fields+1
	}
	if fields > 1 {
		n += fields - 1 // commas between
	}
	return n
}

func wirePatch(id string, p markdown.Patch) *patchWire {
	w := &patchWire{ID: id, Answer: toWire(p.Answer)}
	if p.Thinking.From != 0 || p.Thinking.Keep != 0 || len(p.Thinking.Blocks) > 0 || p.Thinking.Tail != "" || p.ThinkingClosed {
		th, closed := toWire(p.Thinking), p.ThinkingClosed
		w.Thinking, w.ThinkingClosed = &th, &closed
	}
	return w
}

// StreamContext streams one message that the app writes piece by piece, with
// checkpoints: [StreamContext.Replace] returns the message to what it was when
// this context opened. Contexts nest: a context opened while another is open
// writes into the same message. A context opened while a stream of
// [Chat.AppendMessageStream] runs (typically from its iterator, to show a tool
// call's progress) writes into the streaming message the same way. Appends
// issued while a context is open wait until the outermost one closes.
type StreamContext struct {
	cv         *conv
	parent     *StreamContext
	w          *writer
	checkpoint int
	o          *op
	closed     bool
}

// StreamContext opens a stream context: a new streaming message, or, if a
// stream context of this chat is open or a stream runs, a nested context in
// its message (its checkpoint is the message as it is now; closing it ends
// only the context, the message goes on). Otherwise it waits for what is
// queued before it, or for ctx: a context that is still queued when ctx ends
// leaves the queue and StreamContext returns ctx's error. Close it when done.
//
// A context opened while a stream runs joins that stream's message, as in
// shinychat: a stream holds the queue until its iterator ends, so a separate
// message opened from inside the iterator could never start. To show a
// context as its own message after a stream, wait for the stream first
// ([Stream.Wait]).
//
// opts set a new message's author and avatar ([StreamAuthor],
// [StreamIcon]); a nested context ignores them.
func (c *Chat) StreamContext(ctx context.Context, opts ...StreamOption) (*StreamContext, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cv := c.target(ctx)
	cv.mu.Lock()
	if o := cv.current; o != nil && o.kind == opStream && o.w != nil && !o.w.ended {
		n := &StreamContext{cv: cv, w: o.w, checkpoint: o.w.text.Len()}
		cv.ctxs = append(cv.ctxs, n)
		cv.mu.Unlock()
		return n, nil
	}
	if n := len(cv.ctxs); n > 0 {
		top := cv.ctxs[n-1]
		cv.mu.Unlock()
		return top.Nested(), nil
	}
	octx, stop := context.WithCancel(ctx)
	sc := &StreamContext{cv: cv, w: cv.newWriter(c)}
	sc.w.applyHead(opts)
	o := &op{v: c, kind: opContext, sc: sc, ctx: octx, parent: ctx, stop: stop, done: make(chan struct{}), ready: make(chan struct{}), closed: make(chan struct{})}
	sc.o = o
	cv.ctxs = append(cv.ctxs, sc)
	cv.mu.Unlock()
	if err := cv.enqueue(ctx, o, false); err != nil {
		return nil, err
	}
	select {
	case <-o.ready:
		return sc, nil
	case <-ctx.Done():
		cv.mu.Lock()
		if i := slices.Index(cv.queue, o); i >= 0 { // never started: leave the queue
			cv.queue = slices.Delete(cv.queue, i, i+1)
			sc.closed = true
			cv.ctxs = slices.DeleteFunc(cv.ctxs, func(x *StreamContext) bool { return x == sc })
			o.stop()
			close(o.done)
			cv.setBusy()
			cv.mu.Unlock()
			return nil, ctx.Err()
		}
		cv.mu.Unlock()
		sc.Close()
		return nil, ctx.Err()
	}
}

func (cv *conv) runContext(o *op) {
	cv.mu.Lock()
	o.sc.w.start()
	cv.mu.Unlock()
	close(o.ready)
	status := StreamDone
	select {
	case <-o.closed:
	case <-o.ctx.Done():
		status = StreamStopped
	}
	interrupted := status == StreamStopped && o.interrupted()
	o.stop()
	o.sc.w.count()
	o.sc.w.finish(status, nil, interrupted)
}

// Nested opens a context nested in sc: its checkpoint is the message as it
// is now.
func (sc *StreamContext) Nested() *StreamContext {
	n := &StreamContext{cv: sc.cv, parent: sc, w: sc.w, checkpoint: sc.w.length()}
	sc.cv.mu.Lock()
	sc.cv.ctxs = append(sc.cv.ctxs, n)
	sc.cv.mu.Unlock()
	return n
}

// Append adds markdown to the message.
func (sc *StreamContext) Append(s string) { sc.w.write(s) }

// Replace sets the message back to its state when this context opened, then
// adds s.
func (sc *StreamContext) Replace(s string) { sc.w.replace(sc.checkpoint, s) }

// Close closes the context. Closing the outermost one ends the message and
// lets queued appends through.
func (sc *StreamContext) Close() {
	cv := sc.cv
	cv.mu.Lock()
	if sc.closed {
		cv.mu.Unlock()
		return
	}
	sc.closed = true
	for i := len(cv.ctxs) - 1; i >= 0; i-- {
		if cv.ctxs[i] == sc {
			cv.ctxs = append(cv.ctxs[:i], cv.ctxs[i+1:]...)
			break
		}
	}
	cv.mu.Unlock()
	if sc.parent == nil && sc.o != nil {
		close(sc.o.closed)
		<-sc.o.done
	}
}
