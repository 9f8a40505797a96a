package redis_test

import (
	"context"
	"slices"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/sheenhq/sheen/internal/redistest"
	"github.com/sheenhq/sheen/store"
	"github.com/sheenhq/sheen/store/redis"
)

// client is a plain client on addr, to look behind the store's back.
func client(t *testing.T, addr string) *goredis.Client {
	t.Helper()
	c := goredis.NewClient(&goredis.Options{Addr: addr, MaintNotificationsConfig: noMaint})
	t.Cleanup(func() { c.Close() })
	return c
}

// noMaint turns off go-redis's maintenance notifications, as a client for
// a Bus should (see redis.Bus).
var noMaint = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}

func keys(t *testing.T, c *goredis.Client, pattern string) []string {
	t.Helper()
	ks, err := c.Keys(context.Background(), pattern).Result()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(ks)
	return ks
}

// TestKeys pins the key layout doc.go documents.
func TestKeys(t *testing.T) {
	addr := redistest.Start(t)
	c := client(t, addr)
	s := openAt(t, addr, redis.WithPrefix("app:"))
	defer s.Close()
	ctx := context.Background()
	must(t, s.Create(ctx, store.Conversation{ID: "c1", Owner: "alice", Title: "t"}))
	must(t, s.Append(ctx, "c1", store.Message{ID: "m1", Role: "user", Content: "hi"}))
	must(t, s.Append(ctx, "c1", store.Message{ID: "m2", Role: "assistant", Status: store.StatusStreaming}))
	must(t, s.AppendText(ctx, "c1", "m2", "Hel"))
	must(t, s.AppendText(ctx, "c1", "m2", "lo"))

	want := []string{"app:conv:c1", "app:live:c1", "app:msgs:c1", "app:text:2:c1", "app:user:alice"}
	if got := keys(t, c, "*"); !slices.Equal(got, want) {
		t.Errorf("keys while m2 streams = %v, want %v", got, want)
	}
	if got := c.Get(ctx, "app:text:2:c1").Val(); got != "Hello" {
		t.Errorf("text key = %q", got)
	}
	if got := c.HGet(ctx, "app:msgs:c1", "t:1").Val(); got != "hi" {
		t.Errorf("msgs t:1 = %q", got)
	}
	if got := c.HGet(ctx, "app:msgs:c1", "i:m2").Val(); got != "2" {
		t.Errorf("msgs i:m2 = %q", got)
	}
	h := c.HGetAll(ctx, "app:conv:c1").Val()
	if h["owner"] != "alice" || h["title"] != "t" || h["seq"] != "2" || h["created"] == "" || h["updated"] == "" || h["lm"] == "" {
		t.Errorf("conv hash = %v", h)
	}

	// Update folds the text back into msgs.
	must(t, s.Update(ctx, "c1", store.Message{ID: "m2", Role: "assistant", Content: "Hello!"}))
	want = []string{"app:conv:c1", "app:msgs:c1", "app:user:alice"}
	if got := keys(t, c, "*"); !slices.Equal(got, want) {
		t.Errorf("keys after Update = %v, want %v", got, want)
	}

	// A second prefix is another store on the same server.
	other := openAt(t, addr)
	defer other.Close()
	if _, _, err := other.Get(ctx, "alice", "c1"); err != store.ErrNotFound {
		t.Errorf("Get through another prefix: %v", err)
	}
	must(t, other.Create(ctx, store.Conversation{ID: "c1", Owner: "alice"}))

	// Delete leaves nothing of the conversation, streaming or not.
	must(t, s.Append(ctx, "c1", store.Message{ID: "m3", Status: store.StatusStreaming}))
	must(t, s.AppendText(ctx, "c1", "m3", "x"))
	must(t, s.Delete(ctx, "alice", "c1"))
	if got := keys(t, c, "app:*"); len(got) != 0 {
		t.Errorf("keys after Delete = %v", got)
	}
	if got := keys(t, c, "sheen:*"); len(got) != 2 {
		t.Errorf("the other prefix's keys = %v", got)
	}
}

// TestTTL lets conversations expire in Redis's own time.
func TestTTL(t *testing.T) {
	addr := redistest.Start(t)
	c := client(t, addr)
	const ttl = time.Second
	s := openAt(t, addr, redis.WithTTL(ttl))
	defer s.Close()
	ctx := context.Background()

	must(t, s.Create(ctx, store.Conversation{ID: "a", Owner: "alice"}))
	must(t, s.Append(ctx, "a", store.Message{ID: "m", Status: store.StatusStreaming}))
	must(t, s.AppendText(ctx, "a", "m", "x"))
	for _, k := range keys(t, c, "*") {
		if d := c.PTTL(ctx, k).Val(); d <= 0 || d > ttl {
			t.Errorf("%s: PTTL %v, want (0, %v]", k, d, ttl)
		}
	}

	// b is written later: it outlives a, and so does alice's list.
	waitFor(t, 5*time.Second, "half the TTL", func() bool { return c.PTTL(ctx, "sheen:conv:a").Val() < ttl/2 })
	must(t, s.Create(ctx, store.Conversation{ID: "b", Owner: "alice"}))
	waitFor(t, 5*time.Second, "a to expire", func() bool { return c.Exists(ctx, "sheen:conv:a").Val() == 0 })
	if got := keys(t, c, "*a"); len(got) != 0 {
		t.Errorf("keys of a left after it expired: %v", got)
	}
	if _, _, err := s.Get(ctx, "alice", "a"); err != store.ErrNotFound {
		t.Errorf("Get of the expired conversation: %v", err)
	}
	// a's list entry is dropped by the next write to alice's list (and
	// skipped by List before that).
	page, _, err := s.List(ctx, "alice", "", 10)
	if err != nil || len(page) != 1 || page[0].ID != "b" {
		t.Errorf("List = %v, %v; want only b", page, err)
	}
	must(t, s.Create(ctx, store.Conversation{ID: "c", Owner: "alice", Created: time.Now()}))
	if n := c.ZCard(ctx, "sheen:user:alice").Val(); n != 2 {
		t.Errorf("alice's list has %d entries, want 2 (b, c)", n)
	}

	// Then everything goes: no key outlives the last conversation.
	waitFor(t, 5*time.Second, "every key to expire", func() bool { return c.DBSize(ctx).Val() == 0 })
}

func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s after %v", what, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
