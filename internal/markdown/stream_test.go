package markdown

import (
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// streamRun is what feeding a text to a Stream produced.
type streamRun struct {
	answer, thinking View
	closed           bool
	rewinds          int // deltas that replaced blocks a client already had
	patches          int
}

// apply applies d to v twice, checking that the second time changes
// nothing, and counts rewinds.
func (run *streamRun) apply(t testing.TB, v *View, d Delta) {
	t.Helper()
	if d.From < len(v.Blocks) {
		run.rewinds++
	}
	if err := v.Apply(d); err != nil {
		t.Fatalf("Apply(%+v) to %d blocks: %v", d, len(v.Blocks), err)
	}
	again := View{Blocks: slices.Clone(v.Blocks), Tail: v.Tail}
	if err := again.Apply(d); err != nil {
		t.Fatalf("second Apply(%+v): %v", d, err)
	}
	if !slices.Equal(again.Blocks, v.Blocks) || again.Tail != v.Tail {
		t.Fatalf("Apply is not idempotent for %+v", d)
	}
}

// feed writes chunks to a new stream, flushing after every flushEvery
// writes, and applies every patch.
func feed(t testing.TB, r *Renderer, chunks []string, flushEvery int) (*Stream, *streamRun) {
	t.Helper()
	s := r.NewStream()
	run := &streamRun{}
	for i, c := range chunks {
		if _, err := s.WriteString(c); err != nil {
			t.Fatal(err)
		}
		if (i+1)%flushEvery != 0 {
			continue
		}
		if p, ok := s.Flush(); ok {
			run.patches++
			run.apply(t, &run.answer, p.Answer)
			run.apply(t, &run.thinking, p.Thinking)
			run.closed = p.ThinkingClosed
		}
		checkTail(t, r, &s.answer, run.answer.Tail)
		checkTail(t, r, &s.thinking, run.thinking.Tail)
	}
	p := s.Finish()
	if !p.Final {
		t.Fatal("Finish did not return a final patch")
	}
	run.patches++
	run.apply(t, &run.answer, p.Answer)
	run.apply(t, &run.thinking, p.Thinking)
	run.closed = p.ThinkingClosed
	return s, run
}

// checkTail checks that the tail a client shows is the full render of the
// text not yet committed, except inside an open code fence, which is shown
// unhighlighted until it closes.
func checkTail(t testing.TB, r *Renderer, d *incDoc, tail string) {
	t.Helper()
	if d.fence != nil {
		return
	}
	region := d.src[d.start:visibleEnd(d.src)]
	var want []byte
	doc := r.parse(region, d.refs)
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		want = r.renderBlock(want, region, n, nil)
	}
	if string(want) != tail {
		t.Fatalf("tail for %q\n got  %q\n want %q", region, tail, want)
	}
}

// checkFinal checks that the views equal full renders of the texts.
func checkFinal(t testing.TB, r *Renderer, s *Stream, run *streamRun) {
	t.Helper()
	for _, c := range []struct {
		name string
		src  string
		view View
	}{
		{"answer", s.Answer(), run.answer},
		{"thinking", s.Thinking(), run.thinking},
	} {
		want := r.blocks([]byte(c.src), nil)
		if c.view.Tail != "" {
			t.Fatalf("%s: tail %q left after Finish", c.name, c.view.Tail)
		}
		if !slices.Equal(c.view.Blocks, want) {
			t.Fatalf("%s: streamed blocks differ from a full render\nstreamed: %q\nfull:     %q", c.name, c.view.Blocks, want)
		}
	}
}

// TestRenderIsBlocks checks that Render is the concatenation of the blocks
// a stream commits.
func TestRenderIsBlocks(t *testing.T) {
	r := New()
	for name, text := range readCorpus(t) {
		if got, want := r.RenderString(text), strings.Join(r.blocks(limit(normalize(nil, []byte(text))), nil), ""); got != want {
			t.Errorf("%s: Render differs from its blocks", name)
		}
	}
}

