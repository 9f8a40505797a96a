// Command inputs is a small reactive page: a slider, a select and a text box
// drive computed text and markdown outputs.
//
//	go run ./examples/inputs
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/reactive"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8001", "address to serve on")
	flag.Parse()
	app := sheen.New(Page(), Server)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = app.Shutdown(shutdown)
	}()
	if err := app.ListenAndServe(*addr); err != nil && ctx.Err() == nil {
		log.Fatal(err)
	}
}

// Page is the example's page.
func Page() *sheen.PageNode {
	return sheen.Page("sheen · inputs",
		sheen.Sidebar(
			sheen.Group(
				sheen.Heading(2, "Controls"),
				sheen.Slider("n", "How many", 1, 20, 5),
				sheen.Select("shape", "Shape", sheen.Choices("circle", "square", "star"), "circle"),
				sheen.TextInput("name", "Your name", "", sheen.Placeholder("type here")),
			),
			sheen.Card("Summary", sheen.TextOutput("summary")),
			sheen.Card("As markdown", sheen.MarkdownOutput("table")),
		),
	)
}

var symbols = map[string]string{"circle": "●", "square": "■", "star": "★"}

// Server is the example's server function.
func Server(s *sheen.Session) {
	n, shape, name := s.Input("n"), s.Input("shape"), s.Input("name")
	g := s.Graph()
	// A calc shared by both outputs: it runs once per change.
	row := reactive.NewCalc(g, func() (string, error) {
		return strings.Repeat(symbols[shape.Text()], n.Int()), nil
	})
	s.Output("summary", sheen.RenderText(func() (string, error) {
		who := strings.TrimSpace(name.Text())
		if who == "" {
			who = "stranger"
		}
		r, err := row.Get()
		return fmt.Sprintf("Hello, %s: %d × %s  %s", who, n.Int(), shape.Text(), r), err
	}))
	s.Output("table", sheen.RenderMarkdown(func() (string, error) {
		r, err := row.Get()
		return fmt.Sprintf("| setting | value |\n|---|---|\n| count | **%d** |\n| shape | `%s` |\n| name | %s |\n\n%s\n", n.Int(), shape.Text(), name.Text(), r), err
	}))
}
