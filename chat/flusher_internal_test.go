package chat

import (
	"testing"
	"time"

	"github.com/sheenhq/sheen/reactive"
)

// waitFor polls cond (state guarded by cv.mu: nothing to wait on) until it
// holds, failing the test after 10 s.
func waitFor(t *testing.T, cv *conv, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		cv.mu.Lock()
		ok := cond()
		cv.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 10 s in vain for %s", what)
		}
	}
}

// newTestWriter returns a writer of a new conversation shown by one chat,
// with the given coalescing period; its graph closes when the test ends.
func newTestWriter(t *testing.T, coalesce time.Duration) (*conv, *writer) {
	g := reactive.NewGraph()
	t.Cleanup(g.Close)
	c := &Chat{g: g, id: "chat", cfg: defaults()}
	cv := newConv(nil, "", "", "chat")
	c.cv.Store(cv)
	w := cv.newWriter(c)
	w.coalesce = coalesce
	return cv, w
}

// TestFlusher: a write within the coalescing period of the last flush is
// flushed by the writer's flusher when the period ends, not before; the
// flusher parks when the stream goes quiet, ends after flusherLinger
// parked, starts again with the next write that has to wait, and ends at
// once when the writer stops.
func TestFlusher(t *testing.T) {
	const period = 40 * time.Millisecond
	cv, w := newTestWriter(t, period)

	w.write("one ")
	cv.mu.Lock()
	first, running := w.last, w.fl.running
	cv.mu.Unlock()
	if first.IsZero() || running {
		t.Fatalf("the first write: last flush %v, flusher running %v; want a flush inline and no flusher", first, running)
	}
	w.write("two ")
	cv.mu.Lock()
	pending, running, last := w.fl.pending, w.fl.running, w.last
	cv.mu.Unlock()
	if !pending || !running || last != first {
		t.Fatalf("a write within the period: pending %v, flusher running %v, flushed again %v; want it pending on the flusher", pending, running, last != first)
	}
	waitFor(t, cv, "the pending flush", func() bool { return !w.fl.pending })
	cv.mu.Lock()
	second := w.last
	cv.mu.Unlock()
	if second.Sub(first) < period {
		t.Errorf("the pending flush ran %v after the previous one; want at least the period, %v", second.Sub(first), period)
	}
	if p, _ := w.ms.Flush(); p.Answer.Tail != "" || len(p.Answer.Blocks) != 0 {
		t.Errorf("the flusher left %+v unflushed", p.Answer)
	}
	waitFor(t, cv, "the flusher to park", func() bool { return w.fl.parked })
	waitFor(t, cv, "the parked flusher to end", func() bool { return !w.fl.running })

	// The stream goes on: flushes inline or on a new flusher.
	w.write("three ")
	w.write("four ")
	cv.mu.Lock()
	running = w.fl.running || !w.fl.pending
	cv.mu.Unlock()
	if !running {
		t.Fatal("a pending flush without a flusher")
	}
	cv.mu.Lock()
	w.stop()
	cv.mu.Unlock()
	waitFor(t, cv, "the flusher of a stopped writer to end", func() bool { return !w.fl.running })
	w.write("five ") // ignored: the writer ended
	cv.mu.Lock()
	defer cv.mu.Unlock()
	if w.fl.running || w.fl.pending {
		t.Errorf("after stop: flusher running %v, pending %v", w.fl.running, w.fl.pending)
	}
}

// TestFlusherLongPeriod: with a coalescing period far longer than a test,
// a pending flush waits on a timer that stop cuts short: the flusher ends
// at once when the writer stops.
func TestFlusherLongPeriod(t *testing.T) {
	cv, w := newTestWriter(t, time.Hour)
	w.write("one ")
	w.write("two ")
	cv.mu.Lock()
	if !w.fl.running || !w.fl.pending {
		cv.mu.Unlock()
		t.Fatalf("flusher running %v, pending %v; want a flush waiting on the flusher", w.fl.running, w.fl.pending)
	}
	w.stop()
	cv.mu.Unlock()
	waitFor(t, cv, "the flusher of a stopped writer to end", func() bool { return !w.fl.running })
}

func TestPeriodStart(t *testing.T) {
	due := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	const period = 30 * time.Millisecond
	tests := []struct {
		name string
		late time.Duration
		want time.Time
	}{
		{"on time", 0, due},
		{"late by less than a period: the cadence holds", 12 * time.Millisecond, due},
		{"late by just under a period", period - time.Nanosecond, due},
		{"late by a period: afresh", period, due.Add(period)},
		{"late by much more", 5 * period, due.Add(5 * period)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := periodStart(due, due.Add(tt.late), period); !got.Equal(tt.want) {
				t.Errorf("periodStart(due, due+%v) = due+%v, want due+%v", tt.late, got.Sub(due), tt.want.Sub(due))
			}
		})
	}
}

// TestScheduleLate: a write that comes a period or more after the last
// flush is flushed at once when no flusher runs (the first chunk shows
// without waiting), and is left to the flusher while one runs, which
// flushes it without waiting for a period; without coalescing every write
// flushes at once.
func TestScheduleLate(t *testing.T) {
	for _, tc := range []struct {
		name     string
		coalesce time.Duration
		running  bool // a flusher runs when the late write comes
		inline   bool
	}{
		{"no flusher", 30 * time.Millisecond, false, true},
		{"flusher running", 30 * time.Millisecond, true, false},
		{"no coalescing", 0, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cv, w := newTestWriter(t, tc.coalesce)
			w.write("one ")
			if tc.running {
				w.write("two ") // within the period: starts the flusher
				waitFor(t, cv, "the pending flush", func() bool { return !w.fl.pending && w.fl.running })
			}
			cv.mu.Lock()
			running := w.fl.running
			w.last = time.Now().Add(-time.Hour) // the next write is late
			before := w.last
			cv.mu.Unlock()
			if running != tc.running {
				t.Fatalf("flusher running %v before the late write; the test wants %v", running, tc.running)
			}
			w.write("three ")
			cv.mu.Lock()
			inline := w.last != before
			cv.mu.Unlock()
			if inline != tc.inline {
				t.Errorf("the late write flushed at once: %v; want %v", inline, tc.inline)
			}
			waitFor(t, cv, "the late write's flush", func() bool { return !w.fl.pending && w.last != before })
			if p, _ := w.ms.Flush(); p.Answer.Tail != "" || len(p.Answer.Blocks) != 0 {
				t.Errorf("left %+v unflushed", p.Answer)
			}
			cv.mu.Lock()
			w.stop()
			cv.mu.Unlock()
			waitFor(t, cv, "the flusher to end", func() bool { return !w.fl.running })
		})
	}
}
