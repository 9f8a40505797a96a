package goid

import (
	"sync"
	"testing"
)

func TestCurrentStableWithinGoroutine(t *testing.T) {
	a, b := Current(), Current()
	if a == 0 || a != b {
		t.Fatalf("Current() = %#x then %#x; want the same non-zero token", a, b)
	}
}

func TestCurrentDiffersAcrossLiveGoroutines(t *testing.T) {
	const n = 64
	tokens := make([]uintptr, n)
	var ready, release sync.WaitGroup
	ready.Add(n)
	release.Add(1)
	var done sync.WaitGroup
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			tokens[i] = Current()
			ready.Done()
			release.Wait() // keep every goroutine alive until all tokens are taken
		}()
	}
	ready.Wait()
	release.Done()
	done.Wait()
	seen := map[uintptr]bool{Current(): true}
	for i, tok := range tokens {
		if seen[tok] {
			t.Fatalf("goroutine %d got token %#x, already used by a live goroutine", i, tok)
		}
		seen[tok] = true
	}
}

func BenchmarkCurrent(b *testing.B) {
	for b.Loop() {
		_ = Current()
	}
}
