package shapes

import (
	"errors"
	"fmt"

	"github.com/sheenhq/sheen/reactive"
)

// Warmup is the number of untimed iterations the protocol runs before it
// collects garbage and starts timing.
const Warmup = 3

// Shape is one benchmark graph.
type Shape struct {
	Name    string // name shared with the JS side, such as "S1_deep1000"
	Updates int    // updates per iteration; 0 if the shape is not made of updates (S7)
	Nodes   int    // Values, Calcs and Effects the shape builds
	Samples int    // timed iterations; the protocol keeps the fastest

	build func(g *reactive.Graph) (func() error, error)
}

// Build builds the shape's graph in g and returns one iteration of it: iter
// runs the shape's updates and returns an error if the graph computed a wrong
// result. Build itself fails if the freshly built graph is wrong. g should be
// used for nothing else, and must be driven from one goroutine at a time.
func (s Shape) Build(g *reactive.Graph) (iter func() error, err error) {
	if g == nil {
		return nil, errors.New("shapes: Build with a nil graph")
	}
	if s.build == nil {
		return nil, fmt.Errorf("shapes: %q is not one of All()", s.Name)
	}
	return s.build(g)
}

// All returns the shapes S1–S7, in order.
func All() []Shape {
	return []Shape{
		{Name: "S1_deep1000", Updates: 100, Nodes: 1 + deepN + 1, Samples: 10, build: deep},
		{Name: "S2_broad1000", Updates: 100, Nodes: 1 + 2*broadN, Samples: 10, build: broad},
		{Name: "S3_diamond1000", Updates: 100, Nodes: 1 + diamondN + 2, Samples: 10, build: diamond},
		{Name: "S4_cellx1000", Updates: 1, Nodes: 4 + 8*cellxN, Samples: 10, build: cellx},
		{Name: "S5_dyn1000x12", Updates: dynUpdates, Nodes: dynWidth*(1+dynRows) + 1, Samples: 5, build: dyn},
		{Name: "S6_stream1to1", Updates: streamUpdates, Nodes: 3, Samples: 10, build: stream},
		{Name: "S7_create3000", Updates: 0, Nodes: 3 * createN, Samples: 20, build: create},
	}
}

// Lookup returns the shape called name.
func Lookup(name string) (Shape, bool) {
	for _, s := range All() {
		if s.Name == name {
			return s, true
		}
	}
	return Shape{}, false
}

// check returns an error unless got == want.
func check(shape, what string, got, want int) error {
	if got != want {
		return fmt.Errorf("%s: %s = %d, want %d", shape, what, got, want)
	}
	return nil
}

// reader is what a node of S4 and S5 reads: a Calc, or a Value through
// valueReader. An interface call per read, as the JS side makes one call per
// read.
type reader interface{ Get() (int, error) }

type valueReader struct{ v *reactive.Value[int] }

func (r valueReader) Get() (int, error) { return r.v.Get(), nil }

// S1: Value -> chain of 1000 Calcs (+1) -> 1 Effect; 100 updates.
const deepN = 1000

func deep(g *reactive.Graph) (func() error, error) {
	var head *reactive.Value[int]
	seen := -1
	g.Do(func() {
		head = reactive.NewValue(g, 0)
		cur := reactive.NewCalc(g, func() (int, error) { return head.Get() + 1, nil })
		for range deepN - 1 {
			prev := cur
			cur = reactive.NewCalc(g, func() (int, error) {
				v, err := prev.Get()
				return v + 1, err
			})
		}
		tail := cur
		reactive.NewEffect(g, func() error {
			v, err := tail.Get()
			if err != nil {
				return err
			}
			seen = v
			return nil
		})
	})
	if err := check("S1", "initial effect value", seen, deepN); err != nil {
		return nil, err
	}
	k := 0
	return func() error {
		var err error
		g.Do(func() {
			for range 100 {
				k++
				head.Set(k)
				if ferr := g.Flush(); ferr != nil {
					err = ferr
				}
			}
		})
		return errors.Join(err, check("S1", "effect value", seen, k+deepN))
	}, nil
}

// S2: Value -> 1000 x (Calc v+i -> Effect); 100 updates = 100,000 effect runs.
const broadN = 1000

