package shapes

import (
	"strings"
	"testing"

	"github.com/sheenhq/sheen/reactive"
)

// The JS side (../shapes.mjs) must build the very same S5 graph. These
// constants were printed by node from the JS code: the first outputs of the
// LCG, the number of dynamic nodes, and the leaf sums initially and after
// each of the first three iterations.
var (
	jsLCG         = []uint32{1108779926, 629115671, 1048144644, 1634072813, 1049715490}
	jsDynamic     = 537
	jsDynLeafSums = []int{2064107831559, 4993851388457, 7905336263505, 10753194728147}
)

func newGraph(t *testing.T) *reactive.Graph {
	t.Helper()
	g := reactive.NewGraph(reactive.WithErrorHandler(func(err error) {
		t.Errorf("graph reported: %v", err)
	}))
	t.Cleanup(g.Close)
	return g
}

func TestLCGMatchesJS(t *testing.T) {
	rand := lcg(dynSeed)
	for i, want := range jsLCG {
		if got := rand() * 2147483648; got != float64(want) {
			t.Errorf("output %d = %v, want %d", i, got, want)
		}
	}
}

func TestDynMatchesJS(t *testing.T) {
	n := 0
	for _, row := range dynTopology() {
		for _, d := range row {
			if d {
				n++
			}
		}
	}
	if n != jsDynamic {
		t.Errorf("dynamic nodes = %d, want %d", n, jsDynamic)
	}
	topo := dynTopology()
	plain := make([]int, dynWidth)
	for j := range plain {
		plain[j] = j
	}
	k := dynWidth - 1
	for it, want := range jsDynLeafSums {
		if it > 0 {
			for range dynUpdates {
				k++
				plain[k%dynWidth] = k
			}
		}
		if got := dynEval(topo, plain, newScratch()); got != want {
			t.Errorf("leaf sum after %d iterations = %d, want %d", it, got, want)
		}
	}
}

func TestShapesPass(t *testing.T) {
	for _, s := range All() {
		t.Run(s.Name, func(t *testing.T) {
			iter, err := s.Build(newGraph(t))
			if err != nil {
				t.Fatalf("build: %v", err)
			}
			for i := range 3 {
				if err := iter(); err != nil {
					t.Fatalf("iteration %d: %v", i+1, err)
				}
			}
		})
	}
}

// A graph that does nothing (closed: Do runs nothing, so no node is even
// built) must fail every shape's assertions, at build or at the first
// iteration, never crash and never pass.
func TestShapesDetectBrokenGraph(t *testing.T) {
	for _, s := range All() {
		t.Run(s.Name, func(t *testing.T) {
			g := reactive.NewGraph()
			g.Close()
			iter, err := s.Build(g)
			if err == nil {
				err = iter()
			}
			if err == nil {
				t.Fatal("a closed graph passed the shape's assertions")
			}
			if !strings.HasPrefix(err.Error(), s.Name[:2]+":") {
				t.Errorf("error %q does not name the shape", err)
			}
		})
	}
}

func TestBuildRejectsBadInput(t *testing.T) {
	s1, _ := Lookup("S1_deep1000")
	tests := []struct {
		name  string
		shape Shape
		g     *reactive.Graph
	}{
		{"nil graph", s1, nil},
		{"zero shape", Shape{}, reactive.NewGraph()},
		{"foreign shape", Shape{Name: "mine", Updates: 1}, reactive.NewGraph()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iter, err := tt.shape.Build(tt.g)
			if err == nil || iter != nil {
				t.Fatalf("Build = (%v, %v), want an error", iter != nil, err)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	all := All()
	if len(all) != 7 {
		t.Fatalf("All() has %d shapes, want 7", len(all))
	}
	for i, s := range all {
		if want := "S" + string(rune('1'+i)) + "_"; !strings.HasPrefix(s.Name, want) {
			t.Errorf("shape %d is %q, want a name starting %q", i, s.Name, want)
		}
		got, ok := Lookup(s.Name)
		if !ok || got.Name != s.Name || got.Updates != s.Updates || got.Samples != s.Samples {
			t.Errorf("Lookup(%q) = %+v, %v", s.Name, got, ok)
		}
	}
	if _, ok := Lookup("S8_nope"); ok {
		t.Error(`Lookup("S8_nope") found a shape`)
	}
}
