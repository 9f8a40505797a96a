// Package reactivetest provides test helpers for code built on package
// reactive, like net/http/httptest does for net/http.
package reactivetest

import (
	"slices"
	"sync"
	"time"

	"github.com/sheenhq/sheen/reactive"
)

// Clock is a fake [reactive.Clock]: time stands still until [Clock.Advance]
// moves it, and timers fire synchronously, in deadline order, inside Advance.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
	seq    int
}

type fakeTimer struct {
	c       *Clock
	when    time.Time
	seq     int
	f       func()
	stopped bool
}

// NewClock returns a fake clock set to a fixed instant.
func NewClock() *Clock {
	return &Clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

// Now returns the fake time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc registers f to run when the fake time reaches now+d.
func (c *Clock) AfterFunc(d time.Duration, f func()) reactive.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &fakeTimer{c: c, when: c.now.Add(d), seq: c.seq, f: f}
	c.timers = append(c.timers, t)
	return t
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	if t.stopped {
		return false
	}
	t.stopped = true
	t.c.timers = slices.DeleteFunc(t.c.timers, func(x *fakeTimer) bool { return x == t })
	return true
}

// Advance moves the fake time forward by d, firing every timer that falls due,
// earliest first, each at its own deadline. Timer functions run on the calling
// goroutine (a graph's timers only post work to the graph; call
// [reactive.Graph.Flush] or Do after Advance to run it).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	for {
		var next *fakeTimer
		for _, t := range c.timers {
			if !t.when.After(end) && (next == nil || t.when.Before(next.when) || (t.when.Equal(next.when) && t.seq < next.seq)) {
				next = t
			}
		}
		if next == nil {
			break
		}
		next.stopped = true
		c.timers = slices.DeleteFunc(c.timers, func(x *fakeTimer) bool { return x == next })
		if next.when.After(c.now) {
			c.now = next.when
		}
		c.mu.Unlock()
		next.f()
		c.mu.Lock()
	}
	c.now = end
	c.mu.Unlock()
}

// Pending returns how many timers are waiting to fire.
func (c *Clock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}
