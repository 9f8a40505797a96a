package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
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
		return fmt.Errorf("store/sqlite: append to %q: message %q: %w", id, m.ID, store.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("store/sqlite: append to %q: %w", id, err)
	}
	s.contentBytes.Add(int64(len(m.Content)))
	s.rowBytes.Add(int64(len(m.Content)))
	return nil
}

// AppendText adds text to the end of message msgID of conversation id: one
// row in message_parts, however long the message already is (see [Stats]).
func (s *Store) AppendText(ctx context.Context, id, msgID, text string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := touch(ctx, tx, id); err != nil {
			return err
		}
		if text == "" {
			// Nothing to add, but the message must exist.
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM messages WHERE conv_id = ? AND id = ?`, id, msgID).Scan(&one)
			if err == sql.ErrNoRows {
				return fmt.Errorf("message %q: %w", msgID, store.ErrNotFound)
			}
			return err
		}
		// The message's next part, numbered in the statement; no row
		// inserted means no such message.
		res, err := tx.ExecContext(ctx, `INSERT INTO message_parts (conv_id, msg_seq, seq, text)
			SELECT m.conv_id, m.seq, (SELECT coalesce(max(p.seq), 0) + 1 FROM message_parts p WHERE p.conv_id = m.conv_id AND p.msg_seq = m.seq), ?
			FROM messages m WHERE m.conv_id = ? AND m.id = ?`,
			text, id, msgID)
		if err := affected(res, err); err != nil {
			return fmt.Errorf("message %q: %w", msgID, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store/sqlite: append text to %q: %w", id, err)
	}
	s.contentBytes.Add(int64(len(text)))
	s.rowBytes.Add(int64(len(text)))
	return nil
}

// Update replaces message m.ID's Role, Content, Status and Meta, and drops
// the parts AppendText added to it: m.Content is the whole text.
func (s *Store) Update(ctx context.Context, id string, m store.Message) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := touch(ctx, tx, id); err != nil {
			return err
		}
		var seq int64
		err := tx.QueryRowContext(ctx, `UPDATE messages SET role = ?, content = ?, status = ?, meta = ? WHERE conv_id = ? AND id = ? RETURNING seq`,
			m.Role, m.Content, m.Status, meta(m.Meta), id, m.ID).Scan(&seq)
		if err == sql.ErrNoRows {
			return fmt.Errorf("message %q: %w", m.ID, store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("message %q: %w", m.ID, err)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM message_parts WHERE conv_id = ? AND msg_seq = ?`, id, seq)
		return err
	})
	if err != nil {
		return fmt.Errorf("store/sqlite: update in %q: %w", id, err)
	}
	s.contentBytes.Add(int64(len(m.Content)))
	s.rowBytes.Add(int64(len(m.Content)))
	return nil
}

// DeleteMessages removes the messages of conversation id whose ids are in
// msgIDs, with their parts, in one transaction.
func (s *Store) DeleteMessages(ctx context.Context, id string, msgIDs []string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := touch(ctx, tx, id); err != nil {
			return err
		}
		for _, m := range msgIDs {
			var seq int64
			err := tx.QueryRowContext(ctx, `DELETE FROM messages WHERE conv_id = ? AND id = ? RETURNING seq`, id, m).Scan(&seq)
			if err == sql.ErrNoRows {
				continue
			}
			if err != nil {
				return fmt.Errorf("message %q: %w", m, err)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM message_parts WHERE conv_id = ? AND msg_seq = ?`, id, seq); err != nil {
				return fmt.Errorf("message %q: %w", m, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store/sqlite: delete messages in %q: %w", id, err)
	}
	return nil
}

// touch sets conversation id's Updated to now (never back), or returns
// store.ErrNotFound.
func touch(ctx context.Context, tx *sql.Tx, id string) error {
	res, err := tx.ExecContext(ctx, `UPDATE conversations SET updated = max(updated, ?) WHERE id = ?`, millis(time.Now()), id)
	return affected(res, err)
}

// messages reads conversation id's messages in order, each its content
// followed by its parts, skipping (and logging) the rows that cannot be read
// and the messages with a part that cannot be.
func (s *Store) messages(ctx context.Context, tx *sql.Tx, id string) ([]store.Message, error) {
	rows, err := tx.QueryContext(ctx, `SELECT seq, id, role, content, status, meta, created FROM messages WHERE conv_id = ? ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var (
		ms   []store.Message
		seqs []int64 // ms[i]'s seq
	)
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
		seqs = append(seqs, row[0].(int64))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	return s.addParts(ctx, tx, id, ms, seqs)
}

// addParts appends to ms (whose seqs are seqs, ascending) the text of their
// parts, read in one pass over conversation id's parts in order. A message
// with a part that cannot be read is dropped and logged.
func (s *Store) addParts(ctx context.Context, tx *sql.Tx, id string, ms []store.Message, seqs []int64) ([]store.Message, error) {
	rows, err := tx.QueryContext(ctx, `SELECT msg_seq, text FROM message_parts WHERE conv_id = ? ORDER BY msg_seq, seq`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var (
		bad  map[int]bool // indexes in ms of messages with an unreadable part
		i    = -1         // the index in ms of the message being added to
		text strings.Builder
	)
	flush := func() {
		if i >= 0 && text.Len() > 0 {
			ms[i].Content += text.String()
		}
		text.Reset()
	}
	row := make([]any, 2)
	j := 0 // the first index in ms whose seq may still have parts
	for rows.Next() {
		clear(row)
		if err := rows.Scan(pointers(row)...); err != nil {
			return nil, err
		}
		seq, ok := row[0].(int64)
		if !ok {
			s.log.Error("store/sqlite: message part row cannot be read; skipped",
				zap.String("conversation", id), zap.Any("msg_seq", row[0]), zap.String("types", types(row)))
			continue
		}
		for j < len(seqs) && seqs[j] < seq {
			j++
		}
		if j == len(seqs) || seqs[j] != seq {
			continue // a part of a message that was skipped
		}
		if j != i {
			flush()
			i = j
		}
		part, ok := row[1].(string)
		if !ok {
			s.log.Error("store/sqlite: message part row cannot be read; its message skipped",
				zap.String("conversation", id), zap.Int64("seq", seq), zap.String("id", ms[j].ID),
				zap.String("types", types(row)))
			if bad == nil {
				bad = map[int]bool{}
			}
			bad[j] = true
			continue
		}
		text.WriteString(part)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	flush()
	if bad != nil {
		kept := ms[:0]
		for k, m := range ms {
			if !bad[k] {
				kept = append(kept, m)
			}
		}
		ms = kept
	}
	return ms, nil
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
