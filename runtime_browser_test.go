package sheen_test

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/internal/browsertest"
)

// The real page in headless Chromium against the real App. Each test starts
// one browser; each case opens its own tab on its own App.
// SHEEN_SCREENSHOTS=dir saves screenshots of the connection states there.

// recorder runs in every document before sheen.js. It logs, on the page,
// __shown: every value an output element was given, as [id, text], in order
// (a MutationObserver sees each textContent assignment, even one that
// repeats the previous text): what the page applied, and how often. The
// page's WebSocket frames are in __frames (browsertest's Tab.RecordFrames).
const recorder = `(() => {
	window.__shown = [];
	new MutationObserver((records) => {
		for (const r of records) {
			const el = r.target;
			if (el.nodeType === 1 && el.dataset.sheenOutput && r.addedNodes.length)
				__shown.push([el.dataset.sheenOutput, [...r.addedNodes].map((n) => n.textContent).join("")]);
		}
	}).observe(document, {childList: true, subtree: true});
})()`

// page is the test app open in a tab.
type page struct {
	*browsertest.Tab
	t testing.TB
}

func (r *rig) open(t testing.TB, b *browsertest.Browser, scripts ...string) *page {
	t.Helper()
	p := &page{Tab: b.Tab(t), t: t}
	p.RecordFrames()
	p.OnNewDocument(recorder)
	p.OnNewDocument(scripts...)
	p.Do(chromedp.Navigate(r.url + "/"))
	return p
}

// state waits for the page's connection state (html[data-sheen-state]).
func (p *page) state(state string) {
	p.t.Helper()
	p.Wait(`document.documentElement.dataset.sheenState === ` + strconv.Quote(state))
}

// output waits until output id shows text.
func (p *page) output(id, text string) {
	p.t.Helper()
	p.Wait(fmt.Sprintf(`document.querySelector('[data-sheen-output=%s]')?.textContent === %s`, id, strconv.Quote(text)))
}

// shown returns every text output id was given, in order.
func (p *page) shown(id string) []string {
	p.t.Helper()
	var out []string
	for _, rec := range browsertest.Eval[[][2]string](p.Tab, `__shown`) {
		if rec[0] == id {
			out = append(out, rec[1])
		}
	}
	return out
}

// frames returns the frames of direction dir ("in" or "out") and the given
// type, as JSON, each prefixed with its socket number.
func (p *page) frames(dir, typ string) []string {
	p.t.Helper()
	return browsertest.Eval[[]string](p.Tab, fmt.Sprintf(
		`__frames.filter(f => f.dir === %q && f.frame.type === %q).map(f => f.socket + " " + JSON.stringify(f.frame))`, dir, typ))
}

// typeName enters text at the end of the name box in one input event (as a
// paste or an input method does) and presses Enter, which sends the change
// at once. Typing key by key would send a change whenever the keys were
// 250 ms apart, which a loaded machine can make happen anywhere;
// examples/inputs tests typing.
func (p *page) typeName(text string) {
	p.t.Helper()
	p.Do(
		chromedp.Focus(chromedp.ID("name")),
		chromedp.Evaluate[chromedp.Void](`(el => el.setSelectionRange(el.value.length, el.value.length))(document.getElementById("name"))`),
		browsertest.InsertText(text),
		chromedp.KeyEvent(kb.Enter),
	)
}

func (p *page) screenshot(name string) {
	p.t.Helper()
	p.SaveScreenshot(os.Getenv("SHEEN_SCREENSHOTS"), name)
}

// statusShown waits until the status banner has faded in (it appears only
// after 0.4 s, so quick reconnects do not flash).
const statusShown = `(() => { const s = document.getElementById("sheen-status");
	return s && !s.hidden && getComputedStyle(s).opacity === "1"; })()`

func counts(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, "count="+strconv.Itoa(i))
	}
	return out
}

