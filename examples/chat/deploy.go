package main

// Running the example as one of several instances behind a load balancer
// (docs/deployment.md): conversations in Redis, one cookie key for all,
// the Host and Origin the proxy passes on, the client address it reports,
// and the instance's name in the logs.

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/store"
	"github.com/sheenhq/sheen/store/redis"
)

// redisBackend is what the instances share in Redis: the conversations
// and the live log of replies.
type redisBackend struct {
	c, follow *goredis.Client
	st        *redis.Store
	bus       store.Bus
	addr      string // host:port, for the log (a URL's password left out)
}

// openRedis connects to addr ("host:port" or a redis:// URL) and checks
// that it answers: an instance starts only when Redis does.
func openRedis(ctx context.Context, addr string, log *zap.Logger) (*redisBackend, error) {
	var ro *goredis.Options
	if strings.Contains(addr, "://") {
		var err error
		if ro, err = goredis.ParseURL(addr); err != nil {
			return nil, fmt.Errorf("-redis: %w", err)
		}
	} else {
		ro = &goredis.Options{Addr: addr}
	}
	// go-redis's maintenance notifications race with the live log's held
	// connections (store/redis.Bus); they matter only on Redis Enterprise.
	ro.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	c := goredis.NewClient(ro)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := c.Ping(pctx).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("redis at %s does not answer: %w", ro.Addr, err)
	}
	// Each conversation in memory follows its live log on a connection of
	// its own: a client of their own, sized for many, keeps them from
	// starving the store's pool.
	fo := *ro
	fo.PoolSize, fo.PoolTimeout = 100000, 30*time.Second
	follow := goredis.NewClient(&fo)
	return &redisBackend{c: c, follow: follow, st: redis.New(c, redis.WithLogger(log)),
		bus: redis.NewBus(c, redis.WithFollowClient(follow), redis.WithLogger(log)), addr: ro.Addr}, nil
}

// historyOptions are the options of the History kept in Redis.
func (b *redisBackend) historyOptions(instance string) []chat.HistoryOption {
	return []chat.HistoryOption{chat.WithBus(b.bus), chat.InstanceName(instance)}
}

// Close closes the connections to Redis (the store and the bus do not own
// them).
func (b *redisBackend) Close() error { return errors.Join(b.follow.Close(), b.c.Close()) }

// readCookieKey reads the cookie key every instance shares. With Redis the
// file is required and must exist: an instance that made a key of its own
// would not recognise the users of the others, and a user would become
// someone else, with other conversations, at every request that lands on
// another instance.
func readCookieKey(path string) ([]byte, error) {
	const howTo = "make one with `head -c 32 /dev/urandom > sheen-cookie.key && chmod 600 sheen-cookie.key` and give the same file to every instance"
	if path == "" {
		return nil, errors.New("-redis needs -cookie-key-file (env SHEEN_COOKIE_KEY_FILE): the key that signs users' cookies, the same for every instance; " + howTo)
	}
	key, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("-cookie-key-file %s does not exist; %s", path, howTo)
	}
	if err != nil {
		return nil, fmt.Errorf("-cookie-key-file: %w", err)
	}
	if len(key) < sheen.MinCookieKey {
		return nil, fmt.Errorf("-cookie-key-file %s holds %d bytes; a key needs at least %d; %s", path, len(key), sheen.MinCookieKey, howTo)
	}
	return key, nil
}

// proxyOptions are the app's options for what a proxy in front of it
// changes: the host names browsers use (hosts), other origins allowed to
// open WebSockets (origins), and the proxies whose X-Forwarded-For names
// the client (proxies). Each is a list separated by commas or spaces.
func proxyOptions(hosts, origins, proxies string) ([]sheen.Option, error) {
	var opts []sheen.Option
	if h := list(hosts); len(h) > 0 {
		opts = append(opts, sheen.WithHosts(h...))
	}
	if o := list(origins); len(o) > 0 {
		opts = append(opts, sheen.WithOrigins(o...))
	}
	if p := list(proxies); len(p) > 0 {
		trusted, err := parseNets(p)
		if err != nil {
			return nil, fmt.Errorf("-proxies: %w", err)
		}
		opts = append(opts, sheen.WithClientAddr(forwardedFor(trusted)))
	}
	return opts, nil
}

func list(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

// parseNets reads IP addresses and CIDR prefixes.
func parseNets(items []string) ([]*net.IPNet, error) {
	var nets []*net.IPNet
	for _, it := range items {
		if !strings.Contains(it, "/") {
			ip := net.ParseIP(it)
			if ip == nil {
				return nil, fmt.Errorf("%q is not an IP address or CIDR prefix", it)
			}
			bits := 8 * len(ip.To16())
			if ip.To4() != nil {
				ip, bits = ip.To4(), 32
			}
			it = ip.String() + "/" + strconv.Itoa(bits)
		}
		_, n, err := net.ParseCIDR(it)
		if err != nil {
			return nil, err
		}
		nets = append(nets, n)
	}
	return nets, nil
}

// forwardedFor returns the client's address for sheen's per-address
// limits: the last hop of X-Forwarded-For (what nginx's
// $proxy_add_x_forwarded_for appends: the address it was reached from) when
// the request comes from a trusted proxy, else the remote address. Behind
// a proxy without it, every user would share the proxy's address, and its
// limits.
func forwardedFor(trusted []*net.IPNet) func(*http.Request) string {
	return func(r *http.Request) string {
		remote, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			remote = r.RemoteAddr
		}
		ip := net.ParseIP(remote)
		if ip == nil || !contains(trusted, ip) {
			return remote
		}
		hops := r.Header.Values("X-Forwarded-For")
		if len(hops) == 0 {
			return remote
		}
		all := strings.Split(hops[len(hops)-1], ",")
		last := strings.TrimSpace(all[len(all)-1])
		if net.ParseIP(last) == nil {
			return remote
		}
		return last
	}
}

func contains(nets []*net.IPNet, ip net.IP) bool {
	for _, n := range nets {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// defaultInstance names this instance in the logs: host name and pid.
func defaultInstance() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		h = "localhost"
	}
	return h + "-" + strconv.Itoa(os.Getpid())
}

// newLogger is the app's logger (zap's production logger, as sheen's
// default) with the instance's name on every line.
func newLogger(instance string) *zap.Logger {
	cfg := zap.NewProductionConfig()
	if lvl, err := zap.ParseAtomicLevel(os.Getenv("SHEEN_LOG_LEVEL")); err == nil {
		cfg.Level = lvl // SHEEN_LOG_LEVEL=debug shows every session's frames
	}
	l, err := cfg.Build()
	if err != nil {
		return zap.NewNop()
	}
	return l.With(zap.String("instance", instance))
}
