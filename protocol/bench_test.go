package protocol

import (
	"encoding/json"
	"strings"
	"testing"
)

// A typical streaming frame: one chat chunk carrying the re-rendered tail
// block (~300 bytes of HTML).
var chunkUpdate = Update{
	Seq: 1234,
	Messages: []Message{{Target: "chat", Name: "chunk",
		Data: json.RawMessage(`{"msg":"m17","block":3,"html":"` + strings.Repeat(`<p>Streaming <code>text</code> &amp; more</p>`, 7) + `"}`)}},
}

func BenchmarkUpdateMarshalJSON(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := chunkUpdate.MarshalJSON(); err != nil {
			b.Fatal(err)
		}
	}
}

// For comparison: json.Marshal validates the result again and escapes HTML.
func BenchmarkUpdateJSONMarshal(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(chunkUpdate); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeClientInput(b *testing.B) {
	frame := []byte(`{"type":"input","n":18,"values":{"name":"Ada Lovelace","temperature":0.9}}`)
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		if _, err := DecodeClient(frame); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeClientEvent(b *testing.B) {
	frame := []byte(`{"type":"event","n":19,"target":"chat","name":"submit","data":{"text":"What is a monad?"}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeClient(frame); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeServerUpdate(b *testing.B) {
	frame, err := chunkUpdate.MarshalJSON()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		if _, err := DecodeServer(frame); err != nil {
			b.Fatal(err)
		}
	}
}
