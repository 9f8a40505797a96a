package markdown

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
)

// Code blocks are written by this package, after sanitizing, as
//
//	<pre class="chroma"><code tabindex="0" class="language-go"><span class="kd">func</span> …</code></pre>
//
// Every character of the code is escaped; the only markup is the wrapper and
// spans whose class names come from chroma's fixed table. Colours come from
// the stylesheet [HighlightCSS] returns, so one rendering suits light and
// dark pages.

// maxHighlight is the largest code block that is highlighted; a larger one
// is shown as escaped text. Lexers are regular-expression machines: this
// bounds the time hostile input can take.
const maxHighlight = 64 << 10

type highlighter struct {
	on     bool
	mu     sync.Mutex
	lexers map[string]chroma.Lexer // language → lexer
}

func newHighlighter(on bool) *highlighter {
	return &highlighter{on: on, lexers: make(map[string]chroma.Lexer)}
}

// lexerNames is the set of chroma's lexer names and aliases, lower case.
// Only these are looked up: chroma's own lookup of an unknown name tries it
// as a file name against every lexer, which takes tens of milliseconds, and
// model output may hold any number of made-up names.
var lexerNames = sync.OnceValue(func() map[string]bool {
	m := make(map[string]bool)
	for _, n := range lexers.Names(true) {
		m[strings.ToLower(n)] = true
	}
	for alias := range extraAliases {
		m[alias] = true
	}
	return m
})

// extraAliases are common language names chroma does not list.
var extraAliases = map[string]string{"yml": "yaml", "golang": "go", "shell": "bash", "zsh": "bash"}

