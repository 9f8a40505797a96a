package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/sheenhq/sheen/store"
)

// Bus is a [store.Bus] on Redis Streams: each conversation's live log is
// one stream, bus:<id> under the prefix, whose entry ids are the
// positions. It is safe for concurrent use.
//
// Every [Bus.Follow] holds one connection of its client for as long as it
// runs (a blocking XREAD occupies its connection): the client's PoolSize
// must exceed the number of concurrent Follows by the connections the
// other calls need, or Follows starve Publish, Since, Trim and whatever
// else shares the client (a call then waits PoolTimeout for a connection
// and fails). [WithFollowClient] gives Follow a client of its own, sized
// for the followers alone.
//
// A client of the caller's ([NewBus], [WithFollowClient]) should have
// go-redis's maintenance notifications off (MaintNotificationsConfig with
// Mode maintnotifications.ModeDisabled; [OpenBus] does so) unless its Redis
// supports them: in their default mode go-redis 9.23 races between the
// client's first connections and those of Follow's dedicated Conns.
type Bus struct {
	c, follow *goredis.Client
	own       bool // Close closes c
	prefix    string
	ttl       time.Duration
	maxLen    int64
}

var _ store.Bus = (*Bus)(nil)

// DefaultBusTTL is how long a conversation's live log is kept after its
// last Publish unless [WithBusTTL] says otherwise.
const DefaultBusTTL = time.Hour

// DefaultBusMaxLen is about the most events a live log keeps unless
// [WithBusMaxLen] says otherwise: Publish drops the oldest beyond it.
const DefaultBusMaxLen = 100_000

// followBlock bounds one blocking XREAD of Follow when no idle period is
// shorter: a connection that died silently is noticed within it (plus the
// client's ReadTimeout).
const followBlock = time.Second

// unblockEvery is how often a cancelled Follow repeats CLIENT UNBLOCK until
// its XREAD returns (the first may reach Redis before the XREAD does).
const unblockEvery = 10 * time.Millisecond

// WithBusTTL sets how long a live log is kept after its last Publish
// (default [DefaultBusTTL]): every Publish moves the stream's expiry to
// d from then. It is for [NewBus] and [OpenBus]; the Store ignores it.
func WithBusTTL(d time.Duration) Option { return func(o *options) { o.busTTL = d } }

// WithBusMaxLen caps a live log at about n events (default
// [DefaultBusMaxLen]): Publish trims the oldest with XADD's MAXLEN ~ n,
// which Redis applies in whole nodes of the stream, so a log may hold a
// few more (at most stream-node-max-entries, 100 by default).
func WithBusMaxLen(n int64) Option { return func(o *options) { o.busMaxLen = n } }

// WithFollowClient makes [Bus.Follow] take its connections from c, a client
// of the same Redis as the bus's own, instead of the bus's client: each
// running Follow holds one of c's connections, so c's PoolSize bounds the
// concurrent Follows, and the other calls keep the bus's client to
// themselves. c stays the caller's: Close does not close it.
func WithFollowClient(c *goredis.Client) Option { return func(o *options) { o.follow = c } }

// OpenBus connects to the Redis at addr as [Open] does and returns a bus on
// it. Close closes the connection.
func OpenBus(ctx context.Context, addr string, opts ...Option) (*Bus, error) {
	c, err := dial(ctx, addr)
	if err != nil {
		return nil, err
	}
	b := NewBus(c, opts...)
	b.own = true
	return b, nil
}

// NewBus returns a bus on the caller's client, which stays the caller's:
// Close does not close it. A store from [New] on the same client and with
// the same prefix shares the client's pool; their keys do not meet.
func NewBus(c *goredis.Client, opts ...Option) *Bus {
	o := options{prefix: "sheen:", busTTL: DefaultBusTTL, busMaxLen: DefaultBusMaxLen}
	for _, opt := range opts {
		opt(&o)
	}
	b := &Bus{c: c, follow: o.follow, prefix: o.prefix, ttl: o.busTTL, maxLen: o.busMaxLen}
	if b.follow == nil {
		b.follow = c
	}
	return b
}

// Close closes the connection if OpenBus made it.
func (b *Bus) Close() error {
	if b.own {
		return b.c.Close()
	}
	return nil
}

func (b *Bus) key(id string) string { return b.prefix + "bus:" + id }

// publishScript: KEYS[1] the stream; ARGV[1] MAXLEN, [2] TTL (ms), [3] the
// data. XADD and PEXPIRE in one round trip, and never one without the
// other.
var publishScript = goredis.NewScript(`
local pos = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'd', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return pos
`)

// Publish appends data to id's log (XADD, capped at about the bus's
// MaxLen) and moves the log's expiry to the bus's TTL from now.
func (b *Bus) Publish(ctx context.Context, id string, data []byte) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	pos, err := publishScript.Run(ctx, b.c, []string{b.key(id)}, b.maxLen, b.ttl.Milliseconds(), data).Text()
	if err != nil {
		return "", fmt.Errorf("store/redis: publish to %q: %w", id, err)
	}
	return pos, nil
}

