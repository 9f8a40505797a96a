package reactive_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/sheenhq/sheen/reactive"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// errs collects what a graph reports to its error handler.
type errs struct {
	mu   sync.Mutex
	list []error
}

func (e *errs) add(err error) { e.mu.Lock(); e.list = append(e.list, err); e.mu.Unlock() }
func (e *errs) all() []error  { e.mu.Lock(); defer e.mu.Unlock(); return slices.Clone(e.list) }

func newGraph(t *testing.T, opts ...reactive.Option) (*reactive.Graph, *errs) {
	t.Helper()
	e := &errs{}
	g := reactive.NewGraph(append([]reactive.Option{reactive.WithErrorHandler(e.add)}, opts...)...)
	t.Cleanup(g.Close)
	return g, e
}

// log records the order in which effects run.
type log []string

func (l *log) add(s string) { *l = append(*l, s) }
func (l *log) take() []string {
	out := slices.Clone(*l)
	*l = (*l)[:0]
	return out
}

func TestPriorityOrder(t *testing.T) {
	g, _ := newGraph(t)
	var order log
	v := reactive.NewValue(g, 0)
	mk := func(name string, prio int) {
		reactive.NewEffect(g, func() error { v.Get(); order.add(name); return nil }, reactive.Priority(prio))
	}
	g.Do(func() {
		mk("1", 1)
		mk("2", 2)
		mk("3", 1)
	})
	if got, want := order.take(), []string{"2", "1", "3"}; !slices.Equal(got, want) {
		t.Fatalf("first flush = %v, want %v", got, want)
	}
	mk("4", 2) // created and flushed on its own: it runs now, and its run is the newest
	if got, want := order.take(), []string{"4"}; !slices.Equal(got, want) {
		t.Fatalf("creating 4 ran %v, want %v", got, want)
	}
	v.Set(1)
	if got, want := order.take(), []string{"2", "4", "1", "3"}; !slices.Equal(got, want) {
		t.Fatalf("after adding 4 and setting = %v, want %v", got, want)
	}
}

func TestDepthFirstInvalidation(t *testing.T) {
	g, _ := newGraph(t)
	var order log
	v := reactive.NewValue(g, 0)
	c := reactive.NewCalc(g, func() (int, error) { return v.Get() + 1, nil })
	g.Do(func() {
		reactive.NewEffect(g, func() error { c.Get(); order.add("A"); return nil })
		reactive.NewEffect(g, func() error { v.Get(); order.add("B"); return nil })
		reactive.NewEffect(g, func() error { c.Get(); order.add("C"); return nil })
	})
	if got, want := order.take(), []string{"A", "B", "C"}; !slices.Equal(got, want) {
		t.Fatalf("first flush = %v, want %v", got, want)
	}
	v.Set(1)
	if got, want := order.take(), []string{"A", "C", "B"}; !slices.Equal(got, want) {
		t.Fatalf("after set = %v, want %v", got, want)
	}
}

func TestFailingCalcRunsOnce(t *testing.T) {
	g, errs := newGraph(t)
	boom := errors.New("boom")
	c := reactive.NewCalc(g, func() (int, error) { return 0, boom })
	var seen []error
	g.Do(func() {
		for range 2 {
			reactive.NewEffect(g, func() error {
				_, err := c.Get()
				seen = append(seen, err)
				return err
			})
		}
	})
	if c.Runs() != 1 {
		t.Fatalf("calc ran %d times, want 1", c.Runs())
	}
	if len(seen) != 2 || !errors.Is(seen[0], boom) || !errors.Is(seen[1], boom) {
		t.Fatalf("readers saw %v, want boom twice", seen)
	}
	if got := errs.all(); len(got) != 2 || !errors.Is(got[0], boom) {
		t.Fatalf("reported %v, want boom twice", got)
	}
}

func TestRecursiveCalc(t *testing.T) {
	g, _ := newGraph(t)
	v := reactive.NewValue(g, 5)
	var r *reactive.Calc[int]
	r = reactive.NewCalc(g, func() (int, error) {
		if v.Get() == 0 {
			return 0, nil
		}
		v.Set(v.Get() - 1)
		return r.Get()
	})
	e := reactive.NewEffect(g, func() error { _, err := r.Get(); return err })
	if v.Peek() != 0 || r.Runs() != 6 || e.Runs() != 2 {
		t.Fatalf("v=%d calc runs=%d effect runs=%d, want 0, 6, 2", v.Peek(), r.Runs(), e.Runs())
	}
}

