package storetest_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/sheenhq/sheen/store"
	"github.com/sheenhq/sheen/store/storetest"
)

// TestMain checks that no test, Follow's included, leaves a goroutine.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// memBus is the smallest Bus that passes the suite, as mem is for Store:
// positions are zero-padded decimal numbers, one counter for every log.
type memBus struct {
	mu   sync.Mutex
	seq  uint64
	logs map[string]*memLog
}

type memLog struct {
	events  []store.Event
	changed chan struct{} // closed and replaced on each Publish
}

func newMemBus() *memBus { return &memBus{logs: map[string]*memLog{}} }

func (m *memBus) log(id string) *memLog {
	l, ok := m.logs[id]
	if !ok {
		l = &memLog{changed: make(chan struct{})}
		m.logs[id] = l
	}
	return l
}

func (m *memBus) Publish(ctx context.Context, id string, data []byte) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seq++
	pos := fmt.Sprintf("%020d", m.seq)
	l := m.log(id)
	l.events = append(l.events, store.Event{Pos: pos, Data: bytes.Clone(data)})
	close(l.changed)
	l.changed = make(chan struct{})
	return pos, nil
}

// after returns the events of l after pos, and the channel that is closed
// when more come; m.mu is held.
func (m *memBus) after(id, pos string) ([]store.Event, <-chan struct{}) {
	l := m.log(id)
	var out []store.Event
	for _, e := range l.events {
		if e.Pos > pos {
			out = append(out, store.Event{Pos: e.Pos, Data: bytes.Clone(e.Data)})
		}
	}
	return out, l.changed
}

func (m *memBus) Since(ctx context.Context, id, pos string) ([]store.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	evs, _ := m.after(id, pos)
	return evs, nil
}

func (m *memBus) Follow(ctx context.Context, id, pos string, idle time.Duration, fn func(store.Event)) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		m.mu.Lock()
		evs, changed := m.after(id, pos)
		m.mu.Unlock()
		for _, e := range evs {
			fn(e)
			pos = e.Pos
		}
		if len(evs) > 0 {
			continue
		}
		if err := m.wait(ctx, changed, idle, fn); err != nil {
			return err
		}
	}
}

// wait returns when changed is closed or ctx ends (with its error), after
// calling fn with a zero Event every idle period (if positive) until then.
func (m *memBus) wait(ctx context.Context, changed <-chan struct{}, idle time.Duration, fn func(store.Event)) error {
	var idleC <-chan time.Time
	if idle > 0 {
		timer := time.NewTicker(idle)
		defer timer.Stop()
		idleC = timer.C
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
			return nil
		case <-idleC:
			fn(store.Event{})
		}
	}
}

func (m *memBus) Trim(ctx context.Context, id, pos string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	l := m.log(id)
	i := 0
	for i < len(l.events) && l.events[i].Pos <= pos {
		i++
	}
	l.events = l.events[i:]
	return nil
}

func TestRunBus(t *testing.T) {
	storetest.RunBus(t, func(t *testing.T) store.Bus { return newMemBus() })
}

func BenchmarkBenchBus(b *testing.B) {
	storetest.BenchBus(b, func(b *testing.B) store.Bus { return newMemBus() })
}
