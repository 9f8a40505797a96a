package markdown

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"sync"
	"unsafe"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/dlclark/regexp2/v2"
)

// Deterministic highlighting.
//
// chroma compiles every lexer rule into a regexp2 expression with a 250 ms
// wall-clock MatchTimeout, and a rule whose match times out is skipped
// without a word: the text then gets another rule's class. On a starved
// machine a goroutine can be descheduled for that long in the middle of a
// match, so the same code would not always give the same HTML, and a
// stream, which commits each block once, would keep the odd rendering.
//
// chroma v2.27 has no option for the timeout, so untimeLexers removes it
// from every lexer in chroma's registry, including the lexers that others
// wrap (PHP inside HTML, Go templates inside Go strings): it sets each
// compiled rule's MatchTimeout to regexp2.DefaultMatchTimeout, which turns
// the timeout checks off. A lexer already compiled is changed at once; the
// others (the common case: chroma compiles a lexer on its first use) get
// one extra state whose rule carries a [chroma.LexerMutator], which chroma
// runs while compiling, after the expressions are built and before the
// lexer is used; it clears the timeouts and deletes its own state. Nothing
// is compiled ahead of use.
//
// The bound on the work hostile code can cause is its size (maxHighlight),
// not a clock: highlighting is a function of the code alone. A regexp2 match
// also has a backtracking-stack limit (100,000 entries); unlike the timeout
// it does not depend on the load, so a rule that trips it fails the same way
// every time.
//
// chroma keeps these fields unexported; untimeLexers reaches them with
// reflect and checks their types, and fails (highlighting is then off) if
// chroma changes them. TestUntimedLexers keeps it honest on upgrades.

// untimed runs untimeLexers once, before the first lexer is used.
var untimed = sync.OnceValue(untimeLexers)

func untimeLexers() error {
	seen := make(map[chroma.Lexer]bool)
	for _, l := range lexers.GlobalLexerRegistry.Lexers {
		if err := untime(l, seen); err != nil {
			return err
		}
	}
	return nil
}

var lexerType = reflect.TypeFor[chroma.Lexer]()

// untime removes the match timeout from l's rules, or from the lexers l
// wraps.
func untime(l chroma.Lexer, seen map[chroma.Lexer]bool) error {
	if l == nil || !reflect.TypeOf(l).Comparable() || seen[l] {
		return nil
	}
	seen[l] = true
	if rl, ok := l.(*chroma.RegexLexer); ok {
		return untimeRegex(rl)
	}
	// A wrapper (delegating, remapping, coalescing, chroma's own Go types):
	// its lexer fields.
	v := reflect.ValueOf(l)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	v = v.Elem()
	for i := range v.NumField() {
		if f := v.Field(i); f.Type() == lexerType {
			inner := *(*chroma.Lexer)(unsafe.Pointer(f.UnsafeAddr()))
			if err := untime(inner, seen); err != nil {
				return err
			}
		}
	}
	return nil
}

// fieldOf returns a pointer to the field of v named name, which must be of
// type T.
func fieldOf[T any](v reflect.Value, name string) (*T, error) {
	f := v.FieldByName(name)
	if !f.IsValid() || f.Type() != reflect.TypeFor[T]() {
		return nil, fmt.Errorf("markdown: chroma.RegexLexer has no field %s %v", name, reflect.TypeFor[T]())
	}
	return (*T)(unsafe.Pointer(f.UnsafeAddr())), nil
}

func untimeRegex(rl *chroma.RegexLexer) error {
	v := reflect.ValueOf(rl).Elem()
	mu, err1 := fieldOf[sync.Mutex](v, "mu")
	compiled, err2 := fieldOf[bool](v, "compiled")
	rules, err3 := fieldOf[map[string][]*chroma.CompiledRule](v, "rules")
	fetch, err4 := fieldOf[func() (chroma.Rules, error)](v, "fetchRulesFunc")
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return err
	}
	mu.Lock()
	defer mu.Unlock()
	if *compiled {
		clearTimeouts(*rules)
		return nil
	}
	orig := *fetch
	if orig == nil {
		return fmt.Errorf("markdown: lexer %s has no rules function", rl)
	}
	*fetch = func() (chroma.Rules, error) {
		r, err := orig()
		if err != nil {
			return r, err
		}
		r = maps.Clone(r)
		r[untimerState] = []chroma.Rule{{Mutator: untimer{}}}
		return r, nil
	}
	return nil
}

// untimerState is the state untimeRegex adds to a lexer: no rule pushes it.
const untimerState = "sheen: untimed"

// untimer is the mutator of the rule in untimerState.
type untimer struct{}

// MutateLexer runs while chroma compiles the lexer.
func (untimer) MutateLexer(rules chroma.CompiledRules, state string, _ int) error {
	delete(rules, state)
	clearTimeouts(rules)
	return nil
}

// Mutate is never called: the rule's state is gone before the lexer runs.
func (untimer) Mutate(*chroma.LexerState) error {
	return errors.New("markdown: untimer rule reached")
}

func clearTimeouts(rules chroma.CompiledRules) {
	for _, rs := range rules {
		for _, r := range rs {
			if r.Regexp != nil {
				r.Regexp.MatchTimeout = regexp2.DefaultMatchTimeout
			}
		}
	}
}
