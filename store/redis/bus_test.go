package redis_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/sheenhq/sheen/internal/redistest"
	"github.com/sheenhq/sheen/store"
	"github.com/sheenhq/sheen/store/redis"
	"github.com/sheenhq/sheen/store/storetest"
)

// openBus returns a bus on a server of tb's own, closed when tb ends.
func openBus(tb testing.TB, opts ...redis.Option) *redis.Bus {
	tb.Helper()
	return openBusAt(tb, redistest.Start(tb), opts...)
}

func openBusAt(tb testing.TB, addr string, opts ...redis.Option) *redis.Bus {
	tb.Helper()
	b, err := redis.OpenBus(context.Background(), addr, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { b.Close() })
	return b
}

func TestBusConformance(t *testing.T) {
	storetest.RunBus(t, func(t *testing.T) store.Bus { return openBus(t) })
}

// TestBusConformanceFollowClient runs the suite with Follow on a client of
// its own, beside a Store on the bus's client and prefix.
func TestBusConformanceFollowClient(t *testing.T) {
	storetest.RunBus(t, func(t *testing.T) store.Bus {
		addr := redistest.Start(t)
		c, fc := client(t, addr), client(t, addr)
		s := redis.New(c)
		if err := s.Create(context.Background(), store.Conversation{ID: "c", Owner: "alice"}); err != nil {
			t.Fatal(err)
		}
		return redis.NewBus(c, redis.WithFollowClient(fc))
	})
}

func BenchmarkBus(b *testing.B) {
	storetest.BenchBus(b, func(b *testing.B) store.Bus { return openBus(b) })
}

// TestBusKeys pins the live log's key, expiry and cap, beside a Store on
// the same client and prefix.
func TestBusKeys(t *testing.T) {
	addr := redistest.Start(t)
	c := client(t, addr)
	ctx := context.Background()
	s := redis.New(c, redis.WithPrefix("app:"))
	b := redis.NewBus(c, redis.WithPrefix("app:"), redis.WithBusTTL(time.Minute), redis.WithBusMaxLen(10))
	must(t, s.Create(ctx, store.Conversation{ID: "c1", Owner: "alice"}))
	must(t, s.Append(ctx, "c1", store.Message{ID: "m", Status: store.StatusStreaming}))
	must(t, s.AppendText(ctx, "c1", "m", "x")) // the store's live:c1
	for range 1000 {
		if _, err := b.Publish(ctx, "c1", []byte("e")); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"app:bus:c1", "app:conv:c1", "app:live:c1", "app:msgs:c1", "app:text:1:c1", "app:user:alice"}
	if got := keys(t, c, "*"); !slices.Equal(got, want) {
		t.Errorf("keys = %v, want %v", got, want)
	}
	if typ := c.Type(ctx, "app:bus:c1").Val(); typ != "stream" {
		t.Errorf("bus key is a %s", typ)
	}
	if d := c.PTTL(ctx, "app:bus:c1").Val(); d <= 0 || d > time.Minute {
		t.Errorf("bus key PTTL %v, want (0, 1m]", d)
	}
	// MAXLEN ~ 10: Redis trims whole nodes of (by default) 100 entries.
	if n := c.XLen(ctx, "app:bus:c1").Val(); n < 10 || n > 10+100 {
		t.Errorf("XLEN = %d after 1,000 events capped at about 10", n)
	}
	// The store's writes leave the log alone, and the other way round.
	must(t, s.Update(ctx, "c1", store.Message{ID: "m", Content: "x"}))
	must(t, s.Delete(ctx, "alice", "c1"))
	if got := keys(t, c, "*"); !slices.Equal(got, []string{"app:bus:c1"}) {
		t.Errorf("keys after the store's Delete = %v, want the bus's only", got)
	}
}

// TestBusTTL: a log with no Publish for the TTL is gone, by Redis's clock.
func TestBusTTL(t *testing.T) {
	addr := redistest.Start(t)
	c := client(t, addr)
	b := redis.NewBus(c, redis.WithBusTTL(200*time.Millisecond))
	ctx := context.Background()
	if _, err := b.Publish(ctx, "c", []byte("e")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "the log to expire", func() bool { return c.Exists(ctx, "sheen:bus:c").Val() == 0 })
	if evs, err := b.Since(ctx, "c", ""); err != nil || len(evs) != 0 {
		t.Errorf("Since after expiry = %v, %v", evs, err)
	}
}

// TestBusPool: Follows on a client of their own leave the bus's client to
// the other calls; one Follow more than the follow client's pool fails
// after its PoolTimeout instead of taking a connection from the others.
func TestBusPool(t *testing.T) {
	addr := redistest.Start(t)
	c := goredis.NewClient(&goredis.Options{Addr: addr, PoolSize: 1, MaintNotificationsConfig: noMaint})
	fc := goredis.NewClient(&goredis.Options{Addr: addr, PoolSize: 3, PoolTimeout: 200 * time.Millisecond, MaintNotificationsConfig: noMaint})
	defer c.Close()
	defer fc.Close()
	b := redis.NewBus(c, redis.WithFollowClient(fc))
	ctx, cancel := context.WithCancel(context.Background())
	first, err := b.Publish(ctx, "c", []byte("0"))
	must(t, err)

	errs := make(chan error, 3)
	started := make(chan struct{}, 3)
	for range 3 {
		go func() {
			errs <- b.Follow(ctx, "c", "", 0, func(e store.Event) {
				if e.Pos == first {
					started <- struct{}{}
				}
			})
		}()
	}
	for range 3 {
		<-started
	}
	// Every follow connection is taken; the bus's own still serves.
	if _, err := b.Publish(ctx, "c", []byte("1")); err != nil {
		t.Errorf("Publish while 3 Follows run: %v", err)
	}
	if _, err := b.Since(ctx, "c", ""); err != nil {
		t.Errorf("Since while 3 Follows run: %v", err)
	}
	err = b.Follow(ctx, "c", "", 0, func(store.Event) {})
	if err == nil || errors.Is(err, context.Canceled) {
		t.Errorf("a fourth Follow on a pool of 3: %v, want a pool timeout", err)
	}
	cancel()
	for range 3 {
		if err := <-errs; !errors.Is(err, context.Canceled) {
			t.Errorf("Follow: %v, want context.Canceled", err)
		}
	}
}

