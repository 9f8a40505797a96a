package protocol

import "encoding/json"

// Welcome answers [Hello], server → page: the session is ready.
type Welcome struct {
	V   int    `json:"v"`   // the protocol version; always Version
	Seq uint64 `json:"seq"` // the seq of the last Update of the session so far
	// Session and Token identify the session; the page sends them back in
	// Resume after a reconnect. The token is a secret.
	Session string `json:"session"`
	Token   string `json:"token"`
	// Resumed is true when an existing session continues. The Updates the
	// page missed (seq > Resume.Seq) follow the Welcome, in order.
	Resumed bool `json:"resumed"`
	// Ack is the last client message number the session applied; the page
	// resends its messages with a larger n.
	Ack       uint64 `json:"ack"`
	Heartbeat int64  `json:"heartbeat"` // ping interval in milliseconds, > 0
	Grace     int64  `json:"grace"`     // how long the session outlives a lost connection, ms
}

// Update is everything one flush of the session changed, server → page. It is
// sent only when something changed (or to acknowledge client messages), never
// for an idle session. Every Update increments the sequence number.
type Update struct {
	Seq uint64 `json:"seq"`
	// Ack, when non-zero, is the last client message number applied.
	Ack      uint64                 `json:"ack,omitempty"`
	Outputs  map[string]Output      `json:"outputs,omitempty"`  // by output id
	Inputs   map[string]InputUpdate `json:"inputs,omitempty"`   // by input id
	Notices  []Notice               `json:"notices,omitempty"`  // to show, in order
	Messages []Message              `json:"messages,omitempty"` // component messages, in order
	// Busy is the session-level busy state, set only when it changes.
	Busy *bool `json:"busy,omitempty"`
	// Bookmark, when set, is the page's new bookmark: a query string without
	// "?" (for example "_state_id_=abc"). The page removes its bookmark
	// parameters (_state_id_, _inputs_.*, _values_.*) from its URL, appends
	// these, and replaces its history entry; other parameters stay. Optional,
	// added within version 1: older pages ignore it.
	Bookmark *string `json:"bookmark,omitempty"`
	// Forget lists output and input ids whose UI the server disposed (UI
	// inside a chat message that was removed): the page drops what it keeps
	// for them. Optional, added within version 1: older pages ignore it.
	Forget []string `json:"forget,omitempty"`
}

// Output is the new state of one output. Exactly one of HTML, Text and Error
// may be set, and at least one field must be: a value (HTML, Text or Error)
// replaces the output's content and ends its busy state; Busy alone marks the
// output busy (true) or idle (false) and keeps the content. The constructors
// [HTMLOutput], [TextOutput], [ErrorOutput] and [BusyOutput] cover the common
// cases.
type Output struct {
	HTML  *string `json:"html,omitempty"`  // sanitized HTML; "" clears the output
	Text  *string `json:"text,omitempty"`  // plain text
	Error string  `json:"error,omitempty"` // an error message shown in place of the value
	Busy  *bool   `json:"busy,omitempty"`  // the output is being recalculated
}

// HTMLOutput returns an Output whose value is already-sanitized HTML.
func HTMLOutput(html string) Output { return Output{HTML: &html} }

// TextOutput returns an Output whose value is plain text.
func TextOutput(text string) Output { return Output{Text: &text} }

// ErrorOutput returns an Output showing an error message instead of a value.
func ErrorOutput(message string) Output { return Output{Error: message} }

// BusyOutput returns an Output that only marks the output busy or idle.
func BusyOutput(busy bool) Output { return Output{Busy: &busy} }

// InputUpdate changes an input from the server. The page applies it without
// echoing it back as an [Input] frame. Unset fields are left alone; at least
// one must be set.
type InputUpdate struct {
	Value       json.RawMessage `json:"value,omitempty"`       // the new value, JSON as in Input
	Label       *string         `json:"label,omitempty"`       // the label's text
	Choices     []Choice        `json:"choices,omitzero"`      // select/radio options; non-nil empty clears them
	Placeholder *string         `json:"placeholder,omitempty"` // text, textarea and number inputs
}

// Choice is one option of a select or radio input.
type Choice struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// Notice is a notification shown by the page.
type Notice struct {
	// ID names the notice; a later notice with the same ID replaces it.
	ID       string `json:"id"`
	Level    Level  `json:"level"`
	Message  string `json:"message"`  // plain text
	Duration int64  `json:"duration"` // ms until it closes itself; 0 means until the user closes it
}

// Message is a message for a component on the page, e.g. a chunk of a
// streaming chat reply. Target is the component element's id.
type Message struct {
	Target string          `json:"target"`
	Name   string          `json:"name"`
	Data   json.RawMessage `json:"data,omitempty"`
}

// Error reports a problem, server → page. After a Fatal error the server
// closes the connection and the page does not reconnect.
type Error struct {
	Seq     uint64 `json:"seq"`
	Code    Code   `json:"code"`
	Message string `json:"message"`
	Fatal   bool   `json:"fatal,omitempty"`
}

// Expired says a resume failed: the session is gone (its grace period ended
// or the server does not know it). The server then closes the connection.
// Restart says the server does not know the session at all (it ran on
// another instance, or before a restart): the page may load again at once,
// and the app restores what it keeps (a chat's conversation, by its URL).
type Expired struct {
	Seq     uint64 `json:"seq"`
	Message string `json:"message"`
	Restart bool   `json:"restart,omitempty"`
}

// Pong answers [Ping]. Ack, when non-zero, is the last client message number
// applied, which lets the page drop acknowledged messages even while no
// Update is sent.
type Pong struct {
	Seq uint64 `json:"seq"`
	Ack uint64 `json:"ack,omitempty"`
}

// Type returns "welcome".
func (Welcome) Type() string { return TypeWelcome }

// Type returns "update".
func (Update) Type() string { return TypeUpdate }

// Type returns "error".
func (Error) Type() string { return TypeError }

// Type returns "expired".
func (Expired) Type() string { return TypeExpired }

// Type returns "pong".
func (Pong) Type() string { return TypePong }

// MarshalJSON encodes the frame with its "type" field.
func (m Welcome) MarshalJSON() ([]byte, error) {
	type plain Welcome
	return marshalTagged(TypeWelcome, plain(m))
}

// MarshalJSON encodes the frame with its "type" field.
func (m Update) MarshalJSON() ([]byte, error) {
	type plain Update
	return marshalTagged(TypeUpdate, plain(m))
}

// MarshalJSON encodes the frame with its "type" field.
func (m Error) MarshalJSON() ([]byte, error) {
	type plain Error
	return marshalTagged(TypeError, plain(m))
}

// MarshalJSON encodes the frame with its "type" field.
func (m Expired) MarshalJSON() ([]byte, error) {
	type plain Expired
	return marshalTagged(TypeExpired, plain(m))
}

// MarshalJSON encodes the frame with its "type" field.
func (m Pong) MarshalJSON() ([]byte, error) {
	type plain Pong
	return marshalTagged(TypePong, plain(m))
}

func (Welcome) serverMessage() {}
func (Update) serverMessage()  {}
func (Error) serverMessage()   {}
func (Expired) serverMessage() {}
func (Pong) serverMessage()    {}
