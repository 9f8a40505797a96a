package markdown

// Limits on how deeply a text may nest. goldmark's cost grows with the square
// of the nesting depth (100,000 nested quotes take seconds), so markup beyond
// these limits is kept as text: a container marker past the limit gets a
// backslash, which shows it literally, and indentation past the limit is
// dropped. No sensible reply comes near either.
const (
	maxMarkers = 32  // block quote and list markers that open a line
	maxIndent  = 256 // columns of indentation and markers that open a line
)

// limiter applies the nesting limits to a text, line by line. It needs no
// lookahead, so a text gives the same result whole or in any pieces.
type limiter struct {
	inside  bool // past the line's opening markers and indentation
	markers int
	cols    int
	digits  int  // length of an ordered-list number being read
	last    byte // the previous marker character
}

// apply appends src, limited, to dst.
func (l *limiter) apply(dst, src []byte) []byte {
	for len(src) > 0 {
		if l.inside {
			// Copy up to the end of the line in one go.
			i := 0
			for i < len(src) && src[i] != '\n' {
				i++
			}
			dst = append(dst, src[:i]...)
			src = src[i:]
			if len(src) == 0 {
				break
			}
		}
		c := src[0]
		src = src[1:]
		switch {
		case c == '\n':
			*l = limiter{}
		case c == ' ' || c == '\t':
			w := 1
			if c == '\t' {
				w = 4 - l.cols%4
			}
			l.cols += w
			l.last = 0
			if l.cols > maxIndent {
				continue // dropped
			}
		case c == '>' || c == '-' || c == '*' || c == '+' ||
			(c == '.' || c == ')') && l.digits > 0:
			// A run of the same list marker ("---") counts once.
			if c != l.last || c == '>' {
				if l.markers == maxMarkers || l.cols >= maxIndent {
					dst = append(dst, '\\')
					l.inside = true
				} else {
					l.markers++
				}
			}
			l.cols++
			l.digits = 0
			l.last = c
		case '0' <= c && c <= '9' && l.digits < 9:
			l.digits++
			l.cols++
			l.last = 0
		default:
			l.inside = true
		}
		dst = append(dst, c)
	}
	return dst
}

// limit returns src with the nesting limits applied: src itself if it is
// within them.
func limit(src []byte) []byte {
	var l limiter
	for i := 0; i < len(src); {
		// Fast check: a line whose prefix is short is within the limits.
		j := i
		for j < len(src) && j-i <= maxMarkers && isPrefixByte(src[j]) {
			j++
		}
		if j-i > maxMarkers {
			return l.apply(make([]byte, 0, len(src)+16), src)
		}
		for j < len(src) && src[j] != '\n' {
			j++
		}
		i = j + 1
	}
	return src
}

func isPrefixByte(c byte) bool {
	switch c {
	case ' ', '\t', '>', '-', '*', '+', '.', ')', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return true
	}
	return false
}
