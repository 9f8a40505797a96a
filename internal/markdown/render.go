package markdown

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// A Renderer turns markdown into sanitized HTML. It is safe for concurrent
// use; build one with [New] and share it.
type Renderer struct {
	parser   parser.Parser
	renderer renderer.Renderer
	policy   *bluemonday.Policy
	hl       *highlighter
	// holeOpen starts every placeholder the goldmark pass leaves for
	// trusted markup: "<code>" and a random secret, so that no model output
	// can forge one (see fillHoles).
	holeOpen []byte
	scratch  sync.Pool // *scratch
	fpOnce   sync.Once
	fp       string // Fingerprint
}

// An Option configures a [Renderer].
type Option func(*config)

type config struct {
	highlight bool
}

// WithHighlighting turns syntax highlighting of fenced code blocks on or
// off. It is on by default; when off, code blocks are escaped text in the
// same <pre class="chroma"><code> wrapper.
func WithHighlighting(on bool) Option {
	return func(c *config) { c.highlight = on }
}

// New returns a Renderer for GitHub-flavoured markdown: tables, strikethrough,
// autolinks and task lists, with raw HTML reduced to the package's allowlist.
func New(opts ...Option) *Renderer {
	cfg := config{highlight: true}
	for _, o := range opts {
		o(&cfg)
	}
	var secret [12]byte
	_, _ = rand.Read(secret[:]) // never fails (crypto/rand contract)
	r := &Renderer{
		policy:   newPolicy(),
		hl:       newHighlighter(cfg.highlight),
		holeOpen: []byte("<code>S" + hex.EncodeToString(secret[:])),
	}
	holes := &holeRenderer{open: string(r.holeOpen)}
	md := goldmark.New(
		goldmark.WithExtensions(
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
			extension.Strikethrough,
			extension.Linkify,
			extension.TaskList,
		),
		goldmark.WithRendererOptions(
			html.WithUnsafe(), // raw HTML reaches the sanitizer, never the page
			renderer.WithNodeRenderers(util.Prioritized(holes, 100)),
		),
	)
	r.parser = md.Parser()
	r.renderer = md.Renderer()
	return r
}

// Render appends the sanitized HTML of the markdown src to dst and returns
// the extended buffer. src is not modified. Invalid UTF-8 and NUL bytes are
// shown as U+FFFD; "\r\n" and "\r" count as "\n". Block quotes and lists
// nested more than 32 deep on one line, and indentation past 256 columns,
// are shown as text: such nesting only serves to slow the parser down.
func (r *Renderer) Render(dst, src []byte) []byte {
	src = limit(normalize(nil, src))
	doc := r.parse(src, nil)
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		dst = r.renderBlock(dst, src, n, nil)
	}
	return dst
}

// RenderString is [Renderer.Render] for strings.
func (r *Renderer) RenderString(src string) string {
	return string(r.Render(nil, []byte(src)))
}

// blocks renders every top-level block of src (already normalized and
// limited) on its own: the units a Stream commits, whose concatenation is
// Render's output.
func (r *Renderer) blocks(src []byte, cache *codeCache) []string {
	doc := r.parse(src, nil)
	var out []string
	var buf []byte
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		buf = r.renderBlock(buf[:0], src, n, cache)
		out = append(out, string(buf))
	}
	return out
}

// parse parses normalized markdown. refs, if not nil, are link reference
// definitions known from elsewhere in the same document; the first
// definition of a label wins, as in CommonMark.
func (r *Renderer) parse(src []byte, refs []parser.Reference) ast.Node {
	doc, _ := r.parseContext(src, refs)
	return doc
}

// parseContext is parse that also returns the parser context, whose
// References include the definitions found in src.
func (r *Renderer) parseContext(src []byte, refs []parser.Reference) (ast.Node, parser.Context) {
	// goldmark may append to a segment of its source; cap the slice so that
	// it can never write into the caller's spare capacity.
	src = src[:len(src):len(src)]
	pc := parser.NewContext()
	for _, ref := range refs {
		pc.AddReference(ref)
	}
	return r.parser.Parse(text.NewReader(src), parser.WithContext(pc)), pc
}

