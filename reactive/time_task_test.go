package reactive_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sheenhq/sheen/reactive"
	"github.com/sheenhq/sheen/reactive/reactivetest"
)

func TestInvalidateLater(t *testing.T) {
	clk := reactivetest.NewClock()
	g, _ := newGraph(t, reactive.WithClock(clk))
	start := clk.Now()
	var at []time.Duration
	reactive.NewEffect(g, func() error {
		at = append(at, clk.Now().Sub(start))
		g.InvalidateLater(time.Second)
		g.InvalidateLater(3 * time.Second) // the earlier timer wins; its invalidation cancels this one
		return nil
	})
	for range 3 {
		clk.Advance(time.Second)
		g.Flush()
	}
	want := []time.Duration{0, time.Second, 2 * time.Second, 3 * time.Second}
	if !slices.Equal(at, want) {
		t.Fatalf("runs at %v, want %v", at, want)
	}
	if n := clk.Pending(); n != 2 {
		t.Fatalf("%d timers pending, want 2 (the current run's)", n)
	}
}

func TestInvalidateLaterCancelledByEarlierInvalidation(t *testing.T) {
	clk := reactivetest.NewClock()
	g, _ := newGraph(t, reactive.WithClock(clk))
	v := reactive.NewValue(g, 0)
	e := reactive.NewEffect(g, func() error {
		if v.Get() == 0 {
			g.InvalidateLater(time.Second)
		}
		return nil
	})
	v.Set(1) // invalidates the run first: its timer is cancelled
	if clk.Pending() != 0 {
		t.Fatalf("%d timers still pending", clk.Pending())
	}
	clk.Advance(2 * time.Second)
	g.Flush()
	if e.Runs() != 2 {
		t.Fatalf("runs = %d, want 2", e.Runs())
	}
}

func TestCloseStopsTimers(t *testing.T) {
	clk := reactivetest.NewClock()
	g, _ := newGraph(t, reactive.WithClock(clk))
	e := reactive.NewEffect(g, func() error { g.InvalidateLater(time.Second); return nil })
	g.Close()
	if clk.Pending() != 0 {
		t.Fatal("timers survive Close")
	}
	clk.Advance(time.Minute)
	g.Flush()
	if e.Runs() != 1 {
		t.Fatalf("runs = %d after close", e.Runs())
	}
}

func TestPoll(t *testing.T) {
	clk := reactivetest.NewClock()
	g, _ := newGraph(t, reactive.WithClock(clk))
	source := []int{1, 1, 2, 2, -1, 3}
	i := 0
	poll := reactive.Poll(g, time.Second, func() (int, error) {
		v := source[min(i, len(source)-1)]
		i++
		if v < 0 {
			return 0, errors.New("source down")
		}
		return v, nil
	}, func(a, b int) bool { return a == b })
	var seen []string
	reactive.NewEffect(g, func() error {
		v, err := poll.Get()
		seen = append(seen, fmt.Sprint(v, err))
		return nil
	})
	for range 4 {
		clk.Advance(time.Second)
		g.Flush()
	}
	// Polls: 1 (seed), 1, 2, 2, error, 3. Equal results do not re-run the reader.
	want := []string{"1 <nil>", "2 <nil>", "0 source down", "3 <nil>"}
	if !slices.Equal(seen, want) {
		t.Fatalf("reader saw %v, want %v", seen, want)
	}
}

