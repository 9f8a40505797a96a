package chat

import "testing"

func TestParseMsgID(t *testing.T) {
	for _, tc := range []struct {
		id, prefix string
		n          int
		ok         bool
	}{
		{"chat-m12", "chat", 12, true},
		{"chat-m3-b", "chat", 3, true},
		{"my-chat-m7-host-1234", "my-chat", 7, true},
		{"chat-note-2", "", 0, false},
		{"x-mnope", "", 0, false},
	} {
		prefix, n, ok := parseMsgID(tc.id)
		if prefix != tc.prefix || n != tc.n || ok != tc.ok {
			t.Errorf("parseMsgID(%q) = %q, %d, %v; want %q, %d, %v", tc.id, prefix, n, ok, tc.prefix, tc.n, tc.ok)
		}
	}
}
