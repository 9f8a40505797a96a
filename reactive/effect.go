package reactive

import (
	"errors"
	"fmt"
)

// Effect runs a function for its side effects whenever something it read
// changes (Shiny's reactive.effect / observe). It is eager: creating it queues
// its first run for the next flush.
type Effect struct {
	obs           observer // first: see observer.effect
	fn            func() error
	priority      int
	suspended     bool
	pendingResume bool
	destroyed     bool
	once          bool
	// slow is set when scheduling needs more than a push on the priority-0
	// FIFO (a priority, suspension, destruction or OnInvalidate callbacks):
	// the usual case is one test. See refresh.
	slow         bool
	onInvalidate []func()
	runMark      uint64  // runs in the current flush, counted from Graph.runBase
	next         *Effect // the next in the queue of priority 0 (see queue)
}

// refresh recomputes e.slow after a change of what scheduling depends on.
func (e *Effect) refresh() {
	e.slow = e.priority != 0 || e.suspended || e.destroyed || len(e.onInvalidate) > 0
}

// Priority sets the effect's priority: pending effects with a higher priority
// run first; equal priorities run in the order they were invalidated. The
// default is 0.
func Priority(p int) EffectOption { return effectOption(func(e *Effect) { e.priority = p }) }

// Suspended creates the effect suspended: its first run waits for
// [Effect.Resume].
func Suspended() EffectOption { return effectOption(func(e *Effect) { e.suspended = true }) }

// Once destroys the effect after its first run that is not a silent stop
// (R Shiny's observeEvent(once = TRUE)).
func Once() EffectOption { return effectOption(func(e *Effect) { e.once = true }) }

// NewEffect returns an effect running fn and queues its first run. An error
// returned by fn (or a panic in it) goes to the graph's error handler, except
// a silent stop ([ErrSilent]).
func NewEffect(g *Graph, fn func() error, opts ...EffectOption) *Effect {
	e := &Effect{fn: fn}
	e.obs.g = g
	for _, o := range opts {
		o.applyEffect(e)
	}
	if e.once {
		// Flush tests only for an error after a run: a once effect's run
		// that completes returns errOnce, which finish takes for nil.
		if e.obs.calls == nil || e.obs.calls.pc == 0 {
			e.obs.ext().pc = uintptr(siteOfFunc(fn)) // reports name fn, not the wrapper
		}
		e.fn = func() error {
			if err := fn(); err != nil {
				return err
			}
			return errOnce
		}
	}
	e.refresh()
	if g.owned() {
		e.schedule() // already in a turn: no closure, no extra recover
	} else {
		g.Do(e.schedule)
	}
	return e
}

// errOnce is what the function of a [Once] effect returns when the user's
// function returned nil (see NewEffect).
var errOnce = errors.New("reactive: once effect ran")

// schedule is called when the effect's current run is invalidated.
// (The invalidation walk tests e.slow and pushes on the FIFO itself.)
func (e *Effect) schedule() {
	if !e.slow {
		e.obs.g.q.pushZero(e)
		return
	}
	e.scheduleSlow()
}

func (e *Effect) scheduleSlow() {
	if len(e.onInvalidate) > 0 {
		for _, fn := range e.onInvalidate {
			e.obs.g.guard(fn)
		}
	}
	if e.destroyed {
		return
	}
	if e.suspended {
		e.pendingResume = true
		return
	}
	e.obs.g.q.push(e)
}

// finish ends a run of the effect that returned (or panicked with) err.
// Graph.Flush runs the effect and recovers a panic of its function; it
// restores the graph's reader before it calls finish.
func (e *Effect) finish(err error) {
	g := e.obs.g
	e.obs.runs++
	if err == errOnce {
		err = nil
	}
	if err != nil {
		if IsSilent(err) {
			return
		}
		if pe, ok := err.(*PanicError); ok && pe.Label == "" {
			pe.Label = e.describe() // its own panic
		} else {
			err = fmt.Errorf("reactive: %s: %w", e.describe(), err)
		}
		g.report(err)
	}
	if e.once {
		e.Destroy()
	}
}

// describe names the effect in reports (see [Label]).
func (e *Effect) describe() string { return e.obs.describe("effect", e.fn) }

// Suspend stops the effect from being queued; a run already queued still
// happens. Invalidations while suspended collapse into one run on Resume.
func (e *Effect) Suspend() { e.obs.g.Do(func() { e.suspended = true; e.refresh() }) }

// Resume lets a suspended effect run again, queueing it if it was invalidated
// while suspended.
func (e *Effect) Resume() {
	e.obs.g.Do(func() {
		if !e.suspended {
			return
		}
		e.suspended = false
		e.refresh()
		if e.pendingResume && !e.destroyed {
			e.pendingResume = false
			e.obs.g.q.push(e)
		}
	})
}

// Destroy stops the effect for good; a queued run is skipped.
func (e *Effect) Destroy() {
	g := e.obs.g
	if !g.owned() {
		g.Do(e.Destroy)
		return
	}
	if e.destroyed {
		return
	}
	e.destroyed = true
	e.runMark = ^uint64(0) // a queued run is skipped (see Graph.Flush)
	if g.q.head == nil {
		g.q.forget(e) // not queued: not kept either
	}
	e.refresh()
	e.obs.invalidate()
}

// SetPriority changes the priority used the next time the effect is queued;
// a run already queued keeps its place.
func (e *Effect) SetPriority(p int) { e.obs.g.Do(func() { e.priority = p; e.refresh() }) }

// OnInvalidate registers fn to be called every time the effect is invalidated.
func (e *Effect) OnInvalidate(fn func()) {
	e.obs.g.Do(func() { e.onInvalidate = append(e.onInvalidate, fn); e.slow = true })
}

// Runs returns how many times the effect has run.
func (e *Effect) Runs() int {
	var n int
	e.obs.g.inspect(func() { n = e.obs.runs })
	return n
}
