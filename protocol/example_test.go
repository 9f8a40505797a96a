package protocol_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sheenhq/sheen/protocol"
)

func ExampleDecodeClient() {
	frame := []byte(`{"type":"input","n":3,"values":{"name":"Ada"}}`)
	msg, err := protocol.DecodeClient(frame)
	if err != nil {
		fmt.Println(err)
		return
	}
	switch m := msg.(type) {
	case protocol.Input:
		var name string
		_ = json.Unmarshal(m.Values["name"], &name)
		fmt.Println(m.N, name)
	}
	// Output: 3 Ada
}

func ExampleDecodeError_Reply() {
	_, err := protocol.DecodeClient([]byte(`{"type":"hello","v":2,"inputs":{}}`))
	var de *protocol.DecodeError
	if errors.As(err, &de) {
		reply, _ := de.Reply().MarshalJSON()
		fmt.Println(string(reply))
	}
	// Output: {"type":"error","seq":0,"code":"version","message":"protocol version 2 is not supported; this side speaks 1","fatal":true}
}

func ExampleUpdate() {
	u := protocol.Update{
		Seq: 12,
		Ack: 4,
		Outputs: map[string]protocol.Output{
			"greeting": protocol.TextOutput("Hello, Ada!"),
		},
		Messages: []protocol.Message{
			{Target: "chat", Name: "chunk", Data: json.RawMessage(`{"html":"<p>Hi</p>"}`)},
		},
	}
	// MarshalJSON adds the "type" field and leaves HTML unescaped.
	frame, err := u.MarshalJSON()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(frame))
	// Output: {"type":"update","seq":12,"ack":4,"outputs":{"greeting":{"text":"Hello, Ada!"}},"messages":[{"target":"chat","name":"chunk","data":{"html":"<p>Hi</p>"}}]}
}
