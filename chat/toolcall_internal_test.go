package chat

import (
	"encoding/json"
	"testing"

	"github.com/sheenhq/sheen/store"
)

func TestSegments(t *testing.T) {
	call := func(id string, round, off int) ToolCall {
		return ToolCall{ID: id, Name: "f", Round: round, Offset: off, Status: ToolSuccess}
	}
	tests := []struct {
		name    string
		content string
		calls   []ToolCall
		want    []string // each segment: its text and its calls' ids
	}{
		{"no calls", "Hello.", nil, []string{"Hello.|"}},
		{"one round then text", "Checking.\n\nIt is 18.", []ToolCall{call("a", 1, 9)}, []string{"Checking.|a", "It is 18.|"}},
		{"calls first", "It is 18.", []ToolCall{call("a", 1, 0)}, []string{"|a", "It is 18.|"}},
		{"parallel calls", "Both.", []ToolCall{call("a", 1, 0), call("b", 1, 0)}, []string{"|ab", "Both.|"}},
		{"two rounds, no text between", "Done.", []ToolCall{call("a", 1, 0), call("b", 2, 0)}, []string{"|a", "|b", "Done.|"}},
		{"rounds out of order", "A B C", []ToolCall{call("b", 2, 3), call("a", 1, 1)}, []string{"A|a", "B|b", "C|"}},
		{"offset past the end", "Short.", []ToolCall{call("a", 1, 99)}, []string{"Short.|a"}},
		{"offset inside a character", "é!", []ToolCall{call("a", 1, 1)}, []string{"|a", "é!|"}},
		{"only calls", "", []ToolCall{call("a", 1, 0)}, []string{"|a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Message{Role: Assistant, Content: tt.content, ToolCalls: tt.calls}
			var got []string
			for _, s := range segments(&m) {
				ids := ""
				for _, c := range s.calls {
					ids += c.ID
				}
				got = append(got, s.text+"|"+ids)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("segments = %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("segments = %q, want %q", got, tt.want)
				}
			}
		})
	}
}

// TestRestoreStreamingCards: a row left streaming by a process that died
// comes back interrupted, its unfinished calls failed, its finished ones as
// they were.
func TestRestoreStreamingCards(t *testing.T) {
	md, _ := json.Marshal(meta{Raw: true, ToolCalls: []ToolCall{
		{ID: "a", Name: "f", Status: ToolSuccess, Result: "ok"},
		{ID: "b", Name: "f", Status: ToolPending, NeedsApproval: true},
	}})
	m, _, ok := fromStore(store.Message{ID: "x-m2", Role: "assistant", Content: "Checking.", Status: store.StatusStreaming, Meta: md})
	if !ok || m.Status != Interrupted || len(m.ToolCalls) != 2 {
		t.Fatalf("restored %+v", m)
	}
	if m.ToolCalls[0].Status != ToolSuccess || m.ToolCalls[1].Status != ToolError || m.ToolCalls[1].Result != "Stopped before it finished." {
		t.Errorf("cards = %+v", m.ToolCalls)
	}
}

func TestPrettyArgs(t *testing.T) {
	for in, want := range map[string]string{
		`{"a":1}`:   "{\n  \"a\": 1\n}",
		` {"a":1} `: "{\n  \"a\": 1\n}",
		`{"a":`:     `{"a":`,
		``:          ``,
	} {
		if got := PrettyArgs([]byte(in)); got != want {
			t.Errorf("PrettyArgs(%q) = %q, want %q", in, got, want)
		}
	}
}
