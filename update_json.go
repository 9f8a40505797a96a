package sheen

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/sheenhq/sheen/internal/wirejson"
	"github.com/sheenhq/sheen/protocol"
)

// encodeUpdate returns the frame of u, whose messages apps says have their
// data appended as the frame is encoded.
func encodeUpdate(u *protocol.Update, apps []appendData) ([]byte, error) {
	if frame, ok := appendUpdate(make([]byte, 0, updateSize(u, apps)), u, apps); ok {
		return frame, nil
	}
	for _, a := range apps {
		u.Messages[a.i].Data = a.data.AppendJSON(nil)
	}
	return u.MarshalJSON()
}

// appendUpdate appends the frame of u, byte for byte what
// [protocol.Update.MarshalJSON] writes, for the update of a streamed frame:
// a seq, an ack and component messages, nothing else. It reports false,
// appending nothing, for an update with any other field set, which then
// takes MarshalJSON. Every frame of a streaming reply is such an update:
// encoding/json encoded it by reflection and scanned each message's data
// again (compacting a json.RawMessage), data that [Session.Send] had
// encoded (or compacted) already. The data of a message apps names is
// appended by its Appender. TestAppendUpdate pins the bytes.
func appendUpdate(b []byte, u *protocol.Update, apps []appendData) ([]byte, bool) {
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
			if len(apps) > 0 && apps[0].i == i {
				b = append(b, `,"data":`...)
				b = apps[0].data.AppendJSON(b)
				apps = apps[1:]
			} else if len(m.Data) > 0 {
				b = append(b, `,"data":`...)
				b = append(b, m.Data...) // compact JSON: Send made it
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}'), true
}

// updateSize is the length of u's frame when appendUpdate takes it.
func updateSize(u *protocol.Update, apps []appendData) int {
	n := len(`{"type":"update","seq":}`) + wirejson.UintLen(u.Seq)
	if u.Ack != 0 {
		n += len(`,"ack":`) + wirejson.UintLen(u.Ack)
	}
	if len(u.Messages) > 0 {
		n += len(`,"messages":[]`) + len(u.Messages) - 1 // commas between
	}
	for _, m := range u.Messages {
		n += len(`{"target":,"name":}`) + wirejson.StringLen(m.Target) + wirejson.StringLen(m.Name)
		if len(m.Data) > 0 {
			n += len(`,"data":`) + len(m.Data)
		}
	}
	for _, a := range apps {
		n += len(`,"data":`) + a.data.Size()
	}
	return n
}

// appendData is the data of the pending update's message i, which Send was
// given as a [wirejson.Appender]: it is appended to the frame as the frame
// is encoded.
type appendData struct {
	i    int
	data wirejson.Appender
}

// encodeData is the JSON of a component message's data: marshalNoEscape's
// bytes. Data that is JSON already (a json.RawMessage) is only compacted,
// as encoding/json would, without the encoder. (A [wirejson.Appender], a
// type outside packages cannot name, never comes here: Send keeps it, and
// the frame appends it.)
func encodeData(data any) (json.RawMessage, error) {
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
