package chat

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/sheenhq/sheen/store"
)

// What a conversation saves, and when (docs/persistence.md):
//
//   - the conversation itself, with every message it holds, when its first
//     user message arrives (a chat nobody wrote in is never saved);
//   - then every appended message, at once;
//   - a streaming reply: an empty message marked streaming when it starts,
//     its text as it grows (AppendText, at the first closed block after
//     SaveEvery since the last save), and the finished message (Update).
//
// Writes go through a queue per conversation, in order, on a goroutine of
// their own: the stream never waits for the disk. A failing store keeps the
// queue (the transcript is in memory anyway) and retries with backoff.

// persistQueue is a conversation's queue of store writes. Guarded by the
// conversation's mu.
type persistQueue struct {
	ops     []saveOp
	running bool
}

type saveKind int

const (
	saveCreate saveKind = iota
	saveAppend
	saveText
	saveUpdate
	savePublish // an event for the live log (live.go)
	saveDelete  // messages cut from the transcript (actions.go)
)

type saveOp struct {
	kind  saveKind
	conv  store.Conversation
	msgs  []store.Message // saveCreate: the messages that come with it
	msg   store.Message   // saveAppend, saveUpdate; saveText: ID and Content (the added text)
	files []savedBytes    // saveCreate, saveAppend: attachments' bytes, saved before the messages
	data  []byte          // savePublish: the event
	trim  bool            // savePublish: drop the log's events before this one
	ids   []string        // saveDelete: the messages
	keys  []string        // saveDelete: their attachments' files that nothing else refers to, removed after them
}

// textSaver is what of a streaming message's text is saved. Guarded by the
// conversation's mu.
type textSaver struct {
	started bool      // the streaming message was appended to the store
	saved   int       // bytes of the text saved
	dirty   bool      // the text before saved was rewritten (Replace)
	last    time.Time // the last save
}

// rewound records that the text was cut back to n bytes.
func (s *textSaver) rewound(n int) {
	if n < s.saved {
		s.saved, s.dirty = n, true
	}
}

// save queues op. Locked.
func (cv *conv) save(op saveOp) {
	q := &cv.saves
	if n := len(q.ops); op.kind == saveText && n > 0 {
		if last := &q.ops[n-1]; last.kind == saveText && last.msg.ID == op.msg.ID {
			last.msg.Content += op.msg.Content // the store is behind: one write for both
			return
		}
	}
	q.ops = append(q.ops, op)
	if !q.running {
		q.running = true
		cv.h.savingStarted()
		go cv.persist()
	}
}

// persist writes the queue, in order, until it is empty. A failing write is
// retried with backoff until it works, or until the history stops.
func (cv *conv) persist() {
	h := cv.h
	defer h.savingEnded()
	backoff := 100 * time.Millisecond
	for {
		cv.mu.Lock()
		q := &cv.saves
		if len(q.ops) == 0 {
			q.running = false
			h.released(cv)
			cv.mu.Unlock()
			return
		}
		op := q.ops[0]
		cv.mu.Unlock()
		err := cv.write(op)
		switch {
		case err == nil, errors.Is(err, store.ErrNotFound):
			if err != nil { // deleted meanwhile: nothing more to save
				cv.logger().Info("chat: conversation gone; not saving", zap.Error(err))
			}
			cv.mu.Lock()
			if err != nil {
				cv.saves.ops = nil
			} else {
				cv.saves.ops[0] = saveOp{}
				cv.saves.ops = cv.saves.ops[1:]
			}
			cv.mu.Unlock()
			if err == nil {
				h.storeWorks()
				if op.kind == saveCreate {
					h.listChanged(op.conv.Owner) // the sidebars list it now
				}
			}
			backoff = 100 * time.Millisecond
		default:
			h.storeFailed(err)
			t := time.NewTimer(backoff)
			select {
			case <-t.C:
			case <-h.stop:
				t.Stop()
				cv.logger().Error("chat: history stopped with unsaved changes", zap.Error(err))
				cv.mu.Lock()
				cv.saves.ops = nil
				cv.mu.Unlock()
			}
			backoff = min(backoff*2, 5*time.Second)
		}
	}
}

