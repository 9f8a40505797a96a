package sheen

import (
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"

	"go.uber.org/zap"
)

// WithHosts sets the host names the app answers to, as patterns (path.Match
// syntax, e.g. "chat.example.com" or "*.example.com"), checked against every
// request's Host header. Without it, an app reached on a loopback address
// answers only to localhost, 127.0.0.1 and [::1] (any port), which defeats
// DNS rebinding (a page on a domain that resolves to 127.0.0.1 cannot talk to
// a server on the developer's machine); an app reached on any other address
// answers to any host. With it, the loopback names stay allowed on loopback,
// and the patterns are allowed everywhere.
func WithHosts(patterns ...string) Option {
	return func(c *config) { c.hosts = append(c.hosts, patterns...) }
}

// hostName returns the host of a Host header or URL host, without port or
// brackets, lower case.
func hostName(hostport string) string {
	h := hostport
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		h = host
	}
	return strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"))
}

func matchHost(patterns []string, host string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(strings.ToLower(p), host); ok {
			return true
		}
	}
	return false
}

// checkHost reports whether r's Host is one the app answers to.
func (a *App) checkHost(r *http.Request) bool {
	host := hostName(r.Host)
	if matchHost(a.cfg.hosts, host) {
		return true
	}
	local, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if tcp, ok := local.(*net.TCPAddr); ok && tcp.IP.IsLoopback() {
		return host == "localhost" || host == "127.0.0.1" || host == "::1"
	}
	return len(a.cfg.hosts) == 0
}

// requestScheme is the scheme the browser used: https with TLS, otherwise
// what a TLS-terminating proxy says in X-Forwarded-Proto (a browser cannot
// set that header on a WebSocket upgrade), otherwise http.
func requestScheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	switch p := strings.ToLower(strings.TrimSpace(strings.Split(r.Header.Get("X-Forwarded-Proto"), ",")[0])); p {
	case "http", "https":
		return p
	}
	return "http"
}

// originHost returns a URL's host:port with the scheme's default port
// filled in.
func originHost(scheme, host string) string {
	if _, _, err := net.SplitHostPort(host); err == nil {
		return strings.ToLower(host)
	}
	port := "80"
	if scheme == "https" || scheme == "wss" {
		port = "443"
	}
	return net.JoinHostPort(hostName(host), port)
}

// checkOrigin reports whether a WebSocket upgrade's Origin may open a
// session: none (not a browser), the same origin (scheme, host and port),
// or one allowed by WithOrigins (a host pattern, or scheme://host pattern).
func (a *App) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme == requestScheme(r) && originHost(scheme, u.Host) == originHost(scheme, r.Host) {
		return true
	}
	for _, p := range a.cfg.origins {
		p = strings.ToLower(p)
		if s, h, ok := strings.Cut(p, "://"); ok {
			if s != scheme {
				continue
			}
			p = h
		}
		if ok, _ := path.Match(p, strings.ToLower(u.Host)); ok {
			return true
		}
		if ok, _ := path.Match(p, hostName(u.Host)); ok {
			return true
		}
	}
	return false
}

// refuseHost answers a request whose Host the app does not answer to.
func (a *App) refuseHost(w http.ResponseWriter, r *http.Request) {
	a.log.Info("sheen: request refused: host not allowed", zap.String("host", r.Host), zap.String("remote", r.RemoteAddr))
	a.setSecurityHeaders(w.Header())
	http.Error(w, "host not allowed", http.StatusForbidden)
}
