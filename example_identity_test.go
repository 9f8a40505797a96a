package sheen_test

import (
	"errors"
	"net/http"

	"github.com/sheenhq/sheen"
)

// The app's own authentication names the user; requests without one get 401.
func ExampleWithUsers() {
	page := sheen.Page("Notes", sheen.TextOutput("who"))
	app := sheen.New(page, func(s *sheen.Session) {
		s.Output("who", sheen.RenderText(func() (string, error) { return "Signed in as " + s.User(), nil }))
	}, sheen.WithUsers(func(r *http.Request) (string, error) {
		user, _, ok := r.BasicAuth() // or a session cookie of the app's own
		if !ok {
			return "", errors.New("not signed in")
		}
		return user, nil
	}))
	_ = app // http.ListenAndServe(":8080", app)
}

// Inputs survive in a URL: the button saves them (and a value of the app's
// own) in a server-side store and puts ?_state_id_=… in the address bar.
func ExampleWithBookmarking() {
	page := sheen.Page("Plot",
		sheen.Slider("n", "Points", 10, 1000, 100),
		sheen.BookmarkButton("save", "Bookmark"),
		sheen.TextOutput("summary"),
	)
	app := sheen.New(page, func(s *sheen.Session) {
		n := s.Input("n")
		zoom := 1
		s.OnBookmark(func(b *sheen.BookmarkState) { _ = b.Set("zoom", zoom) })
		s.OnRestore(func(b *sheen.BookmarkState) { b.Get("zoom", &zoom) })
		s.Output("summary", sheen.RenderText(func() (string, error) { return string(n.Raw()) + " points", nil }))
	}, sheen.WithBookmarking(sheen.BookmarkDir("bookmarks")), sheen.WithCookieKeyFile("cookie.key"))
	_ = app
}
