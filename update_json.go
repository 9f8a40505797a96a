package sheen

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/sheenhq/sheen/internal/wirejson"
	"github.com/sheenhq/sheen/protocol"
)

// appendUpdate appends the frame of u, byte for byte what
// [protocol.Update.MarshalJSON] writes, for the update of a streamed frame:
// a seq, an ack and component messages, nothing else. It reports false,
// appending nothing, for an update with any other field set, which then
// takes MarshalJSON. Every frame of a streaming reply is such an update:
// encoding/json encoded it by reflection and scanned each message's data
// again (compacting a json.RawMessage), data that [Session.Send] had
// encoded (or compacted) already. TestAppendUpdate pins the bytes.
func appendUpdate(b []byte, u *protocol.Update) ([]byte, bool) {
	if len(u.Outputs) > 0 || len(u.Inputs) > 0 || len(u.Notices) > 0 || u.Busy != nil || u.Bookmark != nil || len(u.Forget) > 0 {
		return b, false
	}
	b = append(b, `{"type":"update","seq":`...)
	b = strconv.AppendUint(b, u.Seq, 10)
	if u.Ack != 0 {
		b = append(b, `,"ack":`...)
		b = strconv.AppendUint(b, u.Ack, 10)
	}
	if len(u.Messages) > 0 {
		b = append(b, `,"messages":[`...)
		for i, m := range u.Messages {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"target":`...)
			b = wirejson.AppendString(b, m.Target)
			b = append(b, `,"name":`...)
			b = wirejson.AppendString(b, m.Name)
			if len(m.Data) > 0 {
				b = append(b, `,"data":`...)
				b = append(b, m.Data...) // compact JSON: Send made it
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}'), true
}

// updateSize is about the length of u's frame when appendUpdate takes it.
func updateSize(u *protocol.Update) int {
	n := 64 // {"type":"update","seq":N,"ack":N,"messages":[]}
	for _, m := range u.Messages {
		n += 40 + len(m.Target) + len(m.Name) + len(m.Data) // {"target":"","name":"","data":},
	}
	return n
}

// encodeData is the JSON of a component message's data: marshalNoEscape's
// bytes. Data that is JSON already (a json.RawMessage, as a chat's patch
// is) is only compacted, as encoding/json would, without the encoder.
//
// A [wirejson.Raw] (a type outside packages cannot name) is JSON this
// module wrote, valid and compact: it is taken as it is.
func encodeData(data any) (json.RawMessage, error) {
	if r, ok := data.(wirejson.Raw); ok && r != nil {
		return json.RawMessage(r), nil
	}
	if r, ok := data.(json.RawMessage); ok && r != nil {
		var b bytes.Buffer
		b.Grow(len(r))
		if json.Compact(&b, r) == nil {
			return b.Bytes(), nil
		}
		// Not JSON: encoding/json words the error.
	}
	return marshalNoEscape(data)
}