func broad(g *reactive.Graph) (func() error, error) {
	var head *reactive.Value[int]
	runs, last := 0, 0
	g.Do(func() {
		head = reactive.NewValue(g, 0)
		for i := range broadN {
			c := reactive.NewCalc(g, func() (int, error) { return head.Get() + i, nil })
			reactive.NewEffect(g, func() error {
				v, err := c.Get()
				if err != nil {
					return err
				}
				last = v
				runs++
				return nil
			})
		}
	})
	if err := check("S2", "initial effect runs", runs, broadN); err != nil {
		return nil, err
	}
	k := 0
	return func() error {
		runs = 0
		var err error
		g.Do(func() {
			for range 100 {
				k++
				head.Set(k)
				if ferr := g.Flush(); ferr != nil {
					err = ferr
				}
			}
		})
		return errors.Join(err,
			check("S2", "effect runs", runs, 100*broadN),
			check("S2", "last effect value", last, k+broadN-1),
		)
	}, nil
}

// S3: Value -> 1000 Calcs (+1) -> 1 sum Calc -> 1 Effect; 100 updates. The
// effect must run exactly once per update (glitch-free).
const diamondN = 1000

func diamond(g *reactive.Graph) (func() error, error) {
	var head *reactive.Value[int]
	runs, seen := 0, -1
	g.Do(func() {
		head = reactive.NewValue(g, 0)
		cs := make([]*reactive.Calc[int], diamondN)
		for i := range cs {
			cs[i] = reactive.NewCalc(g, func() (int, error) { return head.Get() + 1, nil })
		}
		sum := reactive.NewCalc(g, func() (int, error) {
			s := 0
			for _, c := range cs {
				v, err := c.Get()
				if err != nil {
					return 0, err
				}
				s += v
			}
			return s, nil
		})
		reactive.NewEffect(g, func() error {
			v, err := sum.Get()
			if err != nil {
				return err
			}
			seen = v
			runs++
			return nil
		})
	})
	if err := check("S3", "initial effect value", seen, diamondN); err != nil {
		return nil, err
	}
	k := 0
	return func() error {
		runs = 0
		var err error
		g.Do(func() {
			for range 100 {
				k++
				head.Set(k)
				if ferr := g.Flush(); ferr != nil {
					err = ferr
				}
			}
		})
		return errors.Join(err,
			check("S3", "effect runs", runs, 100),
			check("S3", "effect value", seen, diamondN*(k+1)),
		)
	}, nil
}

// S4: cellx with 1000 layers: 4 Values; each layer has 4 Calcs (b, a-c, b+d,
// c) of the layer above, each with its own Effect. One iteration is one batch
// writing all four Values (alternately 4,3,2,1 and 1,2,3,4), then a read of
// the four ends, which must equal cellx's reference values.
const cellxN = 1000

var (
	cellxFrom     = [4]int{1, 2, 3, 4}
	cellxTo       = [4]int{4, 3, 2, 1}
	cellxEndsFrom = [4]int{-3, -6, -2, 2}
	cellxEndsTo   = [4]int{-2, -4, 2, 3}
	cellxEndNames = [4]string{"end 0", "end 1", "end 2", "end 3"}
)

// errNoTurn is S4's result when the graph did not run the turn that checks it.
var errNoTurn = errors.New("S4: the graph did not run the turn")