func TestSuspendResumeDestroy(t *testing.T) {
	g, _ := newGraph(t)
	v := reactive.NewValue(g, 0)
	e := reactive.NewEffect(g, func() error { v.Get(); return nil })
	steps := []struct {
		name string
		do   func()
		runs int
	}{
		{"created", func() {}, 1},
		{"set", func() { v.Set(1) }, 2},
		{"suspend", e.Suspend, 2},
		{"set while suspended", func() { v.Set(2) }, 2},
		{"set again while suspended", func() { v.Set(3) }, 2},
		{"resume runs once", e.Resume, 3},
		{"resume again", e.Resume, 3},
		{"set", func() { v.Set(4) }, 4},
		{"destroy", e.Destroy, 4},
		{"set after destroy", func() { v.Set(5) }, 4},
		{"resume after destroy", e.Resume, 4},
	}
	for _, s := range steps {
		s.do()
		if got := e.Runs(); got != s.runs {
			t.Fatalf("%s: runs = %d, want %d", s.name, got, s.runs)
		}
	}
}

func TestQueuedRunSkippedAfterDestroy(t *testing.T) {
	g, _ := newGraph(t)
	v := reactive.NewValue(g, 0)
	e := reactive.NewEffect(g, func() error { v.Get(); return nil })
	g.Do(func() {
		v.Set(1) // queues e
		e.Destroy()
	})
	if e.Runs() != 1 {
		t.Fatalf("runs = %d, want 1 (the queued run is skipped)", e.Runs())
	}
}

func TestSuspendedAtCreation(t *testing.T) {
	g, _ := newGraph(t)
	e := reactive.NewEffect(g, func() error { return nil }, reactive.Suspended())
	if e.Runs() != 0 {
		t.Fatal("a suspended effect ran")
	}
	e.Resume()
	if e.Runs() != 1 {
		t.Fatalf("runs after resume = %d, want 1", e.Runs())
	}
}

func TestOnceEffect(t *testing.T) {
	g, _ := newGraph(t)
	v := reactive.NewValue(g, 0)
	e := reactive.NewEffect(g, func() error { v.Get(); return nil }, reactive.Once())
	v.Set(1)
	v.Set(2)
	if e.Runs() != 1 {
		t.Fatalf("runs = %d, want 1", e.Runs())
	}
}

func TestEffectOnInvalidate(t *testing.T) {
	g, _ := newGraph(t)
	v := reactive.NewValue(g, 0)
	var calls int
	e := reactive.NewEffect(g, func() error {
		v.Get()
		g.OnInvalidate(func() { calls += 10 }) // per run
		return nil
	})
	e.OnInvalidate(func() { calls++ }) // every invalidation
	v.Set(1)
	v.Set(2)
	if calls != 22 {
		t.Fatalf("callbacks = %d, want 22 (2 permanent + 2 per-run)", calls)
	}
}

type clicks int

func (c clicks) IsNone() bool { return c == 0 }

func TestEventBinding(t *testing.T) {
	cases := []struct {
		name       string
		on         func(reactive.Trigger) reactive.Event
		start      clicks
		clicks     []clicks
		wantRuns   []int // body runs after creation, then after each click value
		wantEffect int
	}{
		{"ignore none: not clicked yet", func(tr reactive.Trigger) reactive.Event { return reactive.On(tr) }, 0, []clicks{1, 2}, []int{0, 1, 2}, 3},
		{"allow none", func(tr reactive.Trigger) reactive.Event { return reactive.On(tr).AllowNone() }, 0, []clicks{1, 2}, []int{1, 2, 3}, 3},
		{"ignore init", func(tr reactive.Trigger) reactive.Event { return reactive.On(tr).IgnoreInit() }, 1, []clicks{2, 3}, []int{0, 1, 2}, 3},
		{"ignore init and none", func(tr reactive.Trigger) reactive.Event { return reactive.On(tr).IgnoreInit() }, 0, []clicks{0, 1}, []int{0, 0, 1}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g, _ := newGraph(t)
			btn := reactive.NewValue(g, tc.start)
			other := reactive.NewValue(g, 0)
			runs := 0
			e := reactive.NewEventEffect(g, tc.on(btn.Any), func() error {
				other.Get() // isolated: must not become a dependency
				runs++
				return nil
			})
			if runs != tc.wantRuns[0] {
				t.Fatalf("after creation: body runs = %d, want %d", runs, tc.wantRuns[0])
			}
			other.Set(1)
			if runs != tc.wantRuns[0] {
				t.Fatal("the body's own reads triggered it")
			}
			for i, c := range tc.clicks {
				btn.Set(c)
				if runs != tc.wantRuns[i+1] {
					t.Fatalf("after click value %d: body runs = %d, want %d", c, runs, tc.wantRuns[i+1])
				}
			}
			if e.Runs() != tc.wantEffect {
				t.Fatalf("effect runs = %d, want %d", e.Runs(), tc.wantEffect)
			}
		})
	}
}

