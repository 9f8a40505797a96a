package reactive_test

import (
	"errors"
	"testing"

	"github.com/sheenhq/sheen/reactive"
)

// Effects are recovered once per flush loop, not once per run: after a panic
// the reader must be restored, the dependencies read before the panic kept,
// and the following effects must track their own reads.
func TestPanickingEffectKeepsTrackingAfterRecovery(t *testing.T) {
	g, errs := newGraph(t)
	a := reactive.NewValue(g, 0)
	b := reactive.NewValue(g, 0)
	var panics, after int
	g.Do(func() {
		reactive.NewEffect(g, func() error {
			panics++
			if a.Get() >= 0 {
				panic("boom")
			}
			return nil
		})
		reactive.NewEffect(g, func() error { after += b.Get() + 1; return nil })
	})
	tests := []struct {
		name         string
		set          func()
		panics, runs int
	}{
		{"first flush", func() {}, 1, 1},
		{"panicking effect re-runs on its read", func() { a.Set(1) }, 2, 1},
		{"next effect still depends on its read", func() { b.Set(1) }, 2, 3},
	}
	for _, tt := range tests {
		tt.set()
		if panics != tt.panics || after != tt.runs {
			t.Fatalf("%s: panics=%d after=%d, want %d and %d", tt.name, panics, after, tt.panics, tt.runs)
		}
	}
	var pe *reactive.PanicError
	if got := errs.all(); len(got) != 2 || !errors.As(got[1], &pe) {
		t.Fatalf("errors = %v, want two panics", got)
	}
}

// A source with a single reader keeps it in place; reads made while an
// invalidation walk uses that place must not overwrite it.
func TestSingleReaderSourceReadDuringInvalidation(t *testing.T) {
	g, _ := newGraph(t)
	v := reactive.NewValue(g, 1)
	c := reactive.NewCalc(g, func() (int, error) { return v.Get() * 10, nil })
	var seen []int
	g.Do(func() {
		// Reads c during the walk that invalidates it (from its callback),
		// then again in the effect.
		reactive.NewEffect(g, func() error {
			x, err := c.Get()
			g.OnInvalidate(func() { _, _ = c.Get() })
			seen = append(seen, x)
			return err
		})
	})
	for i := 2; i <= 4; i++ {
		v.Set(i)
	}
	want := []int{10, 20, 30, 40}
	if len(seen) != len(want) {
		t.Fatalf("seen = %v, want %v", seen, want)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Fatalf("seen = %v, want %v", seen, want)
		}
	}
}

// IsSet readers are tracked even though a Value allocates their list only
// on the first IsSet.
func TestIsSetReadersOfLazyList(t *testing.T) {
	g, _ := newGraph(t)
	v := reactive.NewValue(g, 0)
	var runs int
	g.Do(func() {
		v.Unset() // no IsSet reader yet
		reactive.NewEffect(g, func() error { runs++; v.IsSet(); return nil })
	})
	v.Set(3)
	v.Set(4) // a change of value, not of set-ness
	v.Unset()
	if runs != 3 {
		t.Fatalf("runs = %d, want 3 (first, set, unset)", runs)
	}
}
