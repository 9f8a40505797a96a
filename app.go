package sheen

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/zap"

	"github.com/sheenhq/sheen/client"
	"github.com/sheenhq/sheen/internal/markdown"
	"github.com/sheenhq/sheen/internal/transport"
	"github.com/sheenhq/sheen/protocol"
)

// Option configures an [App].
type Option func(*config)

type config struct {
	log        *zap.Logger
	origins    []string
	grace      time.Duration
	heartbeat  time.Duration
	maxFrame   int64
	dev        bool
	replayN    int
	replayB    int
	extraCSS   []asset
	extraJS    []asset
	helloLimit time.Duration
	limits     SessionLimits
	hosts      []string
	csp        string
	cspSet     bool
	inputLimit int
	clientAddr func(*http.Request) string
	uploadDir  string // upload.go

	users         func(*http.Request) (string, error)
	cookieKey     []byte
	cookieKeyFile string
	pageChecks    []func(*http.Request, string) int
	bookmarks     BookmarkStore
	bookmarking   bool
	// applied sees every input and event a session applies, after the
	// exactly-once check (a test seam; see export_test.go).
	applied func(*Session, protocol.ClientMessage)
	// detached is called when a session loses its connection (a test seam).
	detached func(*Session)
}

// WithLogger sets the logger. The default is zap's production logger at info
// level, which logs nothing per frame.
func WithLogger(l *zap.Logger) Option { return func(c *config) { c.log = l } }

// WithOrigins allows WebSocket upgrades from other origins, given as host
// patterns (path.Match syntax, e.g. "example.com" or "*.example.com"). By
// default only same-origin upgrades are accepted, which blocks cross-site
// WebSocket hijacking.
func WithOrigins(patterns ...string) Option {
	return func(c *config) { c.origins = append(c.origins, patterns...) }
}

// WithGrace sets how long a session outlives a lost connection, waiting for
// the page to resume it (default 60 s).
func WithGrace(d time.Duration) Option { return func(c *config) { c.grace = d } }

// WithHeartbeat sets the page's ping interval (default 15 s). A connection
// that sends nothing for 2.5 intervals is considered dead on both sides.
func WithHeartbeat(d time.Duration) Option { return func(c *config) { c.heartbeat = d } }

// WithMaxFrame sets the largest frame a page may send (default 1 MiB). A larger
// frame is answered with an error and dropped; the session goes on.
func WithMaxFrame(n int64) Option { return func(c *config) { c.maxFrame = n } }

// WithDevelopment shows the real message of application errors to users.
// By default they are sanitized: users see a generic message (or the message
// of a [SafeError]) and the log has the details.
func WithDevelopment(on bool) Option { return func(c *config) { c.dev = on } }

// WithReplayLimit bounds each session's replay buffer, used to resume a
// session after a reconnect (default 1024 frames and 4 MiB).
func WithReplayLimit(frames, bytes int) Option {
	return func(c *config) { c.replayN, c.replayB = frames, bytes }
}

// WithInputLimit sets how many input ids a session takes from its page
// beyond the ones the page was built with (its data-sheen-input ids) and
// the ones the app declared (with [Session.Input] or [Session.UpdateInput]):
// inputs that appear later, inside HTML outputs (default 256; negative: none).
// Every input id is a reactive value for the session's life; a value for an
// id over the limit is answered with a non-fatal "limit" error and dropped.
func WithInputLimit(n int) Option { return func(c *config) { c.inputLimit = n } }

// App is a sheen application: an http.Handler serving the page, the embedded
// client assets and the WebSocket endpoint. It can be mounted under a path
// prefix with http.StripPrefix; the page uses relative URLs.
type App struct {
	page   *PageNode
	server func(*Session)
	cfg    config
	log    *zap.Logger
	md     *markdown.Renderer
	key    []byte // signs the anonymous user cookie

	// From the page: the ids of button inputs (never bookmarked) and of
	// bookmark buttons.
	buttons    map[string]bool
	bmButtons  []string
	pageInputs map[string]bool // every data-sheen-input id of the page

	assets     map[string]asset // by file name
	assetNames []string         // sorted
	assetBase  string           // "_sheen/assets/<hash>/"
	pageHTML   []byte
	csp        string // the page's Content-Security-Policy
	pageErr    error
	pageOnce   sync.Once

	lim *limiter // session limits and accounting

	mu       sync.Mutex
	sessions map[string]*Session
	ended    map[string]struct{} // sessions that ended here, the latest maxEnded
	endedIDs []string
	closing  bool
	handlers sync.WaitGroup
	bg       sync.WaitGroup // sessions being ended in the background
	srv      *http.Server
}

