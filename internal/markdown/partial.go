package markdown

import (
	"bytes"
	"strconv"

	"github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
)

// partial is the fast path for a tail that is a long list or table. The
// HTML of a list is its items one after the other, and that of a table its
// rows, so the items (rows) before the last are kept rendered, and each
// flush parses and renders only the text from the start of the last one. A
// list is parsed from its last item's marker line; a table from its last
// row, after a copy of its header and delimiter lines.
//
// It applies only to blocks without raw HTML, for which sanitizing the
// pieces one by one gives what sanitizing the block at once does.
type partial struct {
	ok      bool
	kind    ast.NodeKind // ast.KindList or extast.KindTable
	head    []byte       // a table's header and delimiter lines
	cut     int          // offset in the text of the last item's (row's) line
	html    []byte       // the HTML before the last item (row)
	close   string       // what ends the block's HTML
	loose   bool         // a list: loose so far
	marker  byte         // a list's marker
	ordered bool         // a list is ordered
	sub     []byte       // scratch for a table's text
}

// set prepares the fast path from a full parse of the tail's only block n,
// which starts at region[start] (region starts at offset base of src). It
// returns the block's HTML, or nil if the fast path does not apply (the
// caller then renders n itself).
func (p *partial) set(r *Renderer, src, region []byte, base int, n ast.Node) []byte {
	p.ok = false
	start := lineStart(region, n)
	if start < 0 || bytes.IndexByte(region[start:], '<') >= 0 {
		return nil // raw HTML (or an autolink) may span pieces
	}
	var html []byte
	var last ast.Node
	switch n := n.(type) {
	case *ast.List:
		if n.ChildCount() < 2 {
			return nil
		}
		html = listOpen(html, n)
		p.close = listClose(n)
		p.loose = !n.IsTight
		p.marker, p.ordered = n.Marker, n.IsOrdered()
		last = n.LastChild()
		for c := n.FirstChild(); c != last; c = c.NextSibling() {
			html = r.renderBlock(html, region, c, nil)
		}
	case *extast.Table:
		header := n.FirstChild()
		if header == nil || n.ChildCount() < 3 { // a header and two rows
			return nil
		}
		last = n.LastChild()
		// The header and delimiter lines: from the table's start to the
		// first body row's line.
		rows := lineStart(region, header.NextSibling())
		if rows <= start {
			return nil
		}
		// The header only sets the number of columns (the delimiter line
		// sets the alignments), so a short stand-in replaces it.
		delim := bytes.IndexByte(region[start:rows], '\n')
		if delim < 0 {
			return nil
		}
		p.head = append(p.head[:0], '|')
		for i := header.ChildCount(); i > 0; i-- {
			p.head = append(p.head, "x|"...)
		}
		p.head = append(p.head, '\n')
		p.head = append(p.head, region[start+delim+1:rows]...)
		html = append(html, "<table>\n"...)
		p.close = "</table>\n"
		for c := header; c != last; c = c.NextSibling() {
			html = r.renderBlock(html, region, c, nil)
		}
	default:
		return nil
	}
	cut := lineStart(region, last)
	if cut <= start {
		return nil
	}
	p.ok, p.kind, p.cut = true, n.Kind(), base+cut
	p.html = append(p.html[:0], html...)
	html = r.renderBlock(html, region, last, nil)
	return append(html, p.close...)
}

// tail appends the tail's HTML to buf, rendering it from the last item
// (row) on, or returns false if the block has changed in a way the fast path
// does not follow: it ended, or a list turned loose. It also returns the
// block as parsed, the text it was parsed from and that text's offset in
// src, for the appender.
func (p *partial) tail(r *Renderer, src []byte, refs []parser.Reference, buf []byte) ([]byte, ast.Node, []byte, int, bool) {
	var sub []byte
	base := p.cut
	if p.kind == extast.KindTable {
		p.sub = append(append(p.sub[:0], p.head...), src[p.cut:]...)
		sub = p.sub
		base -= len(p.head)
	} else {
		sub = src[p.cut:]
	}
	sub = sub[:len(sub):len(sub)]
	doc := r.parse(sub, refs)
	n := doc.FirstChild()
	if n == nil || n.NextSibling() != nil || n.Kind() != p.kind {
		return nil, nil, nil, 0, false
	}
	if _, ok := closedEarly(sub, n); ok {
		return nil, nil, nil, 0, false
	}
	first := n.FirstChild()
	switch n := n.(type) {
	case *ast.List:
		if n.Marker != p.marker || n.IsOrdered() != p.ordered {
			return nil, nil, nil, 0, false
		}
		if !n.IsTight && !p.loose {
			return nil, nil, nil, 0, false // the cached items are tight
		}
		if p.loose && n.IsTight {
			loosen(n)
		}
	case *extast.Table:
		first = first.NextSibling() // the header is in p.html
		if first == nil {
			return nil, nil, nil, 0, false
		}
	}
	last := n.LastChild()
	// Items (rows) before the last are complete: keep them.
	if first != last {
		for c := first; c != last; c = c.NextSibling() {
			p.html = r.renderBlock(p.html, sub, c, nil)
		}
		cut := lineStart(sub, last)
		if cut < 0 {
			p.ok = false
			return nil, nil, nil, 0, false
		}
		p.cut = base + cut
	}
	buf = append(buf[:0], p.html...)
	buf = r.renderBlock(buf, sub, last, nil)
	buf = append(buf, p.close...)
	return buf, n, sub, base, true
}

// loosen makes a list parsed as tight render as loose: its items'
// paragraphs get their <p> tags back.
func loosen(l *ast.List) {
	l.IsTight = false
	for item := l.FirstChild(); item != nil; item = item.NextSibling() {
		for c := item.FirstChild(); c != nil; {
			next := c.NextSibling()
			if tb, ok := c.(*ast.TextBlock); ok {
				para := ast.NewParagraph()
				para.SetLines(tb.Lines())
				for gc := tb.FirstChild(); gc != nil; {
					gnext := gc.NextSibling()
					para.AppendChild(para, gc)
					gc = gnext
				}
				item.ReplaceChild(item, tb, para)
			}
			c = next
		}
	}
}

// listOpen and listClose write a list's tags as goldmark does.
func listOpen(dst []byte, l *ast.List) []byte {
	if !l.IsOrdered() {
		return append(dst, "<ul>\n"...)
	}
	dst = append(dst, "<ol"...)
	if l.Start != 1 {
		dst = append(dst, ` start="`...)
		dst = strconv.AppendInt(dst, int64(l.Start), 10)
		dst = append(dst, '"')
	}
	return append(dst, ">\n"...)
}

func listClose(l *ast.List) string {
	if l.IsOrdered() {
		return "</ol>\n"
	}
	return "</ul>\n"
}
