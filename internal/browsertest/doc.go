// Package browsertest runs end-to-end tests of sheen pages in headless
// Chromium (driven by github.com/chromedp/chromedp) against a real server on
// the loopback interface.
//
// [Chrome] finds the browser: $SHEEN_CHROME, else chromium, chromium-browser
// or google-chrome on $PATH. Without one, or with go test -short, a browser
// test is skipped, unless SHEEN_REQUIRE_BROWSER=1, which makes a missing
// browser a failure. [New] starts the browser, [Browser.Tab] opens a tab,
// [Serve] serves an http.Handler on 127.0.0.1 and [ServeApp] a sheen.App;
// all of them clean up after the test (browser process, temporary profile,
// sessions, goroutines), so tests may check for leaked goroutines with
// goleak.
//
// Tests wait on the page with [Tab.Wait] (a JavaScript condition polled in
// the page) rather than with sleeps, and assert what must already hold with
// [Tab.Check]. They act as a user does with [Press] (keys),
// [InsertText] (a paste) and [Tab.MouseClick]; [Tab.RecordFrames] logs the
// page's WebSocket frames for a test to read, and [Tab.SaveScreenshot]
// keeps pictures for a person to look at.
package browsertest
