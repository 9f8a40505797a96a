package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/sheenhq/sheen/store"
)

// maxList is the most conversations one List returns, whatever its limit.
const maxList = 1000

// Create adds c. Its ID must be new (across owners); Created and Updated
// are set to now when zero. Times are kept to the millisecond.
func (s *Store) Create(ctx context.Context, c store.Conversation) error {
	if c.ID == "" {
		return errors.New("store/sqlite: create: empty conversation id")
	}
	now := time.Now()
	if c.Created.IsZero() {
		c.Created = now
	}
	if c.Updated.IsZero() {
		c.Updated = now
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO conversations (id, owner, title, created, updated) VALUES (?, ?, ?, ?, ?)`,
			c.ID, c.Owner, store.CutTitle(c.Title), millis(c.Created), millis(c.Updated))
		return err
	})
	if isUnique(err) {
		return fmt.Errorf("store/sqlite: create: conversation %q: %w", c.ID, store.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("store/sqlite: create %q: %w", c.ID, err)
	}
	return nil
}

// Get returns owner's conversation id and its messages in append order. A
// message row that cannot be read (a wrong-typed column someone else wrote)
// is skipped and logged; a conversation row that cannot be read is an
// error.
func (s *Store) Get(ctx context.Context, owner, id string) (store.Conversation, []store.Message, error) {
	// One read transaction: the header and the messages are one snapshot.
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return store.Conversation{}, nil, fmt.Errorf("store/sqlite: get %q: %w", id, err)
	}
	defer tx.Rollback()
	row := make([]any, 5)
	err = tx.QueryRowContext(ctx, `SELECT id, owner, title, created, updated FROM conversations WHERE id = ? AND owner = ?`, id, owner).Scan(pointers(row)...)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Conversation{}, nil, store.ErrNotFound
	}
	if err != nil {
		return store.Conversation{}, nil, fmt.Errorf("store/sqlite: get %q: %w", id, err)
	}
	c, ok := conversationOf(row)
	if !ok {
		s.log.Error("store/sqlite: conversation row cannot be read", zap.String("conversation", id), zap.String("types", types(row)))
		return store.Conversation{}, nil, fmt.Errorf("store/sqlite: get %q: the conversation's row cannot be read", id)
	}
	ms, err := s.messages(ctx, tx, id)
	if err != nil {
		return store.Conversation{}, nil, fmt.Errorf("store/sqlite: get %q: %w", id, err)
	}
	return c, ms, nil
}

// List returns owner's conversations, most recently updated first (equal
// times by id, descending), at most limit (1 to 1000; more is cut to
// 1000), after cursor. The cursor is the position of the last conversation
// of a page, so a walk never repeats one: a conversation written during a
// walk moves to the front, ahead of the cursor, and that walk does not show
// it again (nor at all, if it had not reached it). Rows that cannot be read
// are skipped and logged.
func (s *Store) List(ctx context.Context, owner, cursor string, limit int) ([]store.Conversation, string, error) {
	if limit <= 0 {
		return nil, "", fmt.Errorf("store/sqlite: list: limit %d, want at least 1", limit)
	}
	limit = min(limit, maxList)
	query := `SELECT id, owner, title, created, updated FROM conversations WHERE owner = ? ORDER BY updated DESC, id DESC LIMIT ?`
	args := []any{owner, limit + 1}
	if cursor != "" {
		updated, id, err := decodeCursor(cursor)
		if err != nil {
			return nil, "", fmt.Errorf("store/sqlite: list: %w", err)
		}
		query = `SELECT id, owner, title, created, updated FROM conversations WHERE owner = ? AND (updated, id) < (?, ?) ORDER BY updated DESC, id DESC LIMIT ?`
		args = []any{owner, updated, id, limit + 1}
	}
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, "", fmt.Errorf("store/sqlite: list: %w", err)
	}
	defer rows.Close()
	var (
		page []store.Conversation
		next string
		n    int // rows read, readable or not
		last []any
	)
	row := make([]any, 5)
	for rows.Next() {
		if n == limit {
			// There is one more: the next page starts after the last row of
			// this one, readable or not.
			next = encodeCursor(last[4].(int64), last[0].(string))
			break
		}
		if err := rows.Scan(pointers(row)...); err != nil {
			return nil, "", fmt.Errorf("store/sqlite: list: %w", err)
		}
		n++
		last = row
		c, ok := conversationOf(row)
		if !ok {
			s.log.Error("store/sqlite: conversation row cannot be read; skipped", zap.String("owner", owner), zap.String("types", types(row)))
			if _, ok := row[0].(string); !ok {
				return nil, "", errors.New("store/sqlite: list: a conversation has no id")
			}
			if _, ok := row[4].(int64); !ok {
				return nil, "", fmt.Errorf("store/sqlite: list: conversation %q has no readable update time", row[0])
			}
			continue
		}
		page = append(page, c)
		row = make([]any, 5)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("store/sqlite: list: %w", err)
	}
	return page, next, nil
}

// Rename sets owner's conversation id's title, cut to store.MaxTitle runes.
func (s *Store) Rename(ctx context.Context, owner, id, title string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE conversations SET title = ?, updated = max(updated, ?) WHERE id = ? AND owner = ?`,
			store.CutTitle(title), millis(time.Now()), id, owner)
		return affected(res, err)
	})
	if err != nil {
		return fmt.Errorf("store/sqlite: rename %q: %w", id, err)
	}
	return nil
}

// Delete removes owner's conversation id and its messages.
func (s *Store) Delete(ctx context.Context, owner, id string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM conversations WHERE id = ? AND owner = ?`, id, owner)
		return affected(res, err)
	})
	if err != nil {
		return fmt.Errorf("store/sqlite: delete %q: %w", id, err)
	}
	return nil
}

// affected turns an Exec that changed no row into store.ErrNotFound.
func affected(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// conversationOf reads a row of id, owner, title, created, updated.
func conversationOf(row []any) (store.Conversation, bool) {
	id, ok1 := row[0].(string)
	owner, ok2 := row[1].(string)
	title, ok3 := row[2].(string)
	created, ok4 := row[3].(int64)
	updated, ok5 := row[4].(int64)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
		return store.Conversation{}, false
	}
	return store.Conversation{ID: id, Owner: owner, Title: title, Created: fromMillis(created), Updated: fromMillis(updated)}, true
}

// pointers returns pointers to row's elements, for Scan.
func pointers(row []any) []any {
	p := make([]any, len(row))
	for i := range row {
		p[i] = &row[i]
	}
	return p
}
