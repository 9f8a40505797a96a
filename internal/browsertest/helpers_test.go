package browsertest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/coder/websocket"

	"github.com/sheenhq/sheen/internal/browsertest"
)

// fakeTB records what a helper reports instead of failing the real test.
// Fatalf ends the goroutine, as testing's does: run code that may call it
// with run.
type fakeTB struct {
	testing.TB
	mu       sync.Mutex
	errors   []string
	logs     []string
	cleanups []func()
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	runtime.Goexit()
}

func (f *fakeTB) Logf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logs = append(f.logs, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }

// cleanup runs the cleanups registered so far, last first, as testing does.
func (f *fakeTB) cleanup() {
	for len(f.cleanups) > 0 {
		fn := f.cleanups[len(f.cleanups)-1]
		f.cleanups = f.cleanups[:len(f.cleanups)-1]
		fn()
	}
}

// run runs fn in its own goroutine, as a test runs, and returns when it
// has returned or called Fatalf.
func (f *fakeTB) run(fn func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	<-done
}

func (f *fakeTB) reported() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.errors)
}

// open serves the HTML page at / and opens it in a new tab of b.
func open(t *testing.T, b *browsertest.Browser, page string) *browsertest.Tab {
	t.Helper()
	srv := browsertest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, page)
	}))
	tab := b.Tab(t)
	tab.Do(chromedp.Navigate(srv.URL + "/"))
	return tab
}

const inputPage = `<!doctype html><title>input</title>
<textarea id=ta></textarea>
<p><button id=b1>one</button></p>
<p style="margin-top: 3000px"><button id=b2>two</button></p>
<script>
window.log = [];
const mods = (e) => (e.ctrlKey ? "+ctrl" : "") + (e.shiftKey ? "+shift" : "") + (e.altKey ? "+alt" : "") + (e.metaKey ? "+meta" : "");
ta.addEventListener("keydown", (e) => { log.push("keydown " + e.key + mods(e)); if (e.key === "x") e.preventDefault(); });
ta.addEventListener("input", (e) => log.push("input " + e.inputType));
for (const b of [b1, b2]) b.addEventListener("click", (e) => log.push("click " + b.id + mods(e)));
</script>`

func TestInput(t *testing.T) {
	tab := open(t, browsertest.New(t), inputPage)
	tests := []struct {
		name  string
		do    chromedp.Action[chromedp.Void]
		value string
		log   []string
	}{
		{"keys type their text", browsertest.Press("ab"), "ab",
			[]string{"keydown a", "input insertText", "keydown b", "input insertText"}},
		{"Enter", browsertest.Press(kb.Enter), "\n",
			[]string{"keydown Enter", "input insertLineBreak"}},
		{"Shift types", browsertest.Press(kb.Enter, chromedp.ModifierShift), "\n",
			[]string{"keydown Enter+shift", "input insertLineBreak"}},
		{"Ctrl types nothing", browsertest.Press("a", chromedp.ModifierCtrl), "",
			[]string{"keydown a+ctrl"}},
		{"Alt and Meta type nothing", browsertest.Press("a", chromedp.ModifierAlt, chromedp.ModifierMeta), "",
			[]string{"keydown a+alt+meta"}},
		// What Press is for: chromedp.KeyEvent would type the x.
		{"a prevented keydown types nothing", browsertest.Press("xa"), "a",
			[]string{"keydown x", "keydown a", "input insertText"}},
		{"InsertText", browsertest.InsertText("héllo wörld"), "héllo wörld",
			[]string{"input insertText"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := tab.For(t)
			tab.JS(`ta.value = ""; ta.focus(); log = []`)
			tab.Do(tt.do)
			if got := browsertest.Eval[string](tab, `ta.value`); got != tt.value {
				t.Errorf("value %q, want %q", got, tt.value)
			}
			if got := browsertest.Eval[[]string](tab, `log`); !slices.Equal(got, tt.log) {
				t.Errorf("events %q, want %q", got, tt.log)
			}
		})
	}
}

