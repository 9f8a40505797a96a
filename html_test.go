package sheen

import (
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

func render(t testing.TB, n Node) string {
	t.Helper()
	var b strings.Builder
	if err := n.Render(&b); err != nil {
		t.Fatalf("Render: %v", err)
	}
	return b.String()
}

func TestRender(t *testing.T) {
	tests := []struct {
		name string
		node Node
		want string
	}{
		{"text", Text("a < b"), "a &lt; b"},
		{"hostile text", Text(`<script>alert("x")</script> & 'y'`),
			"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;y&#39;"},
		{"trusted html", TrustedHTML("<b>bold</b>"), "<b>bold</b>"},
		{"group", Group(Text("a"), nil, TrustedHTML("<br>"), Text("b")), "a<br>b"},
		{"empty group", Group(), ""},
		{"element", El("div"), "<div></div>"},
		{"upper-case name", El("DIV", Text("x")), "<DIV>x</DIV>"},
		{"custom element", El("sheen-chat", ID("c")), `<sheen-chat id="c"></sheen-chat>`},
		{"nested", El("ul", El("li", Text("1")), El("li", Text("2"))), "<ul><li>1</li><li>2</li></ul>"},
		{"attributes in order", El("a", Attr("href", "/x"), ID("l"), Attr("title", "t"), Text("go")),
			`<a href="/x" id="l" title="t">go</a>`},
		{"attributes after children", El("p", Text("x"), Class("c")), `<p class="c">x</p>`},
		{"hostile attribute value", El("div", Attr("title", `"><script>alert(1)</script>`)),
			`<div title="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"></div>`},
		{"single quote in value", El("div", Attr("title", `it's`)), `<div title="it&#39;s"></div>`},
		{"classes joined", El("div", Class("a", "", "b"), Class("c")), `<div class="a b c"></div>`},
		{"empty class", El("div", Class(), Class("a")), `<div class="a"></div>`},
		{"later attribute wins", El("div", Attr("title", "1"), ID("x"), Attr("TITLE", "2")), `<div TITLE="2" id="x"></div>`},
		{"attributes inside a group", El("div", Group(ID("x"), Class("a")), Class("b")), `<div id="x" class="a b"></div>`},
		{"nested groups flattened", El("p", Group(Group(Text("a"), Attr("title", "t")), Text("b"))), `<p title="t">ab</p>`},
		{"nil children", El("p", nil, Text("a"), nil), "<p>a</p>"},
		{"void element", El("br"), "<br>"},
		{"void with attributes", El("img", Attr("src", "/a.png"), Attr("alt", "")), `<img src="/a.png" alt="">`},
		{"boolean attribute", El("select", Multiple(), Disabled()), `<select multiple disabled></select>`},
		{"data and aria attributes", El("div", Attr("data-x_y", "1"), Attr("aria-label", "l"), Attr("xml:lang", "en")),
			`<div data-x_y="1" aria-label="l" xml:lang="en"></div>`},
		{"pre keeps a leading newline", El("pre", Text("\ncode")), "<pre>\n\ncode</pre>"},
		{"textarea keeps a leading newline", El("textarea", Text("\nx")), "<textarea>\n\nx</textarea>"},
		{"pre without a leading newline", El("pre", Text("code\n")), "<pre>code\n</pre>"},
		{"script with trusted source", El("script", Attr("type", "module"), TrustedHTML("let a = 1 < 2;")),
			`<script type="module">let a = 1 < 2;</script>`},
		{"script with src", El("script", Attr("src", "/app.js")), `<script src="/app.js"></script>`},
		{"style with text", El("style", Text("p{}</style>")), `<style>p{}&lt;/style&gt;</style>`},
		{"relative URLs", Group(
			El("a", Attr("href", "")), El("a", Attr("href", "#top")), El("a", Attr("href", "?q=1")),
			El("a", Attr("href", "../x/y")), El("a", Attr("href", "/javascript:x")), El("a", Attr("href", "a/b:c")),
		), `<a href=""></a><a href="#top"></a><a href="?q=1"></a><a href="../x/y"></a><a href="/javascript:x"></a><a href="a/b:c"></a>`},
		{"safe schemes", Group(
			El("a", Attr("href", "https://example.com/?a=1&b=2")), El("a", Attr("HREF", "HTTP://x")),
			El("a", Attr("href", "mailto:a@b.c")), El("a", Attr("href", "tel:+123")), El("img", Attr("src", "wss://h/ws")),
		), `<a href="https://example.com/?a=1&amp;b=2"></a><a HREF="HTTP://x"></a><a href="mailto:a@b.c"></a><a href="tel:+123"></a><img src="wss://h/ws">`},
		{"entities are not decoded", El("a", Attr("href", "javascript&colon;alert(1)")), `<a href="javascript&amp;colon;alert(1)"></a>`},
		{"URL check only on URL attributes", El("div", Attr("title", "javascript:alert(1)")), `<div title="javascript:alert(1)"></div>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := render(t, tt.node); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestRenderErrors(t *testing.T) {
	tests := []struct {
		name string
		node Node
		want string // in the error
	}{
		{"empty element name", El(""), `invalid element name ""`},
		{"digit first", El("1a"), `invalid element name "1a"`},
		{"space in name", El("a b"), `invalid element name "a b"`},
		{"markup in name", El("div><script"), `invalid element name`},
		{"non-ASCII name", El("dív"), `invalid element name`},
		{"zero attribute", El("div", Attribute{}), "empty attribute name"},
		{"space in attribute name", El("div", Attr("a b", "")), `invalid attribute name "a b"`},
		{"quote in attribute name", El("div", Attr(`x"`, "")), `invalid attribute name`},
		{"equals in attribute name", El("div", Attr("a=b", "")), `invalid attribute name`},
		{"markup in attribute name", El("div", Attr("><script", "")), `invalid attribute name`},
		{"event handler", El("div", Attr("onclick", "alert(1)")), `event handler attribute "onclick"`},
		{"event handler, mixed case", El("img", Attr("OnError", "alert(1)")), `event handler attribute "OnError"`},
		{"srcdoc", El("iframe", Attr("srcdoc", "<script>alert(1)</script>")), `"srcdoc" is not allowed`},
		{"javascript href", El("a", Attr("href", "javascript:alert(1)")), `unsafe URL`},
		{"javascript, mixed case and spaces", El("a", Attr("href", "  JaVaScRiPt:alert(1)")), `unsafe URL`},
		{"javascript with a tab", El("a", Attr("href", "java\tscript:alert(1)")), `unsafe URL`},
		{"javascript with a newline", El("a", Attr("href", "java\nscript:alert(1)")), `unsafe URL`},
		{"javascript after a control character", El("a", Attr("href", "\x01javascript:alert(1)")), `unsafe URL`},
		{"javascript src", El("img", Attr("src", "javascript:alert(1)")), `attribute src: unsafe URL`},
		{"vbscript", El("a", Attr("href", "vbscript:msgbox")), `unsafe URL`},
		{"data URL", El("a", Attr("href", "data:text/html,<script>alert(1)</script>")), `unsafe URL`},
		{"formaction", El("button", Attr("formaction", "javascript:alert(1)")), `unsafe URL`},
		{"xlink:href", El("use", Attr("xlink:href", "javascript:alert(1)")), `unsafe URL`},
		{"void element with children", El("br", Text("x")), "<br> is a void element"},
		{"input with children", El("input", El("b")), "<input> is a void element"},
		{"script with text", El("script", Text("alert(1)")), "<script> may contain only TrustedHTML"},
		{"script with an element", El("SCRIPT", El("b")), "may contain only TrustedHTML"},
		{"attribute outside an element", Attr("title", "x"), `attribute "title" rendered outside an element`},
		{"attribute in a bare group", Group(Text("a"), ID("x")), `attribute "id" rendered outside an element`},
		{"error deep inside", El("div", El("p", Text("a"), El("a", Attr("href", "javascript:x")))), "sheen: <a>: attribute href: unsafe URL"},
		{"first of several errors", El("div", Attr("onload", ""), Attr("href", "javascript:")), "onload"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			err := tt.node.Render(&b)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Render error = %v, want one containing %q", err, tt.want)
			}
			if strings.Contains(b.String(), "alert") {
				t.Errorf("the failing node wrote %q", b.String())
			}
		})
	}
}