func cellx(g *reactive.Graph) (func() error, error) {
	var start [4]*reactive.Value[int]
	var end [4]*reactive.Calc[int]
	// checkEnds reads the four ends; call it inside a turn.
	checkEnds := func(want [4]int) error {
		for j, c := range end {
			v, err := c.Get()
			if err != nil {
				return fmt.Errorf("S4: end %d: %w", j, err)
			}
			if err := check("S4", cellxEndNames[j], v, want[j]); err != nil {
				return err
			}
		}
		return nil
	}
	g.Do(func() {
		var m [4]reader
		for j, v := range cellxFrom {
			start[j] = reactive.NewValue(g, v)
			m[j] = valueReader{start[j]}
		}
		for range cellxN {
			p := m
			next := [4]*reactive.Calc[int]{
				reactive.NewCalc(g, func() (int, error) { return p[1].Get() }),
				reactive.NewCalc(g, func() (int, error) { return sub(p[0], p[2]) }),
				reactive.NewCalc(g, func() (int, error) { return add(p[1], p[3]) }),
				reactive.NewCalc(g, func() (int, error) { return p[2].Get() }),
			}
			for _, c := range next {
				reactive.NewEffect(g, func() error {
					_, err := c.Get()
					return err
				})
			}
			m = [4]reader{next[0], next[1], next[2], next[3]}
			end = next
		}
	})
	err := errNoTurn
	g.Do(func() { err = checkEnds(cellxEndsFrom) })
	if err != nil {
		return nil, err
	}
	flip := false
	return func() error {
		flip = !flip
		vals, want := cellxFrom, cellxEndsFrom
		if flip {
			vals, want = cellxTo, cellxEndsTo
		}
		err := errNoTurn
		g.Do(func() {
			for j, v := range vals {
				start[j].Set(v)
			}
			if err = g.Flush(); err == nil {
				err = checkEnds(want)
			}
		})
		return err
	}, nil
}

func sub(a, b reader) (int, error) {
	x, err := a.Get()
	if err != nil {
		return 0, err
	}
	y, err := b.Get()
	return x - y, err
}

func add(a, b reader) (int, error) {
	x, err := a.Get()
	if err != nil {
		return 0, err
	}
	y, err := b.Get()
	return x + y, err
}

// S5: reactively's "4-1000x12 dyn5%": 1000 Values (initially 0..999), 11 rows
// of 1000 Calcs; node j of a row sums nodes j..j+3 (mod 1000) of the row
// above; 5 % of the nodes (chosen by the LCG below) are dynamic: they read
// their first source and, when it is odd, skip tail[first % 3]. One Effect
// sums all 1000 leaves. One iteration is 700 updates, the k-th writing k to
// source k mod 1000 (k counts on across iterations and starts at 1000, so
// every write changes a value); the effect's sum must equal a plain
// evaluation of the same graph.
const (
	dynWidth   = 1000
	dynRows    = 11 // rows of Calcs; 12 layers counting the sources
	dynSources = 4
	dynStatic  = 0.95
	dynSeed    = 0x2f6e2b1
	dynUpdates = 700
)

// lcg returns the benchmark's pseudo-random generator: a 31-bit LCG with
// 32-bit wrap-around (JS: Math.imul), scaled to [0, 1).
func lcg(seed uint32) func() float64 {
	x := seed
	return func() float64 {
		x = (x*1103515245 + 12345) & 0x7fffffff
		return float64(x) / 2147483648
	}
}

// dynTopology returns, for each row, which nodes are dynamic.
func dynTopology() [][]bool {
	rand := lcg(dynSeed)
	rows := make([][]bool, dynRows)
	for r := range rows {
		rows[r] = make([]bool, dynWidth)
		for j := range rows[r] {
			rows[r][j] = !(rand() < dynStatic)
		}
	}
	return rows
}

// dynEval evaluates the graph on plain numbers (the reference result): the
// sum of the leaves for the source values src. It uses scratch, two rows of
// dynWidth ints, for the rows in between, so it allocates nothing.
func dynEval(topo [][]bool, src []int, scratch *[2][]int) int {
	prev := src
	for r, dyn := range topo {
		cur := scratch[r%2]
		for j := range cur {
			sum := prev[j]
			drop := dyn[j] && sum&1 == 1
			dropDex := sum % (dynSources - 1)
			for i := range dynSources - 1 {
				if drop && i == dropDex {
					continue
				}
				sum += prev[(j+1+i)%dynWidth]
			}
			cur[j] = sum
		}
		prev = cur
	}
	total := 0
	for _, v := range prev {
		total += v
	}
	return total
}

// newScratch returns the scratch rows dynEval needs.
func newScratch() *[2][]int {
	return &[2][]int{make([]int, dynWidth), make([]int, dynWidth)}
}