// writeTimeout bounds one store call.
const writeTimeout = 10 * time.Second

// write performs one store write.
func (cv *conv) write(op saveOp) error {
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	st := cv.h.st
	switch op.kind {
	case saveCreate:
		// ErrExists: a retry of a write that worked but whose answer was
		// lost (a timeout, a store that went away): it is there.
		if err := st.Create(ctx, op.conv); err != nil && !errors.Is(err, store.ErrExists) {
			return err
		}
		if err := cv.putFiles(ctx, op.conv.ID, op.files); err != nil {
			return err
		}
		// Each message has a deadline of its own: a conversation created
		// with thousands of messages (an import) is saved, where one
		// deadline for all timed out, and its retry started over, forever.
		for _, m := range op.msgs {
			actx, acancel := context.WithTimeout(context.Background(), writeTimeout)
			err := st.Append(actx, op.conv.ID, m)
			acancel()
			if err != nil && !errors.Is(err, store.ErrExists) {
				return err
			}
		}
		return nil
	case saveAppend:
		if err := cv.putFiles(ctx, cv.id, op.files); err != nil {
			return err
		}
		if err := st.Append(ctx, cv.id, op.msg); err != nil && !errors.Is(err, store.ErrExists) {
			return err
		}
		return nil
	case saveText:
		return st.AppendText(ctx, cv.id, op.msg.ID, op.msg.Content)
	case saveDelete:
		// The messages first: a crash in between leaves bytes nobody
		// refers to, never a message whose bytes are gone.
		if len(op.ids) > 0 {
			if err := st.DeleteMessages(ctx, cv.id, op.ids); err != nil {
				return err
			}
		}
		if fs, ok := st.(store.Files); ok && len(op.keys) > 0 {
			return fs.DeleteFiles(ctx, cv.id, op.keys)
		}
		return nil
	case savePublish:
		bus := cv.h.bus
		pos, err := bus.Publish(ctx, cv.id, op.data)
		if err != nil {
			return err
		}
		cv.mu.Lock()
		prev := cv.shared.pos
		cv.shared.pos = pos
		// A reply starts: what came before the previous reply's start is in
		// the store and read by every follower. The events since are kept:
		// a follower still reading those just written (a cut and an edit
		// right before this start, actions.go) must not lose them.
		upTo := cv.shared.trimAt
		if op.trim {
			cv.shared.trimAt = prev
		}
		cv.mu.Unlock()
		if op.trim && upTo != "" {
			if err := bus.Trim(ctx, cv.id, upTo); err != nil {
				cv.logger().Warn("chat: live log not trimmed", zap.Error(err))
			}
		}
		return nil
	default:
		return st.Update(ctx, cv.id, op.msg)
	}
}

// persistAppend saves m, just appended. The conversation is created in the
// store with its first user message. Locked.
func (cv *conv) persistAppend(m Message) {
	if cv.h == nil {
		return
	}
	if cv.stored {
		cv.save(saveOp{kind: saveAppend, msg: cv.toStore(m), files: cv.filesOf(m)})
		return
	}
	if m.Role != User {
		return
	}
	cv.stored = true
	cv.title = titleFrom(m.Content)
	now := time.Now()
	msgs := make([]store.Message, len(cv.msgs))
	var files []savedBytes
	for i, x := range cv.msgs {
		msgs[i] = cv.toStore(x)
		files = append(files, cv.filesOf(x)...)
	}
	cv.save(saveOp{kind: saveCreate, conv: store.Conversation{ID: cv.id, Owner: cv.owner, Title: cv.title, Created: now, Updated: now}, msgs: msgs, files: files})
	cv.h.register(cv)
	cv.startFollowing("")
	id, title := cv.id, cv.title
	cv.broadcast(func(v *Chat) { v.send("conversation", map[string]any{"id": id, "title": title, "push": false}) })
}

