package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/sheenhq/sheen/store"
)

var _ store.Files = (*Store)(nil)

// PutFile saves an attachment's bytes with conversation id (store.Files).
func (s *Store) PutFile(ctx context.Context, id, key string, data []byte) error {
	if data == nil {
		data = []byte{}
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := convExists(ctx, tx, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO files (conv_id, key, data) VALUES (?, ?, ?)
			ON CONFLICT (conv_id, key) DO UPDATE SET data = excluded.data`, id, key, data)
		return err
	})
	if err != nil {
		return fmt.Errorf("store/sqlite: put file %q of %q: %w", key, id, err)
	}
	return nil
}

// GetFile returns an attachment's bytes (store.Files).
func (s *Store) GetFile(ctx context.Context, id, key string) ([]byte, error) {
	var data []byte
	err := s.r.QueryRowContext(ctx, `SELECT data FROM files WHERE conv_id = ? AND key = ?`, id, key).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store/sqlite: get file %q of %q: %w", key, id, err)
	}
	if data == nil {
		data = []byte{}
	}
	return data, nil
}

// DeleteFiles removes attachments' bytes of conversation id (store.Files).
func (s *Store) DeleteFiles(ctx context.Context, id string, keys []string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := convExists(ctx, tx, id); err != nil {
			return err
		}
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `DELETE FROM files WHERE conv_id = ? AND key = ?`, id, k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store/sqlite: delete files of %q: %w", id, err)
	}
	return nil
}

// convExists is nil if conversation id exists, else store.ErrNotFound.
func convExists(ctx context.Context, tx *sql.Tx, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM conversations WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}
