package sheen_test

import (
	"fmt"

	"github.com/sheenhq/sheen"
)

// A scope's UI, built with local ids and rendered with ids of its own; a
// second scope holding the same UI would not collide with it.
func ExampleScope() {
	app := sheen.New(sheen.Page("scopes"), func(s *sheen.Session) {
		sc := s.NewScope()
		defer sc.Dispose() // when the UI leaves the page
		n := sc.Input("n")
		sc.Output("double", sheen.RenderText(func() (string, error) {
			return fmt.Sprint(2 * n.Int()), nil
		}))
		ui := sc.UI(sheen.Group(sheen.Slider("n", "N", 0, 10, 3), sheen.TextOutput("double")))
		_ = ui // placed in the page, e.g. inside a chat message (chat.LiveUI)
		fmt.Println(sc.ID("n"))
	})
	_ = app
}