// persistStart saves the empty streaming message of w. Locked.
func (cv *conv) persistStart(w *writer) {
	w.save = textSaver{last: time.Now()}
	if cv.h == nil || !cv.stored {
		return
	}
	w.save.started = true
	cv.save(saveOp{kind: saveAppend, msg: store.Message{ID: w.id, Role: string(Assistant), Status: store.StatusStreaming, Meta: w.rawMeta(), Created: time.Now()}})
}

// rawMeta marks a message whose Content is the raw streamed text (thinking
// tags included), as saved while it streams, with who writes it and since
// when.
func (w *writer) rawMeta() []byte {
	raw, _ := json.Marshal(meta{Raw: true, Icon: w.icon, Author: w.author, Time: msTime(w.at)})
	return raw
}

// persistText saves the text w has that is not saved yet, if SaveEvery has
// passed since the last save (or force). Locked.
func (cv *conv) persistText(w *writer, force bool) {
	s := &w.save
	if !s.started || (!force && time.Since(s.last) < cv.h.saveEvery) {
		return
	}
	text := w.text.String()
	s.last = time.Now()
	if s.dirty {
		s.dirty, s.saved = false, len(text)
		cv.save(saveOp{kind: saveUpdate, msg: store.Message{ID: w.id, Role: string(Assistant), Content: text, Status: store.StatusStreaming, Meta: w.streamingMeta()}})
		return
	}
	if len(text) > s.saved {
		cv.save(saveOp{kind: saveText, msg: store.Message{ID: w.id, Content: text[s.saved:]}})
		s.saved = len(text)
	}
}

// persistFinish saves the finished message m of w. Locked.
func (cv *conv) persistFinish(w *writer, m Message) {
	if cv.h == nil || !cv.stored {
		return
	}
	if !w.save.started {
		cv.save(saveOp{kind: saveAppend, msg: cv.toStore(m)})
		return
	}
	cv.save(saveOp{kind: saveUpdate, msg: cv.toStore(m)})
}

// meta is what a message keeps beside its text in the store.
type meta struct {
	Raw         bool        `json:"raw,omitempty"` // Content is the raw streamed text
	ContentType ContentType `json:"type,omitempty"`
	Thinking    string      `json:"thinking,omitempty"`
	Icon        HTML        `json:"icon,omitempty"`
	Error       string      `json:"error,omitempty"`
	Command     string      `json:"command,omitempty"`
	Author      string      `json:"author,omitempty"`
	Transformed string      `json:"transformed,omitempty"`
	Time        int64       `json:"time,omitempty"` // ms since the epoch
	Attachments []savedFile `json:"attachments,omitempty"`
	ToolCalls   []ToolCall  `json:"tools,omitempty"`   // toolcall.go
	Metrics     *Metrics    `json:"metrics,omitempty"` // metrics.go
	// The rendered HTML, reused while Renderer is the markdown renderer's
	// fingerprint (a restored conversation is not rendered again).
	HTML         string `json:"html,omitempty"`
	ThinkingHTML string `json:"thinkingHtml,omitempty"`
	Renderer     string `json:"renderer,omitempty"`
	// The user's rating of an assistant message, and a user message's
	// other answers (actions.go).
	Feedback *Feedback  `json:"feedback,omitempty"`
	Alts     *savedAlts `json:"alts,omitempty"`
	// UI is the last snapshot of each part of the message's live UI
	// (live_ui.go): static HTML sheen rendered, never a closure.
	UI []savedUI `json:"ui,omitempty"`
}