func readCorpus(t testing.TB) map[string]string {
	t.Helper()
	files, err := filepath.Glob("testdata/corpus/*.md")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	out := make(map[string]string)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = string(b)
	}
	return out
}

// usesRefs reports whether a text defines link references, the one case in
// which a stream may have to replace blocks it committed.
func usesRefs(text string) bool { return strings.Contains(text, "]:") }

// structural returns the renderer for tests of the streaming structure.
// Highlighting is off: chroma's lexers give up on a match after 250 ms of
// wall time, so under the race detector on a loaded machine the same code
// may be coloured differently from one render to the next.
func structural() *Renderer { return New(WithHighlighting(false)) }

func bytesOf(s string) []string {
	out := make([]string, len(s))
	for i := range s {
		out[i] = s[i : i+1]
	}
	return out
}

// TestStreamEveryByte streams each corpus text one byte at a time with a
// patch after every byte, so every prefix is rendered: a block committed too
// early would have to be replaced at the end, which the test forbids for
// texts without link reference definitions.
func TestStreamEveryByte(t *testing.T) {
	r := structural()
	for name, text := range readCorpus(t) {
		t.Run(name, func(t *testing.T) {
			s, run := feed(t, r, bytesOf(text), 1)
			checkFinal(t, r, s, run)
			if run.rewinds > 0 && !usesRefs(text) {
				t.Errorf("%d deltas replaced committed blocks", run.rewinds)
			}
		})
	}
}

// TestStreamEverySplit splits each corpus text in two at every byte offset
// (every fifth one in texts over 400 bytes, to keep the race detector's run
// short; TestStreamEveryByte already renders every prefix).
func TestStreamEverySplit(t *testing.T) {
	r := structural()
	for name, text := range readCorpus(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			step := 1
			if len(text) > 400 {
				step = 5
			}
			for k := 0; k <= len(text); k += step {
				s, run := feed(t, r, []string{text[:k], text[k:]}, 1)
				checkFinal(t, r, s, run)
				if run.rewinds > 0 && !usesRefs(text) {
					t.Fatalf("split at %d: %d deltas replaced committed blocks", k, run.rewinds)
				}
			}
		})
	}
}

// TestStreamRandomChunks streams the corpus texts, and their
// concatenation, in random chunk sizes with random flush pacing.
func TestStreamRandomChunks(t *testing.T) {
	r := structural()
	corpus := readCorpus(t)
	var all strings.Builder
	for _, name := range slices.Sorted(maps.Keys(corpus)) {
		all.WriteString(corpus[name])
		all.WriteString("\n\n")
	}
	corpus["all"] = all.String()
	for name, text := range corpus {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(uint64(len(text)), 2))
			for round := 0; round < 20; round++ {
				var chunks []string
				for rest := text; len(rest) > 0; {
					n := min(len(rest), 1+rng.IntN(12))
					chunks = append(chunks, rest[:n])
					rest = rest[n:]
				}
				s, run := feed(t, r, chunks, 1+rng.IntN(5))
				checkFinal(t, r, s, run)
				if run.rewinds > 0 && !usesRefs(text) {
					t.Fatalf("round %d: %d deltas replaced committed blocks", round, run.rewinds)
				}
			}
		})
	}
}