type asset struct {
	name  string
	ctype string
	body  []byte
	gz    []byte
}

// New returns an App serving page, running server once for every page load
// (every session) with that session's [Session].
func New(page *PageNode, server func(*Session), opts ...Option) *App {
	cfg := config{grace: 60 * time.Second, heartbeat: 15 * time.Second, maxFrame: protocol.MaxFrame, replayN: 1024, replayB: 4 << 20, helloLimit: 10 * time.Second,
		applied: func(*Session, protocol.ClientMessage) {}, detached: func(*Session) {}}
	for _, o := range opts {
		o(&cfg)
	}
	log := cfg.log
	if log == nil {
		l, err := zap.NewProduction()
		if err != nil {
			l = zap.NewNop()
		}
		log = l
	}
	if cfg.inputLimit == 0 {
		cfg.inputLimit = 256
	} else if cfg.inputLimit < 0 {
		cfg.inputLimit = 0
	}
	if cfg.clientAddr == nil {
		cfg.clientAddr = remoteIP
	}
	a := &App{page: page, server: server, cfg: cfg, log: log, md: markdown.New(), sessions: make(map[string]*Session), lim: newLimiter(cfg.limits)}
	a.initKey()
	a.scanPage()
	a.loadAssets()
	return a
}

// loadAssets reads the embedded client, compresses it, and names the asset
// directory after a hash of its contents, so browsers may cache it forever.
func (a *App) loadAssets() {
	a.assets = make(map[string]asset)
	h := sha256.New()
	var names []string
	_ = fs.WalkDir(client.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return nil
	})
	sort.Strings(names)
	add := func(name string, body []byte) {
		ctype := mime.TypeByExtension(path.Ext(name))
		switch path.Ext(name) {
		case ".js":
			ctype = "text/javascript; charset=utf-8"
		case ".css":
			ctype = "text/css; charset=utf-8"
		}
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		_, _ = zw.Write(body)
		_ = zw.Close()
		a.assets[name] = asset{name: name, ctype: ctype, body: body, gz: gz.Bytes()}
		a.assetNames = append(a.assetNames, name)
		h.Write([]byte(name))
		h.Write(body)
	}
	for _, n := range names {
		body, err := fs.ReadFile(client.FS, n)
		if err == nil {
			add(n, body)
		}
	}
	for _, x := range append(append([]asset(nil), a.cfg.extraCSS...), a.cfg.extraJS...) {
		add(x.name, x.body)
	}
	if css, err := markdown.HighlightCSS(markdown.DefaultLightTheme, markdown.DefaultDarkTheme); err == nil {
		add("highlight.css", []byte(css))
	}
	a.assetBase = "_sheen/assets/" + hex.EncodeToString(h.Sum(nil))[:12] + "/"
}

// ServeHTTP serves the page at "/", the client assets under
// "/_sheen/assets/", the WebSocket at "/_sheen/ws" and the sessions' upload
// endpoints under "/_sheen/upload/" (see [Session.AcceptUploads]).
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !a.checkHost(r) {
		a.refuseHost(w, r)
		return
	}
	p := r.URL.Path
	switch {
	case p == "/" || p == "":
		a.servePage(w, r)
	case p == "/_sheen/ws":
		a.serveWS(w, r)
	case strings.HasPrefix(p, "/_sheen/assets/"):
		a.serveAsset(w, r)
	case strings.HasPrefix(p, "/_sheen/upload/"):
		a.serveUpload(w, r)
	default:
		a.notFound(w, r)
	}
}