// scratch holds the buffers one block render needs.
type scratch struct {
	raw   bufWriter // goldmark's output
	clean bufWriter // the sanitizer's output
	rd    bytes.Reader
}

// renderBlock appends the HTML of one top-level block: goldmark, then the
// sanitizer (or, for plain text, what it would make of it: see isPlain),
// then the trusted markup in the holes goldmark left.
func (r *Renderer) renderBlock(dst, src []byte, n ast.Node, cache *codeCache) []byte {
	s, _ := r.scratch.Get().(*scratch)
	if s == nil {
		s = new(scratch)
	}
	s.raw.b = s.raw.b[:0]
	s.clean.b = s.clean.b[:0]
	src = src[:len(src):len(src)]
	// Neither step can fail: goldmark writes to memory, and the sanitizer
	// stops early only on a reader error, which a bytes.Reader never has.
	_ = r.renderer.Render(&s.raw, src, n)
	if isPlain(s.raw.b) {
		s.clean.b = appendPlain(s.clean.b, s.raw.b)
	} else {
		s.rd.Reset(s.raw.b)
		_ = r.policy.SanitizeReaderToWriter(&s.rd, &s.clean)
	}
	dst = r.fillHoles(dst, s.clean.b, src, n, cache)
	if cap(s.raw.b) <= 64<<10 && cap(s.clean.b) <= 64<<10 {
		r.scratch.Put(s)
	}
	return dst
}

// Placeholders ("holes"). The goldmark pass renders code blocks and task
// checkboxes as <code>S<secret><kind><arg></code>, which the sanitizer keeps
// as it is. fillHoles then replaces each with markup this package builds
// itself. A literal "<code>" in sanitized output can only be a real start
// tag (the sanitizer escapes "<" in text and attribute values), and the
// secret is never sent, so model output cannot make a hole of its own.
const (
	holeCode      = 'c' // arg: the code block's position in the source
	holeChecked   = 'x'
	holeUnchecked = 'o'
	holeClose     = "</code>"
)

type holeRenderer struct{ open string }

func (h *holeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindFencedCodeBlock, h.code)
	reg.Register(ast.KindCodeBlock, h.code)
	reg.Register(extast.KindTaskCheckBox, h.checkbox)
}

func (h *holeRenderer) code(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		_, _ = w.WriteString(h.open)
		_ = w.WriteByte(holeCode)
		_, _ = w.WriteString(strconv.Itoa(n.Pos()))
		_, _ = w.WriteString(holeClose + "\n")
	}
	return ast.WalkSkipChildren, nil
}

func (h *holeRenderer) checkbox(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		kind := byte(holeUnchecked)
		if cb, ok := n.(*extast.TaskCheckBox); ok && cb.IsChecked {
			kind = holeChecked
		}
		_, _ = w.WriteString(h.open)
		_ = w.WriteByte(kind)
		_, _ = w.WriteString(holeClose + " ")
	}
	return ast.WalkContinue, nil
}

// fillHoles appends clean to dst with every hole replaced by its markup.
// Anything else that carries the secret (which would mean a hole ended up
// inside an attribute value) is dropped, so the secret never leaks.
func (r *Renderer) fillHoles(dst, clean, src []byte, block ast.Node, cache *codeCache) []byte {
	secret := r.holeOpen[len("<code>"):]
	var codes map[int]ast.Node
	for {
		i := bytes.Index(clean, secret)
		if i < 0 {
			return append(dst, clean...)
		}
		rest := clean[i+len(secret):]
		isHole := i >= len("<code>") && bytes.Equal(clean[i-len("<code>"):i], r.holeOpen[:len("<code>")])
		end := bytes.Index(rest, []byte(holeClose))
		if !isHole || end < 1 {
			// Not a hole: keep what precedes, drop the secret itself.
			dst = append(dst, clean[:i]...)
			clean = rest
			continue
		}
		dst = append(dst, clean[:i-len("<code>")]...)
		arg := rest[1:end]
		switch rest[0] {
		case holeChecked:
			dst = append(dst, `<input type="checkbox" checked disabled>`...)
		case holeUnchecked:
			dst = append(dst, `<input type="checkbox" disabled>`...)
		case holeCode:
			if codes == nil {
				codes = codeNodes(block)
			}
			pos, err := strconv.Atoi(string(arg))
			if n, ok := codes[pos]; ok && err == nil {
				dst = r.code(dst, src, n, cache)
			}
		}
		clean = rest[end+len(holeClose):]
	}
}

