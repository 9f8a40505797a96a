package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/sheenhq/sheen/store"
)

// Append adds m at the end of conversation id, numbering it inside the
// transaction, and brings the conversation to the front of its owner's
// list. An empty Meta is kept as NULL and read back as nil.
func (s *Store) Append(ctx context.Context, id string, m store.Message) error {
	if m.ID == "" {
		return fmt.Errorf("store/sqlite: append to %q: empty message id", id)
	}
	if m.Created.IsZero() {
		m.Created = time.Now()
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := touch(ctx, tx, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO messages (conv_id, seq, id, role, content, status, meta, created)
			VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM messages WHERE conv_id = ?1), ?, ?, ?, ?, ?, ?)`,
			id, m.ID, m.Role, m.Content, m.Status, meta(m.Meta), millis(m.Created))
		return err
	})
	if isUnique(err) {
		return fmt.Errorf("store/sqlite: append to %q: message %q exists", id, m.ID)
	}
	if err != nil {
		return fmt.Errorf("store/sqlite: append to %q: %w", id, err)
	}
	s.contentBytes.Add(int64(len(m.Content)))
	s.rowBytes.Add(int64(len(m.Content)))
	return nil
}

// AppendText adds text to the end of message msgID of conversation id. The
// whole Content is rewritten (see [Stats]).
func (s *Store) AppendText(ctx context.Context, id, msgID, text string) error {
	var size int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := touch(ctx, tx, id); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `UPDATE messages SET content = content || ? WHERE conv_id = ? AND id = ? RETURNING octet_length(content)`,
			text, id, msgID).Scan(&size)
		if err == sql.ErrNoRows {
			return fmt.Errorf("%w: message %q", store.ErrNotFound, msgID)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store/sqlite: append text to %q: %w", id, err)
	}
	s.contentBytes.Add(int64(len(text)))
	s.rowBytes.Add(size)
	return nil
}

// Update replaces message m.ID's Role, Content, Status and Meta.
func (s *Store) Update(ctx context.Context, id string, m store.Message) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := touch(ctx, tx, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE messages SET role = ?, content = ?, status = ?, meta = ? WHERE conv_id = ? AND id = ?`,
			m.Role, m.Content, m.Status, meta(m.Meta), id, m.ID)
		if err := affected(res, err); err != nil {
			return fmt.Errorf("message %q: %w", m.ID, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store/sqlite: update in %q: %w", id, err)
	}
	s.contentBytes.Add(int64(len(m.Content)))
	s.rowBytes.Add(int64(len(m.Content)))
	return nil
}

// touch sets conversation id's Updated to now (never back), or returns
// store.ErrNotFound.
func touch(ctx context.Context, tx *sql.Tx, id string) error {
	res, err := tx.ExecContext(ctx, `UPDATE conversations SET updated = max(updated, ?) WHERE id = ?`, millis(time.Now()), id)
	return affected(res, err)
}

// messages reads conversation id's messages in order, skipping (and
// logging) the rows that cannot be read.
func (s *Store) messages(ctx context.Context, tx *sql.Tx, id string) ([]store.Message, error) {
	rows, err := tx.QueryContext(ctx, `SELECT seq, id, role, content, status, meta, created FROM messages WHERE conv_id = ? ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ms []store.Message
	row := make([]any, 7)
	for rows.Next() {
		clear(row)
		if err := rows.Scan(pointers(row)...); err != nil {
			return nil, err
		}
		m, ok := messageOf(row)
		if !ok {
			s.log.Error("store/sqlite: message row cannot be read; skipped",
				zap.String("conversation", id), zap.Any("seq", row[0]), zap.Any("id", row[1]),
				zap.String("types", types(row)))
			continue
		}
		ms = append(ms, m)
	}
	return ms, rows.Err()
}

// messageOf reads a row of seq, id, role, content, status, meta, created:
// the types the package writes, and no other.
func messageOf(row []any) (store.Message, bool) {
	_, ok0 := row[0].(int64)
	id, ok1 := row[1].(string)
	role, ok2 := row[2].(string)
	content, ok3 := row[3].(string)
	status, ok4 := row[4].(string)
	created, ok6 := row[6].(int64)
	var meta []byte
	ok5 := true
	switch v := row[5].(type) {
	case nil:
	case []byte:
		if len(v) > 0 {
			meta = v
		}
	default:
		ok5 = false
	}
	if !ok0 || !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 {
		return store.Message{}, false
	}
	return store.Message{ID: id, Role: role, Content: content, Status: status, Meta: meta, Created: fromMillis(created)}, true
}

// types names the Go types of row's values, for logging a row that cannot
// be read without logging its content.
func types(row []any) string {
	out := ""
	for i, v := range row {
		if i > 0 {
			out += " "
		}
		out += fmt.Sprintf("%T", v)
	}
	return out
}

// meta is m.Meta as the package writes it: NULL when empty.
func meta(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}