func (a *App) servePage(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		a.setSecurityHeaders(w.Header())
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	user, ok := a.pageUser(w, r)
	if !ok || !a.checkPage(w, r, user) {
		return
	}
	a.pageOnce.Do(func() {
		var buf bytes.Buffer
		// Every stylesheet of the client (sheen.css first), then the code
		// highlighting theme.
		styles := []string{a.assetBase + "sheen.css"}
		for _, name := range a.assetNames {
			if strings.HasSuffix(name, ".css") && name != "sheen.css" && name != "highlight.css" {
				styles = append(styles, a.assetBase+name)
			}
		}
		styles = append(styles, a.assetBase+"highlight.css")
		scripts := []string{a.assetBase + "sheen.js"}
		for _, name := range client.Components {
			scripts = append(scripts, a.assetBase+name)
		}
		for _, x := range a.cfg.extraCSS {
			styles = append(styles, a.assetBase+x.name)
		}
		for _, x := range a.cfg.extraJS {
			scripts = append(scripts, a.assetBase+x.name)
		}
		a.pageErr = a.page.RenderPage(&buf, PageAssets{Stylesheets: styles, Scripts: scripts, WebSocket: "_sheen/ws"})
		a.pageHTML = buf.Bytes()
		a.csp = a.pageCSP(a.pageHTML)
	})
	if a.pageErr != nil {
		a.log.Error("page does not render", zap.Error(a.pageErr))
		a.setSecurityHeaders(w.Header())
		http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	if a.csp != "" {
		h.Set("Content-Security-Policy", a.csp)
	}
	_, _ = w.Write(a.pageHTML)
}

func (a *App) serveAsset(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/")
	if !strings.HasPrefix(rest, a.assetBase) {
		a.notFound(w, r) // an old or unknown version
		return
	}
	x, ok := a.assets[strings.TrimPrefix(rest, a.assetBase)]
	if !ok {
		a.notFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", x.ctype)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Add("Vary", "Accept-Encoding")
	body := x.body
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		body = x.gz
	}
	_, _ = w.Write(body)
}

// ListenAndServe serves the app on addr until [App.Shutdown].
func (a *App) ListenAndServe(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return a.Serve(l)
}

// Serve serves the app on l until [App.Shutdown].
func (a *App) Serve(l net.Listener) error {
	srv := &http.Server{Handler: a, ReadHeaderTimeout: 10 * time.Second}
	a.mu.Lock()
	if a.closing {
		a.mu.Unlock()
		return http.ErrServerClosed
	}
	a.srv = srv
	a.mu.Unlock()
	a.log.Info("sheen: serving", zap.String("url", "http://"+l.Addr().String()+"/"))
	return srv.Serve(l)
}

// Shutdown ends every session (running its OnEnded hooks), closes their
// connections, stops the server started by ListenAndServe or Serve, and
// waits for the connection handlers to return or ctx to end.
func (a *App) Shutdown(ctx context.Context) error {
	a.mu.Lock()
	a.closing = true
	srv := a.srv
	sessions := make([]*Session, 0, len(a.sessions))
	for _, s := range a.sessions {
		sessions = append(sessions, s)
	}
	a.mu.Unlock()
	var wg sync.WaitGroup
	for _, s := range sessions {
		wg.Go(func() { s.end("server shutting down") })
	}
	wg.Wait()
	a.bg.Wait()
	var err error
	if srv != nil {
		err = srv.Shutdown(ctx)
	}
	done := make(chan struct{})
	go func() { a.handlers.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return errors.Join(err, ctx.Err())
	}
	return err
}

// Sessions returns the number of live sessions.
func (a *App) Sessions() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.sessions)
}

