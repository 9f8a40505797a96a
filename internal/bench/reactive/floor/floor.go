// Package floor is the smallest graph with Shiny's reactive semantics that
// the benchmark shapes can run on: values, lazy calcs that run when read
// (nested in their reader, as in Shiny), one-shot run contexts with
// dependencies re-learned on every run, eager invalidation and a first-in,
// first-out effect queue. It has nothing else: no goroutine checks, no
// errors or panic recovery, no priorities, no generics (every value is an
// int), no run limits, no callbacks.
//
// It is not a product and must not be used as one. It exists so that
// `make bench-reactive` can show, next to sheen's reactive package and the
// JS libraries, how fast the semantics themselves can go in Go on the
// machine at hand: the distance from reactive to the floor is what its
// features cost, the distance from the floor to alien-signals is what the
// semantics cost (see docs/benchmarks.md).
package floor

// Node is a Value (fn == nil), a Calc or an Effect.
type Node struct {
	g      *Graph
	gen    uint64 // the current run; edges with another gen are dead
	valid  bool
	effect bool
	val    int
	fn     func() int
	deps   []edge // the runs that read this node
}

type edge struct {
	n   *Node
	gen uint64
}

// Graph holds the reader being run and the pending effects.
type Graph struct {
	cur    *Node
	curGen uint64
	next   uint64
	queue  []*Node
}

// Value returns a value holding v.
func (g *Graph) Value(v int) *Node { return &Node{g: g, val: v, valid: true} }

// Calc returns a calc computing fn; it runs when first read.
func (g *Graph) Calc(fn func() int) *Node { return &Node{g: g, fn: fn} }

// Effect returns an effect running fn, queued for the next flush.
func (g *Graph) Effect(fn func()) *Node {
	e := &Node{g: g, effect: true, fn: func() int { fn(); return 0 }}
	g.queue = append(g.queue, e)
	return e
}

// Get returns the node's value, running it first if it is an invalid calc,
// and makes the running calc or effect depend on it.
func (n *Node) Get() int {
	g := n.g
	if g.cur != nil {
		n.deps = append(n.deps, edge{g.cur, g.curGen})
	}
	if n.fn != nil && !n.valid {
		cur, gen := g.cur, g.curGen
		g.begin(n)
		n.val = n.fn()
		g.cur, g.curGen = cur, gen
	}
	return n.val
}

// Set stores v and invalidates the node's dependents, unless v is its value.
func (n *Node) Set(v int) {
	if n.val == v {
		return
	}
	n.val = v
	n.g.invalidate(n)
}

func (g *Graph) begin(n *Node) {
	g.next++
	n.gen, n.valid = g.next, true
	g.cur, g.curGen = n, n.gen
}

// invalidate invalidates the live dependents of n, depth first through
// calcs, and queues the effects among them.
func (g *Graph) invalidate(n *Node) {
	deps := n.deps
	n.deps = n.deps[:0]
	for i, e := range deps {
		deps[i] = edge{}
		m := e.n
		if m.gen != e.gen || !m.valid {
			continue
		}
		m.valid = false
		if m.effect {
			g.queue = append(g.queue, m)
		} else {
			g.invalidate(m)
		}
	}
}

// Flush runs the pending effects until none is left.
func (g *Graph) Flush() {
	for i := 0; i < len(g.queue); i++ {
		e := g.queue[i]
		g.queue[i] = nil
		g.begin(e)
		e.fn()
		g.cur, g.curGen = nil, 0
	}
	g.queue = g.queue[:0]
}
