package markdown

import (
	"bytes"
	"errors"
	"unsafe"

	"github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/util"
)

// A Stream renders a markdown text that arrives in pieces, such as a
// language model's reply. Write appends text; Flush returns what changed
// since the previous Flush, as a [Patch]; Finish ends the text and returns
// the last Patch. Writes are cheap, so a caller can write every chunk and
// flush at the pace it sends frames.
//
// Each top-level block is committed (rendered, sanitized and sent) once,
// when the text after it proves it complete; the open block at the end, the
// tail, is sent again as it grows, as the difference from what was sent
// before. The tail is provisional: an open code fence is shown without
// colours, and a link or URL still being written is held back until it is
// complete. After Finish the client holds exactly the blocks of
// [Renderer.Render].
//
// Text between <thinking> and </thinking>, where the opening tag starts a
// line outside a code fence, is the model's reasoning: it is rendered as a
// separate markdown text and left out of the answer.
//
// A Stream is not safe for concurrent use.
type Stream struct {
	r          *Renderer
	raw        []byte // bytes not yet normalized: an incomplete character or a '\r'
	norm       []byte // scratch: normalized bytes
	lim        limiter
	pending    []byte // normalized text not yet routed
	split      splitter
	answer     incDoc
	thinking   incDoc
	sentClosed bool // ThinkingClosed as last reported
	done       bool
}

// A Patch is what a [Stream] reports on Flush and Finish.
type Patch struct {
	Answer   Delta // the answer's change
	Thinking Delta // the thinking text's change
	// ThinkingClosed reports that the thinking block has ended: its closing
	// tag arrived, or the stream finished.
	ThinkingClosed bool
	// Final is set on the patch Finish returns.
	Final bool
}

// ErrFinished is returned by writes to a finished Stream.
var ErrFinished = errors.New("markdown: write to a finished stream")

// NewStream returns an empty Stream.
func (r *Renderer) NewStream() *Stream {
	s := &Stream{r: r}
	s.answer.r = r
	s.thinking.r = r
	s.split.lineStart = true
	return s
}

// Write appends markdown to the stream. It never fails before Finish.
func (s *Stream) Write(p []byte) (int, error) {
	if s.done {
		return 0, ErrFinished
	}
	s.raw = append(s.raw, p...)
	s.take(false)
	return len(p), nil
}

// WriteString is [Stream.Write] for strings.
func (s *Stream) WriteString(str string) (int, error) {
	if s.done {
		return 0, ErrFinished
	}
	s.raw = append(s.raw, str...)
	s.take(false)
	return len(str), nil
}

// take normalizes and limits what it can of s.raw, and routes it.
func (s *Stream) take(final bool) {
	var n int
	s.norm, n = normalizeChunk(s.norm[:0], s.raw, final)
	s.raw = s.raw[:copy(s.raw, s.raw[n:])]
	s.pending = s.lim.apply(s.pending, s.norm)
	s.route(final)
}

func (s *Stream) route(final bool) {
	n := s.split.route(s.pending, &s.answer, &s.thinking, final)
	s.pending = s.pending[:copy(s.pending, s.pending[n:])]
}

// Flush returns the changes since the previous Flush, and false if there
// are none (the Patch then changes nothing when applied).
func (s *Stream) Flush() (Patch, bool) {
	if s.done {
		return s.idle(), false
	}
	a, ac := s.answer.flush(false)
	t, tc := s.thinking.flush(false)
	p := Patch{Answer: a, Thinking: t, ThinkingClosed: s.split.thinkingClosed}
	changed := ac || tc || p.ThinkingClosed != s.sentClosed
	s.sentClosed = p.ThinkingClosed
	return p, changed
}

// Finish ends the text and returns the last Patch. After it, the blocks a
// client holds are exactly the blocks of [Renderer.Render] of the whole
// answer (and of the thinking text), and the tails are empty. Calling Finish
// again returns a final Patch that changes nothing.
func (s *Stream) Finish() Patch {
	if s.done {
		return s.idle()
	}
	s.done = true
	s.take(true)
	a, _ := s.answer.flush(true)
	t, _ := s.thinking.flush(true)
	closed := s.split.thinkingClosed || s.split.thinkingSeen
	s.sentClosed = closed
	return Patch{Answer: a, Thinking: t, ThinkingClosed: closed, Final: true}
}

// idle is the Patch of a finished stream: it changes nothing.
func (s *Stream) idle() Patch {
	return Patch{Answer: s.answer.unchanged(), Thinking: s.thinking.unchanged(), ThinkingClosed: s.sentClosed, Final: true}
}

