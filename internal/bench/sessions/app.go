package sessions

import (
	"fmt"
	"strings"

	"github.com/sheenhq/sheen"
)

// Page is the page of the app whose sessions are measured: two inputs and
// two outputs, one of them markdown, like examples/inputs.
func Page() *sheen.PageNode {
	return sheen.Page("sheen · sessions",
		sheen.Sidebar(
			sheen.Group(
				sheen.Slider("n", "How many", 1, 20, 5),
				sheen.TextInput("name", "Your name", ""),
			),
			sheen.Card("Summary", sheen.TextOutput("summary")),
			sheen.Card("As markdown", sheen.MarkdownOutput("table")),
		),
	)
}

// Server is the app's server function.
func Server(s *sheen.Session) {
	n, name := s.Input("n"), s.Input("name")
	s.Output("summary", sheen.RenderText(func() (string, error) {
		return fmt.Sprintf("Hello, %s: %s", name.Text(), strings.Repeat("●", n.Int())), nil
	}))
	s.Output("table", sheen.RenderMarkdown(func() (string, error) {
		return fmt.Sprintf("| setting | value |\n|---|---|\n| count | **%d** |\n| name | %s |\n", n.Int(), name.Text()), nil
	}))
}

// Hello is the hello frame a page of this app sends (the inputs' values).
func Hello(i int) []byte {
	return fmt.Appendf(nil, `{"type":"hello","v":1,"inputs":{"n":5,"name":"client %d"}}`, i)
}