func randomID(prefix string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// serveWS upgrades the request and runs the connection's read loop.
func (a *App) serveWS(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	if a.closing {
		a.mu.Unlock()
		http.Error(w, "server shutting down", http.StatusServiceUnavailable)
		return
	}
	a.handlers.Add(1)
	a.mu.Unlock()
	handedOver := false
	defer func() {
		if !handedOver {
			a.handlers.Done()
		}
	}()
	user, realUser, err := a.wsUser(r)
	if err != nil {
		a.log.Info("sheen: websocket upgrade refused: no user", zap.Error(err), zap.String("remote", r.RemoteAddr))
		a.setSecurityHeaders(w.Header())
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}

	if !a.checkOrigin(r) {
		a.log.Info("sheen: websocket upgrade refused: origin not allowed", zap.String("origin", r.Header.Get("Origin")), zap.String("host", r.Host))
		a.setSecurityHeaders(w.Header())
		http.Error(w, "origin not allowed", http.StatusForbidden)
		return
	}
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		// checkOrigin has compared scheme, host and port; the library's
		// check compares the host only.
		InsecureSkipVerify: true,
		CompressionMode:    websocket.CompressionDisabled,
	})
	if err != nil {
		a.log.Info("sheen: websocket upgrade refused", zap.Error(err), zap.String("origin", r.Header.Get("Origin")))
		return
	}
	// A page pings every heartbeat: one silent for two and a half is gone.
	c := transport.New(ws, transport.Options{MaxFrame: a.cfg.maxFrame, ReadTimeout: a.cfg.heartbeat * 5 / 2})
	s := a.handshake(r.Context(), c, user, realUser, a.cfg.clientAddr(r))
	if s == nil {
		c.CloseNow()
		c.Wait()
		return
	}
	// The connection outlives this handler: its read loop goes on in a new
	// goroutine, and net/http's goroutine for the request ends. That one's
	// stack grew deep while the server function ran in the handshake, and
	// the runtime cannot shrink it while parked under net/http's frames: an
	// idle session would keep 16 KiB of stack instead of a few.
	handedOver = true
	go a.readLoop(s, c)
}

// readLoop applies the page's frames to s until the connection ends.
func (a *App) readLoop(s *Session, c *transport.Conn) {
	defer a.handlers.Done()
	defer c.Wait()
	defer c.CloseNow()
	// Not the request's context: net/http cancels it when the handler
	// returns, which it has. A silent page is cut by the connection's
	// ReadTimeout.
	ctx := context.Background()
	for {
		data, err := c.Read(ctx)
		if errors.Is(err, transport.ErrTooBig) {
			s.log.Warn("sheen: frame too big", zap.Int64("limit", a.cfg.maxFrame))
			s.sendError(c, protocol.Error{Code: protocol.CodeTooBig, Message: fmt.Sprintf("frame larger than %d bytes dropped", a.cfg.maxFrame)})
			continue
		}
		if err != nil {
			switch why := c.Reason(); why {
			case transport.ReasonSilent:
				// A page that went away without closing: a laptop
				// asleep, a network lost. Common, and the session waits.
				s.log.Info("sheen: connection cut", zap.String("reason", why))
			case "":
				s.log.Debug("sheen: connection closed", zap.Error(err))
			default:
				s.log.Warn("sheen: connection cut", zap.String("reason", why), zap.Error(err))
			}
			break
		}
		s.handle(c, data)
	}
	s.detach(c)
}

// handshake reads the hello and starts or resumes a session; nil means the
// connection is finished.
func (a *App) handshake(ctx context.Context, c *transport.Conn, user string, realUser bool, addr string) *Session {
	hctx, cancel := context.WithTimeout(ctx, a.cfg.helloLimit)
	data, err := c.Read(hctx)
	cancel()
	if err != nil {
		if errors.Is(err, transport.ErrTooBig) {
			a.refuse(c, protocol.Error{Code: protocol.CodeTooBig, Message: "hello frame too big", Fatal: true})
		}
		return nil
	}
	msg, err := protocol.DecodeClient(data)
	var derr *protocol.DecodeError
	if errors.As(err, &derr) {
		reply := derr.Reply()
		reply.Fatal = true
		a.log.Info("sheen: bad hello", zap.String("code", string(derr.Code)), zap.String("error", derr.Msg))
		a.refuse(c, reply)
		return nil
	}
	hello, ok := msg.(protocol.Hello)
	if !ok {
		a.refuse(c, protocol.Error{Code: protocol.CodeBadMessage, Message: "the first frame must be hello", Fatal: true})
		return nil
	}
	if !a.lim.allowHello(addr, time.Now()) {
		a.log.Warn("sheen: hello refused: too many from this address", zap.String("addr", addr))
		a.busy(c, "Too many connections from this address; retrying shortly.")
		return nil
	}
	if hello.Resume != nil {
		s, known := a.resume(c, hello.Resume, user, realUser)
		if s == nil {
			// A session this instance never had (another instance's, or one
			// from before a restart): the page may load again at once.
			frame, _ := protocol.Expired{Message: "This session has expired. Reload the page to start a new one.", Restart: !known}.MarshalJSON()
			c.Send(frame)
			c.Close(websocket.StatusNormalClosure, "session expired")
		}
		return s
	}
	var s *Session
	for tries := 0; ; tries++ {
		a.mu.Lock()
		if a.closing {
			a.mu.Unlock()
			c.Close(websocket.StatusGoingAway, "server shutting down")
			return nil
		}
		ok, victim := a.lim.admit(addr, len(a.sessions))
		if ok {
			s = newSession(a, user)
			s.addr = addr
			a.sessions[s.id] = s
			a.mu.Unlock()
			break
		}
		a.mu.Unlock()
		if victim == nil || tries >= 16 {
			a.log.Warn("sheen: hello refused: session limit", zap.String("addr", addr))
			a.busy(c, "The server has too many sessions; retrying shortly.")
			return nil
		}
		victim.log.Info("sheen: detached session dropped to make room")
		victim.end("dropped to make room for a new session")
	}
	s.start(c, hello)
	return s
}