// Snapshot returns a Patch that brings an empty [View] to what the stream
// has reported so far (for a client that joins late). It does not change
// what the next Flush reports.
func (s *Stream) Snapshot() Patch {
	return Patch{
		Answer:         s.answer.snapshot(),
		Thinking:       s.thinking.snapshot(),
		ThinkingClosed: s.sentClosed,
		Final:          s.done,
	}
}

// Answer returns the answer's markdown received so far, as it is rendered:
// without the thinking text, with line endings and invalid characters
// normalized and the nesting limits of [Renderer.Render] applied.
func (s *Stream) Answer() string { return string(s.answer.src) }

// Thinking returns the thinking text's markdown received so far.
func (s *Stream) Thinking() string { return string(s.thinking.src) }

// incDoc renders one growing markdown text incrementally.
//
// The text is src. Everything before start has been committed: it is split
// into top-level blocks, each rendered once into blocks. The region from
// start on is parsed again at each flush; its leading blocks are committed as
// soon as the text after them proves they are complete, and the rest is the
// tail, rendered again each time.
type incDoc struct {
	r      *Renderer
	src    []byte
	start  int
	blocks []string
	spans  []span // source range of each committed block
	refs   []parser.Reference
	labels map[string]bool
	cache  codeCache
	fence  *openFence // the tail is an open top-level code fence
	seen   int        // length of the visible text at the last update
	tail   []byte     // the tail's HTML at the last update: d.buf or app.html
	app    appender   // the tail may grow by plain text
	part   partial    // the tail is a list or table

	// What the client has been sent.
	sentBlocks int
	sentTail   []byte // a copy: the tail is rendered into buffers reused
	sentUnits  int    // utf16Count(sentTail)
	low        int    // lowest block index replaced since the last delta, if < sentBlocks
	changed    bool   // src grew since the last flush
	buf        []byte
}

type span struct{ lo, hi int }

func (d *incDoc) append(p []byte) {
	if len(p) > 0 {
		d.src = append(d.src, p...)
		d.changed = true
	}
}

// unchanged is the Delta that keeps what the client has.
func (d *incDoc) unchanged() Delta {
	return Delta{From: d.sentBlocks, Keep: d.sentUnits}
}

func (d *incDoc) snapshot() Delta {
	return Delta{Blocks: append([]string(nil), d.blocks[:d.sentBlocks]...), Tail: string(d.sentTail)}
}

// flush brings the rendering up to date and returns the delta for the
// client, and whether there is anything in it.
func (d *incDoc) flush(final bool) (Delta, bool) {
	if !d.changed && !final && d.low >= d.sentBlocks {
		return d.unchanged(), false
	}
	d.changed = false
	tail := d.update(final)
	if final {
		d.verify()
	}
	return d.delta(tail)
}

// bigTail is the size of open text past which the tail is rendered less
// often (see update).
const bigTail = 32 << 10

// update commits what is complete and returns the tail's HTML, which is
// valid until the next update.
func (d *incDoc) update(final bool) []byte {
	// A huge open block is rendered again only once it has grown by a
	// quarter, so that streaming it costs O(n), not O(n²).
	if open := len(d.src) - d.start; !final && open > bigTail && d.seen > d.start && len(d.src)-d.seen < open/4 {
		return d.tail
	}
	if d.fence != nil {
		if !final && !d.fence.scan(d.src) {
			d.buf = d.fence.html(d.buf[:0], d.src)
			d.seen, d.tail = len(d.src), d.buf
			return d.tail
		}
		d.fence = nil // it closed (or the text ended): parse normally
	}
	src := d.src
	if !final {
		src = src[:visibleEnd(src)]
		if len(src) == d.seen {
			return d.tail // nothing new to show
		}
	}
	d.seen = len(src)
	d.tail = d.render(src, final)
	return d.tail
}

