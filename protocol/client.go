package protocol

import "encoding/json"

// Hello is the first frame of every connection, page → server.
type Hello struct {
	// V is the protocol version the page speaks; it must be [Version].
	V int `json:"v"`
	// Inputs holds the current value of every bound input, by input id. It
	// is always present (an empty object when the page has no inputs). After
	// a successful resume the server ignores it: changes made while the page
	// was disconnected arrive as numbered [Input] frames instead.
	Inputs map[string]json.RawMessage `json:"inputs"`
	// Resume is set when the page reconnects to an existing session.
	Resume *Resume `json:"resume,omitempty"`
	// Query is the query string of the page's URL (location.search, with its
	// leading "?"), sent when it is not empty. A server with bookmarking on
	// restores a bookmark named there; others ignore it. Optional, added
	// within version 1: older pages leave it out.
	Query string `json:"query,omitempty"`
}

// Resume asks the server to continue an existing session after a reconnect.
type Resume struct {
	Session string `json:"session"` // from Welcome.Session
	Token   string `json:"token"`   // from Welcome.Token
	Seq     uint64 `json:"seq"`     // the last server seq the page applied
	N       uint64 `json:"n"`       // the last client message number the page knows was acked
}

// Input carries input changes, page → server, batched by input id.
type Input struct {
	// N is the page's message number: 1 for the first Input or Event of a
	// page load, then strictly increasing, never reused. Gaps are allowed.
	N uint64 `json:"n"`
	// Values holds the new values by input id (at least one). The server
	// decodes each according to the input's kind.
	Values map[string]json.RawMessage `json:"values"`
}

// Event is a component event, page → server, e.g. a chat's submit or stop.
type Event struct {
	N      uint64          `json:"n"`              // message number, shared with Input
	Target string          `json:"target"`         // the component's element id
	Name   string          `json:"name"`           // the event name, e.g. "submit"
	Data   json.RawMessage `json:"data,omitempty"` // optional payload
}

// Ping is the page's heartbeat. Seq tells the server the last seq the page
// applied, so the server can trim its replay buffer.
type Ping struct {
	Seq uint64 `json:"seq"`
}

// Type returns "hello".
func (Hello) Type() string { return TypeHello }

// Type returns "input".
func (Input) Type() string { return TypeInput }

// Type returns "event".
func (Event) Type() string { return TypeEvent }

// Type returns "ping".
func (Ping) Type() string { return TypePing }

// MarshalJSON encodes the frame with its "type" field.
func (m Hello) MarshalJSON() ([]byte, error) {
	type plain Hello
	return marshalTagged(TypeHello, plain(m))
}

// MarshalJSON encodes the frame with its "type" field.
func (m Input) MarshalJSON() ([]byte, error) {
	type plain Input
	return marshalTagged(TypeInput, plain(m))
}

// MarshalJSON encodes the frame with its "type" field.
func (m Event) MarshalJSON() ([]byte, error) {
	type plain Event
	return marshalTagged(TypeEvent, plain(m))
}

// MarshalJSON encodes the frame with its "type" field.
func (m Ping) MarshalJSON() ([]byte, error) {
	type plain Ping
	return marshalTagged(TypePing, plain(m))
}

func (Hello) clientMessage() {}
func (Input) clientMessage() {}
func (Event) clientMessage() {}
func (Ping) clientMessage()  {}