// lexer returns the lexer for a language name, or nil.
func (h *highlighter) lexer(lang []byte) chroma.Lexer {
	if !h.on || len(lang) == 0 {
		return nil
	}
	name := strings.ToLower(string(lang))
	if !lexerNames()[name] {
		return nil
	}
	if alias, ok := extraAliases[name]; ok {
		name = alias
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	l, ok := h.lexers[name]
	if !ok {
		// No lexer runs before its match timeouts are gone (see untimed.go);
		// if they cannot be removed, nothing is highlighted.
		if untimed() == nil {
			if l = lexers.Get(name); l != nil {
				l = chroma.Coalesce(l)
			}
		}
		h.lexers[name] = l // bounded by the number of names
	}
	return l
}

// codeOpen appends the start of a code block's markup.
func codeOpen(dst, lang []byte) []byte {
	// A long line scrolls the block sideways: focusable, so that the
	// keyboard can scroll it too (WCAG 2.1.1). tabindex comes first: a block
	// whose language arrives later while it streams gains its class after
	// it, and the page's copy then has its attributes in the same order.
	dst = append(dst, `<pre class="chroma"><code tabindex="0"`...)
	if len(lang) > 0 {
		dst = append(dst, ` class="language-`...)
		dst = append(dst, lang...)
		dst = append(dst, '"')
	}
	return append(dst, '>')
}

const codeClose = "</code></pre>"

// block appends the markup of one code block. lang must already have passed
// safeLanguage. cache, if not nil, remembers highlighted blocks.
func (h *highlighter) block(dst, lang, code []byte, cache *codeCache) []byte {
	if cache != nil {
		if html, ok := cache.get(lang, code); ok {
			return append(dst, html...)
		}
	}
	start := len(dst)
	dst = codeOpen(dst, lang)
	dst = h.body(dst, lang, code)
	dst = append(dst, codeClose...)
	if cache != nil {
		cache.put(lang, code, string(dst[start:]))
	}
	return dst
}

// body appends the highlighted (or only escaped) code.
func (h *highlighter) body(dst, lang, code []byte) (out []byte) {
	l := h.lexer(lang)
	if l == nil || len(code) > maxHighlight {
		return escapeHTML(dst, code)
	}
	start := len(dst)
	defer func() {
		// A lexer is third-party code run on model output: if one panics,
		// show the code unhighlighted rather than fail the message.
		if recover() != nil {
			out = escapeHTML(dst[:start], code)
		}
	}()
	it, err := l.Tokenise(nil, string(code))
	if err != nil {
		return escapeHTML(dst, code)
	}
	for t := it(); t != chroma.EOF; t = it() {
		if class := tokenClass(t.Type); class != "" && t.Type != chroma.Whitespace {
			dst = append(dst, `<span class="`...)
			dst = append(dst, class...)
			dst = append(dst, `">`...)
			dst = escapeHTML(dst, t.Value)
			dst = append(dst, `</span>`...)
		} else {
			dst = escapeHTML(dst, t.Value)
		}
	}
	return dst
}

// tokenClass returns the CSS class of a token type: its own, or that of the
// nearest category that has one.
func tokenClass(t chroma.TokenType) string {
	for {
		if class, ok := chroma.StandardTypes[t]; ok {
			return class
		}
		p := t.Parent()
		if p == t {
			return ""
		}
		t = p
	}
}

// codeCache remembers highlighted code blocks, so that a stream's final
// check does not highlight again what it already sent.
type codeCache struct {
	m map[string]string
}

func (c *codeCache) key(lang, code []byte) string {
	return string(lang) + "\x00" + string(code)
}

func (c *codeCache) get(lang, code []byte) (string, bool) {
	s, ok := c.m[c.key(lang, code)]
	return s, ok
}

func (c *codeCache) put(lang, code []byte, html string) {
	if c.m == nil {
		c.m = make(map[string]string)
	}
	c.m[c.key(lang, code)] = html
}

// Default highlighting themes, chroma style names.
const (
	DefaultLightTheme = "github"
	DefaultDarkTheme  = "github-dark"
)

// HighlightCSS returns the stylesheet for highlighted code blocks: the light
// theme's rules scoped to .chroma, and the dark theme's rules both under
// @media (prefers-color-scheme: dark) (unless the page says
// data-theme="light" on its root) and under any [data-theme="dark"]
// ancestor. Themes are chroma style names (see [DefaultLightTheme] and
// [DefaultDarkTheme]); an empty name means the default, an unknown one is an
// error.
func HighlightCSS(light, dark string) (string, error) {
	if light == "" {
		light = DefaultLightTheme
	}
	if dark == "" {
		dark = DefaultDarkTheme
	}
	ls, ok := styles.Registry[light]
	if !ok {
		return "", fmt.Errorf("markdown: unknown highlight theme %q", light)
	}
	ds, ok := styles.Registry[dark]
	if !ok {
		return "", fmt.Errorf("markdown: unknown highlight theme %q", dark)
	}
	lr, dr := themeRules(ls), themeRules(ds)

	// A class one theme styles and the other does not must be reset in the
	// other, or the light colour would show through in dark mode.
	classes := map[string]bool{}
	for c := range lr {
		classes[c] = true
	}
	for c := range dr {
		classes[c] = true
	}
	names := make([]string, 0, len(classes))
	for c := range classes {
		names = append(names, c)
	}
	sort.Strings(names)

	var b strings.Builder
	fmt.Fprintf(&b, "/* Code highlighting: %s (light), %s (dark). */\n", light, dark)
	writeRules(&b, "", names, lr)
	b.WriteString("@media (prefers-color-scheme: dark) {\n")
	writeRules(&b, `:root:not([data-theme="light"]) `, names, dr)
	b.WriteString("}\n")
	writeRules(&b, `[data-theme="dark"] `, names, dr)
	return b.String(), nil
}

// cssProps is one class's declarations, property → value.
type cssProps map[string]string

// themeRules returns a theme's declarations by class; "" is the wrapper.
func themeRules(s *chroma.Style) map[string]cssProps {
	rules := map[string]cssProps{}
	bg := s.Get(chroma.Background)
	wrapper := cssProps{}
	if bg.Colour.IsSet() {
		wrapper["color"] = bg.Colour.String()
	}
	if bg.Background.IsSet() {
		wrapper["background-color"] = bg.Background.String()
	}
	rules[""] = wrapper
	for t, class := range chroma.StandardTypes {
		if class == "" || t < chroma.Keyword {
			continue // wrapper, line and background types: not emitted
		}
		e := s.Get(t).Sub(bg)
		if e.IsZero() {
			continue
		}
		p := cssProps{}
		if e.Colour.IsSet() {
			p["color"] = e.Colour.String()
		}
		if e.Background.IsSet() {
			p["background-color"] = e.Background.String()
		}
		if e.Bold == chroma.Yes {
			p["font-weight"] = "bold"
		}
		if e.Italic == chroma.Yes {
			p["font-style"] = "italic"
		}
		if e.Underline == chroma.Yes {
			p["text-decoration"] = "underline"
		}
		if len(p) > 0 {
			rules[class] = p
		}
	}
	return rules
}

// resetValue is what a property falls back to when a theme leaves it unset.
var resetValue = map[string]string{
	"color":            "inherit",
	"background-color": "transparent",
	"font-weight":      "inherit",
	"font-style":       "inherit",
	"text-decoration":  "inherit",
}

func writeRules(b *strings.Builder, scope string, names []string, rules map[string]cssProps) {
	props := []string{"color", "background-color", "font-weight", "font-style", "text-decoration"}
	// Classes with the same declarations share one rule.
	var order []string
	selectors := map[string][]string{}
	for _, class := range names {
		if class == "w" {
			continue // whitespace is never wrapped in a span
		}
		p := rules[class]
		sel := scope + ".chroma"
		if class != "" {
			sel += " ." + class
		}
		var decl []string
		for _, name := range props {
			if v, ok := p[name]; ok {
				decl = append(decl, name+": "+v)
			} else if scope != "" && class != "" {
				decl = append(decl, name+": "+resetValue[name])
			}
		}
		if len(decl) == 0 {
			continue
		}
		key := strings.Join(decl, "; ")
		if _, ok := selectors[key]; !ok {
			order = append(order, key)
		}
		selectors[key] = append(selectors[key], sel)
	}
	for _, key := range order {
		fmt.Fprintf(b, "%s { %s }\n", strings.Join(selectors[key], ", "), key)
	}
}

// escapeHTML appends s (a string or a byte slice) with &, <, > and "
// escaped, as goldmark and chroma write code.
func escapeHTML[S ~string | ~[]byte](dst []byte, s S) []byte {
	return appendEscaped(dst, s, &codeEscapes)
}

// escapes maps each byte to its escape, or "" for a byte written as it is.
type escapes [256]string

var (
	codeEscapes = escapes{'&': "&amp;", '<': "&lt;", '>': "&gt;", '"': "&quot;"}
	textEscapes = escapes{'&': "&amp;", '<': "&lt;", '>': "&gt;", '\'': "&#39;", '"': "&#34;"}
)

// appendEscaped appends s to dst with the bytes esc names escaped.
func appendEscaped[S ~string | ~[]byte](dst []byte, s S, esc *escapes) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		e := esc[s[i]]
		if e == "" {
			continue
		}
		dst = append(dst, s[last:i]...)
		dst = append(dst, e...)
		last = i + 1
	}
	return append(dst, s[last:]...)
}
