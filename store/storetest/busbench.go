package storetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sheenhq/sheen/store"
)

// BenchBus runs the bus benchmarks, each on a fresh bus from open (which
// registers its own cleanup):
//
//   - Publish: one event of 200 bytes (a chunk of a streaming reply, as
//     JSON); latency p50 and p99 reported as "p50-µs" and "p99-µs";
//   - Delivery: the time from the start of a Publish of 200 bytes to the
//     moment a follower of the conversation has it (fn called), one event
//     at a time; p50 and p99 likewise.
func BenchBus(b *testing.B, open func(b *testing.B) store.Bus) {
	data := []byte(`{"kind":"text","text":"` + strings.Repeat("x", 200-len(`{"kind":"text","text":""}`)) + `"}`)
	b.Run("Publish", func(b *testing.B) {
		bus := open(b)
		id := newID()
		latencies(b, func() error {
			_, err := bus.Publish(context.Background(), id, data)
			return err
		})
	})
	b.Run("Delivery", func(b *testing.B) {
		bus := open(b)
		id := newID()
		ctx, cancel := context.WithCancel(context.Background())
		got := make(chan struct{})
		done := make(chan error, 1)
		go func() {
			done <- bus.Follow(ctx, id, "", 0, func(store.Event) {
				select {
				case got <- struct{}{}:
				case <-ctx.Done():
				}
			})
		}()
		defer func() {
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				b.Errorf("Follow: %v", err)
			}
		}()
		var d []time.Duration
		for b.Loop() {
			start := time.Now()
			if _, err := bus.Publish(context.Background(), id, data); err != nil {
				b.Fatal(err)
			}
			select {
			case <-got:
			case err := <-done:
				b.Fatalf("Follow returned: %v", err)
			}
			d = append(d, time.Since(start))
		}
		slices.Sort(d)
		b.ReportMetric(float64(d[len(d)/2].Nanoseconds())/1e3, "p50-µs")
		b.ReportMetric(float64(d[len(d)*99/100].Nanoseconds())/1e3, "p99-µs")
	})
}
