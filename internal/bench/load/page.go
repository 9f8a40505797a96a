package load

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/sheenhq/sheen/internal/markdown"
	"github.com/sheenhq/sheen/protocol"
)

// Page is one page load of the app, speaking the protocol the way
// client/sheen.js does: the hello, the chat's "ready", numbered events, a
// ping every heartbeat carrying the last applied seq, and, after a lost
// connection, a resume with the session's token, resending the events the
// server had not acknowledged. Like the browser it also pings within
// [AckDelay] of applying updates, at most once per AckDelay, so the server
// trims its replay buffer as updates arrive. Updates must arrive in
// sequence. It keeps the chat's streaming message as the browser does
// (start, patch, end).
//
// Its methods are for one goroutine; a Page's pinger runs beside it while
// connected and stops with [Page.Drop] and [Page.Close].
type Page struct {
	wsURL string
	hc    *http.Client
	hdr   http.Header

	ws        *websocket.Conn
	arrivals  *arrivalConn // ws's connection when opened through [Arrivals]
	pingStop  chan struct{}
	pingDone  chan struct{}
	applied   chan struct{} // an update was applied (capacity 1; see ping)
	heartbeat time.Duration
	grace     time.Duration

	// The context whose end closes ws (see watch).
	watched   context.Context
	watchedWS *websocket.Conn
	unwatch   func() bool

	session, token string
	seq            atomic.Uint64 // the last update applied (read by the pinger)
	n              uint64        // the last message number sent
	unacked        [][]byte      // events sent and not acknowledged, in order
	unackedN       []uint64

	// The chat's streaming message.
	id     string
	view   markdown.View
	status string // its end status; "" while it streams
	busy   bool   // the chat's last "busy" message said true
}

// Frame is what one update frame brought.
type Frame struct {
	Patches int  // patches of the streaming message
	End     bool // the message ended
	Pong    bool // the frame was the answer to a ping
	// Arrived is when the frame reached the page's socket, for a page
	// opened through an [Arrivals] client; otherwise when it was read.
	Arrived time.Time
}

// ErrExpired reports a resume the server refused: the session is gone.
var ErrExpired = errors.New("load: session expired")

// UserHeader names the user of a page (the server's identity function
// reads it; see [Users]).
const UserHeader = "X-Load-User"

