package chat

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
)

// LiveUI is live UI inside a message: build it with sheen's builders (and
// package chart) from a fresh [sheen.Scope], whose inputs and outputs are
// the message's own. Local ids are enough: two messages holding the same
// UI never collide. The outputs keep updating reactively and the inputs'
// values reach the session like any other input, for as long as the
// message is shown by the page that asked for it; then the scope is
// disposed (a cleared chat, another conversation, the session's end).
//
// Give it to [Chat.AppendMessage] alone, in [Message.UI] below the
// message's text, or to [StreamContext.AppendUI] inside a streaming reply
// (a tool's result). Live UI belongs to the session that made it: other
// pages showing the same conversation, and the conversation restored from
// its store, show a snapshot of it (its outputs as they were, its inputs
// disabled), marked as no longer live. docs/chat.md, "Live UI in messages".
type LiveUI func(sc *sheen.Scope) sheen.Node

// snapshotDelay is how long a part waits after a change before its
// snapshot is taken, shown to the other pages and saved: a slider being
// dragged changes it many times a second.
const snapshotDelay = 500 * time.Millisecond

// uiSet is the live UI of one message. Its fields but parts are guarded by
// the conversation's mu; parts are set before the set is shared.
type uiSet struct {
	cv    *conv
	msgID string
	parts []*uiPart
}

// uiPart is one UI of a message.
type uiPart struct {
	id    string // "p1", "p2", … within the message
	set   *uiSet
	owner *Chat        // the view whose session holds it (nil: restored)
	sc    *sheen.Scope // nil: restored, a snapshot only
	node  sheen.Node   // the UI as built, ids not namespaced

	mu      sync.Mutex
	live    string // the owner's HTML
	snap    string // the latest snapshot
	gone    bool   // the scope was disposed: the owner sees the snapshot too
	waiting bool   // a snapshot is due (snapshotDelay)
}

// wirePart is a part as the page receives it.
type wirePart struct {
	ID   string `json:"id"`
	HTML string `json:"html"`
	Live bool   `json:"live,omitempty"`
}

// savedUI is a part as the store keeps it: its last snapshot.
type savedUI struct {
	ID   string `json:"id"`
	HTML string `json:"html"`
}

// buildUI builds ui for view c, as part id of a message: in one turn, so
// that the outputs' first render already sees the inputs' built values.
// It runs outside the conversation's mu.
func (c *Chat) buildUI(ui LiveUI, id string) *uiPart {
	p := &uiPart{id: id, owner: c}
	c.g.Do(func() {
		if c.gone {
			return
		}
		sc := c.s.NewScope()
		p.sc = sc
		p.node = safeUI(c, ui, sc)
		live, err := renderNode(sc.UI(p.node))
		if err != nil {
			c.log.Error("chat: live UI does not render", zap.Error(err))
		}
		p.live = live
		sc.OnChange(func() { p.changed() })
		c.parts = append(c.parts, p)
	})
	if p.sc == nil { // the session ended
		p.gone = true
		return p
	}
	// The outputs rendered when the turn above ended (unless it was nested
	// in another): the first snapshot, for the other pages and the store.
	c.g.Do(func() {
		if html, err := p.sc.Snapshot(p.node); err == nil {
			p.mu.Lock()
			p.snap = string(html)
			p.mu.Unlock()
		}
	})
	return p
}

// safeUI calls ui; a panic is logged and the part shows nothing.
func safeUI(c *Chat, ui LiveUI, sc *sheen.Scope) (n sheen.Node) {
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("chat: a live UI function panicked", zap.Any("panic", r))
			n = nil
		}
	}()
	return ui(sc)
}

func renderNode(n sheen.Node) (string, error) {
	if n == nil {
		return "", nil
	}
	var b strings.Builder
	err := n.Render(&b)
	return b.String(), err
}

// withUI builds the live UI that content carries (a UI, or a Message with
// UI) and returns the content as a Message holding it. Outside mu.
func (c *Chat) withUI(content any) any {
	var m Message
	switch v := content.(type) {
	case LiveUI:
		m = Message{ContentType: Markdown, UI: []LiveUI{v}}
	case func(*sheen.Scope) sheen.Node:
		m = Message{ContentType: Markdown, UI: []LiveUI{v}}
	case Message:
		m = v
	case *Message:
		m = *v
	default:
		return content
	}
	if len(m.UI) == 0 {
		return content
	}
	set := &uiSet{}
	for i, ui := range m.UI {
		if ui == nil {
			continue
		}
		p := c.buildUI(ui, "p"+itoa(i+1))
		p.set = set
		set.parts = append(set.parts, p)
	}
	m.ui = set
	return m
}

func itoa(n int) string { return strconv.Itoa(n) }

// attachUI ties m's live UI to cv and its message id. Locked.
func (cv *conv) attachUI(m Message) {
	if m.ui != nil {
		m.ui.cv, m.ui.msgID = cv, m.ID
	}
}

// wireFor is the set's parts as view v receives them: live for the view
// that owns a part, a snapshot for the others.
func (s *uiSet) wireFor(v *Chat) []wirePart {
	if s == nil || len(s.parts) == 0 {
		return nil
	}
	out := make([]wirePart, 0, len(s.parts))
	for _, p := range s.parts {
		out = append(out, p.wireFor(v))
	}
	return out
}

func (p *uiPart) wireFor(v *Chat) wirePart {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.owner == v && v != nil && !p.gone {
		return wirePart{ID: p.id, HTML: p.live, Live: true}
	}
	return wirePart{ID: p.id, HTML: p.snap}
}

