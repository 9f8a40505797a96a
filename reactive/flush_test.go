package reactive_test

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/sheenhq/sheen/reactive"
)

// The run limit counts the runs of one effect in one flush: an effect that
// re-runs itself a few times in every flush is never stopped, however many
// flushes there are; one that re-runs past the limit in one flush is stopped
// after exactly the limit.
func TestRunLimitIsPerFlush(t *testing.T) {
	tests := []struct {
		name      string
		perFlush  int // runs the effect makes in each flush
		flushes   int
		wantRuns  int
		wantError bool
	}{
		{"under the limit in many flushes", 4, 50, 4 * 50, false},
		{"at the limit in many flushes", 5, 50, 5 * 50, false},
		{"over the limit in the first flush", 6, 3, 5, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, errs := newGraph(t, reactive.WithRunLimit(5))
			round := reactive.NewValue(g, 0)
			step := reactive.NewValue(g, 0)
			var e *reactive.Effect
			g.Do(func() {
				e = reactive.NewEffect(g, func() error {
					round.Get()
					if s := step.Get(); s+1 < tt.perFlush {
						step.Set(s + 1) // run again in this flush
					}
					return nil
				}, reactive.Suspended())
			})
			for i := range tt.flushes {
				g.Do(func() {
					step.Set(0)
					round.Set(i + 1)
					if i == 0 {
						e.Resume()
					}
				})
			}
			if got := e.Runs(); got != tt.wantRuns {
				t.Errorf("runs = %d, want %d", got, tt.wantRuns)
			}
			got := errs.all()
			if tt.wantError != (len(got) == 1 && errors.Is(got[0], reactive.ErrRunaway)) || (!tt.wantError && len(got) != 0) {
				t.Errorf("reports = %v, want a runaway report: %v", got, tt.wantError)
			}
		})
	}
}

// SetPriority, Suspend, Resume, Destroy and OnInvalidate change how an
// effect is queued; each must take effect at its next invalidation.
func TestSchedulingChangesTakeEffect(t *testing.T) {
	g, _ := newGraph(t)
	v := reactive.NewValue(g, 0)
	var order log
	mk := func(name string) *reactive.Effect {
		var e *reactive.Effect
		g.Do(func() {
			e = reactive.NewEffect(g, func() error { v.Get(); order.add(name); return nil })
		})
		return e
	}
	a, b, c := mk("a"), mk("b"), mk("c")
	order.take()
	var invalidated int
	c.OnInvalidate(func() { invalidated++ })
	steps := []struct {
		name   string
		change func()
		want   []string
	}{
		{"default order", func() {}, []string{"a", "b", "c"}},
		{"c first by priority", func() { c.SetPriority(1) }, []string{"c", "a", "b"}},
		{"b last by priority", func() { b.SetPriority(-1) }, []string{"c", "a", "b"}},
		{"a suspended", func() { a.Suspend() }, []string{"c", "b"}},
		// Resume runs the missed run at once, then the Set runs all three.
		{"a resumed", func() { a.Resume() }, []string{"a", "c", "a", "b"}},
		// Equal priorities run in the order they were invalidated, which is
		// the order of their last runs.
		{"priorities back to 0", func() { b.SetPriority(0); c.SetPriority(0) }, []string{"c", "a", "b"}},
		{"b destroyed", func() { b.Destroy() }, []string{"c", "a"}},
	}
	for i, s := range steps {
		s.change()
		g.Do(func() { v.Set(100 + i) })
		if got := order.take(); !slices.Equal(got, s.want) {
			t.Fatalf("%s: order = %v, want %v", s.name, got, s.want)
		}
	}
	if invalidated != len(steps) {
		t.Errorf("OnInvalidate called %d times, want %d", invalidated, len(steps))
	}
}

// A calc that reads itself directly runs again nested; when the nested run
// returns (or panics) the outer run goes on with the reader restored, and
// the reader's dependencies stay right.
func TestCalcReadingItselfRestoresTheReader(t *testing.T) {
	tests := []struct {
		name   string
		panics bool
		want   int
	}{
		{"nested run returns", false, 11},
		{"nested run panics", true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, errs := newGraph(t)
			v := reactive.NewValue(g, 1)
			w := reactive.NewValue(g, 0)
			depth := 0
			var c *reactive.Calc[int]
			c = reactive.NewCalc(g, func() (int, error) {
				depth++
				defer func() { depth-- }()
				base := v.Get()
				if depth == 1 {
					inner, err := c.Get()
					if err != nil {
						var pe *reactive.PanicError
						if !errors.As(err, &pe) {
							return 0, err
						}
						return base, nil // the nested panic is an error value here
					}
					return base + inner, nil
				}
				if tt.panics {
					panic("nested")
				}
				return base * 10, nil
			})
			var seen []int
			g.Do(func() {
				reactive.NewEffect(g, func() error {
					x, err := c.Get()
					w.Get() // read after the calc: must be the effect's dependency
					seen = append(seen, x)
					return err
				})
			})
			w.Set(1) // re-runs the effect only if it still depends on w
			if want := []int{tt.want, tt.want}; !slices.Equal(seen, want) {
				t.Fatalf("effect saw %v, want %v", seen, want)
			}
			if got := errs.all(); len(got) != 0 {
				t.Fatalf("reports = %v", got)
			}
			if c.Runs() != 2 {
				t.Errorf("calc runs = %d, want 2 (outer and nested)", c.Runs())
			}
		})
	}
}