// codeNodes maps the position of every code block under n to its node.
func codeNodes(n ast.Node) map[int]ast.Node {
	m := make(map[int]ast.Node)
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c.Kind() {
		case ast.KindFencedCodeBlock, ast.KindCodeBlock:
			m[c.Pos()] = c
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return m
}

// code appends the markup of a fenced or indented code block.
func (r *Renderer) code(dst, src []byte, n ast.Node, cache *codeCache) []byte {
	var lang []byte
	if f, ok := n.(*ast.FencedCodeBlock); ok {
		lang = safeLanguage(f.Language(src))
	}
	var body []byte
	lines := n.Lines()
	if lines.Len() == 1 {
		seg := lines.At(0)
		body = seg.Value(src)
	} else {
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			body = append(body, seg.Value(src)...)
		}
	}
	return r.hl.block(dst, lang, body, cache)
}

// safeLanguage returns lang if it can be used as a class name suffix
// without escaping, nil otherwise.
func safeLanguage(lang []byte) []byte {
	if len(lang) == 0 || len(lang) > 40 {
		return nil
	}
	for _, c := range lang {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-', c == '_', c == '+', c == '#', c == '.':
		default:
			return nil
		}
	}
	return lang
}

// bufWriter is the util.BufWriter goldmark renders into: a growing slice,
// with nothing to flush.
type bufWriter struct{ b []byte }

func (w *bufWriter) Write(p []byte) (int, error)       { w.b = append(w.b, p...); return len(p), nil }
func (w *bufWriter) WriteString(s string) (int, error) { w.b = append(w.b, s...); return len(s), nil }
func (w *bufWriter) WriteByte(c byte) error            { w.b = append(w.b, c); return nil }
func (w *bufWriter) WriteRune(c rune) (int, error) {
	n := len(w.b)
	w.b = utf8.AppendRune(w.b, c)
	return len(w.b) - n, nil
}
func (w *bufWriter) Available() int { return cap(w.b) - len(w.b) }
func (w *bufWriter) Buffered() int  { return 0 }
func (w *bufWriter) Flush() error   { return nil }

// normalize returns src with "\r\n" and "\r" turned into "\n", and NUL bytes
// and invalid UTF-8 into U+FFFD. It returns src itself when nothing needs to
// change, and appends to dst otherwise.
func normalize(dst, src []byte) []byte {
	if clean(src) {
		return src
	}
	out, _ := normalizeChunk(dst, src, true)
	return out
}

// clean reports whether src needs no normalization.
func clean(src []byte) bool {
	for _, c := range src {
		if c == '\r' || c == 0 || c >= utf8.RuneSelf {
			return bytes.IndexByte(src, '\r') < 0 && bytes.IndexByte(src, 0) < 0 && utf8.Valid(src)
		}
	}
	return true
}

// normalizeChunk appends the normalized form of src to dst. Unless final, it
// stops before a trailing '\r' or an incomplete UTF-8 sequence, whose meaning
// depends on the bytes that follow, and returns how many bytes it consumed.
func normalizeChunk(dst, src []byte, final bool) ([]byte, int) {
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\r':
			if i+1 == len(src) && !final {
				return dst, i
			}
			dst = append(dst, '\n')
			i++
			if i < len(src) && src[i] == '\n' {
				i++
			}
		case c == 0:
			dst = append(dst, "\uFFFD"...)
			i++
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			i++
		default:
			if !final && !utf8.FullRune(src[i:]) {
				return dst, i
			}
			r, size := utf8.DecodeRune(src[i:])
			if r == utf8.RuneError && size <= 1 {
				dst = append(dst, "\uFFFD"...)
				i++
				continue
			}
			dst = append(dst, src[i:i+size]...)
			i += size
		}
	}
	return dst, i
}