// Open connects a page of user (sent in [UserHeader]; "" for none) to the
// app at base (http://HOST:PORT), through hc, and announces the chat as
// ready.
func Open(ctx context.Context, hc *http.Client, base, user string) (*Page, error) {
	p := &Page{wsURL: "ws" + strings.TrimPrefix(strings.TrimSuffix(base, "/"), "http") + "/_sheen/ws", hc: hc}
	if user != "" {
		p.hdr = http.Header{UserHeader: {user}}
	}
	hello, _ := protocol.Hello{V: protocol.Version, Inputs: map[string]json.RawMessage{}}.MarshalJSON()
	w, err := p.connect(ctx, hello)
	if err != nil {
		return nil, err
	}
	if w.Resumed {
		p.Close()
		return nil, fmt.Errorf("load: a new session's welcome says resumed")
	}
	if err := p.Send(ctx, "ready", nil); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// connect dials, sends hello and reads the welcome.
func (p *Page) connect(ctx context.Context, hello []byte) (protocol.Welcome, error) {
	slot := new(arrivalSlot)
	ws, _, err := websocket.Dial(context.WithValue(ctx, arrivalKey{}, slot), p.wsURL, &websocket.DialOptions{HTTPClient: p.hc, HTTPHeader: p.hdr})
	if err != nil {
		return protocol.Welcome{}, err
	}
	arrivals := slot.get()
	ws.SetReadLimit(4 * protocol.MaxFrame)
	if err := ws.Write(ctx, websocket.MessageText, hello); err != nil {
		ws.CloseNow()
		return protocol.Welcome{}, err
	}
	data, _, err := read(ctx, ws, arrivals)
	if err != nil {
		ws.CloseNow()
		return protocol.Welcome{}, err
	}
	m, err := protocol.DecodeServer(data)
	if err != nil {
		ws.CloseNow()
		return protocol.Welcome{}, err
	}
	w, ok := m.(protocol.Welcome)
	if !ok {
		ws.CloseNow()
		if _, ok := m.(protocol.Expired); ok {
			return protocol.Welcome{}, ErrExpired
		}
		return protocol.Welcome{}, fmt.Errorf("load: got %.200s, want a welcome", data)
	}
	p.ws, p.arrivals, p.session, p.token = ws, arrivals, w.Session, w.Token
	p.heartbeat = time.Duration(w.Heartbeat) * time.Millisecond
	p.grace = time.Duration(w.Grace) * time.Millisecond
	if !w.Resumed {
		p.seq.Store(w.Seq)
	}
	p.pingStop, p.pingDone = make(chan struct{}), make(chan struct{})
	if p.applied == nil {
		p.applied = make(chan struct{}, 1)
	}
	go p.ping(ws, p.pingStop, p.pingDone)
	return w, nil
}

// AckDelay is how soon after applying updates a page acknowledges them
// with a ping, and the least time between two such pings: ACK_DELAY in
// client/connection.js.
const AckDelay = time.Second

// ping sends a ping every heartbeat, and AckDelay after the first update
// applied since the last ping, until stop is closed, as pages do (the server
// closes silent connections, and trims its replay buffer up to the seq a
// ping carries).
func (p *Page) ping(ws *websocket.Conn, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	heartbeat := time.NewTicker(p.heartbeat)
	defer heartbeat.Stop()
	ack := time.NewTimer(AckDelay)
	ack.Stop()
	applied := p.applied // nil while an ack is due: one wake per ack, not per update
	for {
		select {
		case <-stop:
			ack.Stop()
			return
		case <-applied:
			applied = nil
			ack.Reset(AckDelay)
			continue
		case <-ack.C:
		case <-heartbeat.C:
			ack.Stop() // this ping acknowledges too
		}
		applied = p.applied
		select {
		case <-applied: // applied before the seq read below: acknowledged by this ping
		default:
		}
		frame, _ := protocol.Ping{Seq: p.seq.Load()}.MarshalJSON()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = ws.Write(ctx, websocket.MessageText, frame)
		cancel()
	}
}

// Send sends the chat the event name with data (JSON-encoded; nil for
// none).
func (p *Page) Send(ctx context.Context, name string, data any) error {
	var raw json.RawMessage
	if data != nil {
		var err error
		if raw, err = json.Marshal(data); err != nil {
			return err
		}
	}
	p.n++
	frame, err := protocol.Event{N: p.n, Target: ChatID, Name: name, Data: raw}.MarshalJSON()
	if err != nil {
		return err
	}
	p.unacked, p.unackedN = append(p.unacked, frame), append(p.unackedN, p.n)
	return p.ws.Write(ctx, websocket.MessageText, frame)
}

// Submit asks for the reply r and forgets the previous message. The page
// counts as busy until the chat says otherwise, after the reply's end.
func (p *Page) Submit(ctx context.Context, r Request) error {
	p.id, p.view, p.status, p.busy = "", markdown.View{}, "", true
	return p.Send(ctx, "submit", map[string]string{"text": r.String()})
}

// Next reads one frame and applies it. Pongs and other frames that are not
// updates return a zero Frame.
func (p *Page) Next(ctx context.Context) (Frame, error) {
	p.watch(ctx)
	data, at, err := read(context.Background(), p.ws, p.arrivals)
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err() // as coder/websocket reports a read that ctx cut
		}
		return Frame{}, err
	}
	m, err := protocol.DecodeServer(data)
	if err != nil {
		return Frame{}, fmt.Errorf("load: bad frame: %w: %.200s", err, data)
	}
	switch m := m.(type) {
	case protocol.Update:
		f, err := p.apply(m)
		f.Arrived = at
		return f, err
	case protocol.Error:
		return Frame{}, fmt.Errorf("load: the server reports %s: %s", m.Code, m.Message)
	case protocol.Expired:
		return Frame{}, ErrExpired
	case protocol.Pong:
		return Frame{Pong: true, Arrived: at}, nil
	}
	return Frame{Arrived: at}, nil
}

