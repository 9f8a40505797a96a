package browsertest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/performance"
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
// the profile removed, when the test ends. The options opts come after
// New's own, which they may override: chromedp.WindowSize(1100, 860) for
// another window than New's 1200×800, for instance.
func New(t testing.TB, opts ...chromedp.ExecAllocatorOption) *Browser {
	t.Helper()
	path := Chrome(t)
	all := append(chromedp.DefaultExecAllocatorOptions[:],
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
	all = append(all, opts...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), all...)
	ctx, cancelBrowser := chromedp.NewContext(actx)
	// LIFO: close the browser, then wait for the process and its profile.
	t.Cleanup(cancelAlloc)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(ctx); err != nil { // start the browser, with no deadline
		t.Fatalf("browsertest: starting %s: %v", path, err)
	}
	return &Browser{ctx: ctx}
}

// Tab is one browser tab. Its methods fail the test that opened it (or the
// one given to [Tab.For]) on an error.
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

// For returns the tab with its failures reported to t rather than to the
// test that opened it: for a subtest, or a benchmark, that works in a tab its
// parent opened. Both are the same tab: closing one closes the other.
func (tab *Tab) For(t testing.TB) *Tab {
	return &Tab{t: t, ctx: tab.ctx, cancel: tab.cancel}
}

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

// Check reports as an error of the test each JavaScript expression that is
// not truthy in the page now; one that throws is not. It returns whether all
// were. Unlike [Tab.Wait] it does not wait: it checks what must already
// hold.
func (tab *Tab) Check(exprs ...string) bool {
	tab.t.Helper()
	ok := true
	for _, x := range exprs {
		// The newline ends a // comment that x may end with.
		r := Eval[struct {
			OK    bool
			Threw string
		}](tab, `(() => { try { return {ok: !!(`+x+"\n"+`)}; } catch (e) { return {threw: String(e)}; } })()`)
		switch {
		case r.Threw != "":
			tab.t.Errorf("browsertest: not true: %s\n(it threw %s)", x, r.Threw)
		case !r.OK:
			tab.t.Errorf("browsertest: not true: %s", x)
		}
		ok = ok && r.OK
	}
	return ok
}

// WaitTimeout is [Tab.Wait] with a timeout of d, returning the error rather
// than failing the test. A page that loads again meanwhile (a reload the
// page does itself) is waited for: the condition is then polled in the new
// document.
func (tab *Tab) WaitTimeout(cond string, d time.Duration) error {
	ctx, cancel := context.WithTimeout(tab.ctx, d+time.Second)
	defer cancel()
	deadline := time.Now().Add(d)
	for {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil || !navigated(err) || time.Now().After(deadline) {
			return err
		}
	}
}

// navigated reports whether err says the document went away under a poll.
func navigated(err error) bool {
	s := err.Error()
	return strings.Contains(s, "navigated or closed") || strings.Contains(s, "Execution context was destroyed") ||
		strings.Contains(s, "Cannot find context")
}

// OnNewDocument makes the tab run the JavaScript scripts, in order, in
// every document it loads from now on, before the document's own scripts:
// to record what a page does, or to wrap a browser API such as WebSocket.
func (tab *Tab) OnNewDocument(scripts ...string) {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, Timeout)
	defer cancel()
	for _, src := range scripts {
		if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: src}); err != nil {
			tab.t.Fatalf("browsertest: adding a script: %v", err)
		}
	}
}

// framesRecorder keeps the page's WebSocket frames in window.__frames.
const framesRecorder = `(() => {
	window.__frames = [];
	const WS = window.WebSocket;
	let sockets = 0;
	const parse = (d) => { try { return JSON.parse(d); } catch { return d; } };
	window.WebSocket = class extends WS {
		constructor(...args) {
			super(...args);
			const socket = this.__socket = ++sockets;
			this.addEventListener("message", (e) => __frames.push({socket, dir: "in", frame: parse(e.data)}));
		}
		send(d) {
			__frames.push({socket: this.__socket, dir: "out", frame: parse(d)});
			super.send(d);
		}
	};
})()`

// RecordFrames makes the tab log, in every document it loads from now on,
// every WebSocket frame the page sends or receives, in order, in the
// page's array __frames, as {socket, dir, frame}: socket numbers the
// connections of the document from 1, dir is "out" or "in", and frame is
// the frame parsed as JSON (its text if it is not JSON). A received frame is
// logged before the page's own handlers see it.
//
// Call it before [Tab.OnNewDocument] for scripts that wrap WebSocket
// themselves, and they see the recording class as WebSocket.
func (tab *Tab) RecordFrames() {
	tab.t.Helper()
	tab.OnNewDocument(framesRecorder)
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

// Metrics returns Chromium's performance counters for the tab's page
// (DevTools' Performance.getMetrics) by name: among them TaskDuration (all
// the main thread's work), ScriptDuration, LayoutDuration and
// RecalcStyleDuration, cumulative, in seconds. Measure a span of work by
// the difference of two calls; the first call starts the counting.
func (tab *Tab) Metrics() map[string]float64 {
	tab.t.Helper()
	m := map[string]float64{}
	tab.Do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, performance.Enable, performance.EnableParams{}); err != nil {
			return err
		}
		res, err := cdp.Call(ctx, t, performance.GetMetrics, cdp.Empty{})
		if err != nil {
			return err
		}
		for _, x := range res.Metrics {
			m[x.Name] = x.Value
		}
		return nil
	}))
	return m
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

// settled resolves when the page's running animations of finite length
// (a card fading in, a banner sliding up) have ended.
const settled = `Promise.all(document.getAnimations()
	.filter((a) => a.playState === "running" && isFinite(a.effect?.getComputedTiming().endTime))
	.map((a) => a.finished.catch(() => {})))`

// SaveScreenshot saves a screenshot of the tab's viewport as dir/name.png,
// for a person to look at, once the page's finite animations have ended. It
// does nothing when dir is "" (tests pass os.Getenv("SHEEN_SCREENSHOTS")),
// and only logs it when dir cannot be created.
func (tab *Tab) SaveScreenshot(dir, name string) {
	tab.t.Helper()
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tab.t.Logf("browsertest: no screenshot %s: %v", name, err)
		return
	}
	tab.JS(settled)
	tab.Screenshot(filepath.Join(dir, name+".png"))
}
