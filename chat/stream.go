package chat

import (
	"bufio"
	"context"
	"errors"
	"io"
	"iter"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/internal/markdown"
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
	kind    opKind
	content any
	seq     iter.Seq2[string, error]
	handle  *Stream
	sc      *StreamContext
	ctx     context.Context // derived from parent; cancelled by stop
	parent  context.Context // the caller's ctx
	stop    context.CancelFunc
	done    chan struct{}
	ready   chan struct{} // opContext: the context is open
	closed  chan struct{} // opContext: the outermost context closed
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

// enqueue puts o in the chat's queue. An append on an idle queue from
// reactive code is applied at once; other callers outside reactive code wait
// for an append to be applied (unless a stream context is open, whose appends
// wait for it to close).
func (c *Chat) enqueue(ctx context.Context, o *op, wait bool) error {
	inTurn := c.g.InTurn()
	c.mu.Lock()
	idle := !c.working && len(c.queue) == 0
	if o.kind == opAppend && idle && inTurn {
		c.mu.Unlock()
		c.appendNow(c.normalize(o.content, Assistant), true)
		close(o.done)
		return nil
	}
	if wait && len(c.ctxs) > 0 {
		wait = false
	}
	c.queue = append(c.queue, o)
	start := !c.working
	c.working = true
	c.mu.Unlock()
	if start {
		go c.work()
	}
	if inTurn {
		c.setBusy()
		return nil
	}
	if !wait {
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
func (c *Chat) work() {
	for {
		c.mu.Lock()
		if len(c.queue) == 0 {
			c.working, c.current = false, nil
			c.mu.Unlock()
			c.g.Do(c.setBusy)
			return
		}
		o := c.queue[0]
		c.queue[0] = nil
		c.queue = c.queue[1:]
		c.current = o
		c.mu.Unlock()
		switch o.kind {
		case opAppend:
			c.g.Do(func() { c.appendNow(c.normalize(o.content, Assistant), true) })
		case opStream:
			c.runStream(o)
		case opContext:
			c.runContext(o)
		}
		close(o.done)
	}
}

// AppendMessageStream streams a message from seq: each string is a chunk of
// markdown (with <thinking>…</thinking> recognised at a line start). It
// returns at once with a handle; the stream runs after anything queued before
// it, and appends issued after it wait for it. ctx (typically the submit
// handler's) and the stop button both stop it. If seq yields an error the
// partial text stays, marked failed, a notification follows the chat's error
// mode, and the input unlocks.
func (c *Chat) AppendMessageStream(ctx context.Context, seq iter.Seq2[string, error]) *Stream {
	h := &Stream{c: c, done: make(chan struct{})}
	c.g.Do(func() { h.status = reactive.NewValue(c.g, StreamQueued) })
	octx, stop := context.WithCancel(ctx)
	o := &op{kind: opStream, seq: seq, handle: h, ctx: octx, parent: ctx, stop: stop, done: make(chan struct{})}
	h.o = o
	_ = c.enqueue(ctx, o, false)
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

func (c *Chat) runStream(o *op) {
	w := c.newWriter()
	c.g.Do(func() {
		o.handle.status.Set(StreamRunning)
		w.start()
		c.setBusy()
	})
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
	o.stop()
	text := w.finish(status, failErr)
	h := o.handle
	h.text = text
	switch status {
	case StreamStopped:
		h.err = ErrStopped
	case StreamFailed:
		h.err = &StreamError{ID: w.id, Err: failErr}
	}
	c.g.Do(func() { h.status.Set(status) })
	close(h.done)
}

// writer streams one message to the page: chunks go into a markdown stream,
// and patches are sent at most once per coalescing period.
type writer struct {
	c     *Chat
	id    string
	mu    sync.Mutex
	text  strings.Builder // the raw text, thinking tags included
	ms    *markdown.Stream
	last  time.Time
	timer *time.Timer
	ended bool
	epoch int // the chat's epoch when the message started
}

func (c *Chat) newWriter() *writer {
	return &writer{c: c, ms: c.md.NewStream()}
}

// start sends the empty streaming message. Turn.
func (w *writer) start() {
	c := w.c
	w.id = c.newID()
	w.epoch = c.epoch
	m := Message{ID: w.id, Role: Assistant, ContentType: Markdown, Icon: c.cfg.icon}
	wm := c.wire(m)
	wm.Streaming = true
	c.dismissGreeting()
	c.send("start", map[string]wireMsg{"message": wm})
}

func (w *writer) write(s string) {
	w.mu.Lock()
	if w.ended {
		w.mu.Unlock()
		return
	}
	w.text.WriteString(s)
	_, _ = w.ms.WriteString(s)
	due := time.Since(w.last) >= w.c.cfg.coalesce
	if !due && w.timer == nil {
		w.timer = time.AfterFunc(w.c.cfg.coalesce-time.Since(w.last), w.flushTimer)
	}
	w.mu.Unlock()
	if due {
		w.c.g.Do(w.flush)
	}
}

// replace makes the text keep[:n] + s and re-renders it from scratch.
func (w *writer) replace(n int, s string) {
	w.mu.Lock()
	old := w.text.String()
	if n > len(old) {
		n = len(old)
	}
	w.text.Reset()
	w.text.WriteString(old[:n])
	w.text.WriteString(s)
	w.ms = w.c.md.NewStream()
	_, _ = w.ms.WriteString(w.text.String())
	w.mu.Unlock()
	w.c.g.Do(w.flush) // a fresh stream's first patch replaces everything shown
}

func (w *writer) length() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.text.Len()
}

func (w *writer) flushTimer() { w.c.g.Do(w.flush) }

// flush sends what changed since the last flush. Turn: the patch is taken
// and sent in the same turn, so patches reach the page in order.
func (w *writer) flush() {
	w.mu.Lock()
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
	}
	w.last = time.Now()
	if w.ended {
		w.mu.Unlock()
		return
	}
	p, ok := w.ms.Flush()
	w.mu.Unlock()
	if ok && w.epoch == w.c.epoch {
		w.c.send("patch", wirePatch(w.id, p))
	}
}

// finish ends the message with status and returns its full text.
func (w *writer) finish(status StreamStatus, err error) string {
	var text string
	w.c.g.Do(func() {
		w.mu.Lock()
		if w.timer != nil {
			w.timer.Stop()
			w.timer = nil
		}
		w.ended = true
		p := w.ms.Finish()
		text = w.text.String()
		answer, thinking := w.ms.Answer(), w.ms.Thinking()
		w.mu.Unlock()
		c := w.c
		if w.epoch != c.epoch {
			return // the chat was cleared while this message streamed
		}
		c.send("patch", wirePatch(w.id, p))
		m := Message{ID: w.id, Role: Assistant, Content: answer, ContentType: Markdown, Thinking: thinking, Icon: c.cfg.icon}
		end := map[string]any{"id": w.id, "status": "done"}
		switch status {
		case StreamStopped:
			m.Status = Stopped
			end["status"] = "stopped"
		case StreamFailed:
			m.Status, m.Error = Failed, c.userMessage(err)
			if c.running > 0 { // a response streamed it: Retry runs that response again
				c.setRetry(w.id, c.respFn)
			}
			end["status"], end["error"], end["retry"] = "error", m.Error, c.retries[w.id] != nil
			c.log.Error("chat: stream failed", zap.Error(err))
			c.s.Notify(sheen.LevelError, m.Error)
		}
		c.send("end", end)
		c.msgs.Set(append(c.msgs.Peek(), m)) // in place: every slice handed out is clipped
	})
	return text
}

// wireDelta is a markdown.Delta on the wire. Zero fields are left out (the
// page reads a missing from or keep as 0, blocks as [] and tail as ""): most
// patches only extend the tail, and a frame is sent every coalescing period.
type wireDelta struct {
	From   int      `json:"from,omitempty"`
	Keep   int      `json:"keep,omitempty"`
	Blocks []string `json:"blocks,omitempty"`
	Tail   string   `json:"tail,omitempty"`
}

func toWire(d markdown.Delta) wireDelta {
	return wireDelta{From: d.From, Keep: d.Keep, Blocks: d.Blocks, Tail: d.Tail}
}

func wirePatch(id string, p markdown.Patch) map[string]any {
	m := map[string]any{"id": id, "answer": toWire(p.Answer)}
	if p.Thinking.From != 0 || p.Thinking.Keep != 0 || len(p.Thinking.Blocks) > 0 || p.Thinking.Tail != "" || p.ThinkingClosed {
		m["thinking"] = toWire(p.Thinking)
		m["thinkingClosed"] = p.ThinkingClosed
	}
	return m
}

// StreamContext streams one message that the app writes piece by piece, with
// checkpoints: [StreamContext.Replace] returns the message to what it was when
// this context opened. Contexts nest: a context opened while another is open
// writes into the same message. Appends issued while a context is open wait
// until the outermost one closes.
type StreamContext struct {
	c          *Chat
	parent     *StreamContext
	w          *writer
	checkpoint int
	o          *op
	closed     bool
}

// StreamContext opens a stream context: a new streaming message, or, if a
// stream context of this chat is open, a nested context in its message. It
// waits for what is queued before it (or for ctx). Close it when done.
func (c *Chat) StreamContext(ctx context.Context) (*StreamContext, error) {
	c.mu.Lock()
	if n := len(c.ctxs); n > 0 {
		top := c.ctxs[n-1]
		c.mu.Unlock()
		return top.Nested(), nil
	}
	c.mu.Unlock()
	octx, stop := context.WithCancel(ctx)
	sc := &StreamContext{c: c, w: c.newWriter()}
	o := &op{kind: opContext, sc: sc, ctx: octx, parent: ctx, stop: stop, done: make(chan struct{}), ready: make(chan struct{}), closed: make(chan struct{})}
	sc.o = o
	c.mu.Lock()
	c.ctxs = append(c.ctxs, sc)
	c.mu.Unlock()
	if err := c.enqueue(ctx, o, false); err != nil {
		return nil, err
	}
	select {
	case <-o.ready:
		return sc, nil
	case <-ctx.Done():
		sc.Close()
		return nil, ctx.Err()
	}
}

func (c *Chat) runContext(o *op) {
	c.g.Do(func() {
		o.sc.w.start()
		c.setBusy()
	})
	close(o.ready)
	status := StreamDone
	select {
	case <-o.closed:
	case <-o.ctx.Done():
		status = StreamStopped
	}
	o.stop()
	o.sc.w.finish(status, nil)
}

// Nested opens a context nested in sc: its checkpoint is the message as it
// is now.
func (sc *StreamContext) Nested() *StreamContext {
	n := &StreamContext{c: sc.c, parent: sc, w: sc.w, checkpoint: sc.w.length()}
	sc.c.mu.Lock()
	sc.c.ctxs = append(sc.c.ctxs, n)
	sc.c.mu.Unlock()
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
	c := sc.c
	c.mu.Lock()
	if sc.closed {
		c.mu.Unlock()
		return
	}
	sc.closed = true
	for i := len(c.ctxs) - 1; i >= 0; i-- {
		if c.ctxs[i] == sc {
			c.ctxs = append(c.ctxs[:i], c.ctxs[i+1:]...)
			break
		}
	}
	c.mu.Unlock()
	if sc.parent == nil && sc.o != nil {
		close(sc.o.closed)
		<-sc.o.done
	}
}
