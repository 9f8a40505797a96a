package sheen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/sheenhq/sheen/protocol"
	"github.com/sheenhq/sheen/reactive"
)

// Bookmarking: a URL that restores a page's inputs (docs/bookmarking.md).

// The query parameters of a bookmark.
const (
	bmStateParam  = "_state_id_" // a server-side bookmark's id
	bmInputPrefix = "_inputs_."  // _inputs_.<input id>=<JSON value>
	bmValuePrefix = "_values_."  // _values_.<key>=<JSON value>
)

// Limits on bookmarks. A larger bookmark is refused by [Session.Bookmark]
// and ignored (and logged) on restore.
const (
	// MaxURLBookmark bounds a bookmark kept in the URL: its query
	// parameters, encoded. Proxies and servers commonly refuse request
	// lines over 8 KiB.
	MaxURLBookmark = 8 << 10
	// MaxStoredBookmark bounds the state a [BookmarkStore] saves and loads.
	MaxStoredBookmark = 256 << 10
	// maxBookmarkEntries bounds the inputs plus values of one bookmark.
	maxBookmarkEntries = 1000
	// maxQuery bounds the page query the server reads a bookmark from.
	maxQuery = MaxURLBookmark + 8<<10
)

// A BookmarkStore keeps bookmarks on the server: the page's URL holds only
// the id, as ?_state_id_=<id>. Save stores state (JSON, at most
// [MaxStoredBookmark] bytes) under a new id, which must be made of URL-safe
// characters; Load returns the state saved under id, or an error for an
// unknown or invalid id. Both are called from many sessions at once, and
// from inside a session's reactive code: keep them quick.
type BookmarkStore interface {
	Save(ctx context.Context, state []byte) (id string, err error)
	Load(ctx context.Context, id string) ([]byte, error)
}

// BookmarkURL, given to [WithBookmarking], keeps bookmarks in the URL itself
// (as does nil): ?_inputs_.<id>=<JSON>&_values_.<key>=<JSON>. Nothing is
// stored on the server; the URL grows with the state and is capped at
// [MaxURLBookmark].
var BookmarkURL BookmarkStore = urlBookmarks{}

type urlBookmarks struct{}

func (urlBookmarks) Save(context.Context, []byte) (string, error) {
	return "", errors.New("sheen: BookmarkURL stores nothing")
}
func (urlBookmarks) Load(context.Context, string) ([]byte, error) {
	return nil, errors.New("sheen: BookmarkURL stores nothing")
}

// WithBookmarking turns bookmarking on: [Session.Bookmark] saves the page's
// input values (and what [Session.OnBookmark] hooks add) and gives the page
// a URL that restores them. store is where bookmarks are kept: nil or
// [BookmarkURL] for the URL itself, or a [BookmarkStore] such as
// [BookmarkMemory] or [BookmarkDir] for the server.
func WithBookmarking(store BookmarkStore) Option {
	return func(c *config) {
		c.bookmarking = true
		if _, ok := store.(urlBookmarks); ok {
			store = nil
		}
		c.bookmarks = store
	}
}

// BookmarkState is what a bookmark holds: input values by input id, and
// values the app adds in [Session.OnBookmark], by key. Values are JSON.
type BookmarkState struct {
	Inputs map[string]json.RawMessage `json:"inputs,omitempty"`
	Values map[string]json.RawMessage `json:"values,omitempty"`
}

// Set stores v, encoded as JSON, under key in Values.
func (b *BookmarkState) Set(key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("sheen: bookmark value %q: %w", key, err)
	}
	if b.Values == nil {
		b.Values = make(map[string]json.RawMessage)
	}
	b.Values[key] = raw
	return nil
}

// Get decodes the value under key into dst; it reports false when there is
// no such value or it does not decode.
func (b *BookmarkState) Get(key string, dst any) bool {
	raw, ok := b.Values[key]
	return ok && json.Unmarshal(raw, dst) == nil
}

