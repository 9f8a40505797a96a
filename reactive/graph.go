package reactive

import (
	"context"
	"errors"
	"fmt"
	"log"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sheenhq/sheen/internal/goid"
)

// Errors reported by the graph.
var (
	// ErrSilent stops a calc or effect quietly, like Shiny's req(). Return it
	// (or an error wrapping it) from a calc or effect, or call [Req].
	ErrSilent = errors.New("reactive: silent stop")

	// ErrInProgress is the silent error a [Task] result reports while the task
	// runs. errors.Is(ErrInProgress, ErrSilent) is true.
	ErrInProgress = fmt.Errorf("%w: task in progress", ErrSilent)

	// ErrNestedFlush is returned by [Graph.Flush] when called during a flush.
	ErrNestedFlush = errors.New("reactive: flush requested inside a flush")

	// ErrCycle is the error of a calc that reads itself, directly or through
	// other calcs, deeper than the graph's recursion limit.
	ErrCycle = errors.New("reactive: cycle: a calc reads itself (recursion limit reached)")

	// ErrDestroyed is the error of reading a destroyed calc.
	ErrDestroyed = errors.New("reactive: read of a destroyed calc")

	// ErrRunaway is reported when an effect is invalidated and re-run more
	// times in one flush than the graph's run limit; the effect is suspended.
	ErrRunaway = errors.New("reactive: effect re-ran too often in one flush (it keeps invalidating itself); suspended")

	// ErrReadInTask is the error of reading a reactive value inside a [Task]
	// body. Pass what the task needs as its argument instead.
	ErrReadInTask = errors.New("reactive: a Task body cannot read reactive values; pass what it needs as its argument")
)

// PanicError is a panic recovered from reactive code, with the stack where it
// happened.
type PanicError struct {
	Value any
	Stack []byte
	// Label names the calc or effect that panicked, as in
	// `effect "render total" (app.go:42)` (see [Label]); empty for a panic
	// elsewhere (a Do or Post function, an after-flush hook).
	Label string
}

func (e *PanicError) Error() string {
	if e.Label != "" {
		return fmt.Sprintf("reactive: panic in %s: %v", e.Label, e.Value)
	}
	return fmt.Sprintf("reactive: panic: %v", e.Value)
}

// Unwrap returns the panic value if it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// Req stops the running calc or effect silently unless ok, like Shiny's req().
// Outside reactive code it panics with [ErrSilent].
func Req(ok bool) {
	if !ok {
		panic(ErrSilent)
	}
}

// IsSilent reports whether err is a silent stop ([ErrSilent] or one wrapping it).
func IsSilent(err error) bool { return err != nil && errors.Is(err, ErrSilent) }

// Option configures a [Graph].
type Option func(*Graph)

// WithClock sets the clock used by [Graph.InvalidateLater] and [Poll]. Tests
// use a fake clock (see package reactivetest) to control time without sleeping.
func WithClock(c Clock) Option { return func(g *Graph) { g.clock = c } }

// WithErrorHandler sets the function that receives effect errors, recovered
// panics and runaway effects. It runs inside the turn that hit the error. The
// default logs with the standard log package.
func WithErrorHandler(fn func(error)) Option { return func(g *Graph) { g.onError = fn } }

// WithRunLimit sets how many times one effect may run in one flush before it
// is suspended and [ErrRunaway] is reported. The default is 1000.
func WithRunLimit(n int) Option { return func(g *Graph) { g.runLimit = min(n, maxRunLimit) } }

// runSpan is how far Graph.runBase moves at each flush: beyond any count of
// runs in one flush, which the run limit keeps under maxRunLimit.
const (
	runSpan     = 1 << 32
	maxRunLimit = 1<<31 - 1
)

// WithRecursionLimit sets how deeply a calc may re-enter itself before its
// read fails with [ErrCycle]. The default is 200.
func WithRecursionLimit(n int) Option { return func(g *Graph) { g.maxDepth = n } }

// WithContext sets the parent context of the contexts given to [Task] bodies.
// Closing the graph cancels them either way.
func WithContext(ctx context.Context) Option { return func(g *Graph) { g.parent = ctx } }

