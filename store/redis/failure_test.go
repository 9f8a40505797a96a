package redis_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/sheenhq/sheen/internal/redistest"
	"github.com/sheenhq/sheen/store"
	"github.com/sheenhq/sheen/store/redis"
)

// TestRestart stops Redis mid-conversation: calls fail with errors, and
// work again once it is back, with the history kept by its append-only
// file.
func TestRestart(t *testing.T) {
	srv := redistest.New(t, "--appendonly", "yes")
	s := openAt(t, srv.Addr)
	defer s.Close()
	ctx := context.Background()
	must(t, s.Create(ctx, store.Conversation{ID: "c", Owner: "alice"}))
	must(t, s.Append(ctx, "c", store.Message{ID: "q", Role: "user", Content: "hello"}))
	must(t, s.Append(ctx, "c", store.Message{ID: "a", Role: "assistant", Status: store.StatusStreaming}))
	must(t, s.AppendText(ctx, "c", "a", "Hi"))

	srv.Stop()
	down, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	calls := map[string]error{
		"AppendText": s.AppendText(down, "c", "a", " there"),
		"Append":     s.Append(down, "c", store.Message{ID: "x"}),
		"Create":     s.Create(down, store.Conversation{ID: "d", Owner: "alice"}),
	}
	_, _, calls["Get"] = s.Get(down, "alice", "c")
	_, _, calls["List"] = s.List(down, "alice", "", 10)
	for name, err := range calls {
		if err == nil || errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s while Redis is down: %v, want an error that is not ErrNotFound", name, err)
		}
	}

	srv.Start()
	must(t, s.AppendText(ctx, "c", "a", " there"))
	_, ms, err := s.Get(ctx, "alice", "c")
	if err != nil || len(ms) != 2 || ms[1].Content != "Hi there" || ms[1].Status != store.StatusStreaming {
		t.Errorf("after the restart: %+v, %v", ms, err)
	}
	page, _, err := s.List(ctx, "alice", "", 10)
	if err != nil || len(page) != 1 {
		t.Errorf("List after the restart: %v, %v", page, err)
	}
}

// TestRestartEmpty: a Redis that comes back without its data (no
// persistence) is a store that lost the conversation, not a broken one.
func TestRestartEmpty(t *testing.T) {
	srv := redistest.New(t)
	s := openAt(t, srv.Addr)
	defer s.Close()
	ctx := context.Background()
	must(t, s.Create(ctx, store.Conversation{ID: "c", Owner: "alice"}))
	srv.Kill()
	srv.Start()
	if err := s.Append(ctx, "c", store.Message{ID: "m"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Append to the lost conversation: %v, want ErrNotFound", err)
	}
	must(t, s.Create(ctx, store.Conversation{ID: "c", Owner: "alice"}))
	must(t, s.Append(ctx, "c", store.Message{ID: "m"}))
}

// TestCorrupt damages data behind the store's back: what cannot be read is
// skipped and logged, the rest is returned.
func TestCorrupt(t *testing.T) {
	addr := redistest.Start(t)
	c := client(t, addr)
	core, logs := observer.New(zap.ErrorLevel)
	s := openAt(t, addr, redis.WithLogger(zap.New(core)))
	defer s.Close()
	ctx := context.Background()
	must(t, s.Create(ctx, store.Conversation{ID: "c", Owner: "alice"}))
	for _, id := range []string{"m1", "m2", "m3", "m4", "m5"} {
		must(t, s.Append(ctx, "c", store.Message{ID: id, Role: "user", Content: id, Status: store.StatusStreaming}))
	}
	must(t, s.AppendText(ctx, "c", "m4", "!"))
	must(t, s.AppendText(ctx, "c", "m5", "!"))

	c.HSet(ctx, "sheen:msgs:c", "h:2", "junk")  // m2: a header of no known format
	c.HDel(ctx, "sheen:msgs:c", "t:3")          // m3: no text
	c.Del(ctx, "sheen:text:4:c")                // m4: live, its text gone
	c.Del(ctx, "sheen:text:5:c")                // m5: live, its text of the wrong type
	c.HSet(ctx, "sheen:text:5:c", "f", "v")     //
	c.HSet(ctx, "sheen:msgs:c", "i:bad", "two") // a message number that is no number
	_, ms, err := s.Get(ctx, "alice", "c")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].ID != "m1" || ms[0].Content != "m1" {
		t.Errorf("Get = %+v, want m1 only", ms)
	}
	if n := logs.FilterMessageSnippet("skipped").Len(); n != 5 {
		t.Errorf("%d skips logged, want 5: %v", n, logs.All())
	}
	// The conversation is still written to.
	must(t, s.Append(ctx, "c", store.Message{ID: "m6", Content: "ok"}))

	// Conversations in a list: one whose header is damaged, one whose key
	// is of the wrong type, an entry that is not one; all skipped and
	// logged.
	must(t, s.Create(ctx, store.Conversation{ID: "d", Owner: "alice"}))
	must(t, s.Create(ctx, store.Conversation{ID: "e", Owner: "alice"}))
	c.HSet(ctx, "sheen:conv:d", "created", "yesterday")
	c.Del(ctx, "sheen:conv:e")
	c.Set(ctx, "sheen:conv:e", "not a hash", 0)
	c.ZAdd(ctx, "sheen:user:alice", goredis.Z{Member: "short"}) // no entry the store writes
	logs.TakeAll()
	page, _, err := s.List(ctx, "alice", "", 10)
	if err != nil || len(page) != 1 || page[0].ID != "c" {
		t.Errorf("List = %v, %v; want c only", page, err)
	}
	if n := logs.FilterMessageSnippet("skipped").Len(); n != 3 {
		t.Errorf("%d skips logged, want 3: %v", n, logs.All())
	}
	if _, _, err := s.Get(ctx, "alice", "d"); err == nil || errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get of a damaged header: %v, want an error", err)
	}
}