func TestTaskStatusSequence(t *testing.T) {
	g, _ := newGraph(t)
	started := make(chan int, 8)
	releases := make(map[int]chan struct{})
	for _, n := range []int{1, 2, -1, 5} {
		releases[n] = make(chan struct{})
	}
	task := reactive.NewTask(g, func(ctx context.Context, n int) (int, error) {
		started <- n
		select {
		case <-releases[n]:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
		if n < 0 {
			return 0, errors.New("neg")
		}
		return n * 2, nil
	})
	settled := make(chan struct{}, 16)
	var seen []string
	reactive.NewEffect(g, func() error {
		st := task.Status()
		r, err := task.Result()
		switch {
		case errors.Is(err, reactive.ErrInProgress):
			seen = append(seen, st.String()+"/progress")
		case reactive.IsSilent(err):
			seen = append(seen, st.String()+"/silent")
		case err != nil:
			seen = append(seen, st.String()+"/"+err.Error())
		default:
			seen = append(seen, fmt.Sprintf("%s/%d", st, r))
		}
		if st != reactive.TaskRunning {
			settled <- struct{}{}
		}
		return nil
	})
	<-settled // initial
	g.Do(func() {
		task.Invoke(1)
		task.Invoke(2)
		task.Invoke(-1)
	})
	for _, n := range []int{1, 2, -1} {
		if got := <-started; got != n {
			t.Fatalf("started %d, want %d", got, n)
		}
		close(releases[n])
		<-settled
	}
	task.Invoke(5)
	<-started
	task.Cancel()
	<-settled
	want := []string{
		"initial/silent",
		"running/progress", "success/2",
		"running/progress", "success/4",
		"running/progress", "error/neg",
		"running/progress", "cancelled/silent",
	}
	g.Do(func() {
		if !slices.Equal(seen, want) {
			t.Errorf("statuses = %v\nwant        %v", seen, want)
		}
	})
}

func TestTaskCancelClearsQueue(t *testing.T) {
	g, _ := newGraph(t)
	started := make(chan int, 4)
	done := make(chan struct{})
	task := reactive.NewTask(g, func(ctx context.Context, n int) (int, error) {
		started <- n
		<-ctx.Done()
		done <- struct{}{}
		return 0, ctx.Err()
	})
	task.Invoke(1)
	task.Invoke(2)
	<-started
	task.Cancel()
	<-done
	g.Do(func() {
		if st := task.Status(); st != reactive.TaskCancelled {
			t.Errorf("status = %v", st)
		}
	})
	select {
	case n := <-started:
		t.Fatalf("queued call %d ran after cancel", n)
	default:
	}
}

func TestTaskBodyCannotReadReactiveValues(t *testing.T) {
	g, _ := newGraph(t)
	v := reactive.NewValue(g, 1)
	finished := make(chan struct{}, 1)
	task := reactive.NewTask(g, func(ctx context.Context, _ struct{}) (int, error) {
		return v.Get(), nil
	})
	reactive.NewEffect(g, func() error {
		if task.Status() == reactive.TaskError {
			finished <- struct{}{}
		}
		return nil
	})
	task.Invoke(struct{}{})
	<-finished
	if _, err := task.Result(); !errors.Is(err, reactive.ErrReadInTask) {
		t.Fatalf("result error = %v, want ErrReadInTask", err)
	}
}

func TestCloseCancelsTaskContext(t *testing.T) {
	g, _ := newGraph(t)
	started, stopped := make(chan struct{}), make(chan struct{})
	task := reactive.NewTask(g, func(ctx context.Context, _ int) (int, error) {
		close(started)
		<-ctx.Done()
		close(stopped)
		return 0, nil
	})
	task.Invoke(0)
	<-started
	g.Close()
	<-stopped
}

// The deliberate deviations from py-shiny, each with its own test.

func TestDeviationEqualityNotIdentity(t *testing.T) {
	g, _ := newGraph(t)
	v := reactive.NewValue(g, 1000) // py-shiny: Value(1000).set(int("1000")) re-runs
	e := reactive.NewEffect(g, func() error { v.Get(); return nil })
	if v.Set(1000) || e.Runs() != 1 {
		t.Fatal("an equal value invalidated")
	}
	s := reactive.NewValueFunc(g, []int{1, 2}, slices.Equal[[]int])
	es := reactive.NewEffect(g, func() error { s.Get(); return nil })
	if s.Set([]int{1, 2}) || es.Runs() != 1 {
		t.Fatal("an equal slice invalidated with an Equal func")
	}
	if !s.Set([]int{1, 3}) || es.Runs() != 2 {
		t.Fatal("a different slice did not invalidate")
	}
}

func TestDeviationNoStaleValueAfterCalcInvalidatesItself(t *testing.T) {
	g, _ := newGraph(t)
	v := reactive.NewValue(g, 1)
	c := reactive.NewCalc(g, func() (int, error) {
		x := v.Get()
		if x < 2 {
			v.Set(2) // invalidates this very run
		}
		return x * 10, nil
	})
	var first, second int
	g.Do(func() { first, _ = c.Get() })
	g.Do(func() { second, _ = c.Get() })
	// py-shiny returns the stale 10 on the second read (its bug D26).
	if first != 10 || second != 20 {
		t.Fatalf("reads = %d, %d; want 10, 20", first, second)
	}
}

func TestDeviationNestedFlushRefused(t *testing.T) {
	g, _ := newGraph(t)
	var err error
	reactive.NewEffect(g, func() error { err = g.Flush(); return nil })
	if !errors.Is(err, reactive.ErrNestedFlush) {
		t.Fatalf("Flush inside a flush = %v, want ErrNestedFlush", err)
	}
}

func TestDeviationCycleIsAnError(t *testing.T) {
	g, _ := newGraph(t, reactive.WithRecursionLimit(50))
	var a, b *reactive.Calc[int]
	a = reactive.NewCalc(g, func() (int, error) { x, err := b.Get(); return x + 1, err })
	b = reactive.NewCalc(g, func() (int, error) { x, err := a.Get(); return x + 1, err })
	var err error
	g.Do(func() { _, err = a.Get() })
	if !errors.Is(err, reactive.ErrCycle) {
		t.Fatalf("cycle read = %v, want ErrCycle", err)
	}
}

func TestDeviationRunawayEffectStopped(t *testing.T) {
	g, errs := newGraph(t, reactive.WithRunLimit(20))
	v := reactive.NewValue(g, 0)
	e := reactive.NewEffect(g, func() error { v.Set(v.Get() + 1); return nil })
	if e.Runs() != 20 {
		t.Fatalf("runs = %d, want 20", e.Runs())
	}
	if got := errs.all(); len(got) != 1 || !errors.Is(got[0], reactive.ErrRunaway) {
		t.Fatalf("errors = %v", got)
	}
	other := reactive.NewValue(g, 0)
	w := reactive.NewEffect(g, func() error { other.Get(); return nil })
	other.Set(1)
	if w.Runs() != 2 {
		t.Fatal("the graph stopped working after a runaway effect")
	}
}
