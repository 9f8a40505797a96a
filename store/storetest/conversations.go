package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sheenhq/sheen/store"
)

func testCreateGet(t *testing.T, s store.Store) {
	created := time.Date(2024, 2, 29, 23, 59, 58, 123_000_000, time.UTC)
	want := store.Conversation{
		ID:      newID(),
		Owner:   "alice",
		Title:   "Plans for the weekend",
		Created: created,
		Updated: created.Add(90 * time.Second),
	}
	if err := s.Create(context.Background(), want); err != nil {
		t.Fatal(err)
	}
	got, ms := get(t, s, "alice", want.ID)
	checkConversation(t, got, want)
	if len(ms) != 0 {
		t.Errorf("new conversation has %d messages", len(ms))
	}
	// A time in another zone is the same instant.
	paris := time.FixedZone("CET", 3600)
	want2 := store.Conversation{ID: newID(), Owner: "alice", Created: created.In(paris), Updated: created.In(paris)}
	if err := s.Create(context.Background(), want2); err != nil {
		t.Fatal(err)
	}
	got2, _ := get(t, s, "alice", want2.ID)
	checkConversation(t, got2, want2)
}

func testCreateDefaults(t *testing.T, s store.Store) {
	before := time.Now()
	c := store.Conversation{ID: newID(), Owner: "alice", Title: "t"}
	if err := s.Create(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	got, _ := get(t, s, "alice", c.ID)
	if !within(got.Created, before, after) || !within(got.Updated, before, after) {
		t.Errorf("zero times became Created %v Updated %v, want now (%v … %v)", got.Created, got.Updated, before, after)
	}

	// Only the zero one is defaulted.
	created := base()
	c = store.Conversation{ID: newID(), Owner: "alice", Created: created}
	before = time.Now()
	if err := s.Create(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	after = time.Now()
	got, _ = get(t, s, "alice", c.ID)
	if !near(got.Created, created) || !within(got.Updated, before, after) {
		t.Errorf("Created %v Updated %v, want %v and now", got.Created, got.Updated, created)
	}
}

func testCreateDuplicate(t *testing.T, s store.Store) {
	c := create(t, s, "alice", "first", base())
	m := appendMsg(t, s, c.ID, store.Message{Role: "user", Content: "hello"})
	for _, owner := range []string{"alice", "bob"} {
		dup := store.Conversation{ID: c.ID, Owner: owner, Title: "second"}
		if err := s.Create(context.Background(), dup); !errors.Is(err, store.ErrExists) {
			t.Errorf("Create of an existing id (owner %s): %v, want store.ErrExists", owner, err)
		}
	}
	got, ms := get(t, s, "alice", c.ID)
	checkUnchanged(t, got, c)
	checkMessages(t, ms, []store.Message{m})
	if _, _, err := s.Get(context.Background(), "bob", c.ID); err == nil {
		t.Error("the refused Create gave bob the conversation")
	}
}

func testTitle(t *testing.T, s store.Store) {
	exact := strings.Repeat("é", store.MaxTitle)
	tests := []struct{ name, title, want string }{
		{"empty", "", ""},
		{"short", "Hello, 世界", "Hello, 世界"},
		{"exactly max", exact, exact},
		{"ascii over", strings.Repeat("a", store.MaxTitle+1), strings.Repeat("a", store.MaxTitle)},
		{"two-byte runes over", strings.Repeat("é", store.MaxTitle+50), exact},
		{"emoji over", strings.Repeat("a", store.MaxTitle-1) + "🙂🙂🙂", strings.Repeat("a", store.MaxTitle-1) + "🙂"},
		{"cjk over", strings.Repeat("漢", 3*store.MaxTitle), strings.Repeat("漢", store.MaxTitle)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := store.Conversation{ID: newID(), Owner: "alice", Title: tt.title}
			if err := s.Create(context.Background(), c); err != nil {
				t.Fatal(err)
			}
			got, _ := get(t, s, "alice", c.ID)
			checkTitle(t, "Create", got.Title, tt.want)

			c2 := create(t, s, "alice", "before", base())
			if err := s.Rename(context.Background(), "alice", c2.ID, tt.title); err != nil {
				t.Fatal(err)
			}
			got, _ = get(t, s, "alice", c2.ID)
			checkTitle(t, "Rename", got.Title, tt.want)
		})
	}
}

func checkTitle(t *testing.T, op, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s: title = %s (%d runes), want %s (%d runes)", op, abbrev(got), utf8.RuneCountInString(got), abbrev(want), utf8.RuneCountInString(want))
	}
	if !utf8.ValidString(got) {
		t.Errorf("%s: title is not valid UTF-8: cut inside a rune", op)
	}
}

