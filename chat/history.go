package chat

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/store"
)

// History keeps an app's conversations in a [store.Store] and shares them
// between the sessions of the app: create one per app, give it to every
// chat with [WithHistory], and to the app with [History.PageCheck].
//
// With a history a chat shows one of the user's saved conversations (the
// page's URL names it with ?c=<id>), offers the list of them in a sidebar,
// and its replies belong to the conversation rather than to the page: a
// reply goes on when its tab closes (up to [ReplyLimit]) and is saved as it
// grows, another tab of the same conversation follows it live, and the stop
// button of any of them stops it. Users are told apart by
// [sheen.Session.User]; a user sees only their own conversations.
//
// When the store fails (disk full, file read-only, database gone) the chat
// goes on in memory, the pages show that history is not being saved, and
// what was missed is saved when the store works again.
type History struct {
	st          store.Store
	bus         store.Bus // nil: one instance
	inst        string    // this instance, in the live log
	liveTimeout time.Duration
	following   sync.WaitGroup
	log         *zap.Logger
	limit       time.Duration
	saveEvery   time.Duration
	pageSize    int

	ctx    context.Context // cancelled with errShutdown by Shutdown
	cancel context.CancelCauseFunc
	stop   chan struct{} // closed when saving gives up (after Shutdown)
	once   sync.Once

	mu        sync.Mutex
	live      map[string]*conv // conversations in memory, by id
	views     map[*Chat]struct{}
	responses sync.WaitGroup
	saving    int           // conversations with writes queued
	saved     chan struct{} // closed while saving is 0
	shutting  bool
	failing   bool // the store fails: pages show a warning
	failErr   string
}

// HistoryOption configures a [History].
type HistoryOption func(*History)

// ReplyLimit bounds how long a reply may run (default 10 minutes): then it
// is stopped, and saved as stopped. It matters most for replies whose page
// went away.
func ReplyLimit(d time.Duration) HistoryOption { return func(h *History) { h.limit = d } }

// SaveEvery sets how often the text of a streaming reply is saved, at most:
// at the first closed block (paragraph, list, code block…) after this long
// since the last save (default 1 s). A reply cut by a crash keeps what was
// saved; the finished text is always saved whole.
func SaveEvery(d time.Duration) HistoryOption { return func(h *History) { h.saveEvery = d } }

// WithBus shares live conversations with the other instances of the app
// through b (for example store/redis.Bus, beside a store/redis.Store): a
// page on any instance follows a reply another instance generates, and can
// stop it. docs/deployment.md.
func WithBus(b store.Bus) HistoryOption { return func(h *History) { h.bus = b } }

// LiveTimeout sets how long a reply that another instance streams may go
// unheard of before it is taken for cut (its instance died) and shown, and
// saved, as interrupted (default 10 s; with [WithBus]).
func LiveTimeout(d time.Duration) HistoryOption { return func(h *History) { h.liveTimeout = d } }

// InstanceName names this instance in the live log shared with the other
// instances (and in message ids): a name unique among them, such as the
// host name and process id (default: a random one). With [WithBus].
func InstanceName(name string) HistoryOption {
	return func(h *History) {
		if name != "" {
			h.inst = name
		}
	}
}

// HistoryLogger sets the logger of store errors (default: none).
func HistoryLogger(l *zap.Logger) HistoryOption { return func(h *History) { h.log = l } }

// NewHistory returns a history keeping conversations in st.
func NewHistory(st store.Store, opts ...HistoryOption) *History {
	h := &History{st: st, log: zap.NewNop(), limit: 10 * time.Minute, saveEvery: time.Second, pageSize: 30,
		inst: newConvID()[:8], liveTimeout: 10 * time.Second,
		live: map[string]*conv{}, views: map[*Chat]struct{}{}, stop: make(chan struct{}), saved: make(chan struct{})}
	close(h.saved)
	for _, o := range opts {
		o(h)
	}
	h.ctx, h.cancel = context.WithCancelCause(context.Background())
	return h
}

// WithHistory makes the chat show saved conversations from h, with a
// history sidebar (see [Sidebar]). Give it to both [UI] and [New].
func WithHistory(h *History) Option { return func(c *config) { c.history = h } }

