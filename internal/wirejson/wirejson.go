package wirejson

import (
	"strconv"
	"unicode/utf8"
)

const hex = "0123456789abcdef"

// safe marks the ASCII bytes written as they are inside a JSON string:
// everything from the space up, except '"' and '\\'.
var safe = func() (t [utf8.RuneSelf]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// AppendString appends s as a JSON string, as encoding/json does with HTML
// escaping off: '"' and '\\' escaped, control characters as \b, \f, \n, \r,
// \t or \u00XX, invalid UTF-8 as \ufffd, and U+2028 and U+2029 as \u2028
// and \u2029; '<', '>' and '&' left as they are.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if safe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// StringLen returns the length of what AppendString appends for s, without
// writing it: an Appender's Size can then be exact.
func StringLen(s string) int {
	n := len(`""`)
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			switch {
			case safe[b]:
				n++
			case b == '\\', b == '"', b == '\b', b == '\f', b == '\n', b == '\r', b == '\t':
				n += 2
			default:
				n += len(`\u00XX`)
			}
			i++
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if (c == utf8.RuneError && size == 1) || c == '\u2028' || c == '\u2029' {
			n += len(`\uXXXX`)
		} else {
			n += size
		}
		i += size
	}
	return n
}

// AppendInt appends n as a JSON number.
func AppendInt(dst []byte, n int64) []byte { return strconv.AppendInt(dst, n, 10) }

// AppendUint appends n as a JSON number.
func AppendUint(dst []byte, n uint64) []byte { return strconv.AppendUint(dst, n, 10) }

// IntLen returns the length of what AppendInt appends for n.
func IntLen(n int64) int {
	if n < 0 {
		return 1 + UintLen(-uint64(n))
	}
	return UintLen(uint64(n))
}

// UintLen returns the length of what AppendUint appends for n.
func UintLen(n uint64) int {
	l := 1
	for ; n >= 10; n /= 10 {
		l++
	}
	return l
}

// Appender is JSON that this module writes when it is sent, such as a
// chat's patch: the session appends it straight into the frame that carries
// it, where JSON written first would then be copied. AppendJSON
// appends the JSON to dst, valid and compact (as encoding/json writes it);
// Size is its length, to size the frame with. An Appender never
// changes once made: several sessions may append the same one, each from
// its own goroutine.
type Appender interface {
	AppendJSON(dst []byte) []byte
	Size() int
}
