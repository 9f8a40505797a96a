package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/sheenhq/sheen/store"
)

// Precision is how far a time read back from a store may be from the one
// written (or, for defaults, from the moment of the call): stores keep
// milliseconds.
const Precision = time.Millisecond

// Run checks s against the behaviour [store.Store] promises. Each subtest
// calls open for a fresh, empty store and closes it when done; open should
// put its files under t.TempDir().
//
// Behaviour pinned beyond the interface's doc comments:
//   - times read back within [Precision];
//   - a Meta of length 0, nil or not, reads back as nil; any other Meta
//     byte for byte;
//   - Append to a conversation that does not exist (or was deleted) and
//     AppendText or Update of a message that does not exist return errors
//     wrapping [store.ErrNotFound];
//   - creating a conversation, or appending a message, whose ID exists is an
//     error wrapping [store.ErrExists] and leaves the existing one as it was;
//   - List walks with a keyset cursor: a walk shows each conversation at
//     most once; one not written during the walk exactly once; one written
//     during the walk moves to the front, so the rest of that walk may not
//     show it (a new first page does); a malformed cursor is an error;
//   - a call with a cancelled context returns an error;
//   - a store that implements [store.Files] keeps files byte for byte, per
//     conversation, and Delete removes them.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"CreateGet", testCreateGet},
		{"CreateDefaults", testCreateDefaults},
		{"CreateDuplicate", testCreateDuplicate},
		{"MessageRoundTrip", testMessageRoundTrip},
		{"MessageOrder", testMessageOrder},
		{"MessageDuplicate", testMessageDuplicate},
		{"Streaming", testStreaming},
		{"HalfWritten", testHalfWritten},
		{"ManyPieces", testManyPieces},
		{"InterleavedStreams", testInterleavedStreams},
		{"UnknownMessage", testUnknownMessage},
		{"UnknownConversation", testUnknownConversation},
		{"DeleteMessages", testDeleteMessages},
		{"DeleteStreaming", testDeleteStreaming},
		{"Meta", testMeta},
		{"Unicode", testUnicode},
		{"LongMessage", testLongMessage},
		{"Title", testTitle},
		{"OwnerIsolation", testOwnerIsolation},
		{"Delete", testDelete},
		{"ListOrder", testListOrder},
		{"ListPaging", testListPaging},
		{"ListBump", testListBump},
		{"ListPagingWhileWriting", testListPagingWhileWriting},
		{"ListBadCursor", testListBadCursor},
		{"ConcurrentAppend", testConcurrentAppend},
		{"ConcurrentConversations", testConcurrentConversations},
		{"Cancelled", testCancelled},
		{"Files", testFiles},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tt.fn(t, s)
		})
	}
}

// newID returns a random conversation or message id, as the chat makes them.
func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// base is a time in the past that conversations created by the suite start
// from, so that anything the store stamps with now sorts after them.
func base() time.Time { return time.Now().Add(-time.Hour).Truncate(time.Millisecond) }

func create(t testing.TB, s store.Store, owner, title string, updated time.Time) store.Conversation {
	t.Helper()
	c := store.Conversation{ID: newID(), Owner: owner, Title: title, Created: updated, Updated: updated}
	if err := s.Create(context.Background(), c); err != nil {
		t.Fatalf("Create(%q): %v", c.ID, err)
	}
	return c
}

func appendMsg(t testing.TB, s store.Store, conv string, m store.Message) store.Message {
	t.Helper()
	if m.ID == "" {
		m.ID = newID()
	}
	if err := s.Append(context.Background(), conv, m); err != nil {
		t.Fatalf("Append(%q, %q): %v", conv, m.ID, err)
	}
	return m
}

func get(t testing.TB, s store.Store, owner, id string) (store.Conversation, []store.Message) {
	t.Helper()
	c, ms, err := s.Get(context.Background(), owner, id)
	if err != nil {
		t.Fatalf("Get(%q, %q): %v", owner, id, err)
	}
	return c, ms
}

func near(a, b time.Time) bool { return a.Sub(b).Abs() < Precision }

// within reports whether got lies in [before, after] give or take Precision.
func within(got, before, after time.Time) bool {
	return !got.Before(before.Add(-Precision)) && !got.After(after.Add(Precision))
}

func checkConversation(t *testing.T, got, want store.Conversation) {
	t.Helper()
	if got.ID != want.ID || got.Owner != want.Owner || got.Title != want.Title {
		t.Errorf("conversation = {%q %q %q}, want {%q %q %q}", got.ID, got.Owner, got.Title, want.ID, want.Owner, want.Title)
	}
	if !near(got.Created, want.Created) {
		t.Errorf("conversation %q Created = %v, want %v", want.ID, got.Created, want.Created)
	}
	if !near(got.Updated, want.Updated) {
		t.Errorf("conversation %q Updated = %v, want %v", want.ID, got.Updated, want.Updated)
	}
}

// checkUnchanged checks a conversation that messages were appended to
// since want was written: all but Updated as written.
func checkUnchanged(t *testing.T, got, want store.Conversation) {
	t.Helper()
	want.Updated = got.Updated
	checkConversation(t, got, want)
}

func checkMessages(t *testing.T, got, want []store.Message) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d messages, want %d", len(got), len(want))
		return
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.ID != w.ID || g.Role != w.Role || g.Status != w.Status {
			t.Errorf("message %d = {id %q role %q status %q}, want {%q %q %q}", i, g.ID, g.Role, g.Status, w.ID, w.Role, w.Status)
		}
		if g.Content != w.Content {
			t.Errorf("message %d (%q) content = %s, want %s", i, w.ID, abbrev(g.Content), abbrev(w.Content))
		}
		checkMeta(t, g.Meta, w.Meta)
		if !w.Created.IsZero() && !near(g.Created, w.Created) {
			t.Errorf("message %d (%q) Created = %v, want %v", i, w.ID, g.Created, w.Created)
		}
	}
}

func checkMeta(t *testing.T, got, want []byte) {
	t.Helper()
	if len(want) == 0 {
		if got != nil {
			t.Errorf("meta = %q (nil: %v), want nil", got, got == nil)
		}
		return
	}
	if !bytes.Equal(got, want) {
		t.Errorf("meta = %q, want %q", abbrev(string(got)), abbrev(string(want)))
	}
}

// abbrev quotes s, cut in the middle when long, for error messages.
func abbrev(s string) string {
	if len(s) <= 80 {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q…(%d bytes)…%q", s[:40], len(s), s[len(s)-40:])
}

func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("%s: err = %v, want store.ErrNotFound", what, err)
	}
}
