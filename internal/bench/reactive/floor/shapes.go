package floor

import "fmt"

// Shape is one of the benchmark shapes, built on a floor graph. Names,
// sizes, write sequences and checks are those of package shapes.
type Shape struct {
	Name    string
	Updates int
	// Build builds the graph and returns one iteration, which reports a
	// wrong result as an error.
	Build func() (iter func() error, err error)
}

// Shapes returns the shapes the floor runs: those whose cost is the graph's
// own (S1, S2, S3 and S6), in order.
func Shapes() []Shape {
	return []Shape{
		{Name: "S1_deep1000", Updates: 100, Build: deep},
		{Name: "S2_broad1000", Updates: 100, Build: broad},
		{Name: "S3_diamond1000", Updates: 100, Build: diamond},
		{Name: "S6_stream1to1", Updates: 100_000, Build: stream},
	}
}

func check(shape, what string, got, want int) error {
	if got != want {
		return fmt.Errorf("floor %s: %s = %d, want %d", shape, what, got, want)
	}
	return nil
}

// updates returns an iteration of n updates writing k+1, k+2, ... to head,
// each followed by a flush, then calling done with the last k.
func updates(g *Graph, head *Node, n int, done func(k int) error) func() error {
	k := 0
	return func() error {
		for range n {
			k++
			head.Set(k)
			g.Flush()
		}
		return done(k)
	}
}

func deep() (func() error, error) {
	g := new(Graph)
	head := g.Value(0)
	cur := g.Calc(func() int { return head.Get() + 1 })
	for range 999 {
		prev := cur
		cur = g.Calc(func() int { return prev.Get() + 1 })
	}
	tail, seen := cur, -1
	g.Effect(func() { seen = tail.Get() })
	g.Flush()
	if err := check("S1", "initial effect value", seen, 1000); err != nil {
		return nil, err
	}
	return updates(g, head, 100, func(k int) error { return check("S1", "effect value", seen, k+1000) }), nil
}

func broad() (func() error, error) {
	g := new(Graph)
	head := g.Value(0)
	runs, last := 0, 0
	for i := range 1000 {
		c := g.Calc(func() int { return head.Get() + i })
		g.Effect(func() { last = c.Get(); runs++ })
	}
	g.Flush()
	if err := check("S2", "initial effect runs", runs, 1000); err != nil {
		return nil, err
	}
	iter := updates(g, head, 100, func(k int) error {
		if err := check("S2", "effect runs", runs, 100*1000); err != nil {
			return err
		}
		return check("S2", "last effect value", last, k+999)
	})
	return func() error { runs = 0; return iter() }, nil
}

func diamond() (func() error, error) {
	g := new(Graph)
	head := g.Value(0)
	cs := make([]*Node, 1000)
	for i := range cs {
		cs[i] = g.Calc(func() int { return head.Get() + 1 })
	}
	sum := g.Calc(func() int {
		s := 0
		for _, c := range cs {
			s += c.Get()
		}
		return s
	})
	runs, seen := 0, -1
	g.Effect(func() { seen = sum.Get(); runs++ })
	g.Flush()
	if err := check("S3", "initial effect value", seen, 1000); err != nil {
		return nil, err
	}
	iter := updates(g, head, 100, func(k int) error {
		if err := check("S3", "effect runs", runs, 100); err != nil {
			return err
		}
		return check("S3", "effect value", seen, 1000*(k+1))
	})
	return func() error { runs = 0; return iter() }, nil
}

func stream() (func() error, error) {
	g := new(Graph)
	v := g.Value(0)
	c := g.Calc(func() int { return v.Get() * 2 })
	last := -1
	g.Effect(func() { last = c.Get() })
	g.Flush()
	if err := check("S6", "initial effect value", last, 0); err != nil {
		return nil, err
	}
	return updates(g, v, 100_000, func(k int) error { return check("S6", "effect value", last, 2*k) }), nil
}
