package sse

import (
	"strings"
	"testing"
)

func TestReader(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string // "event|data"
	}{
		{"data only", "data: a\n\ndata: b\n\n", []string{"|a", "|b"}},
		{"events and comments", ": ping\nevent: x\ndata: {\"a\":1}\n\n", []string{"x|{\"a\":1}"}},
		{"crlf and multi-line data", "data: a\r\ndata: b\r\n\r\n", []string{"|a\nb"}},
		{"no trailing blank line", "data: last", []string{"|last"}},
		{"no space after colon", "data:x\n\n", []string{"|x"}},
		{"event without data is skipped", "event: ping\n\ndata: y\n\n", []string{"|y"}},
		{"long line", "data: " + strings.Repeat("z", 40000) + "\n\n", []string{"|" + strings.Repeat("z", 40000)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(tt.in))
			var got []string
			for r.Next() {
				got = append(got, string(r.Event())+"|"+string(r.Data()))
			}
			if r.Err() != nil {
				t.Fatal(r.Err())
			}
			if strings.Join(got, "\x00") != strings.Join(tt.want, "\x00") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