// savedFile is an attachment as saved: its name, type, size and thumbnail.
// Its bytes are saved apart, under the key File, when the store keeps files
// ([store.Files]); else they are not kept.
type savedFile struct {
	Name  string `json:"name"`
	MIME  string `json:"mime"`
	Size  int64  `json:"size"`
	URL   string `json:"url,omitempty"`
	Thumb string `json:"thumb,omitempty"`
	File  string `json:"file,omitempty"`
}

// toStore is m as the store keeps it, with its rendering if it has one.
// Locked.
func (cv *conv) toStore(m Message) store.Message {
	md := meta{ContentType: m.ContentType, Thinking: m.Thinking, Icon: m.Icon, Error: m.Error, Command: m.Command, UI: m.ui.saved(),
		Author: m.Author, Time: msTime(m.Time), Transformed: m.Transformed, ToolCalls: m.ToolCalls, Metrics: m.Metrics}
	if m.Feedback != (Feedback{}) {
		md.Feedback = &m.Feedback
	}
	md.Alts = cv.savedAlts(m.ID)
	if r, ok := cv.html[m.ID]; ok {
		md.HTML, md.ThinkingHTML, md.Renderer = r.html, r.thinking, renderer.Fingerprint()
	}
	for i, a := range m.Attachments {
		size := a.Size
		if a.Data != nil {
			size = int64(len(a.Data))
		}
		f := savedFile{Name: a.Name, MIME: a.MIME, Size: size, URL: a.URL, Thumb: a.thumb, File: a.file}
		if f.File == "" && a.Data != nil && cv.fileStore() != nil {
			f.File = fileKey(m.ID, i)
		}
		md.Attachments = append(md.Attachments, f)
	}
	raw, _ := json.Marshal(md)
	return store.Message{ID: m.ID, Role: string(m.Role), Content: m.Content, Status: string(m.Status), Meta: raw, Created: time.Now()}
}

// fromStore turns a saved message back into a Message, with its rendering
// when the store has one made by this renderer; ok is false for a row that
// makes no sense (reported and skipped by the caller).
func fromStore(sm store.Message) (m Message, r rendered, ok bool) {
	var md meta
	if len(sm.Meta) > 0 && json.Unmarshal(sm.Meta, &md) != nil {
		return Message{}, r, false
	}
	switch Role(sm.Role) {
	case User, Assistant, System:
	default:
		return Message{}, r, false
	}
	if sm.ID == "" || !utf8.ValidString(sm.Content) {
		return Message{}, r, false
	}
	m = Message{ID: sm.ID, Role: Role(sm.Role), Content: sm.Content, ContentType: md.ContentType, Thinking: md.Thinking,
		Icon: md.Icon, Status: Status(sm.Status), Error: md.Error, Command: md.Command, ui: restoredUI(md.UI),
		Author: md.Author, Time: fromMS(md.Time), Transformed: md.Transformed, ToolCalls: md.ToolCalls, Metrics: md.Metrics}
	if md.Feedback != nil {
		m.Feedback = md.Feedback.clean()
	}
	if m.Time.IsZero() {
		m.Time = sm.Created
	}
	if m.ContentType == "" {
		m.ContentType = Markdown
	}
	for _, f := range md.Attachments {
		m.Attachments = append(m.Attachments, Attachment{Name: f.Name, MIME: f.MIME, URL: f.URL, Size: f.Size, thumb: f.Thumb, file: f.File})
	}
	if md.Raw { // saved while it streamed: split off the thinking text
		ms := renderer.NewStream()
		_, _ = ms.WriteString(sm.Content)
		ms.Finish()
		m.Content, m.Thinking = ms.Answer(), ms.Thinking()
	}
	if sm.Status == store.StatusStreaming {
		m.Status, m.Error = Interrupted, interruptedText
		m.ToolCalls = endedTools(m.ToolCalls) // toolcall.go
	} else if md.Renderer == renderer.Fingerprint() {
		r = rendered{html: md.HTML, thinking: md.ThinkingHTML}
	}
	return m, r, true
}

