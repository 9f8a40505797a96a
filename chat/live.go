package chat

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/sheenhq/sheen/store"
)

// Conversations shared by several instances (docs/deployment.md).
//
// With a [store.Bus] every instance that has a conversation in memory
// follows its live log, and writes to it what it changes itself: messages
// it appends, the text of the replies it streams (the raw text, as it
// flushes: the other instances render it with the same renderer, which is
// deterministic), their ends, its busy state, and stop requests for a
// reply another instance runs. An instance applies what others wrote to its
// own copy of the conversation and shows it to its pages exactly as it
// shows its own changes. The log is trimmed at each reply's start (up to
// the previous reply's start: a follower a little behind loses nothing), so a
// conversation loaded later reads the store, then the short log, and
// follows from there: everything is applied once, and what the store
// already has is skipped by message id.
//
// A reply whose instance goes silent for LiveTimeout (it died) is marked
// interrupted, with the text the log carried, by whichever instance notices.

// Live event kinds.
const (
	evMsg    = "msg"    // a message appended (Msg)
	evStart  = "start"  // a reply starts streaming (ID, Icon)
	evText   = "text"   // the reply's raw text from Off on is Text
	evEnd    = "end"    // the reply ended (Msg: the finished message)
	evBusy   = "busy"   // the writer's instance runs a response (Busy) or not
	evStop   = "stop"   // stop the running reply, whichever instance runs it
	evAlive  = "alive"  // the writer's instance still runs a response
	evTitle  = "title"  // the conversation was renamed (Title)
	evCut    = "cut"    // messages were cut from the transcript (IDs; actions.go)
	evEdit   = "edit"   // a message was changed in place (Msg; actions.go)
	evTool   = "tool"   // a tool call's card of the streaming reply ID changed (Tool; toolcall.go)
	evDecide = "decide" // a person allowed or denied tool call ID (Tool.Approval; respond.go)
)

// liveEvent is one entry of a conversation's live log.
type liveEvent struct {
	From   string         `json:"from"` // the instance that wrote it
	At     int64          `json:"at"`   // when, in ms since the epoch
	Kind   string         `json:"k"`
	ID     string         `json:"id,omitempty"`
	Off    int            `json:"off,omitempty"`
	Text   string         `json:"t,omitempty"`
	Icon   HTML           `json:"icon,omitempty"`
	Author string         `json:"author,omitempty"`
	Busy   bool           `json:"busy,omitempty"`
	Title  string         `json:"title,omitempty"`
	Msg    *store.Message `json:"m,omitempty"`
	IDs    []string       `json:"ids,omitempty"`
	Tool   *ToolCall      `json:"tool,omitempty"`
}

func ptr[T any](v T) *T { return &v }

// liveState is what a conversation knows of the other instances. Guarded by
// the conversation's mu (but pos, written by the persister).
type liveState struct {
	pos      string             // the last position written by this instance (for Trim)
	trimAt   string             // the position before this instance's last reply start: trimmed at the next one
	follow   context.CancelFunc // stops the follower
	lastSeen time.Time          // the last event of another instance's response
	beat     chan struct{}      // closed to stop the heartbeat
}

// heartbeat tells the other instances, while a response runs here, that
// this instance is alive (a reply may go a while without text: a tool call,
// a slow model). Locked.
func (cv *conv) heartbeat(on bool) {
	if cv.h == nil || cv.h.bus == nil {
		return
	}
	if !on {
		if cv.shared.beat != nil {
			close(cv.shared.beat)
			cv.shared.beat = nil
		}
		return
	}
	if cv.shared.beat != nil {
		return
	}
	done := make(chan struct{})
	cv.shared.beat = done
	every := cv.h.liveTimeout / 3
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				cv.mu.Lock()
				cv.publish(liveEvent{Kind: evAlive})
				cv.mu.Unlock()
			}
		}
	}()
}

// shares reports whether the conversation is shared with other instances
// (a saved conversation of a history with a bus). Locked.
func (cv *conv) shares() bool { return cv.h != nil && cv.h.bus != nil && cv.stored }

