package tokens

import (
	"errors"
	"fmt"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/tiktoken-go/tokenizer"
	"github.com/tiktoken-go/tokenizer/codec"
)

// A Counter counts the tokens in a text.
//
// Count must be safe for concurrent use, must not fail and must not return a
// negative number. The counters of this package are all of that.
type Counter interface {
	Count(text string) int
}

// CounterFunc adapts an ordinary function to the [Counter] interface.
type CounterFunc func(text string) int

// Count returns f(text).
func (f CounterFunc) Count(text string) int { return f(text) }

// Names of the encodings [ForEncoding] knows besides the legacy ones
// (p50k_base, p50k_edit, r50k_base).
const (
	O200kBase  = "o200k_base"  // GPT-4o, GPT-4.1, GPT-5, o-series; the default
	Cl100kBase = "cl100k_base" // GPT-4, GPT-3.5
)

// Errors of [ForEncoding] and [ForModel].
var (
	ErrUnknownEncoding = errors.New("tokens: unknown encoding")
	ErrUnknownModel    = errors.New("tokens: unknown model")
)

// The encodings, each built once, on first use, and shared. They are the only
// package-level state: an encoding is immutable once built (its codec is
// read-only and tiktoken-go's split regexp is safe for concurrent use), so
// sharing it is safe, and it spares every caller the codec's construction.
// The vocabularies themselves are already process-wide tables inside
// tiktoken-go. Each constructor is referenced only from the function that
// returns it, so a program that calls only Default links only o200k_base's
// vocabulary (about 7 MB) and not the others.
var o200k, cl100k, p50k, p50kEdit, r50k lazyEncoding

// Default returns the default counter: tiktoken's o200k_base encoding, the
// one of OpenAI's current chat models. Default itself costs nothing; the
// vocabulary is built on the first Count (about 50 ms, once per process).
func Default() Counter {
	return o200k.get(O200kBase, func() bpe { return codec.NewO200kBase() }, true)
}

// ForEncoding returns a counter for the named tiktoken encoding: [O200kBase],
// [Cl100kBase], or one of the legacy p50k_base, p50k_edit and r50k_base. Like
// [Default] it is cheap and builds its vocabulary on the first Count. An
// unknown name gives an error wrapping [ErrUnknownEncoding].
func ForEncoding(name string) (Counter, error) {
	switch name {
	case O200kBase:
		return Default(), nil
	case Cl100kBase:
		return cl100k.get(name, func() bpe { return codec.NewCl100kBase() }, true), nil
	case "p50k_base":
		return p50k.get(name, func() bpe { return codec.NewP50kBase() }, false), nil
	case "p50k_edit":
		return p50kEdit.get(name, func() bpe { return codec.NewP50kEdit() }, false), nil
	case "r50k_base":
		return r50k.get(name, func() bpe { return codec.NewR50kBase() }, false), nil
	}
	return nil, fmt.Errorf("%w: %q", ErrUnknownEncoding, name)
}

// ForModel returns a counter for an OpenAI model name such as "gpt-4o",
// "gpt-4.1-mini" or "gpt-3.5-turbo", using tiktoken-go's model table. Unlike
// [ForEncoding] it builds the encoding's vocabulary at once (the table hands
// out a codec), and it links every vocabulary into the program. An unknown
// model gives an error wrapping [ErrUnknownModel].
func ForModel(model string) (Counter, error) {
	c, err := tokenizer.ForModel(tokenizer.Model(model))
	if err != nil {
		return nil, fmt.Errorf("%w: %q", ErrUnknownModel, model)
	}
	return ForEncoding(c.GetName())
}

// bpe is what an encoding needs of a tiktoken-go codec.
type bpe interface {
	Count(text string) (int, error)
}

type lazyEncoding struct {
	once sync.Once
	enc  *encoding
}

func (l *lazyEncoding) get(name string, load func() bpe, split bool) *encoding {
	l.once.Do(func() { l.enc = newEncoding(name, load, split) })
	return l.enc
}

// encoding is a Counter backed by a tiktoken-go codec built on first use.
type encoding struct {
	name  string
	codec func() bpe // sync.OnceValue
	split bool       // cut long whitespace runs; see splitRun
}

func newEncoding(name string, load func() bpe, split bool) *encoding {
	return &encoding{name: name, codec: sync.OnceValue(load), split: split}
}

// String returns the encoding's name.
func (e *encoding) String() string { return e.name }

// Count returns the number of tokens in text, exactly as tiktoken-go's codec
// counts them.
func (e *encoding) Count(text string) int {
	c := e.codec()
	if !e.split {
		return count(c, text)
	}
	n := 0
	for text != "" {
		var head string
		head, text = splitRun(text, maxRun)
		n += count(c, head)
	}
	return n
}

func count(c bpe, text string) int {
	n, err := c.Count(text)
	if err != nil {
		// Unreachable with the codecs as this package configures them (no
		// strict UTF-8 mode, no regexp time-out). Should it happen, the
		// length in bytes is an upper bound: every token covers at least
		// one byte, so a budget built on it errs on the safe side.
		return len(text)
	}
	return n
}

// maxRun is how many bytes of a whitespace run that holds line breaks are
// handed to the codec at most in one call (give or take the bytes up to the
// next cut point).
//
// tiktoken-go's split regexp for o200k_base and cl100k_base (its \s*[\r\n]+
// branch) rescans the rest of a whitespace run for every piece it yields
// there, so a run such as " \n \n \n…" costs time quadratic in its length:
// 16 KB took 0.4 s and 160 KB of "\u3000\n" 19 s on the project machine. A
// pasted text must not pin a core for minutes, so Count cuts such runs into
// runs of about maxRun bytes, at points where the codec's pieces break anyway,
// and sums the counts; the total is the codec's own (see TestSplitRunExact).
const maxRun = 64

// splitRun returns the first part of s that can be counted on its own: all of
// s, or s up to a cut point in a whitespace run that has reached limit bytes.
// A cut point lies right after a line break (\r or \n) and before a white space
// that is not a line break. The codec's pieces end there whatever follows: a
// piece that takes line breaks takes all of them and stops at the first other
// character, unless that is a '/', which is not white space.
func splitRun(s string, limit int) (head, tail string) {
	run := -1 // where the current whitespace run started, or -1
	for i := 0; i < len(s); {
		c, size := s[i], 1
		var space bool
		if c < utf8.RuneSelf {
			space = asciiSpace[c]
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			space = unicode.IsSpace(r)
		}
		switch {
		case !space:
			run = -1
		case run < 0:
			run = i
		case i-run >= limit && (s[i-1] == '\n' || s[i-1] == '\r') && c != '\n' && c != '\r':
			return s[:i], s[i:]
		}
		i += size
	}
	return s, ""
}

var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}