// Graph is one session's reactive graph and its scheduler. Create it with
// [NewGraph]. All its methods are safe to call from any goroutine.
type Graph struct {
	// Turn state: touched only by the goroutine that holds mu (the owner).
	mu    sync.Mutex
	owner atomic.Uintptr // goid of the goroutine running a turn, 0 when none
	// The calc or effect being run, nil outside one. Its run (Shiny's
	// context) is its id: reads register edges with it.
	current  *observer
	nextID   uint64 // run ids, monotonic: the "context id" of Shiny
	q        queue
	flushing bool
	runBase  uint64    // see Effect.runMark
	fcur     *observer // the reader when the running (or last) flush began
	resuming bool      // effectPanicked runs the rest of a flush an effect's panic cut short
	again    bool      // a Flush it ran was cut short by a panic too
	// recoverEffect is deferred by a Flush that runs effects (see there).
	recoverEffect func()
	runLater      func() // a turn that drains the mailbox (see PostLater)
	hooks         []hook
	hookSeq       uint64
	timers        map[*timer]struct{}
	walk          []invFrame // the invalidation walk's stack, reused
	walking       bool

	// Mailbox: guarded by mbox.
	mbox      sync.Mutex
	posted    []func()
	spare     []func()
	draining  bool
	lingering bool                 // the drainer waits for more posts (drain)
	wake      chan struct{}        // wakes a lingering drainer
	taskGs    map[uintptr]struct{} // goroutines running Task bodies
	closed    atomic.Bool

	ctx    context.Context
	cancel context.CancelFunc

	// Configuration.
	clock    Clock
	onError  func(error)
	runLimit int
	maxDepth int
	parent   context.Context
}

type hook struct {
	id uint64
	fn func()
}

// NewGraph returns an empty graph.
func NewGraph(opts ...Option) *Graph {
	g := &Graph{runLimit: 1000, maxDepth: 200, clock: realClock{}, onError: defaultOnError}
	for _, o := range opts {
		o(g)
	}
	parent := g.parent
	if parent == nil {
		parent = context.Background()
	}
	g.ctx, g.cancel = context.WithCancel(parent)
	g.runLater = func() { g.Do(nil) } // made once: PostLater returns it
	// Made once: a deferred func value costs Flush fewer stores than a
	// closure built at every flush.
	g.recoverEffect = func() {
		if g.current != g.fcur {
			if r := recover(); r != nil {
				g.effectPanicked(r)
			}
		}
	}
	return g
}

func defaultOnError(err error) {
	var pe *PanicError
	if errors.As(err, &pe) {
		log.Printf("%v\n%s", err, pe.Stack)
		return
	}
	log.Printf("%v", err)
}

// owned reports whether the calling goroutine is running a turn of g.
func (g *Graph) owned() bool { return goid.Current() == g.owner.Load() }

// InTurn reports whether the caller runs inside a turn of g: in a calc, an
// effect, an after-flush hook, or a function given to Do or Post. Code that
// may be called both from reactive code and from other goroutines uses it to
// avoid waiting for work that needs the turn it holds.
func (g *Graph) InTurn() bool { return g.owned() }