// watch makes the end of ctx close the page's connection, which is what
// coder/websocket does when the context of a read ends, with one
// context.AfterFunc per context and connection instead of one per read (and
// the lock and atomic swaps around it): [Page.Next] reads with a context that
// never ends. At 33,000 frames a second that was a tenth of the load client's
// CPU, taken from the two cores the server runs on too.
func (p *Page) watch(ctx context.Context) {
	if p.watched == ctx && p.watchedWS == p.ws {
		return
	}
	p.stopWatching()
	ws := p.ws
	p.watched, p.watchedWS = ctx, ws
	p.unwatch = context.AfterFunc(ctx, func() { ws.CloseNow() })
}

func (p *Page) stopWatching() {
	if p.unwatch != nil {
		p.unwatch()
	}
	p.watched, p.watchedWS, p.unwatch = nil, nil, nil
}

// read reads one message from ws and tells when it arrived: its kernel
// timestamp when ws's connection a reports arrivals, the time now if not.
// Every message read takes its arrival, so the two stay in step.
func read(ctx context.Context, ws *websocket.Conn, a *arrivalConn) ([]byte, time.Time, error) {
	_, data, err := ws.Read(ctx)
	var at time.Time
	if a != nil {
		at = a.take()
	}
	if at.IsZero() {
		at = time.Now()
	}
	return data, at, err
}

func (p *Page) apply(u protocol.Update) (Frame, error) {
	var f Frame
	if last := p.seq.Load(); u.Seq != last+1 {
		return f, fmt.Errorf("load: update seq %d after %d", u.Seq, last)
	}
	p.seq.Store(u.Seq)
	select {
	case p.applied <- struct{}{}:
	default: // the pinger has been told already
	}
	if u.Ack > 0 {
		i := 0
		for i < len(p.unackedN) && p.unackedN[i] <= u.Ack {
			i++
		}
		p.unacked, p.unackedN = p.unacked[i:], p.unackedN[i:]
	}
	for _, m := range u.Messages {
		if m.Target != ChatID {
			continue
		}
		switch m.Name {
		case "start":
			var d struct {
				Message struct {
					ID string `json:"id"`
				} `json:"message"`
			}
			if err := json.Unmarshal(m.Data, &d); err != nil {
				return f, fmt.Errorf("load: start: %w", err)
			}
			p.id, p.view, p.status = d.Message.ID, markdown.View{}, ""
		case "patch":
			var d struct {
				ID     string `json:"id"`
				Answer struct {
					From   int      `json:"from"`
					Keep   int      `json:"keep"`
					Blocks []string `json:"blocks"`
					Tail   string   `json:"tail"`
				} `json:"answer"`
			}
			if err := json.Unmarshal(m.Data, &d); err != nil {
				return f, fmt.Errorf("load: patch: %w", err)
			}
			if d.ID != p.id || p.id == "" {
				continue
			}
			a := d.Answer
			if err := p.view.Apply(markdown.Delta{From: a.From, Keep: a.Keep, Blocks: a.Blocks, Tail: a.Tail}); err != nil {
				return f, fmt.Errorf("load: patch of %s: %w", p.id, err)
			}
			f.Patches++
		case "busy":
			var d struct {
				Busy bool `json:"busy"`
			}
			if err := json.Unmarshal(m.Data, &d); err != nil {
				return f, fmt.Errorf("load: busy: %w", err)
			}
			p.busy = d.Busy
		case "end":
			var d struct {
				ID     string `json:"id"`
				Status string `json:"status"`
			}
			if err := json.Unmarshal(m.Data, &d); err != nil {
				return f, fmt.Errorf("load: end: %w", err)
			}
			if d.ID == p.id && p.id != "" {
				p.status, f.End = d.Status, true
			}
		}
	}
	return f, nil
}