func TestMouseClick(t *testing.T) {
	tab := open(t, browsertest.New(t), inputPage)
	tests := []struct {
		name, el string
		mods     []chromedp.Modifier
		want     string // the click the page saw, "" for none
	}{
		{"by id", `b1`, nil, "click b1"},
		{"out of view, with Ctrl", `document.getElementById("b2")`, []chromedp.Modifier{chromedp.ModifierCtrl}, "click b2+ctrl"},
		{"found by its text", `[...document.querySelectorAll("button")].find((b) => b.textContent === "one") // a comment`, nil, "click b1"},
		{"none", `document.getElementById("none")`, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab.For(t).JS(`log = []`)
			f := &fakeTB{TB: t}
			f.run(func() { tab.For(f).MouseClick(tt.el, tt.mods...) })
			got := browsertest.Eval[[]string](tab.For(t), `log`)
			errs := f.reported()
			switch {
			case tt.want == "" && (len(got) > 0 || len(errs) != 1 || !strings.Contains(errs[0], "no element")):
				t.Errorf("clicked %q, reported %q; want no click and a failure", got, errs)
			case tt.want != "" && (!slices.Equal(got, []string{tt.want}) || len(errs) > 0):
				t.Errorf("clicked %q, reported %q; want %q", got, errs, tt.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	tab := open(t, browsertest.New(t), `<!doctype html><title>check</title>`)
	tests := []struct {
		name  string
		exprs []string
		ok    bool
		errs  []string // what each error says, in order
	}{
		{"none", nil, true, nil},
		{"true", []string{`1 + 1 === 2`, `document.title === "check"`}, true, nil},
		{"truthy", []string{`document.title`, `document.body`}, true, nil},
		{"a comment", []string{`true // it is`}, true, nil},
		{"false", []string{`true`, `1 === 2`, `""`}, false, []string{"not true: 1 === 2", `not true: ""`}},
		{"throws", []string{`nothing.here`}, false, []string{"not true: nothing.here\n(it threw ReferenceError"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeTB{TB: t}
			var ok bool
			f.run(func() { ok = tab.For(f).Check(tt.exprs...) })
			errs := f.reported()
			if ok != tt.ok || len(errs) != len(tt.errs) {
				t.Fatalf("Check = %v, reported %q; want %v and %d errors", ok, errs, tt.ok, len(tt.errs))
			}
			for i, e := range errs {
				if !strings.Contains(e, tt.errs[i]) {
					t.Errorf("error %q, want it to say %q", e, tt.errs[i])
				}
			}
		})
	}
}

func TestRecordFrames(t *testing.T) {
	var handlers sync.WaitGroup
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		// Two connections: the second opens when the first has echoed both
		// of its frames.
		fmt.Fprint(w, `<!doctype html><title>ws</title><script>
		window.seen = [];
		const connect = (first, then) => {
			const ws = new WebSocket("ws://" + location.host + "/ws");
			ws.onopen = () => ws.send(first);
			ws.onmessage = (e) => { seen.push(__frames.length); then(ws, e.data); };
		};
		connect(JSON.stringify({type: "hello", n: 1}), (ws, d) => {
			if (d.startsWith("{")) ws.send("plain text");
			else connect("2", () => { window.done = true; });
		});
		</script>`)
	})
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		handlers.Add(1)
		defer handlers.Done()
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		for { // echo until the page goes
			typ, data, err := c.Read(context.Background())
			if err != nil || c.Write(context.Background(), typ, data) != nil {
				return
			}
		}
	})
	srv := browsertest.Serve(t, mux)
	tab := browsertest.New(t).Tab(t)
	tab.RecordFrames()
	tab.Do(chromedp.Navigate(srv.URL + "/"))
	tab.Wait(`window.done`)
	got := browsertest.Eval[[]string](tab, `__frames.map((f) => f.socket + " " + f.dir + " " + JSON.stringify(f.frame))`)
	want := []string{
		`1 out {"type":"hello","n":1}`,
		`1 in {"type":"hello","n":1}`,
		`1 out "plain text"`,
		`1 in "plain text"`,
		`2 out 2`,
		`2 in 2`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("frames\n got %q\nwant %q", got, want)
	}
	// Each frame was logged before the page's handler saw it.
	if got := browsertest.Eval[[]int](tab, `seen`); !slices.Equal(got, []int{2, 4, 6}) {
		t.Errorf("frames logged when the page's handler ran: %v, want [2 4 6]", got)
	}
	tab.Close() // the connections end, and with them the handlers
	handlers.Wait()
}