// failWriter fails after n bytes.
type failWriter struct{ n int }

var errWrite = errors.New("write failed")

func (w *failWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		n := w.n
		w.n = 0
		return n, errWrite
	}
	w.n -= len(p)
	return len(p), nil
}

func TestRenderWriteError(t *testing.T) {
	node := El("div", Class("a"), El("p", Text("hello & goodbye")), TrustedHTML("<hr>"), Text("tail"))
	full := len(render(t, node))
	for n := 0; n < full; n++ {
		if err := node.Render(&failWriter{n: n}); !errors.Is(err, errWrite) {
			t.Fatalf("failing after %d bytes: Render = %v, want %v", n, err, errWrite)
		}
	}
	if err := node.Render(&failWriter{n: full}); err != nil {
		t.Fatalf("Render into a large enough writer: %v", err)
	}
}

// hostile holds text meant to break out of its place in a page.
var hostile = []string{
	`<script>alert(1)</script>`,
	`"><script>alert(1)</script>`,
	`'><img src=x onerror=alert(1)>`,
	`</textarea><script>alert(1)</script>`,
	`</title><script>alert(1)</script>`,
	`<!-- comment -->`,
	`]]><![CDATA[`,
	`&amp; &lt; &#x3C;script&#x3E;`,
	"` onmouseover=alert(1) x=`",
	`javascript:alert(1)`,
	"new\nline and\ttab",
	"",
}

