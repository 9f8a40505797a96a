// Package sheen is a reactive UI runtime for Go web apps, built for streaming
// LLM chat.
//
// An [App] serves a page built with the HTML builders of this package ([Page],
// [Sidebar], [TextInput], [Slider], [TextOutput], …) and runs a server
// function once for every page load, with that page's [Session]. The server
// function binds outputs to render functions ([Session.Output] with
// [RenderText], [RenderMarkdown], …) that read inputs ([Session.Input]); a
// Shiny-style reactive graph (package reactive) re-runs exactly what depends
// on each input the user changes, and the page is updated over one WebSocket
// with one frame per change.
//
//	page := sheen.Page("Hello",
//		sheen.TextInput("name", "Your name", ""),
//		sheen.TextOutput("greeting"))
//	app := sheen.New(page, func(s *sheen.Session) {
//		name := s.Input("name")
//		s.Output("greeting", sheen.RenderText(func() (string, error) {
//			return "Hello, " + name.Text() + "!", nil
//		}))
//	})
//	log.Fatal(app.ListenAndServe("127.0.0.1:8000"))
//
// The page reconnects by itself after a network blip and resumes its session
// without losing or repeating an update (docs/protocol.md). Errors in app code
// are logged (zap) and shown to the user sanitized; a panic never ends the
// server or the session.
//
// The chat component lives in package chat, built on this package.
package sheen
