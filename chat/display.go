package chat

import (
	"strconv"
	"strings"
	"time"

	"github.com/sheenhq/sheen"
)

// Options of the page's chat: the typing indicator, the input and send
// button, scrolling, a header, and the container's own classes and
// attributes. Pass them to [UI].

// ThinkingIndicator sets the typing indicator shown while the page waits
// for the first words of a reply: text beside its dots ("" for the dots
// alone, the default; the text is also its accessible name) and delay, how
// long a reply may take before it shows (0: at once, the default).
func ThinkingIndicator(text string, delay time.Duration) Option {
	return func(c *config) { c.pendingText, c.pendingDelay = text, max(delay, 0) }
}

// HideSendButton hides the send button: the input sends with the keyboard
// alone (the stop button still shows while a reply runs, with [Cancel]).
func HideSendButton() Option { return func(c *config) { c.hideSend = true } }

// KeepInput keeps the text in the input after it is sent (to send variants
// of a question); by default the input empties.
func KeepInput() Option { return func(c *config) { c.keepInput = true } }

// ScrollThresholds sets, in CSS pixels from the bottom of the transcript,
// how close the reader must be for the chat to follow new text (follow;
// default 16) and how far they must be for the "Jump to latest" button to
// show (jump; default 16). Negative values keep the default.
func ScrollThresholds(follow, jump int) Option {
	return func(c *config) { c.followPx, c.jumpPx = follow, jump }
}

// Header sets trusted HTML shown above the transcript (a title, a model
// picker).
func Header(h HTML) Option { return func(c *config) { c.header = h } }

// ContainerClass adds CSS classes to the chat's container element.
func ContainerClass(names ...string) Option {
	return func(c *config) { c.classes = append(c.classes, names...) }
}

// ContainerAttr sets an attribute of the chat's container element (e.g.
// "aria-label", or a data- attribute for the app's own CSS or scripts).
// Names the chat relies on (id, class, style, data-sheen-*, data- names the
// chat reads) are skipped; event handlers (on…) are refused by
// [sheen.Attr]: UI then renders an error.
func ContainerAttr(name, value string) Option {
	return func(c *config) { c.attrs = append(c.attrs, [2]string{name, value}) }
}

// displayAttrs are the attributes of UI's container for these options.
func (cfg *config) displayAttrs() []sheen.Node {
	var a []sheen.Node
	if cfg.pendingText != "" {
		a = append(a, sheen.Attr("data-pending-text", cfg.pendingText))
	}
	if cfg.pendingDelay > 0 {
		a = append(a, sheen.Attr("data-pending-delay", strconv.FormatInt(cfg.pendingDelay.Milliseconds(), 10)))
	}
	if cfg.hideSend {
		a = append(a, sheen.Attr("data-hide-send", ""))
	}
	if cfg.keepInput {
		a = append(a, sheen.Attr("data-keep-input", ""))
	}
	if cfg.followPx >= 0 {
		a = append(a, sheen.Attr("data-follow-px", strconv.Itoa(cfg.followPx)))
	}
	if cfg.jumpPx >= 0 {
		a = append(a, sheen.Attr("data-jump-px", strconv.Itoa(cfg.jumpPx)))
	}
	if len(cfg.classes) > 0 {
		a = append(a, sheen.Class(cfg.classes...))
	}
	for _, kv := range cfg.attrs {
		if reservedAttr(kv[0]) {
			continue
		}
		a = append(a, sheen.Attr(kv[0], kv[1]))
	}
	return a
}

// reservedAttr reports whether the chat's container keeps attribute name
// to itself.
func reservedAttr(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "id", "class", "style":
		return true
	}
	if strings.HasPrefix(n, "data-sheen") {
		return true
	}
	for _, own := range []string{"data-placeholder", "data-submit-key", "data-cancel", "data-assistant-icon", "data-fill", "data-history",
		"data-width", "data-times", "data-user-name", "data-user-icon", "data-pending-text", "data-pending-delay", "data-hide-send",
		"data-keep-input", "data-follow-px", "data-jump-px", "data-synced"} {
		if n == own {
			return true
		}
	}
	return false
}

// SetInputDisabled disables the page's input with reason shown beside it
// (e.g. "Daily limit reached; try again tomorrow"), or, with reason "",
// enables it again. A disabled input sends nothing; the user's draft stays.
func (c *Chat) SetInputDisabled(disabled bool, reason string) {
	c.g.Do(func() {
		c.inputOff = inputOff{disabled, reason}
		c.send("input", map[string]any{"disabled": disabled, "reason": reason})
	})
}

type inputOff struct {
	on     bool
	reason string
}

// LatestStream returns the handle of the stream most recently started with
// [Chat.AppendMessageStream] (shinychat's latest_message_stream): its
// Status, and Wait for its result; nil before the first.
func (c *Chat) LatestStream() *Stream {
	return c.latest.Load()
}

// Destroy releases the chat, for an app that removes it from a live page
// (the session goes on): the response it runs is stopped (with a
// [History] it goes on, as when the page goes away: it belongs to the
// conversation), it leaves its conversation and the history's views, its
// handlers, transforms and commands are dropped, and the page's events for
// it are ignored from now on. Its goroutines end with the response. The
// app removes the element from the page. Destroy is idempotent; the
// session's end does the same.
func (c *Chat) Destroy() {
	c.g.Do(func() {
		if c.gone {
			return
		}
		c.ended()
		if c.h == nil {
			c.cur().detach(c) // with a history ended detached it
		}
		c.sendBusy(false) // the page, until the app removes it, is not left locked
		c.handlers, c.greetReq, c.greetDism, c.commands = nil, nil, nil, nil
		c.userTransform, c.assistantTransform = nil, nil
		c.waiting = nil
	})
}
