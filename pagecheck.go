package sheen

import (
	"fmt"
	"net/http"

	"go.uber.org/zap"
)

// WithPageCheck adds a check the page request must pass, run after the
// user's identity is known (see [WithUsers]) and before the page is served.
// fn returns 0 or 200 to let the request through; any other status, such as
// 404 for the URL of a conversation that does not exist or belongs to
// someone else, is answered with a small page of that status ("Not found"
// and a link to start a new conversation) that says nothing about why.
// Checks run in the order they were added; the first refusal wins. A status
// outside 400–599 is a programming error: it is logged and answered with 500.
func WithPageCheck(fn func(r *http.Request, user string) int) Option {
	return func(c *config) { c.pageChecks = append(c.pageChecks, fn) }
}

// checkPage runs the page checks; false means the response has been written.
func (a *App) checkPage(w http.ResponseWriter, r *http.Request, user string) bool {
	for _, check := range a.cfg.pageChecks {
		code, err := runCheck(check, r, user)
		if err != nil {
			a.log.Error("sheen: page check failed", zap.Error(err))
			code = http.StatusInternalServerError
		}
		if code == 0 || code == http.StatusOK {
			continue
		}
		if code < 400 || code > 599 {
			a.log.Error("sheen: page check returned a status that is not an error", zap.Int("status", code))
			code = http.StatusInternalServerError
		}
		title, text := http.StatusText(code), "This page cannot be shown."
		switch code {
		case http.StatusNotFound, http.StatusGone:
			title, text = "Not found", "There is nothing at this address."
		case http.StatusInternalServerError:
			text = "Something went wrong on our side."
		}
		if title == "" {
			title = "Error"
		}
		a.statusPage(w, code, title, text, true)
		return false
	}
	return true
}

func runCheck(check func(*http.Request, string) int, r *http.Request, user string) (code int, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("sheen: page check panicked: %v", p)
		}
	}()
	return check(r, user), nil
}
