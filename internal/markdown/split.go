package markdown

import "bytes"

const (
	thinkOpen  = "<thinking>"
	thinkClose = "</thinking>"
)

// splitter routes a stream's text to the answer or to the thinking text.
//
// <thinking> opens a thinking block when it starts a line (after at most
// three spaces) outside a fenced code block of the answer; </thinking> ends
// it wherever it appears. Text that may be the start of a tag is held back
// until the next bytes decide.
type splitter struct {
	thinking       bool // inside a thinking block
	lineStart      bool // the answer is at the start of a line
	lineOff        int  // offset in the answer where the current line starts
	fence          *openFence
	thinkingSeen   bool
	thinkingClosed bool
}

// route sends text to answer and thinking and returns how many bytes it
// consumed; the rest must be offered again with more text after it.
func (s *splitter) route(text []byte, answer, thinking *incDoc, final bool) int {
	consumed := 0
	for len(text) > 0 {
		if s.thinking {
			if i := bytes.Index(text, []byte(thinkClose)); i >= 0 {
				thinking.append(text[:i])
				s.thinking = false
				s.thinkingClosed = true
				// Whatever follows starts a new block of the answer.
				if len(answer.src) > 0 {
					answer.append([]byte("\n"))
				}
				s.lineStart, s.lineOff = true, len(answer.src)
				text = text[i+len(thinkClose):]
				consumed += i + len(thinkClose)
				continue
			}
			keep := 0
			if !final {
				keep = partialSuffix(text, thinkClose)
			}
			thinking.append(text[:len(text)-keep])
			return consumed + len(text) - keep
		}

		if s.lineStart && s.fence == nil {
			j := 0
			for j < len(text) && j < 3 && text[j] == ' ' {
				j++
			}
			rest := text[j:]
			if bytes.HasPrefix(rest, []byte(thinkOpen)) {
				s.thinking = true
				s.thinkingSeen = true
				s.thinkingClosed = false
				if len(thinking.src) > 0 {
					// A second block continues the same thinking text.
					thinking.append([]byte("\n\n"))
				}
				text = rest[len(thinkOpen):]
				consumed += j + len(thinkOpen)
				continue
			}
			if !final && len(rest) < len(thinkOpen) && string(rest) == thinkOpen[:len(rest)] {
				return consumed // may yet be the tag: wait for more
			}
		}

		i := bytes.IndexByte(text, '\n')
		if i < 0 {
			answer.append(text)
			s.lineStart = false
			return consumed + len(text)
		}
		answer.append(text[:i+1])
		s.endLine(answer.src[s.lineOff : len(answer.src)-1])
		s.lineStart, s.lineOff = true, len(answer.src)
		text = text[i+1:]
		consumed += i + 1
	}
	return consumed
}

// endLine tracks top-level code fences in the answer, line by line.
func (s *splitter) endLine(line []byte) {
	if s.fence != nil {
		if s.fence.closing(line) {
			s.fence = nil
		}
		return
	}
	f := parseFenceLine(line, 0)
	if f == nil {
		return
	}
	if f.char == '`' && bytes.IndexByte(line[f.indent+f.n:], '`') >= 0 {
		return // a backtick fence's info string has no backtick: inline code
	}
	s.fence = f
}

// partialSuffix returns the length of the longest suffix of text that is a
// proper prefix of tag.
func partialSuffix(text []byte, tag string) int {
	for n := min(len(text), len(tag)-1); n > 0; n-- {
		if string(text[len(text)-n:]) == tag[:n] {
			return n
		}
	}
	return 0
}
