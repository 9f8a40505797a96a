package markdown

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"
)

// FuzzStream streams arbitrary text in pieces and checks that nothing
// panics, that every piece of HTML sent is safe, that every tail is the full
// render of the text not yet committed, and that streamed in any pieces
// equals rendered whole: the text is split the same way into answer and
// thinking as when it is written in one piece, and the final View of each
// holds exactly [Renderer.Render] of it. The fuzzer chooses the text and the
// seed that places the cuts (1 to 16 bytes apart) and the Flushes between
// them. The seed corpus is in testdata/fuzz/FuzzStream; `make fuzz` runs
// it longer:
//
//	go test -run '^$' -fuzz '^FuzzStream$' -fuzztime 2m ./internal/markdown
func FuzzStream(f *testing.F) {
	f.Add("# Title\n\nSome *text* and `code`.\n\n- a\n- b\n", uint64(1))
	f.Add("<thinking>plan</thinking>\n```go\nx := 1\n```\n| a |\n|---|\n| 1 |\n", uint64(2))
	f.Add("[x]: https://x.org\n\n[x] <script>alert(1)</script> <span class=\"suggestion\">s</span>", uint64(3))
	f.Add("w1 w2\n\nw3 w4  \n\nSo \"it\" (x) 1+1=2 $5 50% a/b -- c! é\n\nwww.x.org w6\n\nz\n===\n\nq\n- r\n\nt", uint64(4))
	r := structural()
	f.Fuzz(func(t *testing.T, text string, seed uint64) {
		if len(text) > 4<<10 {
			return
		}
		rng := rand.New(rand.NewPCG(seed, seed>>32|1))
		s := r.NewStream()
		var answer, thinking View
		apply := func(v *View, d Delta, doc *incDoc) {
			t.Helper()
			if err := v.Apply(d); err != nil {
				t.Fatalf("Apply: %v", err)
			}
			// Each block and the tail is a fragment a client inserts on
			// its own.
			for _, piece := range append(slices.Clone(v.Blocks[min(d.From, len(v.Blocks)):]), v.Tail) {
				if err := checkSafe(piece); err != nil {
					t.Fatalf("unsafe fragment %q: %v", piece, err)
				}
			}
			if doc != nil {
				checkTail(t, r, doc, v.Tail)
			}
		}
		for rest := text; len(rest) > 0; {
			n := min(len(rest), 1+rng.IntN(16))
			if _, err := s.WriteString(rest[:n]); err != nil {
				t.Fatal(err)
			}
			rest = rest[n:]
			if rng.IntN(3) == 0 {
				if p, ok := s.Flush(); ok {
					apply(&answer, p.Answer, &s.answer)
					apply(&thinking, p.Thinking, &s.thinking)
				}
			}
		}
		p := s.Finish()
		apply(&answer, p.Answer, nil)
		apply(&thinking, p.Thinking, nil)
		// The same text in one piece: the split must not depend on the cuts.
		whole := r.NewStream()
		_, _ = whole.WriteString(text)
		wp := whole.Finish()
		if s.Answer() != whole.Answer() || s.Thinking() != whole.Thinking() || p.ThinkingClosed != wp.ThinkingClosed {
			t.Fatalf("split depends on the cuts:\n answer   %q\n whole    %q\n thinking %q\n whole    %q\n closed %v, whole %v",
				s.Answer(), whole.Answer(), s.Thinking(), whole.Thinking(), p.ThinkingClosed, wp.ThinkingClosed)
		}
		for _, c := range []struct {
			src  string
			view View
		}{{s.Answer(), answer}, {s.Thinking(), thinking}} {
			if want := r.blocks(limit([]byte(c.src)), nil); !slices.Equal(c.view.Blocks, want) || c.view.Tail != "" {
				t.Fatalf("final view differs from a full render of %q\n got  %q\n want %q", c.src, c.view.Blocks, want)
			}
			if got, want := c.view.HTML(), r.RenderString(c.src); got != want {
				t.Fatalf("final view HTML differs from Render of %q\n got  %q\n want %q", c.src, got, want)
			}
		}
	})
}

// FuzzPlain checks that appendPlain makes of every input isPlain accepts
// what the sanitizer makes of it: goldmark's HTML of arbitrary markdown, and
// arbitrary bytes taken as HTML.
func FuzzPlain(f *testing.F) {
	for _, s := range []string{
		"w1 w2 w3", "a *b* **c** `d`", "it's \"quoted\" & <tagged> > less", "a\nb\r\nc", "&copy; &#169; &#x1F600; &bogus; &amp",
		"<p>x</p>", "<p>a &quot;b&quot; c&#39;s</p>\n", "<p>\x00</p>", "<em><p>x</em>", "<p>x</p><script>y</script>", "<p >x</p>",
		"\xff\xfe invalid", "line  \nbreak", "<code>&lt;b&gt;</code>",
	} {
		f.Add(s)
	}
	r := New()
	f.Fuzz(func(t *testing.T, s string) {
		var raw bytes.Buffer
		if err := r.renderer.Render(&raw, []byte(s), r.parse([]byte(s), nil)); err != nil {
			t.Fatal(err)
		}
		for _, in := range [][]byte{raw.Bytes(), []byte(s)} {
			if !isPlain(in) {
				continue
			}
			want := r.policy.SanitizeBytes(in)
			if got := appendPlain(nil, in); !bytes.Equal(got, want) {
				t.Fatalf("appendPlain(%q) = %q, the sanitizer makes %q", in, got, want)
			}
		}
	})
}
