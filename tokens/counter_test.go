package tokens

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/tiktoken-go/tokenizer/codec"
)

func mustEncoding(t testing.TB, name string) Counter {
	t.Helper()
	c, err := ForEncoding(name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCount(t *testing.T) {
	o200k, cl100k := Default(), mustEncoding(t, Cl100kBase)
	tests := []struct {
		text          string
		o200k, cl100k int
	}{
		{"", 0, 0},
		{"hello world", 2, 2},
		{"Hello, world!", 4, 4},
		{"The quick brown fox jumps over the lazy dog.", 10, 10},
		{"こんにちは世界", 2, 4},
		{"<|endoftext|>", 7, 7},                         // special tokens are plain text here
		{strings.Repeat(" \n", 20_000), 20_000, 20_000}, // seconds of work without cutting
		{strings.Repeat("\u3000\n", 10_000), 10_000, 20_000},
	}
	for _, tt := range tests {
		name := tt.text
		if len(name) > 20 {
			name = fmt.Sprintf("%.20q…(%d bytes)", name, len(name))
		}
		t.Run(name, func(t *testing.T) {
			if got := o200k.Count(tt.text); got != tt.o200k {
				t.Errorf("o200k_base: Count = %d, want %d", got, tt.o200k)
			}
			if got := cl100k.Count(tt.text); got != tt.cl100k {
				t.Errorf("cl100k_base: Count = %d, want %d", got, tt.cl100k)
			}
		})
	}
}

// Count gives exactly tiktoken-go's counts, whitespace cutting included.
func TestCountMatchesCodec(t *testing.T) {
	texts := []string{
		"func main() {\n\tfmt.Println(\"hi\")\n}\n",
		"# Title\n\nSome *markdown* with `code`, a [link](https://example.com/a/b) and\n\n\n  - a list\n  - of items\n",
		"Ünïcödé, emoji 🎉🎉, Ελληνικά, русский, 中文, עברית, and digits 1234567890.",
		"\xff\xfe invalid \xc3 UTF-8",
		"word\n" + strings.Repeat("  \n\t\n", 200) + "/slash" + strings.Repeat(" \r\n", 150) + "end",
	}
	for _, tc := range []struct {
		name string
		raw  func() *codec.Codec
	}{
		{O200kBase, codec.NewO200kBase},
		{Cl100kBase, codec.NewCl100kBase},
		{"p50k_base", codec.NewP50kBase},
		{"p50k_edit", codec.NewP50kEdit},
		{"r50k_base", codec.NewR50kBase},
	} {
		c, raw := mustEncoding(t, tc.name), tc.raw()
		for _, text := range texts {
			want, err := raw.Count(text)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Count(text); got != want {
				t.Errorf("%s: Count(%.30q) = %d, tiktoken-go says %d", tc.name, text, got, want)
			}
		}
	}
}

func TestForEncoding(t *testing.T) {
	tests := []struct {
		name    string
		wantErr error
	}{
		{O200kBase, nil},
		{Cl100kBase, nil},
		{"p50k_base", nil},
		{"p50k_edit", nil},
		{"r50k_base", nil},
		{"", ErrUnknownEncoding},
		{"O200K_BASE", ErrUnknownEncoding},
		{"gpt2", ErrUnknownEncoding},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ForEncoding(tt.name)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if c != nil {
					t.Errorf("counter %v with an error", c)
				}
				return
			}
			if got := fmt.Sprint(c); got != tt.name {
				t.Errorf("encoding %q, want %q", got, tt.name)
			}
			if again, _ := ForEncoding(tt.name); again != c {
				t.Error("a second ForEncoding returned another counter")
			}
		})
	}
}

func TestForModel(t *testing.T) {
	tests := []struct {
		model, encoding string
		wantErr         error
	}{
		{"gpt-4o", O200kBase, nil},
		{"gpt-4o-mini", O200kBase, nil},
		{"gpt-4.1", O200kBase, nil},
		{"gpt-5", O200kBase, nil},
		{"o3-mini", O200kBase, nil},
		{"gpt-4", Cl100kBase, nil},
		{"gpt-3.5-turbo", Cl100kBase, nil},
		{"text-embedding-ada-002", Cl100kBase, nil},
		{"text-davinci-003", "p50k_base", nil},
		{"text-davinci-edit-001", "p50k_edit", nil},
		{"davinci", "r50k_base", nil},
		{"", "", ErrUnknownModel},
		{"claude-3-5-sonnet", "", ErrUnknownModel},
		{"GPT-4O", "", ErrUnknownModel},
		{"gpt2", "", ErrUnknownModel}, // in tiktoken-go's list, without an encoding
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			c, err := ForModel(tt.model)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if !strings.Contains(err.Error(), fmt.Sprintf("%q", tt.model)) {
					t.Errorf("error %q does not name the model", err)
				}
				return
			}
			if got := fmt.Sprint(c); got != tt.encoding {
				t.Errorf("encoding %q, want %q", got, tt.encoding)
			}
			if want := mustEncoding(t, tt.encoding); c != want {
				t.Error("ForModel does not share ForEncoding's counter")
			}
		})
	}
}

func TestDefaultIsCheap(t *testing.T) {
	Default().Count("warm up")
	if Default() != Default() {
		t.Error("Default returns a new counter each time")
	}
	if n := testing.AllocsPerRun(100, func() { Default() }); n != 0 {
		t.Errorf("Default allocates %v times", n)
	}
}

