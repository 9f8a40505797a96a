package pagetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/sheenhq/sheen/internal/markdown"
	"github.com/sheenhq/sheen/protocol"
)

// View is what a chat component shows, built from its messages as the
// browser builds it: the messages in order, each with its committed blocks
// and open tail, its role and its status. Messages the user submitted are
// in it only when the server sends them (the page shows a submission at
// once; the server does not echo it). The zero View is empty and ready to
// use.
type View struct {
	ids  []string
	msgs map[string]*viewMsg
	own  bool // show the page's own questions (ShowOwn)
}

// ShowOwn makes the view show the questions the page submits, as a browser
// does: the server's "own" message (its copy of the page's question) is
// then applied as an append. By default a Go page shows only what the
// server appends.
func (v *View) ShowOwn() { v.own = true }

type viewMsg struct {
	role, status string
	answer       markdown.View
}

// wireMsg is a message as the chat sends it in reset, append and start.
type wireMsg struct {
	ID     string `json:"id"`
	Role   string `json:"role"`
	HTML   string `json:"html"`
	Status string `json:"status"`
}

// wireDelta is a markdown.Delta as the chat sends it; missing fields are
// zero.
type wireDelta struct {
	From   int      `json:"from"`
	Keep   int      `json:"keep"`
	Blocks []string `json:"blocks"`
	Tail   string   `json:"tail"`
}

// wireData holds the fields of every message View.Apply reads.
type wireData struct {
	Messages []wireMsg `json:"messages"` // reset
	Message  *wireMsg  `json:"message"`  // append, start
	ID       string    `json:"id"`       // patch, end
	Answer   wireDelta `json:"answer"`   // patch
	Status   string    `json:"status"`   // end
	IDs      []string  `json:"ids"`      // remove
}

// Apply applies one of the chat component's messages: reset replaces the
// messages, append and start add one (or replace the one with its id, in
// place), patch applies a delta to a message's answer, end sets its
// status; remove removes messages and replace replaces one it has. Other names, system messages, and patches and ends for a message
// the view does not have (one a reset removed) are ignored, as the browser
// ignores them. It returns an error, leaving v unchanged, for data that
// does not decode and for a patch that does not follow the message's state
// (markdown.ErrOutOfStep).
func (v *View) Apply(m protocol.Message) error {
	switch m.Name {
	case "reset", "append", "start", "patch", "end", "remove", "replace", "own":
	default:
		return nil
	}
	var d wireData
	if len(m.Data) > 0 {
		if err := json.Unmarshal(m.Data, &d); err != nil {
			return fmt.Errorf("pagetest: %s: %w", m.Name, err)
		}
	}
	if v.msgs == nil {
		v.msgs = map[string]*viewMsg{}
	}
	switch m.Name {
	case "reset":
		v.ids, v.msgs = nil, map[string]*viewMsg{}
		for _, w := range d.Messages {
			v.add(w)
		}
	case "append", "start", "own":
		if m.Name == "own" && !v.own {
			return nil
		}
		if d.Message == nil {
			return fmt.Errorf("pagetest: %s without a message", m.Name)
		}
		v.add(*d.Message)
	case "patch":
		msg := v.msgs[d.ID]
		if msg == nil {
			return nil
		}
		a := d.Answer
		n, tail := len(msg.answer.Blocks), len(msg.answer.Tail)
		if err := msg.answer.Apply(markdown.Delta{From: a.From, Keep: a.Keep, Blocks: a.Blocks, Tail: a.Tail}); err != nil {
			return fmt.Errorf("pagetest: patch of message %q (%d blocks and a tail of %d bytes) from %d keeping %d: %w",
				d.ID, n, tail, a.From, a.Keep, err)
		}
	case "end":
		if msg := v.msgs[d.ID]; msg != nil {
			msg.status = d.Status
		}
	case "remove":
		for _, id := range d.IDs {
			if _, ok := v.msgs[id]; ok {
				delete(v.msgs, id)
				v.ids = slices.DeleteFunc(v.ids, func(x string) bool { return x == id })
			}
		}
	case "replace":
		if d.Message != nil && v.msgs[d.Message.ID] != nil {
			v.add(*d.Message)
		}
	}
	return nil
}

// add shows w: in place of the message with its id, or last.
func (v *View) add(w wireMsg) {
	if w.Role == "system" {
		return
	}
	if _, ok := v.msgs[w.ID]; !ok {
		v.ids = append(v.ids, w.ID)
	}
	v.msgs[w.ID] = &viewMsg{role: w.Role, status: w.Status, answer: markdown.View{Tail: w.HTML}}
}

// IDs returns the ids of the messages shown, in order.
func (v *View) IDs() []string { return slices.Clone(v.ids) }

// HTML returns the HTML of message id: its blocks and its tail.
func (v *View) HTML(id string) string {
	if m := v.msgs[id]; m != nil {
		return m.answer.HTML()
	}
	return ""
}

// Text returns the visible text of message id (see [Text]).
func (v *View) Text(id string) string { return Text(v.HTML(id)) }

// Texts returns the visible text of every message, in order.
func (v *View) Texts() []string {
	out := make([]string, len(v.ids))
	for i, id := range v.ids {
		out[i] = v.Text(id)
	}
	return out
}

// Role returns the role of message id ("user" or "assistant").
func (v *View) Role(id string) string {
	if m := v.msgs[id]; m != nil {
		return m.role
	}
	return ""
}

// Status returns the status of message id: the one it was sent with, or
// the one its stream ended with ("done", "stopped", "error"), or "" while
// it streams.
func (v *View) Status(id string) string {
	if m := v.msgs[id]; m != nil {
		return m.status
	}
	return ""
}

// Text returns the visible text of HTML, roughly: tags dropped, entities
// left as they are, space trimmed at both ends.
func Text(html string) string {
	var b strings.Builder
	in := false
	for _, r := range html {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}
