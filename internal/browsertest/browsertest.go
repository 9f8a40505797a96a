package browsertest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Timeout bounds each action of a [Tab] and each [Tab.Wait].
const Timeout = 20 * time.Second

// Chrome returns the Chromium binary to test with: $SHEEN_CHROME, else the
// first of chromium, chromium-browser and google-chrome found on $PATH. When
// there is none, the test is skipped, or fails if SHEEN_REQUIRE_BROWSER=1.
// With go test -short it skips the test too, unless SHEEN_REQUIRE_BROWSER=1.
func Chrome(t testing.TB) string {
	t.Helper()
	required := os.Getenv("SHEEN_REQUIRE_BROWSER") == "1"
	if testing.Short() && !required {
		t.Skip("browsertest: browser tests do not run with -short")
	}
	if p := os.Getenv("SHEEN_CHROME"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if required {
		t.Fatal("browsertest: no Chromium found (set SHEEN_CHROME) and SHEEN_REQUIRE_BROWSER=1")
	}
	t.Skip("browsertest: no Chromium found; set SHEEN_CHROME to run the browser tests")
	return ""
}

// Browser is a headless Chromium process.
type Browser struct {
	ctx context.Context // a chromedp context whose browser is running
}

// New starts headless Chromium with a temporary profile. It is stopped, and
// the profile removed, when the test ends.
func New(t testing.TB) *Browser {
	t.Helper()
	path := Chrome(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Flag("headless", "new"),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.WindowSize(1200, 800),
		// No user-data-dir flag: the allocator makes a temporary profile and
		// removes it when the browser exits.
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelBrowser := chromedp.NewContext(actx)
	// LIFO: close the browser, then wait for the process and its profile.
	t.Cleanup(cancelAlloc)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(ctx); err != nil { // start the browser, with no deadline
		t.Fatalf("browsertest: starting %s: %v", path, err)
	}
	return &Browser{ctx: ctx}
}

// Tab is one browser tab.
type Tab struct {
	t      testing.TB
	ctx    context.Context
	cancel context.CancelFunc
}

// Tab opens a new tab. It closes when the test ends or on [Tab.Close].
func (b *Browser) Tab(t testing.TB) *Tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	if err := chromedp.Do(ctx); err != nil { // open the tab, with no deadline
		cancel()
		t.Fatalf("browsertest: opening a tab: %v", err)
	}
	tab := &Tab{t: t, ctx: ctx, cancel: cancel}
	t.Cleanup(tab.Close)
	return tab
}

// Context returns the tab's chromedp context, for chromedp.Run and chromedp.Call.
func (tab *Tab) Context() context.Context { return tab.ctx }

// Close closes the tab. It is safe to call more than once.
func (tab *Tab) Close() { tab.cancel() }

// Do runs actions in the tab, failing the test on the first error.
func (tab *Tab) Do(actions ...chromedp.Action[chromedp.Void]) {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, Timeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tab.t.Fatalf("browsertest: %v", err)
	}
}

// Eval evaluates a JavaScript expression in the tab and returns its value
// decoded as T, failing the test on an error.
func Eval[T any](tab *Tab, expr string) T {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, Timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tab.t.Fatalf("browsertest: evaluating %s: %v", expr, err)
	}
	return v
}

// JS runs a JavaScript statement in the tab, ignoring its value.
func (tab *Tab) JS(expr string) {
	tab.t.Helper()
	Eval[chromedp.Void](tab, expr)
}

// Wait polls the JavaScript expression cond in the page until it is truthy.
// On a timeout the test fails with the page's state.
func (tab *Tab) Wait(cond string) {
	tab.t.Helper()
	if err := tab.WaitTimeout(cond, Timeout); err != nil {
		ctx, cancel := context.WithTimeout(tab.ctx, 5*time.Second)
		defer cancel()
		body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
		tab.t.Fatalf("browsertest: waiting for %s: %v\npage:\n%s", cond, err, body)
	}
}

// WaitTimeout is [Tab.Wait] with a timeout of d, returning the error rather
// than failing the test.
func (tab *Tab) WaitTimeout(cond string, d time.Duration) error {
	ctx, cancel := context.WithTimeout(tab.ctx, d+time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(d)))
	return err
}

// OnNewDocument makes the tab run the JavaScript src in every document it
// loads from now on, before the document's own scripts: to record what a
// page does, or to wrap a browser API such as WebSocket.
func (tab *Tab) OnNewDocument(src string) {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, Timeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: src}); err != nil {
		tab.t.Fatalf("browsertest: adding a script: %v", err)
	}
}

// SetOffline emulates a network drop through the DevTools protocol (true),
// or its end (false). While offline the tab sends and receives nothing:
// open WebSockets stay open but silent, as after a real network failure, and
// new connections fail. navigator.onLine follows, and the page gets its
// offline and online events.
func (tab *Tab) SetOffline(offline bool) {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, Timeout)
	defer cancel()
	_, err := chromedp.Call(ctx, network.Enable, network.EnableParams{})
	if err == nil {
		var rules []*network.Conditions
		if offline {
			rules = []*network.Conditions{{Offline: true}}
		}
		_, err = chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: rules})
	}
	if err == nil {
		_, err = chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{
			Offline: offline, DownloadThroughput: -1, UploadThroughput: -1})
	}
	if err != nil {
		tab.t.Fatalf("browsertest: emulating offline=%v: %v", offline, err)
	}
}

// Screenshot saves a PNG of the tab's viewport to path.
func (tab *Tab) Screenshot(path string) {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, Timeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err == nil {
		err = os.WriteFile(path, png, 0o644)
	}
	if err != nil {
		tab.t.Errorf("browsertest: screenshot %s: %v", path, err)
	}
}

// Server is an HTTP server on 127.0.0.1 for one test.
type Server struct {
	// URL is the server's base URL, "http://127.0.0.1:<port>", with no
	// trailing slash.
	URL  string
	srv  *http.Server
	done chan struct{}
}

// Serve serves h on a free port of 127.0.0.1 until [Server.Close] or the
// end of the test.
//
// Close does not wait for hijacked connections such as WebSockets: a test
// serving a sheen.App must call its Shutdown as well.
func Serve(t testing.TB, h http.Handler) *Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("browsertest: listen: %v", err)
	}
	s := &Server{
		URL:  "http://" + l.Addr().String(),
		srv:  &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second},
		done: make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("browsertest: serve: %v", err)
		}
	}()
	t.Cleanup(s.Close)
	return s
}

// Close stops the server: it stops listening, waits briefly for requests in
// progress, and closes every connection. It is safe to call more than once.
func (s *Server) Close() {
	// A browser keeps speculative connections open on which it never sends
	// a request; Shutdown would wait 5 s for those.
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		_ = s.srv.Close()
	}
	<-s.done
}