// errShutdown is the cause of the cancellation of replies cut by Shutdown.
var errShutdown = errors.New("chat: server shutting down")

// errTimeLimit is the cause of the cancellation of replies that ran too long.
var errTimeLimit = errors.New("chat: reply time limit reached")

// responseContext returns the context of a new response.
func (h *History) responseContext() (context.Context, context.CancelFunc) {
	return context.WithTimeoutCause(h.ctx, h.limit, errTimeLimit)
}

func (h *History) responseStarted() {
	if h != nil {
		h.responses.Add(1)
	}
}

func (h *History) responseEnded() {
	if h != nil {
		h.responses.Done()
	}
}

// closing reports whether Shutdown has begun: no new response starts.
func (h *History) closing() bool {
	if h == nil {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.shutting
}

// Shutdown lets running replies finish until ctx ends, then stops the ones
// still running and saves them as interrupted (the next start shows them
// with a Retry button), and waits, at most 5 s more, for what remains to be
// saved. New submissions are refused from the start. Call it before the
// app's Shutdown, e.g. on SIGTERM; it does not close the store.
func (h *History) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.shutting = true
	h.mu.Unlock()
	drained := make(chan struct{})
	go func() { h.responses.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-ctx.Done():
		h.cancel(errShutdown)
		// Replies end at once when their context does; a stream on a
		// context of the app's own may not: wait for it 5 s at most.
		t := time.NewTimer(5 * time.Second)
		select {
		case <-drained:
		case <-t.C:
		}
		t.Stop()
	}
	h.cancel(errShutdown)
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := h.Sync(sctx)
	if err != nil {
		err = errors.New("chat: history: some changes could not be saved before shutdown")
	}
	h.once.Do(func() { close(h.stop) })
	_ = h.Sync(context.Background()) // the writers give up at once now
	h.following.Wait()               // followers end with h.ctx
	return err
}