func TestStats(t *testing.T) {
	s := open(t)
	defer s.Close()
	ctx := context.Background()
	must(t, s.Create(ctx, store.Conversation{ID: "c", Owner: "alice"}))
	must(t, s.Append(ctx, "c", store.Message{ID: "m", Content: "ab", Status: store.StatusStreaming}))
	for _, text := range []string{"cd", "ef", "gh"} {
		must(t, s.AppendText(ctx, "c", "m", text))
	}
	must(t, s.Update(ctx, "c", store.Message{ID: "m", Content: "abcdefgh!"}))
	// Written: 2, then 2+2 (the move), 2, 2, then 9.
	want := redis.Stats{Writes: 6, ContentBytes: 2 + 6 + 9, RowBytes: 2 + 4 + 2 + 2 + 9}
	if got := s.Stats(); got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
	s.AppendText(ctx, "c", "nope", "xyz")
	if got := s.Stats(); got != want {
		t.Errorf("after a failed write Stats = %+v, want %+v", got, want)
	}
}

func TestOpen(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// A port nothing listens on: the one of a server that was stopped.
	srv := redistest.New(t)
	srv.Stop()
	for _, addr := range []string{srv.Addr, "redis://" + srv.Addr + "/0", "redis://%zz"} {
		if s, err := redis.Open(ctx, addr); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", addr)
		} else if !strings.Contains(err.Error(), "store/redis: open") {
			t.Errorf("Open(%q): %v, want it to say store/redis: open", addr, err)
		}
	}
	srv.Start()
	s, err := redis.Open(ctx, "redis://"+srv.Addr+"/3")
	if err != nil {
		t.Fatal(err)
	}
	must(t, s.Create(ctx, store.Conversation{ID: "c", Owner: "alice"}))
	s.Close()
	c := goredis.NewClient(&goredis.Options{Addr: srv.Addr, DB: 3})
	defer c.Close()
	if c.Exists(ctx, "sheen:conv:c").Val() != 1 {
		t.Error("the URL's database number was not used")
	}

	// New's client stays the caller's.
	s = redis.New(c)
	s.Close()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Errorf("New's Close closed the caller's client: %v", err)
	}
}
