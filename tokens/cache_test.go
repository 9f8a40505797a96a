package tokens

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// countingCounter counts words and how often it was asked.
type countingCounter struct{ calls atomic.Int64 }

func (c *countingCounter) Count(text string) int {
	c.calls.Add(1)
	return len(strings.Fields(text))
}

func TestCache(t *testing.T) {
	type step struct {
		forget   bool // Forget(id) instead of Count
		id, text string
		want     int  // the count
		counted  bool // whether the Counter was asked
		wantLen  int
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"hit", []step{
			{id: "a", text: "one two", want: 2, counted: true, wantLen: 1},
			{id: "a", text: "one two", want: 2, wantLen: 1},
			{id: "a", text: "one " + "two", want: 2, wantLen: 1}, // an equal string built anew
		}},
		{"edit recounts", []step{
			{id: "a", text: "one two", want: 2, counted: true, wantLen: 1},
			{id: "a", text: "one two three", want: 3, counted: true, wantLen: 1},
			{id: "a", text: "one two three", want: 3, wantLen: 1},
			{id: "a", text: "one two", want: 2, counted: true, wantLen: 1}, // only the last text is kept
		}},
		{"identity is part of the key", []step{
			{id: "a", text: "same text", want: 2, counted: true, wantLen: 1},
			{id: "b", text: "same text", want: 2, counted: true, wantLen: 2},
			{id: "a", text: "same text", want: 2, wantLen: 2},
		}},
		{"forget", []step{
			{id: "a", text: "x", want: 1, counted: true, wantLen: 1},
			{id: "b", text: "y", want: 1, counted: true, wantLen: 2},
			{forget: true, id: "a", wantLen: 1},
			{forget: true, id: "nope", wantLen: 1},
			{id: "a", text: "x", want: 1, counted: true, wantLen: 2},
			{id: "b", text: "y", want: 1, wantLen: 2},
		}},
		{"empty id and text", []step{
			{id: "", text: "", want: 0, counted: true, wantLen: 1},
			{id: "", text: "", want: 0, wantLen: 1},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var counter countingCounter
			c := NewCache(&counter)
			for i, s := range tt.steps {
				before := counter.calls.Load()
				if s.forget {
					c.Forget(s.id)
				} else if got := c.Count(s.id, s.text); got != s.want {
					t.Errorf("step %d: Count(%q, %q) = %d, want %d", i, s.id, s.text, got, s.want)
				}
				if counted := counter.calls.Load() > before; counted != s.counted {
					t.Errorf("step %d: counted = %v, want %v", i, counted, s.counted)
				}
				if got := c.Len(); got != s.wantLen {
					t.Errorf("step %d: Len = %d, want %d", i, got, s.wantLen)
				}
			}
		})
	}
}

func TestCacheZeroValueUsesDefault(t *testing.T) {
	var c Cache
	text := "The quick brown fox jumps over the lazy dog."
	if got, want := c.Count("m1", text), Default().Count(text); got != want {
		t.Errorf("Count = %d, want %d", got, want)
	}
	if got, want := NewCache(nil).Count("m1", text), Default().Count(text); got != want {
		t.Errorf("NewCache(nil): Count = %d, want %d", got, want)
	}
}

func TestCacheConcurrent(t *testing.T) {
	var counter countingCounter
	c := NewCache(&counter)
	const ids, workers = 50, 8
	var wg sync.WaitGroup
	errs := make(chan error, ids*workers)
	for w := range workers {
		wg.Go(func() {
			for i := range ids {
				id := fmt.Sprint(i)
				text := strings.Repeat("w ", i)
				if w%2 == 1 && i%5 == 0 {
					c.Forget(id)
				}
				if got := c.Count(id, text); got != i {
					errs <- fmt.Errorf("Count(%q) = %d, want %d", id, got, i)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Once the dust settles, one pass stores every count again and the
	// next one counts nothing.
	for i := range ids {
		c.Count(fmt.Sprint(i), strings.Repeat("w ", i))
	}
	before := counter.calls.Load()
	for i := range ids {
		c.Count(fmt.Sprint(i), strings.Repeat("w ", i))
	}
	if extra := counter.calls.Load() - before; extra != 0 {
		t.Errorf("%d recounts of cached messages", extra)
	}
	if n := c.Len(); n != ids {
		t.Errorf("Len = %d, want %d", n, ids)
	}
}

// blockingCounter waits for a signal before it answers.
type blockingCounter struct {
	started chan struct{}
	release chan struct{}
}

func (c blockingCounter) Count(text string) int {
	c.started <- struct{}{}
	<-c.release
	return len(text)
}

// A message forgotten while it is being counted stays forgotten.
func TestCacheForgetDuringCount(t *testing.T) {
	bc := blockingCounter{started: make(chan struct{}), release: make(chan struct{})}
	c := NewCache(bc)
	done := make(chan int)
	go func() { done <- c.Count("gone", "text") }()
	<-bc.started
	c.Forget("gone")
	close(bc.release)
	if n := <-done; n != len("text") {
		t.Errorf("Count = %d, want %d", n, len("text"))
	}
	if n := c.Len(); n != 0 {
		t.Errorf("Len = %d after Forget, want 0", n)
	}
}
