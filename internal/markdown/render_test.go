package markdown

import (
	"bytes"
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	r := New()
	const link = `rel="noreferrer noopener" target="_blank"`
	tests := []struct {
		name, in, want string
	}{
		{"heading", "# Hi *there*", "<h1>Hi <em>there</em></h1>\n"},
		{"emphasis", "**b** *i* ~~s~~", "<p><strong>b</strong> <em>i</em> <del>s</del></p>\n"},
		{"inline code", "`a<b`", "<p><code>a&lt;b</code></p>\n"},
		{"link", "[a](https://x.org/p?q=1)", `<p><a href="https://x.org/p?q=1" ` + link + ">a</a></p>\n"},
		{"link title", `[a](https://x.org "T")`, `<p><a href="https://x.org" title="T" ` + link + ">a</a></p>\n"},
		{"autolink www", "see www.example.com", `<p>see <a href="http://www.example.com" ` + link + ">www.example.com</a></p>\n"},
		{"mailto", "<mailto:a@b.org>", `<p><a href="mailto:a@b.org" rel="noreferrer">mailto:a@b.org</a></p>` + "\n"},
		{"relative link dropped", "[a](/docs)", "<p>a</p>\n"},
		{"fragment link dropped", "[a](#top)", "<p>a</p>\n"},
		{"image", "![c](https://x.org/c.png)", `<p><img src="https://x.org/c.png" alt="c"></p>` + "\n"},
		{"data image", "![c](data:image/png;base64,iVBORw0KGgo=)", `<p><img src="data:image/png;base64,iVBORw0KGgo=" alt="c"></p>` + "\n"},
		{"svg data image dropped", "![c](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)", `<p><img alt="c"></p>` + "\n"},
		{"task list", "- [ ] a\n- [x] b", "<ul>\n<li><input type=\"checkbox\" disabled> a</li>\n<li><input type=\"checkbox\" checked disabled> b</li>\n</ul>\n"},
		{"table", "| a | b |\n|:--|--:|\n| 1 | 2 |",
			"<table>\n<thead>\n<tr>\n<th align=\"left\">a</th>\n<th align=\"right\">b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td align=\"left\">1</td>\n<td align=\"right\">2</td>\n</tr>\n</tbody>\n</table>\n"},
		{"ordered start", "3. x", "<ol start=\"3\">\n<li>x</li>\n</ol>\n"},
		{"blockquote", "> q", "<blockquote>\n<p>q</p>\n</blockquote>\n"},
		{"thematic break", "---", "<hr>\n"},
		{"fence without language", "```\na < b\n```", "<pre class=\"chroma\"><code tabindex=\"0\">a &lt; b\n</code></pre>\n"},
		{"fence with unknown language", "```nosuchlang\nx\n```", "<pre class=\"chroma\"><code tabindex=\"0\" class=\"language-nosuchlang\">x\n</code></pre>\n"},
		{"fence with hostile info", "```\"><script>\nx\n```", "<pre class=\"chroma\"><code tabindex=\"0\">x\n</code></pre>\n"},
		{"indented code", "    x\n", "<pre class=\"chroma\"><code tabindex=\"0\">x\n</code></pre>\n"},
		{"code in list", "- a\n\n  ```\n  b\n  ```", "<ul>\n<li>\n<p>a</p>\n<pre class=\"chroma\"><code tabindex=\"0\">b\n</code></pre>\n</li>\n</ul>\n"},
		{"suggestion span", `<span class="suggestion submit" data-suggestion="Tell me" data-suggestion-submit="true" title="t">more</span>`,
			`<p><span class="suggestion submit" data-suggestion="Tell me" data-suggestion-submit="true" title="t">more</span></p>` + "\n"},
		{"other class dropped", `<span class="evil">x</span> <a class="suggestion" href="https://x.org">y</a>`,
			`<p><span>x</span> <a class="suggestion" href="https://x.org" ` + link + ">y</a></p>\n"},
		{"suggestion list item", "<ul><li class=\"suggestion\">A</li></ul>", "<ul><li class=\"suggestion\">A</li></ul>"},
		{"details", "<details>\n<summary>S</summary>\n\nbody\n\n</details>", "<details>\n<summary>S</summary>\n<p>body</p>\n</details>"},
		{"kbd sub sup", "<kbd>K</kbd> H<sub>2</sub>O x<sup>2</sup>", "<p><kbd>K</kbd> H<sub>2</sub>O x<sup>2</sup></p>\n"},
		{"br in table cell", "| a |\n|---|\n| x<br>y |", "<table>\n<thead>\n<tr>\n<th>a</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>x<br>y</td>\n</tr>\n</tbody>\n</table>\n"},
		{"nul and bad utf-8", "a\x00b\xffc", "<p>a\uFFFDb\uFFFDc</p>\n"},
		{"crlf", "a\r\nb\rc", "<p>a\nb\nc</p>\n"},
		// Footnotes are not enabled: "[^1]: note" is a link reference
		// definition, whose relative destination is then removed.
		{"footnotes are not enabled", "x[^1]\n\n[^1]: note", "<p>x^1</p>\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.RenderString(tt.in)
			if got != tt.want {
				t.Errorf("Render(%q)\n got  %q\n want %q", tt.in, got, tt.want)
			}
			if err := checkSafe(got); err != nil {
				t.Errorf("unsafe output: %v", err)
			}
		})
	}
}