// publish writes ev to the conversation's live log, in order with its store
// writes. Locked.
func (cv *conv) publish(ev liveEvent) {
	if !cv.shares() {
		return
	}
	ev.From, ev.At = cv.h.inst, time.Now().UnixMilli()
	data, err := json.Marshal(ev)
	if err != nil {
		cv.logger().Error("chat: live event does not encode", zap.Error(err))
		return
	}
	cv.save(saveOp{kind: savePublish, data: data, trim: ev.Kind == evStart})
}

// publishText writes the text w has that the other instances do not.
// Locked.
func (cv *conv) publishText(w *writer) {
	if !cv.shares() {
		return
	}
	text := w.text.String()
	if len(text) == w.pub {
		return
	}
	cv.publish(liveEvent{Kind: evText, ID: w.id, Off: w.pub, Text: text[w.pub:]})
	w.pub = len(text)
}

// startFollowing follows the conversation's live log from pos, until
// stopFollowing. Locked.
func (cv *conv) startFollowing(pos string) {
	h := cv.h
	if h == nil || h.bus == nil || cv.shared.follow != nil || cv.evicted {
		return
	}
	ctx, cancel := context.WithCancel(h.ctx)
	cv.shared.follow = cancel
	h.following.Add(1)
	go func() {
		defer h.following.Done()
		backoff := 100 * time.Millisecond
		for ctx.Err() == nil {
			err := h.bus.Follow(ctx, cv.id, pos, h.liveTimeout/3, func(e store.Event) {
				if e.Pos != "" {
					pos = e.Pos
				}
				cv.applyLive(e)
				backoff = 100 * time.Millisecond
			})
			if ctx.Err() != nil {
				return
			}
			cv.logger().Warn("chat: live log unreachable; following again", zap.Error(err))
			cv.idleLive() // a writer unheard of for too long is gone
			t := time.NewTimer(backoff)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return
			}
			backoff = min(backoff*2, 5*time.Second)
		}
	}()
}

// stopFollowing stops the follower. Locked.
func (cv *conv) stopFollowing() {
	if cv.shared.follow != nil {
		cv.shared.follow()
		cv.shared.follow = nil
	}
}

// applyLive applies an event another instance wrote; a zero event means the
// log was idle for a while.
func (cv *conv) applyLive(e store.Event) {
	if e.Data == nil {
		cv.idleLive()
		return
	}
	var ev liveEvent
	if err := json.Unmarshal(e.Data, &ev); err != nil {
		cv.logger().Warn("chat: unreadable live event skipped", zap.Error(err))
		return
	}
	if ev.From == cv.h.inst {
		return // our own
	}
	cv.mu.Lock()
	defer cv.mu.Unlock()
	cv.apply(ev, true)
}

