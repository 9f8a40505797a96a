package reactive_test

import (
	"errors"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sheenhq/sheen/reactive"
)

// The pending effects of priority 0 are a list linked through the effects:
// the order must stay first in, first out whatever joins or leaves the
// queue during a flush, and an effect that another one destroys or that
// runs again must not break the list.
func TestQueueOrderDuringFlush(t *testing.T) {
	tests := []struct {
		name string
		// in runs inside effect "a" (the first to run) with the effects by
		// name; it may destroy, create or invalidate some.
		in   func(g *reactive.Graph, es map[string]*reactive.Effect, v *reactive.Value[int], order *log)
		want []string
	}{
		{"plain order", func(*reactive.Graph, map[string]*reactive.Effect, *reactive.Value[int], *log) {}, []string{"a", "b", "c"}},
		{"the middle one destroyed while queued", func(_ *reactive.Graph, es map[string]*reactive.Effect, _ *reactive.Value[int], _ *log) {
			es["b"].Destroy()
		}, []string{"a", "c"}},
		{"the last one destroyed while queued", func(_ *reactive.Graph, es map[string]*reactive.Effect, _ *reactive.Value[int], _ *log) {
			es["c"].Destroy()
		}, []string{"a", "b"}},
		{"an effect created during the flush runs last", func(g *reactive.Graph, _ map[string]*reactive.Effect, _ *reactive.Value[int], order *log) {
			reactive.NewEffect(g, func() error { order.add("new"); return nil })
		}, []string{"a", "b", "c", "new"}},
		{"a priority effect created during the flush runs next", func(g *reactive.Graph, _ map[string]*reactive.Effect, _ *reactive.Value[int], order *log) {
			reactive.NewEffect(g, func() error { order.add("urgent"); return nil }, reactive.Priority(1))
		}, []string{"a", "urgent", "b", "c"}},
		{"a negative priority runs after priority 0", func(g *reactive.Graph, _ map[string]*reactive.Effect, _ *reactive.Value[int], order *log) {
			reactive.NewEffect(g, func() error { order.add("late"); return nil }, reactive.Priority(-1))
		}, []string{"a", "b", "c", "late"}},
		{"an effect that ran is queued again behind the others", func(_ *reactive.Graph, _ map[string]*reactive.Effect, v *reactive.Value[int], _ *log) {
			v.Set(v.Peek() + 1) // a reads v
		}, []string{"a", "b", "c", "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, errs := newGraph(t)
			v := reactive.NewValue(g, 0)
			trigger := reactive.NewValue(g, 0)
			var order log
			es := map[string]*reactive.Effect{}
			first := true
			g.Do(func() {
				es["a"] = reactive.NewEffect(g, func() error {
					trigger.Get()
					v.Get()
					order.add("a")
					if trigger.Peek() == 1 && first {
						first = false
						tt.in(g, es, v, &order)
					}
					return nil
				})
				for _, name := range []string{"b", "c"} {
					es[name] = reactive.NewEffect(g, func() error { trigger.Get(); order.add(name); return nil })
				}
			})
			order.take()
			trigger.Set(1)
			if got := order.take(); !slices.Equal(got, tt.want) {
				t.Fatalf("order = %v, want %v", got, tt.want)
			}
			// The queue is whole afterwards: every live effect runs once
			// more (in the order of its last run, Shiny's order).
			trigger.Set(2)
			var want []string
			for _, name := range []string{"a", "b", "c"} {
				if slices.Contains(tt.want, name) {
					want = append(want, name)
				}
			}
			got := order.take()
			got = slices.DeleteFunc(got, func(s string) bool { return !slices.Contains(want, s) })
			if slices.Sort(got); !slices.Equal(got, want) {
				t.Fatalf("next flush ran %v, want each of %v once", got, want)
			}
			if got := errs.all(); len(got) != 0 {
				t.Fatalf("reports: %v", got)
			}
		})
	}
}

// Closing the graph from an effect drops the effects still queued, and
// those created or invalidated after it in the same turn.
func TestCloseInEffectDropsTheQueue(t *testing.T) {
	g, _ := newGraph(t)
	v := reactive.NewValue(g, 0)
	var order log
	g.Do(func() {
		reactive.NewEffect(g, func() error {
			v.Get()
			order.add("closer")
			if v.Peek() == 1 {
				g.Close()
				reactive.NewEffect(g, func() error { order.add("after close"); return nil })
			}
			return nil
		})
		reactive.NewEffect(g, func() error { v.Get(); order.add("queued"); return nil })
	})
	order.take()
	g.Do(func() { v.Set(1) }) // the graph closes during this turn's flush
	if got, want := order.take(), []string{"closer"}; !slices.Equal(got, want) {
		t.Fatalf("order = %v, want %v", got, want)
	}
}