// TestStreamCommitsEarly checks that complete blocks leave the tail as soon
// as the text proves them complete.
func TestStreamCommitsEarly(t *testing.T) {
	r := New()
	tests := []struct {
		name   string
		text   string
		blocks int // committed after writing text
	}{
		{"paragraph open", "Hello", 0},
		{"paragraph then newline", "Hello\n", 0},
		{"paragraph then blank line", "Hello\n\n", 1},
		{"heading then text", "# Title\nText", 0},
		{"heading then complete line", "# Title\nText\n", 1},
		{"closed fence", "```go\nx := 1\n```\n", 1},
		{"closed fence, closing line open", "```go\nx := 1\n```", 0},
		{"open fence", "```go\nx := 1\n", 0},
		{"list and blank line", "- a\n- b\n\n", 0},
		{"list then paragraph", "- a\n- b\n\nNext\n", 1},
		{"table then blank", "| a |\n|---|\n| 1 |\n\n", 1},
		{"quote then blank", "> a\n\n", 1},
		{"indented code then blank", "    code\n\n", 0},
		{"setext pending", "Title\n", 0},
		{"two paragraphs", "One\n\nTwo\n\nThree", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := r.NewStream()
			s.WriteString(tt.text)
			p, _ := s.Flush()
			var v View
			if err := v.Apply(p.Answer); err != nil {
				t.Fatal(err)
			}
			if len(v.Blocks) != tt.blocks {
				t.Errorf("committed %d blocks %q, want %d (tail %q)", len(v.Blocks), v.Blocks, tt.blocks, v.Tail)
			}
		})
	}
}

// TestStreamFence checks the open-fence fast path: the tail shows the code
// escaped, and the closed block is highlighted.
func TestStreamFence(t *testing.T) {
	r := New()
	s := r.NewStream()
	var v View
	step := func(text string) {
		t.Helper()
		s.WriteString(text)
		p, _ := s.Flush()
		if err := v.Apply(p.Answer); err != nil {
			t.Fatal(err)
		}
	}
	step("```go\nfunc main() {\n")
	step("\tx := \"<b>\"\n  ``")
	want := `<pre class="chroma"><code tabindex="0" class="language-go">func main() {` + "\n\tx := &quot;&lt;b&gt;&quot;\n" + `</code></pre>` + "\n"
	if v.Tail != want || len(v.Blocks) != 0 {
		t.Fatalf("open fence tail = %q, want %q", v.Tail, want)
	}
	step("x\n}\n```\n")
	if len(v.Blocks) != 1 || !strings.Contains(v.Blocks[0], `<span class="kd">func</span>`) {
		t.Fatalf("closed fence not committed highlighted: %q", v.Blocks)
	}
	if !s.answer.fenceIdle() {
		t.Fatal("fast path still active after the fence closed")
	}
}

// TestStreamThinking checks the routing of <thinking> blocks.
func TestStreamThinking(t *testing.T) {
	r := New()
	tests := []struct {
		name             string
		text             string
		answer, thinking string
		closed           bool
	}{
		{"none", "Just *text*.\n", "Just *text*.\n", "", false},
		{"leading", "<thinking>\nStep *one*.\n</thinking>\n\nThe answer.", "\n\nThe answer.", "\nStep *one*.\n", true},
		{"indented tag", "  <thinking>hmm</thinking>Yes", "Yes", "hmm", true},
		{"not at line start", "Say <thinking>x</thinking>", "Say <thinking>x</thinking>", "", false},
		{"inside a fence", "```\n<thinking>x</thinking>\n```\n", "```\n<thinking>x</thinking>\n```\n", "", false},
		{"after a fence", "```\ncode\n```\n<thinking>t</thinking>\nA", "```\ncode\n```\n\n\nA", "t", true},
		{"unclosed", "<thinking>still thinking", "", "still thinking", true},
		{"two blocks", "<thinking>a</thinking>\nB\n<thinking>c</thinking>\nD", "\nB\n\n\nD", "a\n\nc", true},
		{"four spaces", "    <thinking>x</thinking>", "    <thinking>x</thinking>", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, chunks := range [][]string{{tt.text}, bytesOf(tt.text)} {
				s, run := feed(t, r, chunks, 1)
				if s.Answer() != tt.answer || s.Thinking() != tt.thinking {
					t.Fatalf("answer %q thinking %q, want %q and %q", s.Answer(), s.Thinking(), tt.answer, tt.thinking)
				}
				if run.closed != tt.closed {
					t.Fatalf("ThinkingClosed = %v, want %v", run.closed, tt.closed)
				}
				checkFinal(t, r, s, run)
			}
		})
	}
}

