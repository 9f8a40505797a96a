package chat

import (
	"html"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Who said it and when: authors, avatars and times of messages.
//
// A message's Author is shown above it with its Time; its Icon is its
// avatar. The chat's defaults ([UserName], [UserIcon], [AssistantName],
// [AssistantIcon]) fill in what a message leaves empty; [Timestamps] shows
// the times.

// UserName sets the name shown above the user's messages (e.g. the signed-in
// user's). Pass it to [New] (the page learns it from the server, so each
// session may have its own) and, for the first paint, to [UI].
func UserName(name string) Option { return func(c *config) { c.userName = name } }

// UserIcon sets the avatar shown beside the user's messages (trusted HTML:
// see [AvatarImage] and [AvatarInitials]). Like [UserName], pass it to [New].
func UserIcon(h HTML) Option { return func(c *config) { c.userIcon = h } }

// AssistantName sets the name shown above assistant messages that have no
// Author of their own (Panel's callback_user).
func AssistantName(name string) Option { return func(c *config) { c.assistantName = name } }

// Timestamps shows when each message was written: relative ("2 min ago",
// kept current by one timer per chat), with the full date and time on hover,
// both in the reader's locale. Pass it to [UI].
func Timestamps() Option { return func(c *config) { c.times = true } }

// TimeLocale sets the BCP 47 locale the times are written in (e.g.
// "de-DE"); by default the reader's browser's. Pass it to [UI].
func TimeLocale(tag string) Option { return func(c *config) { c.timeLocale = tag } }

// AvatarImage is an avatar made of the image at src (an http(s) URL, a
// same-origin path or a data:image URL), with alt as its text alternative.
// Anything else gives an empty avatar.
func AvatarImage(src, alt string) HTML {
	if !safeImageURL(src) {
		return ""
	}
	return HTML(`<img src="` + html.EscapeString(src) + `" alt="` + html.EscapeString(alt) + `">`)
}

// AvatarInitials is an avatar made of text: its first two letters (or one
// emoji), e.g. AvatarInitials("Ada Lovelace") shows "AL".
func AvatarInitials(name string) HTML {
	return HTML(`<span class="sheen-chat-initials">` + html.EscapeString(initials(name)) + `</span>`)
}

// initials returns the first letters of name's first two words, upper-cased
// (or name's first character when it has no letters: an emoji).
func initials(name string) string {
	var b strings.Builder
	n := 0
	for w := range strings.FieldsSeq(name) {
		r, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			continue
		}
		b.WriteRune(unicode.ToUpper(r))
		if n++; n == 2 {
			break
		}
	}
	if n == 0 {
		if r, _ := utf8.DecodeRuneInString(strings.TrimSpace(name)); r != utf8.RuneError {
			return string(r)
		}
	}
	return b.String()
}

func safeImageURL(s string) bool {
	if strings.HasPrefix(s, "data:image/") {
		return !strings.HasPrefix(s, "data:image/svg") // SVG may carry script
	}
	u, err := url.Parse(s)
	if err != nil || s == "" {
		return false
	}
	switch u.Scheme {
	case "http", "https":
		return u.Host != ""
	case "":
		return u.Host == "" && !strings.HasPrefix(s, "//")
	}
	return false
}

// StreamOption sets who writes a streamed message
// ([Chat.AppendMessageStream], [Chat.StreamContext]).
type StreamOption func(*streamHead)

type streamHead struct {
	author string
	icon   HTML
}

// StreamAuthor sets the streamed message's author (an agent's name, say);
// by default the chat's [AssistantName].
func StreamAuthor(name string) StreamOption { return func(h *streamHead) { h.author = name } }

// StreamIcon sets the streamed message's avatar; by default the chat's
// [AssistantIcon].
func StreamIcon(icon HTML) StreamOption { return func(h *streamHead) { h.icon = icon } }

// applyHead sets w's author and icon from the chat's defaults and opts.
func (w *writer) applyHead(opts []StreamOption) {
	h := streamHead{author: w.author, icon: w.icon}
	for _, o := range opts {
		o(&h)
	}
	w.author, w.icon = h.author, h.icon
}

// head is w's message as it starts: no text yet. Locked.
func (w *writer) head() Message {
	return Message{ID: w.id, Role: Assistant, ContentType: Markdown, Icon: w.icon, Author: w.author, Time: w.at}
}

// stamp gives m the chat's defaults for its role (author, avatar). Any
// goroutine (reads the immutable config).
func (c *Chat) stamp(m *Message) {
	switch m.Role {
	case User:
		if m.Author == "" {
			m.Author = c.cfg.userName
		}
		if m.Icon == "" {
			m.Icon = c.cfg.userIcon
		}
	case Assistant:
		if m.Author == "" {
			m.Author = c.cfg.assistantName
		}
		if m.Icon == "" {
			m.Icon = c.cfg.icon
		}
	}
}

// sendDisplay tells the page the user's name and avatar, which it shows on
// the messages it puts up itself before the server has them.
func (c *Chat) sendDisplay() {
	if c.cfg.userName == "" && c.cfg.userIcon == "" {
		return
	}
	c.send("display", map[string]string{"userName": c.cfg.userName, "userIcon": string(c.cfg.userIcon)})
}

// msTime is t in milliseconds since the epoch; 0 for the zero time.
func msTime(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS is msTime's inverse.
func fromMS(ms int64) time.Time {
	if ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// userMsg is the user message of submission in, with the chat's user name
// and avatar.
func (c *Chat) userMsg(in Input) Message {
	m := Message{Role: User, Content: in.Text, ContentType: TextType, Attachments: in.Attachments}
	c.stamp(&m)
	return m
}