func TestEventIgnoreNoneNeedsEveryTriggerNone(t *testing.T) {
	g, _ := newGraph(t)
	a := reactive.NewValue(g, clicks(0))
	var p *int
	b := reactive.NewValue(g, p)
	zero := reactive.NewValue(g, 0) // a plain 0 is not none
	runs := 0
	reactive.NewEventEffect(g, reactive.On(a.Any, b.Any), func() error { runs++; return nil })
	reactive.NewEventEffect(g, reactive.On(zero.Any), func() error { runs += 10; return nil })
	if runs != 10 {
		t.Fatalf("runs = %d, want 10 (all-none event held back; plain 0 runs)", runs)
	}
	n := 1
	b.Set(&n)
	if runs != 11 {
		t.Fatalf("runs = %d, want 11 after one trigger became non-none", runs)
	}
}

func TestEventCalc(t *testing.T) {
	g, _ := newGraph(t)
	btn := reactive.NewValue(g, clicks(0))
	x := reactive.NewValue(g, 10)
	c := reactive.NewEventCalc(g, reactive.On(btn.Any), func() (int, error) { return x.Get() * 2, nil })
	var got []string
	reactive.NewEffect(g, func() error {
		v, err := c.Get()
		got = append(got, fmt.Sprint(v, reactive.IsSilent(err)))
		return nil
	})
	x.Set(11) // isolated inside the calc: no re-run
	btn.Set(1)
	x.Set(12)
	btn.Set(2)
	want := []string{"0 true", "22 false", "24 false"}
	if !slices.Equal(got, want) {
		t.Fatalf("reader saw %v, want %v", got, want)
	}
}

func TestUnsetTriggerSilencesButKeepsDependency(t *testing.T) {
	g, _ := newGraph(t)
	v := reactive.NewValue(g, 1)
	v.Unset()
	runs := 0
	reactive.NewEventEffect(g, reactive.On(v.Any), func() error { runs++; return nil })
	v.Set(2)
	if runs != 1 {
		t.Fatalf("runs = %d, want 1", runs)
	}
}

func TestValueSetUnsetIsSet(t *testing.T) {
	g, _ := newGraph(t)
	v := reactive.NewValue(g, 1)
	var order log
	reactive.NewEffect(g, func() error { order.add("value"); v.Get(); return nil })
	reactive.NewEffect(g, func() error { order.add("isset"); v.IsSet(); return nil })
	order.take()
	if v.Set(1) {
		t.Fatal("Set of an equal value reported a change")
	}
	if got := order.take(); len(got) != 0 {
		t.Fatalf("equal set ran %v", got)
	}
	if !v.Set(2) {
		t.Fatal("Set of a new value reported no change")
	}
	if got := order.take(); !slices.Equal(got, []string{"value"}) {
		t.Fatalf("set ran %v, want only the value reader", got)
	}
	v.Unset()
	if got := order.take(); !slices.Equal(got, []string{"isset", "value"}) {
		t.Fatalf("unset ran %v, want isset readers first", got)
	}
	if v.IsSet() || v.Peek() != 0 {
		t.Fatal("unset value still set")
	}
	v.Set(3)
	if got := order.take(); !slices.Equal(got, []string{"isset", "value"}) {
		t.Fatalf("set after unset ran %v, want isset readers first", got)
	}
}

func TestUnsetValueStopsReaderSilently(t *testing.T) {
	g, errs := newGraph(t)
	v := reactive.NewValue(g, "")
	v.Unset()
	reached := false
	e := reactive.NewEffect(g, func() error { v.Get(); reached = true; return nil })
	if reached || e.Runs() != 1 || len(errs.all()) != 0 {
		t.Fatalf("reached=%v runs=%d errors=%v", reached, e.Runs(), errs.all())
	}
	v.Set("x")
	if !reached {
		t.Fatal("the reader did not run after the value was set")
	}
}

func TestFreeze(t *testing.T) {
	g, _ := newGraph(t)
	v := reactive.NewValue(g, 1)
	e := reactive.NewEffect(g, func() error { v.Get(); return nil })
	v.Freeze()
	if e.Runs() != 1 || v.IsSet() {
		t.Fatalf("freeze invalidated (runs=%d) or left the value set", e.Runs())
	}
	v.Set(1) // unset -> set, even to the same value, is a change
	if e.Runs() != 2 {
		t.Fatalf("runs = %d, want 2", e.Runs())
	}
}

