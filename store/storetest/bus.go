package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sheenhq/sheen/store"
)

// CancelWithin is how soon Follow must return once its context is
// cancelled, even while it waits for events or for a long idle period.
const CancelWithin = 500 * time.Millisecond

// followLimit bounds a whole Follow in the suite, so that a bus that never
// delivers fails the test instead of hanging it.
const followLimit = time.Minute

// RunBus checks b against the behaviour [store.Bus] promises. Each subtest
// calls open for a fresh bus (it may share its backend with other subtests:
// every subtest uses conversation ids of its own); open registers whatever
// cleanup the bus needs with t.Cleanup.
//
// Behaviour pinned beyond the interface's doc comments:
//   - positions are opaque: the suite never compares them, it checks the
//     order they give through Since and Follow, and that the events carry
//     the positions Publish returned;
//   - Since of a position that was trimmed returns the events kept after
//     it; Since and Trim of a conversation with no log are not errors;
//   - Data reads back byte for byte, 1 MB and unicode included; empty Data
//     reads back empty (nil or not);
//   - Follow with idle 0 never calls fn with a zero Event, and returns
//     ctx's error within [CancelWithin] of ctx's end;
//   - Publish, Since and Trim with a cancelled context return errors.
func RunBus(t *testing.T, open func(t *testing.T) store.Bus) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, b store.Bus)
	}{
		{"PublishSince", testPublishSince},
		{"SinceEmpty", testSinceEmpty},
		{"ConcurrentPublish", testConcurrentPublish},
		{"Follow", testFollow},
		{"FollowRace", testFollowRace},
		{"TwoFollowers", testTwoFollowers},
		{"Independent", testIndependent},
		{"Trim", testTrim},
		{"Idle", testIdle},
		{"FollowCancel", testFollowCancel},
		{"Data", testData},
		{"BusCancelled", testBusCancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

func publish(t testing.TB, b store.Bus, id string, data string) string {
	t.Helper()
	pos, err := b.Publish(context.Background(), id, []byte(data))
	if err != nil {
		t.Fatalf("Publish(%q): %v", id, err)
	}
	return pos
}

// publishN publishes "0", "1", … n-1 and returns their positions.
func publishN(t testing.TB, b store.Bus, id string, n int) []string {
	t.Helper()
	pos := make([]string, n)
	for i := range n {
		pos[i] = publish(t, b, id, fmt.Sprint(i))
	}
	return pos
}

func since(t *testing.T, b store.Bus, id, pos string) []store.Event {
	t.Helper()
	evs, err := b.Since(context.Background(), id, pos)
	if err != nil {
		t.Fatalf("Since(%q, %q): %v", id, pos, err)
	}
	return evs
}

// checkEvents checks that got are the events at positions pos with data
// "first", "first+1", …
func checkEvents(t *testing.T, what string, got []store.Event, pos []string, first int) {
	t.Helper()
	if len(got) != len(pos) {
		t.Errorf("%s: %d events, want %d", what, len(got), len(pos))
		return
	}
	for i, e := range got {
		if e.Pos != pos[i] || string(e.Data) != fmt.Sprint(first+i) {
			t.Errorf("%s: event %d = {%q %s}, want {%q %q}", what, i, e.Pos, abbrev(string(e.Data)), pos[i], fmt.Sprint(first+i))
			return
		}
	}
}

func testPublishSince(t *testing.T, b store.Bus) {
	id := newID()
	pos := publishN(t, b, id, 10)
	seen := map[string]bool{"": true}
	for _, p := range pos {
		if seen[p] {
			t.Fatalf("Publish returned position %q twice (or \"\")", p)
		}
		seen[p] = true
	}
	checkEvents(t, `Since("")`, since(t, b, id, ""), pos, 0)
	// The positions are increasing: what follows each is exactly the
	// events published after it.
	for i, p := range pos {
		checkEvents(t, fmt.Sprintf("Since(event %d)", i), since(t, b, id, p), pos[i+1:], i+1)
	}
}

func testSinceEmpty(t *testing.T, b store.Bus) {
	if evs := since(t, b, newID(), ""); len(evs) != 0 {
		t.Errorf("Since of a conversation with no log = %d events", len(evs))
	}
}

func testConcurrentPublish(t *testing.T, b store.Bus) {
	const writers, each = 4, 50
	id := newID()
	var wg sync.WaitGroup
	pos := make([][]string, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				p, err := b.Publish(context.Background(), id, fmt.Appendf(nil, "%d/%d", w, i))
				if err != nil {
					t.Errorf("writer %d: Publish: %v", w, err)
					return
				}
				pos[w] = append(pos[w], p)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	got := since(t, b, id, "")
	if len(got) != writers*each {
		t.Fatalf("%d events, want %d", len(got), writers*each)
	}
	next := make([]int, writers) // each writer's events in its order, at its positions
	for _, e := range got {
		var w, i int
		if _, err := fmt.Sscanf(string(e.Data), "%d/%d", &w, &i); err != nil || w >= writers {
			t.Fatalf("unexpected event %q", e.Data)
		}
		if i != next[w] || e.Pos != pos[w][i] {
			t.Fatalf("writer %d: event %d at %q where %d at %q was expected", w, i, e.Pos, next[w], pos[w][next[w]])
		}
		next[w]++
	}
}

// follow runs Follow(id, pos, idle) on its own goroutine until fn returns
// false, then cancels it and returns what fn saw and Follow's error (which
// should be context.Canceled).
func follow(t *testing.T, b store.Bus, id, pos string, idle time.Duration, fn func(e store.Event) bool) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), followLimit)
	defer cancel()
	stop, stopCancel := context.WithCancel(ctx)
	defer stopCancel()
	err := b.Follow(stop, id, pos, idle, func(e store.Event) {
		if stop.Err() == nil && !fn(e) {
			stopCancel()
		}
	})
	if ctx.Err() != nil {
		// Errorf, not Fatalf: follow may run on a goroutine of the test's.
		t.Errorf("Follow(%q, %q) still running after %v", id, pos, followLimit)
	}
	return err
}

