package chat

import (
	"context"
	"iter"
	"strings"
)

// greetingWire is the greeting as the page receives it, or nil. Turn.
func (c *Chat) greetingWire() any {
	if c.greeting == nil || c.greeting.dismissed {
		return nil
	}
	return map[string]any{"html": c.greeting.html, "persistent": c.greeting.persistent}
}

// dismissGreeting hides a non-persistent greeting when the first message
// arrives. Turn.
func (c *Chat) dismissGreeting() {
	gr := c.greeting
	if gr == nil || gr.persistent || gr.dismissed {
		return
	}
	gr.dismissed = true
	c.send("greeting", map[string]any{"greeting": nil})
	for _, fn := range c.greetDism {
		fn()
	}
}

// maybeRequestGreeting fires the greeting-requested handlers when the chat
// is on the page with no message and no greeting. Turn.
func (c *Chat) maybeRequestGreeting() {
	if !c.ready || c.cur().shown() > 0 || (c.greeting != nil && !c.greeting.dismissed) || len(c.greetReq) == 0 {
		return
	}
	hs := append([]func(context.Context){}, c.greetReq...)
	ctx := c.s.Context()
	go func() {
		for _, h := range hs {
			h(ctx)
		}
	}()
}

// OnGreetingRequested registers fn to run (off the session goroutine) when
// the chat is on the page with no messages and no greeting, and again after
// ClearMessages([KeepGreeting]). fn typically calls [Chat.SetGreeting] or
// [Chat.StreamGreeting].
func (c *Chat) OnGreetingRequested(fn func(ctx context.Context)) {
	c.g.Do(func() {
		c.greetReq = append(c.greetReq, fn)
		c.maybeRequestGreeting()
	})
}

// OnGreetingDismissed registers fn to run when the first message dismisses
// the greeting. fn runs in the session's reactive code: keep it short.
func (c *Chat) OnGreetingDismissed(fn func()) {
	c.g.Do(func() { c.greetDism = append(c.greetDism, fn) })
}

// SetGreeting shows a greeting (a plain string is markdown, [HTML] trusted
// HTML), replacing any other; nil (or empty content) removes it. persistent
// keeps it above the messages; otherwise the first message dismisses it, and
// a non-persistent greeting set while messages are shown is dismissed at
// once (the greeting shown before it leaves the page).
func (c *Chat) SetGreeting(content any, persistent bool) {
	c.g.Do(func() {
		html := ""
		if content != nil {
			html = c.renderContent(content)
		}
		if html == "" {
			c.greeting = nil
		} else {
			c.greeting = &greetingState{html: html, persistent: persistent}
			if c.cur().shown() > 0 && !persistent {
				c.greeting.dismissed = true
			}
		}
		c.send("greeting", map[string]any{"greeting": c.greetingWire()})
	})
}

// Greeting returns the chat's greeting as rendered HTML, whether it is
// persistent, and whether it is shown now (false once a message dismissed
// it). Without a greeting html is "".
func (c *Chat) Greeting() (html HTML, persistent, shown bool) {
	c.g.Do(func() {
		if gr := c.greeting; gr != nil {
			html, persistent, shown = HTML(gr.html), gr.persistent, !gr.dismissed
		}
	})
	return html, persistent, shown
}

// StreamGreeting shows a greeting streamed from seq (markdown chunks), and
// returns when it is complete or ctx ends.
func (c *Chat) StreamGreeting(ctx context.Context, seq iter.Seq2[string, error], persistent bool) error {
	var text strings.Builder
	for s, err := range seq {
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		text.WriteString(s)
		c.SetGreeting(text.String(), persistent)
	}
	return nil
}
