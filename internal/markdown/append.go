package markdown

import (
	"bytes"

	"github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"
)

// appender is the fast path for the commonest chunk: plain words added to
// the last run of text of the tail (a paragraph, list item, heading or table
// cell still being written). Such text cannot change the block structure (it
// holds no newline) nor any inline construct (it holds no character that
// markdown gives a meaning to), so the new tail is the previous one with the
// escaped words inserted where the text run ends in the HTML. Anything else
// sends the stream back to a full render of the tail.
type appender struct {
	ok   bool
	para bool   // the tail is one top-level paragraph (see incDoc.closeParagraph)
	end  int    // offset in the text up to which html reflects it
	at   int    // offset in html where the last text run ends
	html []byte // the tail HTML
}

// set prepares the fast path after a full render of the tail, whose last
// block is last, parsed from region (which starts at offset base of src).
func (a *appender) set(src, region []byte, base int, last ast.Node, html []byte) {
	a.ok, a.para = false, false
	n := last
	for n.LastChild() != nil {
		n = n.LastChild()
	}
	t, ok := n.(*ast.Text)
	if !ok || t.SoftLineBreak() || t.HardLineBreak() {
		return
	}
	switch p := t.Parent(); p.Kind() {
	case ast.KindParagraph, ast.KindTextBlock:
		// A paragraph that starts with "[" may turn out to be a link
		// reference definition, which renders nothing.
		lines := p.Lines()
		if lines.Len() == 0 {
			return
		}
		if first := lines.At(0); first.Start < len(region) && region[first.Start] == '[' {
			return
		}
		// A line with a pipe after the first may be a table's delimiter
		// row in the making.
		if last := lines.At(lines.Len() - 1); lines.Len() > 1 && bytes.IndexByte(region[last.Start:last.Stop], '|') >= 0 {
			return
		}
	case ast.KindHeading, extast.KindTableCell:
	default:
		return // inside a link, emphasis, …: new text would go elsewhere
	}
	seg := t.Segment
	if seg.Padding != 0 || seg.Stop <= seg.Start {
		return
	}
	end := base + seg.Stop
	// Only blanks may follow the run; they are trimmed from a last line.
	for _, c := range src[end:] {
		if c != ' ' && c != '\t' {
			return
		}
	}
	// The line must already hold a word and a space after whatever opens
	// it (container markers, and the start of a paragraph line), so that
	// its start (a list marker, "#", …) cannot change any more; or start
	// with a letter, which no plain text after it can make a marker
	// ("1" may become "1. ", "a" never becomes one): the first word of a
	// new paragraph then takes the fast path too.
	from := bytes.LastIndexByte(src[:end], '\n') + 1
	if lines := t.Parent().Lines(); lines != nil && lines.Len() > 0 {
		from = max(from, base+lines.At(lines.Len()-1).Start)
	}
	if from > end {
		return
	}
	if line := bytes.TrimLeft(src[from:end], " \t"); len(line) == 0 || !isLetter(line[0]) && bytes.IndexByte(line, ' ') <= 0 {
		return
	}
	// Where the run ends in the HTML: before the closing tags that end it.
	at := len(html)
	for at > 0 {
		if html[at-1] == '\n' {
			at--
			continue
		}
		if html[at-1] != '>' {
			break
		}
		lt := bytes.LastIndexByte(html[:at], '<')
		if lt < 0 || lt+1 >= at || html[lt+1] != '/' {
			break
		}
		at = lt
	}
	// The HTML must visibly end with the run's text there (not, say, with
	// a padding cell of a table row, or a cell the row drops).
	text := region[seg.Start:seg.Stop]
	if len(text) > 16 {
		text = text[len(text)-16:]
	}
	want := escapeText(nil, text)
	if at == 0 || html[at-1] == '>' || !bytes.HasSuffix(html[:at], want) {
		return
	}
	a.ok, a.end, a.at = true, end, at
	a.html = append(a.html[:0], html...)
}

// extend returns the tail for src if only plain text was added since the
// last render, and false otherwise.
func (a *appender) extend(src []byte) ([]byte, bool) {
	fresh := src[a.end:]
	if !allPlain(fresh) {
		return nil, false
	}
	// goldmark links words that start with "www." or a scheme ("https:")
	// and e-mail addresses, so words like these take the full path.
	from := max(0, a.end-256)
	i := bytes.LastIndexByte(src[from:a.end], ' ')
	if i < 0 && from > 0 {
		return nil, false
	}
	words := src[from+i+1:]
	if bytes.IndexByte(words, ':') >= 0 || bytes.IndexByte(words, '@') >= 0 || hasWWW(words) {
		return nil, false
	}
	n := len(fresh)
	for n > 0 && fresh[n-1] == ' ' {
		n--
	}
	var esc [64]byte
	add := escapeText(esc[:0], fresh[:n])
	a.html = append(a.html, add...) // grow
	copy(a.html[a.at+len(add):], a.html[a.at:len(a.html)-len(add)])
	copy(a.html[a.at:], add)
	a.at += len(add)
	a.end += n
	return a.html, true
}

// plainByte marks the bytes that have no meaning in markdown in the middle
// of a line of text: letters, digits, spaces and some punctuation. Bytes of
// multi-byte characters count as plain.
var plainByte = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range " ,.?!'\"()-/$%+=" {
		t[c] = true
	}
	for c := 0x80; c < 0x100; c++ {
		t[c] = true
	}
	return t
}()

// allPlain reports whether every byte of b is plain (plainByte).
func allPlain(b []byte) bool {
	for _, c := range b {
		if !plainByte[c] {
			return false
		}
	}
	return true
}

// escapeText escapes text as the sanitizer writes text: &, <, >, ' and ".
func escapeText(dst, s []byte) []byte { return appendEscaped(dst, s, &textEscapes) }

// isLetter reports whether c is an ASCII letter.
func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// hasWWW reports whether s contains "www", ignoring ASCII case.
func hasWWW(s []byte) bool {
	for i := 0; i+3 <= len(s); i++ {
		if s[i]|0x20 == 'w' && s[i+1]|0x20 == 'w' && s[i+2]|0x20 == 'w' {
			return true
		}
	}
	return false
}
