package protocol

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
)

// A DecodeError reports a frame that could not be decoded or failed
// validation. Code is the code of the [Error] frame the receiver replies with.
type DecodeError struct {
	Code Code   // CodeBadJSON, CodeUnknownType, CodeBadMessage or CodeVersion
	Type string // the frame's message type, when it is known
	Msg  string // what is wrong, safe to show to the sender
	Err  error  // the underlying encoding/json error, if any
}

func (e *DecodeError) Error() string { return "protocol: " + string(e.Code) + ": " + e.Msg }

// Unwrap returns the underlying encoding/json error, if any.
func (e *DecodeError) Unwrap() error { return e.Err }

// Reply returns the [Error] frame that answers the bad frame. A version
// mismatch is fatal; the other codes are not. The transport sets Seq.
func (e *DecodeError) Reply() Error {
	return Error{Code: e.Code, Message: e.Msg, Fatal: e.Code == CodeVersion}
}

func badMessage(typ, format string, args ...any) *DecodeError {
	msg := fmt.Sprintf(format, args...)
	if typ != "" {
		msg = typ + ": " + msg
	}
	return &DecodeError{Code: CodeBadMessage, Type: typ, Msg: msg}
}

// clientFrame holds the fields of every client message; pointers tell a
// missing field from a zero one.
type clientFrame struct {
	Type   string                     `json:"type"`
	V      *int                       `json:"v"`
	Inputs map[string]json.RawMessage `json:"inputs"`
	Resume *Resume                    `json:"resume"`
	Query  *string                    `json:"query"`
	N      *uint64                    `json:"n"`
	Values map[string]json.RawMessage `json:"values"`
	Target *string                    `json:"target"`
	Name   *string                    `json:"name"`
	Data   json.RawMessage            `json:"data"`
	Seq    *uint64                    `json:"seq"`
}

// DecodeClient decodes and validates one frame sent by a page. It returns a
// [Hello], [Input], [Event] or [Ping], or a [*DecodeError]. Unknown fields are
// ignored. It does not limit the frame's size; see [MaxFrame].
func DecodeClient(data []byte) (ClientMessage, error) {
	var f clientFrame
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, classify(data, err, "client", isClientType)
	}
	switch f.Type {
	case TypeHello:
		if f.V == nil {
			return nil, badMessage(TypeHello, "missing v")
		}
		if *f.V != Version {
			return nil, versionError(strconv.Itoa(*f.V))
		}
		if f.Inputs == nil {
			return nil, badMessage(TypeHello, "missing inputs")
		}
		if err := checkIDs(TypeHello, "inputs", f.Inputs); err != nil {
			return nil, err
		}
		if r := f.Resume; r != nil {
			if r.Session == "" {
				return nil, badMessage(TypeHello, "missing resume.session")
			}
			if r.Token == "" {
				return nil, badMessage(TypeHello, "missing resume.token")
			}
			if err := checkInt(TypeHello, "resume.seq", r.Seq); err != nil {
				return nil, err
			}
			if err := checkInt(TypeHello, "resume.n", r.N); err != nil {
				return nil, err
			}
		}
		h := Hello{V: *f.V, Inputs: f.Inputs, Resume: f.Resume}
		if f.Query != nil {
			h.Query = *f.Query
		}
		return h, nil
	case TypeInput:
		if err := checkN(TypeInput, f.N); err != nil {
			return nil, err
		}
		if len(f.Values) == 0 {
			return nil, badMessage(TypeInput, "missing values")
		}
		if err := checkIDs(TypeInput, "values", f.Values); err != nil {
			return nil, err
		}
		return Input{N: *f.N, Values: f.Values}, nil
	case TypeEvent:
		if err := checkN(TypeEvent, f.N); err != nil {
			return nil, err
		}
		if f.Target == nil || *f.Target == "" {
			return nil, badMessage(TypeEvent, "missing target")
		}
		if f.Name == nil || *f.Name == "" {
			return nil, badMessage(TypeEvent, "missing name")
		}
		return Event{N: *f.N, Target: *f.Target, Name: *f.Name, Data: f.Data}, nil
	case TypePing:
		if f.Seq == nil {
			return nil, badMessage(TypePing, "missing seq")
		}
		if err := checkInt(TypePing, "seq", *f.Seq); err != nil {
			return nil, err
		}
		return Ping{Seq: *f.Seq}, nil
	case "":
		return nil, badMessage("", "missing type")
	default:
		return nil, unknownType("client", f.Type)
	}
}

