package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
	sqlitedrv "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/sheenhq/sheen/store"
)

// Store is a [store.Store] in one SQLite file. It is safe for concurrent
// use: writes go through one connection, one at a time (SQLite has one
// writer anyway, and queueing in the pool rather than in SQLite's lock means
// a write never fails with SQLITE_BUSY); reads use a pool of their own and
// run beside the writer.
type Store struct {
	w   *sql.DB // the one writing connection
	r   *sql.DB // readers, query_only
	log *zap.Logger

	contentBytes, rowBytes, writes atomic.Int64
}

var _ store.Store = (*Store)(nil)

// An Option configures Open.
type Option func(*options)

type options struct {
	log        *zap.Logger
	readers    int
	migrations []string
}

// WithLogger makes the store log to l: rows it skipped because they could
// not be read, and nothing else. The default discards.
func WithLogger(l *zap.Logger) Option { return func(o *options) { o.log = l } }

// WithReaders sets how many connections read at once (default 4).
func WithReaders(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.readers = n
		}
	}
}

// busyTimeout is how long a connection waits for a lock another process
// holds (a second program on the same file, a backup) before failing.
const busyTimeout = 10 * time.Second

// Open opens the store in the SQLite file at path, creating it if it does
// not exist (its directory must) and bringing its schema to the current
// version. It refuses a file whose schema is newer than this package knows,
// and a file it cannot write.
func Open(path string, opts ...Option) (*Store, error) {
	o := options{log: zap.NewNop(), readers: 4, migrations: migrations}
	for _, opt := range opts {
		opt(&o)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store/sqlite: open %s: %w", path, err)
	}
	if fi, err := os.Stat(filepath.Dir(abs)); err != nil {
		return nil, fmt.Errorf("store/sqlite: open %s: the directory: %w", path, err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("store/sqlite: open %s: %s is not a directory", path, filepath.Dir(abs))
	}
	if fi, err := os.Stat(abs); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("store/sqlite: open %s: is a directory", path)
	}

	// A file: URI so that any character in the path is escaped; the driver
	// reads the parameters starting with _ and SQLite ignores them.
	name := "file:" + (&url.URL{Path: abs}).EscapedPath()
	pragmas := url.Values{"_pragma": {
		fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()),
		"foreign_keys(1)",
		"synchronous(NORMAL)",
	}}
	wq := url.Values{"_pragma": append([]string{"journal_mode(WAL)"}, pragmas["_pragma"]...), "_txlock": {"immediate"}}
	rq := url.Values{"_pragma": append([]string{"query_only(1)"}, pragmas["_pragma"]...)}

	s := &Store{log: o.log}
	if s.w, err = sql.Open("sqlite", name+"?"+wq.Encode()); err != nil {
		return nil, fmt.Errorf("store/sqlite: open %s: %w", path, err)
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxIdleTime(0)
	s.w.SetConnMaxLifetime(0)
	ctx := context.Background()
	if err := migrate(ctx, s.w, o.migrations); err != nil {
		s.w.Close()
		return nil, fmt.Errorf("store/sqlite: open %s: %w", path, err)
	}
	// Migrating may only have read: refuse a file that cannot be written
	// now rather than at the first message.
	if err := writable(ctx, s.w); err != nil {
		s.w.Close()
		return nil, fmt.Errorf("store/sqlite: open %s: the file cannot be written: %w", path, err)
	}
	if s.r, err = sql.Open("sqlite", name+"?"+rq.Encode()); err != nil {
		s.w.Close()
		return nil, fmt.Errorf("store/sqlite: open %s: %w", path, err)
	}
	s.r.SetMaxOpenConns(o.readers)
	s.r.SetMaxIdleConns(o.readers)
	if err := s.r.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("store/sqlite: open %s: %w", path, err)
	}
	return s, nil
}

// writable returns an error if SQLite opened the file read-only (which it
// does, silently, when the process may not write it).
func writable(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(interface{ IsReadOnly(string) (bool, error) })
		if !ok {
			return nil
		}
		ro, err := c.IsReadOnly("main")
		if err == nil && ro {
			err = errors.New("SQLite opened it read-only (file or directory permissions)")
		}
		return err
	})
}

// Close closes the file. Calls after Close fail.
func (s *Store) Close() error {
	var err error
	if s.r != nil {
		err = s.r.Close()
	}
	return errors.Join(err, s.w.Close())
}

// Stats counts what the store wrote since Open, for measuring the write
// amplification of streaming into it. Only message text is counted, not
// Meta, titles, indexes or SQLite's own pages (compare the file and its
// -wal file's sizes for those).
type Stats struct {
	// Writes is the number of committed write transactions (one per call
	// that changed something).
	Writes int64
	// ContentBytes is the message text the callers handed over: Append's and
	// Update's Content, AppendText's text.
	ContentBytes int64
	// RowBytes is the message text written to rows for it. AppendText
	// writes its text as a row of its own (message_parts), not the whole
	// message again, so for it RowBytes grows by what ContentBytes does; a
	// message streamed and then finished by Update costs its text twice.
	// RowBytes/ContentBytes is the amplification at the level of rows;
	// SQLite's pages, indexes and WAL add more per write (a page or more of
	// each b-tree a transaction touches), which this does not count.
	RowBytes int64
}

// Stats returns the counts since Open.
func (s *Store) Stats() Stats {
	return Stats{Writes: s.writes.Load(), ContentBytes: s.contentBytes.Load(), RowBytes: s.rowBytes.Load()}
}

// write runs fn in a write transaction and counts it.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.writes.Add(1)
	return nil
}

// isUnique reports whether err is a violated primary key or unique
// constraint.
func isUnique(err error) bool {
	var e *sqlitedrv.Error
	return errors.As(err, &e) && (e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}

// millis is t as the store keeps it.
func millis(t time.Time) int64 { return t.UnixMilli() }

// fromMillis is a kept time as a time.Time, in UTC.
func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
