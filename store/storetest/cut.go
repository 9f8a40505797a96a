package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/sheenhq/sheen/store"
)

// testDeleteMessages pins DeleteMessages: the chat's edit, delete, undo and
// regenerate cut the transcript with it.
func testDeleteMessages(t *testing.T, s store.Store) {
	ctx := context.Background()
	tests := []struct {
		name string
		del  []int // indexes of the five messages to delete
		keep []int
	}{
		{"none", nil, []int{0, 1, 2, 3, 4}},
		{"the last", []int{4}, []int{0, 1, 2, 3}},
		{"a tail", []int{2, 3, 4}, []int{0, 1}},
		{"one in the middle", []int{2}, []int{0, 1, 3, 4}},
		{"scattered, out of order", []int{3, 0}, []int{1, 2, 4}},
		{"all", []int{0, 1, 2, 3, 4}, nil},
		{"twice the same", []int{1, 1}, []int{0, 2, 3, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := create(t, s, "alice", "t", base())
			var all []store.Message
			for i := range 5 {
				all = append(all, appendMsg(t, s, c.ID, store.Message{Role: []string{"user", "assistant"}[i%2], Content: string(rune('a' + i)), Meta: []byte{byte(i)}}))
			}
			var ids []string
			for _, i := range tt.del {
				ids = append(ids, all[i].ID)
			}
			ids = append(ids, newID()) // an unknown id is ignored
			before := time.Now()
			if err := s.DeleteMessages(ctx, c.ID, ids); err != nil {
				t.Fatalf("DeleteMessages: %v", err)
			}
			var want []store.Message
			for _, i := range tt.keep {
				want = append(want, all[i])
			}
			got, msgs := get(t, s, "alice", c.ID)
			checkMessages(t, msgs, want)
			if got.Updated.Before(before.Add(-Precision)) {
				t.Errorf("Updated %v, want at least %v", got.Updated, before)
			}
			// A retried call changes nothing.
			if err := s.DeleteMessages(ctx, c.ID, ids); err != nil {
				t.Fatalf("DeleteMessages again: %v", err)
			}
			_, msgs = get(t, s, "alice", c.ID)
			checkMessages(t, msgs, want)
		})
	}
}

// testDeleteStreaming deletes a message that grew by AppendText, and
// appends a message of the same id again: it has its new text only.
func testDeleteStreaming(t *testing.T, s store.Store) {
	ctx := context.Background()
	c := create(t, s, "alice", "t", base())
	u := appendMsg(t, s, c.ID, store.Message{Role: "user", Content: "q"})
	a := appendMsg(t, s, c.ID, store.Message{Role: "assistant", Status: store.StatusStreaming})
	for _, p := range []string{"one ", "two ", "three"} {
		if err := s.AppendText(ctx, c.ID, a.ID, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteMessages(ctx, c.ID, []string{a.ID}); err != nil {
		t.Fatal(err)
	}
	_, msgs := get(t, s, "alice", c.ID)
	checkMessages(t, msgs, []store.Message{u})
	wantNotFound(t, "AppendText to a deleted message", s.AppendText(ctx, c.ID, a.ID, "x"))
	wantNotFound(t, "Update of a deleted message", s.Update(ctx, c.ID, store.Message{ID: a.ID, Role: "assistant", Content: "x"}))

	again := appendMsg(t, s, c.ID, store.Message{ID: a.ID, Role: "assistant", Content: "fresh"})
	after := appendMsg(t, s, c.ID, store.Message{Role: "user", Content: "next"})
	_, msgs = get(t, s, "alice", c.ID)
	checkMessages(t, msgs, []store.Message{u, again, after})

	wantNotFound(t, "DeleteMessages in an unknown conversation", s.DeleteMessages(ctx, newID(), []string{u.ID}))
}