// serverFrame holds the fields of every server message.
type serverFrame struct {
	Type      string                 `json:"type"`
	Seq       *uint64                `json:"seq"`
	V         *int                   `json:"v"`
	Session   string                 `json:"session"`
	Token     string                 `json:"token"`
	Resumed   *bool                  `json:"resumed"`
	Ack       *uint64                `json:"ack"`
	Heartbeat *int64                 `json:"heartbeat"`
	Grace     *int64                 `json:"grace"`
	Outputs   map[string]Output      `json:"outputs"`
	Inputs    map[string]InputUpdate `json:"inputs"`
	Notices   []Notice               `json:"notices"`
	Messages  []Message              `json:"messages"`
	Busy      *bool                  `json:"busy"`
	Bookmark  *string                `json:"bookmark"`
	Forget    []string               `json:"forget"`
	Code      *Code                  `json:"code"`
	Message   *string                `json:"message"`
	Fatal     bool                   `json:"fatal"`
	Restart   bool                   `json:"restart"`
}

// DecodeServer decodes and validates one frame sent by a server. It returns a
// [Welcome], [Update], [Error], [Expired] or [Pong], or a [*DecodeError]. Go
// clients and tests use it; the JavaScript client applies the same rules.
func DecodeServer(data []byte) (ServerMessage, error) {
	var f serverFrame
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, classify(data, err, "server", isServerType)
	}
	if f.Type == "" {
		return nil, badMessage("", "missing type")
	}
	if !isServerType(f.Type) {
		return nil, unknownType("server", f.Type)
	}
	if f.Type == TypeWelcome && f.V != nil && *f.V != Version {
		de := versionError(strconv.Itoa(*f.V))
		de.Type = TypeWelcome
		return nil, de
	}
	if f.Seq == nil {
		return nil, badMessage(f.Type, "missing seq")
	}
	seq := *f.Seq
	switch f.Type {
	case TypeWelcome:
		switch {
		case f.V == nil:
			return nil, badMessage(TypeWelcome, "missing v")
		case f.Session == "":
			return nil, badMessage(TypeWelcome, "missing session")
		case f.Token == "":
			return nil, badMessage(TypeWelcome, "missing token")
		case f.Resumed == nil:
			return nil, badMessage(TypeWelcome, "missing resumed")
		case f.Ack == nil:
			return nil, badMessage(TypeWelcome, "missing ack")
		case f.Heartbeat == nil || *f.Heartbeat <= 0:
			return nil, badMessage(TypeWelcome, "heartbeat must be a positive integer")
		case f.Grace == nil || *f.Grace < 0:
			return nil, badMessage(TypeWelcome, "grace must be a non-negative integer")
		}
		return Welcome{V: *f.V, Seq: seq, Session: f.Session, Token: f.Token, Resumed: *f.Resumed,
			Ack: *f.Ack, Heartbeat: *f.Heartbeat, Grace: *f.Grace}, nil
	case TypeUpdate:
		if err := checkUpdate(&f); err != nil {
			return nil, err
		}
		u := Update{Seq: seq, Outputs: f.Outputs, Inputs: f.Inputs, Notices: f.Notices,
			Messages: f.Messages, Busy: f.Busy, Bookmark: f.Bookmark, Forget: f.Forget}
		if f.Ack != nil {
			u.Ack = *f.Ack
		}
		return u, nil
	case TypeError:
		if f.Code == nil || *f.Code == "" {
			return nil, badMessage(TypeError, "missing code")
		}
		if f.Message == nil {
			return nil, badMessage(TypeError, "missing message")
		}
		return Error{Seq: seq, Code: *f.Code, Message: *f.Message, Fatal: f.Fatal}, nil
	case TypeExpired:
		if f.Message == nil {
			return nil, badMessage(TypeExpired, "missing message")
		}
		return Expired{Seq: seq, Message: *f.Message, Restart: f.Restart}, nil
	default: // TypePong
		p := Pong{Seq: seq}
		if f.Ack != nil {
			p.Ack = *f.Ack
		}
		return p, nil
	}
}

