package sqlite_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/sheenhq/sheen/store"
)

// BenchmarkStream50K saves one streaming reply the way the chat does: a
// streaming message appended, its text added in 200 pieces of 256 bytes
// (a slow model's reply saved at every closed block), then the finished
// message written by Update. One op is the whole reply (202 transactions).
// It reports "write-amp", the message text written to rows
// (Stats().RowBytes) per byte of the final text, and "wchar-amp", the bytes
// the process passed to write(2) (WAL frames and checkpoints: what SQLite
// really writes, pages and all) per byte of the final text.
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

// BenchmarkGet1000Streaming reads back a conversation of 1,000 messages of
// 500 bytes whose last one is a reply still streaming, grown by 200
// AppendText calls of 256 bytes: a page reloaded in the middle of a reply.
func BenchmarkGet1000Streaming(b *testing.B) {
	s := open(b)
	defer s.Close()
	ctx := context.Background()
	if err := s.Create(ctx, store.Conversation{ID: "c", Owner: "alice"}); err != nil {
		b.Fatal(err)
	}
	content := strings.Repeat("lorem ipsum ", 42)[:500]
	for i := range 999 {
		if err := s.Append(ctx, "c", store.Message{ID: fmt.Sprint(i), Role: "user", Content: content, Meta: []byte(`{"tokens":120}`)}); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Append(ctx, "c", store.Message{ID: "r", Role: "assistant", Status: store.StatusStreaming}); err != nil {
		b.Fatal(err)
	}
	piece := strings.Repeat("x", 256)
	for range 200 {
		if err := s.AppendText(ctx, "c", "r", piece); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		_, ms, err := s.Get(ctx, "alice", "c")
		if err != nil || len(ms) != 1000 || len(ms[999].Content) != 200*256 {
			b.Fatalf("Get: %d messages, %v", len(ms), err)
		}
	}
}
