package load

import (
	"fmt"
	"os"
	"sync"
)

// Errors counts a run's errors and keeps the first five, to print. It is
// safe for concurrent use; the zero value is ready.
type Errors struct {
	mu    sync.Mutex
	n     int
	first []error
}

// Add counts err.
func (l *Errors) Add(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n++
	if len(l.first) < 5 {
		l.first = append(l.first, err)
	}
}

// Count returns how many errors were added.
func (l *Errors) Count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

// Print writes the first errors, and how many more there were, to
// standard error.
func (l *Errors) Print() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, err := range l.first {
		fmt.Fprintln(os.Stderr, "error:", err)
	}
	if l.n > len(l.first) {
		fmt.Fprintf(os.Stderr, "error: … and %d more\n", l.n-len(l.first))
	}
}