// A flush does not restore the reader after every run but before code of
// others runs: reads in the error handler of a failing effect, or in an
// after-flush hook, must not become the effect's dependencies.
func TestFlushRestoresTheReaderBeforeOthersCode(t *testing.T) {
	tests := []struct {
		name string
		fail bool // the effect returns an error (else a hook reads)
	}{
		{"error handler", true},
		{"after-flush hook", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var other *reactive.Value[int]
			g := reactive.NewGraph(reactive.WithErrorHandler(func(error) { other.Get() }))
			t.Cleanup(g.Close)
			other = reactive.NewValue(g, 0)
			v := reactive.NewValue(g, 0)
			if !tt.fail {
				g.OnFlushed(func() { other.Get() })
			}
			var runs int
			g.Do(func() {
				reactive.NewEffect(g, func() error {
					v.Get()
					runs++
					if tt.fail {
						return errors.New("fails")
					}
					return nil
				})
			})
			other.Set(1) // re-runs the effect only if the read became its dependency
			if runs != 1 {
				t.Fatalf("runs = %d, want 1", runs)
			}
			v.Set(1)
			if runs != 2 {
				t.Fatalf("runs after its own value changed = %d, want 2", runs)
			}
		})
	}
}

// The callbacks of a run are called once, when that run is invalidated; a
// later run starts with none (the invalidation cleared them), and a calc's
// nested run drops those the running one registered so far.
func TestRunCallbacksOncePerRun(t *testing.T) {
	g, _ := newGraph(t)
	v := reactive.NewValue(g, 0)
	var calls []int
	c := reactive.NewCalc(g, func() (int, error) {
		x := v.Get()
		g.OnInvalidate(func() { calls = append(calls, x) })
		return x, nil
	})
	g.Do(func() {
		reactive.NewEffect(g, func() error { _, err := c.Get(); return err })
	})
	for i := 1; i <= 3; i++ {
		v.Set(i)
	}
	if want := []int{0, 1, 2}; !slices.Equal(calls, want) {
		t.Fatalf("callbacks called with %v, want %v (each run's once)", calls, want)
	}

	// Nested: the outer run registers a callback, then reads itself; the
	// nested run drops it, and only the nested run's own is called.
	var nested []string
	depth := 0
	var self *reactive.Calc[int]
	self = reactive.NewCalc(g, func() (int, error) {
		depth++
		defer func() { depth-- }()
		v.Get()
		if depth == 1 {
			g.OnInvalidate(func() { nested = append(nested, "outer") })
			return self.Get()
		}
		g.OnInvalidate(func() { nested = append(nested, "inner") })
		return 1, nil
	})
	g.Do(func() {
		reactive.NewEffect(g, func() error { _, err := self.Get(); return err })
	})
	v.Set(10)
	if want := []string{"inner"}; !slices.Equal(nested, want) {
		t.Fatalf("nested callbacks = %v, want %v", nested, want)
	}
}

// A recursion limit under 1 is 1: a calc runs, and reading itself fails.
func TestRecursionLimitAtLeastOne(t *testing.T) {
	for _, limit := range []int{-1, 0, 1} {
		g, _ := newGraph(t, reactive.WithRecursionLimit(limit))
		var self *reactive.Calc[int]
		var inner error
		self = reactive.NewCalc(g, func() (int, error) {
			if inner == nil {
				_, inner = self.Get()
			}
			return 7, nil
		})
		var got int
		var err error
		g.Do(func() { got, err = self.Get() })
		if got != 7 || err != nil || !errors.Is(inner, reactive.ErrCycle) {
			t.Fatalf("limit %d: Get = %d, %v; nested read error %v, want 7, nil, ErrCycle", limit, got, err, inner)
		}
	}
}

// Set's usual case tests one flag; every state change it stands for (unset,
// frozen, destroyed, set again) must be seen.
func TestSetAcrossValueStates(t *testing.T) {
	g, _ := newGraph(t)
	v := reactive.NewValue(g, 1)
	runs := 0
	g.Do(func() {
		reactive.NewEffect(g, func() error { v.Lookup(); runs++; return nil })
	})
	steps := []struct {
		name    string
		do      func() bool
		changed bool
		runs    int
	}{
		{"equal", func() bool { return v.Set(1) }, false, 1},
		{"different", func() bool { return v.Set(2) }, true, 2},
		{"unset", func() bool { v.Unset(); return true }, true, 3},
		{"set the old value after unset", func() bool { return v.Set(2) }, true, 4},
		{"frozen", func() bool { v.Freeze(); return true }, true, 4},
		{"set the old value after freeze", func() bool { return v.Set(2) }, true, 5},
		{"equal again", func() bool { return v.Set(2) }, false, 5},
		{"destroyed", func() bool { v.Destroy(); return true }, true, 6},
		{"set after destroy", func() bool { return v.Set(3) }, false, 6},
	}
	for _, s := range steps {
		if got := s.do(); got != s.changed {
			t.Fatalf("%s: reported %v, want %v", s.name, got, s.changed)
		}
		if runs != s.runs {
			t.Fatalf("%s: effect runs = %d, want %d", s.name, runs, s.runs)
		}
	}
}

// The queue keeps no destroyed effect alive: not the last one that ran (the
// list's tail is left in place when a pop empties it), nor one destroyed
// while it was queued last.
func TestQueueKeepsNoDestroyedEffect(t *testing.T) {
	tests := []struct {
		name    string
		destroy func(g *reactive.Graph, v *reactive.Value[int], e *reactive.Effect)
	}{
		{"destroyed after its run", func(_ *reactive.Graph, _ *reactive.Value[int], e *reactive.Effect) {
			e.Destroy()
		}},
		{"destroyed while queued last", func(g *reactive.Graph, v *reactive.Value[int], e *reactive.Effect) {
			g.Do(func() {
				v.Set(v.Peek() + 1) // queues e
				e.Destroy()
			})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, _ := newGraph(t)
			v := reactive.NewValue(g, 0)
			collected := make(chan struct{})
			func() {
				state := new([64]byte) // what the effect's function holds
				runtime.AddCleanup(state, func(ch chan struct{}) { close(ch) }, collected)
				e := reactive.NewEffect(g, func() error { v.Get(); state[0]++; return nil })
				tt.destroy(g, v, e)
			}()
			g.Do(func() {}) // a flush that pops nothing of priority 0
			timeout := time.After(10 * time.Second)
			for {
				runtime.GC()
				select {
				case <-collected:
					return
				case <-timeout:
					t.Fatal("the destroyed effect's function was not collected")
				case <-time.After(time.Millisecond): // cleanups run on their own goroutine
				}
			}
		})
	}
}

// A Once effect runs through a wrapper (see NewEffect): its runs, its
// destruction after the first run that is not a silent stop, and the site in
// its reports are still those of the user's function.
func TestOnceEffectThroughItsWrapper(t *testing.T) {
	tests := []struct {
		name      string
		results   []error // what each run returns
		wantRuns  int
		wantError bool
	}{
		{"completes", []error{nil}, 1, false},
		{"silent, then completes", []error{reactive.ErrSilent, nil}, 2, false},
		{"fails", []error{errors.New("boom")}, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, errs := newGraph(t)
			v := reactive.NewValue(g, 0)
			runs := 0
			e := reactive.NewEffect(g, func() error {
				v.Get()
				runs++
				return tt.results[min(runs, len(tt.results))-1]
			}, reactive.Once())
			for i := 1; i <= 3; i++ {
				v.Set(i)
			}
			if runs != tt.wantRuns || e.Runs() != tt.wantRuns {
				t.Fatalf("runs = %d (Runs() %d), want %d", runs, e.Runs(), tt.wantRuns)
			}
			got := errs.all()
			if tt.wantError != (len(got) == 1) || len(got) > 1 {
				t.Fatalf("reports = %v, want one: %v", got, tt.wantError)
			}
			if tt.wantError && !strings.Contains(got[0].Error(), "hotpath_test.go") {
				t.Fatalf("report %q does not name the user's function", got[0])
			}
		})
	}
}

// After an effect's panic the rest of the flush goes on counting runs as the
// flush did, and the next flush counts from zero, whether the panic left
// effects queued or none.
func TestRunLimitAfterAPanic(t *testing.T) {
	tests := []struct {
		name      string
		panicPrio int // the panicking effect's priority: 1 runs first, -1 last
	}{
		{"panic with effects still queued", 1},
		{"panic with none queued", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, errs := newGraph(t, reactive.WithRunLimit(3))
			round := reactive.NewValue(g, 0)
			step := reactive.NewValue(g, 0)
			var a *reactive.Effect
			g.Do(func() {
				// a runs three times in every flush: at the limit, never past it.
				a = reactive.NewEffect(g, func() error {
					round.Get()
					if s := step.Get(); s < 2 {
						step.Set(s + 1)
					}
					return nil
				})
				reactive.NewEffect(g, func() error {
					if round.Get() > 0 {
						panic("boom")
					}
					return nil
				}, reactive.Priority(tt.panicPrio))
			})
			for i := 1; i <= 3; i++ {
				g.Do(func() {
					step.Set(0)
					round.Set(i)
				})
			}
			if got, want := a.Runs(), 3+3*3; got != want {
				t.Fatalf("a ran %d times, want %d", got, want)
			}
			var panics int
			for _, err := range errs.all() {
				var pe *reactive.PanicError
				if !errors.As(err, &pe) {
					t.Fatalf("report %v, want only the panics", err)
				}
				panics++
			}
			if panics != 3 {
				t.Fatalf("%d panics reported, want 3", panics)
			}
		})
	}
}
