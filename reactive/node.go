package reactive

import (
	"slices"
	"unsafe"
)

// An observer is the part of a calc or effect that runs and reads: each run is
// a new "context" with a new id (Shiny's Context), and the edges it leaves on
// the sources it read carry that id. An edge whose id is not the observer's
// current id, or whose observer is no longer valid, is dead: nothing needs to
// unregister it, and it is dropped the next time its source invalidates or
// compacts. This keeps reads and re-runs free of allocation.
type observer struct {
	g   *Graph
	id  uint64  // id of the current run; edges with another id are dead
	src *source // a calc's readers; nil for an effect (see effect)
	// Callbacks for the current run, called once when it is invalidated, and
	// the node's label; allocated by the first OnInvalidate or by Label.
	calls *callbacks
	runs  int
	valid bool // the current run has not been invalidated
	// Used by Calc (they fill the padding, which keeps a Calc[int] in the
	// 128-byte size class: two cache lines).
	dead    bool  // destroyed
	running int32 // nested runs in progress
}

type callbacks struct {
	fns   []func()
	label string  // set by Label
	pc    uintptr // the code of the function to name, when not the node's own
}

// ext returns o.calls, allocating it.
func (o *observer) ext() *callbacks {
	if o.calls == nil {
		o.calls = new(callbacks)
	}
	return o.calls
}

// effect returns the Effect whose observer o is; o must not be a calc's.
// An Effect starts with its observer (checked by a test), so the two share an
// address: this saves a pointer per node, which keeps a Calc[int] in two
// cache lines.
func (o *observer) effect() *Effect { return (*Effect)(unsafe.Pointer(o)) }

// hasCalls reports whether the current run has invalidation callbacks.
func (o *observer) hasCalls() bool { return o.calls != nil && len(o.calls.fns) > 0 }

// beginIn starts a new run of o, whose graph is g: a fresh id, valid again.
// The run has no callbacks: an invalidation calls and clears those of the
// run it ends, and a run begins only once its previous run is invalid,
// except a calc's nested run (see Calc.Get), which drops them itself.
func (o *observer) beginIn(g *Graph) {
	g.nextID++
	o.id = g.nextID
	o.valid = true
}

// onRunInvalidate registers fn for the run with the given id.
func (o *observer) onRunInvalidate(id uint64, fn func()) {
	if id != o.id || !o.valid {
		fn() // that run is already invalidated: call at once, as Shiny does
		return
	}
	x := o.ext()
	x.fns = append(x.fns, fn)
}

// invalidate ends the current run: a calc's dependents are invalidated at
// once (depth first), an effect is queued; then the run's callbacks are called.
func (o *observer) invalidate() { o.g.invalidateEdge(edge{o, o.id}, 0) }

// runCalls calls the current run's invalidation callbacks, once.
func (o *observer) runCalls() {
	if !o.hasCalls() {
		return
	}
	calls := o.calls.fns
	o.calls.fns = nil
	for i, fn := range calls {
		o.g.guard(fn) // a panicking callback must not stop the invalidation walk
		calls[i] = nil
	}
	if o.calls.fns == nil {
		o.calls.fns = calls[:0]
	}
}

type edge struct {
	o  *observer
	id uint64
}

func (e edge) live() bool { return e.o.valid && e.o.id == e.id }

// A source is something that can be read: a Value (or its set-ness) or a Calc.
// deps lists the runs that read it, normally in ascending id order.
type source struct {
	deps     []edge
	unsorted bool
	oneBusy  bool    // one backs a list that an invalidation walk is using
	one      [1]edge // backs a first list of one edge: a single reader costs no allocation
}

// usesOne reports whether deps is backed by s.one.
func (s *source) usesOne(deps []edge) bool {
	return cap(deps) > 0 && &deps[:1][0] == &s.one[0]
}

// register records that run id of o read s. The hot reads (Calc.Get,
// Value.Get) write its fast path out themselves: with the call to
// registerSlow it is over the inliner's budget.
func (s *source) register(o *observer, id uint64) {
	if d := s.deps; len(d) < cap(d) && (len(d) == 0 || d[len(d)-1].id < id) {
		s.deps = append(d, edge{o, id})
		return
	}
	s.registerSlow(o, id)
}

func (s *source) registerSlow(o *observer, id uint64) {
	n := len(s.deps)
	if cap(s.deps) == 0 && !s.oneBusy {
		s.one[0] = edge{o, id}
		s.deps = s.one[:1:1]
		return
	}
	if n > 0 {
		last := s.deps[n-1]
		if last.o == o && last.id == id {
			return // repeated read in the same run
		}
		if n == cap(s.deps) && n >= 8 {
			s.compact()
			n = len(s.deps)
		}
		if n > 0 && s.deps[n-1].id > id {
			s.unsorted = true
		}
	}
	if s.usesOne(s.deps) {
		s.deps = append(s.deps, edge{o, id}) // moves to the heap
		s.one[0] = edge{}
		return
	}
	s.deps = append(s.deps, edge{o, id})
}

