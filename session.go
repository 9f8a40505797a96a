package sheen

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/zap"

	"github.com/sheenhq/sheen/internal/logerr"
	"github.com/sheenhq/sheen/internal/transport"
	"github.com/sheenhq/sheen/internal/wirejson"
	"github.com/sheenhq/sheen/protocol"
	"github.com/sheenhq/sheen/reactive"
)

// Session is one page load: its reactive graph, its inputs and outputs, and
// its connection. The server function given to [New] runs once per session.
//
// Reactive code (the server function, render functions, effects) runs inside
// the session's turns, one piece at a time. The methods that change what the
// page shows (Output, UpdateInput, Notify, Send) may be called from any
// goroutine; from outside the session's reactive code they run as a
// [reactive.Graph.Do].
type Session struct {
	app    *App
	id     string
	token  string
	user   string
	addr   string // the client address, for the per-address limits
	g      *reactive.Graph
	log    *zap.Logger
	ctx    context.Context
	cancel context.CancelFunc

	// Owned by the graph's turns.
	inputs   map[string]*reactive.Value[string]
	dynamic  int // input ids the page sent that it was not built with
	outputs  map[string]*reactive.Effect
	events   map[string][]func(name string, data json.RawMessage)
	ended    []func()
	pending  protocol.Update
	appends  []appendData // data of pending messages appended as they are encoded
	dirty    bool
	ackSent  uint64
	noticeID int
	scopeN   int               // scopes made so far (scope.go)
	scopes   map[string]*Scope // by prefix: those not disposed

	// Bookmarks, owned by the graph's turns (query is set before).
	query        string // the page's query at the session's start
	bmHooks      []func(*BookmarkState)
	restoreHooks []func(*BookmarkState)
	bmExclude    map[string]bool

	// Upload endpoints (upload.go), guarded by upMu; upToken is fixed.
	upMu    sync.Mutex
	uploads map[string]*Uploads
	upToken string

	// Connection state, guarded by mu.
	mu     sync.Mutex
	conn   *transport.Conn
	seq    uint64
	lastN  uint64
	replay *transport.Replay
	grace  *time.Timer
	done   bool
}