// render is update for the visible text src, outside an open fence.
func (d *incDoc) render(src []byte, final bool) []byte {
	if !final && d.app.ok && d.app.end <= len(src) {
		if tail, ok := d.app.extend(src); ok {
			return tail
		}
		if d.closeParagraph(src) && d.start == len(src) {
			return nil // nothing after the blank line yet
		}
	}
	d.app.ok = false
	if !final && d.part.ok && d.part.cut <= len(src) {
		if html, last, sub, base, ok := d.part.tail(d.r, src, d.refs, d.buf); ok {
			d.buf = html
			d.app.set(src, sub, base, last, d.buf)
			return d.buf
		}
	}
	d.part.ok = false
	if !final {
		if html, ok := d.plainStart(src); ok {
			return html
		}
	}

	base := d.start
	region := src[base:len(src):len(src)]
	// A link reference definition needs "]:"; without one the region
	// cannot define anything.
	hasDefs := bytes.Contains(region, []byte("]:"))
	doc := d.r.parse(region, d.refs)
	var kids []ast.Node
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		kids = append(kids, n)
	}

	// Decide how many leading blocks are complete, and where they end.
	count, end := 0, 0
	if final {
		count, end = len(kids), len(region)
	} else {
		for i, n := range kids {
			if i+1 < len(kids) {
				next := lineStart(region, kids[i+1])
				if next > end && next > lineStart(region, n) && lineComplete(region, next) {
					count, end = i+1, next
					continue
				}
			}
			if e, ok := closedEarly(region, n); ok {
				count, end = i+1, e
				continue
			}
			break
		}
	}
	if count > 0 || (final && len(region) > 0) {
		d.commit(region, kids[:count], end, hasDefs)
	}

	// The tail: every block not committed.
	d.buf = d.buf[:0]
	rest := kids[count:]
	if final || len(rest) == 0 {
		return nil
	}
	if len(rest) == 1 {
		if f := newOpenFence(region, base, rest[0]); f != nil && !f.scan(src) {
			d.fence = f
			d.buf = f.html(d.buf, src)
			return d.buf
		}
		if html := d.part.set(d.r, src, region, base, rest[0]); html != nil {
			d.buf = append(d.buf, html...)
			d.app.set(src, region, base, rest[0], d.buf)
			return d.buf
		}
	}
	for _, n := range rest {
		d.buf = d.r.renderBlock(d.buf, region, n, nil)
	}
	d.app.set(src, region, base, rest[len(rest)-1], d.buf)
	d.app.para = d.app.ok && len(rest) == 1 && rest[0].Kind() == ast.KindParagraph
	return d.buf
}

// closeParagraph is the fast path for the end of a paragraph, the commonest
// commit: when the tail is one top-level paragraph that the appender
// extends, and the text added since is plain words up to the end of the
// line followed by a blank line, the paragraph is complete. It is committed
// with the HTML the appender makes of it (the tail's HTML, which is its
// render: see checkTail in the tests), without parsing and sanitizing it
// again; start moves past the blank line, and the caller renders what
// follows as the new tail. It reports whether it committed.
func (d *incDoc) closeParagraph(src []byte) bool {
	a := &d.app
	if !a.para {
		return false
	}
	fresh := src[a.end:]
	nl := bytes.IndexByte(fresh, '\n')
	if nl < 0 {
		return false
	}
	blank := fresh[nl+1:]
	nl2 := bytes.IndexByte(blank, '\n')
	if nl2 < 0 || !util.IsBlank(blank[:nl2]) {
		return false
	}
	end := a.end + nl + 1 + nl2 + 1 // after the blank line
	html, ok := a.extend(src[:a.end+nl])
	a.ok = false
	if !ok {
		return false
	}
	d.blocks = append(d.blocks, string(html))
	d.spans = append(d.spans, span{d.start, end})
	d.start = end
	return true
}

// plainStart is the fast path for the start of a paragraph, the first
// render after closeParagraph: when the text from start is one line of
// plain words (plainByte) that starts with a letter, it can only be a
// paragraph (no block starts with a letter, and no inline markup is made
// of plain bytes; words with "www" are left to the parser, which may link
// them), so its HTML is written without parsing it, and the appender is
// set to extend it as it would be after a full render. It reports false,
// doing nothing, for any other text.
func (d *incDoc) plainStart(src []byte) ([]byte, bool) {
	line := src[d.start:]
	if len(line) == 0 || !isLetter(line[0]) || !allPlain(line) || hasWWW(line) {
		return nil, false
	}
	n := len(line)
	for line[n-1] == ' ' {
		n-- // goldmark trims the blanks at the end of a paragraph
	}
	d.buf = append(d.buf[:0], "<p>"...)
	d.buf = escapeText(d.buf, line[:n])
	a := &d.app
	a.ok, a.para, a.end, a.at = true, true, d.start+n, len(d.buf)
	d.buf = append(d.buf, "</p>\n"...)
	a.html = append(a.html[:0], d.buf...)
	return d.buf, true
}

