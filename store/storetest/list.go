package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sheenhq/sheen/store"
)

// seed creates n conversations of owner, the i-th updated i minutes after
// base(), and returns them newest first, the order List gives.
func seed(t testing.TB, s store.Store, owner string, n int) []store.Conversation {
	t.Helper()
	b := base()
	cs := make([]store.Conversation, n)
	for i := range n {
		cs[n-1-i] = create(t, s, owner, fmt.Sprintf("conversation %d", i), b.Add(time.Duration(i)*time.Minute))
	}
	return cs
}

// walk lists all of owner's conversations in pages of limit, calling
// between (if not nil) after each page.
func walk(t *testing.T, s store.Store, owner string, limit int, between func(page int)) []store.Conversation {
	t.Helper()
	var all []store.Conversation
	cursor := ""
	for page := 0; ; page++ {
		cs, next, err := s.List(context.Background(), owner, cursor, limit)
		if err != nil {
			t.Fatalf("List page %d: %v", page, err)
		}
		if len(cs) > limit {
			t.Fatalf("List(limit %d) gave %d", limit, len(cs))
		}
		if next != "" && len(cs) == 0 {
			t.Fatalf("List page %d is empty but has a next cursor", page)
		}
		for i := 1; i < len(cs); i++ {
			if cs[i].Updated.After(cs[i-1].Updated) {
				t.Errorf("page %d: %q (updated %v) after %q (updated %v)", page, cs[i].ID, cs[i].Updated, cs[i-1].ID, cs[i-1].Updated)
			}
		}
		all = append(all, cs...)
		if next == "" {
			return all
		}
		if page > 10_000 {
			t.Fatal("List never ends")
		}
		if between != nil {
			between(page)
		}
		cursor = next
	}
}

func testListOrder(t *testing.T, s store.Store) {
	want := seed(t, s, "alice", 5)
	seed(t, s, "bob", 3)
	page, next, err := s.List(context.Background(), "alice", "", 50)
	if err != nil {
		t.Fatal(err)
	}
	if next != "" {
		t.Errorf("next = %q after the only page", next)
	}
	if !slices.Equal(ids(page), ids(want)) {
		t.Fatalf("list = %v, want %v", ids(page), ids(want))
	}
	for i := range want {
		checkConversation(t, page[i], want[i])
	}

	// Equal Updated times: every conversation still listed once.
	at := base().Add(-time.Hour)
	for range 5 {
		create(t, s, "carol", "same time", at)
	}
	if got := walk(t, s, "carol", 2, nil); len(got) != 5 || len(unique(got)) != 5 {
		t.Errorf("conversations updated at the same time: listed %v", ids(got))
	}
}

func testListPaging(t *testing.T, s store.Store) {
	want := seed(t, s, "alice", 27)
	seed(t, s, "bob", 5)
	for _, limit := range []int{1, 2, 7, 9, 26, 27, 28, 100} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			got := walk(t, s, "alice", limit, nil)
			if !slices.Equal(ids(got), ids(want)) {
				t.Errorf("pages of %d gave %v,\nwant %v", limit, ids(got), ids(want))
			}
		})
	}
	// An exact multiple of the page size ends with next == "" on the last
	// full page or one empty page after it; both are fine, walk checks.
	page, next, err := s.List(context.Background(), "nobody", "", 10)
	if err != nil || len(page) != 0 || next != "" {
		t.Errorf("empty list = %v, %q, %v", ids(page), next, err)
	}
}