// compact drops dead edges, so a source that is read often but never changes
// does not grow without bound.
func (s *source) compact() {
	j := 0
	for _, e := range s.deps {
		if e.live() {
			s.deps[j] = e
			j++
		}
	}
	clear(s.deps[j:])
	s.deps = s.deps[:j]
}

// take removes and returns the dependents, in ascending run-id order.
func (s *source) take() []edge {
	deps := s.deps
	if s.unsorted {
		slices.SortStableFunc(deps, func(a, b edge) int {
			switch {
			case a.id < b.id:
				return -1
			case a.id > b.id:
				return 1
			}
			return 0
		})
		s.unsorted = false
	}
	s.deps = nil // reads during the walk start a new list
	if s.usesOne(deps) {
		s.oneBusy = true
	}
	return deps
}

// giveBack lets s reuse the (cleared) list take returned.
func (s *source) giveBack(deps []edge) {
	if s.oneBusy && s.usesOne(deps) {
		s.oneBusy = false
	}
	if s.deps == nil {
		s.deps = deps[:0]
	}
}

// invFrame is one source being walked by Graph.invalidate.
type invFrame struct {
	deps []edge
	i    int
	src  *source
	cb   *observer // a calc whose run callbacks follow its dependents
}

// invalidate invalidates every live dependent of s, in ascending run-id
// order (Shiny's order), depth first through calcs, and forgets them all.
func (g *Graph) invalidate(s *source) { g.invalidateAt(s, 0) }

// maxRecursion is how deep invalidation recurses through calcs before it
// continues with an explicit stack: recursion is faster for the usual
// shallow graphs, the stack keeps a long chain from costing a deep one.
const maxRecursion = 24

func (g *Graph) invalidateAt(s *source, depth int) {
	if len(s.deps) == 0 {
		return
	}
	if depth >= maxRecursion {
		g.invalidateDeep(s)
		return
	}
	for len(s.deps) == 1 {
		// One reader (a calc read by one calc or effect, the usual case):
		// take the edge out and leave the emptied list in place, where reads
		// during the walk may start the next one. A chain of calcs with one
		// reader each and no callbacks is walked in this loop, in one frame.
		e := s.deps[0]
		s.deps[0].o = nil // (the id is no pointer: left as it is)
		s.deps = s.deps[:0]
		if s.unsorted { // a load, where a store costs more
			s.unsorted = false
		}
		o := e.o
		if o.hasCalls() {
			g.invalidateEdge(e, depth+1)
			return
		}
		if o.id != e.id || !o.valid {
			return
		}
		o.valid = false
		if o.src == nil {
			if e := o.effect(); !e.slow {
				g.q.pushZero(e)
			} else {
				e.scheduleSlow()
			}
			return
		}
		s = o.src
	}
	if len(s.deps) == 0 {
		return
	}
	deps := s.take()
	for i := range deps {
		e := deps[i]
		deps[i].o = nil
		// invalidateEdge, with its usual cases written out: a dead edge, an
		// effect, and a chain of calcs with one reader each and no
		// callbacks (the calc between a value and its effect, or the other
		// arms of a diamond, whose one reader was invalidated already),
		// walked in this loop.
		for {
			o := e.o
			if o.id != e.id || !o.valid {
				break
			}
			if o.hasCalls() {
				g.invalidateEdge(e, depth+1)
				break
			}
			o.valid = false
			if o.src == nil {
				if ef := o.effect(); !ef.slow {
					g.q.pushZero(ef)
				} else {
					ef.scheduleSlow()
				}
				break
			}
			src := o.src
			if len(src.deps) != 1 {
				if len(src.deps) > 1 {
					g.invalidateAt(src, depth+1)
				}
				break
			}
			e = src.deps[0]
			src.deps[0].o = nil
			src.deps = src.deps[:0]
			if src.unsorted {
				src.unsorted = false
			}
		}
	}
	s.giveBack(deps)
}

// invalidateEdge invalidates the run e points at, if it is still live: a
// calc's dependents at once, at the given depth of the walk, an effect is
// queued; then the run's callbacks are called.
func (g *Graph) invalidateEdge(e edge, depth int) {
	o := e.o
	if o.id != e.id || !o.valid {
		return
	}
	o.valid = false
	if o.src != nil {
		g.invalidateAt(o.src, depth)
	} else {
		o.effect().schedule()
	}
	if o.hasCalls() {
		o.runCalls()
	}
}

