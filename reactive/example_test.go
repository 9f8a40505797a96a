package reactive_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/sheenhq/sheen/reactive"
	"github.com/sheenhq/sheen/reactive/reactivetest"
)

// A counter: a Value holds the state, a Calc derives from it lazily, an Effect
// prints whenever what it read changes.
func Example_counter() {
	g := reactive.NewGraph()
	defer g.Close()

	count := reactive.NewValue(g, 0)
	doubled := reactive.NewCalc(g, func() (int, error) {
		return 2 * count.Get(), nil
	})
	// Called outside a turn, NewEffect is a Graph.Do: the effect's first run
	// happens before NewEffect returns.
	reactive.NewEffect(g, func() error {
		d, err := doubled.Get()
		if err != nil {
			return err
		}
		fmt.Printf("count=%d doubled=%d\n", count.Get(), d)
		return nil
	})

	count.Set(1) // a change: the effect runs again before Set returns
	count.Set(1) // equal to the current value: nothing runs
	count.Set(2)
	fmt.Println("calc runs:", doubled.Runs())
	// Output:
	// count=0 doubled=0
	// count=1 doubled=2
	// count=2 doubled=4
	// calc runs: 3
}

// Each session has its own graph: a change in one never runs, waits for or
// flushes another.
func ExampleNewGraph() {
	alice, bob := reactive.NewGraph(), reactive.NewGraph()
	defer alice.Close()
	defer bob.Close()

	msgA := reactive.NewValue(alice, "")
	msgB := reactive.NewValue(bob, "")
	reactive.NewEffect(alice, func() error { fmt.Printf("alice sees %q\n", msgA.Get()); return nil })
	reactive.NewEffect(bob, func() error { fmt.Printf("bob sees %q\n", msgB.Get()); return nil })

	msgA.Set("hi") // only alice's graph flushes
	// Output:
	// alice sees ""
	// bob sees ""
	// alice sees "hi"
}

// Values of types that are not comparable with == take an equality function.
// A set that is equal to the current value changes nothing.
func ExampleNewValueFunc() {
	g := reactive.NewGraph()
	defer g.Close()

	tags := reactive.NewValueFunc(g, []string{"go"}, slices.Equal[[]string])
	reactive.NewEffect(g, func() error { fmt.Println("tags:", tags.Get()); return nil })

	fmt.Println(tags.Set([]string{"go"}))          // a new slice, but equal
	fmt.Println(tags.Set([]string{"go", "shiny"})) // a change
	// Output:
	// tags: [go]
	// false
	// tags: [go shiny]
	// true
}

// Update is a read-modify-write in one turn, so concurrent updates are not
// lost (Set(Peek()+1) from several goroutines could lose some).
func ExampleValue_Update() {
	g := reactive.NewGraph()
	defer g.Close()

	hits := reactive.NewValue(g, 0)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() { hits.Update(func(n int) int { return n + 1 }) })
	}
	wg.Wait()
	fmt.Println(hits.Peek())
	// Output: 10
}

// An event-bound effect runs its body, isolated, only when a trigger changes.
// IgnoreInit skips the run at creation, like Shiny's ignore_init=True.
func ExampleNewEventEffect() {
	g := reactive.NewGraph()
	defer g.Close()

	saves := reactive.NewValue(g, 0) // how often "save" was clicked
	draft := reactive.NewValue(g, "hello")
	reactive.NewEventEffect(g, reactive.On(saves.Any).IgnoreInit(), func() error {
		fmt.Println("saved:", draft.Get()) // isolated: editing the draft does not save
		return nil
	})

	draft.Set("hello, world")
	saves.Set(1)
	draft.Set("bye")
	saves.Set(2)
	// Output:
	// saved: hello, world
	// saved: bye
}

// buttonClicks is a click count that is "none" until the first click, like
// Shiny's action button value.
type buttonClicks int

func (c buttonClicks) IsNone() bool { return c == 0 }

