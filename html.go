package sheen

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// A Node is a piece of HTML: text, an element, a group of nodes or trusted
// markup. Render writes the node's HTML to w and reports the first error, be it
// from w or from the node itself (an invalid element name, an unsafe URL, …).
// On error, part of the node may already have been written.
//
// The nodes built by this package are immutable and safe to render from many
// goroutines at once. A Node of your own is trusted like [TrustedHTML]: what it
// writes goes into the page as is.
type Node interface {
	Render(w io.Writer) error
}

// Text returns a node that writes s as text: the characters & ' < > " are
// escaped, so s can never become markup.
func Text(s string) Node { return text(s) }

type text string

func (t text) Render(w io.Writer) error {
	_, err := escaper.WriteString(w, string(t))
	return err
}

// TrustedHTML is markup written out as is, without escaping or checks. Use it
// only for HTML you wrote yourself (or that went through a sanitizer): never
// for text that came from a user, a model or any other outside source, which
// belongs in [Text].
type TrustedHTML string

// Render writes h unchanged.
func (h TrustedHTML) Render(w io.Writer) error {
	_, err := io.WriteString(w, string(h))
	return err
}

// Group returns a node that renders nodes one after the other, with no element
// around them. Nil nodes are skipped. Inside [El], a group's attributes apply to
// the element, as if they had been passed to El directly.
func Group(nodes ...Node) Node {
	g := make(group, 0, len(nodes))
	for _, n := range nodes {
		if n != nil {
			g = append(g, n)
		}
	}
	return g
}

type group []Node

func (g group) Render(w io.Writer) error {
	hw := asHTMLWriter(w)
	for _, n := range g {
		if err := n.Render(hw); err != nil {
			return err
		}
	}
	return hw.err
}

// An Attribute is an HTML attribute. It is a [Node] so that it can be passed to
// [El] among the children; it is also a [UIOption], set on the control of an
// input or on an output. Rendered outside an element it is an error.
//
// Construction never fails: an invalid attribute carries its error, which
// rendering the element reports. The zero Attribute is invalid.
type Attribute struct {
	name, value string
	boolean     bool // written as its name alone
	err         error
}

// Attr returns the attribute name="value". The value is escaped when written.
//
// Names may hold only ASCII letters, digits, '-', ':' and '_'. Event handler
// attributes (on…) and srcdoc are refused, because they hold code or markup that
// escaping cannot make safe; write such markup yourself as [TrustedHTML]. The
// values of URL attributes (href, src, action, formaction, poster, …) must be
// relative or use one of the schemes http, https, mailto, tel, ws or wss: a
// javascript: URL is an error.
func Attr(name, value string) Attribute {
	return Attribute{name: name, value: value, err: checkAttr(name, value)}
}

// boolAttr returns an attribute written as its name alone, like checked.
func boolAttr(name string) Attribute {
	return Attribute{name: name, boolean: true, err: checkAttr(name, "")}
}

// Class returns a class attribute holding names separated by spaces; empty
// names are skipped. The classes of several Class attributes on one element are
// joined.
func Class(names ...string) Attribute {
	var b strings.Builder
	for _, n := range names {
		if n == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(n)
	}
	return Attr("class", b.String())
}

// ID returns the attribute id="id".
func ID(id string) Attribute { return Attr("id", id) }

// Render reports an error: an attribute belongs inside an element.
func (a Attribute) Render(io.Writer) error {
	return fmt.Errorf("sheen: attribute %q rendered outside an element", a.name)
}

func (a Attribute) write(hw *htmlWriter) {
	hw.WriteString(" ")
	hw.WriteString(a.name)
	if a.boolean {
		return
	}
	hw.WriteString(`="`)
	escaper.WriteString(hw, a.value)
	hw.WriteString(`"`)
}

// El returns the element <name> with the given children. Attributes among the
// children (directly or inside a [Group]) become the element's attributes, in
// order; a later attribute replaces an earlier one of the same name, except
// class, whose values are joined. Nil children are skipped.
//
// Element names must start with an ASCII letter and hold only letters, digits
// and '-'. Void elements (br, img, input, meta, …) are written without an end
// tag and must have no child nodes. A script element may hold only
// [TrustedHTML]: text inside it would run as code. These errors, and those of
// invalid attributes, are reported when the element is rendered.
func El(name string, children ...Node) Node {
	e := &element{name: name}
	if !validElementName(name) {
		e.err = fmt.Errorf("sheen: invalid element name %q", name)
		return e
	}
	e.add(children)
	if e.err != nil {
		return e
	}
	lower := strings.ToLower(name)
	switch {
	case voidElements[lower] && len(e.children) > 0:
		e.err = fmt.Errorf("sheen: <%s> is a void element and cannot have children", name)
	case lower == "script":
		for _, c := range e.children {
			if _, ok := c.(TrustedHTML); !ok {
				e.err = errors.New("sheen: <script> may contain only TrustedHTML")
				break
			}
		}
	}
	return e
}

type element struct {
	name     string
	attrs    []Attribute
	children []Node
	err      error // reported by Render before anything is written
}

func (e *element) add(nodes []Node) {
	for _, n := range nodes {
		switch n := n.(type) {
		case nil:
		case Attribute:
			e.setAttr(n)
		case group:
			e.add(n)
		default:
			e.children = append(e.children, n)
		}
	}
}