// TestBrowserTwoTabs: two tabs are two sessions; what happens in one never
// shows in the other.
func TestBrowserTwoTabs(t *testing.T) {
	b := browsertest.New(t)
	r := newRig(t)
	p1 := r.open(t, b)
	s1 := r.session()
	p1.state("open")
	p2 := r.open(t, b)
	s2 := r.session()
	p2.state("open")
	if s1.ID() == s2.ID() {
		t.Fatal("two tabs share a session")
	}

	p1.typeName("alpha")
	p2.typeName("beta")
	s1.counter.Set(100)
	s2.counter.Set(200)
	p1.Do(chromedp.Click(chromedp.ID("go")), chromedp.Click(chromedp.ID("go")))
	p1.output("echo", "name=alpha")
	p1.output("count", "count=100")
	p1.output("clicks", "clicks=2")
	p2.output("echo", "name=beta")
	p2.output("count", "count=200")
	// A last change in tab 2, after everything in tab 1 was shown: had
	// anything of tab 1 leaked into tab 2, it would be in tab 2's log by now.
	p2.typeName("!")
	p2.output("echo", "name=beta!")

	for _, tc := range []struct {
		p    *page
		id   string
		want []string // every text the output showed, in order
	}{
		{p1, "echo", []string{"name=", "name=alpha"}},
		{p1, "count", []string{"count=0", "count=100"}},
		{p1, "clicks", []string{"clicks=0", "clicks=1", "clicks=2"}},
		{p2, "echo", []string{"name=", "name=beta", "name=beta!"}},
		{p2, "count", []string{"count=0", "count=200"}},
		{p2, "clicks", []string{"clicks=0"}},
	} {
		if got := tc.p.shown(tc.id); !slices.Equal(got, tc.want) {
			t.Errorf("tab %d showed %s %q, want %q", map[*page]int{p1: 1, p2: 2}[tc.p], tc.id, got, tc.want)
		}
	}
	if got, want := r.appliedBy(s1.ID()), []string{`input {"name":"alpha"}`, `input {"go":1}`, `input {"go":2}`}; !slices.Equal(got, want) {
		t.Errorf("session 1 applied %q, want %q", got, want)
	}
	if got, want := r.appliedBy(s2.ID()), []string{`input {"name":"beta"}`, `input {"name":"beta!"}`}; !slices.Equal(got, want) {
		t.Errorf("session 2 applied %q, want %q", got, want)
	}
}

// TestBrowserResume cuts the connection in the middle of a session, three
// ways. While it is down the server keeps producing updates and the user
// keeps typing; after the page resumes, every update has been applied
// exactly once, in order, and the input change reached the server exactly
// once.
func TestBrowserResume(t *testing.T) {
	b := browsertest.New(t)
	cases := []struct {
		name    string
		cut     func(t *testing.T, p *page, s *testSession)
		restore func(p *page)
	}{
		{"closed by the server", func(t *testing.T, p *page, s *testSession) {
			if !sheen.CloseConn(s.Session, false) {
				t.Fatal("no connection to close")
			}
		}, func(*page) {}},
		{"dropped by the server", func(t *testing.T, p *page, s *testSession) {
			if !sheen.CloseConn(s.Session, true) {
				t.Fatal("no connection to close")
			}
		}, func(*page) {}},
		// The page sees nothing more and the socket stays open: no close, no
		// error. The page notices by its heartbeat; updates the server writes
		// meanwhile are lost on the way and must be replayed.
		{"network drop (DevTools offline)", func(t *testing.T, p *page, s *testSession) { p.SetOffline(true) },
			func(p *page) { p.SetOffline(false) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, sheen.WithHeartbeat(500*time.Millisecond)) // 0.5 s: a dead connection is noticed in 1.25 s
			p := r.open(t, b)
			s := r.session()
			p.output("count", "count=0")
			p.typeName("a")
			p.output("echo", "name=a")

			r.refuse.Store(true) // reconnecting fails until the test allows it
			tc.cut(t, p, s)
			// The server goes on at once. After a network drop it has not
			// noticed yet (that takes 2.5 heartbeats): it writes these updates
			// to a connection that never delivers them.
			for i := 1; i <= 5; i++ {
				s.counter.Set(i)
			}
			p.state("reconnecting")
			p.Wait(statusShown)
			if strings.HasPrefix(tc.name, "dropped") {
				p.screenshot("runtime-reconnecting")
			}
			p.typeName("b") // queued while down …
			for i := 6; i <= 10; i++ {
				s.counter.Set(i)
			}
			p.typeName("c") // … and merged with the change before
			p.output("echo", "name=a")

			tc.restore(p)
			r.refuse.Store(false)
			p.JS(`dispatchEvent(new Event("online"))`) // retry now rather than after the backoff
			p.state("open")
			p.output("count", "count=10")
			p.output("echo", "name=abc")
			p.Wait(`document.getElementById("sheen-status").hidden`)

			// Every update was applied once, in order.
			if got, want := p.shown("count"), counts(0, 10); !slices.Equal(got, want) {
				t.Errorf("the page showed %q, want %q", got, want)
			}
			if got, want := p.shown("echo"), []string{"name=", "name=a", "name=abc"}; !slices.Equal(got, want) {
				t.Errorf("the page showed %q, want %q", got, want)
			}
			// The change made while down reached the server once.
			if got, want := r.appliedBy(s.ID()), []string{`input {"name":"a"}`, `input {"name":"abc"}`}; !slices.Equal(got, want) {
				t.Errorf("the server applied %q, want %q", got, want)
			}
			// It was a resume of the same session, not a new one.
			hellos := p.frames("out", "hello")
			last := hellos[len(hellos)-1]
			if !strings.Contains(last, `"resume":{"session":"`+s.ID()+`"`) {
				t.Errorf("the last hello %s is not a resume of %s", last, s.ID())
			}
			welcomes := p.frames("in", "welcome")
			if w := welcomes[len(welcomes)-1]; !strings.Contains(w, `"resumed":true`) {
				t.Errorf("the last welcome %s is not a resume", w)
			}
			// The updates made while down came on the new connection, replayed
			// after the welcome: even where the server had written them to
			// the dead one.
			replayed := browsertest.Eval[[]string](p.Tab, `(() => {
				const w = __frames.findLast(f => f.dir === "in" && f.frame.type === "welcome");
				return __frames.filter(f => f.socket === w.socket && f.frame.type === "update" && f.frame.outputs?.count)
					.map(f => f.frame.outputs.count.text);
			})()`)
			if want := counts(1, 10); !slices.Equal(replayed, want) {
				t.Errorf("updates on the resumed connection %q, want %q", replayed, want)
			}
			r.noNewSession()
			if n := r.app.Sessions(); n != 1 {
				t.Errorf("%d sessions, want 1", n)
			}

			// And the session goes on.
			p.Do(chromedp.Click(chromedp.ID("go")))
			p.output("clicks", "clicks=1")
			s.counter.Set(11)
			p.output("count", "count=11")
		})
	}
}

