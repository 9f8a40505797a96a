package sqlite_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sheenhq/sheen/store"
)

// BenchmarkStream50K saves one streaming reply the way the chat does: a
// streaming message appended, its text added in 200 pieces of 256 bytes
// (a slow model's reply saved at every closed block), then the finished
// message written by Update. One op is the whole reply (202 transactions).
// It reports "write-amp", the message text written to rows
// (Stats().RowBytes) per byte of the final text, and "wchar-amp", the bytes
// the process passed to write(2) (WAL frames and checkpoints: what SQLite
// really writes, pages and all) per byte of the final text, and
// "cpu-ms/op", the process's CPU time per reply.
func BenchmarkStream50K(b *testing.B) {
	const pieces, size = 200, 256
	s := open(b)
	defer s.Close()
	ctx := context.Background()
	if err := s.Create(ctx, store.Conversation{ID: "c", Owner: "alice"}); err != nil {
		b.Fatal(err)
	}
	piece := strings.Repeat("lorem ipsum dolor sit amet, ", size/28+1)[:size]
	final := strings.Repeat(piece, pieces)
	before := s.Stats()
	wBefore, wOK := wchar()
	cpu := cpuTime()
	n := 0
	for b.Loop() {
		id := fmt.Sprint(n)
		n++
		if err := s.Append(ctx, "c", store.Message{ID: id, Role: "assistant", Status: store.StatusStreaming}); err != nil {
			b.Fatal(err)
		}
		for range pieces {
			if err := s.AppendText(ctx, "c", id, piece); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.Update(ctx, "c", store.Message{ID: id, Role: "assistant", Content: final}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(n)/1e3, "cpu-ms/op")
	finalBytes := float64(n) * float64(len(final))
	b.ReportMetric(float64(s.Stats().RowBytes-before.RowBytes)/finalBytes, "write-amp")
	if wAfter, ok := wchar(); ok && wOK {
		b.ReportMetric(float64(wAfter-wBefore)/finalBytes, "wchar-amp")
	}
}

// wchar is the bytes this process has passed to write(2) and its kin, from
// /proc/self/io (Linux only).
func wchar() (int64, bool) {
	f, err := os.Open("/proc/self/io")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "wchar: "); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// BenchmarkGet1000 reads back a conversation of 1,000 messages of 500
// bytes: "finished", all of them written by Append; "streaming", the last
// one a reply still streaming, grown by 200 AppendText calls of 256 bytes
// (a page reloaded in the middle of a reply). Besides the time it reports
// "cpu-µs/op", the process's CPU time (user and system) per Get, which
// other work on a shared machine disturbs less than the wall clock.
func BenchmarkGet1000(b *testing.B) {
	for _, streaming := range []bool{false, true} {
		name := "finished"
		if streaming {
			name = "streaming"
		}
		b.Run(name, func(b *testing.B) { benchGet1000(b, streaming) })
	}
}

func benchGet1000(b *testing.B, streaming bool) {
	s := open(b)
	defer s.Close()
	ctx := context.Background()
	if err := s.Create(ctx, store.Conversation{ID: "c", Owner: "alice"}); err != nil {
		b.Fatal(err)
	}
	content := strings.Repeat("lorem ipsum ", 42)[:500]
	n := 1000
	if streaming {
		n = 999
	}
	for i := range n {
		if err := s.Append(ctx, "c", store.Message{ID: fmt.Sprint(i), Role: "user", Content: content, Meta: []byte(`{"tokens":120}`)}); err != nil {
			b.Fatal(err)
		}
	}
	last := len(content)
	if streaming {
		if err := s.Append(ctx, "c", store.Message{ID: "r", Role: "assistant", Status: store.StatusStreaming}); err != nil {
			b.Fatal(err)
		}
		piece := strings.Repeat("x", 256)
		for range 200 {
			if err := s.AppendText(ctx, "c", "r", piece); err != nil {
				b.Fatal(err)
			}
		}
		last = 200 * len(piece)
	}
	start := cpuTime()
	for b.Loop() {
		_, ms, err := s.Get(ctx, "alice", "c")
		if err != nil || len(ms) != 1000 || len(ms[999].Content) != last {
			b.Fatalf("Get: %d messages, %v", len(ms), err)
		}
	}
	b.ReportMetric(float64((cpuTime()-start).Microseconds())/float64(b.N), "cpu-µs/op")
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
