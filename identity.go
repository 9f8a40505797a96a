package sheen

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"time"

	"go.uber.org/zap"
)

// User identity: who a page and its session belong to.

// UserCookie is the name of the cookie that carries the anonymous user id
// when the app has no [WithUsers] function.
const UserCookie = "sheen_user"

// userCookieAge is the cookie's Max-Age: about 400 days, the most browsers
// keep a cookie. It is set again on every page load, so a user who comes
// back within that time keeps their id.
const userCookieAge = 400 * 24 * time.Hour

// MinCookieKey is the smallest key [WithCookieKey] accepts, in bytes.
const MinCookieKey = 32

// WithUsers makes fn the app's identity: the app's own authentication, given
// the request of the page or of the WebSocket upgrade, returns the user's id.
// An error or an empty id refuses the request with 401 (the page gets a short
// page saying so, the upgrade is not made) and is logged. The id is what
// [Session.User] returns and what page checks ([WithPageCheck]) are given.
// fn runs on every page request and every upgrade, from many goroutines.
func WithUsers(fn func(r *http.Request) (userID string, err error)) Option {
	return func(c *config) { c.users = fn }
}

// WithCookieKey sets the key that signs the anonymous user cookie (used when
// the app has no [WithUsers] function). It must be at least [MinCookieKey]
// bytes; [New] panics otherwise. Apps with more than one process behind a
// load balancer give them all the same key.
func WithCookieKey(key []byte) Option {
	return func(c *config) { c.cookieKey = append([]byte(nil), key...) }
}

// WithCookieKeyFile reads the cookie key from the file at path, and when the
// file does not exist creates it (mode 0600) holding 32 random bytes, so
// anonymous identities survive a restart. If the file cannot be read or
// created, or holds fewer than [MinCookieKey] bytes, the error is logged and
// the app uses a key of its own process, as without this option.
func WithCookieKeyFile(path string) Option {
	return func(c *config) { c.cookieKeyFile = path }
}

// initKey settles the cookie key: the given one, the key file's, or a random
// one for this process.
func (a *App) initKey() {
	switch {
	case a.cfg.cookieKey != nil:
		if len(a.cfg.cookieKey) < MinCookieKey {
			panic(fmt.Sprintf("sheen: WithCookieKey: the key has %d bytes; it needs at least %d", len(a.cfg.cookieKey), MinCookieKey))
		}
		a.key = a.cfg.cookieKey
		return
	case a.cfg.cookieKeyFile != "":
		key, created, err := loadKeyFile(a.cfg.cookieKeyFile)
		if err == nil {
			if created {
				a.log.Info("sheen: created the cookie key file", zap.String("path", a.cfg.cookieKeyFile))
			}
			a.key = key
			return
		}
		a.log.Warn("sheen: cookie key file unusable; using a key of this process: user ids will not survive a restart",
			zap.String("path", a.cfg.cookieKeyFile), zap.Error(err))
	case a.cfg.users == nil:
		a.log.Info("sheen: no cookie key given (WithCookieKey, WithCookieKeyFile); anonymous user ids will not survive a restart")
	}
	a.key = make([]byte, 32)
	_, _ = rand.Read(a.key)
}

// loadKeyFile reads the key at path, or creates the file with a new random
// key if it does not exist.
func loadKeyFile(path string) (key []byte, created bool, err error) {
	key, err = os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key = make([]byte, 32)
		_, _ = rand.Read(key)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) { // another process was first: use its key
			return loadKeyFile(path)
		}
		if err != nil {
			return nil, false, err
		}
		_, werr := f.Write(key)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			_ = os.Remove(path)
			return nil, false, werr
		}
		return key, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	if len(key) < MinCookieKey {
		return nil, false, fmt.Errorf("the key file holds %d bytes; a key needs at least %d", len(key), MinCookieKey)
	}
	return key, false, nil
}

// newUserID returns a random 128-bit id, base64url without padding.
func newUserID() string { return randomID("", 16) }

// userIDLen is the length of a user id made by newUserID.
const userIDLen = 22

func (a *App) userMAC(id string) []byte {
	m := hmac.New(sha256.New, a.key)
	m.Write([]byte(UserCookie + "\x00" + id))
	return m.Sum(nil)
}

// signUser returns the cookie value for id: "id.mac".
func (a *App) signUser(id string) string {
	return id + "." + base64.RawURLEncoding.EncodeToString(a.userMAC(id))
}