// busy refuses a hello for now: a non-fatal limit error, then a close with
// 1013 (try again later); the page retries with its backoff.
func (a *App) busy(c *transport.Conn, msg string) {
	frame, _ := protocol.Error{Code: protocol.CodeLimit, Message: msg}.MarshalJSON()
	c.Send(frame)
	c.Close(websocket.StatusTryAgainLater, "limit")
}

func (a *App) refuse(c *transport.Conn, e protocol.Error) {
	frame, _ := e.MarshalJSON()
	c.Send(frame)
	c.Close(websocket.StatusPolicyViolation, string(e.Code))
}

// resume attaches c to the session r names; known reports whether this
// instance has (or recently had) that session.
func (a *App) resume(c *transport.Conn, r *protocol.Resume, user string, realUser bool) (s *Session, known bool) {
	a.mu.Lock()
	s = a.sessions[r.Session]
	_, ended := a.ended[r.Session]
	a.mu.Unlock()
	if s == nil {
		a.log.Info("sheen: resume refused: unknown session", zap.String("session", r.Session), zap.Bool("ended here", ended))
		return nil, ended
	}
	if !s.checkToken(r.Token) {
		a.log.Info("sheen: resume refused", zap.String("session", r.Session))
		return nil, true
	}
	// A throwaway id (no valid cookie on this upgrade) proves nothing; the
	// token does. A real identity must be the session's.
	if realUser && user != s.user {
		a.log.Warn("sheen: resume refused: the session belongs to another user", zap.String("session", r.Session))
		return nil, true
	}
	if !s.attach(c, r) {
		return nil, true
	}
	return s, true
}

// maxEnded bounds how many ended sessions are remembered: a page whose
// session ended here (its grace period ran out, the app closed it, a limit
// dropped it) is told so, and offered a reload; one whose session this
// instance never had (it ran on another, or before a restart) is invited to
// load again at once.
const maxEnded = 4096

// endedHere remembers that session id ended on this instance.
func (a *App) endedHere(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ended == nil {
		a.ended = map[string]struct{}{}
	}
	a.ended[id] = struct{}{}
	a.endedIDs = append(a.endedIDs, id)
	if len(a.endedIDs) > maxEnded {
		delete(a.ended, a.endedIDs[0])
		a.endedIDs = a.endedIDs[1:]
	}
}

func (a *App) unregister(s *Session) {
	a.mu.Lock()
	_, ok := a.sessions[s.id]
	delete(a.sessions, s.id)
	a.mu.Unlock()
	if ok {
		a.lim.remove(s)
	}
}

// userMessage is what a user is shown for an application error.
func (a *App) userMessage(err error) string {
	var safe *SafeError
	if errors.As(err, &safe) {
		return safe.Message
	}
	if a.cfg.dev {
		return err.Error()
	}
	return "An error occurred. The details are in the server log."
}

// SafeError is an error whose Message is shown to users even when errors are
// sanitized (the default). Err, if set, is logged but not shown.
type SafeError struct {
	Message string
	Err     error
}

func (e *SafeError) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

// Unwrap returns Err.
func (e *SafeError) Unwrap() error { return e.Err }