// OnBookmark registers fn to run when the session makes a bookmark, inside
// the session's reactive code, after the input values were collected: fn may
// add Values, or change or delete Inputs.
func (s *Session) OnBookmark(fn func(*BookmarkState)) {
	s.g.Do(func() { s.bmHooks = append(s.bmHooks, fn) })
}

// OnRestore registers fn to run when the session starts from a bookmark,
// after the restored input values were set and before the first flush. Hooks
// registered by the server function see the bookmark; later ones never run.
func (s *Session) OnRestore(fn func(*BookmarkState)) {
	s.g.Do(func() { s.restoreHooks = append(s.restoreHooks, fn) })
}

// ExcludeBookmark leaves the given inputs out of bookmarks, both when they
// are made and when they are restored. Action buttons are always left out:
// restoring a click count would replay the click.
func (s *Session) ExcludeBookmark(ids ...string) {
	s.g.Do(func() {
		for _, id := range ids {
			s.bmExclude[id] = true
		}
	})
}

// ErrBookmarkingOff is returned by [Session.Bookmark] in an app without
// [WithBookmarking].
var ErrBookmarkingOff = errors.New("sheen: bookmarking is off (see WithBookmarking)")

// Bookmark saves the page's current input values, plus what the OnBookmark
// hooks add, and changes the page's URL (without reloading it) to one that
// restores them; other query parameters of the URL, such as a chat's ?c=,
// stay. It returns that URL, relative to the app ("./?…"), as the page had it
// when it connected. It may be called from the session's reactive code or
// from any goroutine. A bookmark over the size limits is an error, and the
// page's URL is left alone.
func (s *Session) Bookmark() (string, error) {
	a := s.app
	if !a.cfg.bookmarking {
		return "", ErrBookmarkingOff
	}
	st := &BookmarkState{Inputs: map[string]json.RawMessage{}, Values: map[string]json.RawMessage{}}
	s.g.Do(func() {
		for id, v := range s.inputs {
			if a.buttons[id] || s.bmExclude[id] || !v.IsSet() {
				continue
			}
			st.Inputs[id] = json.RawMessage(v.Peek())
		}
		for _, fn := range s.bmHooks {
			fn(st)
		}
	})
	var query string
	if a.cfg.bookmarks == nil {
		query = encodeURLBookmark(st)
		if len(query) > MaxURLBookmark {
			return "", fmt.Errorf("sheen: the bookmark takes %d bytes, over the %d a URL may hold: use a server-side BookmarkStore", len(query), MaxURLBookmark)
		}
	} else {
		data, err := json.Marshal(st)
		if err != nil {
			return "", fmt.Errorf("sheen: bookmark: %w", err)
		}
		if len(data) > MaxStoredBookmark {
			return "", fmt.Errorf("sheen: the bookmark takes %d bytes, over the limit of %d", len(data), MaxStoredBookmark)
		}
		ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
		id, err := a.cfg.bookmarks.Save(ctx, data)
		cancel()
		if err != nil {
			return "", fmt.Errorf("sheen: saving the bookmark: %w", err)
		}
		if id == "" || url.QueryEscape(id) != id {
			return "", fmt.Errorf("sheen: the bookmark store returned the id %q, which is not URL-safe", id)
		}
		query = bmStateParam + "=" + id
	}
	s.g.Do(func() {
		s.pending.Bookmark = &query
		s.dirty = true
	})
	s.log.Debug("sheen: bookmarked", zap.Int("bytes", len(query)))
	return "./?" + mergeBookmark(s.query, query), nil
}

// encodeURLBookmark writes st as query parameters, sorted by name.
func encodeURLBookmark(st *BookmarkState) string {
	var parts []string
	add := func(prefix string, m map[string]json.RawMessage) {
		for k, v := range m {
			parts = append(parts, url.QueryEscape(prefix+k)+"="+url.QueryEscape(string(v)))
		}
	}
	add(bmInputPrefix, st.Inputs)
	add(bmValuePrefix, st.Values)
	sort.Strings(parts)
	return strings.Join(parts, "&")
}

