package sheen

import (
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// SessionLimits bounds the sessions an App keeps. A zero field takes its
// default; a negative one means no limit.
type SessionLimits struct {
	// Total is the most sessions, connected or detached, the App keeps
	// (default 10,000).
	Total int
	// PerAddr is the most sessions one client address may have (default
	// 100). The address is the request's remote IP, or what
	// [WithClientAddr] says.
	PerAddr int
	// Detached is the most sessions waiting, without a connection, for
	// their page to resume them (default 1,000).
	Detached int
	// DetachedBytes bounds the memory the replay buffers of all detached
	// sessions may hold together (default 256 MiB).
	DetachedBytes int
	// HelloRate and HelloBurst bound how fast one client address may open
	// connections (hellos, new or resuming): a token bucket of HelloBurst
	// (default 30) refilled at HelloRate per second (default 5).
	HelloRate  float64
	HelloBurst int
}

func (l *SessionLimits) defaults() {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&l.Total, 10000)
	def(&l.PerAddr, 100)
	def(&l.Detached, 1000)
	def(&l.DetachedBytes, 256<<20)
	def(&l.HelloBurst, 30)
	if l.HelloRate == 0 {
		l.HelloRate = 5
	}
}

// WithSessionLimits sets the limits on sessions (see [SessionLimits] for
// the defaults). When a new session would exceed Total or PerAddr, the
// oldest detached session (of that address, for PerAddr) is ended to make
// room; if there is none, the hello is answered with a non-fatal "limit"
// error and the connection closes with 1013 (try again later), so the page
// retries with its backoff. When the detached sessions exceed Detached or
// DetachedBytes, the oldest are ended. A page whose session was ended that
// way is told "session expired, reload" when it comes back.
func WithSessionLimits(l SessionLimits) Option { return func(c *config) { c.limits = l } }

// WithClientAddr sets how a request's client address is found, for the
// per-address limits of [SessionLimits]. The default is the IP of the
// request's remote address; behind a proxy, return the client's address as
// the proxy reports it (for example the last hop of X-Forwarded-For that
// your proxy appends).
func WithClientAddr(fn func(*http.Request) string) Option {
	return func(c *config) { c.clientAddr = fn }
}

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// detachedInfo is what the App knows of a detached session.
type detachedInfo struct {
	since time.Time
	bytes int
}

// limiter keeps the App's session accounting. Its mutex is taken under a
// session's mu, never the other way round.
type limiter struct {
	l SessionLimits

	mu       sync.Mutex
	perAddr  map[string]int
	detached map[*Session]*detachedInfo
	dbytes   int
	hellos   map[string]*rate.Limiter
	pruned   time.Time
}

func newLimiter(l SessionLimits) *limiter {
	l.defaults()
	return &limiter{l: l, perAddr: map[string]int{}, detached: map[*Session]*detachedInfo{}, hellos: map[string]*rate.Limiter{}}
}

// allowHello reports whether addr may open one more connection now.
func (m *limiter) allowHello(addr string, now time.Time) bool {
	if m.l.HelloRate < 0 {
		return true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if now.Sub(m.pruned) > time.Minute && len(m.hellos) > 1000 {
		// Forget the buckets that have refilled: they behave as new ones.
		for a, b := range m.hellos {
			if b.TokensAt(now) >= float64(m.l.HelloBurst) {
				delete(m.hellos, a)
			}
		}
		m.pruned = now
	}
	b := m.hellos[addr]
	if b == nil {
		b = rate.NewLimiter(rate.Limit(m.l.HelloRate), m.l.HelloBurst)
		m.hellos[addr] = b
	}
	return b.AllowN(now, 1)
}

// admit counts a new session of addr, given total live sessions. When a
// limit is reached it returns a detached session to end first (ok false,
// victim set), or neither when there is none: the hello is refused.
func (m *limiter) admit(addr string, total int) (ok bool, victim *Session) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case m.l.Total >= 0 && total >= m.l.Total:
		return false, m.oldest("")
	case m.l.PerAddr >= 0 && m.perAddr[addr] >= m.l.PerAddr:
		return false, m.oldest(addr)
	}
	m.perAddr[addr]++
	return true, nil
}

// oldest returns the detached session that has waited longest (of addr, if
// not ""), or nil.
func (m *limiter) oldest(addr string) *Session {
	var best *Session
	var since time.Time
	for s, d := range m.detached {
		if addr != "" && s.addr != addr {
			continue
		}
		if best == nil || d.since.Before(since) {
			best, since = s, d.since
		}
	}
	return best
}

// detach records s as detached holding bytes of replay buffer and returns
// the sessions to end to stay within the limits.
func (m *limiter) detach(s *Session, bytes int, now time.Time) []*Session {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.detached[s] = &detachedInfo{since: now, bytes: bytes}
	m.dbytes += bytes
	return m.overLocked()
}

// grow records the new replay size of detached s.
func (m *limiter) grow(s *Session, bytes int) []*Session {
	m.mu.Lock()
	defer m.mu.Unlock()
	d := m.detached[s]
	if d == nil {
		return nil
	}
	m.dbytes += bytes - d.bytes
	d.bytes = bytes
	return m.overLocked()
}

// attach forgets that s was detached.
func (m *limiter) attach(s *Session) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.attachLocked(s)
}

func (m *limiter) attachLocked(s *Session) {
	if d := m.detached[s]; d != nil {
		m.dbytes -= d.bytes
		delete(m.detached, s)
	}
}

// remove forgets s, which has ended.
func (m *limiter) remove(s *Session) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.attachLocked(s)
	if m.perAddr[s.addr] <= 1 {
		delete(m.perAddr, s.addr)
	} else {
		m.perAddr[s.addr]--
	}
}

// overLocked picks the oldest detached sessions beyond Detached or
// DetachedBytes. They stay counted until they end (remove).
func (m *limiter) overLocked() []*Session {
	n, bytes := len(m.detached), m.dbytes
	var victims []*Session
	picked := map[*Session]bool{}
	for (m.l.Detached >= 0 && n > m.l.Detached) || (m.l.DetachedBytes >= 0 && bytes > m.l.DetachedBytes) {
		var best *Session
		var since time.Time
		for s, d := range m.detached {
			if !picked[s] && (best == nil || d.since.Before(since)) {
				best, since = s, d.since
			}
		}
		if best == nil {
			break
		}
		picked[best] = true
		victims = append(victims, best)
		n--
		bytes -= m.detached[best].bytes
	}
	return victims
}

// dropDetached ends detached sessions that went over a limit, in the
// background: the caller may be inside a session's turn (even one of these
// sessions'), which ending must not wait for.
func (a *App) dropDetached(victims []*Session) {
	for _, v := range victims {
		v.log.Info("sheen: detached session dropped: over the limit on detached sessions")
		a.bg.Go(func() { v.end("dropped: too many detached sessions") })
	}
}
