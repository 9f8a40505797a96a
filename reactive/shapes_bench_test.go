package reactive_test

import (
	"runtime"
	"testing"

	"github.com/sheenhq/sheen/internal/bench/reactive/shapes"
	"github.com/sheenhq/sheen/reactive"
)

// The shapes of the cross-language benchmark (internal/bench/reactive, where
// `make bench-reactive` compares them with alien-signals and preact) as
// testing.B benchmarks. Besides time and allocations per iteration they
// report, per update (per node for S7, which builds and disposes 3000 nodes):
// ns, allocs and B; and, except for S7, build-B/node: the heap allocated while
// building the graph (its first flush included) divided by its nodes.
//
//	go test -run '^$' -bench 'S[1-7]' -benchmem ./reactive/

func BenchmarkS1Deep(b *testing.B)    { benchShape(b, "S1_deep1000") }
func BenchmarkS2Broad(b *testing.B)   { benchShape(b, "S2_broad1000") }
func BenchmarkS3Diamond(b *testing.B) { benchShape(b, "S3_diamond1000") }
func BenchmarkS4Cellx(b *testing.B)   { benchShape(b, "S4_cellx1000") }
func BenchmarkS5Dynamic(b *testing.B) { benchShape(b, "S5_dyn1000x12") }
func BenchmarkS6Stream(b *testing.B)  { benchShape(b, "S6_stream1to1") }
func BenchmarkS7Create(b *testing.B)  { benchShape(b, "S7_create3000") }

// shapeGraph returns a graph that fails tb on any error it reports.
func shapeGraph(tb testing.TB) *reactive.Graph {
	tb.Helper()
	g := reactive.NewGraph(reactive.WithErrorHandler(func(err error) {
		tb.Errorf("graph reported: %v", err)
	}))
	tb.Cleanup(g.Close)
	return g
}

func benchShape(b *testing.B, name string) {
	s, ok := shapes.Lookup(name)
	if !ok {
		b.Fatalf("no shape %q", name)
	}
	g := shapeGraph(b)
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	iter, err := s.Build(g)
	runtime.ReadMemStats(&m1)
	if err != nil {
		b.Fatal(err)
	}
	buildBytes := m1.TotalAlloc - m0.TotalAlloc
	for range shapes.Warmup {
		if err := iter(); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&m0)
	for b.Loop() {
		if err := iter(); err != nil {
			b.Fatal(err)
		}
	}
	runtime.ReadMemStats(&m1)

	unit, per := "update", s.Updates
	if per == 0 {
		unit, per = "node", s.Nodes
	}
	n := float64(b.N) * float64(per)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/"+unit)
	b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/n, "allocs/"+unit)
	b.ReportMetric(float64(m1.TotalAlloc-m0.TotalAlloc)/n, "B/"+unit)
	if s.Updates > 0 { // S7 builds its graph in the loop: B/node says it
		b.ReportMetric(float64(buildBytes)/float64(s.Nodes), "build-B/node")
	}
}

// TestShapes runs every benchmark shape (untimed) and checks that its
// assertions pass: each iteration verifies what the graph computed. Two
// iterations, so S4 writes both directions and the per-iteration counters of
// S2 and S3 are reset once.
func TestShapes(t *testing.T) {
	for _, s := range shapes.All() {
		t.Run(s.Name, func(t *testing.T) {
			g := shapeGraph(t)
			iter, err := s.Build(g)
			if err != nil {
				t.Fatalf("build: %v", err)
			}
			for i := range 2 {
				if err := iter(); err != nil {
					t.Fatalf("iteration %d: %v", i+1, err)
				}
			}
		})
	}
}