// isBookmarkParam reports whether a query parameter belongs to a bookmark.
func isBookmarkParam(name string) bool {
	return name == bmStateParam || strings.HasPrefix(name, bmInputPrefix) || strings.HasPrefix(name, bmValuePrefix)
}

// mergeBookmark returns query (with or without its "?") without its
// bookmark parameters, followed by bm. It is what the page does with an
// update's bookmark.
func mergeBookmark(query, bm string) string {
	var kept []string
	for part := range strings.SplitSeq(strings.TrimPrefix(query, "?"), "&") {
		if part == "" {
			continue
		}
		name, _, _ := strings.Cut(part, "=")
		if n, err := url.QueryUnescape(name); err == nil && isBookmarkParam(n) {
			continue
		}
		kept = append(kept, part)
	}
	if bm != "" {
		kept = append(kept, bm)
	}
	return strings.Join(kept, "&")
}

// errNoBookmark: the query names no bookmark.
var errNoBookmark = errors.New("no bookmark")

// readBookmark returns the bookmark the page's query names: loaded from the
// store for a _state_id_, decoded from the parameters otherwise. Invalid
// entries are dropped; the error says what was wrong.
func (a *App) readBookmark(ctx context.Context, query string) (*BookmarkState, error) {
	query = strings.TrimPrefix(query, "?")
	if query == "" {
		return nil, errNoBookmark
	}
	if len(query) > maxQuery {
		return nil, fmt.Errorf("the query has %d bytes, over the limit of %d", len(query), maxQuery)
	}
	st := &BookmarkState{Inputs: map[string]json.RawMessage{}, Values: map[string]json.RawMessage{}}
	found, dropped := false, 0
	for part := range strings.SplitSeq(query, "&") {
		rawName, rawValue, _ := strings.Cut(part, "=")
		name, err1 := url.QueryUnescape(rawName)
		value, err2 := url.QueryUnescape(rawValue)
		if err1 != nil || !isBookmarkParam(name) {
			continue
		}
		found = true
		if err2 != nil {
			dropped++
			continue
		}
		if name == bmStateParam {
			if a.cfg.bookmarks == nil {
				return nil, errors.New("a _state_id_ bookmark, but the app keeps bookmarks in the URL")
			}
			return a.loadBookmark(ctx, value)
		}
		if !st.add(name, json.RawMessage(value)) {
			dropped++
		}
	}
	if !found {
		return nil, errNoBookmark
	}
	if dropped > 0 {
		return st, fmt.Errorf("%d invalid bookmark parameters ignored", dropped)
	}
	return st, nil
}

// add adds one URL bookmark parameter; false if it is invalid.
func (st *BookmarkState) add(name string, v json.RawMessage) bool {
	if len(st.Inputs)+len(st.Values) >= maxBookmarkEntries || !json.Valid(v) {
		return false
	}
	if id, ok := strings.CutPrefix(name, bmInputPrefix); ok {
		if !validID(id) {
			return false
		}
		st.Inputs[id] = v
		return true
	}
	key, _ := strings.CutPrefix(name, bmValuePrefix)
	if key == "" {
		return false
	}
	st.Values[key] = v
	return true
}

func (a *App) loadBookmark(ctx context.Context, id string) (*BookmarkState, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	data, err := a.cfg.bookmarks.Load(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("loading bookmark %q: %w", id, err)
	}
	if len(data) > MaxStoredBookmark {
		return nil, fmt.Errorf("bookmark %q has %d bytes, over the limit of %d", id, len(data), MaxStoredBookmark)
	}
	var raw BookmarkState
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("bookmark %q does not decode: %w", id, err)
	}
	st := &BookmarkState{Inputs: map[string]json.RawMessage{}, Values: map[string]json.RawMessage{}}
	for k, v := range raw.Inputs {
		st.add(bmInputPrefix+k, v)
	}
	for k, v := range raw.Values {
		st.add(bmValuePrefix+k, v)
	}
	return st, nil
}

