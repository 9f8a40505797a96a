package storetest_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sheenhq/sheen/store"
	"github.com/sheenhq/sheen/store/storetest"
)

// mem is the smallest Store that passes the suite: it shows that the suite
// asks for what the interface says, not for what SQLite happens to do.
type mem struct {
	mu    sync.Mutex
	convs map[string]*conv
}

type conv struct {
	c    store.Conversation
	msgs []store.Message
}

func (m *mem) Create(ctx context.Context, c store.Conversation) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.convs[c.ID]; ok {
		return fmt.Errorf("conversation %q: %w", c.ID, store.ErrExists)
	}
	now := time.Now()
	if c.Created.IsZero() {
		c.Created = now
	}
	if c.Updated.IsZero() {
		c.Updated = now
	}
	c.Title = cut(c.Title)
	m.convs[c.ID] = &conv{c: c}
	return nil
}

func cut(title string) string {
	if r := []rune(title); len(r) > store.MaxTitle {
		return string(r[:store.MaxTitle])
	}
	return title
}

func (m *mem) find(ctx context.Context, owner, id string) (*conv, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c, ok := m.convs[id]
	if !ok || (owner != "\x00any" && c.c.Owner != owner) {
		return nil, store.ErrNotFound
	}
	return c, nil
}

func (m *mem) Get(ctx context.Context, owner, id string) (store.Conversation, []store.Message, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, err := m.find(ctx, owner, id)
	if err != nil {
		return store.Conversation{}, nil, err
	}
	ms := slices.Clone(c.msgs)
	for i := range ms {
		ms[i].Meta = bytes.Clone(ms[i].Meta)
	}
	return c.c, ms, nil
}

func (m *mem) List(ctx context.Context, owner, cursor string, limit int) ([]store.Conversation, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	var after *store.Conversation
	if cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		ns, id, ok := strings.Cut(string(b), " ")
		n, err2 := strconv.ParseInt(ns, 10, 64)
		if err != nil || !ok || err2 != nil {
			return nil, "", fmt.Errorf("bad cursor")
		}
		after = &store.Conversation{ID: id, Updated: time.Unix(0, n)}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var all []store.Conversation
	for _, c := range m.convs {
		if c.c.Owner == owner && (after == nil || order(c.c, *after) > 0) {
			all = append(all, c.c)
		}
	}
	slices.SortFunc(all, order)
	if len(all) <= limit {
		return all, "", nil
	}
	last := all[limit-1]
	return all[:limit], base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d %s", last.Updated.UnixNano(), last.ID)), nil
}

// order sorts newest first, then by id descending.
func order(a, b store.Conversation) int {
	return cmp.Or(b.Updated.Compare(a.Updated), strings.Compare(b.ID, a.ID))
}

func (m *mem) write(ctx context.Context, owner, id string, fn func(c *conv) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, err := m.find(ctx, owner, id)
	if err != nil {
		return err
	}
	if err := fn(c); err != nil {
		return err
	}
	if now := time.Now(); now.After(c.c.Updated) {
		c.c.Updated = now
	}
	return nil
}

func (m *mem) Rename(ctx context.Context, owner, id, title string) error {
	return m.write(ctx, owner, id, func(c *conv) error { c.c.Title = cut(title); return nil })
}

func (m *mem) Delete(ctx context.Context, owner, id string) error {
	return m.write(ctx, owner, id, func(c *conv) error { delete(m.convs, id); return nil })
}

func (m *mem) Append(ctx context.Context, id string, msg store.Message) error {
	return m.write(ctx, "\x00any", id, func(c *conv) error {
		if slices.ContainsFunc(c.msgs, func(x store.Message) bool { return x.ID == msg.ID }) {
			return fmt.Errorf("message %q: %w", msg.ID, store.ErrExists)
		}
		if msg.Created.IsZero() {
			msg.Created = time.Now()
		}
		msg.Meta = bytes.Clone(msg.Meta)
		if len(msg.Meta) == 0 {
			msg.Meta = nil
		}
		c.msgs = append(c.msgs, msg)
		return nil
	})
}

func (m *mem) message(c *conv, id string) (*store.Message, error) {
	i := slices.IndexFunc(c.msgs, func(x store.Message) bool { return x.ID == id })
	if i < 0 {
		return nil, store.ErrNotFound
	}
	return &c.msgs[i], nil
}

func (m *mem) AppendText(ctx context.Context, id, msgID, text string) error {
	return m.write(ctx, "\x00any", id, func(c *conv) error {
		msg, err := m.message(c, msgID)
		if err == nil {
			msg.Content += text
		}
		return err
	})
}

func (m *mem) Update(ctx context.Context, id string, u store.Message) error {
	return m.write(ctx, "\x00any", id, func(c *conv) error {
		msg, err := m.message(c, u.ID)
		if err == nil {
			msg.Role, msg.Content, msg.Status, msg.Meta = u.Role, u.Content, u.Status, bytes.Clone(u.Meta)
			if len(msg.Meta) == 0 {
				msg.Meta = nil
			}
		}
		return err
	})
}

func (m *mem) DeleteMessages(ctx context.Context, id string, msgIDs []string) error {
	return m.write(ctx, "\x00any", id, func(c *conv) error {
		c.msgs = slices.DeleteFunc(c.msgs, func(x store.Message) bool { return slices.Contains(msgIDs, x.ID) })
		return nil
	})
}

func (m *mem) Close() error { return nil }

func TestRun(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return &mem{convs: map[string]*conv{}} })
}

func BenchmarkBench(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) store.Store { return &mem{convs: map[string]*conv{}} })
}