func checkUpdate(f *serverFrame) *DecodeError {
	for id, o := range f.Outputs {
		if id == "" {
			return badMessage(TypeUpdate, "empty output id")
		}
		values := 0
		if o.HTML != nil {
			values++
		}
		if o.Text != nil {
			values++
		}
		if o.Error != "" {
			values++
		}
		if values > 1 {
			return badMessage(TypeUpdate, "output %q: at most one of html, text and error", id)
		}
		if values == 0 && o.Busy == nil {
			return badMessage(TypeUpdate, "output %q: empty", id)
		}
	}
	for id, in := range f.Inputs {
		if id == "" {
			return badMessage(TypeUpdate, "empty input id")
		}
		if in.Value == nil && in.Label == nil && in.Choices == nil && in.Placeholder == nil {
			return badMessage(TypeUpdate, "input %q: empty", id)
		}
	}
	for i, n := range f.Notices {
		switch {
		case n.ID == "":
			return badMessage(TypeUpdate, "notices[%d]: missing id", i)
		case n.Level != LevelInfo && n.Level != LevelWarning && n.Level != LevelError:
			return badMessage(TypeUpdate, "notices[%d]: level must be info, warning or error", i)
		case n.Message == "":
			return badMessage(TypeUpdate, "notices[%d]: missing message", i)
		case n.Duration < 0:
			return badMessage(TypeUpdate, "notices[%d]: duration must not be negative", i)
		}
	}
	for i, m := range f.Messages {
		if m.Target == "" {
			return badMessage(TypeUpdate, "messages[%d]: missing target", i)
		}
		if m.Name == "" {
			return badMessage(TypeUpdate, "messages[%d]: missing name", i)
		}
	}
	return nil
}

// MaxInt is the largest integer a frame may carry (2^53−1): JavaScript
// numbers are exact up to it. A larger n or seq is refused, so that one
// frame cannot push the session's counters beyond what the page can count.
const MaxInt = 1<<53 - 1

func checkN(typ string, n *uint64) *DecodeError {
	if n == nil || *n == 0 {
		return badMessage(typ, "n must be a positive integer")
	}
	if *n > MaxInt {
		return badMessage(typ, "n must be at most 2^53-1")
	}
	return nil
}

func checkInt(typ, field string, v uint64) *DecodeError {
	if v > MaxInt {
		return badMessage(typ, "%s must be at most 2^53-1", field)
	}
	return nil
}

func checkIDs(typ, field string, m map[string]json.RawMessage) *DecodeError {
	if _, ok := m[""]; ok {
		return badMessage(typ, "empty input id in %s", field)
	}
	return nil
}

func versionError(v string) *DecodeError {
	return &DecodeError{Code: CodeVersion, Type: TypeHello,
		Msg: fmt.Sprintf("protocol version %s is not supported; this side speaks %d", v, Version)}
}

func unknownType(side, typ string) *DecodeError {
	return &DecodeError{Code: CodeUnknownType, Type: typ,
		Msg: fmt.Sprintf("unknown %s message type %q", side, typ)}
}

func isClientType(t string) bool {
	return t == TypeHello || t == TypeInput || t == TypeEvent || t == TypePing
}

func isServerType(t string) bool {
	return t == TypeWelcome || t == TypeUpdate || t == TypeError || t == TypeExpired || t == TypePong
}

// classify turns an encoding/json error into a DecodeError. Type errors are
// reported after a second, lenient look at the frame, so that an unknown
// type or a version mismatch wins over a field error.
func classify(data []byte, err error, side string, known func(string) bool) *DecodeError {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return &DecodeError{Code: CodeBadJSON, Msg: err.Error(), Err: err}
	}
	var env struct {
		Type json.RawMessage `json:"type"`
		V    json.RawMessage `json:"v"`
	}
	if json.Unmarshal(data, &env) != nil {
		return &DecodeError{Code: CodeBadMessage, Msg: "a frame must be a JSON object", Err: err}
	}
	var typ string
	if env.Type != nil && json.Unmarshal(env.Type, &typ) != nil {
		return &DecodeError{Code: CodeBadMessage, Msg: "type must be a string", Err: err}
	}
	if typ == "" {
		return &DecodeError{Code: CodeBadMessage, Msg: "missing type", Err: err}
	}
	if !known(typ) {
		de := unknownType(side, typ)
		de.Err = err
		return de
	}
	if (typ == TypeHello || typ == TypeWelcome) && env.V != nil {
		var v float64
		if json.Unmarshal(env.V, &v) != nil || v != Version {
			de := versionError(string(env.V))
			de.Type, de.Err = typ, err
			return de
		}
	}
	de := badMessage(typ, "%s", describe(err))
	de.Err = err
	return de
}

// describe words an encoding/json type error without Go type names.
func describe(err error) string {
	var ute *json.UnmarshalTypeError
	if !errors.As(err, &ute) {
		return err.Error()
	}
	want := "a different type"
	t := ute.Type
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil {
		switch t.Kind() {
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			want = "a non-negative integer"
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			want = "an integer"
		case reflect.String:
			want = "a string"
		case reflect.Bool:
			want = "true or false"
		case reflect.Map, reflect.Struct:
			want = "an object"
		case reflect.Slice:
			want = "an array"
		}
	}
	field := ute.Field
	switch field {
	case "":
		field = "value"
	case "n":
		want = "a positive integer"
	}
	return fmt.Sprintf("%s must be %s, not %s", field, want, ute.Value)
}
