package markdown_test

import (
	"fmt"
	"strings"

	"github.com/sheenhq/sheen/internal/markdown"
)

func ExampleRenderer_Render() {
	r := markdown.New()
	html := r.Render(nil, []byte("**Hello** [docs](https://example.com) <span onclick=\"x()\">!</span>"))
	fmt.Print(string(html))
	// Output:
	// <p><strong>Hello</strong> <a href="https://example.com" rel="noreferrer noopener" target="_blank">docs</a> <span>!</span></p>
}

func ExampleStream() {
	r := markdown.New()
	s := r.NewStream()
	var view markdown.View // what a client holds
	for _, chunk := range []string{"# Plan\n\nFirst", " step.\n\n- a", "\n- b"} {
		s.WriteString(chunk)
		if p, ok := s.Flush(); ok {
			_ = view.Apply(p.Answer) // a real server sends p to the client
			fmt.Printf("%d committed, tail %q\n", len(view.Blocks), view.Tail)
		}
	}
	_ = view.Apply(s.Finish().Answer)
	fmt.Println(view.HTML() == r.RenderString(s.Answer()))
	// Output:
	// 1 committed, tail "<p>First</p>\n"
	// 2 committed, tail "<ul>\n<li>a</li>\n</ul>\n"
	// 2 committed, tail "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"
	// true
}

func ExampleStream_thinking() {
	s := markdown.New().NewStream()
	s.WriteString("<thinking>\nThe user wants *one* word.\n</thinking>\nYes.")
	p := s.Finish()
	fmt.Printf("thinking: %q\nanswer: %q\nclosed: %v\n", p.Thinking.Blocks, p.Answer.Blocks, p.ThinkingClosed)
	// Output:
	// thinking: ["<p>The user wants <em>one</em> word.</p>\n"]
	// answer: ["<p>Yes.</p>\n"]
	// closed: true
}

func ExampleView_Apply() {
	var v markdown.View
	_ = v.Apply(markdown.Delta{Tail: "<p>Hel</p>\n"})
	// Keep the first 6 UTF-16 units of the tail ("<p>Hel") and add the rest.
	_ = v.Apply(markdown.Delta{Keep: 6, Tail: "lo</p>\n"})
	fmt.Printf("%q\n", v.Tail)
	// Output:
	// "<p>Hello</p>\n"
}

func ExampleHighlightCSS() {
	css, err := markdown.HighlightCSS("", "") // github and github-dark
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.Contains(css, `[data-theme="dark"] .chroma`))
	// Output:
	// true
}

func ExampleText() {
	fmt.Println(string(markdown.Text(nil, []byte("<b>not bold</b>\nsecond line"))))
	// Output:
	// &lt;b&gt;not bold&lt;/b&gt;<br>
	// second line
}