// verifyUser returns the id of a cookie value made by signUser with the
// app's key, or false.
func (a *App) verifyUser(v string) (string, bool) {
	id, mac, ok := strings.Cut(v, ".")
	if !ok || len(id) != userIDLen {
		return "", false
	}
	if b, err := base64.RawURLEncoding.DecodeString(id); err != nil || len(b) != 16 {
		return "", false
	}
	got, err := base64.RawURLEncoding.DecodeString(mac)
	if err != nil || !hmac.Equal(got, a.userMAC(id)) {
		return "", false
	}
	return id, true
}

// cookieUser returns the user id of the request's cookie; present reports
// whether there was a cookie at all.
func (a *App) cookieUser(r *http.Request) (id string, ok, present bool) {
	c, err := r.Cookie(UserCookie)
	if err != nil {
		return "", false, false
	}
	id, ok = a.verifyUser(c.Value)
	return id, ok, true
}

// pageUser returns the user of a page request, setting the cookie when the
// app's identity is the anonymous cookie. False means the response has been
// written (401).
func (a *App) pageUser(w http.ResponseWriter, r *http.Request) (string, bool) {
	if a.cfg.users != nil {
		id, err := a.callUsers(r)
		if err != nil {
			a.log.Info("sheen: page request refused: no user", zap.Error(err), zap.String("remote", r.RemoteAddr))
			a.statusPage(w, http.StatusUnauthorized, "Not signed in", "Sign in to see this page.", false)
			return "", false
		}
		return id, true
	}
	id, ok, present := a.cookieUser(r)
	if !ok {
		if present {
			a.log.Info("sheen: invalid user cookie; a new user id is given", zap.String("remote", r.RemoteAddr))
		}
		id = newUserID()
	}
	http.SetCookie(w, &http.Cookie{
		Name:     UserCookie,
		Value:    a.signUser(id),
		Path:     "/",
		MaxAge:   int(userCookieAge / time.Second),
		HttpOnly: true,
		Secure:   r.TLS != nil,
		SameSite: http.SameSiteLaxMode,
	})
	return id, true
}

// wsUser returns the user of a WebSocket upgrade. real is false for a
// throwaway id, given when the anonymous cookie is missing or invalid. An
// error means the upgrade must be refused.
func (a *App) wsUser(r *http.Request) (id string, real bool, err error) {
	if a.cfg.users != nil {
		id, err := a.callUsers(r)
		return id, err == nil, err
	}
	id, ok, present := a.cookieUser(r)
	if ok {
		return id, true, nil
	}
	a.log.Info("sheen: websocket without a valid user cookie; the session gets a throwaway user id",
		zap.Bool("cookie_present", present), zap.String("remote", r.RemoteAddr))
	return newUserID(), false, nil
}

// callUsers runs the app's WithUsers function; a panic or an empty id is an
// error.
func (a *App) callUsers(r *http.Request) (id string, err error) {
	defer func() {
		if p := recover(); p != nil {
			id, err = "", fmt.Errorf("sheen: WithUsers function panicked: %v", p)
		}
	}()
	id, err = a.cfg.users(r)
	if err == nil && id == "" {
		err = errors.New("sheen: WithUsers function returned an empty user id")
	}
	return id, err
}

// User returns the id of the session's user: the [WithUsers] function's
// answer for the WebSocket upgrade, or the anonymous id of the sheen_user
// cookie. A page whose upgrade carried no valid cookie gets a throwaway id,
// its own for this session only.
func (s *Session) User() string { return s.user }

// statusPage writes a small, self-contained page for an HTTP error status:
// a title, one sentence, and (when link is true) a link back to the app's
// start page. It says nothing about why.
func (a *App) statusPage(w http.ResponseWriter, code int, title, text string, link bool) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", statusCSP)
	w.WriteHeader(code)
	var b strings.Builder
	b.WriteString(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>`)
	b.WriteString(html.EscapeString(title))
	b.WriteString(`</title><style>`)
	b.WriteString(statusStyle)
	b.WriteString(`</style></head><body><main><h1>`)
	b.WriteString(html.EscapeString(title))
	b.WriteString(`</h1><p>`)
	b.WriteString(html.EscapeString(text))
	b.WriteString(`</p>`)
	if link {
		b.WriteString(`<a href="./">Start a new conversation</a>`)
	}
	b.WriteString("</main></body></html>\n")
	_, _ = w.Write([]byte(b.String()))
}