// collect follows id from pos until n events arrived and returns them.
func collect(t *testing.T, b store.Bus, id, pos string, n int) []store.Event {
	t.Helper()
	var got []store.Event
	if n == 0 {
		return nil
	}
	err := follow(t, b, id, pos, 0, func(e store.Event) bool {
		if e.Pos == "" {
			t.Errorf("Follow with idle 0 called fn with a zero Event")
			return true
		}
		got = append(got, e)
		return len(got) < n
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Follow ended by its context returned %v, want context.Canceled", err)
	}
	return got
}

func testFollow(t *testing.T, b store.Bus) {
	id := newID()
	pos := publishN(t, b, id, 5)
	checkEvents(t, `Follow from ""`, collect(t, b, id, "", 5), pos, 0)
	checkEvents(t, "Follow from event 2", collect(t, b, id, pos[2], 2), pos[3:], 3)

	// Events published once Follow waits.
	done := make(chan []store.Event)
	go func() { done <- collect(t, b, id, pos[4], 3) }()
	more := publishN(t, b, id, 3)
	checkEvents(t, "Follow of new events", <-done, more, 0)
}

func testFollowRace(t *testing.T, b store.Bus) {
	// A publisher races the start of Follow: events published before Follow
	// starts (but after its position) and after are all delivered, once, in
	// order.
	const n = 1000
	for _, before := range []int{0, 10} {
		t.Run(fmt.Sprintf("after%d", before), func(t *testing.T) {
			id := newID()
			pos := publishN(t, b, id, before)
			from := ""
			if before > 0 {
				from = pos[before/2]
			}
			published := make(chan []string, 1)
			go func() {
				var ps []string
				defer func() { published <- ps }()
				for i := range n {
					p, err := b.Publish(context.Background(), id, []byte(fmt.Sprint(before+i)))
					if err != nil {
						t.Errorf("Publish %d: %v", i, err)
						return
					}
					ps = append(ps, p)
				}
			}()
			skip := 0
			if before > 0 {
				skip = before/2 + 1
			}
			got := collect(t, b, id, from, before-skip+n)
			want := append(pos[skip:], <-published...)
			checkEvents(t, "Follow", got, want, skip)
		})
	}
}

func testTwoFollowers(t *testing.T, b store.Bus) {
	const n = 200
	id := newID()
	first := publish(t, b, id, "start")
	got := make([][]store.Event, 2)
	var wg sync.WaitGroup
	for f := range got {
		wg.Go(func() { got[f] = collect(t, b, id, first, n) })
	}
	pos := publishN(t, b, id, n)
	wg.Wait()
	for f := range got {
		checkEvents(t, fmt.Sprintf("follower %d", f), got[f], pos, 0)
	}
}

func testIndependent(t *testing.T, b store.Bus) {
	a, c := newID(), newID()
	var pa, pc []string
	for i := range 10 {
		pa = append(pa, publish(t, b, a, fmt.Sprint(i)))
		pc = append(pc, publish(t, b, c, fmt.Sprint(100+i)))
	}
	checkEvents(t, "Since of a", since(t, b, a, ""), pa, 0)
	checkEvents(t, "Since of c", since(t, b, c, ""), pc, 100)
	// A follower of a sees none of c's events.
	done := make(chan []store.Event)
	go func() { done <- collect(t, b, a, pa[9], 1) }()
	publish(t, b, c, "c's")
	p := publish(t, b, a, "10")
	checkEvents(t, "follower of a", <-done, []string{p}, 10)

	// Trimming one leaves the other.
	if err := b.Trim(context.Background(), a, p); err != nil {
		t.Fatal(err)
	}
	if got := since(t, b, c, ""); len(got) != 11 {
		t.Errorf("c has %d events after a was trimmed, want 11", len(got))
	}
}

func testTrim(t *testing.T, b store.Bus) {
	id := newID()
	pos := publishN(t, b, id, 6)
	trim := func(p string) {
		t.Helper()
		if err := b.Trim(context.Background(), id, p); err != nil {
			t.Fatalf("Trim(%q): %v", p, err)
		}
	}
	trim(pos[2])
	checkEvents(t, "Since(\"\") after Trim(event 2)", since(t, b, id, ""), pos[3:], 3)
	checkEvents(t, "Since(trimmed event 0)", since(t, b, id, pos[0]), pos[3:], 3)
	checkEvents(t, "Since(event 3)", since(t, b, id, pos[3]), pos[4:], 4)
	checkEvents(t, "Follow after Trim", collect(t, b, id, "", 3), pos[3:], 3)
	trim(pos[1]) // already gone: nothing changes
	checkEvents(t, "Since(\"\") after an older Trim", since(t, b, id, ""), pos[3:], 3)

	trim(pos[5])
	if got := since(t, b, id, ""); len(got) != 0 {
		t.Errorf("after Trim of the last event, Since(\"\") = %d events", len(got))
	}
	// The log goes on after the trimmed end.
	p := publish(t, b, id, "6")
	checkEvents(t, "Since(\"\") after Trim and Publish", since(t, b, id, ""), []string{p}, 6)
	checkEvents(t, "Since(last trimmed)", since(t, b, id, pos[5]), []string{p}, 6)

	if err := b.Trim(context.Background(), newID(), p); err != nil {
		t.Errorf("Trim of a conversation with no log: %v", err)
	}
}

func testIdle(t *testing.T, b store.Bus) {
	const idle = 50 * time.Millisecond
	id := newID()
	// Two idle calls, then an event, then an idle call again.
	var got []string
	publishNow := make(chan struct{})
	published := make(chan string, 1)
	go func() {
		if _, ok := <-publishNow; ok {
			published <- publish(t, b, id, "event")
		}
	}()
	defer close(publishNow)
	var p string
	err := follow(t, b, id, "", idle, func(e store.Event) bool {
		switch {
		case e.Pos == "" && e.Data == nil:
			got = append(got, "idle")
		case string(e.Data) == "event":
			got = append(got, "event")
		default:
			got = append(got, fmt.Sprintf("{%q %q}", e.Pos, e.Data))
		}
		if len(got) == 2 {
			publishNow <- struct{}{}
			p = <-published
		}
		return len(got) < 4 || got[len(got)-1] != "idle"
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Follow: %v, want context.Canceled", err)
	}
	if want := "idle idle event idle"; strings.Join(got, " ") != want {
		t.Errorf("fn saw %v, want %s (the event at %q)", got, want, p)
	}
}

func testFollowCancel(t *testing.T, b store.Bus) {
	id := newID()
	// Cancelled already: returns at once, fn not called.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	publish(t, b, id, "0")
	err := b.Follow(ctx, id, "", 0, func(store.Event) { t.Error("fn called after ctx ended") })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Follow with a cancelled context: %v, want context.Canceled", err)
	}

	// Cancelled while it waits, idle or not: returns within CancelWithin,
	// however long the idle period.
	for _, idle := range []time.Duration{0, time.Hour} {
		ctx, cancel := context.WithCancel(context.Background())
		started := make(chan struct{})
		done := make(chan error)
		go func() {
			done <- b.Follow(ctx, id, "", idle, func(e store.Event) {
				if string(e.Data) == "0" {
					close(started)
				}
			})
		}()
		select {
		case <-started: // it has read the log and waits for more
		case err := <-done:
			t.Fatalf("Follow (idle %v) returned before it delivered the event: %v", idle, err)
		}
		at := time.Now()
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Follow (idle %v) cancelled: %v, want context.Canceled", idle, err)
			}
			if d := time.Since(at); d > CancelWithin {
				t.Errorf("Follow (idle %v) returned %v after its context was cancelled, want within %v", idle, d, CancelWithin)
			}
		case <-time.After(followLimit):
			t.Fatalf("Follow (idle %v) still running %v after its context was cancelled", idle, followLimit)
		}
	}
}