// Set changes nothing when the new value is == to the old one, for every
// kind of type (some are compared by their bytes, others through ==).
func TestSetComparesLikeEquals(t *testing.T) {
	type status int
	type pair struct{ a, b int }
	x, y := new(int), new(int)
	nan := math.NaN()
	tests := []struct {
		name        string
		run         func(g *reactive.Graph) (same, diff func() bool)
		sameChanges bool // a set of the == value still counts as a change (NaN)
	}{
		{"int", sets(0, 0, 1), false},
		{"named int", sets(status(2), status(2), status(3)), false},
		{"int8", sets(int8(-1), int8(-1), int8(1)), false},
		{"int32", sets(int32(7), int32(7), int32(8)), false},
		{"bool", sets(true, true, false), false},
		{"string", sets("ab", string([]byte("ab")), "abc"), false},
		{"empty string", sets("", "", " "), false},
		{"pointer", sets(x, x, y), false},
		{"struct", sets(pair{1, 2}, pair{1, 2}, pair{2, 1}), false},
		{"interface", sets[any](1, 1, "1"), false},
		{"float NaN", sets(nan, nan, 1.0), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, _ := newGraph(t)
			same, diff := tt.run(g)
			if got := same(); got != tt.sameChanges {
				t.Errorf("Set of an == value changed = %v, want %v", got, tt.sameChanges)
			}
			if !diff() {
				t.Errorf("Set of a different value changed nothing")
			}
		})
	}
}

// sets returns a test case: a Value holding first, whose same() sets same
// and diff() sets diff, each reporting whether its dependent effect re-ran.
func sets[T comparable](first, same, diff T) func(g *reactive.Graph) (func() bool, func() bool) {
	return func(g *reactive.Graph) (func() bool, func() bool) {
		v := reactive.NewValue(g, first)
		runs := 0
		g.Do(func() { reactive.NewEffect(g, func() error { v.Get(); runs++; return nil }) })
		set := func(x T) func() bool {
			return func() bool {
				before := runs
				changed := v.Set(x)
				if changed != (runs > before) {
					panic("Set's result disagrees with its effect")
				}
				return changed
			}
		}
		return set(same), set(diff)
	}
}

// What a calc reads after a nested run of itself is its dependency: the run
// it belongs to is the calc's current one.
func TestCalcDependsOnWhatItReadsAfterReadingItself(t *testing.T) {
	g, _ := newGraph(t)
	w := reactive.NewValue(g, 1)
	depth := 0
	var c *reactive.Calc[int]
	c = reactive.NewCalc(g, func() (int, error) {
		depth++
		defer func() { depth-- }()
		if depth > 1 {
			return 0, nil // the nested run reads nothing
		}
		if _, err := c.Get(); err != nil {
			return 0, err
		}
		return w.Get(), nil
	})
	var seen []int
	g.Do(func() {
		reactive.NewEffect(g, func() error {
			x, err := c.Get()
			seen = append(seen, x)
			return err
		})
	})
	w.Set(2)
	if !slices.Equal(seen, []int{1, 2}) {
		t.Fatalf("effect saw %v, want [1 2]", seen)
	}
}

// A flush goes on after each effect that panics, however many panic: every
// effect runs once and every panic is reported; an effect that panics and
// invalidates itself each time is stopped by the run limit like any other.
// (Going on in a new, nested flush would make each panic's stack, and so the
// flush, grow with the number of panics before it: this takes seconds then.)
func TestFlushGoesOnAfterManyPanics(t *testing.T) {
	tests := []struct {
		name        string
		effects     int
		selfLoop    bool
		wantRuns    int
		wantReports int
	}{
		{"many panicking effects", 3000, false, 3000, 3000},
		{"a panicking effect that re-runs itself", 1, true, 50, 51}, // 50 panics and the runaway
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, errs := newGraph(t, reactive.WithRunLimit(50))
			v := reactive.NewValue(g, 0)
			runs, after := 0, 0
			g.Do(func() {
				for range tt.effects {
					reactive.NewEffect(g, func() error {
						runs++
						if tt.selfLoop {
							v.Set(v.Get() + 1)
						}
						panic("boom")
					})
				}
				reactive.NewEffect(g, func() error { after++; return nil })
			})
			if runs != tt.wantRuns || after != 1 {
				t.Errorf("runs = %d, after = %d; want %d and 1", runs, after, tt.wantRuns)
			}
			got := errs.all()
			var pe *reactive.PanicError
			if len(got) != tt.wantReports || !errors.As(got[0], &pe) {
				t.Fatalf("%d reports (first %v), want %d panics", len(got), got[0], tt.wantReports)
			}
			if tt.selfLoop && !errors.Is(got[len(got)-1], reactive.ErrRunaway) {
				t.Errorf("last report = %v, want the runaway", got[len(got)-1])
			}
		})
	}
}
