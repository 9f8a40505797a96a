package reactive

import "github.com/sheenhq/sheen/internal/goid"

// Calc is a lazily computed, cached value derived from other reactive values
// (Shiny's reactive.calc). It runs only when read while invalid; its result
// and its error are cached until something it read changes. Its dependencies
// are re-learned on every run.
//
// A Calc has no early cut-off: when something it read changes, its
// dependents are invalidated at once, even if it would compute an equal
// result. This is Shiny's rule and it is what keeps invalidation a single
// eager pass with no re-checking (see docs/reactive.md).
type Calc[T any] struct {
	obs  observer
	deps source
	fn   func() (T, error)
	val  T
	err  error
}

// NewCalc returns a calc computing fn. It does not run until it is read.
// A panic in fn becomes the calc's error, a [*PanicError] that names the calc
// (see [Label]).
func NewCalc[T any](g *Graph, fn func() (T, error), opts ...CalcOption) *Calc[T] {
	c := &Calc[T]{fn: fn}
	c.obs.g = g
	c.obs.src = &c.deps
	for _, o := range opts {
		o.applyCalc(&c.obs)
	}
	return c
}

// Get returns the calc's value and error, computing them first if the calc is
// invalid, and, inside a calc or effect, makes the reader depend on it. A
// cached error (including a silent stop) is returned to every reader without
// running the calc again. A calc that reads itself while it runs runs again
// (nested), up to the graph's recursion limit; past it the read fails with
// [ErrCycle].
func (c *Calc[T]) Get() (T, error) {
	me := goid.Current()
	g := c.obs.g
	if me != g.owner.Load() {
		var v T
		var err error
		g.readOff(func() { v, err = c.Get() })
		return v, err
	}
	cur := g.current
	if cur != nil {
		// source.register, written out (see there).
		if d, id := c.deps.deps, cur.id; len(d) < cap(d) && (len(d) == 0 || d[len(d)-1].id < id) {
			c.deps.deps = c.deps.deps[:len(d)+1] // only the length is stored
			d[:len(d)+1][len(d)] = edge{cur, id}
		} else {
			c.deps.registerSlow(cur, id)
		}
	}
	if c.obs.valid && c.obs.running == 0 {
		return c.val, c.err
	}
	if c.obs.running != 0 { // c reads itself (a nested run), or is destroyed
		if c.obs.dead {
			var zero T
			return zero, ErrDestroyed
		}
		if int(c.obs.running) >= c.obs.g.maxDepth {
			var zero T
			return zero, ErrCycle
		}
		if c.obs.calls != nil { // the new run drops the running one's callbacks
			c.obs.calls.fns = c.obs.calls.fns[:0]
		}
	}
	// (The graph through c from here: g would be saved across the call
	// that registering may make.)
	c.run(c.obs.g)
	c.obs.g.current = cur // after a panic too: run recovered it
	return c.val, c.err
}

// run runs the calc, turning a panic of fn into its error. It leaves the
// calc as the reader: Get restores its own.
func (c *Calc[T]) run(g *Graph) {
	c.obs.beginIn(g)
	g.current = &c.obs
	c.obs.running++
	defer func() {
		// A run that returned lowered the count of runs in progress
		// itself, so it is still raised only after a panic (or in a nested
		// run, where recover finds no panic): recover, which is not free,
		// is called only then.
		if c.obs.running == 0 {
			return
		}
		if r := recover(); r != nil {
			c.obs.running--
			c.obs.runs++
			var zero T
			c.val, c.err = zero, labelPanic(recovered(r), c.describe)
		}
	}()
	c.val, c.err = c.fn()
	c.obs.running--
	c.obs.runs++
}

// describe names the calc in reports (see [Label]).
func (c *Calc[T]) describe() string { return c.obs.describe("calc", c.fn) }

// Must returns the calc's value, stopping the reader with the calc's error if
// it has one (the error reaches the reader's error handling as if the reader
// had returned it). It belongs in reactive code: elsewhere the error is a
// plain panic.
func (c *Calc[T]) Must() T {
	v, err := c.Get()
	if err != nil {
		if !c.obs.g.owned() {
			panic(err)
		}
		panic(propagated{err})
	}
	return v
}

// Any returns [Calc.Must] as an any; the method value c.Any is a [Trigger].
func (c *Calc[T]) Any() any { return c.Must() }

// Runs returns how many times the calc has run.
func (c *Calc[T]) Runs() int {
	var n int
	c.obs.g.inspect(func() { n = c.obs.runs })
	return n
}

// Destroy invalidates the calc's dependents and makes every later read fail
// with [ErrDestroyed].
func (c *Calc[T]) Destroy() {
	g := c.obs.g
	if !g.owned() {
		g.Do(c.Destroy)
		return
	}
	if c.obs.dead {
		return
	}
	c.obs.dead = true
	// Get tests dead only when a run is in progress: a destroyed calc
	// counts as one that always is (it is invalid too, so that Get never
	// takes it for cached).
	c.obs.running = deadRunning
	if c.obs.valid {
		c.obs.invalidate()
	} else {
		g.invalidate(&c.deps)
	}
	var zero T
	c.val, c.err = zero, nil
}

// deadRunning is the count of runs in progress of a destroyed calc.
const deadRunning = 1 << 30

func callCalc[T any](fn func() (T, error)) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = recovered(r)
		}
	}()
	return fn()
}