// By default an event-bound effect does not run while every trigger is none: nil
// (also a nil pointer, slice, map, func or channel) or a None reporting true.
// A plain 0, false or "" is not none.
func ExampleNone() {
	g := reactive.NewGraph()
	defer g.Close()

	send := reactive.NewValue(g, buttonClicks(0))
	reactive.NewEventEffect(g, reactive.On(send.Any), func() error {
		fmt.Println("send clicked", send.Get(), "times")
		return nil
	})
	send.Set(1)
	// Output: send clicked 1 times
}

// Once destroys an effect after its first run that is not a silent stop, like
// R Shiny's observeEvent(once = TRUE).
func ExampleOnce() {
	g := reactive.NewGraph()
	defer g.Close()

	ready := reactive.NewValue(g, false)
	reactive.NewEffect(g, func() error {
		reactive.Req(ready.Get()) // a silent stop does not count as the run
		fmt.Println("ready")
		return nil
	}, reactive.Once())

	ready.Set(true)
	ready.Set(false)
	ready.Set(true)
	// Output: ready
}

// A task runs its body in its own goroutine; its status and result are
// reactive. A call made while the task runs is queued.
func ExampleNewTask() {
	g := reactive.NewGraph()
	defer g.Close()

	release := make(chan struct{})
	square := reactive.NewTask(g, func(ctx context.Context, n int) (int, error) {
		select {
		case <-release:
			return n * n, nil
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	})

	running := make(chan struct{}, 2) // the effect saw a call running
	done := make(chan struct{})
	successes := 0
	reactive.NewEffect(g, func() error {
		r, err := square.Result()
		switch {
		case errors.Is(err, reactive.ErrInProgress):
			fmt.Println(square.Status(), "(in progress)")
			running <- struct{}{}
		case reactive.IsSilent(err):
			fmt.Println(square.Status(), "(no result)")
		case err != nil:
			fmt.Println(square.Status(), err)
		default:
			fmt.Println(square.Status(), r)
			if successes++; successes == 2 {
				close(done)
			}
		}
		return nil
	})

	square.Invoke(3)
	square.Invoke(4) // queued: it starts when the first call has finished
	for range 2 {
		<-running // let the effect see each call running before it ends
		release <- struct{}{}
	}
	<-done
	// Output:
	// initial (no result)
	// running (in progress)
	// success 9
	// running (in progress)
	// success 16
}

// Cancel sets the status to cancelled at once, even while the body has not
// returned yet; whatever the body returns later is dropped.
func ExampleTask_Cancel() {
	g := reactive.NewGraph()
	defer g.Close()

	started, release, exited := make(chan struct{}), make(chan struct{}), make(chan struct{})
	task := reactive.NewTask(g, func(ctx context.Context, _ struct{}) (string, error) {
		defer close(exited)
		close(started)
		<-ctx.Done()
		<-release // a slow body: it returns only later
		return "too late", nil
	})

	task.Invoke(struct{}{})
	<-started
	task.Cancel()
	g.Do(func() {
		_, err := task.Result()
		fmt.Println(task.Status(), reactive.IsSilent(err))
	})
	close(release)
	<-exited
	// Output: cancelled true
}

// InvalidateLater re-runs an effect after a delay. With a fake clock from
// package reactivetest, time moves only when the test says so.
func ExampleGraph_InvalidateLater() {
	clock := reactivetest.NewClock()
	g := reactive.NewGraph(reactive.WithClock(clock))
	defer g.Close()

	start := clock.Now()
	reactive.NewEffect(g, func() error {
		fmt.Println("tick at", clock.Now().Sub(start))
		g.InvalidateLater(time.Second)
		return nil
	})
	for range 3 {
		clock.Advance(time.Second) // the timer fires and posts the invalidation to g
		g.Flush()                  // waits until that posted turn has run
	}
	// Output:
	// tick at 0s
	// tick at 1s
	// tick at 2s
	// tick at 3s
}

// Do runs a function as one turn of the graph: both sets below invalidate the
// effect, and the flush at the end of the turn runs it once.
func ExampleGraph_Do() {
	g := reactive.NewGraph()
	defer g.Close()

	first := reactive.NewValue(g, "Ada")
	last := reactive.NewValue(g, "Lovelace")
	reactive.NewEffect(g, func() error {
		fmt.Println("hello,", first.Get(), last.Get())
		return nil
	})

	g.Do(func() {
		first.Set("Grace")
		last.Set("Hopper")
		// Outside a calc or effect a read is untracked; the effect has not
		// run yet.
		fmt.Println("in the turn:", first.Get())
	})
	// Output:
	// hello, Ada Lovelace
	// in the turn: Grace
	// hello, Grace Hopper
}

// Post runs a function as a turn without waiting for it. Posted from reactive
// code, it runs after the current flush; posted from elsewhere, it runs soon,
// in order, and a later Do waits for it.
// A goroutine that holds a lock while it posts runs the turn itself once it
// lets go of the lock.
func ExampleGraph_PostLater() {
	g := reactive.NewGraph()
	defer g.Close()
	last := reactive.NewValue(g, "")
	reactive.NewEffect(g, func() error {
		if s := last.Get(); s != "" {
			fmt.Println("page shows", s)
		}
		return nil
	})

	var mu sync.Mutex // say, what a stream has written so far
	mu.Lock()
	run := g.PostLater(func() { last.Set("hello") })
	mu.Unlock()
	if run != nil { // no turn was running or on its way: this goroutine runs it
		run()
	}
	g.Do(nil)
	// Output:
	// page shows hello
}

func ExampleGraph_Post() {
	g := reactive.NewGraph()
	defer g.Close()

	n := reactive.NewValue(g, 0)
	reactive.NewEffect(g, func() error {
		v := n.Get()
		fmt.Println("effect sees", v)
		if v == 0 {
			g.Post(func() {
				fmt.Println("posted from the effect")
				n.Set(1)
			})
		}
		return nil
	})

	digits := reactive.NewValue(g, 0)
	for i := 1; i <= 3; i++ {
		// Asynchronous: these may run on another goroutine, but in order.
		g.Post(func() { digits.Set(digits.Peek()*10 + i) })
	}
	g.Do(nil) // a Do runs after everything posted before it
	fmt.Println("digits:", digits.Peek())
	// Output:
	// effect sees 0
	// posted from the effect
	// effect sees 1
	// digits: 123
}

// A value that starts unset, as py-shiny's reactive.value() with no value:
// Get stops the reader silently until the first Set, Lookup reports it.
func ExampleNewUnsetValue() {
	g := reactive.NewGraph()
	defer g.Close()
	name := reactive.NewUnsetValue[string](g)
	reactive.NewEffect(g, func() error {
		fmt.Println("hello,", name.Get()) // stops silently while unset
		return nil
	})
	fmt.Println(name.IsSet())
	name.Set("Ada")
	// Output:
	// false
	// hello, Ada
}

// Lookup is the read that does not stop: (value, true) when set, (zero,
// false) when not. It is tracked like Get.
func ExampleValue_Lookup() {
	g := reactive.NewGraph()
	defer g.Close()
	limit := reactive.NewUnsetValue[int](g)
	reactive.NewEffect(g, func() error {
		if n, ok := limit.Lookup(); ok {
			fmt.Println("limit", n)
		} else {
			fmt.Println("no limit")
		}
		return nil
	})
	limit.Set(10)
	limit.Unset()
	// Output:
	// no limit
	// limit 10
	// no limit
}

// PeekLookup reads without a dependency and tells an unset value from a zero
// one, which Peek cannot.
func ExampleValue_PeekLookup() {
	g := reactive.NewGraph()
	defer g.Close()
	count := reactive.NewValue(g, 0)
	fmt.Println(count.PeekLookup())
	count.Unset()
	fmt.Println(count.PeekLookup())
	fmt.Println(count.Peek())
	// Output:
	// 0 true
	// 0 false
	// 0
}
