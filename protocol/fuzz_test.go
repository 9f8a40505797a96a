package protocol

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func addSeeds(f *testing.F) {
	for _, pattern := range []string{"testdata/*.json", "testdata/invalid/*"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
}

// fuzzSide checks that decoding never panics, fails only with a
// *DecodeError, and that whatever it accepts survives an encode → decode
// round trip unchanged. Equality is by encoding: decode(encode(m)) encodes
// to the same bytes as m, and decodes to a deeply equal value. (m itself may
// differ from it in ways JSON does not keep: the whitespace inside a
// json.RawMessage, which encoding compacts, and an empty map that omitempty
// drops.)
func fuzzSide[M interface{ MarshalJSON() ([]byte, error) }](t *testing.T, decode func([]byte) (M, error), data []byte) {
	m, err := decode(data)
	if err != nil {
		var de *DecodeError
		if !errors.As(err, &de) || de.Msg == "" {
			t.Fatalf("error %v is not a *DecodeError", err)
		}
		return
	}
	b, err := m.MarshalJSON()
	if err != nil {
		t.Fatalf("encode %#v: %v", m, err)
	}
	m2, err := decode(b)
	if err != nil {
		t.Fatalf("re-decode %s: %v", b, err)
	}
	b2, err := m2.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	m3, err := decode(b2)
	if err != nil || !reflect.DeepEqual(m2, m3) || string(b) != string(b2) {
		t.Fatalf("round trip is not stable:\n%s\n%s", b, b2)
	}
}

// FuzzDecodeClient and FuzzDecodeServer run on their seed corpus (the
// testdata frames) in every `go test`; `make fuzz` runs each longer:
//
//	go test -run '^$' -fuzz '^FuzzDecodeClient$' -fuzztime 2m ./protocol
func FuzzDecodeClient(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzSide(t, DecodeClient, data) })
}

func FuzzDecodeServer(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzSide(t, DecodeServer, data) })
}
