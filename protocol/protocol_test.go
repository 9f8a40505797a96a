package protocol

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestMarshalSetsType(t *testing.T) {
	tests := []struct {
		name string
		msg  json.Marshaler
		want string
	}{
		{"hello", Hello{V: 1, Inputs: map[string]json.RawMessage{}}, `{"type":"hello","v":1,"inputs":{}}`},
		{"hello resume", Hello{V: 1, Inputs: map[string]json.RawMessage{"x": json.RawMessage(`1`)},
			Resume: &Resume{Session: "s", Token: "t", Seq: 3, N: 2}},
			`{"type":"hello","v":1,"inputs":{"x":1},"resume":{"session":"s","token":"t","seq":3,"n":2}}`},
		{"hello with query", Hello{V: 1, Inputs: map[string]json.RawMessage{}, Query: "?c=1&_inputs_.n=5"},
			`{"type":"hello","v":1,"inputs":{},"query":"?c=1&_inputs_.n=5"}`},
		{"input", Input{N: 1, Values: map[string]json.RawMessage{"a": json.RawMessage(`"x"`)}},
			`{"type":"input","n":1,"values":{"a":"x"}}`},
		{"event without data", Event{N: 2, Target: "chat", Name: "stop"},
			`{"type":"event","n":2,"target":"chat","name":"stop"}`},
		{"event with null data", Event{N: 2, Target: "chat", Name: "stop", Data: json.RawMessage(`null`)},
			`{"type":"event","n":2,"target":"chat","name":"stop","data":null}`},
		{"ping", Ping{}, `{"type":"ping","seq":0}`},
		{"welcome", Welcome{V: 1, Session: "s", Token: "t", Heartbeat: 15000, Grace: 60000},
			`{"type":"welcome","v":1,"seq":0,"session":"s","token":"t","resumed":false,"ack":0,"heartbeat":15000,"grace":60000}`},
		{"empty update", Update{Seq: 7}, `{"type":"update","seq":7}`},
		{"html is not escaped", Update{Seq: 1, Outputs: map[string]Output{"o": HTMLOutput("<b>a & b</b>")}},
			`{"type":"update","seq":1,"outputs":{"o":{"html":"<b>a & b</b>"}}}`},
		{"empty html clears", Update{Seq: 1, Outputs: map[string]Output{"o": HTMLOutput("")}},
			`{"type":"update","seq":1,"outputs":{"o":{"html":""}}}`},
		{"text, error and busy", Update{Seq: 1, Outputs: map[string]Output{
			"a": TextOutput(""), "b": ErrorOutput("bad"), "c": BusyOutput(false)}},
			`{"type":"update","seq":1,"outputs":{"a":{"text":""},"b":{"error":"bad"},"c":{"busy":false}}}`},
		{"session busy false is sent", Update{Seq: 1, Busy: new(false)}, `{"type":"update","seq":1,"busy":false}`},
		{"nil choices are left out, empty ones clear", Update{Seq: 1, Inputs: map[string]InputUpdate{
			"a": {Label: new("")}, "b": {Choices: []Choice{}}, "c": {Value: json.RawMessage(`null`)}}},
			`{"type":"update","seq":1,"inputs":{"a":{"label":""},"b":{"choices":[]},"c":{"value":null}}}`},
		{"bookmark", Update{Seq: 1, Bookmark: new("_state_id_=x")}, `{"type":"update","seq":1,"bookmark":"_state_id_=x"}`},
		{"empty bookmark is sent", Update{Seq: 1, Bookmark: new("")}, `{"type":"update","seq":1,"bookmark":""}`},
		{"error", Error{Seq: 3, Code: CodeApp, Message: "boom"}, `{"type":"error","seq":3,"code":"app","message":"boom"}`},
		{"fatal error", Error{Code: CodeVersion, Message: "old", Fatal: true},
			`{"type":"error","seq":0,"code":"version","message":"old","fatal":true}`},
		{"expired", Expired{Seq: 9, Message: "gone"}, `{"type":"expired","seq":9,"message":"gone"}`},
		{"pong", Pong{Seq: 9}, `{"type":"pong","seq":9}`},
		{"pong with ack", Pong{Seq: 9, Ack: 4}, `{"type":"pong","seq":9,"ack":4}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.msg.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("MarshalJSON\n got %s\nwant %s", got, tt.want)
			}
			// json.Marshal, on a value and on a pointer, gives the same JSON value.
			for _, v := range []any{tt.msg, &tt.msg} {
				std, err := json.Marshal(v)
				if err != nil {
					t.Fatal(err)
				}
				if !jsonEqual(t, std, got) {
					t.Errorf("json.Marshal(%T) = %s, want %s", v, std, got)
				}
			}
		})
	}
}

func TestMarshalInvalidRawMessage(t *testing.T) {
	_, err := Input{N: 1, Values: map[string]json.RawMessage{"a": json.RawMessage(`{`)}}.MarshalJSON()
	if err == nil || !strings.Contains(err.Error(), "protocol: encoding input") {
		t.Fatalf("err = %v, want an encoding error", err)
	}
}

func TestDecodeClient(t *testing.T) {
	tests := []struct {
		in   string
		want ClientMessage
	}{
		{`{"type":"hello","v":1,"inputs":{"a":null}}`, Hello{V: 1, Inputs: map[string]json.RawMessage{"a": json.RawMessage(`null`)}}},
		{`{"type":"hello","v":1,"inputs":{},"resume":null}`, Hello{V: 1, Inputs: map[string]json.RawMessage{}}},
		{`{"type":"input","n":9007199254740991,"values":{"a":[1,2]},"extra":true}`,
			Input{N: 1<<53 - 1, Values: map[string]json.RawMessage{"a": json.RawMessage(`[1,2]`)}}},
		{`{"type":"event","n":1,"target":"t","name":"x"}`, Event{N: 1, Target: "t", Name: "x"}},
		{`{"type":"event","n":1,"target":"t","name":"x","data":null}`, Event{N: 1, Target: "t", Name: "x", Data: json.RawMessage(`null`)}},
		{`{"type":"ping","seq":0}`, Ping{}},
	}
	for _, tt := range tests {
		got, err := DecodeClient([]byte(tt.in))
		if err != nil {
			t.Errorf("DecodeClient(%s): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("DecodeClient(%s)\n got %#v\nwant %#v", tt.in, got, tt.want)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		server bool
		in     string
		code   Code
		msg    string // a substring of DecodeError.Msg
	}{
		{false, `{"type":"input","n":-1,"values":{"a":1}}`, CodeBadMessage, "n must be a positive integer"},
		{false, `{"type":"input","n":"1","values":{"a":1}}`, CodeBadMessage, "not string"},
		{false, `{"type":"event","n":1,"target":7,"name":"x"}`, CodeBadMessage, "target must be a string"},
		{false, `{"type":"hello","v":"1","inputs":{}}`, CodeVersion, `version "1"`},
		{false, `{"type":"hello","v":1.0,"inputs":{}}`, CodeBadMessage, "v must be an integer"},
		{false, `{"type":"hello","v":1,"inputs":{},"resume":{"token":"t"}}`, CodeBadMessage, "resume.session"},
		{false, `{"type":"hello","v":1,"inputs":{},"resume":{"session":"s","token":"t","seq":-1}}`, CodeBadMessage, "resume.seq"},
		{false, "\xff", CodeBadJSON, "invalid character"},
		{false, `"hello"`, CodeBadMessage, "JSON object"},
		{true, `{"type":"welcome","v":1,"seq":0,"session":"s","token":"t","ack":0,"heartbeat":1,"grace":0}`, CodeBadMessage, "missing resumed"},
		{true, `{"type":"welcome","v":1,"seq":0,"session":"s","token":"t","resumed":true,"heartbeat":1,"grace":0}`, CodeBadMessage, "missing ack"},
		{true, `{"type":"welcome","v":1,"seq":0,"session":"s","token":"t","resumed":true,"ack":0,"heartbeat":1}`, CodeBadMessage, "grace"},
		{true, `{"type":"welcome","v":3}`, CodeVersion, "version 3"},
		{true, `{"type":"update","seq":1,"notices":[{"level":"info","message":"m","duration":0}]}`, CodeBadMessage, "notices[0]: missing id"},
		{true, `{"type":"update","seq":1,"notices":[{"id":"a","level":"info","duration":0}]}`, CodeBadMessage, "notices[0]: missing message"},
		{true, `{"type":"update","seq":1,"messages":[{"target":"c"}]}`, CodeBadMessage, "messages[0]: missing name"},
		{true, `{"type":"update","seq":1,"inputs":{"":{"label":"x"}}}`, CodeBadMessage, "empty input id"},
		{true, `{"type":"update","seq":1,"outputs":{"o":{"text":"a","error":"e"}}}`, CodeBadMessage, "at most one"},
		{true, `{"type":"error","seq":1,"code":"app"}`, CodeBadMessage, "missing message"},
		{true, `{"type":"pong"}`, CodeBadMessage, "pong: missing seq"},
	}
	for _, tt := range tests {
		var err error
		if tt.server {
			_, err = DecodeServer([]byte(tt.in))
		} else {
			_, err = DecodeClient([]byte(tt.in))
		}
		var de *DecodeError
		if !errors.As(err, &de) {
			t.Errorf("%s: err = %v, want a *DecodeError", tt.in, err)
			continue
		}
		if de.Code != tt.code || !strings.Contains(de.Msg, tt.msg) {
			t.Errorf("%s: got %s %q, want %s containing %q", tt.in, de.Code, de.Msg, tt.code, tt.msg)
		}
	}
}

func TestDecodeErrorReply(t *testing.T) {
	tests := []struct {
		in        string
		wantCode  Code
		wantFatal bool
	}{
		{`{"type":"hello","v":2,"inputs":{}}`, CodeVersion, true},
		{`{"type":"nope"}`, CodeUnknownType, false},
		{`{`, CodeBadJSON, false},
		{`{"type":"input","n":0,"values":{"a":1}}`, CodeBadMessage, false},
	}
	for _, tt := range tests {
		_, err := DecodeClient([]byte(tt.in))
		var de *DecodeError
		if !errors.As(err, &de) {
			t.Fatalf("%s: %v", tt.in, err)
		}
		r := de.Reply()
		if r.Code != tt.wantCode || r.Fatal != tt.wantFatal || r.Message != de.Msg {
			t.Errorf("%s: Reply() = %+v", tt.in, r)
		}
		// The reply is itself a valid server frame.
		b, err := r.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := DecodeServer(b); err != nil {
			t.Errorf("%s: reply %s does not decode: %v", tt.in, b, err)
		}
	}
	var syn *json.SyntaxError
	if _, err := DecodeClient([]byte(`{`)); !errors.As(err, &syn) {
		t.Errorf("a bad_json DecodeError should unwrap to *json.SyntaxError, got %v", err)
	}
}