// invalidateDeep is invalidateAt with an explicit stack.
func (g *Graph) invalidateDeep(s *source) {
	nested := g.walking
	var stack []invFrame
	if nested {
		stack = make([]invFrame, 0, 4) // a callback invalidated during a walk
	} else {
		stack, g.walking = g.walk[:0], true
	}
	stack = append(stack, invFrame{deps: s.take(), src: s})
	for n := len(stack); n > 0; n = len(stack) {
		f := &stack[n-1]
		if f.i == len(f.deps) {
			f.src.giveBack(f.deps)
			cb := f.cb
			stack[n-1] = invFrame{}
			stack = stack[:n-1]
			if cb != nil {
				cb.runCalls()
			}
			continue
		}
		e := f.deps[f.i]
		f.deps[f.i].o = nil
		f.i++
		o := e.o
		if o.id != e.id || !o.valid {
			continue
		}
		o.valid = false
		if o.src != nil {
			var cb *observer
			if o.hasCalls() {
				cb = o
			}
			child := invFrame{deps: o.src.take(), src: o.src, cb: cb}
			if f.i == len(f.deps) && f.cb == nil {
				// f is done and has no callbacks to run after its
				// dependents: the child takes its place, so a chain walks
				// in one frame.
				f.src.giveBack(f.deps)
				*f = child
				continue
			}
			stack = append(stack, child)
			continue
		}
		o.effect().schedule()
		o.runCalls()
	}
	if !nested {
		g.walk, g.walking = stack[:0], false
	}
}

// queue holds pending effects: highest priority first, then first in first
// out. Priority 0 (the default, and nearly always the only one) has a list of
// its own, so that a queue with no other priority is one FIFO, linked through
// the effects (Effect.next: an effect is queued at most once at a time, as
// only an invalidation, its creation or Resume queue it); other priorities
// are few, so their buckets are kept in a short sorted slice.
type queue struct {
	head *Effect // priority 0, first in; nil when none is queued
	// tail is the last in while head is not nil. After the pop that empties
	// the list it is left as it is, which keeps that effect alive until the
	// next push: not a destroyed one (see forget).
	tail    *Effect
	buckets []bucket // other priorities, descending
	others  int      // effects in buckets
}

// empty reports whether no effect is queued.
func (q *queue) empty() bool { return q.head == nil && q.others == 0 }

type bucket struct {
	prio  int
	items []*Effect
	head  int
}

func (q *queue) push(e *Effect) {
	if e.priority == 0 {
		q.pushZero(e)
		return
	}
	q.pushOther(e)
}

// pushZero queues e, whose priority is 0.
func (q *queue) pushZero(e *Effect) {
	if q.head == nil {
		q.head = e
	} else {
		q.tail.next = e
	}
	q.tail = e
}

// forget drops e, which is destroyed and not queued, from q.tail.
func (q *queue) forget(e *Effect) {
	if q.tail == e {
		q.tail = nil
	}
}

// clear empties the queue (Graph.Close).
func (q *queue) clear() {
	for e := q.head; e != nil; {
		e, e.next = e.next, nil
	}
	*q = queue{}
}

func (q *queue) pushOther(e *Effect) {
	p := e.priority
	q.others++
	i := 0
	for ; i < len(q.buckets); i++ {
		if q.buckets[i].prio == p {
			break
		}
		if q.buckets[i].prio < p {
			q.buckets = slices.Insert(q.buckets, i, bucket{prio: p})
			break
		}
	}
	if i == len(q.buckets) {
		q.buckets = append(q.buckets, bucket{prio: p})
	}
	b := &q.buckets[i]
	b.items = append(b.items, e)
}

// popZero pops the first effect of priority 0; there is one.
func (q *queue) popZero() *Effect {
	e := q.head
	q.head, e.next = e.next, nil
	if q.head == nil {
		q.tail = nil
	}
	return e
}

// popOther pops the first effect of the highest priority, when some effect
// has a priority other than 0.
func (q *queue) popOther() *Effect {
	for i := range q.buckets {
		b := &q.buckets[i]
		if b.prio < 0 && q.head != nil {
			return q.popZero()
		}
		if b.head < len(b.items) {
			e := b.items[b.head]
			b.items[b.head] = nil
			b.head++
			if b.head == len(b.items) {
				b.items, b.head = b.items[:0], 0
			}
			q.others--
			return e
		}
	}
	if q.head != nil {
		return q.popZero()
	}
	return nil
}