// Do runs fn as a turn of the graph and then flushes: it waits until no other
// turn runs, runs what was posted before, runs fn, and runs every effect that
// became pending and every after-flush hook before it returns. Inside a turn
// (in reactive code, or in a function given to Do or Post) it just calls fn.
// A panic in fn is recovered and reported to the error handler. After
// [Graph.Close], Do does nothing.
//
// Never block reactive code on a goroutine that is itself waiting in Do: the
// two would wait for each other.
func (g *Graph) Do(fn func()) {
	me := goid.Current()
	if g.owner.Load() == me {
		if fn != nil {
			g.guard(fn)
		}
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed.Load() {
		return
	}
	g.owner.Store(me)
	defer g.owner.Store(0)
	g.runPosted()
	if fn != nil {
		g.guard(fn)
	}
	g.settle()
}

// Post schedules fn to run as a turn of the graph without waiting for it.
// Posted functions run in the order they were posted; the flush they cause
// follows them. After [Graph.Close], Post does nothing.
func (g *Graph) Post(fn func()) { g.post(fn, false) }

// PostLater schedules fn as [Graph.Post] does, but when no turn of g runs or
// is about to, it leaves running the turn to the caller: it returns a
// function that runs it on the calling goroutine, which must call it once it
// holds no lock that code of the turn may take. It returns nil when a turn
// running now, or one already on its way, will run fn (or g is closed).
//
// A goroutine that posts a stream of small turns, each with a lock held
// (the chat's flusher, for the page a conversation is shown on), saves
// waking another goroutine for each and the wait for it to be scheduled.
// Until run is called, what others post to g waits too: call it soon. The
// turn runs what was posted before fn, and the effects it causes, on the
// caller's goroutine: a caller that serves several graphs in turn should not
// take the turn of more than one, or one graph's slow code holds up the
// others.
func (g *Graph) PostLater(fn func()) (run func()) { return g.post(fn, true) }

// post adds fn to the mailbox and sees that a turn runs it: a running turn
// drains the mailbox before it ends, and so does the goroutine draining it;
// otherwise the drainer lingering for more is handed the work, or a new one
// starts, or (later) the caller gets the turn, unless a turn runs on another
// goroutine (the caller would wait for it).
func (g *Graph) post(fn func(), later bool) (run func()) {
	g.mbox.Lock()
	if g.closed.Load() {
		g.mbox.Unlock()
		return nil
	}
	g.posted = append(g.posted, fn)
	if g.draining || g.owned() {
		g.mbox.Unlock()
		return nil
	}
	g.draining = true
	if later && g.owner.Load() == 0 {
		g.mbox.Unlock()
		return g.runLater
	}
	start := true
	if g.lingering { // a drainer waits for more: hand it this
		g.lingering, start = false, false
		select {
		case g.wake <- struct{}{}:
		default:
		}
	}
	g.mbox.Unlock()
	if start {
		go g.drain()
	}
	return nil
}

// drainLinger is how long the goroutine that runs posted functions waits
// for more before it ends. A stream posts a frame every few tens of
// milliseconds: one goroutine that lives through it keeps the stack it
// grew, where a new goroutine per post grew a new stack every time (about a
// fifth of a busy server's CPU went to copying stacks).
const drainLinger = 100 * time.Millisecond

// drain runs what is posted, then waits drainLinger for more, and ends.
func (g *Graph) drain() {
	var t *time.Timer
	defer func() {
		if t != nil {
			t.Stop()
		}
	}()
	for {
		g.Do(nil)
		g.mbox.Lock()
		if g.closed.Load() {
			g.mbox.Unlock()
			return
		}
		if g.draining { // posted meanwhile: another drainer was started
			g.mbox.Unlock()
			return
		}
		g.lingering = true
		if g.wake == nil {
			g.wake = make(chan struct{}, 1)
		}
		wake := g.wake
		g.mbox.Unlock()
		if t == nil {
			t = time.NewTimer(drainLinger)
		} else {
			t.Reset(drainLinger)
		}
		select {
		case <-wake:
			continue // Post set draining and handed over its function
		case <-t.C:
		}
		g.mbox.Lock()
		if !g.lingering { // a Post claimed this goroutine as the timer fired
			g.mbox.Unlock()
			select {
			case <-wake:
			default:
			}
			continue
		}
		g.lingering = false
		g.mbox.Unlock()
		return
	}
}

// runPosted runs everything in the mailbox, in order, including what those
// functions post, and reports whether it ran anything. Owner only.
func (g *Graph) runPosted() (ran bool) {
	for {
		g.mbox.Lock()
		batch := g.posted
		if len(batch) == 0 {
			g.draining = false
			g.mbox.Unlock()
			return ran
		}
		ran = true
		g.posted = g.spare[:0]
		g.spare = nil
		g.mbox.Unlock()
		for i, fn := range batch {
			g.guard(fn)
			batch[i] = nil
		}
		g.mbox.Lock()
		if g.spare == nil {
			g.spare = batch[:0]
		}
		g.mbox.Unlock()
	}
}

// settle flushes until nothing is pending: effects, posted functions, and work
// left by after-flush hooks. Owner only.
func (g *Graph) settle() {
	for round := 0; !g.closed.Load(); round++ {
		if round == g.runLimit {
			g.report(fmt.Errorf("reactive: after-flush hooks keep leaving work; gave up after %d flushes", round))
			return
		}
		_ = g.Flush()
		// What posted functions did (effects, or output for the after-flush
		// hooks to send) gets a flush of its own.
		if !g.runPosted() && g.q.empty() {
			return
		}
	}
}

// guard calls fn, recovering a panic and reporting it unless it is silent.
func (g *Graph) guard(fn func()) {
	defer func() {
		if r := recover(); r != nil {
			if err := recovered(r); !IsSilent(err) {
				g.report(err)
			}
		}
	}()
	fn()
}

// report sends err to the error handler, never letting the handler's own
// panic escape.
func (g *Graph) report(err error) {
	defer func() {
		if r := recover(); r != nil {
			log.Printf("reactive: error handler panicked: %v (while reporting %v)", r, err)
		}
	}()
	g.onError(err)
}

// AsError turns a value recovered from a panic in reactive code into the
// error the graph reports for it: silent stops and the errors [Calc.Must]
// carries stay as they are; anything else becomes a [*PanicError] with the
// stack of the caller (call it from the deferred function).
func AsError(recovered any) error { return recoveredErr(recovered) }

func recovered(r any) error { return recoveredErr(r) }

// recoveredErr turns a recovered panic value into an error.
func recoveredErr(r any) error {
	switch v := r.(type) {
	case propagated:
		return v.err
	case error:
		if errors.Is(v, ErrSilent) || errors.Is(v, ErrReadInTask) {
			return v
		}
	}
	return &PanicError{Value: r, Stack: debug.Stack()}
}

// propagated carries an error through a panic from a read helper (such as
// [Calc.Any]) to the calc or effect that runs it.
type propagated struct{ err error }

// Flush runs every pending effect, highest priority first and then in the
// order they were invalidated, until none is pending, then calls the
// after-flush hooks once. Called during a flush it returns [ErrNestedFlush].
// Called outside a turn it is a [Graph.Do] of nothing.
func (g *Graph) Flush() error {
	if goid.Current() != g.owner.Load() {
		g.Do(nil)
		return nil
	}
	if g.flushing {
		return ErrNestedFlush
	}
	g.flushing = true
	if g.q.head != nil || g.q.others != 0 {
		g.runBase += runSpan // see Effect.runMark; effectPanicked moves it back
		if cur := g.current; cur != g.fcur {
			g.fcur = cur
		}
		// A panic in an effect is recovered here, once per flush rather
		// than once per run. The effect that panicked is the one still
		// recorded as the reader: a run restores the reader when its
		// function returns, and a calc restores it even when it panics; so
		// when the reader is the flush's own, nothing panicked in an effect
		// (or something else did, and the panic goes on), and recover,
		// which is not free, is not called.
		defer g.recoverEffect()
		// Run the pending effects until none is left or the graph closes.
		// The reader stays the effect that ran last until the flush's own
		// code runs code of others (an error handler, the hooks): each run
		// sets it, and only Flush's code runs between two runs.
		for {
			// (Through g, which is saved across the calls already, not a
			// pointer to g.q, which would be saved too.)
			var e *Effect
			if g.q.others == 0 {
				// Inline pop of the priority-0 FIFO, the usual queue.
				if e = g.q.head; e == nil {
					break // (q.tail may be the last that ran: see queue)
				}
				g.q.head, e.next = e.next, nil
			} else if e = g.q.popOther(); e == nil {
				break
			}
			if g.closed.Load() {
				break
			}
			// Runs in this flush: e.runMark counts from g.runBase, which moves
			// past every count of the previous flush when a flush begins; a
			// destroyed effect's is past every base.
			if e.runMark <= g.runBase { // the first run in this flush
				e.runMark = g.runBase + 1
			} else if e.destroyed {
				g.q.forget(e)
				continue
			} else if e.runMark++; e.runMark-g.runBase > uint64(g.runLimit) {
				g.current = g.fcur
				e.runaway()
				continue
			}
			e.obs.beginIn(g)
			g.current = &e.obs
			err := e.fn()
			// e is still the reader: reached through it, e need not be
			// saved across the call.
			if ran := g.current.effect(); err != nil { // (or a Once effect's errOnce)
				g.current = g.fcur
				ran.finish(err)
			} else {
				ran.obs.runs++
			}
		}
		g.current = g.fcur
	}
	if len(g.hooks) > 0 {
		g.runHooks() // still "flushing": a hook's Flush is refused
	}
	g.flushing = false
	return nil
}

// effectPanicked reports the panic r of the running effect and runs the rest
// of the flush it cut short (the next effects, then the hooks) in further
// Flush calls, which count runs as the first one did. One of those cut short
// by a panic too returns here, so the stack does not grow with the number of
// panics.
func (g *Graph) effectPanicked(r any) {
	running := g.current.effect()
	g.current = g.fcur
	running.finish(recovered(r))
	if g.resuming {
		g.again = true // the loop below, in the Flush this one resumes, goes on
		return
	}
	g.resuming = true
	for again := true; again; again = g.again {
		g.flushing, g.again = false, false
		if !g.q.empty() {
			g.runBase -= runSpan // Flush moves it back: the runs go on counting
		}
		_ = g.Flush()
	}
	g.resuming = false
}

// runaway suspends an effect that ran more often in one flush than the run
// limit and reports it.
func (e *Effect) runaway() {
	e.suspended, e.pendingResume = true, true
	e.refresh()
	e.obs.g.report(fmt.Errorf("reactive: %s: %w", e.describe(), ErrRunaway))
}

func (g *Graph) runHooks() {
	hooks := g.hooks
	for i := 0; i < len(hooks); i++ {
		g.guard(hooks[i].fn)
	}
}

// OnFlushed registers fn to run at the end of every flush, after the effects,
// in registration order (the session sends its batched output there). Work it
// causes runs in a following flush of the same turn. It returns a function that
// removes fn.
func (g *Graph) OnFlushed(fn func()) (remove func()) {
	var id uint64
	g.Do(func() {
		g.hookSeq++
		id = g.hookSeq
		g.hooks = append(g.hooks[:len(g.hooks):len(g.hooks)], hook{id, fn})
	})
	return func() {
		g.Do(func() {
			for i, h := range g.hooks {
				if h.id == id {
					hs := make([]hook, 0, len(g.hooks)-1)
					g.hooks = append(append(hs, g.hooks[:i]...), g.hooks[i+1:]...)
					return
				}
			}
		})
	}
}

// Isolate runs fn without tracking: reads inside it do not make the running
// calc or effect depend on anything.
func (g *Graph) Isolate(fn func()) {
	if !g.owned() {
		g.Do(fn)
		return
	}
	cur := g.current
	g.current = nil
	defer func() { g.current = cur }()
	fn()
}

// OnInvalidate registers fn to run when the current run of the running calc or
// effect is invalidated (once). Outside a calc or effect it does nothing.
func (g *Graph) OnInvalidate(fn func()) {
	if !g.owned() || g.current == nil {
		return
	}
	g.current.onRunInvalidate(g.current.id, fn)
}

// InvalidateLater invalidates the running calc or effect after d, so it runs
// again. The timer is cancelled if the run is invalidated first or the graph
// closes. Outside a calc or effect it does nothing.
func (g *Graph) InvalidateLater(d time.Duration) {
	if !g.owned() || g.current == nil {
		return
	}
	o, id := g.current, g.current.id
	t := &timer{}
	if g.timers == nil {
		g.timers = make(map[*timer]struct{})
	}
	g.timers[t] = struct{}{}
	t.t = g.clock.AfterFunc(d, func() {
		g.Post(func() {
			if _, live := g.timers[t]; !live {
				return
			}
			delete(g.timers, t)
			if o.id == id {
				o.invalidate()
			}
		})
	})
	o.onRunInvalidate(id, func() {
		if _, live := g.timers[t]; live {
			delete(g.timers, t)
			t.t.Stop()
		}
	})
}

type timer struct{ t Timer }

// Close ends the graph: pending and future work is dropped, timers stop, and
// the contexts of running [Task] bodies are cancelled. Close does not wait for
// task bodies to return. It is safe to call more than once and from reactive
// code.
func (g *Graph) Close() {
	g.mbox.Lock()
	if g.closed.Swap(true) {
		g.mbox.Unlock()
		return
	}
	g.posted = nil
	if g.lingering { // let a waiting drainer end now
		g.lingering = false
		select {
		case g.wake <- struct{}{}:
		default:
		}
	}
	g.mbox.Unlock()
	g.cancel()
	stop := func() {
		for t := range g.timers {
			t.t.Stop()
		}
		g.timers = nil
		g.q.clear()
	}
	if g.owned() {
		stop()
		return
	}
	g.mu.Lock()
	stop()
	g.mu.Unlock()
}

// inspect runs fn with the graph's turn lock held (or directly inside a
// turn), without flushing, even after Close: for reading counters.
func (g *Graph) inspect(fn func()) {
	if g.owned() {
		fn()
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	fn()
}

// Closed reports whether [Graph.Close] was called.
func (g *Graph) Closed() bool { return g.closed.Load() }

// Context returns the graph's context, cancelled by [Graph.Close].
func (g *Graph) Context() context.Context { return g.ctx }

// readOff handles a read from a goroutine that does not own the graph: an
// error inside a Task body; otherwise read runs with the turn's lock held and
// without flushing, so a read has no side effects: it runs no posted function,
// pending effect or after-flush hook. Only if the read itself left work (a
// calc it ran set a value) is that work flushed, as at the end of any turn.
// After Close it reads nothing.
func (g *Graph) readOff(read func()) {
	me := goid.Current()
	g.mbox.Lock()
	_, inTask := g.taskGs[me]
	g.mbox.Unlock()
	if inTask {
		panic(ErrReadInTask)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed.Load() {
		return
	}
	g.owner.Store(me)
	defer g.owner.Store(0)
	g.guard(read)
	if !g.q.empty() {
		g.settle()
	}
}
