package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sheenhq/sheen/store"
)

// Bench runs the store benchmarks the chat's figures come from, each on a
// fresh store from open:
//
//   - Append: one message of 200 bytes, the latency's p50 and p99 reported
//     as "p50-µs" and "p99-µs";
//   - AppendText: 7 bytes added to a streaming message (a token or two; a
//     new message every 1,000 of them), p50 and p99 likewise;
//   - Get1000: a conversation of 1,000 messages of 500 bytes read back (a
//     page restoring it);
//   - List50of10000: the first page of 50 among 10,000 conversations of one
//     owner (the sidebar).
//
// Setting up Get1000 and List50of10000 writes 1,000 messages and 10,000
// conversations before timing starts.
func Bench(b *testing.B, open func(b *testing.B) store.Store) {
	b.Run("Append", func(b *testing.B) {
		s := openBench(b, open)
		c := create(b, s, "alice", "bench", base())
		content := strings.Repeat("x", 200)
		i := 0
		latencies(b, func() error {
			i++
			return s.Append(context.Background(), c.ID, store.Message{ID: fmt.Sprint(i), Role: "user", Content: content})
		})
	})
	b.Run("AppendText", func(b *testing.B) {
		s := openBench(b, open)
		c := create(b, s, "alice", "bench", base())
		// A new message every 1,000 tokens, as long answers are.
		var msgID string
		i := 0
		latencies(b, func() error {
			if i%1000 == 0 {
				msgID = fmt.Sprint(i)
				if err := s.Append(context.Background(), c.ID, store.Message{ID: msgID, Role: "assistant", Status: store.StatusStreaming}); err != nil {
					return err
				}
			}
			i++
			return s.AppendText(context.Background(), c.ID, msgID, " token ")
		})
	})
	b.Run("Get1000", func(b *testing.B) {
		s := openBench(b, open)
		c := create(b, s, "alice", "bench", base())
		content := strings.Repeat("lorem ipsum ", 42)[:500]
		for i := range 1000 {
			appendMsg(b, s, c.ID, store.Message{ID: fmt.Sprint(i), Role: "user", Content: content, Meta: []byte(`{"tokens":120}`)})
		}
		for b.Loop() {
			_, ms, err := s.Get(context.Background(), "alice", c.ID)
			if err != nil || len(ms) != 1000 {
				b.Fatalf("Get: %d messages, %v", len(ms), err)
			}
		}
	})
	b.Run("List50of10000", func(b *testing.B) {
		s := openBench(b, open)
		start := base()
		for i := range 10_000 {
			create(b, s, "alice", fmt.Sprint("conversation ", i), start.Add(time.Duration(i)*time.Second))
		}
		for i := range 100 {
			create(b, s, fmt.Sprint("other", i), "other", start)
		}
		for b.Loop() {
			page, next, err := s.List(context.Background(), "alice", "", 50)
			if err != nil || len(page) != 50 || next == "" {
				b.Fatalf("List: %d, %q, %v", len(page), next, err)
			}
		}
	})
}

func openBench(b *testing.B, open func(b *testing.B) store.Store) store.Store {
	s := open(b)
	b.Cleanup(func() {
		if err := s.Close(); err != nil {
			b.Errorf("Close: %v", err)
		}
	})
	return s
}

// latencies runs op b.N times and reports its p50 and p99 in microseconds.
func latencies(b *testing.B, op func() error) {
	var d []time.Duration
	for b.Loop() {
		start := time.Now()
		if err := op(); err != nil {
			b.Fatal(err)
		}
		d = append(d, time.Since(start))
	}
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(d[len(d)*99/100].Nanoseconds())/1e3, "p99-µs")
}
