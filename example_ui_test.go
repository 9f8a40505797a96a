package sheen_test

import (
	"fmt"
	"os"

	"github.com/sheenhq/sheen"
)

// A page with a sidebar of inputs and a card showing an output. The app that
// serves the page supplies the asset URLs when it renders it.
func ExamplePage() {
	page := sheen.Page("Greeter",
		sheen.Sidebar(
			sheen.TextInput("name", "Your name", "", sheen.Placeholder("Ada")),
			sheen.Card("Greeting", sheen.TextOutput("greeting")),
		),
	).With(sheen.Theme("dark"))

	err := page.RenderPage(os.Stdout, sheen.PageAssets{
		Stylesheets: []string{"/_sheen/assets/v1/sheen.css"},
		Scripts:     []string{"/_sheen/assets/v1/sheen.js"},
		WebSocket:   "/_sheen/ws",
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// <!doctype html>
	// <html lang="en" data-theme="dark">
	// <head>
	// <meta charset="utf-8">
	// <meta name="viewport" content="width=device-width, initial-scale=1">
	// <title>Greeter</title>
	// <meta name="sheen-ws" content="/_sheen/ws">
	// <link rel="stylesheet" href="/_sheen/assets/v1/sheen.css">
	// <script type="module" src="/_sheen/assets/v1/sheen.js"></script>
	// </head>
	// <body><div class="sheen-page"><aside class="sheen-sidebar"><div class="sheen-field"><label data-sheen-label-for="name" for="name">Your name</label><input type="text" id="name" data-sheen-input="name" data-sheen-kind="text" value="" placeholder="Ada"></div></aside><main class="sheen-main"><section class="sheen-card"><h3 class="sheen-card-title">Greeting</h3><div class="sheen-output" data-sheen-output="greeting" data-sheen-kind="text"></div></section></main></div></body>
	// </html>
}

// Text is always escaped; only TrustedHTML is written as is.
func ExampleEl() {
	comment := `<img src=x onerror="alert(1)">`
	note := sheen.El("p", sheen.Class("note"),
		sheen.TrustedHTML("<b>Note:</b> "),
		sheen.Text(comment),
	)
	if err := note.Render(os.Stdout); err != nil {
		fmt.Println(err)
	}
	fmt.Println()

	// Unsafe URLs are refused when the element is rendered.
	link := sheen.El("a", sheen.Attr("href", "javascript:alert(1)"), sheen.Text("click"))
	fmt.Println(link.Render(os.Stdout))
	// Output:
	// <p class="note"><b>Note:</b> &lt;img src=x onerror=&#34;alert(1)&#34;&gt;</p>
	// sheen: <a>: attribute href: unsafe URL "javascript:alert(1)" (allowed: relative, http, https, mailto, tel, ws, wss)
}

func ExampleSelect() {
	models := []sheen.Choice{{Value: "s", Label: "Small"}, {Value: "l", Label: "Large"}}
	sel := sheen.Select("model", "Model", models, "l")
	if err := sel.Render(os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// <div class="sheen-field"><label data-sheen-label-for="model" for="model">Model</label><select id="model" data-sheen-input="model" data-sheen-kind="select"><option value="s">Small</option><option value="l" selected>Large</option></select></div>
}
