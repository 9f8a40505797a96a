package markdown

import (
	"bytes"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/util"
)

// openFence is the fast path for a stream whose tail is a top-level fenced
// code block that has not closed yet. Inside it every line is code until the
// closing fence, so the tail is the escaped code, kept as it grows: a chunk
// costs what it adds, not what the block holds. The code is highlighted once,
// when the fence closes and the block is committed; until then the tail shows
// it unhighlighted, in the same wrapper.
type openFence struct {
	char   byte // '`' or '~'
	n      int  // length of the opening fence
	indent int  // spaces before the opening fence, removed from code lines
	lang   []byte
	pos    int    // offset in the text of the first line not yet scanned
	code   []byte // escaped code of the scanned lines
}

// parseFenceLine reads the opening fence on the line at src[start:], or
// returns nil. The caller knows from goldmark that one is there.
func parseFenceLine(src []byte, start int) *openFence {
	i := start
	for i < len(src) && src[i] == ' ' && i-start < 4 {
		i++
	}
	indent := i - start
	if indent > 3 || i >= len(src) || (src[i] != '`' && src[i] != '~') {
		return nil
	}
	c := src[i]
	j := i
	for j < len(src) && src[j] == c {
		j++
	}
	if j-i < 3 {
		return nil
	}
	return &openFence{char: c, n: j - i, indent: indent}
}

// newOpenFence returns the fast-path state for n, the last block of region
// (which starts at offset base of the text), if n is a fenced code block
// whose opening line is complete; nil otherwise.
func newOpenFence(region []byte, base int, n ast.Node) *openFence {
	fc, ok := n.(*ast.FencedCodeBlock)
	if !ok {
		return nil
	}
	start := lineStart(region, n)
	if start < 0 {
		return nil
	}
	f := parseFenceLine(region, start)
	if f == nil {
		return nil
	}
	eol := bytes.IndexByte(region[start:], '\n')
	if eol < 0 {
		return nil
	}
	f.lang = append([]byte(nil), safeLanguage(fc.Language(region))...)
	f.pos = base + start + eol + 1
	return f
}

// closing reports whether line (without its newline) closes the fence.
func (f *openFence) closing(line []byte) bool {
	w, i := util.IndentWidth(line, 0)
	if w > 3 {
		return false
	}
	j := i
	for j < len(line) && line[j] == f.char {
		j++
	}
	return j-i >= f.n && util.IsBlank(line[j:])
}

// closingEnd finds the closing fence line after the opening line that
// starts at src[start], and returns the offset after it.
func (f *openFence) closingEnd(src []byte, start int) (int, bool) {
	return endOfLineAfter(src, start, f.closing)
}

// endOfLineAfter finds the first complete line after the line that starts
// at src[start] for which match is true (match sees the line without its
// newline), and returns the offset after it.
func endOfLineAfter(src []byte, start int, match func(line []byte) bool) (int, bool) {
	i := bytes.IndexByte(src[start:], '\n')
	if i < 0 {
		return 0, false
	}
	i += start + 1
	for i < len(src) {
		j := bytes.IndexByte(src[i:], '\n')
		if j < 0 {
			return 0, false
		}
		if match(src[i : i+j]) {
			return i + j + 1, true
		}
		i += j + 1
	}
	return 0, false
}

// scan takes in the complete lines of src after f.pos and reports whether
// one of them closes the fence.
func (f *openFence) scan(src []byte) bool {
	for {
		j := bytes.IndexByte(src[f.pos:], '\n')
		if j < 0 {
			return false
		}
		line := src[f.pos : f.pos+j]
		if f.closing(line) {
			return true
		}
		f.code = escapeHTML(f.code, f.strip(line))
		f.code = append(f.code, '\n')
		f.pos += j + 1
	}
}

// strip removes up to f.indent leading spaces, as CommonMark does for code
// lines of an indented fence.
func (f *openFence) strip(line []byte) []byte {
	for k := 0; k < f.indent && len(line) > 0 && line[0] == ' '; k++ {
		line = line[1:]
	}
	return line
}

// html appends the tail's markup: the code so far, with the line being
// written unless it may be the closing fence.
func (f *openFence) html(dst, src []byte) []byte {
	dst = codeOpen(dst, f.lang)
	dst = append(dst, f.code...)
	if partial := src[f.pos:]; !f.mayClose(partial) {
		dst = escapeHTML(dst, f.strip(partial))
	}
	dst = append(dst, codeClose...)
	return append(dst, '\n')
}

// mayClose reports whether an incomplete line may yet become the closing
// fence: indentation, fence characters, then only blanks.
func (f *openFence) mayClose(line []byte) bool {
	w, i := util.IndentWidth(line, 0)
	if w > 3 {
		return false
	}
	for i < len(line) && line[i] == f.char {
		i++
	}
	return util.IsBlank(line[i:])
}