// follower runs Follow on its own goroutine and hands over what it sees.
type follower struct {
	events chan store.Event
	done   chan error
}

func startFollow(ctx context.Context, b *redis.Bus, id, pos string) *follower {
	f := &follower{events: make(chan store.Event), done: make(chan error, 1)}
	go func() {
		f.done <- b.Follow(ctx, id, pos, 0, func(e store.Event) {
			select {
			case f.events <- e:
			case <-ctx.Done():
			}
		})
	}()
	return f
}

func (f *follower) next(t *testing.T) store.Event {
	t.Helper()
	select {
	case e := <-f.events:
		return e
	case err := <-f.done:
		t.Fatalf("Follow returned %v, want an event", err)
	case <-time.After(10 * time.Second):
		t.Fatal("no event after 10s")
	}
	return store.Event{}
}

func (f *follower) end(t *testing.T) error {
	t.Helper()
	select {
	case err := <-f.done:
		return err
	case e := <-f.events:
		t.Fatalf("event %q, want Follow to end", e.Data)
	case <-time.After(30 * time.Second):
		t.Fatal("Follow still running 30s after Redis stopped")
	}
	return nil
}

// TestBusRestart stops Redis under a follower: Follow returns an error;
// once Redis is back (with its append-only file) a Follow from the last
// position the follower saw misses nothing.
func TestBusRestart(t *testing.T) {
	srv := redistest.New(t, "--appendonly", "yes")
	b := openBusAt(t, srv.Addr)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := b.Publish(ctx, "c", []byte("1"))
	must(t, err)
	f := startFollow(ctx, b, "c", "")
	last := f.next(t).Pos

	srv.Stop()
	if err := f.end(t); err == nil || errors.Is(err, context.Canceled) {
		t.Errorf("Follow when Redis stopped: %v, want Redis's error", err)
	}
	srv.Start()
	p2, err := b.Publish(ctx, "c", []byte("2"))
	must(t, err)
	f = startFollow(ctx, b, "c", last)
	if e := f.next(t); e.Pos != p2 || string(e.Data) != "2" {
		t.Errorf("after the restart Follow from %q got {%q %q}, want {%q \"2\"}", last, e.Pos, e.Data, p2)
	}
	evs, err := b.Since(ctx, "c", "")
	if err != nil || len(evs) != 2 || evs[0].Pos != last {
		t.Errorf("Since after the restart = %v, %v; want both events", evs, err)
	}
	cancel()
	if err := <-f.done; !errors.Is(err, context.Canceled) {
		t.Errorf("Follow: %v", err)
	}
}

// TestBusRestartEmpty: a Redis that comes back without its data lost the
// log; following again from the last position works and delivers what is
// published after the restart (stream ids follow the clock).
func TestBusRestartEmpty(t *testing.T) {
	srv := redistest.New(t)
	b := openBusAt(t, srv.Addr)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := b.Publish(ctx, "c", []byte("1"))
	must(t, err)
	f := startFollow(ctx, b, "c", "")
	last := f.next(t).Pos

	srv.Kill()
	if err := f.end(t); err == nil || errors.Is(err, context.Canceled) {
		t.Errorf("Follow when Redis died: %v, want Redis's error", err)
	}
	srv.Start()
	f = startFollow(ctx, b, "c", last)
	p2, err := b.Publish(ctx, "c", []byte("2"))
	must(t, err)
	if e := f.next(t); e.Pos != p2 {
		t.Errorf("after the restart Follow from %q got {%q %q}, want %q", last, e.Pos, e.Data, p2)
	}
	if evs, err := b.Since(ctx, "c", ""); err != nil || len(evs) != 1 {
		t.Errorf("Since after the restart = %v, %v; want the new event only", evs, err)
	}
	cancel()
	if err := <-f.done; !errors.Is(err, context.Canceled) {
		t.Errorf("Follow: %v", err)
	}
}

// TestBusBadPosition: positions that are no stream ids are errors.
func TestBusBadPosition(t *testing.T) {
	b := openBus(t)
	ctx := context.Background()
	if _, err := b.Since(ctx, "c", "nope"); err == nil {
		t.Error("Since of a bad position: no error")
	}
	if err := b.Trim(ctx, "c", "nope"); err == nil {
		t.Error("Trim of a bad position: no error")
	}
	if err := b.Follow(ctx, "c", "nope", 0, func(store.Event) {}); err == nil {
		t.Error("Follow of a bad position: no error")
	}
}