// restore builds the conversation of a store's rows. A message left
// streaming by a process that is gone is shown, and saved, as interrupted.
//
// With a bus the last message left streaming may still be streaming on
// another instance: it is shown as the reply streaming so far, the live
// log brings the rest, and it is taken for cut only if its instance stays
// silent for LiveTimeout (live.go).
func (h *History) restore(sc store.Conversation, rows []store.Message) *conv {
	cv := newConv(h, sc.ID, sc.Owner, "chat")
	cv.title, cv.stored = sc.Title, true
	last := -1
	if h.bus != nil {
		for i, row := range rows {
			if row.Status == store.StatusStreaming {
				last = i
			}
		}
	}
	for i, row := range rows {
		if i == last {
			cv.follow(row)
			continue
		}
		m, r, ok := fromStore(row)
		if !ok {
			cv.logger().Warn("chat: unreadable saved message skipped", zap.String("message", row.ID))
			continue
		}
		cv.msgs = append(cv.msgs, m)
		cv.keep(m.ID, r)
		cv.restoreAlts(row)
		if row.Status == store.StatusStreaming {
			cv.mu.Lock()
			cv.save(saveOp{kind: saveUpdate, msg: cv.toStore(m)})
			cv.mu.Unlock()
		}
		if m.Role == User {
			cv.submits++
		}
	}
	// Message ids go on after the highest one saved ("<prefix>-m<n>", with
	// "-<instance>" after it when instances share conversations).
	for _, m := range cv.msgs {
		if prefix, n, ok := parseMsgID(m.ID); ok && n > cv.nextID {
			cv.prefix, cv.nextID = prefix, n
		}
	}
	for _, a := range cv.alts { // answers not shown keep their ids too
		for _, ans := range a.answers {
			for _, m := range ans {
				if prefix, n, ok := parseMsgID(m.ID); ok && n > cv.nextID {
					cv.prefix, cv.nextID = prefix, n
				}
			}
		}
	}
	return cv
}

// parseMsgID splits a message id made by newID into its prefix and number.
func parseMsgID(id string) (prefix string, n int, ok bool) {
	i := strings.LastIndex(id, "-m")
	for i >= 0 {
		digits := id[i+2:]
		if j := strings.IndexByte(digits, '-'); j >= 0 {
			digits = digits[:j]
		}
		if v, err := strconv.Atoi(digits); err == nil && v >= 0 {
			return id[:i], v, true
		}
		i = strings.LastIndex(id[:i], "-m")
	}
	return "", 0, false
}

// titleFrom makes a conversation's title of its first user message: the
// first line, spaces collapsed, at most 80 characters.
func titleFrom(text string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	line = strings.Join(strings.Fields(line), " ")
	if utf8.RuneCountInString(line) > 80 {
		r := []rune(line)
		line = strings.TrimSpace(string(r[:79])) + "…"
	}
	if line == "" {
		line = "New chat"
	}
	return line
}

// savedBytes is an attachment's bytes, to save under key.
type savedBytes struct {
	key  string
	data []byte
}

// fileKey is the store key of the i-th attachment of message msgID.
func fileKey(msgID string, i int) string { return msgID + "-a" + strconv.Itoa(i) }

// fileStore is the history's store as a keeper of files, nil if it keeps
// none.
func (cv *conv) fileStore() store.Files {
	if cv.h == nil {
		return nil
	}
	fs, _ := cv.h.st.(store.Files)
	return fs
}

// filesOf returns the bytes of m's attachments to save. Locked.
func (cv *conv) filesOf(m Message) []savedBytes {
	if cv.fileStore() == nil {
		return nil
	}
	var out []savedBytes
	for i, a := range m.Attachments {
		if a.Data != nil && a.file == "" {
			out = append(out, savedBytes{key: fileKey(m.ID, i), data: a.Data})
		}
	}
	return out
}

