package sheen

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sheenhq/sheen/protocol"
)

// TestAppendUpdate pins the hand-written frame of a streamed update to
// protocol.Update.MarshalJSON's bytes, and leaves every other update to it.
func TestAppendUpdate(t *testing.T) {
	data := func(v any) json.RawMessage {
		raw, err := encodeData(v)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	patch := data(json.RawMessage(`{"answer":{"keep":12,"tail":" <b>w13</b> & \u2028"},"id":"chat-m1"}`))
	busy, mark := true, "_state_id_=x"
	for _, tc := range []struct {
		name string
		u    protocol.Update
		fast bool
		apps []appendData
	}{
		{"seq only", protocol.Update{Seq: 1}, true, nil},
		{"ack", protocol.Update{Seq: 7, Ack: 3}, true, nil},
		{"patch", protocol.Update{Seq: 1 << 40, Ack: 1, Messages: []protocol.Message{{Target: "chat", Name: "patch", Data: patch}}}, true, nil},
		{"messages", protocol.Update{Seq: 2, Messages: []protocol.Message{
			{Target: "chat", Name: "patch", Data: patch},
			{Target: "odd\"<id>\xff\u2029", Name: "no data"},
			{Target: "c", Name: "end", Data: data(map[string]any{"id": "m1", "status": "done", "source": "a <b> & \"c\"\n"})},
			{Target: "c", Name: "null", Data: data(nil)},
		}}, true, nil},
		{"appended", protocol.Update{Seq: 4, Ack: 2, Messages: []protocol.Message{
			{Target: "chat", Name: "patch"},
			{Target: "c", Name: "end", Data: data(map[string]any{"id": "m1"})},
			{Target: "chat", Name: "patch"},
		}}, true, []appendData{{0, rawAppender(patch)}, {2, rawAppender(`{"id":"m2"}`)}}},
		{"appended, not streamed", protocol.Update{Seq: 5, Notices: []protocol.Notice{{ID: "n1", Message: "m"}}, Messages: []protocol.Message{
			{Target: "x", Name: "y"}, {Target: "chat", Name: "patch"},
		}}, false, []appendData{{1, rawAppender(patch)}}},
		{"empty collections", protocol.Update{Seq: 3, Outputs: map[string]protocol.Output{}, Notices: []protocol.Notice{}, Forget: []string{}}, true, nil},
		{"outputs", protocol.Update{Seq: 1, Outputs: map[string]protocol.Output{"o": protocol.HTMLOutput("<p>x</p>")}}, false, nil},
		{"inputs", protocol.Update{Seq: 1, Inputs: map[string]protocol.InputUpdate{"i": {Value: json.RawMessage(`1`)}}}, false, nil},
		{"notices", protocol.Update{Seq: 1, Notices: []protocol.Notice{{ID: "n1", Message: "m"}}}, false, nil},
		{"busy", protocol.Update{Seq: 1, Busy: &busy}, false, nil},
		{"bookmark", protocol.Update{Seq: 1, Bookmark: &mark}, false, nil},
		{"forget", protocol.Update{Seq: 1, Forget: []string{"o"}}, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := appendUpdate([]byte("x"), &tc.u, tc.apps)
			if ok != tc.fast {
				t.Fatalf("appendUpdate took it: %v; want %v", ok, tc.fast)
			}
			if !ok && string(got) != "x" {
				t.Errorf("appendUpdate appended %q to an update it left", got)
			}
			// What MarshalJSON writes once the appended data is filled in.
			filled := tc.u
			filled.Messages = append([]protocol.Message(nil), tc.u.Messages...)
			for _, a := range tc.apps {
				filled.Messages[a.i].Data = a.data.AppendJSON(nil)
			}
			want, err := filled.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if ok && string(got[1:]) != string(want) {
				t.Errorf("appendUpdate:\n got %s\nwant %s", got[1:], want)
			}
			if n := updateSize(&tc.u, tc.apps); ok && n != len(want) {
				t.Errorf("updateSize = %d; the frame is %d bytes", n, len(want))
			}
			frame, err := encodeUpdate(&tc.u, tc.apps)
			if err != nil || string(frame) != string(want) {
				t.Errorf("encodeUpdate:\n got %s, %v\nwant %s", frame, err, want)
			}
		})
	}
}

// rawAppender is a wirejson.Appender of JSON it holds.
type rawAppender string

func (r rawAppender) AppendJSON(b []byte) []byte { return append(b, r...) }
func (r rawAppender) Size() int                  { return len(r) }

// TestEncodeData: a component message's data is what encoding/json writes
// with HTML escaping off, JSON given as a json.RawMessage is compacted as
// encoding/json compacts it, and data that is not JSON fails with
// encoding/json's error.
func TestEncodeData(t *testing.T) {
	for _, tc := range []struct {
		name string
		data any
	}{
		{"struct", struct {
			A string `json:"a"`
			B []int  `json:"b,omitempty"`
		}{A: "<p>&</p>"}},
		{"raw compact", json.RawMessage(`{"a":"<p>\u2028</p>","b":[1,2]}`)},
		{"raw with spaces", json.RawMessage(" {\n\t\"a\" : [ 1 , \"x y\" ] }\n")},
		{"raw nil", json.RawMessage(nil)},
		{"raw html escapes kept", json.RawMessage(`"\u003c"`)},
		{"nil", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := encodeData(tc.data)
			want, werr := marshalNoEscape(tc.data)
			if string(got) != string(want) || (err == nil) != (werr == nil) {
				t.Errorf("encodeData = %s, %v; marshalNoEscape = %s, %v", got, err, want, werr)
			}
		})
	}
	_, err := encodeData(json.RawMessage(`{"a":`))
	_, werr := marshalNoEscape(json.RawMessage(`{"a":`))
	if err == nil || werr == nil || err.Error() != werr.Error() || !strings.Contains(err.Error(), "json") {
		t.Errorf("not JSON: encodeData error %v; marshalNoEscape's %v", err, werr)
	}
}

// BenchmarkStreamedUpdate is the encoding of one streamed frame's update:
// by hand, and by protocol.Update.MarshalJSON.
func BenchmarkStreamedUpdate(b *testing.B) {
	patch := json.RawMessage(`{"answer":{"keep":812,"tail":" w137"},"id":"chat-m2"}`)
	u := protocol.Update{Seq: 1234, Ack: 1, Messages: []protocol.Message{{Target: "chat", Name: "patch", Data: patch}}}
	b.Run("append", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			raw, _ := encodeData(patch)
			u.Messages[0].Data = raw
			_, _ = appendUpdate(make([]byte, 0, updateSize(&u, nil)), &u, nil)
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			raw, _ := marshalNoEscape(patch)
			u.Messages[0].Data = raw
			_, _ = u.MarshalJSON()
		}
	})
}