func testListBump(t *testing.T, s store.Store) {
	ctx := context.Background()
	// Each write to the oldest conversation brings it to the front.
	writes := []struct {
		name  string
		write func(c store.Conversation, msgID string) error
	}{
		{"Append", func(c store.Conversation, _ string) error {
			return s.Append(ctx, c.ID, store.Message{ID: newID(), Role: "user", Content: "x"})
		}},
		{"AppendText", func(c store.Conversation, msgID string) error { return s.AppendText(ctx, c.ID, msgID, "x") }},
		{"Update", func(c store.Conversation, msgID string) error {
			return s.Update(ctx, c.ID, store.Message{ID: msgID, Role: "assistant", Content: "done"})
		}},
		{"Rename", func(c store.Conversation, _ string) error { return s.Rename(ctx, c.Owner, c.ID, "renamed") }},
	}
	for i, w := range writes {
		t.Run(w.name, func(t *testing.T) {
			owner := fmt.Sprintf("owner%d", i)
			cs := seed(t, s, owner, 6)
			oldest := cs[len(cs)-1]
			// A streaming message for AppendText and Update to write to.
			m := store.Message{ID: newID(), Role: "assistant", Status: store.StatusStreaming}
			if err := s.Append(ctx, oldest.ID, m); err != nil {
				t.Fatal(err)
			}
			// Bring another one to the front, so the write below has to move
			// oldest past it.
			if err := s.Rename(ctx, owner, cs[2].ID, "recent"); err != nil {
				t.Fatal(err)
			}
			before, _ := get(t, s, owner, oldest.ID)
			front, _ := get(t, s, owner, cs[2].ID)
			if err := w.write(oldest, m.ID); err != nil {
				t.Fatal(err)
			}
			after, _ := get(t, s, owner, oldest.ID)
			if after.Updated.Before(before.Updated) {
				t.Errorf("%s moved Updated back from %v to %v", w.name, before.Updated, after.Updated)
			}
			if after.Updated.Before(front.Updated) {
				t.Errorf("%s: Updated %v, before the last write's %v", w.name, after.Updated, front.Updated)
			}
			page, _, err := s.List(ctx, owner, "", 10)
			if err != nil {
				t.Fatal(err)
			}
			// Two writes in the same millisecond tie; a tie may list either
			// first.
			first := page[0].ID
			if first != oldest.ID && !(first == front.ID && after.Updated.Equal(front.Updated)) {
				t.Errorf("after %s the list starts with %q, want %q", w.name, first, oldest.ID)
			}
			if len(page) != 6 || len(unique(page)) != 6 {
				t.Errorf("after %s the list is %v", w.name, ids(page))
			}
		})
	}
}

func testListPagingWhileWriting(t *testing.T, s store.Store) {
	ctx := context.Background()
	cs := seed(t, s, "alice", 30)
	const limit = 7
	var seen, touched []string
	deleted := cs[20].ID
	got := walk(t, s, "alice", limit, func(page int) {
		if page != 0 {
			return
		}
		// After the first page: write to one already listed and one not yet
		// listed, add a new one, delete one not yet listed.
		seen = append(seen, cs[1].ID)
		touched = append(touched, cs[1].ID, cs[15].ID)
		if err := s.Rename(ctx, "alice", cs[1].ID, "again"); err != nil {
			t.Fatal(err)
		}
		if err := s.Append(ctx, cs[15].ID, store.Message{ID: newID(), Content: "x"}); err != nil {
			t.Fatal(err)
		}
		touched = append(touched, create(t, s, "alice", "new", time.Time{}).ID)
		if err := s.Delete(ctx, "alice", deleted); err != nil {
			t.Fatal(err)
		}
	})
	count := map[string]int{}
	for _, c := range got {
		count[c.ID]++
	}
	for id, n := range count {
		if n > 1 {
			t.Errorf("%q listed %d times in one walk", id, n)
		}
	}
	if count[deleted] != 0 {
		t.Errorf("deleted conversation %q listed after its deletion", deleted)
	}
	for _, c := range cs {
		if c.ID != deleted && !slices.Contains(touched, c.ID) && count[c.ID] != 1 {
			t.Errorf("untouched %q listed %d times", c.ID, count[c.ID])
		}
	}
	if count[seen[0]] != 1 {
		t.Errorf("%q, listed on the first page, listed %d times", seen[0], count[seen[0]])
	}
	// A new walk lists the written ones first (in any order: they may have
	// been written in the same millisecond).
	page, _, err := s.List(ctx, "alice", "", 3)
	if err != nil {
		t.Fatal(err)
	}
	got3, want3 := unique(page), slices.Clone(touched)
	slices.Sort(got3)
	slices.Sort(want3)
	if !slices.Equal(got3, want3) {
		t.Errorf("first page after the writes = %v, want %v in some order", ids(page), touched)
	}
}

func testListBadCursor(t *testing.T, s store.Store) {
	seed(t, s, "alice", 3)
	for _, cursor := range []string{"not a cursor", "%%%", "\x00"} {
		if _, _, err := s.List(context.Background(), "alice", cursor, 10); err == nil {
			t.Errorf("List with cursor %q: no error", cursor)
		}
	}
}

// unique returns the ids of cs without repeats, in order.
func unique(cs []store.Conversation) []string {
	var out []string
	for _, c := range cs {
		if !slices.Contains(out, c.ID) {
			out = append(out, c.ID)
		}
	}
	return out
}