func TestValueDestroy(t *testing.T) {
	g, _ := newGraph(t)
	v := reactive.NewValue(g, 1)
	e := reactive.NewEffect(g, func() error { v.Get(); return nil })
	v.Destroy()
	if e.Runs() != 2 {
		t.Fatalf("destroy ran readers %d times, want 2", e.Runs())
	}
	if v.Set(5) || v.IsSet() {
		t.Fatal("a destroyed value accepted a set")
	}
}

func TestCalcDestroy(t *testing.T) {
	g, _ := newGraph(t)
	c := reactive.NewCalc(g, func() (int, error) { return 1, nil })
	var last error
	reactive.NewEffect(g, func() error { _, last = c.Get(); return nil })
	c.Destroy()
	if !errors.Is(last, reactive.ErrDestroyed) {
		t.Fatalf("reader after destroy saw %v, want ErrDestroyed", last)
	}
}

func TestEffectErrorsAndPanicsAreReportedAndFlushGoesOn(t *testing.T) {
	g, errs := newGraph(t)
	ran := false
	g.Do(func() {
		reactive.NewEffect(g, func() error { return errors.New("plain failure") })
		reactive.NewEffect(g, func() error { panic("kaboom") })
		reactive.NewEffect(g, func() error { reactive.Req(false); return nil })
		reactive.NewEffect(g, func() error { return fmt.Errorf("wrapped: %w", reactive.ErrSilent) })
		reactive.NewEffect(g, func() error { ran = true; return nil })
	})
	got := errs.all()
	if !ran || len(got) != 2 {
		t.Fatalf("ran=%v errors=%v; want the last effect to run and 2 errors", ran, got)
	}
	var pe *reactive.PanicError
	if !strings.Contains(got[0].Error(), "plain failure") || !errors.As(got[1], &pe) || pe.Value != "kaboom" || len(pe.Stack) == 0 {
		t.Fatalf("errors = %v", got)
	}
}

func TestCalcPanicIsCachedError(t *testing.T) {
	g, _ := newGraph(t)
	c := reactive.NewCalc(g, func() (int, error) { panic("calc broke") })
	var err1, err2 error
	g.Do(func() {
		_, err1 = c.Get()
		_, err2 = c.Get()
	})
	var pe *reactive.PanicError
	if !errors.As(err1, &pe) || err1 != err2 || c.Runs() != 1 {
		t.Fatalf("err1=%v err2=%v runs=%d", err1, err2, c.Runs())
	}
}

func TestInvalidationDuringFlushJoinsIt(t *testing.T) {
	g, _ := newGraph(t)
	trig := reactive.NewValue(g, 0)
	b := reactive.NewValue(g, 0)
	var order log
	g.Do(func() {
		reactive.NewEffect(g, func() error { trig.Get(); order.add("M"); return nil }, reactive.Priority(5))
		reactive.NewEffect(g, func() error { b.Set(trig.Get() + 1); order.add("L"); return nil }, reactive.Priority(3))
		reactive.NewEffect(g, func() error { trig.Get(); order.add("Z"); return nil }, reactive.Priority(0))
		reactive.NewEffect(g, func() error { order.add(fmt.Sprint("H", b.Get())); return nil }, reactive.Priority(10))
	})
	if got, want := order.take(), []string{"H0", "M", "L", "H1", "Z"}; !slices.Equal(got, want) {
		t.Fatalf("first flush = %v, want %v", got, want)
	}
	trig.Set(1)
	if got, want := order.take(), []string{"M", "L", "H2", "Z"}; !slices.Equal(got, want) {
		t.Fatalf("after set = %v, want %v (a higher priority queued mid-flush runs before lower ones)", got, want)
	}
}

func TestSelfLoopConverges(t *testing.T) {
	g, _ := newGraph(t)
	v := reactive.NewValue(g, 0)
	e := reactive.NewEffect(g, func() error {
		if x := v.Get(); x < 5 {
			v.Set(x + 1)
		}
		return nil
	})
	if e.Runs() != 6 || v.Peek() != 5 {
		t.Fatalf("runs=%d v=%d, want 6 and 5", e.Runs(), v.Peek())
	}
}

func TestEffectCreatedDuringFlushRunsInIt(t *testing.T) {
	g, _ := newGraph(t)
	var order log
	g.Do(func() {
		reactive.NewEffect(g, func() error {
			order.add("outer")
			reactive.NewEffect(g, func() error { order.add("inner"); return nil })
			return nil
		})
		reactive.NewEffect(g, func() error { order.add("other"); return nil })
	})
	if got, want := order.take(), []string{"outer", "other", "inner"}; !slices.Equal(got, want) {
		t.Fatalf("order = %v, want %v", got, want)
	}
}

