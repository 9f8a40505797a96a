package sheen

import (
	"bytes"
	"io"
	"math"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestInputs(t *testing.T) {
	tests := []struct {
		name string
		node Node
		want string
	}{
		{"text input", TextInput("name", "Your name", "Ann"),
			`<div class="sheen-field"><label data-sheen-label-for="name" for="name">Your name</label>` +
				`<input type="text" id="name" data-sheen-input="name" data-sheen-kind="text" value="Ann"></div>`},
		{"text input with options", TextInput("q", "Query", "", Placeholder("Ask…"), Attr("autocomplete", "off"), Inline()),
			`<div class="sheen-field sheen-inline"><label data-sheen-label-for="q" for="q">Query</label>` +
				`<input type="text" id="q" data-sheen-input="q" data-sheen-kind="text" value="" placeholder="Ask…" autocomplete="off"></div>`},
		{"text area", TextArea("notes", "Notes", "a\nb", Rows(4), Placeholder("…")),
			`<div class="sheen-field"><label data-sheen-label-for="notes" for="notes">Notes</label>` +
				`<textarea id="notes" data-sheen-input="notes" data-sheen-kind="textarea" rows="4" placeholder="…">a` + "\n" + `b</textarea></div>`},
		{"number input", NumberInput("n", "N", 2.5, Min(-1), Max(1e6), Step(0.25)),
			`<div class="sheen-field"><label data-sheen-label-for="n" for="n">N</label>` +
				`<input type="number" id="n" data-sheen-input="n" data-sheen-kind="number" value="2.5" min="-1" max="1000000" step="0.25"></div>`},
		{"slider", Slider("temp", "Temperature", 0, 2, 0.7, Step(0.1)),
			`<div class="sheen-field"><label data-sheen-label-for="temp" for="temp">Temperature</label>` +
				`<input type="range" id="temp" data-sheen-input="temp" data-sheen-kind="slider" min="0" max="2" value="0.7" step="0.1">` +
				`<output class="sheen-slider-value" for="temp">0.7</output></div>`},
		{"select", Select("model", "Model", []Choice{{Value: "a", Label: "Model A"}, {Value: "b"}}, "b"),
			`<div class="sheen-field"><label data-sheen-label-for="model" for="model">Model</label>` +
				`<select id="model" data-sheen-input="model" data-sheen-kind="select">` +
				`<option value="a">Model A</option><option value="b" selected>b</option></select></div>`},
		{"select multiple, nothing selected", Select("tags", "Tags", Choices("x", "y"), "", Multiple()),
			`<div class="sheen-field"><label data-sheen-label-for="tags" for="tags">Tags</label>` +
				`<select id="tags" data-sheen-input="tags" data-sheen-kind="select" multiple>` +
				`<option value="x">x</option><option value="y">y</option></select></div>`},
		{"checkbox checked", Checkbox("ok", "I agree", true),
			`<div class="sheen-field sheen-checkbox">` +
				`<input type="checkbox" id="ok" data-sheen-input="ok" data-sheen-kind="checkbox" checked>` +
				`<label data-sheen-label-for="ok" for="ok">I agree</label></div>`},
		{"checkbox unchecked", Checkbox("ok", "I agree", false, Disabled()),
			`<div class="sheen-field sheen-checkbox">` +
				`<input type="checkbox" id="ok" data-sheen-input="ok" data-sheen-kind="checkbox" disabled>` +
				`<label data-sheen-label-for="ok" for="ok">I agree</label></div>`},
		{"radio", Radio("size", "Size", []Choice{{"s", "Small"}, {"l", "Large"}}, "l"),
			`<div class="sheen-field"><label id="size-label" data-sheen-label-for="size" for="size">Size</label>` +
				`<div role="radiogroup" id="size" data-sheen-input="size" data-sheen-kind="radio" aria-labelledby="size-label">` +
				`<label class="sheen-radio"><input type="radio" name="size" value="s">Small</label>` +
				`<label class="sheen-radio"><input type="radio" name="size" value="l" checked>Large</label></div></div>`},
		{"action button", ActionButton("send", "Send"),
			`<div class="sheen-field"><button type="button" id="send" data-sheen-input="send" data-sheen-kind="button" ` +
				`data-sheen-label-for="send" class="sheen-button">Send</button></div>`},
		{"action button with a class", ActionButton("send", "Send", Class("primary")),
			`<div class="sheen-field"><button type="button" id="send" data-sheen-input="send" data-sheen-kind="button" ` +
				`data-sheen-label-for="send" class="sheen-button primary">Send</button></div>`},
		{"hostile label and value", TextInput("x", `<b>"hi"</b>`, `"><script>alert(1)</script>`),
			`<div class="sheen-field"><label data-sheen-label-for="x" for="x">&lt;b&gt;&#34;hi&#34;&lt;/b&gt;</label>` +
				`<input type="text" id="x" data-sheen-input="x" data-sheen-kind="text" value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"></div>`},
		{"hostile text area value", TextArea("x", "X", "</textarea><script>alert(1)</script>"),
			`<div class="sheen-field"><label data-sheen-label-for="x" for="x">X</label>` +
				`<textarea id="x" data-sheen-input="x" data-sheen-kind="textarea">&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea></div>`},
		{"hostile choices", Select("x", "X", []Choice{{Value: `"><script>`, Label: "</option><script>"}}, `"><script>`),
			`<div class="sheen-field"><label data-sheen-label-for="x" for="x">X</label>` +
				`<select id="x" data-sheen-input="x" data-sheen-kind="select"><option value="&#34;&gt;&lt;script&gt;" selected>&lt;/option&gt;&lt;script&gt;</option></select></div>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := render(t, tt.node); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestInputContract checks the DOM contract the client relies on, with a real
// HTML parser: a div.sheen-field holding a label for the id and the control.
func TestInputContract(t *testing.T) {
	tests := []struct {
		kind string
		node Node
		tag  string
	}{
		{"text", TextInput("in-1", "L", "v"), "input"},
		{"textarea", TextArea("in-1", "L", "v"), "textarea"},
		{"number", NumberInput("in-1", "L", 1), "input"},
		{"slider", Slider("in-1", "L", 0, 1, 1), "input"},
		{"select", Select("in-1", "L", Choices("a"), "a"), "select"},
		{"checkbox", Checkbox("in-1", "L", false), "input"},
		{"radio", Radio("in-1", "L", Choices("a"), "a"), "div"},
		{"button", ActionButton("in-1", "L"), "button"},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			nodes := parseFragment(t, render(t, tt.node))
			if len(nodes) != 1 || nodes[0].Data != "div" || attrOf(nodes[0], "class") != "sheen-field" && !strings.HasPrefix(attrOf(nodes[0], "class"), "sheen-field ") {
				t.Fatalf("not one div.sheen-field: %v", nodes)
			}
			var controls, labels []*html.Node
			walk(nodes[0], func(n *html.Node) {
				if attrOf(n, "data-sheen-input") != "" {
					controls = append(controls, n)
				}
				if attrOf(n, "data-sheen-label-for") != "" {
					labels = append(labels, n)
				}
			})
			if len(controls) != 1 {
				t.Fatalf("%d controls, want 1", len(controls))
			}
			c := controls[0]
			if c.Data != tt.tag || attrOf(c, "id") != "in-1" || attrOf(c, "data-sheen-input") != "in-1" || attrOf(c, "data-sheen-kind") != tt.kind {
				t.Errorf("control <%s id=%q data-sheen-input=%q data-sheen-kind=%q>, want <%s> with id in-1, kind %s",
					c.Data, attrOf(c, "id"), attrOf(c, "data-sheen-input"), attrOf(c, "data-sheen-kind"), tt.tag, tt.kind)
			}
			if len(labels) != 1 || attrOf(labels[0], "data-sheen-label-for") != "in-1" || textOf(labels[0]) != "L" {
				t.Errorf("labels %v, want one for in-1 reading L", labels)
			}
			if tt.kind != "button" && (labels[0].Data != "label" || attrOf(labels[0], "for") != "in-1") {
				t.Errorf(`label is <%s for=%q>, want <label for="in-1">`, labels[0].Data, attrOf(labels[0], "for"))
			}
		})
	}
}

func TestOutputsAndLayout(t *testing.T) {
	tests := []struct {
		name string
		node Node
		want string
	}{
		{"text output", TextOutput("answer"),
			`<div class="sheen-output" data-sheen-output="answer" data-sheen-kind="text"></div>`},
		{"inline text output", TextOutput("n", Inline(), Class("big")),
			`<span class="sheen-output big" data-sheen-output="n" data-sheen-kind="text"></span>`},
		{"markdown output", MarkdownOutput("doc"),
			`<div class="sheen-output sheen-markdown" data-sheen-output="doc" data-sheen-kind="html"></div>`},
		{"html output", HTMLOutput("h", Attr("aria-live", "polite")),
			`<div class="sheen-output" data-sheen-output="h" data-sheen-kind="html" aria-live="polite"></div>`},
		{"component", Component("chat", "chat", Class("wide"), Attr("data-placeholder", "Ask"), Text("…")),
			`<div data-sheen-component="chat" id="chat" class="wide" data-placeholder="Ask">…</div>`},
		{"sidebar", Sidebar(Text("side"), Text("a"), Text("b")),
			`<div class="sheen-page"><aside class="sheen-sidebar">side</aside><main class="sheen-main">ab</main></div>`},
		{"sidebar, nil sidebar", Sidebar(nil),
			`<div class="sheen-page"><aside class="sheen-sidebar"></aside><main class="sheen-main"></main></div>`},
		{"card", Card("Stats <1>", Paragraph("x"), ID("stats")),
			`<section class="sheen-card" id="stats"><h3 class="sheen-card-title">Stats &lt;1&gt;</h3><p>x</p></section>`},
		{"card without title", Card("", Text("x")), `<section class="sheen-card">x</section>`},
		{"row and column", Row(Column(Text("a")), Column(Class("narrow"), Text("b"))),
			`<div class="sheen-row"><div class="sheen-col">a</div><div class="sheen-col narrow">b</div></div>`},
		{"heading", Heading(2, "Title & more"), `<h2>Title &amp; more</h2>`},
		{"paragraph", Paragraph("<p>"), `<p>&lt;p&gt;</p>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := render(t, tt.node); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestUIErrors(t *testing.T) {
	tests := []struct {
		name string
		node Node
		want string
	}{
		{"heading level 0", Heading(0, "x"), "heading level 0"},
		{"heading level 7", Heading(7, "x"), "heading level 7"},
		{"slider min > max", Slider("s", "S", 2, 1, 1), `Slider "s": min 2 is greater than max 1`},
		{"slider NaN value", Slider("s", "S", 0, 1, math.NaN()), "not a finite number"},
		{"slider infinite bound", Slider("s", "S", math.Inf(-1), 1, 0), "not a finite number"},
		{"number NaN", NumberInput("n", "N", math.NaN()), "attribute value: NaN is not a finite number"},
		{"number infinite min", NumberInput("n", "N", 0, Min(math.Inf(1))), "attribute min: +Inf is not a finite number"},
		{"step zero", NumberInput("n", "N", 0, Step(0)), "step 0: want a positive number"},
		{"rows zero", TextArea("t", "T", "", Rows(0)), "rows 0: want at least 1"},
		{"option replacing the id", TextInput("t", "T", "", ID("other")), `attribute "id" is set by sheen`},
		{"option replacing the kind", TextOutput("o", Attr("data-sheen-kind", "html")), `attribute "data-sheen-kind" is set by sheen`},
		{"option replacing the type", Checkbox("c", "C", false, Attr("TYPE", "text")), `attribute "TYPE" is set by sheen`},
		{"unsafe option", ActionButton("b", "B", Attr("onclick", "alert(1)")), `event handler attribute "onclick"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.node.Render(io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Render error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestInvalidIDPanics(t *testing.T) {
	builders := map[string]func(id string){
		"TextInput":      func(id string) { TextInput(id, "", "") },
		"TextArea":       func(id string) { TextArea(id, "", "") },
		"NumberInput":    func(id string) { NumberInput(id, "", 0) },
		"Slider":         func(id string) { Slider(id, "", 0, 1, 0) },
		"Select":         func(id string) { Select(id, "", nil, "") },
		"Checkbox":       func(id string) { Checkbox(id, "", false) },
		"Radio":          func(id string) { Radio(id, "", nil, "") },
		"ActionButton":   func(id string) { ActionButton(id, "") },
		"TextOutput":     func(id string) { TextOutput(id) },
		"MarkdownOutput": func(id string) { MarkdownOutput(id) },
		"HTMLOutput":     func(id string) { HTMLOutput(id) },
		"Component":      func(id string) { Component("chat", id) },
	}
	bad := []string{"", "1a", "-a", "_a", "a b", "a.b", `a"`, "a<b", "é", "a\n", "a:b"}
	for name, build := range builders {
		for _, id := range bad {
			msg := panicMessage(func() { build(id) })
			if !strings.Contains(msg, "sheen: "+name+": invalid id") {
				t.Errorf("%s(%q) panicked with %q, want an invalid id message", name, id, msg)
			}
		}
		for _, id := range []string{"a", "Z", "a1", "a_b-C9"} {
			if msg := panicMessage(func() { build(id) }); msg != "" {
				t.Errorf("%s(%q) panicked: %s", name, id, msg)
			}
		}
	}
	if msg := panicMessage(func() { Component("bad kind", "c") }); !strings.Contains(msg, `invalid kind "bad kind"`) {
		t.Errorf("Component with a bad kind panicked with %q", msg)
	}
}

func TestPageDuplicateIDs(t *testing.T) {
	tests := []struct {
		name string
		body []Node
		want string // panic message, "" for none
	}{
		{"two inputs", []Node{TextInput("a", "", ""), Row(Checkbox("a", "", false))}, `id "a" is used twice`},
		{"input and component", []Node{TextInput("a", "", ""), Component("chat", "a")}, `id "a" is used twice`},
		{"radio label", []Node{Radio("r", "", nil, ""), El("p", ID("r-label"))}, `id "r-label" is used twice`},
		{"two outputs", []Node{TextOutput("o"), Card("", MarkdownOutput("o"))}, `output id "o" is used twice`},
		{"one output shown twice", func() []Node { o := TextOutput("o"); return []Node{o, o} }(), `output id "o" is used twice`},
		{"input and output may share an id", []Node{TextInput("a", "", ""), TextOutput("a")}, ""},
		{"distinct ids", []Node{TextInput("a", "", ""), TextInput("b", "", ""), TextOutput("a"), TextOutput("b")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := panicMessage(func() { Page("t", tt.body...) })
			if tt.want == "" && msg != "" || !strings.Contains(msg, tt.want) {
				t.Errorf("Page panicked with %q, want %q", msg, tt.want)
			}
		})
	}
}

var testAssets = PageAssets{
	Stylesheets: []string{"/_sheen/assets/abc/sheen.css"},
	Scripts:     []string{"/_sheen/assets/abc/sheen.js"},
	WebSocket:   "/_sheen/ws",
}

func TestRenderPage(t *testing.T) {
	head := func(extra string) string {
		return "<head>\n" +
			`<meta charset="utf-8">` + "\n" +
			`<meta name="viewport" content="width=device-width, initial-scale=1">` + "\n" +
			"<title>Demo &lt;&amp;&gt;</title>\n" +
			`<meta name="sheen-ws" content="/_sheen/ws">` + "\n" +
			`<link rel="stylesheet" href="/_sheen/assets/abc/sheen.css">` + "\n" +
			extra +
			`<script type="module" src="/_sheen/assets/abc/sheen.js"></script>` + "\n" +
			"</head>\n"
	}
	base := Page("Demo <&>", TextOutput("o"))
	tests := []struct {
		name string
		page *PageNode
		want string
	}{
		{"plain", base,
			"<!doctype html>\n" + `<html lang="en">` + "\n" + head("") +
				`<body><div class="sheen-output" data-sheen-output="o" data-sheen-kind="text"></div></body>` + "\n</html>\n"},
		{"options", base.With(Theme("dark"), Lang("pt-BR"), Stylesheet("/my.css"),
			Head(El("meta", Attr("name", "description"), Attr("content", "a demo")), El("link", Attr("rel", "icon"), Attr("href", "/i.png")))),
			"<!doctype html>\n" + `<html lang="pt-BR" data-theme="dark">` + "\n" +
				head(`<link rel="stylesheet" href="/my.css">`+"\n"+`<meta name="description" content="a demo">`+"\n"+`<link rel="icon" href="/i.png">`+"\n") +
				`<body><div class="sheen-output" data-sheen-output="o" data-sheen-kind="text"></div></body>` + "\n</html>\n"},
		{"body attributes, empty theme", Page("Demo <&>", Class("app"), Text("x")).With(Theme("light"), Theme(""), nil),
			"<!doctype html>\n" + `<html lang="en">` + "\n" + head("") +
				`<body class="app">x</body>` + "\n</html>\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := tt.page.RenderPage(&b, testAssets); err != nil {
				t.Fatal(err)
			}
			if got := b.String(); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			if _, err := html.Parse(strings.NewReader(b.String())); err != nil {
				t.Errorf("parse: %v", err)
			}
		})
	}
	// With returns a copy: the base page is unchanged.
	var b strings.Builder
	if err := base.RenderPage(&b, testAssets); err != nil || strings.Contains(b.String(), "data-theme") || strings.Contains(b.String(), "my.css") {
		t.Errorf("base page changed by With: %v\n%s", err, b.String())
	}
}

func TestRenderPageErrors(t *testing.T) {
	page := Page("t", Text("x"))
	tests := []struct {
		name   string
		page   *PageNode
		assets PageAssets
		want   string
	}{
		{"nil page", nil, testAssets, "nil page"},
		{"no WebSocket", page, PageAssets{}, "PageAssets.WebSocket is empty"},
		{"javascript WebSocket", page, PageAssets{WebSocket: "javascript:alert(1)"}, "PageAssets.WebSocket: unsafe URL"},
		{"javascript stylesheet", page, PageAssets{WebSocket: "/ws", Stylesheets: []string{"javascript:alert(1)"}}, "unsafe URL"},
		{"javascript script", page, PageAssets{WebSocket: "/ws", Scripts: []string{"javascript:alert(1)"}}, "unsafe URL"},
		{"bad theme", page.With(Theme("blue")), testAssets, `theme "blue"`},
		{"first bad option wins", page.With(Theme("blue"), Lang("x y")), testAssets, `theme "blue"`},
		{"bad lang", page.With(Lang("en US")), testAssets, `invalid language tag "en US"`},
		{"empty lang", page.With(Lang("")), testAssets, `invalid language tag ""`},
		{"bad page stylesheet", page.With(Stylesheet("javascript:alert(1)")), testAssets, "stylesheet: unsafe URL"},
		{"bad head node", page.With(Head(El("meta", Attr("onload", "x")))), testAssets, "event handler"},
		{"bad body node", Page("t", Text("x"), El("a", Attr("href", "javascript:alert(1)"))), testAssets, "unsafe URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			err := tt.page.RenderPage(&b, tt.assets)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("RenderPage error = %v, want one containing %q", err, tt.want)
			}
			if b.Len() != 0 {
				t.Errorf("RenderPage wrote %q before failing", b.String())
			}
		})
	}
	if err := page.RenderPage(&failWriter{n: 10}, testAssets); err != errWrite {
		t.Errorf("RenderPage into a failing writer = %v, want %v", err, errWrite)
	}
}

func BenchmarkRenderPage(b *testing.B) {
	page := Page("Chat demo", Sidebar(
		Group(
			Select("model", "Model", Choices("small", "medium", "large"), "medium"),
			Slider("temperature", "Temperature", 0, 2, 0.7, Step(0.1)),
			TextArea("system", "System prompt", "You are a helpful assistant.", Rows(4)),
			Checkbox("stream", "Stream replies", true),
			ActionButton("clear", "Clear"),
		),
		Card("Conversation", Component("chat", "chat")),
		Card("Usage", TextOutput("tokens"), MarkdownOutput("notes")),
	)).With(Theme("dark"))
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := page.RenderPage(&buf, testAssets); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}

func panicMessage(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg, _ = r.(string)
			if msg == "" {
				msg = "non-string panic"
			}
		}
	}()
	f()
	return ""
}

func attrOf(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	})
	return b.String()
}

func walk(n *html.Node, f func(*html.Node)) {
	f(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}
