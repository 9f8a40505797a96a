package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
	"go.uber.org/zap"

	"github.com/sheenhq/sheen/store"
)

// Store is a [store.Store] in Redis. It is safe for concurrent use: every
// method is one Lua script, which Redis runs alone.
type Store struct {
	c      *goredis.Client
	own    bool // Close closes c
	prefix string
	ttl    time.Duration
	log    *zap.Logger

	contentBytes, rowBytes, writes atomic.Int64
}

var _ store.Store = (*Store)(nil)

// An Option configures Open and New.
type Option func(*options)

type options struct {
	prefix string
	ttl    time.Duration
	log    *zap.Logger

	// The Bus's; the Store ignores them.
	busTTL    time.Duration
	busMaxLen int64
	follow    *goredis.Client
}

// WithPrefix sets the prefix of every key the store writes (default
// "sheen:"), so that several apps, or a test per prefix, share one Redis.
func WithPrefix(p string) Option { return func(o *options) { o.prefix = p } }

// WithTTL makes conversations expire: one whose Updated is d in the past
// (no append, update or rename for d) is removed with its messages, and
// its owner's list forgets it. Zero, the default, keeps everything.
// Expiry is Redis's own (PEXPIREAT on every key of the conversation at
// Updated + d, moved on each write), so nothing needs to run to enforce it.
func WithTTL(d time.Duration) Option { return func(o *options) { o.ttl = d } }

// WithLogger makes the store log to l: data it skipped because it could
// not be read, and nothing else. The default discards.
func WithLogger(l *zap.Logger) Option { return func(o *options) { o.log = l } }

// Open connects to the Redis at addr, "host:port" or a redis:// URL (which
// may carry a password and a database number), and checks that it answers.
// Close closes the connection.
func Open(ctx context.Context, addr string, opts ...Option) (*Store, error) {
	c, err := dial(ctx, addr)
	if err != nil {
		return nil, err
	}
	s := New(c, opts...)
	s.own = true
	return s, nil
}

// dial connects to addr as Open says and checks that Redis answers.
func dial(ctx context.Context, addr string) (*goredis.Client, error) {
	var ro *goredis.Options
	if strings.Contains(addr, "://") {
		var err error
		if ro, err = goredis.ParseURL(addr); err != nil {
			return nil, fmt.Errorf("store/redis: open: %w", err)
		}
	} else {
		ro = &goredis.Options{Addr: addr}
	}
	if ro.MaintNotificationsConfig == nil {
		ro.MaintNotificationsConfig = noMaintNotifications()
	}
	c := goredis.NewClient(ro)
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("store/redis: open %s: %w", ro.Addr, err)
	}
	return c, nil
}

// New returns a store on the caller's client, which stays the caller's:
// Close does not close it.
func New(c *goredis.Client, opts ...Option) *Store {
	o := options{prefix: "sheen:", log: zap.NewNop()}
	for _, opt := range opts {
		opt(&o)
	}
	return &Store{c: c, prefix: o.prefix, ttl: o.ttl, log: o.log}
}

// Close closes the connection if Open made it.
func (s *Store) Close() error {
	if s.own {
		return s.c.Close()
	}
	return nil
}

// Stats counts what the store wrote since it was made, as
// [github.com/sheenhq/sheen/store/sqlite.Stats] does.
type Stats struct {
	// Writes is the number of write calls that succeeded.
	Writes int64
	// ContentBytes is the message text the callers handed over: Append's and
	// Update's Content, AppendText's text.
	ContentBytes int64
	// RowBytes is the message text written to Redis for it. AppendText
	// appends to the message's string (APPEND): only the new text is
	// written, plus the content so far on a message's first AppendText.
	RowBytes int64
}

// Stats returns the counts since the store was made.
func (s *Store) Stats() Stats {
	return Stats{Writes: s.writes.Load(), ContentBytes: s.contentBytes.Load(), RowBytes: s.rowBytes.Load()}
}

func (s *Store) convKey(id string) string    { return s.prefix + "conv:" + id }
func (s *Store) msgsKey(id string) string    { return s.prefix + "msgs:" + id }
func (s *Store) liveKey(id string) string    { return s.prefix + "live:" + id }
func (s *Store) userKey(owner string) string { return s.prefix + "user:" + owner }

// run runs a write script on conversation id with the shared arguments
// (see scripts.go) followed by more.
func (s *Store) run(ctx context.Context, sc *goredis.Script, id string, more ...any) (any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := time.Now().UnixMilli()
	trim := ""
	if s.ttl > 0 {
		// Entries updated before now - ttl: their conversations expired.
		trim = "[" + string(rank(now-s.ttl.Milliseconds()-1))
	}
	args := append([]any{s.prefix, id, now, member(now, id), s.ttl.Milliseconds(), trim}, more...)
	v, err := sc.Run(ctx, s.c, []string{s.convKey(id), s.msgsKey(id), s.liveKey(id)}, args...).Result()
	return v, scriptErr(err)
}

// errExists is a script's refusal of an id in use.
var errExists = store.ErrExists

// scriptErr turns the scripts' NOTFOUND and EXISTS replies into errors
// callers can test.
func scriptErr(err error) error {
	var re goredis.Error
	if err == nil || !errors.As(err, &re) {
		return err
	}
	msg := re.Error()
	switch {
	case strings.HasPrefix(msg, "NOTFOUND "):
		return fmt.Errorf("%w: %s", store.ErrNotFound, strings.TrimPrefix(msg, "NOTFOUND "))
	case strings.HasPrefix(msg, "EXISTS "):
		return fmt.Errorf("%w: %s", errExists, strings.TrimPrefix(msg, "EXISTS "))
	}
	return err
}

// millis is t as the store keeps it, decimal Unix milliseconds.
func millis(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// parseMillis reads a kept time.
func parseMillis(v any) (time.Time, bool) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, false
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.UnixMilli(ms).UTC(), true
}

// noMaintNotifications turns off go-redis's maintenance notifications
// (a Redis Enterprise and Cloud feature). In their default mode, auto, the
// first connection to a Redis that refuses them switches them off in the
// client's options, which go-redis 9.23 does without a lock shared with the
// connections of the client's Conns: Bus.Follow's, made at the same time,
// race with it.
func noMaintNotifications() *maintnotifications.Config {
	return &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
}