func TestRenderHighlighting(t *testing.T) {
	src := "```go\nfunc main() { println(\"<hi>\") }\n```"
	got := New().RenderString(src)
	for _, want := range []string{
		`<pre class="chroma"><code tabindex="0" class="language-go">`,
		`<span class="kd">func</span>`,
		`<span class="s">&quot;&lt;hi&gt;&quot;</span>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("highlighted output lacks %q:\n%s", want, got)
		}
	}
	if err := checkSafe(got); err != nil {
		t.Error(err)
	}
	plain := New(WithHighlighting(false)).RenderString(src)
	if want := "<pre class=\"chroma\"><code tabindex=\"0\" class=\"language-go\">func main() { println(&quot;&lt;hi&gt;&quot;) }\n</code></pre>\n"; plain != want {
		t.Errorf("WithHighlighting(false):\n got  %q\n want %q", plain, want)
	}
}

// TestRenderHostile feeds markup that tries to run script or escape the
// sanitizer; nothing of it may survive.
func TestRenderHostile(t *testing.T) {
	vectors := []string{
		`<script>alert(1)</script>`,
		"<script>\nalert(1)\n\nstill()\n</script>",
		`<img src=x onerror=alert(1)>`,
		`<img src="https://x.org/a.png" onerror="alert(1)">`,
		`<a href="javascript:alert(1)">x</a>`,
		`[x](javascript:alert(1))`,
		`[x](JaVaScRiPt:alert(1))`,
		`[x](java&#x09;script:alert(1))`,
		`[x](&#106;avascript:alert(1))`,
		`<a href="&#106;avascript:alert(1)">x</a>`,
		`<a href=" javascript:alert(1)">x</a>`,
		`[x](vbscript:msgbox(1))`,
		`[x](data:text/html,<script>alert(1)</script>)`,
		`<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>`,
		`![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)`,
		`![x](javascript:alert(1))`,
		`<iframe srcdoc="<script>alert(1)</script>"></iframe>`,
		`<iframe src="https://evil.example"></iframe>`,
		`<object data="x.swf"></object><embed src="x.swf">`,
		`<form action="https://evil.example"><input type="submit" formaction="javascript:alert(1)"><button formaction="javascript:alert(1)">b</button></form>`,
		`<svg onload=alert(1)><circle/></svg>`,
		`<math><mi xlink:href="javascript:alert(1)">x</mi></math>`,
		`<div style="background:url(javascript:alert(1))">x</div>`,
		`<span style="color:red" onmouseover="alert(1)">x</span>`,
		`<input type="checkbox"> <input type="text" value="x"> <input type="checkbox" checked onclick="alert(1)">`,
		`<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`,
		`<base href="javascript:alert(1)//"><link rel="stylesheet" href="https://evil.example/x.css">`,
		`<details open ontoggle=alert(1)><summary>s</summary></details>`,
		`<a href="https://x.org" onclick="alert(1)" target="_self" rel="opener">x</a>`,
		`<textarea><script>alert(1)</script></textarea>`,
		`<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>`,
		`<!-- <script>alert(1)</script> -->`,
		`<scr<script>ipt>alert(1)</scr</script>ipt>`,
		`<style>body{background:url(javascript:alert(1))}</style>`,
		`<template><script>alert(1)</script></template>`,
		`<span title='"><script>alert(1)</script>'>x</span>`,
		`<span class="suggestion" data-suggestion="&quot;><script>alert(1)</script>">x</span>`,
		`<button class="submit" onclick="alert(1)" type="submit">b</button>`,
		`<a href="https://x.org" class="suggestion" data-suggestion-submit="javascript:alert(1)">x</a>`,
		"```\n</code></pre><script>alert(1)</script>\n```",
		"```\" onmouseover=\"alert(1)\nx\n```",
		"- [ ] <input type=\"checkbox\" onclick=\"alert(1)\">",
		`<code>S0123456789abcdef01234567c0</code>`,
		"<div>\n<script>\n\n</div>\n\nalert(1)\n\n</script>",
		`<a href="https://x.org"><img src="https://x.org/i.png" srcset="javascript:alert(1)" onload="alert(1)"></a>`,
		"<table><tr><td background=\"javascript:alert(1)\">x</td></tr></table>",
		"| a |\n|---|\n| <img src=x onerror=alert(1)> |",
	}
	r := New()
	secret := string(r.holeOpen[len("<code>"):])
	for _, v := range vectors {
		// Also inside code blocks and lists, where holes are made.
		for _, src := range []string{v, "```go\nx\n```\n" + v + "\n\n- [x] done", "- " + v} {
			got := r.RenderString(src)
			if err := checkSafe(got); err != nil {
				t.Errorf("Render(%q): %v\noutput: %s", src, err, got)
			}
			if strings.Contains(got, secret) {
				t.Errorf("Render(%q) leaks the hole secret", src)
			}
		}
	}
}

// TestRenderTrustedHolesNotForgeable checks that a placeholder written by
// the model, even one with the right shape, stays text.
func TestRenderTrustedHolesNotForgeable(t *testing.T) {
	r := New()
	other := New()
	// The other renderer's secret is as good a guess as any.
	forged := string(other.holeOpen) + "x</code>"
	got := r.RenderString(forged)
	if strings.Contains(got, "<input") {
		t.Fatalf("forged checkbox became markup: %s", got)
	}
}

func TestRenderDoesNotTouchSource(t *testing.T) {
	r := New()
	src := []byte("# T\n\n```go\nx := 1\n```\n\npara\n")
	buf := make([]byte, len(src), len(src)+64)
	copy(buf, src)
	for i := len(buf); i < cap(buf); i++ {
		buf = append(buf, 'Z')
	}
	buf = buf[:len(src)]
	r.Render(nil, buf)
	if !bytes.Equal(buf, src) || string(buf[:cap(buf)][len(src):]) != strings.Repeat("Z", 64) {
		t.Fatal("Render wrote into its input's spare capacity")
	}
}

func TestRenderAppends(t *testing.T) {
	r := New()
	dst := []byte("prefix:")
	got := r.Render(dst, []byte("*a*"))
	if string(got) != "prefix:<p><em>a</em></p>\n" {
		t.Fatalf("Render appended %q", got)
	}
}

func TestRenderNesting(t *testing.T) {
	r := New()
	tests := []struct {
		name string
		src  string
	}{
		{"quotes", strings.Repeat(">", 100_000) + " x"},
		{"lists", strings.Repeat("- ", 50_000) + "x"},
		{"ordered", strings.Repeat("1. ", 50_000) + "x"},
		{"indent", strings.Repeat(" ", 100_000) + "- x"},
		{"tabs", strings.Repeat("\t", 100_000) + "> x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.RenderString(tt.src)
			if d := strings.Count(got, "<blockquote>") + strings.Count(got, "<ul>") + strings.Count(got, "<ol>"); d > maxMarkers+1 {
				t.Fatalf("nesting depth %d past the limit", d)
			}
			if err := checkSafe(got); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestLimiterPieces(t *testing.T) {
	src := strings.Repeat("> ", 40) + "x\n" + strings.Repeat("-", 60) + "\n" + strings.Repeat(" ", 300) + "y\n1. 2. 3.\n"
	whole := string(limit([]byte(src)))
	for k := 0; k <= len(src); k++ {
		var l limiter
		got := l.apply(nil, []byte(src[:k]))
		got = l.apply(got, []byte(src[k:]))
		if string(got) != whole {
			t.Fatalf("split at %d: %q, want %q", k, got, whole)
		}
	}
	if strings.Count(whole, "\\") != 1 {
		t.Fatalf("want one escaped marker, got %q", whole)
	}
	if !strings.Contains(whole, strings.Repeat("-", 60)) {
		t.Fatal("a long thematic break was changed")
	}
}

func TestEscapeAndText(t *testing.T) {
	tests := []struct {
		in, escape, text string
	}{
		{"", "", ""},
		{`<b>"x" & 'y'</b>`, "&lt;b&gt;&#34;x&#34; &amp; &#39;y&#39;&lt;/b&gt;", "&lt;b&gt;&#34;x&#34; &amp; &#39;y&#39;&lt;/b&gt;"},
		{"a\nb\r\nc\rd", "a\nb\nc\nd", "a<br>\nb<br>\nc<br>\nd"},
		{"*not* markdown\n", "*not* markdown\n", "*not* markdown<br>\n"},
		{"bad\xffbyte\x00", "bad\uFFFDbyte\uFFFD", "bad\uFFFDbyte\uFFFD"},
	}
	for _, tt := range tests {
		if got := string(Escape(nil, []byte(tt.in))); got != tt.escape {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.escape)
		}
		if got := string(Text(nil, []byte(tt.in))); got != tt.text {
			t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.text)
		}
	}
}

func TestHighlightCSS(t *testing.T) {
	css, err := HighlightCSS("", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		".chroma {",
		".chroma .kd",
		"@media (prefers-color-scheme: dark) {\n:root:not([data-theme=\"light\"]) .chroma",
		`[data-theme="dark"] .chroma .kd`,
	} {
		if !strings.Contains(css, want) {
			t.Errorf("CSS lacks %q", want)
		}
	}
	if strings.Count(css, "{") != strings.Count(css, "}") {
		t.Error("unbalanced braces")
	}
	if _, err := HighlightCSS("no-such-theme", ""); err == nil {
		t.Error("unknown light theme accepted")
	}
	if _, err := HighlightCSS("", "no-such-theme"); err == nil {
		t.Error("unknown dark theme accepted")
	}
	if other, err := HighlightCSS("monokailight", "monokai"); err != nil || other == css {
		t.Errorf("other themes: %v", err)
	}
}

// TestRenderConcurrent renders from many goroutines at once (run with
// -race).
func TestRenderConcurrent(t *testing.T) {
	r := New()
	src := reply50k(t)[:8000]
	want := r.Render(nil, src)
	done := make(chan []byte)
	for range 4 {
		go func() { done <- r.Render(nil, src) }()
	}
	for range 4 {
		if got := <-done; !bytes.Equal(got, want) {
			t.Error("concurrent render differs")
		}
	}
}