// commit renders kids, the complete blocks at the start of region, which
// end at region[end], and moves start past them.
func (d *incDoc) commit(region []byte, kids []ast.Node, end int, hasDefs bool) {
	base := d.start
	part := region[:end:end]
	if hasDefs {
		// The region's parse also used the definitions in the tail, which
		// may still change: parse the committed part alone, with only the
		// definitions committed before it, and learn the ones it holds.
		doc, pc := d.r.parseContext(part, d.refs)
		kids = kids[:0:0]
		for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
			kids = append(kids, n)
		}
		if bytes.Contains(part, []byte("]:")) {
			d.learn(pc.References())
		}
	}
	region = part
	for i, n := range kids {
		lo := 0
		if i > 0 {
			lo = lineStart(region, n)
		}
		hi := end
		if i+1 < len(kids) {
			hi = lineStart(region, kids[i+1])
		}
		d.buf = d.r.renderBlock(d.buf[:0], region, n, &d.cache)
		d.blocks = append(d.blocks, string(d.buf))
		d.spans = append(d.spans, span{base + max(lo, 0), base + max(hi, 0)})
	}
	d.start = base + end
}

// learn records link reference definitions found in newly committed text.
// A label not seen before can change how earlier blocks render ("[x]" is a
// link only if x is defined somewhere), so those are rendered again.
func (d *incDoc) learn(found []parser.Reference) {
	var fresh bool
	for _, ref := range found {
		key := string(util.ToLinkReference(ref.Label()))
		if d.labels[key] {
			continue
		}
		if d.labels == nil {
			d.labels = make(map[string]bool)
		}
		d.labels[key] = true
		d.refs = append(d.refs, ref)
		fresh = true
	}
	if !fresh {
		return
	}
	for i, sp := range d.spans {
		text := d.src[sp.lo:sp.hi:sp.hi]
		if bytes.IndexByte(text, '[') < 0 {
			continue
		}
		doc := d.r.parse(text, d.refs)
		d.buf = d.buf[:0]
		for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
			d.buf = d.r.renderBlock(d.buf, text, n, &d.cache)
		}
		if string(d.buf) != d.blocks[i] {
			d.blocks[i] = string(d.buf)
			d.low = min(d.low, i)
		}
	}
}

// verify compares the committed blocks with one render of the whole text
// and takes the latter's blocks where they differ.
func (d *incDoc) verify() {
	full := d.r.blocks(d.src, &d.cache)
	i := 0
	for i < len(full) && i < len(d.blocks) && full[i] == d.blocks[i] {
		i++
	}
	if i == len(full) && i == len(d.blocks) {
		return
	}
	d.blocks = full
	d.spans = nil // no longer needed: the text is complete
	d.low = min(d.low, i)
}

// delta builds the Delta from what the client has to the current state.
func (d *incDoc) delta(tail []byte) (Delta, bool) {
	from := min(d.low, d.sentBlocks)
	fresh := d.blocks[from:]
	if from == d.sentBlocks && len(fresh) == 0 && bytes.Equal(tail, d.sentTail) {
		return d.unchanged(), false
	}
	// Only what the client lacks is copied into a string: the tail is most
	// of a paragraph, re-rendered at each flush.
	sent, now := transient(d.sentTail), transient(tail)
	var out Delta
	switch {
	case from < d.sentBlocks:
		out = Delta{From: from, Blocks: append([]string(nil), fresh...), Tail: string(tail)}
	case len(fresh) > 0:
		units, size := commonPrefix(sent, fresh[0])
		out = Delta{From: from, Keep: units, Tail: string(tail)}
		out.Blocks = append(out.Blocks, fresh[0][size:])
		out.Blocks = append(out.Blocks, fresh[1:]...)
	default:
		units, size := commonPrefix(sent, now)
		out = Delta{From: from, Keep: units, Tail: string(tail[size:])}
	}
	d.sentBlocks = len(d.blocks)
	d.sentTail = append(d.sentTail[:0], tail...)
	d.sentUnits = utf16Count(now)
	d.low = len(d.blocks)
	return out, true
}

// transient returns b as a string without copying it, for reading it while
// b does not change (commonPrefix and utf16Count take strings).
func transient(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// lineStart returns the offset in src of the start of the line on which the
// top-level block n begins, or -1 if goldmark did not record it.
func lineStart(src []byte, n ast.Node) int {
	pos := n.Pos()
	if n.Kind() == extast.KindTable && n.FirstChild() != nil {
		// A table is cut from a paragraph and carries the paragraph's
		// position; its header row knows where the table starts.
		pos = n.FirstChild().Pos()
	}
	if pos < 0 || pos > len(src) {
		return -1
	}
	return bytes.LastIndexByte(src[:pos], '\n') + 1
}

// lineComplete reports whether the line that starts at src[i] has ended.
func lineComplete(src []byte, i int) bool {
	return bytes.IndexByte(src[i:], '\n') >= 0
}

// closedEarly reports whether the top-level block n, the last one parsed or
// followed by a line still being written, is already complete, and where it
// ends. Paragraphs (tables among them), headings, thematic breaks, block
// quotes and HTML blocks of kinds 6 and 7 end at the first blank line; a
// fenced code block ends with its closing fence line.
func closedEarly(src []byte, n ast.Node) (int, bool) {
	start := lineStart(src, n)
	if start < 0 {
		return 0, false
	}
	switch n.Kind() {
	case ast.KindParagraph, ast.KindHeading, ast.KindThematicBreak, ast.KindBlockquote, extast.KindTable:
	case ast.KindHTMLBlock:
		if t := n.(*ast.HTMLBlock).HTMLBlockType; t != ast.HTMLBlockType6 && t != ast.HTMLBlockType7 {
			return 0, false
		}
	case ast.KindFencedCodeBlock:
		f := parseFenceLine(src, start)
		if f == nil {
			return 0, false
		}
		return f.closingEnd(src, start)
	case ast.KindList, ast.KindCodeBlock:
		return closedByOutdent(src, start, n.Kind() == ast.KindList)
	default:
		return 0, false
	}
	// The first blank line after the block's first line.
	return endOfLineAfter(src, start, util.IsBlank)
}

// closedByOutdent finds the end of a list or an indented code block that
// starts at src[start]: a line after a blank line whose first character
// shows that it neither continues the block (it is not indented) nor, for a
// list, adds an item. The line itself may still be being written.
func closedByOutdent(src []byte, start int, list bool) (int, bool) {
	i := bytes.IndexByte(src[start:], '\n')
	if i < 0 {
		return 0, false
	}
	i += start + 1
	blank := false
	for i < len(src) {
		j := bytes.IndexByte(src[i:], '\n')
		line := src[i:]
		if j >= 0 {
			line = src[i : i+j]
		}
		switch {
		case j >= 0 && util.IsBlank(line):
			blank = true
		case len(line) == 0:
		case blank && !continues(line[0], list):
			return i, true
		default:
			blank = false
		}
		if j < 0 {
			break
		}
		i += j + 1
	}
	return 0, false
}

// continues reports whether a line starting with c, after a blank line, may
// still belong to the block: indentation, or for a list a new item marker.
func continues(c byte, list bool) bool {
	switch {
	case c == ' ', c == '\t':
		return true
	case list && (c == '-' || c == '*' || c == '+' || '0' <= c && c <= '9'):
		return true
	}
	return false
}

// visibleEnd returns how much of src a tail shows: all of it, except a link
// or a bare URL still being written at the very end, which is held back
// until it is complete. A link then appears whole instead of flickering
// through the literal "[text](dest" stages, and the chunks that write it
// cost nothing. Held back: "[text" (up to maxHoldText bytes of text),
// "[text]" (a "(" may follow), "[text](dest" without its ")", and a last word
// that is or may become a URL ("http…", "www.…").
func visibleEnd(src []byte) int {
	const (
		maxHold     = 2048
		maxHoldText = 96
	)
	line := src[bytes.LastIndexByte(src, '\n')+1:]
	off := len(src) - len(line)
	if len(line) > maxHold {
		line, off = line[len(line)-maxHold:], len(src)-maxHold
	}
	if j := bytes.LastIndexByte(line, '['); j >= 0 {
		rest := line[j:]
		close := bytes.IndexByte(rest, ']')
		dest := bytes.Index(rest, []byte("]("))
		if close < 0 && len(rest) <= maxHoldText ||
			close == len(rest)-1 ||
			dest >= 0 && bytes.IndexByte(rest[dest:], ')') < 0 {
			if j > 0 && line[j-1] == '!' {
				j--
			}
			return off + j
		}
	}
	w := bytes.LastIndexAny(line, " \t(") + 1
	word := line[w:]
	if len(word) == 0 {
		return len(src)
	}
	for _, prefix := range []string{"http", "www.", "ftp:", "mailto:"} {
		// A word that is, or may still become, such a prefix is held.
		n := min(len(word), len(prefix))
		if bytes.EqualFold(word[:n], []byte(prefix[:n])) {
			return off + w
		}
	}
	return len(src)
}
