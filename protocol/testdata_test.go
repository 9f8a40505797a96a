package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The files in testdata/ are shared with the JavaScript client's tests
// (client/protocol.test.mjs): valid frames are named client_*.json and
// server_*.json; invalid frames sit in testdata/invalid/ with the expected
// error code per side in testdata/invalid/manifest.json.

func decodeSide(side string, data []byte) (interface {
	Type() string
	json.Marshaler
}, error) {
	if side == "client" {
		return DecodeClient(data)
	}
	return DecodeServer(data)
}

func TestValidExamples(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, file := range files {
		name := filepath.Base(file)
		side, _, _ := strings.Cut(name, "_")
		if side != "client" && side != "server" {
			t.Errorf("%s: name must start with client_ or server_", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			// Compact first so json.RawMessage values compare byte for byte.
			var compact bytes.Buffer
			if err := json.Compact(&compact, raw); err != nil {
				t.Fatal(err)
			}
			m1, err := decodeSide(side, compact.Bytes())
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			seen[m1.Type()] = true
			var head struct{ Type string }
			if err := json.Unmarshal(raw, &head); err != nil || head.Type != m1.Type() {
				t.Fatalf("Type() = %q, file says %q", m1.Type(), head.Type)
			}
			b1, err := m1.MarshalJSON()
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			if !jsonEqual(t, raw, b1) {
				t.Errorf("encoded fields differ from the file\nfile:    %s\nencoded: %s", compact.Bytes(), b1)
			}
			m2, err := decodeSide(side, b1)
			if err != nil {
				t.Fatalf("decode encoded: %v", err)
			}
			if !reflect.DeepEqual(m1, m2) {
				t.Errorf("decode → encode → decode changed the message\nfirst:  %#v\nsecond: %#v", m1, m2)
			}
			// json.Marshal (which escapes HTML) must agree with MarshalJSON.
			b2, err := json.Marshal(m1)
			if err != nil {
				t.Fatal(err)
			}
			if !jsonEqual(t, b1, b2) {
				t.Errorf("json.Marshal differs from MarshalJSON\n%s\n%s", b2, b1)
			}
		})
	}
	for _, typ := range []string{TypeHello, TypeInput, TypeEvent, TypePing,
		TypeWelcome, TypeUpdate, TypeError, TypeExpired, TypePong} {
		if !seen[typ] {
			t.Errorf("no example of %q in testdata", typ)
		}
	}
}

type invalidCase struct {
	File   string `json:"file"`
	Client Code   `json:"client"`
	Server Code   `json:"server"`
	Why    string `json:"why"`
}

func readManifest(t *testing.T) []invalidCase {
	t.Helper()
	raw, err := os.ReadFile("testdata/invalid/manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []invalidCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

func TestInvalidExamples(t *testing.T) {
	cases := readManifest(t)
	listed := map[string]bool{"manifest.json": true}
	for _, c := range cases {
		listed[c.File] = true
		data, err := os.ReadFile(filepath.Join("testdata/invalid", c.File))
		if err != nil {
			t.Errorf("%s: %v", c.File, err)
			continue
		}
		for _, side := range []struct {
			name string
			want Code
		}{{"client", c.Client}, {"server", c.Server}} {
			if side.want == "" {
				continue
			}
			t.Run(side.name+"/"+c.File, func(t *testing.T) {
				m, err := decodeSide(side.name, data)
				var de *DecodeError
				if !errors.As(err, &de) {
					t.Fatalf("got %#v, %v; want a *DecodeError with code %s (%s)", m, err, side.want, c.Why)
				}
				if m != nil {
					t.Errorf("got a message %#v with the error", m)
				}
				if de.Code != side.want {
					t.Errorf("code = %s (%v), want %s (%s)", de.Code, de, side.want, c.Why)
				}
				if de.Msg == "" || !strings.HasPrefix(de.Error(), "protocol: "+string(de.Code)+": ") {
					t.Errorf("Error() = %q", de.Error())
				}
			})
		}
	}
	entries, err := os.ReadDir("testdata/invalid")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !listed[e.Name()] {
			t.Errorf("testdata/invalid/%s is not in manifest.json", e.Name())
		}
	}
}

// jsonEqual reports whether a and b hold the same JSON value.
func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return reflect.DeepEqual(va, vb)
}
