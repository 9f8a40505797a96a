package protocol

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
)

// Version is the protocol version the page announces in [Hello] and the
// server confirms in [Welcome].
const Version = 1

// MaxFrame is the default limit on the size of one frame in bytes. Enforcing
// it is the transport's job; a frame over the limit earns [CodeTooBig].
const MaxFrame = 1 << 20

// Message type names: the value of every frame's "type" field.
const (
	TypeHello   = "hello"   // client → server
	TypeInput   = "input"   // client → server
	TypeEvent   = "event"   // client → server
	TypePing    = "ping"    // client → server
	TypeWelcome = "welcome" // server → client
	TypeUpdate  = "update"  // server → client
	TypeError   = "error"   // server → client
	TypeExpired = "expired" // server → client
	TypePong    = "pong"    // server → client
)

// A Code says what went wrong, in an [Error] frame and in a [*DecodeError].
type Code string

// The error codes.
const (
	CodeBadJSON     Code = "bad_json"     // the frame is not valid JSON
	CodeUnknownType Code = "unknown_type" // the "type" field names no known message
	CodeBadMessage  Code = "bad_message"  // valid JSON, but a field is missing or invalid
	CodeTooBig      Code = "too_big"      // the frame is larger than the transport accepts
	CodeVersion     Code = "version"      // protocol version mismatch; always fatal
	CodeApp         Code = "app"          // an application error, already sanitized
	CodeLimit       Code = "limit"        // a server limit refused the frame or the connection
)

// A Level is the severity of a [Notice].
type Level string

// The notice levels.
const (
	LevelInfo    Level = "info"
	LevelWarning Level = "warning"
	LevelError   Level = "error"
)

// A ClientMessage is a frame sent by the page: one of [Hello], [Input],
// [Event] or [Ping] (values, not pointers).
type ClientMessage interface {
	// Type returns the frame's "type" field, e.g. "input".
	Type() string
	json.Marshaler
	clientMessage()
}

// A ServerMessage is a frame sent by the server: one of [Welcome], [Update],
// [Error], [Expired] or [Pong] (values, not pointers).
//
// MarshalJSON writes compact JSON without escaping <, > and &, which keeps
// HTML outputs small; calling it directly also skips the extra validation
// pass that json.Marshal makes over a Marshaler's result.
type ServerMessage interface {
	// Type returns the frame's "type" field, e.g. "update".
	Type() string
	json.Marshaler
	serverMessage()
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// marshalTagged encodes v, a struct without a MarshalJSON method, as a JSON
// object whose first field is "type": typ.
func marshalTagged(typ string, v any) ([]byte, error) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= 64<<10 {
			bufPool.Put(buf)
		}
	}()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("protocol: encoding %s: %w", typ, err)
	}
	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n")) // "{...}"
	out := make([]byte, 0, len(body)+len(typ)+11)
	out = append(out, `{"type":"`...)
	out = append(out, typ...)
	out = append(out, '"')
	if len(body) > 2 {
		out = append(out, ',')
	}
	return append(out, body[1:]...), nil
}
