package chat

import "time"

// flusher is the state of a writer's flusher: one goroutine that runs the
// writer's coalesced flushes, each when the coalescing period after the
// previous flush ends, for as long as the stream goes on. It replaces a
// time.AfterFunc per flush, which ran every flush (the markdown render and
// the broadcast to the views) on a goroutine of its own that grew its stack
// again each time. Guarded by the conversation's mu.
//
// The goroutine starts with the first flush that has to wait, sleeps until
// the period ends while the stream is live (a flush is pending, or one ran
// less than a period ago), parks on wake once a period passed with nothing
// to flush, and ends when the writer stops, or after flusherLinger parked:
// no goroutine outlives its stream by more than that, even a stream that
// never ends (the copy of another instance's reply whose instance died).
type flusher struct {
	pending bool          // a flush waits for the period to end
	running bool          // the goroutine runs
	parked  bool          // it waits on wake: nothing pending, the stream went quiet
	wake    chan struct{} // capacity 1
}

// flusherLinger is how long a parked flusher waits for a write before it
// ends; maxSleep is the longest wait for a flush it sleeps through without
// heeding endFlusher.
const (
	flusherLinger = time.Second
	maxSleep      = 100 * time.Millisecond
)

// wakeFlusher makes the flusher run the pending flush: it starts the
// goroutine, or wakes it if it is parked (if it sleeps, it wakes when the
// period ends anyway). Locked.
func (w *writer) wakeFlusher() {
	f := &w.fl
	if !f.running {
		f.running = true
		if f.wake == nil {
			f.wake = make(chan struct{}, 1)
		}
		go w.flushLoop()
		return
	}
	if f.parked {
		f.parked = false
		select {
		case f.wake <- struct{}{}:
		default:
		}
	}
}

// endFlusher wakes the flusher of a writer that stopped, so that it ends
// now (one in a short sleep ends when it wakes, within maxSleep). Locked.
func (w *writer) endFlusher() {
	if w.fl.running {
		select {
		case w.fl.wake <- struct{}{}:
		default:
		}
	}
}

// periodStart returns when the next coalescing period starts after a flush
// that was due at due ran at now: at due, to keep the cadence, so that one
// flush a busy machine got to late does not push back every later one (the
// pages see a frame a period apart on average); at now if it was later than
// a whole period.
func periodStart(due, now time.Time, period time.Duration) time.Time {
	if now.Sub(due) < period {
		return due
	}
	return now
}

// flushLoop is the flusher's goroutine.
func (w *writer) flushLoop() {
	cv, f := w.cv, &w.fl
	var t *time.Timer
	cv.mu.Lock()
	for !w.ended {
		now := time.Now()
		due := w.last.Add(w.coalesce)
		d := flusherLinger
		switch {
		case f.pending && !now.Before(due):
			// With one page, the turn that sends it the patch runs here,
			// once the lock is let go, rather than on a goroutine its
			// session wakes for it. (With several, each session keeps
			// its own goroutine, so that one page's slow reactive code
			// never holds up the others' frames.)
			if len(cv.views) == 1 {
				cv.later = &w.runs
			}
			w.flush()
			cv.later = nil
			w.last = periodStart(due, now, w.coalesce)
			if len(w.runs) > 0 {
				cv.mu.Unlock()
				for i, run := range w.runs {
					run()
					w.runs[i] = nil
				}
				w.runs = w.runs[:0]
				cv.mu.Lock()
			}
			continue
		case f.pending || now.Before(due):
			// A flush waits for due; or one ran less than a period
			// ago (here, or inline in a write that came after the
			// period) and the stream will likely go on: sleeping until
			// due costs less than parking and being woken. A short
			// wait is a plain sleep, the cheapest (a writer that stops
			// meanwhile is seen when it ends); a longer one (a long
			// coalescing period) can be cut short by endFlusher.
			d = due.Sub(now)
			if d <= maxSleep {
				cv.mu.Unlock()
				time.Sleep(d)
				cv.mu.Lock()
				continue
			}
		case f.parked:
			// Parked for flusherLinger with nothing to flush (or woken
			// by a token left over from an earlier wake): end; the
			// next write that has to wait starts another.
			f.running, f.parked = false, false
			cv.mu.Unlock()
			t.Stop()
			return
		default:
			f.parked = true
		}
		cv.mu.Unlock()
		if t == nil {
			t = time.NewTimer(d)
		} else {
			t.Reset(d)
		}
		select {
		case <-t.C:
		case <-f.wake:
		}
		cv.mu.Lock()
	}
	f.running, f.parked = false, false
	cv.mu.Unlock()
	if t != nil {
		t.Stop()
	}
}