func testOwnerIsolation(t *testing.T, s store.Store) {
	ctx := context.Background()
	c := create(t, s, "alice", "alice's", base())
	m := appendMsg(t, s, c.ID, store.Message{Role: "user", Content: "secret"})
	mine := create(t, s, "bob", "bob's", base())

	_, _, err := s.Get(ctx, "bob", c.ID)
	wantNotFound(t, "bob Get alice's", err)
	wantNotFound(t, "bob Rename alice's", s.Rename(ctx, "bob", c.ID, "mine now"))
	wantNotFound(t, "bob Delete alice's", s.Delete(ctx, "bob", c.ID))
	_, _, err = s.Get(ctx, "", c.ID)
	wantNotFound(t, "empty owner Get alice's", err)

	page, _, err := s.List(ctx, "bob", "", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 1 || page[0].ID != mine.ID {
		t.Errorf("bob's list = %v, want only his own %q", ids(page), mine.ID)
	}
	page, _, err = s.List(ctx, "carol", "", 100)
	if err != nil || len(page) != 0 {
		t.Errorf("carol's list = %v, %v; want empty", ids(page), err)
	}

	got, ms := get(t, s, "alice", c.ID)
	checkUnchanged(t, got, c)
	checkMessages(t, ms, []store.Message{m})
}

func testDelete(t *testing.T, s store.Store) {
	ctx := context.Background()
	c := create(t, s, "alice", "doomed", base())
	for range 3 {
		appendMsg(t, s, c.ID, store.Message{Role: "user", Content: "x"})
	}
	other := create(t, s, "alice", "kept", base())
	kept := appendMsg(t, s, other.ID, store.Message{Role: "user", Content: "stays"})

	if err := s.Delete(ctx, "alice", c.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err := s.Get(ctx, "alice", c.ID)
	wantNotFound(t, "Get after Delete", err)
	wantNotFound(t, "Delete again", s.Delete(ctx, "alice", c.ID))
	wantNotFound(t, "Rename after Delete", s.Rename(ctx, "alice", c.ID, "x"))
	wantNotFound(t, "Append after Delete", s.Append(ctx, c.ID, store.Message{ID: newID(), Content: "x"}))
	page, _, err := s.List(ctx, "alice", "", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 1 || page[0].ID != other.ID {
		t.Errorf("list after Delete = %v, want [%s]", ids(page), other.ID)
	}
	_, ms := get(t, s, "alice", other.ID)
	checkMessages(t, ms, []store.Message{kept})

	// The messages went with it: an implementation may refuse the id again,
	// but if it takes it the conversation starts empty.
	if err := s.Create(ctx, store.Conversation{ID: c.ID, Owner: "alice"}); err == nil {
		if _, ms := get(t, s, "alice", c.ID); len(ms) != 0 {
			t.Errorf("re-created conversation has %d messages of the deleted one", len(ms))
		}
	}
}

func testCancelled(t *testing.T, s store.Store) {
	c := create(t, s, "alice", "t", base())
	m := appendMsg(t, s, c.ID, store.Message{Role: "assistant", Status: store.StatusStreaming})
	c, _ = get(t, s, "alice", c.ID)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	newConv := newID()
	calls := []struct {
		name string
		call func() error
	}{
		{"Create", func() error { return s.Create(ctx, store.Conversation{ID: newConv, Owner: "alice"}) }},
		{"Get", func() error { _, _, err := s.Get(ctx, "alice", c.ID); return err }},
		{"List", func() error { _, _, err := s.List(ctx, "alice", "", 10); return err }},
		{"Rename", func() error { return s.Rename(ctx, "alice", c.ID, "x") }},
		{"Append", func() error { return s.Append(ctx, c.ID, store.Message{ID: newID()}) }},
		{"AppendText", func() error { return s.AppendText(ctx, c.ID, m.ID, "x") }},
		{"Update", func() error { return s.Update(ctx, c.ID, store.Message{ID: m.ID, Content: "x"}) }},
		{"Delete", func() error { return s.Delete(ctx, "alice", c.ID) }},
	}
	for _, call := range calls {
		if err := call.call(); err == nil {
			t.Errorf("%s with a cancelled context: no error", call.name)
		}
	}
	// The store still works.
	got, ms := get(t, s, "alice", c.ID)
	checkConversation(t, got, c)
	checkMessages(t, ms, []store.Message{m})
}

func ids(cs []store.Conversation) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}
