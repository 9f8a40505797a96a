package storetest

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/sheenhq/sheen/store"
)

// testFiles checks store.Files, for a store that implements it: bytes round
// trip, a rewrite replaces, files are per conversation, DeleteFiles removes
// the keys it names, and they go with their conversation.
func testFiles(t *testing.T, s store.Store) {
	fs, ok := s.(store.Files)
	if !ok {
		t.Skip("the store keeps no files")
	}
	ctx := context.Background()
	c := create(t, s, "alice", "with files", base())
	other := create(t, s, "alice", "other", base())
	big := make([]byte, 3<<20)
	for i := range big {
		big[i] = byte(i * 7)
	}
	files := map[string][]byte{"m1-a0": []byte("\x89PNG\r\n\x1a\n\x00binary"), "m1-a1": big, "m2-a0": {}}
	for k, v := range files {
		if err := fs.PutFile(ctx, c.ID, k, v); err != nil {
			t.Fatalf("PutFile(%q): %v", k, err)
		}
	}
	for k, want := range files {
		got, err := fs.GetFile(ctx, c.ID, k)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("GetFile(%q) = %d bytes, %v; want %d bytes", k, len(got), err, len(want))
		}
	}
	// A retried write replaces.
	if err := fs.PutFile(ctx, c.ID, "m1-a0", []byte("again")); err != nil {
		t.Fatal(err)
	}
	if got, _ := fs.GetFile(ctx, c.ID, "m1-a0"); string(got) != "again" {
		t.Errorf("after a rewrite: %q", got)
	}
	_, err := fs.GetFile(ctx, other.ID, "m1-a0")
	wantNotFound(t, "GetFile of another conversation", err)
	_, err = fs.GetFile(ctx, c.ID, "nope")
	wantNotFound(t, "GetFile of an unknown key", err)
	wantNotFound(t, "PutFile to an unknown conversation", fs.PutFile(ctx, newID(), "k", []byte("x")))
	// Messages are untouched by files.
	m := appendMsg(t, s, c.ID, store.Message{Role: "user", Content: "see attached"})
	_, ms := get(t, s, "alice", c.ID)
	checkMessages(t, ms, []store.Message{m})
	// DeleteFiles removes the keys named, ignores unknown ones, keeps the
	// others; a retry is harmless.
	for range 2 {
		if err := fs.DeleteFiles(ctx, c.ID, []string{"m2-a0", "nope"}); err != nil {
			t.Fatalf("DeleteFiles: %v", err)
		}
	}
	_, err = fs.GetFile(ctx, c.ID, "m2-a0")
	wantNotFound(t, "GetFile after DeleteFiles", err)
	if got, err := fs.GetFile(ctx, c.ID, "m1-a1"); err != nil || !bytes.Equal(got, big) {
		t.Errorf("a file DeleteFiles did not name: %d bytes, %v", len(got), err)
	}
	if err := fs.DeleteFiles(ctx, c.ID, nil); err != nil {
		t.Errorf("DeleteFiles of no keys: %v", err)
	}
	wantNotFound(t, "DeleteFiles of an unknown conversation", fs.DeleteFiles(ctx, newID(), []string{"k"}))
	files["m2-a0"] = []byte{} // put back for the check below
	if err := fs.PutFile(ctx, c.ID, "m2-a0", files["m2-a0"]); err != nil {
		t.Fatal(err)
	}
	// Files go with their conversation.
	if err := s.Delete(ctx, "alice", c.ID); err != nil {
		t.Fatal(err)
	}
	for k := range files {
		if _, err := fs.GetFile(ctx, c.ID, k); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetFile(%q) after Delete: %v, want ErrNotFound", k, err)
		}
	}
	wantNotFound(t, "PutFile after Delete", fs.PutFile(ctx, c.ID, "k", []byte("x")))
}
