package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/sheenhq/sheen/store"
	"github.com/sheenhq/sheen/store/sqlite"
)

// count is the number of rows query (a SELECT count(*)) finds.
func count(t *testing.T, path, query string, args ...any) int {
	t.Helper()
	db := raw(t, path)
	defer db.Close()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestAppendTextWritesThePiece(t *testing.T) {
	// 500 pieces of 100 bytes: the message reads back exactly, and the text
	// written to rows is about the text appended, not 500²/2 pieces.
	path := filepath.Join(t.TempDir(), "chat.db")
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.Create(ctx, store.Conversation{ID: "c", Owner: "alice"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(ctx, "c", store.Message{ID: "m", Role: "assistant", Status: store.StatusStreaming}); err != nil {
		t.Fatal(err)
	}
	before := s.Stats()
	var want strings.Builder
	for i := range 500 {
		piece := fmt.Sprintf("%04d", i) + strings.Repeat(string(rune('A'+i%26)), 96)
		if err := s.AppendText(ctx, "c", "m", piece); err != nil {
			t.Fatal(err)
		}
		want.WriteString(piece)
	}
	_, ms, err := s.Get(ctx, "alice", "c")
	if err != nil || len(ms) != 1 {
		t.Fatalf("Get: %d messages, %v", len(ms), err)
	}
	if ms[0].Content != want.String() {
		t.Errorf("content: %d bytes, not the %d appended", len(ms[0].Content), want.Len())
	}
	st := s.Stats()
	appended, written := st.ContentBytes-before.ContentBytes, st.RowBytes-before.RowBytes
	if appended != 50_000 {
		t.Errorf("ContentBytes grew by %d, want 50000", appended)
	}
	if written >= 2*appended {
		t.Errorf("RowBytes grew by %d for %d bytes appended, want under twice", written, appended)
	}
	if st.Writes-before.Writes != 500 {
		t.Errorf("Writes grew by %d, want 500", st.Writes-before.Writes)
	}

	// Update folds the parts into the message: one row again.
	if n := count(t, path, `SELECT count(*) FROM message_parts`); n != 500 {
		t.Errorf("%d parts, want 500", n)
	}
	if err := s.Update(ctx, "c", store.Message{ID: "m", Role: "assistant", Content: want.String()}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, path, `SELECT count(*) FROM message_parts`); n != 0 {
		t.Errorf("%d parts after Update, want 0", n)
	}
	_, ms, err = s.Get(ctx, "alice", "c")
	if err != nil || len(ms) != 1 || ms[0].Content != want.String() || ms[0].Status != "" {
		t.Errorf("after Update: %d messages, %v", len(ms), err)
	}
}

func TestDeleteRemovesParts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chat.db")
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for _, c := range []string{"c1", "c2"} {
		if err := s.Create(ctx, store.Conversation{ID: c, Owner: "alice"}); err != nil {
			t.Fatal(err)
		}
		if err := s.Append(ctx, c, store.Message{ID: "m", Status: store.StatusStreaming}); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if err := s.AppendText(ctx, c, "m", "piece"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.Delete(ctx, "alice", "c1"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, path, `SELECT count(*) FROM message_parts WHERE conv_id = 'c1'`); n != 0 {
		t.Errorf("%d parts of the deleted conversation left", n)
	}
	if n := count(t, path, `SELECT count(*) FROM message_parts WHERE conv_id = 'c2'`); n != 3 {
		t.Errorf("%d parts of the other conversation, want 3", n)
	}
}

func TestMigrateVersion1(t *testing.T) {
	// A file written before message_parts: its messages read back
	// unchanged, and streaming into them goes on.
	path := filepath.Join(t.TempDir(), "chat.db")
	ctx := context.Background()
	s, err := sqlite.Open(path, sqlite.WithMigrations(sqlite.Migrations[:1]))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, store.Conversation{ID: "c", Owner: "alice"}); err != nil {
		t.Fatal(err)
	}
	old := []store.Message{
		{ID: "q", Role: "user", Content: "question"},
		{ID: "a", Role: "assistant", Content: "half an ", Status: store.StatusStreaming, Meta: []byte(`{"k":1}`)},
	}
	for _, m := range old {
		if err := s.Append(ctx, "c", m); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	// The version before grew a message in place.
	db := raw(t, path)
	execSQL(t, db, `UPDATE messages SET content = content || 'answer' WHERE id = 'a'`)
	db.Close()

	s, err = sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v := count(t, path, `PRAGMA user_version`); v != len(sqlite.Migrations) {
		t.Errorf("user_version = %d, want %d", v, len(sqlite.Migrations))
	}
	_, ms, err := s.Get(ctx, "alice", "c")
	if err != nil || len(ms) != 2 || ms[0].Content != "question" || ms[1].Content != "half an answer" || string(ms[1].Meta) != `{"k":1}` {
		t.Fatalf("after migrating: %+v, %v", ms, err)
	}
	if err := s.AppendText(ctx, "c", "a", ", and more"); err != nil {
		t.Fatal(err)
	}
	_, ms, err = s.Get(ctx, "alice", "c")
	if err != nil || len(ms) != 2 || ms[1].Content != "half an answer, and more" {
		t.Errorf("streaming after migrating: %+v, %v", ms, err)
	}
}

func TestUnreadablePartSkipsItsMessage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chat.db")
	core, logs := observer.New(zapcore.InfoLevel)
	s, err := sqlite.Open(path, sqlite.WithLogger(zap.New(core)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.Create(ctx, store.Conversation{ID: "c", Owner: "alice"}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"m0", "m1", "m2"} {
		if err := s.Append(ctx, "c", store.Message{ID: id, Content: id + ":", Status: store.StatusStreaming}); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"a", "b"} {
			if err := s.AppendText(ctx, "c", id, p); err != nil {
				t.Fatal(err)
			}
		}
	}
	db := raw(t, path)
	execSQL(t, db, `UPDATE message_parts SET text = x'00ff' WHERE msg_seq = (SELECT seq FROM messages WHERE id = 'm1') AND seq = 2`)
	db.Close()
	_, ms, err := s.Get(ctx, "alice", "c")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range ms {
		got = append(got, m.Content)
	}
	if want := "m0:ab m2:ab"; strings.Join(got, " ") != want {
		t.Errorf("Get gave %v, want %s", got, want)
	}
	if n := logs.FilterMessageSnippet("cannot be read").Len(); n != 1 {
		t.Errorf("%d rows logged, want 1: %v", n, logs.All())
	}
}