// A codec that fails (here: strict UTF-8 mode, which this package never
// sets) makes Count fall back to the length in bytes, an upper bound.
func TestCountFallback(t *testing.T) {
	strict := newEncoding("strict", func() bpe {
		c := codec.NewO200kBase()
		c.SetErrorMode(codec.ErrorModeStrict)
		return c
	}, true)
	tests := []struct {
		text string
		want int
	}{
		{"hello world", 2},
		{"bad \xff byte", len("bad \xff byte")},
		{"", 0},
	}
	for _, tt := range tests {
		if got := strict.Count(tt.text); got != tt.want {
			t.Errorf("Count(%q) = %d, want %d", tt.text, got, tt.want)
		}
	}
}

func TestSplitRun(t *testing.T) {
	tests := []struct {
		s     string
		limit int
		head  string
	}{
		{"", 4, ""},
		{"no whitespace run here", 4, "no whitespace run here"},
		{"a    \n    b", 4, "a    \n"},        // cut after the line break
		{"a \n \n \n b", 4, "a \n \n"},        // the first cut point past the limit
		{"a \n\n\n\n\n b", 4, "a \n\n\n\n\n"}, // never between line breaks
		{"a \r\n b", 2, "a \r\n"},
		{"a \n\n/b", 1, "a \n\n/b"},          // never before a non-space
		{"a\u3000\n\u3000b", 2, "a\u3000\n"}, // Unicode white space
		{"a          b", 4, "a          b"},  // no line break, no cut
		{"a \n x \n b", 3, "a \n x \n b"},    // runs too short
	}
	for _, tt := range tests {
		head, tail := splitRun(tt.s, tt.limit)
		if head != tt.head || head+tail != tt.s {
			t.Errorf("splitRun(%q, %d) = %q, %q; want head %q", tt.s, tt.limit, head, tail, tt.head)
		}
	}
}

// Cutting whitespace runs never changes a count: differential test against
// the codec on random texts rich in white space, cut as often as possible.
func TestSplitRunExact(t *testing.T) {
	alphabet := []string{
		" ", " ", "\t", "\n", "\n", "\r", "\r\n", "\v", "\f", "\u0085", "\u00a0", "\u1680",
		"\u2028", "\u3000", "\u200b", "\u180e", "a", "B", "1", ".", "/", "'s", "é", "日",
		"!", " x", "\xff",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	n := 1000
	if testing.Short() {
		n = 100
	}
	for _, name := range []string{O200kBase, Cl100kBase} {
		enc := mustEncoding(t, name).(*encoding)
		c := enc.codec()
		for range n {
			var b strings.Builder
			for range rng.IntN(80) {
				b.WriteString(alphabet[rng.IntN(len(alphabet))])
			}
			s := b.String()
			want, _ := c.Count(s)
			for _, limit := range []int{1, 2, 5} {
				got := 0
				for rest := s; rest != ""; {
					var head string
					head, rest = splitRun(rest, limit)
					got += count(c, head)
				}
				if got != want {
					t.Fatalf("%s: cut at %d, %q counts %d, whole %d", name, limit, s, got, want)
				}
			}
		}
	}
}

// FuzzSplitRun checks TestSplitRunExact's claim on any text and cut limit.
func FuzzSplitRun(f *testing.F) {
	f.Add("a \n \n\t\n  b", 2)
	f.Add("x.\n\n/\n \r\n\u3000\n y", 1)
	f.Add(" \n\n \n\n \n\n", 3)
	codecs := []bpe{codec.NewO200kBase(), codec.NewCl100kBase()}
	f.Fuzz(func(t *testing.T, s string, limit int) {
		if limit < 1 || limit > 64 || len(s) > 4096 {
			t.Skip()
		}
		for _, c := range codecs {
			want := count(c, s)
			got := 0
			for rest := s; rest != ""; {
				var head string
				head, rest = splitRun(rest, limit)
				if head == "" {
					t.Fatalf("empty head for %q", rest)
				}
				got += count(c, head)
			}
			if got != want {
				t.Fatalf("cut at %d, %q counts %d, whole %d", limit, s, got, want)
			}
		}
	})
}

func TestCountConcurrent(t *testing.T) {
	texts := []string{"one", "two words", "a longer sentence, with punctuation.", strings.Repeat("\n \n", 300)}
	counters := []Counter{Default(), mustEncoding(t, Cl100kBase)}
	want := make([][]int, len(counters))
	for i, c := range counters {
		for _, text := range texts {
			want[i] = append(want[i], c.Count(text))
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8*len(counters)*len(texts))
	for range 8 {
		for i, c := range counters {
			for j, text := range texts {
				wg.Go(func() {
					if got := c.Count(text); got != want[i][j] {
						errs <- fmt.Errorf("%v: Count(%.10q) = %d, want %d", c, text, got, want[i][j])
					}
				})
			}
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// The first uses of a fresh encoding race to build it; all see one codec.
func TestEncodingBuildsOnce(t *testing.T) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	n := 0
	enc := newEncoding("test", func() bpe {
		mu.Lock()
		n++
		mu.Unlock()
		return codec.NewO200kBase()
	}, true)
	for range 8 {
		wg.Go(func() { enc.Count("hello world") })
	}
	wg.Wait()
	if n != 1 {
		t.Errorf("codec built %d times", n)
	}
}
