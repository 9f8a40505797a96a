package markdown

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// A Delta turns what a client shows for one markdown text into the next
// version. The client holds a list of committed block HTMLs, which never
// change unless a Delta says so, and the HTML of the open tail, which is
// shown after them. [View.Apply] is the reference implementation; a browser
// does the same with strings.
//
// To apply a Delta the client keeps its first From blocks and drops the
// rest (From is below the client's count only when blocks are replaced, for
// example at the end of a stream that fell back to a full render), appends
// Blocks, and sets the tail to Tail. Keep saves resending what the client
// already has: when it is not zero, the first new piece (Blocks[0] if there
// are blocks, else Tail) begins with the first Keep units of the client's
// previous tail, followed by the text given. Keep counts UTF-16 code units,
// the unit JavaScript indexes strings in, so a browser computes
// oldTail.slice(0, Keep) + piece.
//
// Applying the same Delta twice has the effect of applying it once: a Delta
// with Keep and Blocks is recognised as applied when the client already has
// From+len(Blocks) blocks.
type Delta struct {
	From   int      // committed blocks the client keeps
	Keep   int      // UTF-16 units of the previous tail that begin the first new piece
	Blocks []string // newly committed blocks
	Tail   string   // the open tail (after the kept prefix, when there are no Blocks)
}

// View is the state a client builds from Deltas: the committed blocks and
// the open tail. The zero View is empty and ready to use.
type View struct {
	Blocks []string
	Tail   string
}

// ErrOutOfStep reports a Delta that does not follow the state it is applied
// to, for example one that was skipped.
var ErrOutOfStep = errors.New("markdown: delta does not follow the view's state")

// Apply applies d to v. It returns ErrOutOfStep, leaving v unchanged, if d
// was made for a state v is not in.
func (v *View) Apply(d Delta) error {
	if d.From < 0 || d.From > len(v.Blocks) || d.Keep < 0 {
		return ErrOutOfStep
	}
	if d.Keep > 0 && len(d.Blocks) > 0 && len(v.Blocks) == d.From+len(d.Blocks) {
		v.Tail = d.Tail // applied before
		return nil
	}
	if d.Keep > 0 && len(v.Blocks) != d.From {
		return ErrOutOfStep
	}
	kept, ok := utf16Prefix(v.Tail, d.Keep)
	if !ok {
		return ErrOutOfStep
	}
	if len(d.Blocks) == 0 {
		v.Blocks = v.Blocks[:d.From]
		v.Tail = kept + d.Tail
		return nil
	}
	v.Blocks = append(v.Blocks[:d.From], kept+d.Blocks[0])
	v.Blocks = append(v.Blocks, d.Blocks[1:]...)
	v.Tail = d.Tail
	return nil
}

// HTML returns the blocks and the tail, concatenated.
func (v *View) HTML() string {
	var b strings.Builder
	for _, s := range v.Blocks {
		b.WriteString(s)
	}
	b.WriteString(v.Tail)
	return b.String()
}

// utf16Prefix returns the prefix of s that is n UTF-16 code units long, and
// false if s is shorter or n splits a character.
func utf16Prefix(s string, n int) (string, bool) {
	units := 0
	for i, r := range s {
		if units == n {
			return s[:i], true
		}
		if units > n {
			return "", false
		}
		units += utf16Width(r)
	}
	if units == n {
		return s, true
	}
	return "", false
}

func utf16Width(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// commonPrefix returns the length of the longest common prefix of a and b
// that ends on a character boundary, in bytes and in UTF-16 units.
func commonPrefix(a, b string) (units, size int) {
	n := min(len(a), len(b))
	i := 0
	for i+8 <= n && a[i:i+8] == b[i:i+8] {
		i += 8
	}
	for i < n && a[i] == b[i] {
		i++
	}
	// Back up to the start of a character (both strings are valid UTF-8 and
	// equal up to i, so one check serves both).
	for i > 0 && i < len(a) && !utf8.RuneStart(a[i]) {
		i--
	}
	for i > 0 && i < len(b) && !utf8.RuneStart(b[i]) {
		i--
	}
	return utf16Count(a[:i]), i
}

// utf16Count returns the length of s in UTF-16 code units.
func utf16Count(s string) int {
	// ASCII runs, eight bytes at a time.
	j := 0
	for j+8 <= len(s) {
		w := uint64(s[j]) | uint64(s[j+1])<<8 | uint64(s[j+2])<<16 | uint64(s[j+3])<<24 |
			uint64(s[j+4])<<32 | uint64(s[j+5])<<40 | uint64(s[j+6])<<48 | uint64(s[j+7])<<56
		if w&0x8080808080808080 != 0 {
			break
		}
		j += 8
	}
	units := j
	for j < len(s) {
		c := s[j]
		if c < utf8.RuneSelf {
			units++
			j++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[j:])
		units += utf16Width(r)
		j += w
	}
	return units
}