func (e *element) setAttr(a Attribute) {
	if e.err != nil {
		return
	}
	if a.err == nil && a.name == "" {
		a.err = errors.New("empty attribute name")
	}
	if a.err != nil {
		e.err = fmt.Errorf("sheen: <%s>: %w", e.name, a.err)
		return
	}
	for i, old := range e.attrs {
		if !strings.EqualFold(old.name, a.name) {
			continue
		}
		if strings.EqualFold(a.name, "class") && old.value != "" && a.value != "" {
			a.value = old.value + " " + a.value
		}
		e.attrs[i] = a
		return
	}
	e.attrs = append(e.attrs, a)
}

// attr returns the value of the attribute name, if the element has it.
func (e *element) attr(name string) (string, bool) {
	for _, a := range e.attrs {
		if strings.EqualFold(a.name, name) {
			return a.value, true
		}
	}
	return "", false
}

func (e *element) Render(w io.Writer) error {
	hw := asHTMLWriter(w)
	if err := e.render(hw); err != nil {
		return err
	}
	return hw.err
}

func (e *element) render(hw *htmlWriter) error {
	if e.err != nil {
		return e.err
	}
	if hw.sc != nil {
		return e.renderScoped(hw) // scope.go
	}
	hw.WriteString("<")
	hw.WriteString(e.name)
	for _, a := range e.attrs {
		a.write(hw)
	}
	hw.WriteString(">")
	lower := strings.ToLower(e.name)
	if voidElements[lower] {
		return hw.err
	}
	return e.renderBody(hw, lower)
}

// renderBody writes e's children and its end tag (lower: e's name in lower
// case); the start tag is written. Shared with renderScoped.
func (e *element) renderBody(hw *htmlWriter, lower string) error {
	// The parser drops one newline right after <pre>, <textarea> and <listing>:
	// write one more so that text starting with a newline keeps it.
	if len(e.children) > 0 && (lower == "pre" || lower == "textarea" || lower == "listing") {
		if t, ok := e.children[0].(text); ok && strings.HasPrefix(string(t), "\n") {
			hw.WriteString("\n")
		}
	}
	for _, c := range e.children {
		var err error
		if ce, ok := c.(*element); ok {
			err = ce.render(hw)
		} else {
			err = c.Render(hw)
		}
		if err != nil {
			return err
		}
	}
	hw.WriteString("</")
	hw.WriteString(e.name)
	hw.WriteString(">")
	return hw.err
}

// errNode is a node whose rendering fails: the builders return it for
// arguments they cannot turn into HTML.
type errNode struct{ err error }

func (n errNode) Render(io.Writer) error { return n.err }

// htmlWriter remembers the first write error, so that rendering code can write
// without checking each call.
type htmlWriter struct {
	w   io.Writer
	err error
	sc  *scopeRender // inside a Scope's UI: ids are namespaced (scope.go)
}

func asHTMLWriter(w io.Writer) *htmlWriter {
	if hw, ok := w.(*htmlWriter); ok {
		return hw
	}
	return &htmlWriter{w: w}
}

func (h *htmlWriter) Write(p []byte) (int, error) {
	if h.err != nil {
		return 0, h.err
	}
	n, err := h.w.Write(p)
	h.err = err
	return n, err
}

func (h *htmlWriter) WriteString(s string) (int, error) {
	if h.err != nil {
		return 0, h.err
	}
	n, err := io.WriteString(h.w, s)
	h.err = err
	return n, err
}

// escaper escapes as html.EscapeString does, but writes to an io.Writer.
var escaper = strings.NewReplacer(
	`&`, "&amp;",
	`'`, "&#39;",
	`<`, "&lt;",
	`>`, "&gt;",
	`"`, "&#34;",
)

var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true,
	"hr": true, "img": true, "input": true, "link": true, "meta": true,
	"source": true, "track": true, "wbr": true,
}

// urlAttrs are the attributes whose value a browser may load or navigate to.
var urlAttrs = map[string]bool{
	"action": true, "background": true, "cite": true, "codebase": true,
	"data": true, "formaction": true, "href": true, "icon": true,
	"longdesc": true, "manifest": true, "poster": true, "src": true,
	"xlink:href": true,
}

func validElementName(name string) bool {
	if name == "" || !isLetter(name[0]) {
		return false
	}
	for i := 1; i < len(name); i++ {
		if c := name[i]; !isLetter(c) && !isDigit(c) && c != '-' {
			return false
		}
	}
	return true
}

func checkAttr(name, value string) error {
	if name == "" {
		return errors.New("empty attribute name")
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isLetter(c) && !isDigit(c) && c != '-' && c != ':' && c != '_' {
			return fmt.Errorf("invalid attribute name %q", name)
		}
	}
	lower := strings.ToLower(name)
	switch {
	case strings.HasPrefix(lower, "on"):
		return fmt.Errorf("event handler attribute %q is not allowed (write such markup as TrustedHTML)", name)
	case lower == "srcdoc":
		return errors.New(`attribute "srcdoc" is not allowed (write such markup as TrustedHTML)`)
	case urlAttrs[lower]:
		if err := checkURL(value); err != nil {
			return fmt.Errorf("attribute %s: %w", name, err)
		}
	}
	return nil
}

// checkURL accepts relative URLs and those with a safe scheme. It first does
// what browsers do before parsing: trim leading and trailing spaces and control
// characters, and drop tabs and newlines anywhere, so "java\tscript:" is seen
// as the javascript: URL it is.
func checkURL(u string) error {
	s := strings.TrimFunc(u, func(r rune) bool { return r <= ' ' })
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, s)
	i := strings.IndexAny(s, ":/?#")
	if i < 0 || s[i] != ':' {
		return nil // relative
	}
	switch strings.ToLower(s[:i]) {
	case "http", "https", "mailto", "tel", "ws", "wss":
		return nil
	}
	return fmt.Errorf("unsafe URL %q (allowed: relative, http, https, mailto, tel, ws, wss)", u)
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