// sincePage is how many events one XRANGE of Since reads.
const sincePage = 1000

// Since returns the events after pos (XRANGE, a page of [sincePage] at a
// time).
func (b *Bus) Since(ctx context.Context, id, pos string) ([]store.Event, error) {
	var out []store.Event
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		start := "-"
		if pos != "" {
			start = "(" + pos
		}
		msgs, err := b.c.XRangeN(ctx, b.key(id), start, "+", sincePage).Result()
		if err != nil {
			return nil, fmt.Errorf("store/redis: since %q of %q: %w", pos, id, err)
		}
		for _, m := range msgs {
			out = append(out, event(m))
		}
		if len(msgs) < sincePage {
			return out, nil
		}
		pos = msgs[len(msgs)-1].ID
	}
}

// Trim drops the events up to and including pos (XTRIM MINID, exact, at
// the id after pos).
func (b *Bus) Trim(ctx context.Context, id, pos string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	next, err := nextID(pos)
	if err != nil {
		return fmt.Errorf("store/redis: trim %q: %w", id, err)
	}
	if err := b.c.XTrimMinID(ctx, b.key(id), next).Err(); err != nil {
		return fmt.Errorf("store/redis: trim %q: %w", id, err)
	}
	return nil
}

// nextID returns the stream id right after pos, "<ms>-<seq>".
func nextID(pos string) (string, error) {
	ms, seq, ok := strings.Cut(pos, "-")
	m, err1 := strconv.ParseUint(ms, 10, 64)
	s, err2 := strconv.ParseUint(seq, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return "", fmt.Errorf("bad position %q", pos)
	}
	if s == ^uint64(0) {
		return strconv.FormatUint(m+1, 10) + "-0", nil
	}
	return ms + "-" + strconv.FormatUint(s+1, 10), nil
}

// Follow reads id's log with XREAD BLOCK on a connection of its own, taken
// from the follow client ([WithFollowClient], else the bus's) and held
// until it returns. One XREAD blocks for the idle period, or a second at
// most; when ctx ends, Follow sends CLIENT UNBLOCK for that connection
// (through the bus's client), so it returns at once whatever the idle
// period. If Redis fails, Follow returns the error; the caller follows
// again from the last position it saw.
func (b *Bus) Follow(ctx context.Context, id, pos string, idle time.Duration, fn func(store.Event)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	conn := b.follow.Conn()
	defer conn.Close()
	cid, err := conn.ClientID(ctx).Result()
	if err != nil {
		return ctxOr(ctx, fmt.Errorf("store/redis: follow %q: %w", id, err))
	}
	defer b.unblockOnDone(ctx, cid)()

	key := b.key(id)
	if pos == "" {
		pos = "0-0"
	}
	var idleAt time.Time
	if idle > 0 {
		idleAt = time.Now().Add(idle)
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		block := followBlock
		if idle > 0 {
			block = max(min(time.Until(idleAt), block), time.Millisecond)
		}
		// context.Background: go-redis does not stop a read when its ctx
		// ends; CLIENT UNBLOCK does.
		res, err := conn.XRead(context.Background(), &goredis.XReadArgs{Streams: []string{key, pos}, Count: sincePage, Block: block}).Result()
		if err := ctx.Err(); err != nil {
			return err
		}
		switch {
		case errors.Is(err, goredis.Nil):
			if idle > 0 && !time.Now().Before(idleAt) {
				fn(store.Event{})
				idleAt = time.Now().Add(idle)
			}
		case err != nil:
			return fmt.Errorf("store/redis: follow %q: %w", id, err)
		default:
			for _, s := range res {
				for _, m := range s.Messages {
					fn(event(m))
					pos = m.ID
				}
			}
			if idle > 0 {
				idleAt = time.Now().Add(idle)
			}
		}
	}
}

// unblockOnDone arranges for the XREAD of client cid to be unblocked once
// ctx ends, until the returned function is called; that function returns
// when the unblocking has stopped.
func (b *Bus) unblockOnDone(ctx context.Context, cid int64) (stop func()) {
	done := make(chan struct{})
	stopped := make(chan struct{})
	uctx, cancel := context.WithCancel(context.Background())
	stopAfter := context.AfterFunc(ctx, func() {
		defer close(stopped)
		tick := time.NewTicker(unblockEvery)
		defer tick.Stop()
		for {
			b.c.ClientUnblock(uctx, cid)
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return func() {
		close(done)
		cancel()
		if !stopAfter() {
			<-stopped
		}
	}
}

// ctxOr returns ctx's error if it ended, else err.
func ctxOr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// event turns a stream entry into an Event.
func event(m goredis.XMessage) store.Event {
	d, _ := m.Values["d"].(string)
	return store.Event{Pos: m.ID, Data: []byte(d)}
}
