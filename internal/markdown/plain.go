package markdown

import (
	"bytes"

	"golang.org/x/net/html"
)

// Plain text without the sanitizer. Most blocks of a reply are paragraphs of
// words, whose HTML from goldmark is the tags <p>, <em>, <strong> and <code>
// around text. The sanitizer keeps those tags as they are and writes each
// text run again as html.EscapeString of its unescaped text; appendPlain
// does the same directly, without the sanitizer's tokenizer (which
// allocates 4 KB per call, the largest allocation of a streaming server).
// FuzzPlain checks that the two agree on every input isPlain accepts.

// plainTags are the tags isPlain accepts, as goldmark writes them: no
// attributes, which the sanitizer would have to check.
var plainTags = [][]byte{
	[]byte("<p>"), []byte("</p>"),
	[]byte("<em>"), []byte("</em>"),
	[]byte("<strong>"), []byte("</strong>"),
	[]byte("<code>"), []byte("</code>"),
}

// isPlain reports whether b is only plainTags and text, and its text has
// no carriage return or NUL (which the sanitizer's tokenizer would
// rewrite).
func isPlain(b []byte) bool {
	for len(b) > 0 {
		i := bytes.IndexAny(b, "<\r\x00")
		if i < 0 {
			return true
		}
		if b[i] != '<' {
			return false
		}
		b = b[i:]
		n := plainTag(b)
		if n == 0 {
			return false
		}
		b = b[n:]
	}
	return true
}

// plainTag returns the length of the plain tag that b starts with, or 0.
func plainTag(b []byte) int {
	for _, t := range plainTags {
		if bytes.HasPrefix(b, t) {
			return len(t)
		}
	}
	return 0
}

// appendPlain appends to dst what the sanitizer makes of b, which isPlain
// accepted: the tags as they are, each text run escaped again as the
// sanitizer does (a run with nothing to escape is copied).
func appendPlain(dst, b []byte) []byte {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '<')
		if i < 0 {
			i = len(b)
		}
		if text := b[:i]; bytes.ContainsAny(text, `&'"<>`) {
			dst = append(dst, html.EscapeString(html.UnescapeString(string(text)))...)
		} else {
			dst = append(dst, text...)
		}
		b = b[i:]
		if len(b) > 0 {
			n := plainTag(b)
			dst, b = append(dst, b[:n]...), b[n:]
		}
	}
	return dst
}