// TestStreamThinkingClosedReported checks that the patch after the closing
// tag reports it while the stream goes on.
func TestStreamThinkingClosedReported(t *testing.T) {
	r := New()
	s := r.NewStream()
	s.WriteString("<thinking>plan")
	p, _ := s.Flush()
	if p.ThinkingClosed {
		t.Fatal("closed before the closing tag")
	}
	s.WriteString("</think")
	if p, _ = s.Flush(); p.ThinkingClosed {
		t.Fatal("closed on half a tag")
	}
	s.WriteString("ing>\nAnswer")
	p, ok := s.Flush()
	if !ok || !p.ThinkingClosed {
		t.Fatalf("closing tag not reported: %+v", p)
	}
}

// TestStreamNormalizes checks that line endings, NUL bytes and characters
// split across writes come out as in a full render.
func TestStreamNormalizes(t *testing.T) {
	r := New()
	text := "a\r\nb\rc\x00d \xff é😀 end\r"
	for k := 0; k <= len(text); k++ {
		s, run := feed(t, r, []string{text[:k], text[k:]}, 1)
		if want := "a\nb\nc\uFFFDd \uFFFD é😀 end\n"; s.Answer() != want {
			t.Fatalf("split %d: answer %q, want %q", k, s.Answer(), want)
		}
		checkFinal(t, r, s, run)
	}
}

// TestStreamRefsLater checks that a reference definition arriving after
// the blocks that use it updates them.
func TestStreamRefsLater(t *testing.T) {
	r := New()
	text := "See [docs].\n\nMore text.\n\n[docs]: https://example.com/\n\nEnd.\n"
	s, run := feed(t, r, bytesOf(text), 1)
	checkFinal(t, r, s, run)
	if !strings.Contains(run.answer.Blocks[0], `href="https://example.com/"`) {
		t.Fatalf("first block not linked: %q", run.answer.Blocks[0])
	}
	if run.rewinds == 0 {
		t.Fatal("the first block was never replaced")
	}
}

// TestStreamWriteAfterFinish checks the error.
func TestStreamWriteAfterFinish(t *testing.T) {
	s := New().NewStream()
	s.WriteString("x")
	s.Finish()
	if _, err := s.WriteString("y"); err != ErrFinished {
		t.Fatalf("WriteString after Finish: %v, want ErrFinished", err)
	}
	if _, err := s.Write([]byte("y")); err != ErrFinished {
		t.Fatalf("Write after Finish: %v, want ErrFinished", err)
	}
	v := View{Blocks: []string{"<p>x</p>\n"}}
	for _, p := range []Patch{s.Finish(), func() Patch { p, _ := s.Flush(); return p }()} {
		if !p.Final || len(p.Answer.Blocks) != 0 {
			t.Fatalf("after Finish: %+v", p)
		}
		if err := v.Apply(p.Answer); err != nil || len(v.Blocks) != 1 {
			t.Fatalf("a patch after Finish changed the view: %v %q", err, v.Blocks)
		}
	}
}

// TestStreamSnapshot checks that a late client catches up.
func TestStreamSnapshot(t *testing.T) {
	r := New()
	s := r.NewStream()
	var early View
	for _, c := range []string{"# T\n\nOne.\n\n", "- a\n", "- b"} {
		s.WriteString(c)
		p, _ := s.Flush()
		if err := early.Apply(p.Answer); err != nil {
			t.Fatal(err)
		}
	}
	var late View
	if err := late.Apply(s.Snapshot().Answer); err != nil {
		t.Fatal(err)
	}
	if late.HTML() != early.HTML() {
		t.Fatalf("snapshot %q, want %q", late.HTML(), early.HTML())
	}
	s.WriteString("\n\nEnd")
	p := s.Finish()
	if err := late.Apply(p.Answer); err != nil {
		t.Fatal(err)
	}
	if late.HTML() != r.RenderString(s.Answer()) {
		t.Fatalf("late view after Finish: %q", late.HTML())
	}
}