func TestMetrics(t *testing.T) {
	tab := open(t, browsertest.New(t), `<!doctype html><title>metrics</title>`)
	before := tab.Metrics()
	// Work of the page's own (a timer's), not of DevTools' evaluation.
	tab.JS(`new Promise((done) => setTimeout(() => { const t = performance.now(); while (performance.now() - t < 50) {} done(); }))`)
	after := tab.Metrics()
	for _, name := range []string{"TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration"} {
		if _, ok := after[name]; !ok {
			t.Errorf("no metric %s in %v", name, after)
		}
	}
	if after["ScriptDuration"] <= before["ScriptDuration"] || after["TaskDuration"] <= before["TaskDuration"] {
		t.Errorf("script ran, but the counters did not grow: before %v, after %v", before, after)
	}
}

func TestSaveScreenshot(t *testing.T) {
	// A finite animation, which the screenshot waits for, and an endless
	// one, which it must not.
	tab := open(t, browsertest.New(t), `<!doctype html><title>shot</title><style>
		@keyframes in { from { opacity: 0 } to { opacity: 1 } }
		@keyframes spin { to { rotate: 1turn } }
		</style><p id=fade>fading in</p><p style="animation: spin 1s infinite">spinning</p>`)
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		dir  string
		logs int // the screenshot could not be saved, and said so
	}{
		{"no directory: nothing", "", 0},
		{"a new directory", filepath.Join(t.TempDir(), "new", "dir"), 0},
		{"a directory that cannot be", filepath.Join(file, "dir"), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab.For(t).JS(`fade.style.animation = "none"; fade.offsetWidth; fade.style.animation = "in 500ms"`)
			f := &fakeTB{TB: t}
			f.run(func() { tab.For(f).SaveScreenshot(tt.dir, "shot") })
			if errs := f.reported(); len(errs) > 0 || len(f.logs) != tt.logs {
				t.Fatalf("errors %q, logs %q; want %d logs", errs, f.logs, tt.logs)
			}
			if tt.dir == "" || tt.logs > 0 {
				return
			}
			png, err := os.ReadFile(filepath.Join(tt.dir, "shot.png"))
			if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
				t.Errorf("screenshot: %v, %d bytes", err, len(png))
			}
			if got := browsertest.Eval[string](tab.For(t), `fade.getAnimations()[0]?.playState ?? "none"`); got != "finished" && got != "none" {
				t.Errorf("the screenshot was taken with the fade %s", got)
			}
		})
	}
}

// app is a browsertest.App that records its shutdown.
type app struct {
	http.Handler
	url       string
	err       error // what Shutdown returns
	shutdowns int
	serving   bool // the server still answered during Shutdown
}

func (a *app) Shutdown(ctx context.Context) error {
	a.shutdowns++
	if resp, err := http.Get(a.url); err == nil {
		resp.Body.Close()
		a.serving = true
	}
	return a.err
}

func TestServeApp(t *testing.T) {
	tests := []struct {
		name string
		err  error
	}{
		{"shut down", nil},
		{"shutdown fails", errors.New("sessions stuck")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &app{Handler: http.NotFoundHandler(), err: tt.err}
			f := &fakeTB{TB: t}
			t.Cleanup(f.cleanup) // if the test fails early
			a.url = browsertest.ServeApp(f, a).URL
			if a.shutdowns != 0 {
				t.Fatal("the app was shut down before the test ended")
			}
			f.cleanup()
			http.DefaultClient.CloseIdleConnections()
			if a.shutdowns != 1 || !a.serving {
				t.Errorf("%d shutdowns, serving during shutdown: %v; want 1, true", a.shutdowns, a.serving)
			}
			if _, err := http.Get(a.url); err == nil {
				t.Error("the server still answers after the test")
			}
			errs := f.reported()
			if tt.err == nil && len(errs) > 0 || tt.err != nil && (len(errs) != 1 || !strings.Contains(errs[0], tt.err.Error())) {
				t.Errorf("reported %q, want the error of Shutdown (%v)", errs, tt.err)
			}
		})
	}
}
