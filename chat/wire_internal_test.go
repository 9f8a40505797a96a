package chat

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/sheenhq/sheen/internal/markdown"
)

// TestWirePatchJSON pins the patch message's JSON: thinking and
// thinkingClosed only when the thinking changed, keys in the order the
// protocol documents (docs/chat.md, "Wire messages").
func TestWirePatchJSON(t *testing.T) {
	d := markdown.Delta{From: 2, Keep: 5, Blocks: []string{"<p>b</p>\n"}, Tail: "<p>t</p>\n"}
	for _, tc := range []struct {
		name string
		p    markdown.Patch
		want string
	}{
		{"answer only", markdown.Patch{Answer: d}, `{"answer":{"from":2,"keep":5,"blocks":["\u003cp\u003eb\u003c/p\u003e\n"],"tail":"\u003cp\u003et\u003c/p\u003e\n"},"id":"m1"}`},
		{"empty", markdown.Patch{}, `{"answer":{},"id":"m1"}`},
		{"thinking", markdown.Patch{Thinking: markdown.Delta{Tail: "x"}}, `{"answer":{},"id":"m1","thinking":{"tail":"x"},"thinkingClosed":false}`},
		{"thinking closed", markdown.Patch{ThinkingClosed: true}, `{"answer":{},"id":"m1","thinking":{},"thinkingClosed":true}`},
	} {
		got, err := json.Marshal(wirePatch("m1", tc.p))
		if err != nil || string(got) != tc.want {
			t.Errorf("%s: %s (%v)\nwant %s", tc.name, got, err, tc.want)
		}
	}
}

// BenchmarkWirePatchJSON is a patch's encoding, once per streamed frame
// (a struct: 0.95 µs and 2 allocations; the map it replaced took 1.9 µs and
// 9, on the Xeon of docs/benchmarks.md).
func BenchmarkWirePatchJSON(b *testing.B) {
	p := markdown.Patch{Answer: markdown.Delta{From: 3, Keep: 120, Blocks: []string{"<p>a block of text that closed, with <strong>bold</strong> words.</p>\n"}, Tail: "<p>the open tail of the stream, growing</p>\n"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(wirePatch("chat-m12-a", p)); err != nil {
			b.Fatal(err)
		}
	}
}

// stdJSON is v encoded as sheen encodes a component message's data:
// encoding/json with HTML escaping off.
func stdJSON(t testing.TB, v any) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

// TestPatchAppendJSON pins the hand-written encoding of the patch message,
// sent once per streamed frame, to encoding/json's bytes.
func TestPatchAppendJSON(t *testing.T) {
	html := "<p>a &amp; \"b\" \\ é 日本 \u2028 \x01</p>\n"
	for _, tc := range []struct {
		name string
		id   string
		p    markdown.Patch
	}{
		{"empty", "m1", markdown.Patch{}},
		{"tail", "chat-m12-a", markdown.Patch{Answer: markdown.Delta{Keep: 12, Tail: " w13"}}},
		{"from only", "m1", markdown.Patch{Answer: markdown.Delta{From: 3}}},
		{"blocks", "m1", markdown.Patch{Answer: markdown.Delta{From: 2, Keep: 5, Blocks: []string{html, ""}, Tail: html}}},
		{"empty blocks", "m1", markdown.Patch{Answer: markdown.Delta{Blocks: []string{}, Tail: "x"}}},
		{"thinking", "m1", markdown.Patch{Thinking: markdown.Delta{From: 1, Tail: "x"}}},
		{"thinking closed", "m1", markdown.Patch{Answer: markdown.Delta{Blocks: []string{"<p>x</p>"}}, ThinkingClosed: true}},
		{"odd id", "a\"b\xff", markdown.Patch{Answer: markdown.Delta{Tail: "t"}}},
	} {
		wp := wirePatch(tc.id, tc.p)
		got, want := string(wp.AppendJSON(nil)), stdJSON(t, wp)
		if got != want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, want)
		}
		if n := wp.Size(); n != len(got) {
			t.Errorf("%s: Size() = %d; the JSON is %d bytes", tc.name, wp.Size(), len(got))
		}
	}
}

func FuzzPatchAppendJSON(f *testing.F) {
	f.Add("m1", 0, 0, "", "", 0, "", false)
	f.Add("chat-m1", 3, 17, "<p>x</p>\n", "<p>t", 2, "th", true)
	f.Fuzz(func(t *testing.T, id string, from, keep int, block, tail string, tfrom int, ttail string, closed bool) {
		p := markdown.Patch{Answer: markdown.Delta{From: from, Keep: keep, Tail: tail}, Thinking: markdown.Delta{From: tfrom, Tail: ttail}, ThinkingClosed: closed}
		if block != "" {
			p.Answer.Blocks = []string{block, tail}
		}
		wp := wirePatch(id, p)
		got, want := string(wp.AppendJSON(nil)), stdJSON(t, wp)
		if got != want {
			t.Fatalf("got %s\nwant %s", got, want)
		}
		if n := wp.Size(); n != len(got) {
			t.Fatalf("Size() = %d; the JSON is %d bytes: %s", wp.Size(), len(got), got)
		}
	})
}

// BenchmarkPatchAppendJSON is BenchmarkWirePatchJSON's patch encoded by
// hand, as the writer sends it.
func BenchmarkPatchAppendJSON(b *testing.B) {
	p := markdown.Patch{Answer: markdown.Delta{From: 3, Keep: 120, Blocks: []string{"<p>a block of text that closed, with <strong>bold</strong> words.</p>\n"}, Tail: "<p>the open tail of the stream, growing</p>\n"}}
	b.ReportAllocs()
	for b.Loop() {
		wp := wirePatch("chat-m12-a", p)
		_ = wp.AppendJSON(make([]byte, 0, wp.Size()))
	}
}