// saved is the set as the store keeps it.
func (s *uiSet) saved() []savedUI {
	if s == nil {
		return nil
	}
	out := make([]savedUI, 0, len(s.parts))
	for _, p := range s.parts {
		p.mu.Lock()
		out = append(out, savedUI{ID: p.id, HTML: p.snap})
		p.mu.Unlock()
	}
	return out
}

// restoredUI is the set of a message read from the store: snapshots only.
func restoredUI(saved []savedUI) *uiSet {
	if len(saved) == 0 {
		return nil
	}
	s := &uiSet{}
	for _, u := range saved {
		s.parts = append(s.parts, &uiPart{id: u.ID, set: s, snap: u.HTML, gone: true})
	}
	return s
}

// changed runs in the owner's turn when an output of the part shows
// something new: the snapshot follows, snapshotDelay later.
func (p *uiPart) changed() {
	p.mu.Lock()
	if p.waiting || p.gone {
		p.mu.Unlock()
		return
	}
	p.waiting = true
	p.mu.Unlock()
	g := p.owner.g
	time.AfterFunc(snapshotDelay, func() { g.Post(func() { p.snapshot(false) }) })
}

// snapshot takes the part's snapshot, shows it to the pages that see the
// part as a snapshot and saves it. final: the part's scope is being
// disposed, and its owner sees the snapshot too. Owner's turn.
func (p *uiPart) snapshot(final bool) {
	if p.sc == nil {
		return
	}
	p.mu.Lock()
	gone := p.gone
	p.waiting = false
	p.mu.Unlock()
	if gone {
		return
	}
	html, err := p.sc.Snapshot(p.node)
	if err != nil {
		p.owner.log.Error("chat: live UI snapshot", zap.Error(err))
	}
	p.mu.Lock()
	changed := string(html) != p.snap
	p.snap = string(html)
	if final {
		p.gone = true
	}
	p.mu.Unlock()
	if !changed && !final {
		return
	}
	set := p.set
	if set == nil || set.cv == nil {
		return // not in a transcript yet: its message takes the snapshot when it is
	}
	cv := set.cv
	cv.mu.Lock()
	defer cv.mu.Unlock()
	if set.msgID == "" {
		return
	}
	wp := wirePart{ID: p.id, HTML: p.snap}
	msg := map[string]any{"id": set.msgID, "part": wp}
	owner := p.owner
	cv.broadcast(func(v *Chat) {
		if v != owner || final {
			v.send("part", msg)
		}
	})
	if i := slices.IndexFunc(cv.msgs, func(m Message) bool { return m.ID == set.msgID }); i >= 0 {
		cv.persistUI(cv.msgs[i])
	}
}

// persistUI saves message m again with its parts' snapshots. Locked.
func (cv *conv) persistUI(m Message) {
	if cv.h == nil || !cv.stored {
		return
	}
	cv.save(saveOp{kind: saveUpdate, msg: cv.toStore(m)})
}

// disposeUI disposes the live UI that c owns and that passes keep == false
// (nil: all of it), after a last snapshot. Turn.
func (c *Chat) disposeUI(keep func(p *uiPart) bool) {
	kept := c.parts[:0]
	var gone []*uiPart
	for _, p := range c.parts {
		if keep != nil && keep(p) {
			kept = append(kept, p)
		} else {
			gone = append(gone, p)
		}
	}
	clear(c.parts[len(kept):])
	c.parts = kept
	for _, p := range gone {
		p.snapshot(true)
		p.sc.Dispose()
	}
}

// disposeShown disposes the live UI that the conversation now shown does not
// hold: a switch to another conversation, or a cleared one. Turn.
func (c *Chat) disposeShown(cv *conv) {
	if len(c.parts) == 0 {
		return
	}
	cv.mu.Lock()
	ids := make(map[string]bool, len(cv.msgs))
	for _, m := range cv.msgs {
		if m.ui != nil {
			ids[m.ID] = true
		}
	}
	var live *uiSet
	if cv.live != nil {
		live = cv.live.ui
	}
	cv.mu.Unlock()
	c.disposeUI(func(p *uiPart) bool {
		s := p.set
		if s == nil {
			return true // still being built
		}
		cv.mu.Lock()
		defer cv.mu.Unlock()
		return s.cv == cv && (ids[s.msgID] || s == live) || s.cv == nil
	})
}

// AppendUI adds live UI to the message of the context (typically a tool's
// result inside a streaming reply): it shows below the message's text at
// once, live in the page of the chat that streams it. After the message
// has ended it does nothing.
func (sc *StreamContext) AppendUI(ui LiveUI) {
	if ui == nil {
		return
	}
	w := sc.w
	cv := sc.cv
	cv.mu.Lock()
	if w.ui == nil {
		w.ui = &uiSet{cv: cv}
	}
	set := w.ui
	n := len(set.parts) + 1
	cv.mu.Unlock()
	p := w.v.buildUI(ui, "p"+itoa(n))
	p.set = set
	cv.mu.Lock()
	if w.ended || w.epoch != cv.epoch {
		cv.mu.Unlock()
		w.v.g.Do(func() { w.v.disposeUI(func(x *uiPart) bool { return x != p }) })
		return
	}
	set.msgID = w.id
	set.parts = append(set.parts, p)
	msgID := w.id
	cv.broadcast(func(v *Chat) { v.send("part", map[string]any{"id": msgID, "part": p.wireFor(v)}) })
	cv.mu.Unlock()
}