// apply applies ev of another instance. live is false while a conversation
// loads (the events may be old: stop requests are not acted on). Locked.
func (cv *conv) apply(ev liveEvent, live bool) {
	remote := cv.live != nil && cv.live.remote
	switch ev.Kind {
	case evMsg:
		if ev.Msg == nil || cv.has(ev.Msg.ID) {
			return
		}
		m, r, ok := fromStore(*ev.Msg)
		if !ok {
			return
		}
		cv.keep(m.ID, r)
		cv.restoreAlts(*ev.Msg)
		cv.msgs = append(cv.msgs, m)
		cv.show(m, nil)
		cv.fetchFiles(m) // persist.go: the event carries no bytes
	case evStart:
		if cv.has(ev.ID) || (cv.live != nil && !cv.live.ended) {
			return // already finished (the store has it), or one streams here
		}
		w := &writer{cv: cv, ms: renderer.NewStream(), icon: ev.Icon, author: ev.Author, at: fromMS(ev.At), coalesce: 30 * time.Millisecond, remote: true}
		w.id, w.epoch = ev.ID, cv.epoch
		cv.live = w
		wm := wireOf(w.head(), rendered{}, false)
		wm.Streaming = true
		cv.broadcast(func(v *Chat) {
			v.dismissGreeting()
			v.send("start", map[string]wireMsg{"message": wm})
		})
		cv.seen(ev)
		// A reply streams: its instance is busy (the log was trimmed at
		// this start, so the busy event before it may be gone).
		cv.remoteBusy = true
		cv.setBusy()
	case evTool:
		if !remote || cv.live.id != ev.ID || cv.live.ended || ev.Tool == nil {
			return
		}
		w := cv.live
		if i := slices.IndexFunc(w.tools, func(x ToolCall) bool { return x.ID == ev.Tool.ID }); i >= 0 {
			w.tools[i] = *ev.Tool
		} else {
			w.tools = append(w.tools, *ev.Tool)
		}
		cv.showTool(w, *ev.Tool)
		cv.seen(ev)
	case evDecide:
		if live && ev.Tool != nil && ev.Tool.Approval != nil {
			cv.decide(ev.Tool.ID, *ev.Tool.Approval) // respond.go: ours if a reply here waits for it
		}
	case evText:
		if !remote || cv.live.id != ev.ID || cv.live.ended {
			return
		}
		cv.live.rewrite(ev.Off, ev.Text)
		cv.seen(ev)
	case evEnd:
		if ev.Msg == nil {
			return
		}
		m, r, ok := fromStore(*ev.Msg)
		if !ok {
			return
		}
		if remote && cv.live.id == ev.ID {
			cv.keep(m.ID, r)
			cv.live.finishRemote(m)
			return
		}
		if i := cv.index(m.ID); i >= 0 { // shown as interrupted here: the writer was alive after all
			cv.msgs[i] = m
			cv.keep(m.ID, r)
			cv.resetViews()
			return
		}
		cv.keep(m.ID, r)
		cv.msgs = append(cv.msgs, m)
		cv.show(m, nil)
	case evBusy:
		cv.remoteBusy = ev.Busy
		cv.seen(ev)
		cv.setBusy()
	case evAlive:
		cv.seen(ev)
	case evStop:
		if live && cv.localBusy {
			cv.stopLocked()
		}
	case evCut:
		cv.applyCut(ev.IDs)
	case evEdit:
		if ev.Msg != nil {
			cv.applyEdit(*ev.Msg)
		}
	case evTitle:
		cv.title = ev.Title
		id, title := cv.id, ev.Title
		cv.broadcast(func(v *Chat) { v.send("conversation", map[string]any{"id": id, "title": title, "push": false}) })
	}
}

// follow shows row, a reply another instance may still be streaming, as
// streaming, with the text saved so far; the live log brings the rest. Its
// instance is taken for alive until LiveTimeout passes without a word.
func (cv *conv) follow(row store.Message) {
	w := &writer{cv: cv, ms: renderer.NewStream(), coalesce: 30 * time.Millisecond, remote: true}
	w.id, w.epoch = row.ID, cv.epoch
	var md meta
	_ = json.Unmarshal(row.Meta, &md)
	w.icon, w.author, w.at = md.Icon, md.Author, fromMS(md.Time)
	if w.at.IsZero() {
		w.at = row.Created
	}
	w.tools = md.ToolCalls // toolcall.go
	w.text.WriteString(row.Content)
	_, _ = w.ms.WriteString(row.Content)
	_, _ = w.ms.Flush()
	cv.live = w
	cv.remoteBusy = true
	cv.busy = true
	cv.shared.lastSeen = time.Now()
}

// seen records that another instance's response was heard of at ev.At.
// Locked.
func (cv *conv) seen(ev liveEvent) {
	if t := time.UnixMilli(ev.At); t.After(cv.shared.lastSeen) {
		cv.shared.lastSeen = t
	}
}

// idleLive ends what another instance was doing if it has been silent for
// LiveTimeout: its reply is interrupted (and saved so), it is no longer
// busy.
func (cv *conv) idleLive() {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	cv.expireLive()
}

// expireLive is idleLive with mu held.
func (cv *conv) expireLive() {
	if !cv.remoteBusy && (cv.live == nil || !cv.live.remote) {
		return
	}
	if time.Since(cv.shared.lastSeen) < cv.h.liveTimeout {
		return
	}
	cv.logger().Info("chat: the instance running this conversation's reply went silent; marking it interrupted")
	if w := cv.live; w != nil && w.remote && !w.ended {
		m := w.head()
		m.Content, m.Status, m.Error = w.text.String(), Interrupted, interruptedText
		ms := renderer.NewStream()
		_, _ = ms.WriteString(m.Content)
		ms.Finish()
		m.Content, m.Thinking = ms.Answer(), ms.Thinking()
		w.finishRemote(m)
		cv.save(saveOp{kind: saveUpdate, msg: cv.toStore(m)})
		if cv.shares() {
			cv.publish(liveEvent{Kind: evEnd, ID: m.ID, Msg: ptr(cv.toStore(m))})
		}
	}
	cv.remoteBusy = false
	cv.setBusy()
}

