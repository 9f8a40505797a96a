package redis

import (
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/sheenhq/sheen/store"
)

// maxList is the most conversations one List returns, whatever its limit.
const maxList = 1000

// Create adds c. Its ID must be new (across owners); Created and Updated
// are set to now when zero. Times are kept to the millisecond. With a TTL,
// the conversation expires TTL after its Updated: one created with an
// Updated older than that is gone at once.
func (s *Store) Create(ctx context.Context, c store.Conversation) error {
	if c.ID == "" {
		return errors.New("store/redis: create: empty conversation id")
	}
	now := time.Now()
	if c.Created.IsZero() {
		c.Created = now
	}
	if c.Updated.IsZero() {
		c.Updated = now
	}
	_, err := s.run(ctx, createScript, c.ID,
		c.Owner, store.CutTitle(c.Title), millis(c.Created), millis(c.Updated), member(c.Updated.UnixMilli(), c.ID))
	if errors.Is(err, errExists) {
		return fmt.Errorf("store/redis: create: conversation %q: %w", c.ID, store.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("store/redis: create %q: %w", c.ID, err)
	}
	s.writes.Add(1)
	return nil
}

// Get returns owner's conversation id and its messages in append order,
// read in one transaction (one round trip, one snapshot). A message that cannot
// be read is skipped and logged; a conversation header that cannot be read
// is an error.
func (s *Store) Get(ctx context.Context, owner, id string) (store.Conversation, []store.Message, error) {
	if err := ctx.Err(); err != nil {
		return store.Conversation{}, nil, fmt.Errorf("store/redis: get %q: %w", id, err)
	}
	// One transaction: one round trip, one snapshot.
	var (
		h    *goredis.SliceCmd
		m    *goredis.MapStringStringCmd
		live *goredis.Cmd
	)
	_, err := s.c.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		h = p.HMGet(ctx, s.convKey(id), "owner", "title", "created", "updated")
		m = p.HGetAll(ctx, s.msgsKey(id))
		live = p.Eval(ctx, liveTexts, []string{s.liveKey(id)}, s.prefix, id)
		return nil
	})
	if err != nil {
		return store.Conversation{}, nil, fmt.Errorf("store/redis: get %q: %w", id, err)
	}
	if o, _ := h.Val()[0].(string); h.Val()[0] == nil || o != owner {
		return store.Conversation{}, nil, store.ErrNotFound
	}
	c, ok := conversationOf(id, h.Val())
	if !ok {
		s.log.Error("store/redis: conversation header cannot be read", zap.String("conversation", id))
		return store.Conversation{}, nil, fmt.Errorf("store/redis: get %q: the conversation's header cannot be read", id)
	}
	var liveSeqs, texts []any
	if r, ok := live.Val().([]any); ok && len(r) == 2 {
		liveSeqs, _ = r[0].([]any)
		texts, _ = r[1].([]any)
	}
	return c, s.messagesOf(id, m.Val(), liveSeqs, texts), nil
}

// List returns owner's conversations, most recently updated first (equal
// times by id), at most limit (1 to 1000; more is cut to 1000), after
// cursor. The cursor is the position of the last conversation of a page,
// so a walk never repeats one: a conversation written during a walk moves
// to the front, ahead of the cursor, and that walk does not show it again.
// Conversations that cannot be read are skipped and logged; entries of
// conversations that are gone (expired) are skipped and removed.
func (s *Store) List(ctx context.Context, owner, cursor string, limit int) ([]store.Conversation, string, error) {
	if limit <= 0 {
		return nil, "", fmt.Errorf("store/redis: list: limit %d, want at least 1", limit)
	}
	if err := ctx.Err(); err != nil {
		return nil, "", fmt.Errorf("store/redis: list: %w", err)
	}
	limit = min(limit, maxList)
	start := "-"
	if cursor != "" {
		m, err := decodeCursor(cursor)
		if err != nil {
			return nil, "", fmt.Errorf("store/redis: list: %w", err)
		}
		start = "(" + m
	}
	v, err := listScript.Run(ctx, s.c, []string{s.userKey(owner)}, s.prefix, owner, start, limit+1).Result()
	if err != nil {
		return nil, "", fmt.Errorf("store/redis: list: %w", err)
	}
	r, _ := v.([]any)
	var (
		page []store.Conversation
		next string
	)
	for i := 0; i+1 < len(r); i += 2 {
		m, _ := r[i].(string)
		if i/2 == limit {
			// There is one more: the next page starts after the last entry
			// of this one, readable or not.
			next = encodeCursor(r[i-2].(string))
			break
		}
		if len(m) <= 8 {
			// Not an entry the store wrote.
			s.log.Error("store/redis: list entry cannot be read; skipped", zap.String("owner", owner), zap.Binary("entry", []byte(m)))
			continue
		}
		switch h := r[i+1].(type) {
		case []any:
			c, ok := conversationOf(m[8:], h)
			if !ok {
				s.log.Error("store/redis: conversation header cannot be read; skipped", zap.String("owner", owner), zap.String("conversation", m[8:]))
				continue
			}
			page = append(page, c)
		case int64:
			if h == 1 {
				s.log.Error("store/redis: conversation key cannot be read; skipped", zap.String("owner", owner), zap.String("conversation", m[8:]))
			}
		}
	}
	return page, next, nil
}

// Rename sets owner's conversation id's title, cut to store.MaxTitle runes.
func (s *Store) Rename(ctx context.Context, owner, id, title string) error {
	if _, err := s.run(ctx, renameScript, id, owner, store.CutTitle(title)); err != nil {
		return fmt.Errorf("store/redis: rename %q: %w", id, err)
	}
	s.writes.Add(1)
	return nil
}

// Delete removes owner's conversation id, its messages and its list entry.
func (s *Store) Delete(ctx context.Context, owner, id string) error {
	if _, err := s.run(ctx, deleteScript, id, owner); err != nil {
		return fmt.Errorf("store/redis: delete %q: %w", id, err)
	}
	s.writes.Add(1)
	return nil
}

// conversationOf reads a header as HMGET owner title created updated gives
// it.
func conversationOf(id string, h []any) (store.Conversation, bool) {
	if len(h) < 4 {
		return store.Conversation{}, false
	}
	owner, ok1 := h[0].(string)
	title, ok2 := h[1].(string)
	created, ok3 := parseMillis(h[2])
	updated, ok4 := parseMillis(h[3])
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return store.Conversation{}, false
	}
	return store.Conversation{ID: id, Owner: owner, Title: title, Created: created, Updated: updated}, true
}