func testData(t *testing.T, b store.Bus) {
	id := newID()
	big := strings.Repeat(`{"text":"héllo wörld, 世界 🎉 \u2028 \"quoted\" \\"}`, 1<<20/56+1)[:1<<20]
	datas := [][]byte{
		[]byte(big),
		[]byte("héllo 世界 🎉 \u2028\u2029 \u0000 \xff not UTF-8"),
		{},
		[]byte(`{"kind":"text","text":"ok"}`),
	}
	var pos []string
	for _, d := range datas {
		p, err := b.Publish(context.Background(), id, d)
		if err != nil {
			t.Fatalf("Publish of %d bytes: %v", len(d), err)
		}
		pos = append(pos, p)
	}
	check := func(what string, got []store.Event) {
		t.Helper()
		if len(got) != len(datas) {
			t.Fatalf("%s: %d events, want %d", what, len(got), len(datas))
		}
		for i, e := range got {
			if e.Pos != pos[i] || !bytes.Equal(e.Data, datas[i]) {
				t.Errorf("%s: event %d = {%q %s}, want {%q %s}", what, i, e.Pos, abbrev(string(e.Data)), pos[i], abbrev(string(datas[i])))
			}
		}
	}
	check("Since", since(t, b, id, ""))
	check("Follow", collect(t, b, id, "", len(datas)))
}

func testBusCancelled(t *testing.T, b store.Bus) {
	id := newID()
	p := publish(t, b, id, "0")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.Publish(ctx, id, []byte("x")); err == nil {
		t.Error("Publish with a cancelled context: no error")
	}
	if _, err := b.Since(ctx, id, ""); err == nil {
		t.Error("Since with a cancelled context: no error")
	}
	if err := b.Trim(ctx, id, p); err == nil {
		t.Error("Trim with a cancelled context: no error")
	}
	// The bus still works, and the trim did not happen.
	if got := since(t, b, id, ""); len(got) == 0 || got[0].Pos != p {
		t.Errorf("after the cancelled calls Since(\"\") = %d events, the first not %q", len(got), p)
	}
}
