package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/sheenhq/sheen/store"
	"github.com/sheenhq/sheen/store/sqlite"
)

// raw opens the file as another program would, behind the store's back.
func raw(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func execSQL(t *testing.T, db *sql.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func TestMigrateOlderFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chat.db")
	ctx := context.Background()
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	c := store.Conversation{ID: "c1", Owner: "alice", Title: "kept"}
	if err := s.Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(ctx, "c1", store.Message{ID: "m1", Role: "user", Content: "hello"}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// A later version of the package adds a migration: the file, at the
	// version before, is brought to it with its data.
	next := append(append([]string(nil), sqlite.Migrations...),
		`ALTER TABLE conversations ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0`)
	s, err = sqlite.Open(path, sqlite.WithMigrations(next))
	if err != nil {
		t.Fatal(err)
	}
	_, ms, err := s.Get(ctx, "alice", "c1")
	if err != nil || len(ms) != 1 || ms[0].Content != "hello" {
		t.Errorf("after migrating: %v, %v", ms, err)
	}
	s.Close()
	var version, pinned int
	db := raw(t, path)
	if err := db.QueryRow("PRAGMA user_version").Scan(&version); err != nil || version != len(next) {
		t.Errorf("user_version = %d, %v; want %d", version, err, len(next))
	}
	if err := db.QueryRow("SELECT pinned FROM conversations WHERE id = 'c1'").Scan(&pinned); err != nil {
		t.Errorf("the new column: %v", err)
	}
}

func TestMigrateFailureRollsBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chat.db")
	bad := append(append([]string(nil), sqlite.Migrations...), `CREATE TABLE x (a); THIS IS NOT SQL`)
	if _, err := sqlite.Open(path, sqlite.WithMigrations(bad)); err == nil {
		t.Fatal("Open with a failing migration succeeded")
	}
	var version int
	if err := raw(t, path).QueryRow("PRAGMA user_version").Scan(&version); err != nil || version != len(sqlite.Migrations) {
		t.Errorf("user_version = %d, %v; want %d (the good ones, not the failed one)", version, err, len(sqlite.Migrations))
	}
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatalf("reopening after the failed migration: %v", err)
	}
	s.Close()
}

func TestNewerFileRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chat.db")
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db := raw(t, path)
	execSQL(t, db, fmt.Sprintf("PRAGMA user_version = %d", len(sqlite.Migrations)+1))
	db.Close()
	_, err = sqlite.Open(path)
	if err == nil {
		t.Fatal("Open of a file from a newer version succeeded")
	}
	for _, want := range []string{path, fmt.Sprintf("schema version %d", len(sqlite.Migrations)+1), "newer"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestUnreadableRowsSkipped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chat.db")
	core, logs := observer.New(zapcore.InfoLevel)
	s, err := sqlite.Open(path, sqlite.WithLogger(zap.New(core)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for _, id := range []string{"c1", "c2", "c3"} {
		if err := s.Create(ctx, store.Conversation{ID: id, Owner: "alice", Title: id}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 6 {
		m := store.Message{ID: fmt.Sprint("m", i), Role: "user", Content: fmt.Sprint("text ", i), Meta: []byte(`{}`)}
		if err := s.Append(ctx, "c1", m); err != nil {
			t.Fatal(err)
		}
	}
	db := raw(t, path)
	execSQL(t, db, `UPDATE messages SET created = 'yesterday' WHERE id = 'm1'`)
	// TEXT columns turn numbers into text; a blob stays a blob.
	execSQL(t, db, `UPDATE messages SET content = x'6869' WHERE id = 'm2'`)
	execSQL(t, db, `UPDATE messages SET meta = 'text, not what we wrote' WHERE id = 'm3'`)
	execSQL(t, db, `UPDATE messages SET role = x'00' WHERE id = 'm4'`)
	execSQL(t, db, `UPDATE conversations SET title = x'00ff' WHERE id = 'c2'`)

	_, ms, err := s.Get(ctx, "alice", "c1")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range ms {
		got = append(got, m.ID+"="+m.Content)
	}
	if want := "m0=text 0 m5=text 5"; strings.Join(got, " ") != want {
		t.Errorf("Get gave %v, want %s", got, want)
	}
	if n := logs.FilterMessageSnippet("cannot be read").Len(); n != 4 {
		t.Errorf("%d rows logged, want 4: %v", n, logs.All())
	}

	page, _, err := s.List(ctx, "alice", "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 2 {
		t.Errorf("List gave %d conversations, want the 2 readable ones", len(page))
	}
	if _, _, err := s.Get(ctx, "alice", "c2"); err == nil || errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get of an unreadable conversation: %v, want an error other than not found", err)
	}
	// Paging over an unreadable row goes on past it.
	var all []string
	cursor := ""
	for {
		page, next, err := s.List(ctx, "alice", cursor, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page {
			all = append(all, c.ID)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if len(all) != 2 {
		t.Errorf("pages of 1 gave %v, want c1 and c3", all)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("not a database, but long enough to look like a header of one, past one hundred bytes of text so SQLite reads it........"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, path, want string }{
		{"missing directory", filepath.Join(dir, "no", "such", "chat.db"), "no such file or directory"},
		{"directory under a file", filepath.Join(file, "chat.db"), "not a directory"},
		{"a directory", dir, "is a directory"},
		{"not a database", file, "not a database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := sqlite.Open(tt.path)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "store/sqlite") {
				t.Errorf("error %q, want it to say store/sqlite and %q", err, tt.want)
			}
		})
	}
}

func TestTwoStoresOneFile(t *testing.T) {
	// Two programs on one file (a second instance, a maintenance tool):
	// their writes wait for each other instead of failing with SQLITE_BUSY.
	path := filepath.Join(t.TempDir(), "chat.db")
	ctx := context.Background()
	var stores [2]*sqlite.Store
	for i := range stores {
		s, err := sqlite.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[i] = s
	}
	if err := stores[0].Create(ctx, store.Conversation{ID: "c", Owner: "alice"}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i, s := range stores {
		wg.Go(func() {
			for j := range 50 {
				if err := s.Append(ctx, "c", store.Message{ID: fmt.Sprint(i, "-", j)}); err != nil {
					t.Errorf("store %d: %v", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if _, ms, err := stores[1].Get(ctx, "alice", "c"); err != nil || len(ms) != 100 {
		t.Errorf("Get: %d messages, %v; want 100", len(ms), err)
	}
}

func TestStats(t *testing.T) {
	s := open(t)
	defer s.Close()
	ctx := context.Background()
	if err := s.Create(ctx, store.Conversation{ID: "c", Owner: "alice"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(ctx, "c", store.Message{ID: "m", Content: "ab", Status: store.StatusStreaming}); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"cd", "ef", "gh"} {
		if err := s.AppendText(ctx, "c", "m", text); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Update(ctx, "c", store.Message{ID: "m", Content: "abcdefgh!"}); err != nil {
		t.Fatal(err)
	}
	// Rows: 2, then a part of 2 three times, then 9.
	want := sqlite.Stats{Writes: 6, ContentBytes: 2 + 6 + 9, RowBytes: 2 + 6 + 9}
	if got := s.Stats(); got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
	// A failed write counts nothing.
	s.AppendText(ctx, "c", "nope", "xyz")
	if got := s.Stats(); got != want {
		t.Errorf("after a failed write Stats = %+v, want %+v", got, want)
	}
}

func TestClosed(t *testing.T) {
	s := open(t)
	s.Close()
	ctx := context.Background()
	if err := s.Create(ctx, store.Conversation{ID: "c", Owner: "alice"}); err == nil {
		t.Error("Create after Close succeeded")
	}
	if _, _, err := s.List(ctx, "alice", "", 10); err == nil {
		t.Error("List after Close succeeded")
	}
}