// fileKeys adds to keys the store's keys of m's attachments' bytes (saved
// or to be saved).
func fileKeys(keys map[string]bool, m Message) {
	for i, a := range m.Attachments {
		switch {
		case a.file != "":
			keys[a.file] = true
		case a.Data != nil:
			keys[fileKey(m.ID, i)] = true
		}
	}
}

// orphanFiles returns the keys of the files of cut (messages removed from
// the transcript) and of dropped (answers no longer kept as alternatives)
// that no message left in the conversation, shown or alternative, refers
// to: a deleted message's attachments go with it. Locked.
func (cv *conv) orphanFiles(cut []Message, dropped []*altSet) []string {
	if cv.fileStore() == nil {
		return nil
	}
	gone := map[string]bool{}
	for _, m := range cut {
		fileKeys(gone, m)
	}
	for _, a := range dropped {
		a.fileKeys(gone)
	}
	if len(gone) == 0 {
		return nil
	}
	kept := map[string]bool{}
	for _, m := range cv.msgs {
		fileKeys(kept, m)
	}
	for _, a := range cv.alts {
		a.fileKeys(kept)
	}
	var out []string
	for k := range gone {
		if !kept[k] {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// putFiles saves attachments' bytes. Rewriting a file (a retried write) is
// harmless.
func (cv *conv) putFiles(ctx context.Context, id string, files []savedBytes) error {
	fs := cv.fileStore()
	for _, f := range files {
		if err := fs.PutFile(ctx, id, f.key, f.data); err != nil {
			return err
		}
	}
	return nil
}

// loadFiles reads the bytes of a restored conversation's attachments from
// the store, so that Messages() and the provider formats carry them. A file
// that cannot be read is logged and left empty.
func (h *History) loadFiles(ctx context.Context, cv *conv) {
	fs, ok := h.st.(store.Files)
	if !ok {
		return
	}
	for i := range cv.msgs {
		as := cv.msgs[i].Attachments
		if len(as) == 0 {
			continue
		}
		as = slices.Clone(as)
		for j := range as {
			if as[j].file == "" || as[j].Data != nil {
				continue
			}
			data, err := fs.GetFile(ctx, cv.id, as[j].file)
			if err != nil {
				cv.logger().Warn("chat: attachment not loaded", zap.String("file", as[j].file), zap.Error(err))
				continue
			}
			as[j].Data = data
		}
		cv.msgs[i].Attachments = as
	}
}

// fetchFiles loads, in the background, the bytes of m's attachments: m came
// from another instance, whose event carries their keys, not their bytes
// (those are in the store before the event is published). History.Sync
// waits for it. Locked.
func (cv *conv) fetchFiles(m Message) {
	fs := cv.fileStore()
	if fs == nil || !slices.ContainsFunc(m.Attachments, func(a Attachment) bool { return a.file != "" && a.Data == nil }) {
		return
	}
	h := cv.h
	h.savingStarted()
	go func() {
		defer h.savingEnded()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		got := map[string][]byte{}
		for _, a := range m.Attachments {
			if a.file == "" || a.Data != nil {
				continue
			}
			data, err := fs.GetFile(ctx, cv.id, a.file)
			if err != nil {
				cv.logger().Warn("chat: attachment of another instance not loaded", zap.String("file", a.file), zap.Error(err))
				continue
			}
			got[a.file] = data
		}
		cv.mu.Lock()
		defer cv.mu.Unlock()
		i := cv.index(m.ID)
		if i < 0 || len(got) == 0 {
			return
		}
		as := slices.Clone(cv.msgs[i].Attachments)
		for j := range as {
			if d, ok := got[as[j].file]; ok && as[j].Data == nil {
				as[j].Data = d
			}
		}
		msgs := slices.Clone(cv.msgs) // snapshots share the old array
		msgs[i].Attachments = as
		cv.msgs = msgs
	}()
}