// restoreBookmark reads the bookmark of a new session's hello, logging what
// was wrong; nil when there is none to restore. Not in a turn: it may wait
// for the store.
func (s *Session) restoreBookmark(query string) *BookmarkState {
	if !s.app.cfg.bookmarking {
		return nil
	}
	st, err := s.app.readBookmark(s.ctx, query)
	switch {
	case errors.Is(err, errNoBookmark):
		return nil
	case err != nil && st == nil:
		s.log.Info("sheen: bookmark not restored", zap.Error(err))
		return nil
	case err != nil:
		s.log.Info("sheen: bookmark partly restored", zap.Error(err))
	}
	return st
}

// applyRestore sets the restored inputs, tells the page, and runs the
// OnRestore hooks. Turn only, after the server function.
func (s *Session) applyRestore(st *BookmarkState) {
	for id, raw := range st.Inputs {
		if s.app.buttons[id] || s.bmExclude[id] {
			delete(st.Inputs, id)
			continue
		}
		// The bookmark may come from the URL: the same ids as the page's.
		v := s.pageInput(id)
		if v == nil {
			s.log.Info("sheen: bookmarked input refused: unknown id", zap.String("id", id))
			delete(st.Inputs, id)
			continue
		}
		v.Set(string(raw))
		s.setInputUpdate(id, protocol.InputUpdate{Value: raw})
	}
	for _, fn := range s.restoreHooks {
		fn(st)
	}
	s.log.Debug("sheen: bookmark restored", zap.Int("inputs", len(st.Inputs)), zap.Int("values", len(st.Values)))
}

// BookmarkButton returns an action button that bookmarks the page: a click
// calls [Session.Bookmark], the page's address becomes the bookmark's URL
// (the page also tries to copy it to the clipboard), and a notice says so.
// It needs [WithBookmarking]. Options as for [ActionButton].
func BookmarkButton(id, label string, opts ...UIOption) Node {
	checkID("BookmarkButton", id)
	return ActionButton(id, label, append([]UIOption{Attr("data-sheen-bookmark", "")}, opts...)...)
}

// bookmarkButtons makes the page's bookmark buttons work. Turn only.
func (s *Session) bookmarkButtons() {
	for _, id := range s.app.bmButtons {
		btn := s.input(id)
		last := 0
		reactive.NewEffect(s.g, func() error {
			var n int
			if json.Unmarshal([]byte(btn.Get()), &n) != nil || n <= last {
				return nil
			}
			last = n
			if _, err := s.Bookmark(); err != nil {
				s.log.Warn("sheen: bookmark failed", zap.Error(err))
				s.notify(protocol.LevelError, "The bookmark could not be saved.", 0)
				return nil
			}
			s.notify(protocol.LevelInfo, "Bookmarked: this page's address now brings these settings back.", 6*time.Second)
			return nil
		}, reactive.Label("bookmark button "+id))
	}
}

// scanPage finds the page's button inputs and bookmark buttons.
func (a *App) scanPage() {
	a.buttons = map[string]bool{}
	a.pageInputs = map[string]bool{}
	if a.page == nil {
		return
	}
	var walk func(Node)
	walk = func(n Node) {
		e, ok := n.(*element)
		if !ok {
			return
		}
		if id, ok := e.attr("data-sheen-input"); ok {
			a.pageInputs[id] = true
			if kind, _ := e.attr("data-sheen-kind"); kind == "button" {
				a.buttons[id] = true
			}
			if _, ok := e.attr("data-sheen-bookmark"); ok {
				a.bmButtons = append(a.bmButtons, id)
			}
		}
		for _, c := range e.children {
			walk(c)
		}
	}
	walk(a.page.body)
}