// WaitIdle reads frames until the chat is not busy: a page locks its input
// until then, and the chat ignores a submission while a reply runs.
func (p *Page) WaitIdle(ctx context.Context) error {
	for p.busy {
		if _, err := p.Next(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Drop closes the socket at once, as a lost network does; the session
// stays on the server for its grace period.
func (p *Page) Drop() {
	if p.ws == nil {
		return
	}
	close(p.pingStop)
	<-p.pingDone
	p.stopWatching()
	p.ws.CloseNow()
	p.ws = nil
}

// Resume reconnects after [Page.Drop] with the session's token and the
// last applied seq, and resends the events the server had not
// acknowledged. The updates missed follow; [Page.Next] reads them.
func (p *Page) Resume(ctx context.Context) error {
	hello, _ := protocol.Hello{V: protocol.Version, Inputs: map[string]json.RawMessage{},
		Resume: &protocol.Resume{Session: p.session, Token: p.token, Seq: p.seq.Load(), N: p.n - uint64(len(p.unacked))}}.MarshalJSON()
	w, err := p.connect(ctx, hello)
	if err != nil {
		return err
	}
	if !w.Resumed {
		p.Close()
		return fmt.Errorf("load: resume of %s: a new session", p.session)
	}
	for i, frame := range p.unacked {
		if p.unackedN[i] > w.Ack {
			if err := p.ws.Write(ctx, websocket.MessageText, frame); err != nil {
				return err
			}
		}
	}
	return nil
}

// Close closes the page's connection (a closed tab).
func (p *Page) Close() { p.Drop() }

// Grace returns how long the server keeps the session after its socket
// closes (from the welcome).
func (p *Page) Grace() time.Duration { return p.grace }

// Status returns the end status of the streaming message ("" while it
// streams).
func (p *Page) Status() string { return p.status }

// HTML returns the streaming message's HTML as the page has built it.
func (p *Page) HTML() string { return p.view.HTML() }

var tag = regexp.MustCompile(`<[^>]*>`)

// Check checks the message the page built against the reply of n chunks:
// it must have ended "done", its text (the HTML without tags) must be the
// chunks' words in order, none lost or repeated, and its HTML must be the
// reply rendered whole. The error says what differs.
func (p *Page) Check(n int) error {
	if p.status != "done" {
		return fmt.Errorf("message %s ended %q, want done", p.id, p.status)
	}
	html := p.view.HTML()
	got := strings.Fields(tag.ReplaceAllString(html, " "))
	for i, w := range got {
		if want := fmt.Sprintf("w%d", i+1); w != want {
			kind := "lost"
			if i > 0 && w == got[i-1] || slices.Contains(got[:i], w) {
				kind = "repeated"
			}
			return fmt.Errorf("message %s: word %d is %q, want %q (%s chunk)", p.id, i+1, w, want, kind)
		}
	}
	if len(got) != n {
		return fmt.Errorf("message %s: %d words, want %d (lost chunks at the end)", p.id, len(got), n)
	}
	if want := rendered(n); html != want {
		return fmt.Errorf("message %s: the streamed HTML (%d bytes) differs from the reply rendered whole (%d bytes)", p.id, len(html), len(want))
	}
	return nil
}

var (
	renderMu    sync.Mutex
	renderCache = map[int]string{}
	renderer    = markdown.New()
)

// rendered returns the HTML of the reply of n chunks, rendered whole.
func rendered(n int) string {
	renderMu.Lock()
	defer renderMu.Unlock()
	h, ok := renderCache[n]
	if !ok {
		h = renderer.RenderString(Text(n))
		renderCache[n] = h
	}
	return h
}
