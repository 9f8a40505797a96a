package reactive

import "time"

// Clock is the source of time for timers ([Graph.InvalidateLater], [Poll]).
// The real clock uses package time; tests inject a fake one (package
// reactivetest) so timer behaviour is tested without sleeping.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine after d, unless stopped first.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a timer started by a [Clock].
type Timer interface {
	// Stop prevents the timer from firing; it reports whether it did.
	Stop() bool
}

type realClock struct{}

func (realClock) Now() time.Time                            { return time.Now() }
func (realClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }
