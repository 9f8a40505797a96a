package sheen

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Pages.

// A PageNode is a whole sheen page: a title, a body and head options. Build it
// with [Page] and serve it with [PageNode.RenderPage]. A PageNode is immutable
// and may be rendered by many goroutines at once.
type PageNode struct {
	title       string
	body        Node
	lang        string
	theme       string
	stylesheets []string
	head        []Node
	err         error // the first invalid option
}

// PageAssets are the URLs a page needs from the app that serves it, known only
// when the app runs: its stylesheets, its module scripts and the WebSocket
// endpoint of its sessions.
type PageAssets struct {
	Stylesheets []string // linked in order, before the page's own
	Scripts     []string // loaded as <script type="module">
	WebSocket   string   // given to the client in <meta name="sheen-ws">
}

// Page returns a page with the given title and body. Attributes among the
// body nodes apply to the <body> element.
//
// Page panics if two elements of the body share an id or two outputs share an
// output id: like an invalid id given to an input, that is a programming error
// to be found when the page is built rather than in the browser.
func Page(title string, body ...Node) *PageNode {
	p := &PageNode{title: title, body: El("body", body...), lang: "en"}
	checkUniqueIDs(p.body, map[string]bool{}, map[string]bool{})
	return p
}

// A PageOption changes the head of a page: see [PageNode.With].
type PageOption func(*PageNode)

// With returns a copy of p changed by opts; p itself is unchanged.
func (p *PageNode) With(opts ...PageOption) *PageNode {
	q := *p
	q.stylesheets = append([]string(nil), p.stylesheets...)
	q.head = append([]Node(nil), p.head...)
	for _, opt := range opts {
		if opt != nil {
			opt(&q)
		}
	}
	return &q
}

// Theme sets the data-theme attribute of <html>, which the client stylesheet
// reads: "light" or "dark", or "" for none (the browser's preference). Any
// other value makes rendering fail.
func Theme(theme string) PageOption {
	return func(p *PageNode) {
		switch theme {
		case "", "light", "dark":
			p.theme = theme
		default:
			p.setErr(fmt.Errorf(`sheen: theme %q: want "light", "dark" or ""`, theme))
		}
	}
}

// Lang sets the lang attribute of <html>, "en" by default. It must be a
// language tag such as "fr" or "pt-BR"; anything else makes rendering fail.
func Lang(tag string) PageOption {
	return func(p *PageNode) {
		if !validLang(tag) {
			p.setErr(fmt.Errorf("sheen: invalid language tag %q", tag))
			return
		}
		p.lang = tag
	}
}

// Stylesheet adds a stylesheet link after the app's own stylesheets, so that
// its rules win. A URL with an unsafe scheme makes rendering fail.
func Stylesheet(url string) PageOption {
	return func(p *PageNode) {
		if err := checkURL(url); err != nil {
			p.setErr(fmt.Errorf("sheen: stylesheet: %w", err))
			return
		}
		p.stylesheets = append(p.stylesheets, url)
	}
}

// Head adds nodes to the end of <head>, before the scripts: meta elements, a
// favicon link, a <style> holding [TrustedHTML].
func Head(nodes ...Node) PageOption {
	return func(p *PageNode) {
		for _, n := range nodes {
			if n != nil {
				p.head = append(p.head, n)
			}
		}
	}
}

func (p *PageNode) setErr(err error) {
	if p.err == nil {
		p.err = err
	}
}

// RenderPage writes the page as an HTML document, taking the URLs it links to
// from a. Nothing is written if the page, one of its nodes or a is invalid
// (an unsafe URL, an empty a.WebSocket): the error says why.
func (p *PageNode) RenderPage(w io.Writer, a PageAssets) error {
	if p == nil {
		return errors.New("sheen: RenderPage of a nil page")
	}
	if p.err != nil {
		return p.err
	}
	if a.WebSocket == "" {
		return errors.New("sheen: PageAssets.WebSocket is empty")
	}
	if err := checkURL(a.WebSocket); err != nil {
		return fmt.Errorf("sheen: PageAssets.WebSocket: %w", err)
	}
	var theme Node
	if p.theme != "" {
		theme = Attr("data-theme", p.theme)
	}
	nl := TrustedHTML("\n")
	head := []Node{nl,
		El("meta", Attr("charset", "utf-8")), nl,
		El("meta", Attr("name", "viewport"), Attr("content", "width=device-width, initial-scale=1")), nl,
		El("title", Text(p.title)), nl,
		El("meta", Attr("name", "sheen-ws"), Attr("content", a.WebSocket)), nl,
	}
	for _, href := range a.Stylesheets {
		head = append(head, El("link", Attr("rel", "stylesheet"), Attr("href", href)), nl)
	}
	for _, href := range p.stylesheets {
		head = append(head, El("link", Attr("rel", "stylesheet"), Attr("href", href)), nl)
	}
	for _, n := range p.head {
		head = append(head, n, nl)
	}
	for _, src := range a.Scripts {
		head = append(head, El("script", Attr("type", "module"), Attr("src", src)), nl)
	}
	doc := Group(
		TrustedHTML("<!doctype html>\n"),
		El("html", Attr("lang", p.lang), theme, nl, El("head", head...), nl, p.body, nl),
		nl,
	)
	var buf bytes.Buffer
	buf.Grow(4096)
	if err := doc.Render(&buf); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// checkUniqueIDs panics on a repeated id attribute or output id in the
// element tree under n.
func checkUniqueIDs(n Node, ids, outputs map[string]bool) {
	e, ok := n.(*element)
	if !ok {
		return
	}
	if id, ok := e.attr("id"); ok {
		if ids[id] {
			panic(fmt.Sprintf("sheen: Page: id %q is used twice", id))
		}
		ids[id] = true
	}
	if id, ok := e.attr("data-sheen-output"); ok {
		if outputs[id] {
			panic(fmt.Sprintf("sheen: Page: output id %q is used twice", id))
		}
		outputs[id] = true
	}
	for _, c := range e.children {
		checkUniqueIDs(c, ids, outputs)
	}
}

// Layout.

// Sidebar returns the two-pane layout: sidebar in an <aside
// class="sheen-sidebar"> beside main in a <main class="sheen-main">, both in a
// <div class="sheen-page">.
func Sidebar(sidebar Node, main ...Node) Node {
	return El("div", Class("sheen-page"),
		El("aside", Class("sheen-sidebar"), sidebar),
		El("main", append([]Node{Class("sheen-main")}, main...)...),
	)
}

// Card returns a <section class="sheen-card"> holding an <h3
// class="sheen-card-title"> (left out if title is empty) and body. Attributes
// in body apply to the section.
func Card(title string, body ...Node) Node {
	nodes := []Node{Class("sheen-card")}
	if title != "" {
		nodes = append(nodes, El("h3", Class("sheen-card-title"), Text(title)))
	}
	return El("section", append(nodes, body...)...)
}

// Row returns a <div class="sheen-row">, which lays its children out side by
// side. Attributes among children apply to the div.
func Row(children ...Node) Node {
	return El("div", append([]Node{Class("sheen-row")}, children...)...)
}

// Column returns a <div class="sheen-col">, which stacks its children.
// Attributes among children apply to the div.
func Column(children ...Node) Node {
	return El("div", append([]Node{Class("sheen-col")}, children...)...)
}

// Heading returns the heading <h1>…<h6> of the given level holding text. A
// level outside 1 to 6 makes rendering fail.
func Heading(level int, text string) Node {
	if level < 1 || level > 6 {
		return errNode{fmt.Errorf("sheen: heading level %d is not between 1 and 6", level)}
	}
	return El("h"+strconv.Itoa(level), Text(text))
}

// Paragraph returns a <p> holding text. For mixed content, use El("p", …).
func Paragraph(text string) Node { return El("p", Text(text)) }

// Inputs and outputs.

// A UIOption changes an input or an output. Every [Attribute] is a UIOption:
// it is set on the input's control (the <input>, <select>, … element) or on
// the output element; it may not replace the attributes that bind the element
// to the client (id, name, type, data-sheen-…).
type UIOption interface {
	applyUI(*uiConfig)
}

type uiConfig struct {
	attrs  []Node
	inline bool
}

func (a Attribute) applyUI(c *uiConfig) {
	switch strings.ToLower(a.name) {
	case "id", "name", "type", "data-sheen-input", "data-sheen-output", "data-sheen-kind", "data-sheen-label-for":
		a.err = fmt.Errorf("attribute %q is set by sheen and may not be given as an option", a.name)
	}
	c.attrs = append(c.attrs, a)
}

type uiOptionFunc func(*uiConfig)

func (f uiOptionFunc) applyUI(c *uiConfig) { f(c) }

// Inline renders an output as a <span> instead of a <div>, to sit inside a
// line of text, and adds the class sheen-inline to an input's field, which the
// client stylesheet lays out on one line.
func Inline() UIOption { return uiOptionFunc(func(c *uiConfig) { c.inline = true }) }

// Placeholder sets the placeholder shown by an empty [TextInput] or [TextArea].
func Placeholder(text string) Attribute { return Attr("placeholder", text) }

// Rows sets the number of visible lines of a [TextArea].
func Rows(n int) Attribute {
	if n < 1 {
		return Attribute{name: "rows", err: fmt.Errorf("rows %d: want at least 1", n)}
	}
	return Attr("rows", strconv.Itoa(n))
}

// Min sets the smallest value of a [NumberInput].
func Min(v float64) Attribute { return numberAttr("min", v) }

// Max sets the largest value of a [NumberInput].
func Max(v float64) Attribute { return numberAttr("max", v) }

// Step sets the step between the values of a [NumberInput] or a [Slider].
func Step(v float64) Attribute {
	if v <= 0 {
		return Attribute{name: "step", err: fmt.Errorf("step %v: want a positive number", v)}
	}
	return numberAttr("step", v)
}

// Multiple lets a [Select] hold several values; its value is then a list.
func Multiple() Attribute { return boolAttr("multiple") }

// Disabled disables an input.
func Disabled() Attribute { return boolAttr("disabled") }

func numberAttr(name string, v float64) Attribute {
	s, err := formatNumber(v)
	if err != nil {
		return Attribute{name: name, err: fmt.Errorf("attribute %s: %w", name, err)}
	}
	return Attr(name, s)
}

func formatNumber(v float64) (string, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "", fmt.Errorf("%v is not a finite number", v)
	}
	return strconv.FormatFloat(v, 'f', -1, 64), nil
}

// A Choice is one of the values offered by a [Select] or a [Radio]: Value is
// what the input reports, Label what the user sees (Value, if Label is empty).
type Choice struct {
	Value, Label string
}

// Choices returns one choice per value, labelled with the value itself.
func Choices(values ...string) []Choice {
	cs := make([]Choice, len(values))
	for i, v := range values {
		cs[i] = Choice{Value: v, Label: v}
	}
	return cs
}

func (c Choice) label() string {
	if c.Label == "" {
		return c.Value
	}
	return c.Label
}

// TextInput returns a one-line text input (kind "text") holding value.
// Options: [Placeholder], any [Attribute], [Inline].
//
// Every input follows one DOM contract, on which the client relies: a <div
// class="sheen-field"> holding a <label data-sheen-label-for="ID" for="ID">
// and a control with id="ID", data-sheen-input="ID" and data-sheen-kind="KIND".
//
// Ids must match [A-Za-z][A-Za-z0-9_-]*. Every input and output builder panics
// on any other id: ids are written in the program, so a bad one is a
// programming error, reported when the page is built.
func TextInput(id, label, value string, opts ...UIOption) Node {
	checkID("TextInput", id)
	cfg := uiOptions(opts)
	return field(cfg, "",
		labelFor(id, label),
		El("input", control(cfg, Attr("type", "text"), id, "text", Attr("value", value))...),
	)
}

// TextArea returns a multi-line text input (kind "textarea") holding value.
// Options: [Rows], [Placeholder], any [Attribute], [Inline].
// See [TextInput] for the DOM contract and the rule for ids.
func TextArea(id, label, value string, opts ...UIOption) Node {
	checkID("TextArea", id)
	cfg := uiOptions(opts)
	return field(cfg, "",
		labelFor(id, label),
		El("textarea", append(control(cfg, nil, id, "textarea"), Text(value))...),
	)
}

// NumberInput returns a number input (kind "number") holding value.
// Options: [Min], [Max], [Step], any [Attribute], [Inline]. A value that is
// not finite makes rendering fail.
// See [TextInput] for the DOM contract and the rule for ids.
func NumberInput(id, label string, value float64, opts ...UIOption) Node {
	checkID("NumberInput", id)
	cfg := uiOptions(opts)
	return field(cfg, "",
		labelFor(id, label),
		El("input", control(cfg, Attr("type", "number"), id, "number", numberAttr("value", value))...),
	)
}

// Slider returns a range input (kind "slider") from min to max holding value,
// followed by an <output class="sheen-slider-value" for="ID"> showing the
// value, which the client keeps up to date. Options: [Step], any [Attribute],
// [Inline]. Bounds or a value that are not finite, or min > max, make
// rendering fail.
// See [TextInput] for the DOM contract and the rule for ids.
func Slider(id, label string, min, max, value float64, opts ...UIOption) Node {
	checkID("Slider", id)
	if min > max {
		return errNode{fmt.Errorf("sheen: Slider %q: min %v is greater than max %v", id, min, max)}
	}
	cfg := uiOptions(opts)
	shown, err := formatNumber(value)
	if err != nil {
		return errNode{fmt.Errorf("sheen: Slider %q: value: %w", id, err)}
	}
	rng := control(cfg, Attr("type", "range"), id, "slider", numberAttr("min", min), numberAttr("max", max), numberAttr("value", value))
	return field(cfg, "",
		labelFor(id, label),
		El("input", rng...),
		El("output", Class("sheen-slider-value"), Attr("for", id), Text(shown)),
	)
}

// Select returns a drop-down list (kind "select") of choices, with the choice
// whose value is selected chosen. Options: [Multiple], any [Attribute],
// [Inline].
// See [TextInput] for the DOM contract and the rule for ids.
func Select(id, label string, choices []Choice, selected string, opts ...UIOption) Node {
	checkID("Select", id)
	cfg := uiOptions(opts)
	nodes := control(cfg, nil, id, "select")
	for _, c := range choices {
		var sel Node
		if c.Value == selected {
			sel = boolAttr("selected")
		}
		nodes = append(nodes, El("option", Attr("value", c.Value), sel, Text(c.label())))
	}
	return field(cfg, "", labelFor(id, label), El("select", nodes...))
}

// Checkbox returns a checkbox (kind "checkbox"), followed by its label, in a
// field with the extra class sheen-checkbox. Options: any [Attribute],
// [Inline].
// See [TextInput] for the DOM contract and the rule for ids.
func Checkbox(id, label string, checked bool, opts ...UIOption) Node {
	checkID("Checkbox", id)
	cfg := uiOptions(opts)
	var extra Node
	if checked {
		extra = boolAttr("checked")
	}
	return field(cfg, "sheen-checkbox",
		El("input", control(cfg, Attr("type", "checkbox"), id, "checkbox", extra)...),
		labelFor(id, label),
	)
}

// Radio returns a group of radio buttons (kind "radio"), one per choice, with
// the choice whose value is selected checked. The control is a <div
// role="radiogroup"> labelled by the field's label (whose id is ID-label);
// each button is an <input type="radio" name="ID"> inside a <label
// class="sheen-radio">. Options: any [Attribute] (set on the group),
// [Inline].
// See [TextInput] for the DOM contract and the rule for ids.
func Radio(id, label string, choices []Choice, selected string, opts ...UIOption) Node {
	checkID("Radio", id)
	cfg := uiOptions(opts)
	nodes := control(cfg, Attr("role", "radiogroup"), id, "radio", Attr("aria-labelledby", id+"-label"))
	for _, c := range choices {
		var sel Node
		if c.Value == selected {
			sel = boolAttr("checked")
		}
		nodes = append(nodes, El("label", Class("sheen-radio"),
			El("input", Attr("type", "radio"), Attr("name", id), Attr("value", c.Value), sel),
			Text(c.label()),
		))
	}
	return field(cfg, "",
		El("label", Attr("id", id+"-label"), Attr("data-sheen-label-for", id), Attr("for", id), Text(label)),
		El("div", nodes...),
	)
}

// ActionButton returns a button (kind "button"), whose clicks the client
// reports. The button is its own label: it carries data-sheen-label-for="ID" and the
// class sheen-button. Options: any [Attribute], [Inline].
// See [TextInput] for the DOM contract and the rule for ids.
func ActionButton(id, label string, opts ...UIOption) Node {
	checkID("ActionButton", id)
	cfg := uiOptions(opts)
	nodes := control(cfg, Attr("type", "button"), id, "button",
		Attr("data-sheen-label-for", id), Class("sheen-button"))
	return field(cfg, "", El("button", append(nodes, Text(label))...))
}

// TextOutput returns the place where the output id shows text: a <div
// class="sheen-output" data-sheen-output="ID" data-sheen-kind="text">, or a
// <span> with [Inline]. Options: any [Attribute], [Inline]. It panics on an
// invalid id.
func TextOutput(id string, opts ...UIOption) Node {
	checkID("TextOutput", id)
	return output(id, "text", "", uiOptions(opts))
}

// MarkdownOutput returns the place where the output id shows markdown, which
// the server renders to sanitized HTML: like [HTMLOutput], with the extra
// class sheen-markdown for typography.
func MarkdownOutput(id string, opts ...UIOption) Node {
	checkID("MarkdownOutput", id)
	return output(id, "html", "sheen-markdown", uiOptions(opts))
}

// HTMLOutput returns the place where the output id shows HTML: like
// [TextOutput], with data-sheen-kind="html".
func HTMLOutput(id string, opts ...UIOption) Node {
	checkID("HTMLOutput", id)
	return output(id, "html", "", uiOptions(opts))
}

// Component returns the root of a client component: a <div
// data-sheen-component="KIND" id="ID"> holding children, whose attributes
// apply to the div. The client hands the element to the handler registered for
// kind. Kind and id must match [A-Za-z][A-Za-z0-9_-]*; Component panics
// otherwise.
func Component(kind, id string, children ...Node) Node {
	if !validID(kind) {
		panic(fmt.Sprintf("sheen: Component: invalid kind %q: kinds must match [A-Za-z][A-Za-z0-9_-]*", kind))
	}
	checkID("Component", id)
	return El("div", append([]Node{Attr("data-sheen-component", kind), ID(id)}, children...)...)
}

func output(id, kind, class string, cfg uiConfig) Node {
	tag := "div"
	if cfg.inline {
		tag = "span"
	}
	nodes := []Node{Class("sheen-output", class), Attr("data-sheen-output", id), Attr("data-sheen-kind", kind)}
	return El(tag, append(nodes, cfg.attrs...)...)
}

func uiOptions(opts []UIOption) uiConfig {
	var c uiConfig
	for _, o := range opts {
		if o != nil {
			o.applyUI(&c)
		}
	}
	return c
}

// field wraps an input's label and control in its <div class="sheen-field">.
func field(cfg uiConfig, class string, children ...Node) Node {
	inline := ""
	if cfg.inline {
		inline = "sheen-inline"
	}
	return El("div", append([]Node{Class("sheen-field", class, inline)}, children...)...)
}

func labelFor(id, label string) Node {
	return El("label", Attr("data-sheen-label-for", id), Attr("for", id), Text(label))
}

// control returns the attributes of an input's control: first (if not nil),
// the binding attributes, extra, then the options' attributes.
func control(cfg uiConfig, first Node, id, kind string, extra ...Node) []Node {
	nodes := make([]Node, 0, 4+len(extra)+len(cfg.attrs))
	nodes = append(nodes, first, ID(id), Attr("data-sheen-input", id), Attr("data-sheen-kind", kind))
	nodes = append(nodes, extra...)
	return append(nodes, cfg.attrs...)
}

func checkID(builder, id string) {
	if !validID(id) {
		panic(fmt.Sprintf("sheen: %s: invalid id %q: ids must match [A-Za-z][A-Za-z0-9_-]*", builder, id))
	}
}

// validID reports whether id matches [A-Za-z][A-Za-z0-9_-]*.
func validID(id string) bool {
	if id == "" || !isLetter(id[0]) {
		return false
	}
	for i := 1; i < len(id); i++ {
		if c := id[i]; !isLetter(c) && !isDigit(c) && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

func validLang(tag string) bool {
	if tag == "" || len(tag) > 35 {
		return false
	}
	for i := 0; i < len(tag); i++ {
		if c := tag[i]; !isLetter(c) && !isDigit(c) && c != '-' {
			return false
		}
	}
	return true
}
