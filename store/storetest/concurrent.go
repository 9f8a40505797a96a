package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/sheenhq/sheen/store"
)

func testConcurrentAppend(t *testing.T, s store.Store) {
	tests := []struct{ goroutines, each int }{
		{2, 50},
		{8, 25},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%dx%d", tt.goroutines, tt.each), func(t *testing.T) {
			c := create(t, s, "alice", "t", base())
			var wg sync.WaitGroup
			for g := range tt.goroutines {
				wg.Go(func() {
					// Each goroutine also streams into a message of its own.
					stream := store.Message{ID: fmt.Sprintf("g%d-stream", g), Role: "assistant", Status: store.StatusStreaming}
					if err := s.Append(context.Background(), c.ID, stream); err != nil {
						t.Errorf("goroutine %d: Append: %v", g, err)
						return
					}
					for i := range tt.each {
						m := store.Message{ID: fmt.Sprintf("g%d-%d", g, i), Role: "user", Content: fmt.Sprintf("%d/%d", g, i)}
						if err := s.Append(context.Background(), c.ID, m); err != nil {
							t.Errorf("goroutine %d: Append %d: %v", g, i, err)
							return
						}
						if err := s.AppendText(context.Background(), c.ID, stream.ID, fmt.Sprint(i%10)); err != nil {
							t.Errorf("goroutine %d: AppendText %d: %v", g, i, err)
							return
						}
					}
				})
			}
			wg.Wait()
			if t.Failed() {
				return
			}
			_, ms := get(t, s, "alice", c.ID)
			if want := tt.goroutines * (tt.each + 1); len(ms) != want {
				t.Errorf("%d messages, want %d", len(ms), want)
			}
			seen := map[string]bool{}
			next := make([]int, tt.goroutines) // next index expected per goroutine
			for _, m := range ms {
				if seen[m.ID] {
					t.Errorf("message %q twice", m.ID)
				}
				seen[m.ID] = true
				var g, i int
				if _, err := fmt.Sscanf(m.ID, "g%d-stream", &g); err == nil && m.Role == "assistant" {
					var want string
					for i := range tt.each {
						want += fmt.Sprint(i % 10)
					}
					if m.Content != want {
						t.Errorf("stream of goroutine %d = %q, want %q", g, m.Content, want)
					}
					continue
				}
				if _, err := fmt.Sscanf(m.ID, "g%d-%d", &g, &i); err != nil || g >= tt.goroutines {
					t.Errorf("unexpected message %q", m.ID)
					continue
				}
				if i != next[g] {
					t.Errorf("goroutine %d: message %d where %d was expected", g, i, next[g])
				}
				next[g] = i + 1
				if want := fmt.Sprintf("%d/%d", g, i); m.Content != want {
					t.Errorf("message %q content %q, want %q", m.ID, m.Content, want)
				}
			}
		})
	}
}

func testConcurrentConversations(t *testing.T, s store.Store) {
	// Writers to different conversations and readers at once.
	const writers, each = 4, 20
	cs := make([]store.Conversation, writers)
	for i := range cs {
		cs[i] = create(t, s, fmt.Sprintf("owner%d", i%2), "t", base())
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				m := store.Message{ID: fmt.Sprint(i), Role: "user", Content: fmt.Sprint(i)}
				if err := s.Append(context.Background(), cs[w].ID, m); err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
			}
		})
		wg.Go(func() {
			for range each {
				if _, _, err := s.Get(context.Background(), cs[w].Owner, cs[w].ID); err != nil {
					t.Errorf("reader %d: Get: %v", w, err)
					return
				}
				if _, _, err := s.List(context.Background(), cs[w].Owner, "", 10); err != nil {
					t.Errorf("reader %d: List: %v", w, err)
					return
				}
			}
		})
	}
	wg.Wait()
	for _, c := range cs {
		_, ms := get(t, s, c.Owner, c.ID)
		if len(ms) != each {
			t.Errorf("conversation %q has %d messages, want %d", c.ID, len(ms), each)
			continue
		}
		for i, m := range ms {
			if m.ID != fmt.Sprint(i) {
				t.Errorf("conversation %q message %d is %q", c.ID, i, m.ID)
			}
		}
	}
}