// parseFragment parses s as the children of a <body>.
func parseFragment(t testing.TB, s string) []*html.Node {
	t.Helper()
	ctx := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(s), ctx)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return nodes
}

// TestHostileTextParsed checks, with a real HTML parser, that text and
// attribute values come back exactly as given and make no element.
func TestHostileTextParsed(t *testing.T) {
	for _, s := range hostile {
		checkParsed(t, s)
	}
}

func FuzzEscaping(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) || strings.ContainsAny(s, "\x00\r") {
			t.Skip("the parser rewrites NUL, CR and invalid UTF-8")
		}
		checkParsed(t, s)
	})
}

func checkParsed(t *testing.T, s string) {
	t.Helper()
	out := render(t, Group(
		El("div", Attr("title", s), Attr("href", "/"+s), Text(s)),
		El("textarea", Text(s)),
		El("pre", Text(s)),
	))
	nodes := parseFragment(t, out)
	if len(nodes) != 3 {
		t.Fatalf("%q: parsed into %d top-level nodes, want 3: %s", s, len(nodes), out)
	}
	div, ta, pre := nodes[0], nodes[1], nodes[2]
	if div.Data != "div" || ta.Data != "textarea" || pre.Data != "pre" {
		t.Fatalf("%q: parsed into %s, %s, %s", s, div.Data, ta.Data, pre.Data)
	}
	attrs := map[string]string{}
	for _, a := range div.Attr {
		attrs[a.Key] = a.Val
	}
	if len(attrs) != 2 || attrs["title"] != s || attrs["href"] != "/"+s {
		t.Errorf("%q: attributes parsed as %q", s, attrs)
	}
	for _, n := range nodes {
		var got string
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.TextNode {
				t.Fatalf("%q: <%s> has a child of type %v (%q)", s, n.Data, c.Type, c.Data)
			}
			got += c.Data
		}
		if got != s {
			t.Errorf("%q: <%s> text parsed as %q", s, n.Data, got)
		}
	}
}

func TestCheckURL(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"", true},
		{"/path", true},
		{"path/x:y", true},
		{"#frag:x", true},
		{"?a=b:c", true},
		{"https://x", true},
		{"Https://x", true},
		{"ws://x", true},
		{"mailto:a@b", true},
		{"javascript:x", false},
		{"JAVASCRIPT:x", false},
		{" javascript:x", false},
		{"\x00javascript:x", false},
		{"j\ta\nv\rascript:x", false},
		{"javascript\t:x", false},
		{"data:,x", false},
		{"blob:https://x/y", false},
		{"file:///etc/passwd", false},
		{"c:\\x", false},
		{":x", false},
	}
	for _, tt := range tests {
		if err := checkURL(tt.url); (err == nil) != tt.ok {
			t.Errorf("checkURL(%q) = %v, want ok=%v", tt.url, err, tt.ok)
		}
	}
}

func TestConcurrentRender(t *testing.T) {
	node := El("div", Class("a"), El("p", Text("x & y")), Group(Text("1"), Text("2")))
	want := render(t, node)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			var b strings.Builder
			if err := node.Render(&b); err != nil {
				errs <- err
				return
			}
			if b.String() != want {
				errs <- errors.New("got " + b.String())
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func BenchmarkRenderText(b *testing.B) {
	node := El("p", Text(strings.Repeat(`plain text with "quotes" & <tags> `, 20)))
	b.ReportAllocs()
	for b.Loop() {
		if err := node.Render(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