// has reports whether the transcript has message id. Locked.
func (cv *conv) has(id string) bool { return cv.index(id) >= 0 }

// index returns the position of message id in the transcript, or -1.
// Locked.
func (cv *conv) index(id string) int {
	if len(cv.msgs) < indexFrom {
		for i := len(cv.msgs) - 1; i >= 0; i-- {
			if cv.msgs[i].ID == id {
				return i
			}
		}
		return -1
	}
	return cv.ids.find(cv.msgs, id)
}

// indexFrom is the transcript length from which index uses an idIndex
// rather than a scan: a scan of a short transcript costs less than the
// map, and every append looks its id up (ids are unique).
const indexFrom = 256

// idIndex maps message ids to their position in a transcript. It
// remembers the transcript it last read (seen) and, at the next lookup,
// takes in only what changed since: the messages after the longest prefix
// the two share (the same array, or the same ids). An append costs one
// entry; a cut or a replace, which give the transcript a new array (slices
// handed out keep theirs), costs a comparison of ids up to the first
// change and the entries after it. Messages never change id in place.
type idIndex struct {
	pos  map[string]int
	seen []Message
}

// find returns the position of id in msgs, or -1.
func (x *idIndex) find(msgs []Message, id string) int {
	x.sync(msgs)
	if i, ok := x.pos[id]; ok && i < len(msgs) && msgs[i].ID == id {
		return i
	}
	return -1
}

// sync brings the index to msgs.
func (x *idIndex) sync(msgs []Message) {
	if x.pos == nil {
		x.pos = make(map[string]int, cap(msgs))
	}
	k := min(len(x.seen), len(msgs))
	if k > 0 && &x.seen[0] != &msgs[0] { // another array: find where they part
		for i := range k {
			if x.seen[i].ID != msgs[i].ID {
				k = i
				break
			}
		}
	}
	for _, m := range x.seen[k:] {
		delete(x.pos, m.ID)
	}
	for i := k; i < len(msgs); i++ {
		x.pos[msgs[i].ID] = i
	}
	x.seen = msgs[:len(msgs):len(msgs)]
}

// resetViews sends every view the whole transcript again. Locked.
func (cv *conv) resetViews() {
	cv.broadcast(func(v *Chat) {
		shown, live, livePatch, busy, ok := cv.attach(v)
		if ok {
			v.reset(shown, live, livePatch, busy)
		}
	})
}

// rewrite makes the raw text text[:off] + s (another instance's text
// event) and shows it. Locked.
func (w *writer) rewrite(off int, s string) {
	if off > w.text.Len() {
		w.cv.logger().Warn("chat: live text with a gap skipped", zap.Int("off", off), zap.Int("have", w.text.Len()))
		return
	}
	if off == w.text.Len() {
		w.text.WriteString(s)
		_, _ = w.ms.WriteString(s)
	} else {
		text := w.text.String()[:off] + s
		w.text.Reset()
		w.text.WriteString(text)
		w.ms = renderer.NewStream()
		_, _ = w.ms.WriteString(text)
	}
	w.schedule()
}

// finishRemote ends the copy of another instance's reply with m, the
// finished message it published. Locked.
func (w *writer) finishRemote(m Message) {
	cv := w.cv
	w.stop()
	// The pages have the text streamed so far: bring it to the finished
	// message's, whose rendering is a whole render of it.
	var raw strings.Builder
	if m.Thinking != "" {
		raw.WriteString("<thinking>\n" + m.Thinking + "\n</thinking>\n")
	}
	raw.WriteString(m.Content)
	if raw.String() != w.text.String() {
		w.ms = renderer.NewStream()
		_, _ = w.ms.WriteString(raw.String())
	}
	p := w.ms.Finish()
	if w.epoch != cv.epoch || cv.has(m.ID) {
		return
	}
	w.showEnd(m, p)
}