func TestViewApplyErrors(t *testing.T) {
	tests := []struct {
		name string
		view View
		d    Delta
	}{
		{"from beyond", View{}, Delta{From: 1}},
		{"negative", View{}, Delta{From: -1}},
		{"keep beyond tail", View{Tail: "ab"}, Delta{Keep: 3}},
		{"keep splits a pair", View{Tail: "😀"}, Delta{Keep: 1}},
		{"keep while replacing", View{Blocks: []string{"a", "b"}, Tail: "t"}, Delta{From: 1, Keep: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := View{Blocks: slices.Clone(tt.view.Blocks), Tail: tt.view.Tail}
			if err := tt.view.Apply(tt.d); err != ErrOutOfStep {
				t.Fatalf("Apply = %v, want ErrOutOfStep", err)
			}
			if !slices.Equal(before.Blocks, tt.view.Blocks) || before.Tail != tt.view.Tail {
				t.Fatal("failed Apply changed the view")
			}
		})
	}
}

func TestCommonPrefix(t *testing.T) {
	tests := []struct {
		a, b        string
		units, size int
	}{
		{"", "", 0, 0},
		{"abc", "abd", 2, 2},
		{"é", "è", 0, 0}, // same first byte, different character
		{"x😀a", "x😀b", 3, 5},
		{"same", "same", 4, 4},
	}
	for _, tt := range tests {
		units, size := commonPrefix(tt.a, tt.b)
		if units != tt.units || size != tt.size {
			t.Errorf("commonPrefix(%q, %q) = %d, %d; want %d, %d", tt.a, tt.b, units, size, tt.units, tt.size)
		}
	}
}

func (d *incDoc) fenceIdle() bool { return d.fence == nil }

// TestStreamFirstWordFastPath: a line that starts with a letter takes the
// plain-text fast path from its first word on (no plain text after a
// letter can turn the line's start into a block marker), one that starts
// otherwise only after its first space; every tail is still the full
// render of the open text, and the end a full render of the whole.
func TestStreamFirstWordFastPath(t *testing.T) {
	r := structural()
	for _, tc := range []struct {
		name   string
		chunks []string
		check  int  // after this many chunks…
		fast   bool // …the fast path is ready
	}{
		{"new paragraph", []string{"w1 w2\n\n", "w21", " w22", " w23"}, 2, true},
		{"first paragraph", []string{"Hello", " world", ". Fine"}, 1, true},
		{"letter then dot", []string{"a", ". b", " c"}, 1, true},
		{"digit may become a list", []string{"1", ". b", " c"}, 1, false},
		{"digits then paren", []string{"12", ") b"}, 1, false},
		{"dash", []string{"-", " item", " more"}, 1, false},
		{"plus", []string{"+", " item"}, 1, false},
		{"list item", []string{"- item\n- o", "ne", " more"}, 1, true},
		{"heading", []string{"# Ti", "tle", " more"}, 1, true},
		{"quote", []string{"> quo", "te", " more"}, 1, true},
		// Held back while they may become links: no fast path.
		{"url in the making", []string{"see\n\nwww", ".example.com", " x"}, 1, false},
		{"mail in the making", []string{"x\n\nname", "@example.com", " y"}, 1, true},
		{"scheme in the making", []string{"x\n\nhttps", "://example.com", " y"}, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := r.NewStream()
			for _, c := range tc.chunks[:tc.check] {
				_, _ = s.WriteString(c)
				s.Flush()
			}
			if s.answer.app.ok != tc.fast {
				t.Errorf("after %q: fast path ready %v; want %v", tc.chunks[:tc.check], s.answer.app.ok, tc.fast)
			}
			s, run := feed(t, r, tc.chunks, 1)
			checkFinal(t, r, s, run)
		})
	}
}

