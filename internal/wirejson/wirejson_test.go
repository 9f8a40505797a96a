package wirejson

import (
	"bytes"
	"encoding/json"
	"testing"
)

// stdString is s encoded by encoding/json with HTML escaping off.
func stdString(t testing.TB, s string) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

func TestAppendString(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"plain", "w1 w2 w3 "},
		{"html", `<p>a &amp; b <a href="x">y</a></p>`},
		{"quotes and backslashes", `"\"\\`},
		{"short escapes", "\b\f\n\r\t"},
		{"other controls", "\x00\x01\x1f\x7f"},
		{"unicode", "héllo — 日本語 🎉"},
		{"line separators", "a\u2028b\u2029c"},
		{"invalid utf-8", "a\xffb\xc3(c\xe2\x80"},
		{"lone surrogate bytes", "\xed\xa0\x80"},
		{"every byte", func() string {
			b := make([]byte, 256)
			for i := range b {
				b[i] = byte(i)
			}
			return string(b)
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := string(AppendString(nil, tt.in)), stdString(t, tt.in); got != want {
				t.Errorf("AppendString(%q) = %s; encoding/json: %s", tt.in, got, want)
			}
			if got, want := StringLen(tt.in), len(AppendString(nil, tt.in)); got != want {
				t.Errorf("StringLen(%q) = %d; AppendString appends %d bytes", tt.in, got, want)
			}
		})
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "w1 ", "<p>x</p>\n", "\u2028\xff\"\\\x00", "日本"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(AppendString(nil, s)), stdString(t, s); got != want {
			t.Fatalf("AppendString(%q) = %s; encoding/json: %s", s, got, want)
		}
		if got, want := StringLen(s), len(AppendString(nil, s)); got != want {
			t.Fatalf("StringLen(%q) = %d; AppendString appends %d bytes", s, got, want)
		}
	})
}

func TestAppendNumbers(t *testing.T) {
	for _, n := range []int64{0, 1, -1, 9, 10, -10, 1 << 40, 1<<63 - 1, -1 << 63} {
		want, _ := json.Marshal(n)
		if got := AppendInt(nil, n); string(got) != string(want) {
			t.Errorf("AppendInt(%d) = %s; want %s", n, got, want)
		}
		if got := IntLen(n); got != len(want) {
			t.Errorf("IntLen(%d) = %d; want %d", n, got, len(want))
		}
	}
	for _, n := range []uint64{0, 7, 9, 10, 99, 100, 1<<64 - 1} {
		want, _ := json.Marshal(n)
		if got := AppendUint(nil, n); string(got) != string(want) {
			t.Errorf("AppendUint(%d) = %s; want %s", n, got, want)
		}
		if got := UintLen(n); got != len(want) {
			t.Errorf("UintLen(%d) = %d; want %d", n, got, len(want))
		}
	}
}
