package redis

import (
	"context"
	"errors"
	"fmt"

	goredis "github.com/redis/go-redis/v9"

	"github.com/sheenhq/sheen/store"
)

var _ store.Files = (*Store)(nil)

// filesKey is the hash of conversation id's attachments, by key.
func (s *Store) filesKey(id string) string { return s.prefix + "files:" + id }

// PutFile saves an attachment's bytes with conversation id (store.Files):
// a field of the hash files:<id>, which expires and is deleted with the
// conversation.
func (s *Store) PutFile(ctx context.Context, id, key string, data []byte) error {
	if _, err := s.run(ctx, putFileScript, id, key, data); err != nil {
		return fmt.Errorf("store/redis: put file %q of %q: %w", key, id, err)
	}
	s.writes.Add(1)
	return nil
}

// GetFile returns an attachment's bytes (store.Files).
func (s *Store) GetFile(ctx context.Context, id, key string) ([]byte, error) {
	data, err := s.c.HGet(ctx, s.filesKey(id), key).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store/redis: get file %q of %q: %w", key, id, err)
	}
	return data, nil
}

// DeleteFiles removes attachments' bytes of conversation id (store.Files):
// fields of the hash files:<id>, in one script.
func (s *Store) DeleteFiles(ctx context.Context, id string, keys []string) error {
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	if _, err := s.run(ctx, deleteFilesScript, id, args...); err != nil {
		return fmt.Errorf("store/redis: delete files of %q: %w", id, err)
	}
	s.writes.Add(1)
	return nil
}