// Sync waits until every change made so far is saved, or ctx ends. While
// the store fails, that is when it works again.
func (h *History) Sync(ctx context.Context) error {
	for {
		h.mu.Lock()
		idle := h.saved
		h.mu.Unlock()
		select {
		case <-idle:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// savingStarted and savingEnded count the conversations with writes queued.
func (h *History) savingStarted() {
	h.mu.Lock()
	if h.saving == 0 {
		h.saved = make(chan struct{})
	}
	h.saving++
	h.mu.Unlock()
}

func (h *History) savingEnded() {
	h.mu.Lock()
	h.saving--
	if h.saving == 0 {
		close(h.saved)
	}
	h.mu.Unlock()
}

// newConvID returns a random 128-bit conversation id.
func newConvID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// validID reports whether id has the form of a conversation id.
func validID(id string) bool {
	if len(id) != 22 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(id)
	return err == nil
}

// PageCheck is for [sheen.WithPageCheck]: the page of a conversation URL
// (?c=<id>) that does not exist, was deleted or belongs to another user is
// answered with 404 Not Found, the same for all three.
func (h *History) PageCheck() sheen.Option {
	return sheen.WithPageCheck(func(r *http.Request, user string) int {
		id := r.URL.Query().Get("c")
		if id == "" {
			return 0
		}
		if !validID(id) {
			return http.StatusNotFound
		}
		h.mu.Lock()
		cv := h.live[id]
		h.mu.Unlock()
		if cv != nil {
			if cv.owner == user {
				return 0
			}
			return http.StatusNotFound
		}
		_, _, err := h.st.Get(r.Context(), user, id)
		if errors.Is(err, store.ErrNotFound) {
			return http.StatusNotFound
		}
		return 0 // found, or the store fails: the page says so once it runs
	})
}

// load returns conversation id of owner, from memory or from the store.
func (h *History) load(ctx context.Context, owner, id string) (*conv, error) {
	if !validID(id) {
		return nil, store.ErrNotFound
	}
	h.mu.Lock()
	cv := h.live[id]
	h.mu.Unlock()
	if cv != nil {
		if cv.owner != owner {
			return nil, store.ErrNotFound
		}
		return cv, nil
	}
	// The live log first, then the store: whatever happens in between is in
	// both, and applied once.
	var evs []store.Event
	if h.bus != nil {
		var err error
		if evs, err = h.bus.Since(ctx, id, ""); err != nil {
			h.log.Warn("chat: live log unreadable; loading the conversation from the store alone", zap.Error(err))
			evs = nil
		}
	}
	sc, rows, err := h.st.Get(ctx, owner, id)
	if err != nil {
		return nil, err
	}
	cv = h.restore(sc, rows)
	h.loadFiles(ctx, cv)
	// Apply the log while nobody else knows cv (without h.mu: applying
	// takes it, e.g. to drop an idle conversation — which cv is not while it
	// loads).
	cv.mu.Lock()
	cv.loading = true
	pos := ""
	for _, e := range evs {
		var ev liveEvent
		if json.Unmarshal(e.Data, &ev) == nil {
			cv.apply(ev, false)
		}
		pos = e.Pos
	}
	cv.expireLive()
	cv.loading = false
	cv.mu.Unlock()
	h.mu.Lock()
	if other := h.live[id]; other != nil {
		h.mu.Unlock()
		return other, nil // loaded by someone else meanwhile
	}
	h.live[id] = cv
	h.mu.Unlock()
	cv.mu.Lock()
	cv.startFollowing(pos)
	cv.mu.Unlock()
	return cv, nil
}

// register keeps cv in memory (it was just saved for the first time).
// Called with cv.mu held.
func (h *History) register(cv *conv) {
	h.mu.Lock()
	h.live[cv.id] = cv
	h.mu.Unlock()
}

// release drops cv from memory if nothing uses it.
func (h *History) release(cv *conv) {
	if h == nil {
		return
	}
	cv.mu.Lock()
	defer cv.mu.Unlock()
	h.released(cv)
}

// released is release with cv.mu held.
func (h *History) released(cv *conv) {
	if h == nil || !cv.idle() {
		return
	}
	h.mu.Lock()
	if h.live[cv.id] == cv {
		delete(h.live, cv.id)
	}
	h.mu.Unlock()
	cv.evicted = true
	cv.stopFollowing()
}

// forget drops conversation id from memory (it was deleted).
func (h *History) forget(id string) {
	h.mu.Lock()
	cv := h.live[id]
	delete(h.live, id)
	h.mu.Unlock()
	if cv != nil {
		cv.mu.Lock()
		cv.evicted = true
		cv.stopFollowing()
		cv.mu.Unlock()
	}
}

func (h *History) addView(c *Chat) {
	if h == nil {
		return
	}
	h.mu.Lock()
	h.views[c] = struct{}{}
	failing, msg := h.failing, h.failErr
	h.mu.Unlock()
	if failing {
		c.send("storage", map[string]any{"ok": false, "message": msg})
	}
}

func (h *History) removeView(c *Chat) {
	if h == nil {
		return
	}
	h.mu.Lock()
	delete(h.views, c)
	h.mu.Unlock()
}

// eachView runs fn in the turn of every chat of the history (owner "" : of
// every user).
func (h *History) eachView(owner string, fn func(c *Chat)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.views {
		if owner == "" || c.cur().owner == owner {
			c.g.Post(func() {
				if !c.gone {
					fn(c)
				}
			})
		}
	}
}

// storeFailed records that the store fails: logged once per incident, and
// every page shows a warning until it works again.
func (h *History) storeFailed(err error) {
	h.mu.Lock()
	first := !h.failing
	h.failing = true
	h.failErr = "History is not being saved right now; your messages are kept and will be saved when storage is back."
	msg := h.failErr
	h.mu.Unlock()
	if !first {
		return
	}
	h.log.Error("chat: history store failing; keeping conversations in memory", zap.Error(err))
	h.eachView("", func(c *Chat) { c.send("storage", map[string]any{"ok": false, "message": msg}) })
}

// storeWorks records a successful write after a failure.
func (h *History) storeWorks() {
	h.mu.Lock()
	was := h.failing
	h.failing = false
	h.mu.Unlock()
	if !was {
		return
	}
	h.log.Info("chat: history store works again; saving what was missed")
	h.eachView("", func(c *Chat) { c.send("storage", map[string]any{"ok": true, "message": ""}) })
}
