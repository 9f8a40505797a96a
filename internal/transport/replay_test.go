package transport

import (
	"fmt"
	"testing"
)

func TestReplay(t *testing.T) {
	frame := func(i int) []byte { return []byte(fmt.Sprintf("f%02d", i)) } // 3 bytes each
	cases := []struct {
		name      string
		maxFrames int
		maxBytes  int
		add       int    // frames 1..add are added
		ack       uint64 // then acked up to this seq
		since     uint64
		wantOK    bool
		wantFirst string
		wantN     int
	}{
		{"all kept", 10, 100, 5, 0, 0, true, "f01", 5},
		{"since middle", 10, 100, 5, 0, 3, true, "f04", 2},
		{"up to date", 10, 100, 5, 0, 5, true, "", 0},
		{"ahead of server", 10, 100, 5, 0, 6, false, "", 0},
		{"count bound drops oldest", 3, 100, 5, 0, 2, true, "f03", 3},
		{"count bound: too old", 3, 100, 5, 0, 1, false, "", 0},
		{"byte bound", 10, 7, 5, 0, 3, true, "f04", 2},
		{"acked frames dropped", 10, 100, 5, 3, 3, true, "f04", 2},
		{"acked past the page's seq", 10, 100, 5, 4, 2, false, "", 0},
		{"all acked, up to date", 10, 100, 5, 5, 5, true, "", 0},
		{"nothing sent", 10, 100, 0, 0, 0, true, "", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReplay(tc.maxFrames, tc.maxBytes)
			for i := 1; i <= tc.add; i++ {
				r.Add(uint64(i), frame(i))
			}
			r.Ack(tc.ack)
			got, ok := r.Since(tc.since, uint64(tc.add))
			if ok != tc.wantOK || len(got) != tc.wantN {
				t.Fatalf("Since(%d) = %d frames, ok=%v; want %d, %v", tc.since, len(got), ok, tc.wantN, tc.wantOK)
			}
			if tc.wantN > 0 && string(got[0]) != tc.wantFirst {
				t.Fatalf("first frame = %s, want %s", got[0], tc.wantFirst)
			}
		})
	}
}

func TestReplayAckThenAdd(t *testing.T) {
	r := NewReplay(10, 1000)
	r.Add(1, []byte("a"))
	r.Ack(1)
	r.Add(2, []byte("b"))
	got, ok := r.Since(1, 2)
	if !ok || len(got) != 1 || string(got[0]) != "b" {
		t.Fatalf("got %q ok=%v", got, ok)
	}
	if n, b := r.Len(); n != 1 || b != 1 {
		t.Fatalf("Len = %d, %d", n, b)
	}
}

// TestReplayWindowSlides streams frames acknowledged a few at a time, as a
// page does: the buffer keeps the right frames, holds no reference to a
// dropped one, and moves its window back to the start of its array instead
// of growing another.
func TestReplayWindowSlides(t *testing.T) {
	r := NewReplay(1024, 1<<20)
	frame := func(seq uint64) []byte { return []byte{byte(seq), byte(seq >> 8)} }
	arrays := 0
	var last *[]byte
	for seq := uint64(1); seq <= 5000; seq++ {
		r.Add(seq, frame(seq))
		if p := &r.base[0]; p != last {
			arrays, last = arrays+1, p
		}
		if seq%7 == 0 {
			r.Ack(seq - 3) // the page is 3 frames behind
		}
		if seq >= 3 {
			got, ok := r.Since(seq-2, seq)
			if !ok || len(got) != 2 || string(got[0]) != string(frame(seq-1)) || string(got[1]) != string(frame(seq)) {
				t.Fatalf("after %d: Since(%d) = %q, %v", seq, seq-2, got, ok)
			}
		}
		held := 0
		for _, f := range r.base {
			if f != nil {
				held++
			}
		}
		if n, _ := r.Len(); n > 10 || held != n {
			t.Fatalf("after %d: %d frames held, %d references in the array", seq, n, held)
		}
	}
	if arrays > 8 {
		t.Errorf("%d arrays for a window of at most 10 frames", arrays)
	}
}
