package sheen_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"go.uber.org/zap/zaptest"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/internal/browsertest"
)

// bookmarkApp: a text input and a slider shown by one output, a bookmark
// button, and a user output; served on 127.0.0.1.
func bookmarkApp(t *testing.T, store sheen.BookmarkStore) (string, chan string) {
	t.Helper()
	users := make(chan string, 16)
	page := sheen.Page("bookmarks",
		sheen.TextInput("name", "Name", ""),
		sheen.Slider("n", "N", 0, 10, 1),
		sheen.BookmarkButton("bm", "Bookmark"),
		sheen.TextOutput("shown"),
		sheen.TextOutput("extra"),
	)
	app := sheen.New(page, func(s *sheen.Session) {
		users <- s.User()
		name, n := s.Input("name"), s.Input("n")
		extra := ""
		s.OnBookmark(func(b *sheen.BookmarkState) { _ = b.Set("extra", "kept") })
		s.OnRestore(func(b *sheen.BookmarkState) { b.Get("extra", &extra) })
		s.Output("shown", sheen.RenderText(func() (string, error) { return name.Text() + "/" + string(n.Raw()), nil }))
		s.Output("extra", sheen.RenderText(func() (string, error) { return "extra=" + extra, nil }))
	}, sheen.WithLogger(zaptest.NewLogger(t)), sheen.WithBookmarking(store))
	return browsertest.ServeApp(t, app).URL, users
}

// TestBrowserBookmark: set inputs, bookmark, open the bookmarked URL in a
// new tab: the inputs and the output come back, in both kinds of store.
func TestBrowserBookmark(t *testing.T) {
	b := browsertest.New(t)
	for _, tc := range []struct {
		name  string
		store sheen.BookmarkStore
		param string
	}{
		{"url", nil, "_inputs_.name="},
		{"dir", sheen.BookmarkDir(t.TempDir()), "_state_id_="},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, _ := bookmarkApp(t, tc.store)
			p := b.Tab(t)
			p.Do(chromedp.Navigate(url + "/?c=conv1"))
			p.Wait(`document.querySelector('[data-sheen-output=shown]').textContent === "/1"`)
			p.Do(chromedp.Focus(chromedp.ID("name")), browsertest.InsertText("Ada"), chromedp.KeyEvent(kb.Enter),
				chromedp.SetValue(chromedp.ID("n"), "7"))
			p.JS(`document.getElementById("n").dispatchEvent(new Event("change", {bubbles: true}))`)
			p.Wait(`document.querySelector('[data-sheen-output=shown]').textContent === "Ada/7"`)
			p.Do(chromedp.Click(chromedp.ID("bm")))
			p.Wait(`location.search.includes(` + "`" + tc.param + "`" + `)`)
			href := browsertest.Eval[string](p, `location.href`)
			if !strings.Contains(href, "?c=conv1&") {
				t.Errorf("the bookmark URL %s lost c=", href)
			}

			q := b.Tab(t)
			q.Do(chromedp.Navigate(href))
			q.Wait(`document.querySelector('[data-sheen-output=shown]').textContent === "Ada/7"`)
			q.Wait(`document.querySelector('[data-sheen-output=extra]').textContent === "extra=kept"`)
			q.Wait(`document.getElementById("name").value === "Ada" && document.getElementById("n").value === "7"`)
		})
	}
}

// TestBrowserUserCookie: the user cookie is HttpOnly (the page's script
// cannot read it) and the user id survives a reload.
func TestBrowserUserCookie(t *testing.T) {
	b := browsertest.New(t)
	url, users := bookmarkApp(t, nil)
	p := b.Tab(t)
	p.Do(chromedp.Navigate(url + "/"))
	first := <-users
	p.Wait(`document.documentElement.dataset.sheenState === "open"`)
	if c := browsertest.Eval[string](p, `document.cookie`); strings.Contains(c, sheen.UserCookie) {
		t.Errorf("document.cookie shows the user cookie: %q", c)
	}
	p.Do(chromedp.Reload())
	if again := <-users; again != first || first == "" {
		t.Errorf("user %q after a reload, was %q", again, first)
	}
}
