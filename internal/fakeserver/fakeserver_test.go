package fakeserver

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

func TestPick(t *testing.T) {
	replies := []string{"a", "b"}
	for _, tc := range []struct {
		name    string
		i       int
		replies []string
		respond func(int) string
		want    string
	}{
		{"first", 0, replies, nil, "a"},
		{"second", 1, replies, nil, "b"},
		{"the last again once used up", 5, replies, nil, "b"},
		{"none: hello", 0, nil, nil, "hello"},
		{"respond wins", 1, replies, func(req int) string { return "r" }, "r"},
	} {
		if got := Pick(tc.i, 7, tc.replies, tc.respond, "hello"); got != tc.want {
			t.Errorf("%s: Pick = %q, want %q", tc.name, got, tc.want)
		}
	}
}

type req struct {
	N   int
	End End
}

func TestLogAndClose(t *testing.T) {
	s := Start("fake", http.NotFoundHandler(), func(r *req) *End { return &r.End })
	i := s.Add(req{N: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := s.Finished(ctx, i); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Finished of a pending request: %v", err)
	}
	done := make(chan req)
	go func() {
		r, _ := s.Finished(context.Background(), i)
		done <- r
	}()
	s.Ended(i, Completed)
	if r := <-done; r.N != 1 || r.End != Completed || r.End.String() != "completed" {
		t.Fatalf("Finished = %+v", r)
	}
	if got := s.Requests(); len(got) != 1 {
		t.Fatalf("Requests = %v", got)
	}
	if !s.Wait(context.Background(), 0) {
		t.Fatal("Wait(0) on an open server")
	}
	s.Close()
	s.Close() // twice is harmless
	if s.Wait(context.Background(), time.Hour) {
		t.Fatal("Wait on a closed server")
	}
}