func TestIsolate(t *testing.T) {
	g, _ := newGraph(t)
	v := reactive.NewValue(g, 0)
	w := reactive.NewValue(g, 0)
	e := reactive.NewEffect(g, func() error {
		w.Get()
		g.Isolate(func() { v.Get() })
		return nil
	})
	v.Set(1)
	if e.Runs() != 1 {
		t.Fatal("an isolated read made a dependency")
	}
	w.Set(1)
	if e.Runs() != 2 {
		t.Fatal("a tracked read made no dependency")
	}
}

func TestOnFlushed(t *testing.T) {
	g, _ := newGraph(t)
	v := reactive.NewValue(g, 0)
	var order log
	reactive.NewEffect(g, func() error { order.add(fmt.Sprint("effect ", v.Get())); return nil })
	order.take()
	calls := 0
	remove := g.OnFlushed(func() {
		calls++
		order.add("flushed")
		if v.Peek() == 1 {
			v.Set(2) // work left by a hook runs in a following flush of the same turn
		}
	})
	order.take()
	v.Set(1)
	want := []string{"effect 1", "flushed", "effect 2", "flushed"}
	if got := order.take(); !slices.Equal(got, want) {
		t.Fatalf("order = %v, want %v", got, want)
	}
	remove()
	v.Set(3)
	if got := order.take(); !slices.Equal(got, []string{"effect 3"}) {
		t.Fatalf("after remove: %v", got)
	}
}

func TestPostRunsInOrder(t *testing.T) {
	g, _ := newGraph(t)
	v := reactive.NewValue(g, 0)
	var seen []int
	reactive.NewEffect(g, func() error { seen = append(seen, v.Get()); return nil })
	for i := 1; i <= 50; i++ {
		g.Post(func() { v.Set(i) })
	}
	g.Do(nil) // a Do runs what was posted before it
	if seen[len(seen)-1] != 50 || !slices.IsSorted(seen) {
		t.Fatalf("seen = %v", seen)
	}
}

func TestSetFromManyGoroutines(t *testing.T) {
	g, _ := newGraph(t)
	v := reactive.NewValue(g, 0)
	sum := 0
	reactive.NewEffect(g, func() error { sum += v.Get(); return nil })
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 200 {
				v.Set(w*1000 + i + 1)
				v.Peek()
			}
		})
	}
	wg.Wait()
	g.Do(func() {
		if sum == 0 {
			t.Error("the effect never saw a set")
		}
	})
}

func TestCalcGetFromOtherGoroutine(t *testing.T) {
	g, _ := newGraph(t)
	v := reactive.NewValue(g, 20)
	c := reactive.NewCalc(g, func() (int, error) { return v.Get() + 1, nil })
	done := make(chan int)
	go func() { x, _ := c.Get(); done <- x }()
	if x := <-done; x != 21 {
		t.Fatalf("got %d", x)
	}
}

func TestFlushFromHookRefused(t *testing.T) {
	g, _ := newGraph(t)
	var err error
	calls := 0
	g.OnFlushed(func() {
		calls++
		if calls == 1 {
			err = g.Flush()
		}
	})
	if !errors.Is(err, reactive.ErrNestedFlush) {
		t.Fatalf("Flush in a hook = %v, want ErrNestedFlush", err)
	}
}

func TestPanickingInvalidateCallback(t *testing.T) {
	g, errs := newGraph(t)
	v := reactive.NewValue(g, 0)
	a := reactive.NewEffect(g, func() error {
		v.Get()
		g.OnInvalidate(func() { panic("callback broke") })
		return nil
	})
	b := reactive.NewEffect(g, func() error { v.Get(); return nil })
	v.Set(1)
	if a.Runs() != 2 || b.Runs() != 2 {
		t.Fatalf("runs a=%d b=%d, want 2 and 2", a.Runs(), b.Runs())
	}
	if len(errs.all()) != 1 {
		t.Fatalf("errors = %v, want the callback's panic", errs.all())
	}
}

func TestInterfaceValueWithUncomparableDynamicValues(t *testing.T) {
	g, errs := newGraph(t)
	v := reactive.NewValue[any](g, []int{1})
	e := reactive.NewEffect(g, func() error { v.Get(); return nil })
	if !v.Set([]int{1}) || e.Runs() != 2 || len(errs.all()) != 0 {
		t.Fatalf("set of an uncomparable value: runs=%d errors=%v", e.Runs(), errs.all())
	}
	if v.Set(any(nil)); v.Set(any(nil)) {
		t.Fatal("equal comparable values reported a change")
	}
}