// TestStreamParagraphStart: the first words after a paragraph closed are
// rendered without a parse when they can only be a paragraph of plain text
// (the test takes the renderer away: a parse would panic), with the tail a
// full render makes, and the appender then extends it; anything else is
// parsed.
func TestStreamParagraphStart(t *testing.T) {
	r := structural()
	for _, tc := range []struct {
		name  string
		start string
		fast  bool
	}{
		{"word", "w6", true},
		{"words and spaces", "w6 w7  ", true},
		{"plain punctuation", `So "it" (x) 1+1=2, $5 50% a/b -- c! é`, true},
		{"digit", "1", false},
		{"list", "- a", false},
		{"emphasis", "w6 *w7", false},
		{"code", "w6 `w7", false},
		{"html", "w6 <b", false},
		{"entity", "w6 &amp", false},
		{"link", "w6 [w7", false},
		{"www", "see www.x", false},
		{"mail", "name@x", false},
		{"two lines", "w6\nw7", false},
		{"tab", "w6\tw7", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := r.NewStream()
			_, _ = s.WriteString("w1 w2")
			s.Flush()
			_, _ = s.WriteString(" w3\n\n")
			s.Flush()
			if s.answer.start != len("w1 w2 w3\n\n") {
				t.Fatal("the first paragraph was not committed")
			}
			if tc.fast {
				s.answer.r = nil
			}
			_, _ = s.WriteString(tc.start)
			s.Flush()
			s.answer.r = r
			if tc.fast && !s.answer.app.ok {
				t.Errorf("the appender is not ready after %q", tc.start)
			}
			checkTail(t, r, &s.answer, string(s.answer.sentTail))
			s2, run := feed(t, r, []string{"w1 w2", " w3\n\n", tc.start, " w8", " w9\n\n", "end"}, 1)
			checkFinal(t, r, s2, run)
		})
	}
}

// TestStreamCloseParagraph: a paragraph that a blank line ends while the
// appender extends it is committed without a parse (the test takes the
// renderer away: a parse would panic), with the blocks a full render makes,
// and what follows the blank line still renders as the new tail.
func TestStreamCloseParagraph(t *testing.T) {
	r := structural()
	for _, tc := range []struct {
		name  string
		close string // written without a renderer
		after string // written with it back
	}{
		{"blank line", " w5\n\n", "w6 w7"},
		{"trailing spaces", " w5  \n \t\n", "w6"},
		{"only the break", "\n\n", "w6"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := r.NewStream()
			_, _ = s.WriteString("w1 w2 w3")
			s.Flush()
			_, _ = s.WriteString(" w4")
			s.Flush()
			if !s.answer.app.para {
				t.Fatal("the tail is one paragraph, but the fast path for its end is not ready")
			}
			s.answer.r = nil
			_, _ = s.WriteString(tc.close)
			p, _ := s.Flush()
			s.answer.r = r
			if len(p.Answer.Blocks) != 1 || p.Answer.Tail != "" {
				t.Fatalf("closing patch %+v; want one block and no tail", p.Answer)
			}
			_, _ = s.WriteString(tc.after)
			s.Flush()
			text := "w1 w2 w3 w4" + tc.close + tc.after
			s2, run := feed(t, r, []string{"w1 w2 w3", " w4", tc.close, tc.after}, 1)
			checkFinal(t, r, s2, run)
			if run.rewinds > 0 {
				t.Errorf("%d deltas replaced committed blocks", run.rewinds)
			}
			if got, want := s.answer.blocks, r.blocks([]byte(text), nil)[:1]; !slices.Equal(got, want) {
				t.Errorf("committed %q; a full render's first block %q", got, want)
			}
		})
	}
}