func dyn(g *reactive.Graph) (func() error, error) {
	topo := dynTopology()
	scratch := newScratch()
	plain := make([]int, dynWidth)
	sources := make([]*reactive.Value[int], dynWidth)
	total := -1
	g.Do(func() {
		prev := make([]reader, dynWidth)
		for j := range sources {
			plain[j] = j
			sources[j] = reactive.NewValue(g, j)
			prev[j] = valueReader{sources[j]}
		}
		for _, dynRow := range topo {
			row := make([]reader, dynWidth)
			for j := range row {
				srcs := make([]reader, dynSources)
				for s := range srcs {
					srcs[s] = prev[(j+s)%dynWidth]
				}
				if !dynRow[j] {
					row[j] = reactive.NewCalc(g, func() (int, error) {
						sum := 0
						for _, src := range srcs {
							v, err := src.Get()
							if err != nil {
								return 0, err
							}
							sum += v
						}
						return sum, nil
					})
					continue
				}
				first, tail := srcs[0], srcs[1:]
				row[j] = reactive.NewCalc(g, func() (int, error) {
					sum, err := first.Get()
					if err != nil {
						return 0, err
					}
					drop := sum&1 == 1
					dropDex := sum % len(tail)
					for i, src := range tail {
						if drop && i == dropDex {
							continue
						}
						v, err := src.Get()
						if err != nil {
							return 0, err
						}
						sum += v
					}
					return sum, nil
				})
			}
			prev = row
		}
		leaves := prev
		reactive.NewEffect(g, func() error {
			s := 0
			for _, l := range leaves {
				v, err := l.Get()
				if err != nil {
					return err
				}
				s += v
			}
			total = s
			return nil
		})
	})
	if err := check("S5", "initial leaf sum", total, dynEval(topo, plain, scratch)); err != nil {
		return nil, err
	}
	k := dynWidth - 1
	return func() error {
		var err error
		g.Do(func() {
			for range dynUpdates {
				k++
				j := k % dynWidth
				plain[j] = k
				sources[j].Set(k)
				if ferr := g.Flush(); ferr != nil {
					err = ferr
				}
			}
		})
		return errors.Join(err, check("S5", "leaf sum", total, dynEval(topo, plain, scratch)))
	}, nil
}

// S6: Value -> Calc (x2) -> Effect, the per-token chat path; 100,000 updates.
const streamUpdates = 100_000

func stream(g *reactive.Graph) (func() error, error) {
	var v *reactive.Value[int]
	last := -1
	g.Do(func() {
		v = reactive.NewValue(g, 0)
		c := reactive.NewCalc(g, func() (int, error) { return v.Get() * 2, nil })
		reactive.NewEffect(g, func() error {
			x, err := c.Get()
			if err != nil {
				return err
			}
			last = x
			return nil
		})
	})
	if err := check("S6", "initial effect value", last, 0); err != nil {
		return nil, err
	}
	k := 0
	return func() error {
		var err error
		g.Do(func() {
			for range streamUpdates {
				k++
				v.Set(k)
				if ferr := g.Flush(); ferr != nil {
					err = ferr
				}
			}
		})
		return errors.Join(err, check("S6", "effect value", last, 2*k))
	}, nil
}

// S7: build 1000 Values + 1000 Calcs (+1) + 1000 Effects (each runs once),
// then dispose them (destroy the effects, as the JS side disposes its effect
// scope). One iteration is one build and dispose.
const createN = 1000

func create(g *reactive.Graph) (func() error, error) {
	effects := make([]*reactive.Effect, 0, createN)
	return func() error {
		runs, sum := 0, 0
		g.Do(func() {
			for i := range createN {
				s := reactive.NewValue(g, i)
				c := reactive.NewCalc(g, func() (int, error) { return s.Get() + 1, nil })
				effects = append(effects, reactive.NewEffect(g, func() error {
					v, err := c.Get()
					if err != nil {
						return err
					}
					sum += v
					runs++
					return nil
				}))
			}
		})
		g.Do(func() {
			for i, e := range effects {
				e.Destroy()
				effects[i] = nil
			}
		})
		effects = effects[:0]
		return errors.Join(
			check("S7", "effect runs", runs, createN),
			check("S7", "effect sum", sum, createN*(createN+1)/2),
		)
	}, nil
}
