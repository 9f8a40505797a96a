package reactive_test

import (
	"sync"
	"testing"

	"github.com/sheenhq/sheen/reactive"
)

// Reads from outside a turn take the lock but do not flush: no after-flush
// hook runs, and a function posted before them still waits for its own turn.
func TestReadsFromOutsideATurnDoNotFlush(t *testing.T) {
	g, _ := newGraph(t)
	v := reactive.NewValue(g, 2)
	u := reactive.NewUnsetValue[int](g)
	c := reactive.NewCalc(g, func() (int, error) { return v.Get() * 10, nil })
	var hooks int
	g.OnFlushed(func() { hooks++ })
	before := hooks
	reads := []struct {
		name string
		read func() any
		want any
	}{
		{"Get", func() any { return v.Get() }, 2},
		{"Peek", func() any { return v.Peek() }, 2},
		{"IsSet", func() any { return u.IsSet() }, false},
		{"Lookup", func() any { x, ok := u.Lookup(); return [2]any{x, ok} }, [2]any{0, false}},
		{"PeekLookup", func() any { x, ok := v.PeekLookup(); return [2]any{x, ok} }, [2]any{2, true}},
		{"Calc.Get", func() any { x, _ := c.Get(); return x }, 20},
	}
	for _, r := range reads {
		if got := r.read(); got != r.want {
			t.Errorf("%s = %v, want %v", r.name, got, r.want)
		}
	}
	if hooks != before {
		t.Fatalf("after-flush hooks ran %d times during plain reads, want 0", hooks-before)
	}
}

// Lookup is tracked like Get (the reader runs again when the value is set or
// unset) and never stops the reader.
func TestLookupTracksAndDoesNotStop(t *testing.T) {
	g, _ := newGraph(t)
	v := reactive.NewUnsetValue[string](g)
	var seen []string
	reactive.NewEffect(g, func() error {
		s, ok := v.Lookup()
		if !ok {
			s = "<unset>"
		}
		seen = append(seen, s)
		return nil
	})
	v.Set("a")
	v.Unset()
	want := []string{"<unset>", "a", "<unset>"}
	if len(seen) != len(want) || seen[0] != want[0] || seen[1] != want[1] || seen[2] != want[2] {
		t.Fatalf("seen = %q, want %q", seen, want)
	}
}

// PeekLookup adds no dependency.
func TestPeekLookupAddsNoDependency(t *testing.T) {
	g, _ := newGraph(t)
	v := reactive.NewUnsetValueFunc[[]int](g, nil)
	runs := 0
	reactive.NewEffect(g, func() error { runs++; v.PeekLookup(); return nil })
	v.Set([]int{1})
	if runs != 1 {
		t.Fatalf("runs = %d, want 1", runs)
	}
	if x, ok := v.PeekLookup(); !ok || len(x) != 1 {
		t.Fatalf("PeekLookup = %v, %v; want [1], true", x, ok)
	}
}

// Reads from many goroutines race with sets and with effects (run with -race).
func TestReadsFromManyGoroutines(t *testing.T) {
	g, _ := newGraph(t)
	v := reactive.NewUnsetValue[int](g)
	c := reactive.NewCalc(g, func() (int, error) { return v.Get() + 1, nil })
	var sum int
	reactive.NewEffect(g, func() error { x, _ := c.Get(); sum += x; return nil })
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 200 {
				if i%2 == 0 {
					v.Set(j)
					continue
				}
				v.Lookup()
				v.PeekLookup()
				v.Peek()
				_, _ = c.Get()
			}
		})
	}
	wg.Wait()
}