func newSession(a *App, user string) *Session {
	s := &Session{
		app:       a,
		user:      user,
		id:        randomID("s_", 12),
		token:     randomID("", 24),
		upToken:   randomID("", 24),
		inputs:    make(map[string]*reactive.Value[string]),
		outputs:   make(map[string]*reactive.Effect),
		events:    make(map[string][]func(string, json.RawMessage)),
		bmExclude: make(map[string]bool),
		replay:    transport.NewReplay(a.cfg.replayN, a.cfg.replayB),
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.log = a.log.With(zap.String("session", s.id))
	s.g = reactive.NewGraph(reactive.WithErrorHandler(s.appError), reactive.WithContext(s.ctx))
	return s
}

// ID returns the session's id.
func (s *Session) ID() string { return s.id }

// Graph returns the session's reactive graph.
func (s *Session) Graph() *reactive.Graph { return s.g }

// Context returns a context cancelled when the session ends.
func (s *Session) Context() context.Context { return s.ctx }

// Logger returns the session's logger (with its id as a field).
func (s *Session) Logger() *zap.Logger { return s.log }

// App returns the app the session belongs to.
func (s *Session) App() *App { return s.app }

// Development reports whether the app shows real error messages to users.
func (s *Session) Development() bool { return s.app.cfg.dev }

// UserMessage returns what a user may be shown for err: its message in
// development mode or for a [SafeError], a generic message otherwise.
func (s *Session) UserMessage(err error) string { return s.app.userMessage(err) }

// start sends the welcome, applies the page's initial inputs and runs the
// server function.
func (s *Session) start(c *transport.Conn, hello protocol.Hello) {
	s.mu.Lock()
	s.conn = c
	s.mu.Unlock()
	s.mu.Lock()
	token := s.token
	s.mu.Unlock()
	w, _ := protocol.Welcome{V: protocol.Version, Session: s.id, Token: token,
		Heartbeat: s.app.cfg.heartbeat.Milliseconds(), Grace: s.app.cfg.grace.Milliseconds()}.MarshalJSON()
	c.Send(w)
	s.log.Debug("sheen: session started")
	s.g.OnFlushed(s.flushed)
	s.query = hello.Query
	restored := s.restoreBookmark(hello.Query)
	s.g.Do(func() {
		var refused []string
		for id, raw := range hello.Inputs {
			if s.deadScope(id) {
				continue
			}
			if v := s.pageInput(id); v != nil {
				v.Set(string(raw))
			} else {
				refused = append(refused, id)
			}
		}
		s.refuseInputs(c, refused)
		s.bookmarkButtons()
		s.app.server(s)
		// After the server function, which registers ExcludeBookmark and
		// OnRestore, and before the first flush.
		if restored != nil {
			s.applyRestore(restored)
		}
	})
}

func (s *Session) checkToken(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return subtle.ConstantTimeCompare([]byte(token), []byte(s.token)) == 1
}

// attach makes c the session's connection after a resume: the welcome and the
// missed updates go out before anything new.
func (s *Session) attach(c *transport.Conn, r *protocol.Resume) bool {
	s.mu.Lock()
	if s.done {
		s.mu.Unlock()
		return false
	}
	if r.Seq > s.seq {
		// The page claims updates the session never sent: refuse this
		// connection, keep the session for a page that can resume it.
		s.mu.Unlock()
		s.log.Warn("sheen: resume refused: seq ahead of the session's", zap.Uint64("page_seq", r.Seq), zap.Uint64("seq", s.seq))
		return false
	}
	frames, ok := s.replay.Since(r.Seq, s.seq)
	if !ok {
		s.mu.Unlock()
		s.log.Info("sheen: resume impossible, updates already dropped", zap.Uint64("page_seq", r.Seq), zap.Uint64("seq", s.seq))
		go s.end("resume impossible")
		return false
	}
	old := s.conn
	s.conn = c
	if s.grace != nil {
		s.grace.Stop()
		s.grace = nil
	}
	s.app.lim.attach(s)
	// A new token for every resume: one that leaked (a log, a copied
	// frame) is good for one resume at most, and spent once the page has
	// resumed.
	s.token = randomID("", 24)
	w, _ := protocol.Welcome{V: protocol.Version, Seq: s.seq, Session: s.id, Token: s.token, Resumed: true, Ack: s.lastN,
		Heartbeat: s.app.cfg.heartbeat.Milliseconds(), Grace: s.app.cfg.grace.Milliseconds()}.MarshalJSON()
	c.Send(w)
	for _, f := range frames {
		c.Send(f)
	}
	s.mu.Unlock()
	if old != nil {
		old.CloseNow()
	}
	s.log.Debug("sheen: session resumed", zap.Int("replayed", len(frames)))
	return true
}

// detach forgets c; if it was the session's connection, the grace period
// starts.
func (s *Session) detach(c *transport.Conn) {
	s.mu.Lock()
	if s.conn != c || s.done {
		s.mu.Unlock()
		return
	}
	s.conn = nil
	_, bytes := s.replay.Len()
	victims := s.app.lim.detach(s, bytes, time.Now())
	defer s.app.cfg.detached(s)
	defer s.app.dropDetached(victims)
	defer s.mu.Unlock()
	s.grace = time.AfterFunc(s.app.cfg.grace, func() {
		s.mu.Lock()
		expired := s.conn == nil && !s.done
		s.mu.Unlock()
		if expired {
			s.end("grace period over")
		}
	})
}

// end ends the session: OnEnded hooks run, the graph closes, the connection
// closes. Safe to call more than once.
func (s *Session) end(reason string) {
	s.mu.Lock()
	if s.done {
		s.mu.Unlock()
		return
	}
	s.done = true
	if s.grace != nil {
		s.grace.Stop()
		s.grace = nil
	}
	s.mu.Unlock()
	// This turn waits for the one running now (Session.Close is often called
	// from it: an app ending the session after it showed why), whose update
	// therefore reaches the connection before it is taken away and closed
	// (its queue is flushed before the close).
	s.g.Do(func() {
		for _, fn := range s.ended {
			fn()
		}
		for _, sc := range s.scopes {
			sc.dispose()
		}
	})
	s.g.Close()
	s.mu.Lock()
	conn := s.conn
	s.conn = nil
	s.mu.Unlock()
	s.cancel()
	s.closeUploads()
	s.app.unregister(s)
	s.app.endedHere(s.id)
	if conn != nil {
		conn.Close(websocket.StatusGoingAway, reason)
	}
	s.log.Debug("sheen: session ended", zap.String("reason", reason))
}

// Close ends the session now, as if its page had gone: OnEnded hooks run and
// the page is told the session is over.
func (s *Session) Close() { go s.end("closed by the app") }

// OnEnded registers fn to run when the session ends.
func (s *Session) OnEnded(fn func()) {
	s.g.Do(func() { s.ended = append(s.ended, fn) })
}

// handle applies one frame from the page.
func (s *Session) handle(c *transport.Conn, data []byte) {
	msg, err := protocol.DecodeClient(data)
	if err != nil {
		var derr *protocol.DecodeError
		if errors.As(err, &derr) {
			s.log.Warn("sheen: bad frame", zap.String("code", string(derr.Code)), zap.String("type", derr.Type), zap.String("error", derr.Msg))
			s.sendError(c, derr.Reply())
		}
		return
	}
	switch m := msg.(type) {
	case protocol.Input:
		s.log.Debug("sheen: input", zap.Uint64("n", m.N))
		s.g.Do(func() {
			if !s.accept(m.N) {
				return
			}
			s.app.cfg.applied(s, m)
			var refused []string
			for id, raw := range m.Values {
				if s.deadScope(id) {
					continue // a removed message's input, sent before the page knew
				}
				if v := s.pageInput(id); v != nil {
					v.Set(string(raw))
				} else {
					refused = append(refused, id)
				}
			}
			s.refuseInputs(c, refused)
		})
	case protocol.Event:
		s.log.Debug("sheen: event", zap.Uint64("n", m.N), zap.String("target", m.Target), zap.String("name", m.Name))
		s.g.Do(func() {
			if !s.accept(m.N) {
				return
			}
			s.app.cfg.applied(s, m)
			hs := s.events[m.Target]
			if len(hs) == 0 {
				s.log.Warn("sheen: event for an unknown target", zap.String("target", m.Target), zap.String("name", m.Name))
				return
			}
			for _, h := range hs {
				h(m.Name, m.Data)
			}
		})
	case protocol.Ping:
		s.mu.Lock()
		s.replay.Ack(m.Seq)
		p, _ := protocol.Pong{Seq: s.seq, Ack: s.lastN}.MarshalJSON()
		s.mu.Unlock()
		c.Send(p)
	case protocol.Hello:
		s.sendError(c, protocol.Error{Code: protocol.CodeBadMessage, Message: "hello was already sent on this connection"})
	}
}

// accept reports whether client message n is new, and records it as applied.
func (s *Session) accept(n uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n <= s.lastN {
		return false
	}
	s.lastN = n
	return true
}

func (s *Session) sendError(c *transport.Conn, e protocol.Error) {
	s.mu.Lock()
	e.Seq = s.seq
	s.mu.Unlock()
	frame, _ := e.MarshalJSON()
	c.Send(frame)
}

// reuseMessages is the largest array of messages an update hands on to the
// next; a burst's larger one is left to the collector.
const reuseMessages = 16

// flushed runs at the end of every flush: what changed goes out in one frame.
func (s *Session) flushed() {
	s.mu.Lock()
	lastN := s.lastN
	s.mu.Unlock()
	if !s.dirty && lastN == s.ackSent {
		return
	}
	u := s.pending
	s.pending, s.dirty = protocol.Update{}, false
	u.Ack, s.ackSent = lastN, lastN
	s.mu.Lock()
	s.seq++
	u.Seq = s.seq
	frame, err := encodeUpdate(&u, s.appends)
	clear(s.appends) // the frame holds what they appended
	if s.appends = s.appends[:0]; cap(s.appends) > reuseMessages {
		s.appends = nil
	}
	if cap(u.Messages) <= reuseMessages {
		// The frame holds what they said: the next update appends to the
		// same array (a streaming session sends one every few tens of
		// milliseconds).
		clear(u.Messages)
		s.pending.Messages = u.Messages[:0]
	}
	if err != nil {
		s.seq--
		s.mu.Unlock()
		s.log.Error("sheen: update does not encode", zap.Error(err))
		return
	}
	s.replay.Add(s.seq, frame)
	var victims []*Session
	if s.conn != nil {
		s.conn.Send(frame)
	} else if !s.done {
		// Detached: its replay buffer grows, and counts against the bound
		// on what all detached sessions may hold.
		_, bytes := s.replay.Len()
		victims = s.app.lim.grow(s, bytes)
	}
	s.mu.Unlock()
	s.app.dropDetached(victims)
}

// appError is the graph's error handler: log, then show the user.
func (s *Session) appError(err error) {
	logerr.Log(s.log, "sheen: app code", err)
	s.notify(protocol.LevelError, s.app.userMessage(err), 0)
}

// input returns the Value of input id, creating it unset. Turn only.
func (s *Session) input(id string) *reactive.Value[string] {
	v, ok := s.inputs[id]
	if !ok {
		v = reactive.NewValue(s.g, "")
		v.Unset()
		s.inputs[id] = v
	}
	return v
}

// pageInput returns the Value of input id for a value the page sent, or nil
// if the session does not take it: every id becomes a reactive value for
// the session's life, so only the ids the page was built with, those the
// app declared (Session.Input, UpdateInput) and up to WithInputLimit others
// (inputs added later, in HTML outputs) are accepted. Turn only.
func (s *Session) pageInput(id string) *reactive.Value[string] {
	if v, ok := s.inputs[id]; ok {
		return v
	}
	if !s.app.pageInputs[id] {
		if s.dynamic >= s.app.cfg.inputLimit {
			return nil
		}
		s.dynamic++
	}
	return s.input(id)
}

// refuseInputs logs the input ids the session did not take and tells the
// page with a non-fatal limit error; the session goes on.
func (s *Session) refuseInputs(c *transport.Conn, ids []string) {
	if len(ids) == 0 {
		return
	}
	sort.Strings(ids)
	shown := ids
	if len(shown) > 5 {
		shown = shown[:5]
	}
	s.log.Warn("sheen: input ids refused", zap.Int("count", len(ids)), zap.Strings("ids", shown), zap.Int("limit", s.app.cfg.inputLimit))
	msg := fmt.Sprintf("%d input id(s) refused (%s): the page was not built with them and the session takes at most %d others", len(ids), strings.Join(shown, ", "), s.app.cfg.inputLimit)
	if c == nil {
		return
	}
	// Not from inside the turn with s.mu held: sendError takes it.
	s.sendError(c, protocol.Error{Code: protocol.CodeLimit, Message: msg})
}

// Input returns the page input with the given id. Reading it inside reactive
// code makes that code depend on it; until the page has sent a value, reads
// stop the reader silently.
func (s *Session) Input(id string) *Input {
	in := &Input{s: s, id: id}
	s.g.Do(func() { in.v = s.input(id) })
	return in
}

// Level is the severity of a notification.
type Level = protocol.Level

// Notification levels.
const (
	LevelInfo    = protocol.LevelInfo
	LevelWarning = protocol.LevelWarning
	LevelError   = protocol.LevelError
)

// Notify shows a notification on the page until the user closes it.
func (s *Session) Notify(level Level, message string) { s.NotifyFor(level, message, 0) }

// NotifyFor shows a notification that closes itself after d (0: never).
func (s *Session) NotifyFor(level Level, message string, d time.Duration) {
	s.g.Do(func() { s.notify(level, message, d) })
}

func (s *Session) notify(level Level, message string, d time.Duration) {
	s.noticeID++
	s.pending.Notices = append(s.pending.Notices, protocol.Notice{
		ID: "n" + strconv.Itoa(s.noticeID), Level: level, Message: message, Duration: d.Milliseconds(),
	})
	s.dirty = true
}

// Send sends a message to the component with the given element id (see
// [Component]); the page delivers it to that component's handler, in order.
// data is encoded as JSON.
func (s *Session) Send(target, name string, data any) error {
	if a, ok := data.(wirejson.Appender); ok && a != nil {
		// Written into the frame itself when it is encoded (flushed).
		s.g.Do(func() {
			s.appends = append(s.appends, appendData{len(s.pending.Messages), a})
			s.pending.Messages = append(s.pending.Messages, protocol.Message{Target: target, Name: name})
			s.dirty = true
		})
		return nil
	}
	raw, err := encodeData(data)
	if err != nil {
		return fmt.Errorf("sheen: message %q for %q: %w", name, target, err)
	}
	s.g.Do(func() {
		s.pending.Messages = append(s.pending.Messages, protocol.Message{Target: target, Name: name, Data: raw})
		s.dirty = true
	})
	return nil
}

// OnEvent registers fn for the events the component with the given element id
// sends from the page. fn runs inside the session's reactive code, in the
// order events arrive, each event exactly once.
func (s *Session) OnEvent(target string, fn func(name string, data json.RawMessage)) {
	s.g.Do(func() { s.events[target] = append(s.events[target], fn) })
}

// setOutput records an output's new state. Turn only.
func (s *Session) setOutput(id string, o protocol.Output) {
	if s.pending.Outputs == nil {
		s.pending.Outputs = make(map[string]protocol.Output)
	}
	s.pending.Outputs[id] = o
	s.dirty = true
}

// setInputUpdate merges an input update. Turn only.
func (s *Session) setInputUpdate(id string, u protocol.InputUpdate) {
	if s.pending.Inputs == nil {
		s.pending.Inputs = make(map[string]protocol.InputUpdate)
	}
	old := s.pending.Inputs[id]
	if u.Value != nil {
		old.Value = u.Value
	}
	if u.Label != nil {
		old.Label = u.Label
	}
	if u.Choices != nil {
		old.Choices = u.Choices
	}
	if u.Placeholder != nil {
		old.Placeholder = u.Placeholder
	}
	s.pending.Inputs[id] = old
	s.dirty = true
}

// marshalNoEscape is json.Marshal without HTML escaping: component messages
// carry HTML, and escaping every <, > and & as \u003c would add 5 bytes each
// on the wire for nothing (the frame is never parsed as HTML).
func marshalNoEscape(v any) (json.RawMessage, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
