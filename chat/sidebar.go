package chat

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/store"
)

// Sidebar shows or hides the history sidebar of a chat with a [History]
// (shown by default). Give it to [UI].
func Sidebar(on bool) Option { return func(c *config) { c.sidebar = on } }

// shown returns how many messages the page shows (system messages are not).
func (cv *conv) shown() int {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	n := 0
	for _, m := range cv.msgs {
		if m.Role != System {
			n++
		}
	}
	return n
}

// historyTimeout bounds the store calls a page's action waits for.
const historyTimeout = 10 * time.Second

// readyHistory opens the conversation the page's URL names (?c=<id>) and
// sends the history list. Turn.
func (c *Chat) readyHistory(data json.RawMessage) {
	if c.h == nil {
		return
	}
	var r struct {
		C string `json:"c"`
	}
	_ = json.Unmarshal(data, &r)
	if r.C != "" {
		c.open(r.C, false)
	}
	c.sendList(false)
}

// historyEvent handles the sidebar's events. Turn.
func (c *Chat) historyEvent(name string, data json.RawMessage) {
	if c.h == nil {
		c.log.Warn("chat: history event without a history", zap.String("name", name))
		return
	}
	var r struct {
		ID    string `json:"id"`
		Title string `json:"title"`
		Nav   bool   `json:"nav"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		c.log.Warn("chat: bad history event", zap.String("name", name), zap.Error(err))
		return
	}
	switch name {
	case "open":
		if r.ID == "" {
			c.openNew(!r.Nav)
			return
		}
		c.open(r.ID, !r.Nav)
	case "more":
		c.sendList(true)
	case "rename":
		c.rename(r.ID, r.Title)
	case "delete":
		c.deleteConv(r.ID)
	}
}

// openNew shows a new, empty conversation. Turn.
func (c *Chat) openNew(push bool) {
	if cur := c.cur(); !cur.storedNow() && cur.shown() == 0 {
		c.send("conversation", map[string]any{"id": "", "title": "", "push": push})
		return // already on a new one
	}
	c.show(c.newConv(), true)
	c.send("conversation", map[string]any{"id": "", "title": "", "push": push})
	c.maybeRequestGreeting()
}

// storedNow reports whether the conversation is saved.
func (cv *conv) storedNow() bool {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	return cv.stored
}

// open shows conversation id, loaded off the session's goroutine. An id
// that is not the user's shows "not found" and a new conversation. Turn.
func (c *Chat) open(id string, push bool) {
	if cur := c.cur(); cur.id == id {
		return
	}
	owner := c.s.User()
	c.opening++
	go func() {
		defer c.g.Post(c.opened)
		for range 3 {
			ctx, cancel := context.WithTimeout(context.Background(), historyTimeout)
			cv, err := c.h.load(ctx, owner, id)
			cancel()
			done := make(chan bool, 1)
			c.g.Post(func() {
				if c.gone {
					done <- true
					return
				}
				switch {
				case errors.Is(err, store.ErrNotFound):
					c.s.Notify(sheen.LevelWarning, "That conversation was not found. It may have been deleted.")
					c.openNew(false)
				case err != nil:
					c.log.Error("chat: a conversation could not be loaded", zap.Error(err))
					c.s.Notify(sheen.LevelError, "That conversation could not be loaded right now. Try again in a moment.")
					c.send("conversation", map[string]any{"id": c.cur().id, "title": c.cur().titleNow(), "push": false})
				default:
					if !c.show(cv, true) {
						done <- false // dropped from memory meanwhile: load again
						return
					}
					c.send("conversation", map[string]any{"id": cv.id, "title": cv.titleNow(), "push": push})
				}
				done <- true
			})
			if <-done {
				return
			}
		}
	}()
}

// opened runs when a conversation has loaded (or failed to): submissions
// that waited for it go to it now. Their questions are shown by the server:
// the page's own copies went with the transcript it replaced. Turn.
func (c *Chat) opened() {
	c.opening--
	if c.opening > 0 || c.gone {
		return
	}
	waiting := c.waiting
	c.waiting = nil
	for _, in := range waiting {
		c.submitTo(in, nil)
	}
}

func (cv *conv) titleNow() string {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	return cv.title
}

// listItem is a conversation in the sidebar.
type listItem struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Updated int64  `json:"updated"`
}

// sendList sends the first page of the user's conversations, or the next
// one. The store is read off the session's goroutine. Turn.
func (c *Chat) sendList(more bool) {
	cursor := ""
	if more {
		if c.cursor == "" {
			return
		}
		cursor = c.cursor
	}
	owner := c.s.User()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), historyTimeout)
		page, next, err := c.h.st.List(ctx, owner, cursor, c.h.pageSize)
		cancel()
		c.g.Post(func() {
			if err != nil {
				c.log.Error("chat: the history list could not be read", zap.Error(err))
				c.h.storeFailed(err)
				return
			}
			c.cursor = next
			items := make([]listItem, len(page))
			for i, x := range page {
				items[i] = listItem{ID: x.ID, Title: x.Title, Updated: x.Updated.UnixMilli()}
			}
			cur := c.cur()
			current := ""
			if cur.storedNow() {
				current = cur.id
			}
			c.send("history", map[string]any{"items": items, "more": next != "", "append": more, "current": current})
		})
	}()
}

// listChanged refreshes the sidebars of owner's pages.
func (h *History) listChanged(owner string) {
	h.eachView(owner, func(c *Chat) { c.sendList(false) })
}

// maxTitle is the longest title a user may give, in runes.
const maxTitle = 200

// rename renames one of the user's conversations. Turn.
func (c *Chat) rename(id, title string) {
	title = strings.Join(strings.Fields(title), " ")
	if title == "" || !validID(id) {
		return
	}
	if utf8.RuneCountInString(title) > maxTitle {
		title = string([]rune(title)[:maxTitle])
	}
	owner := c.s.User()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), historyTimeout)
		err := c.h.st.Rename(ctx, owner, id, title)
		cancel()
		if err != nil {
			c.log.Warn("chat: rename failed", zap.Error(err))
			c.s.Notify(sheen.LevelWarning, "The conversation could not be renamed.")
			return
		}
		c.h.mu.Lock()
		cv := c.h.live[id]
		c.h.mu.Unlock()
		if cv != nil {
			cv.mu.Lock()
			cv.title = title
			cv.broadcast(func(v *Chat) { v.send("conversation", map[string]any{"id": id, "title": title, "push": false}) })
			cv.mu.Unlock()
		}
		c.h.listChanged(owner)
	}()
}

// SetTitle sets the title of the conversation the chat shows (for example
// one a model wrote). It is saved with the conversation.
func (c *Chat) SetTitle(title string) {
	cv := c.cur()
	title = strings.Join(strings.Fields(title), " ")
	if utf8.RuneCountInString(title) > maxTitle {
		title = string([]rune(title)[:maxTitle])
	}
	cv.mu.Lock()
	cv.title = title
	stored := cv.stored
	cv.mu.Unlock()
	if stored && cv.h != nil {
		c.rename(cv.id, title)
	}
}

// deleteConv deletes one of the user's conversations; the pages showing it
// move to a new conversation. Turn.
func (c *Chat) deleteConv(id string) {
	if !validID(id) {
		return
	}
	owner := c.s.User()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), historyTimeout)
		err := c.h.st.Delete(ctx, owner, id)
		cancel()
		if err != nil {
			c.log.Warn("chat: delete failed", zap.Error(err))
			c.s.Notify(sheen.LevelWarning, "The conversation could not be deleted.")
			return
		}
		c.h.mu.Lock()
		cv := c.h.live[id]
		c.h.mu.Unlock()
		if cv != nil && cv.owner == owner {
			cv.stopResponse()
			cv.mu.Lock()
			cv.broadcast(func(v *Chat) { v.openNew(false) })
			cv.mu.Unlock()
			c.h.forget(id)
		}
		c.h.listChanged(owner)
	}()
}
