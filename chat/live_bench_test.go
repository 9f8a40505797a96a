package chat_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sheenhq/sheen/internal/redistest"
)

// BenchmarkLiveFollow measures how long a streamed chunk takes to reach a
// page: on the instance that streams it ("same"), and on another instance
// that follows the conversation through Redis ("other": A's flush, the live
// log on Redis Streams, B's follower, B's rendering and B's socket). Chunks
// come 50 ms apart, so no coalescing holds them back; each op is one chunk.
// It reports the p50 and p99 from the chunk's yield on A to the patch that
// shows it on the page, both on 127.0.0.1 in one process.
func BenchmarkLiveFollow(b *testing.B) {
	addr := redistest.Start(b)
	for _, where := range []string{"same", "other"} {
		b.Run(where, func(b *testing.B) {
			a := newInstance(b, addr)
			follower := a
			if where == "other" {
				follower = newInstance(b, addr)
			}
			pa := a.open(b, "")
			pa.Submit("go")
			id := pa.Next("conversation")["id"].(string)
			a.chunks <- "start "
			pa.Wait("the reply", func(m pagetestMsg) bool { return m.Name == "patch" })
			p := pa
			if where == "other" {
				synced(b, a.h)
				p = follower.open(b, id)
			}
			var mu sync.Mutex
			sent := map[string]time.Time{}
			var lat []float64
			i := 0
			for b.Loop() {
				i++
				mark := fmt.Sprintf("w%d", i)
				time.Sleep(50 * time.Millisecond) // the pace of a model, not a synchronisation
				mu.Lock()
				sent[mark] = time.Now()
				mu.Unlock()
				a.chunks <- mark + " "
				p.Wait("the chunk", func(m pagetestMsg) bool { return m.Name == "patch" && strings.Contains(string(m.Data), mark) })
				mu.Lock()
				lat = append(lat, float64(time.Since(sent[mark]).Microseconds())/1000)
				mu.Unlock()
			}
			a.chunks <- endReply
			slices.Sort(lat)
			b.ReportMetric(lat[len(lat)/2], "p50-ms")
			b.ReportMetric(lat[len(lat)*99/100], "p99-ms")
		})
	}
}