// TestBrowserExpired: when the session is gone, a resuming page shows "Your
// session has expired." with a Reload button, which starts a new, working
// session.
func TestBrowserExpired(t *testing.T) {
	b := browsertest.New(t)
	cases := []struct {
		name string
		opts []sheen.Option
		end  func(r *rig, s *testSession)
	}{
		{"grace period over", []sheen.Option{sheen.WithGrace(time.Millisecond)}, func(r *rig, s *testSession) {
			r.refuse.Store(true) // the page cannot come back in time
			sheen.CloseConn(s.Session, true)
			waitClosed(r.t, s.ended, "the session to end")
			r.refuse.Store(false)
		}},
		{"ended by the app", nil, func(r *rig, s *testSession) { s.Close() }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, tc.opts...)
			p := r.open(t, b)
			s := r.session()
			p.typeName("before")
			p.output("echo", "name=before")

			tc.end(r, s)
			waitClosed(t, s.ended, "the session to end")
			p.JS(`dispatchEvent(new Event("online"))`)
			p.state("expired")
			p.Wait(`document.getElementById("sheen-status").textContent.startsWith("Your session has expired.")`)
			p.Wait(`document.querySelector("#sheen-status button")?.textContent === "Reload"`)
			p.Wait(statusShown)
			if tc.name == "grace period over" {
				p.screenshot("runtime-expired")
			}
			// Expired is final: the page stops reconnecting.
			if got := p.frames("in", "expired"); len(got) != 1 {
				t.Errorf("expired frames %q, want one", got)
			}

			p.Do(chromedp.Click(chromedp.CSS("#sheen-status button")))
			s2 := r.session()
			if s2.ID() == s.ID() {
				t.Fatal("Reload resumed the expired session")
			}
			p.state("open")
			p.Wait(`document.getElementById("sheen-status").hidden`)
			// The new session starts from what the page shows (a browser may
			// restore the typed text over a reload), and it works.
			v := browsertest.Eval[string](p.Tab, `document.getElementById("name").value`)
			p.output("echo", "name="+v)
			p.typeName("!")
			p.output("echo", "name="+v+"!")
			if got := r.appliedBy(s2.ID()); !slices.Equal(got, []string{`input {"name":` + strconv.Quote(v+"!") + `}`}) {
				t.Errorf("the new session applied %q", got)
			}
		})
	}
}

// TestBrowserVersionMismatch: the real page meets a server of another
// protocol version. A script rewrites the page's hello to claim version 2,
// which the real server refuses with a fatal version error; the page says
// it is out of date, offers Reload, and does not reconnect.
func TestBrowserVersionMismatch(t *testing.T) {
	b := browsertest.New(t)
	r := newRig(t)
	p := r.open(t, b, `(() => {
		const send = WebSocket.prototype.send;
		WebSocket.prototype.send = function (d) {
			const m = JSON.parse(d);
			if (m.type === "hello") m.v = 2;
			return send.call(this, JSON.stringify(m));
		};
	})()`)
	p.state("failed")
	p.Wait(`document.getElementById("sheen-status").textContent.startsWith("This page is out of date. Reload it to continue.")`)
	p.Wait(`document.querySelector("#sheen-status button")?.textContent === "Reload"`)
	p.Wait(statusShown)
	p.screenshot("runtime-version")
	if got := p.frames("in", "error"); len(got) != 1 || !strings.Contains(got[0], `"code":"version"`) || !strings.Contains(got[0], `"fatal":true`) {
		t.Errorf("error frames %q, want one fatal version error", got)
	}
	if got := p.frames("out", "hello"); len(got) != 1 {
		t.Errorf("hellos %q: the page must not reconnect after a fatal error", got)
	}
	if n := r.app.Sessions(); n != 0 {
		t.Errorf("%d sessions, want 0", n)
	}
}
