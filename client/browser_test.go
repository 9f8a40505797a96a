package client_test

import (
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"os"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coder/websocket"

	"github.com/sheenhq/sheen/client"
	"github.com/sheenhq/sheen/internal/browsertest"
	"github.com/sheenhq/sheen/protocol"
)

// The browser test drives the real runtime in headless Chromium against a
// small scripted server speaking the real protocol. It finds Chromium as
// internal/browsertest does (and is skipped without one, unless
// SHEEN_REQUIRE_BROWSER=1). With SHEEN_SCREENSHOTS=dir it also saves light
// and dark screenshots.

const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="sheen-ws" content="ws">
<title>sheen test</title>
<link rel="stylesheet" href="assets/sheen.css">
<script type="module" src="assets/sheen.js"></script>
<script type="module" src="comp.js"></script>
</head><body>
<div class="sheen-page">
 <aside class="sheen-sidebar">
  <h2>Settings</h2>
  <div class="sheen-field"><label data-sheen-label-for="name" for="fullname">Name</label>
   <input id="fullname" data-sheen-input="name" data-sheen-kind="text" value="Ada"></div>
  <div class="sheen-field"><label data-sheen-label-for="bio" for="bio">Bio</label>
   <textarea id="bio" data-sheen-input="bio" data-sheen-kind="textarea"></textarea></div>
  <div class="sheen-field"><label data-sheen-label-for="count" for="count">Count</label>
   <input id="count" type="number" data-sheen-input="count" data-sheen-kind="number" value="3"></div>
  <div class="sheen-field"><label data-sheen-label-for="temp" for="temp">Temperature</label>
   <input id="temp" type="range" min="0" max="1" step="0.1" value="0.5" data-sheen-input="temp" data-sheen-kind="slider"></div>
  <div class="sheen-field"><label data-sheen-label-for="fruit" for="fruit">Fruit</label>
   <select id="fruit" data-sheen-input="fruit" data-sheen-kind="select"><option>apple</option><option>pear</option></select></div>
  <label><input type="checkbox" data-sheen-input="agree" data-sheen-kind="checkbox"> I agree</label>
  <div class="sheen-field"><span data-sheen-label-for="size">Size</span>
   <div data-sheen-input="size" data-sheen-kind="radio">
    <label class="sheen-choice"><input type="radio" name="size" value="s"> Small</label>
    <label class="sheen-choice"><input type="radio" name="size" value="m" checked> Medium</label>
   </div></div>
  <button data-sheen-input="go" data-sheen-kind="button">Go</button>
 </aside>
 <main class="sheen-main">
  <h1>Dashboard</h1>
  <div class="sheen-row">
   <div class="sheen-card"><h3>Greeting</h3><div data-sheen-output="greeting" data-sheen-kind="text"></div></div>
   <div class="sheen-card"><h3>Summary</h3><div data-sheen-output="summary" data-sheen-kind="html"></div></div>
  </div>
  <div class="sheen-row">
   <div class="sheen-card"><h3>Plot</h3><div data-sheen-output="plot" data-sheen-kind="html"></div></div>
   <div class="sheen-card"><h3>Table</h3><div data-sheen-output="table" data-sheen-kind="html"><p>Rows: 42</p></div></div>
  </div>
  <div class="sheen-card"><div id="c1" data-sheen-component="echo"></div><div data-sheen-output="holder" data-sheen-kind="html"></div></div>
 </main>
</div>
</body></html>`

const comp = `import { registerComponent } from "/assets/sheen.js";
registerComponent("echo", {
  mount(el, api) { el.dataset.mounts = String(Number(el.dataset.mounts || 0) + 1); api.send("ready", { id: el.id }); },
  message(el, name, data) { el.append(name + ":" + JSON.stringify(data) + ";"); },
});`

// pageConn is what the scripted servers of these tests share: the page's
// WebSocket and the numbering of the frames on it.
type pageConn struct {
	tb testing.TB
	wg sync.WaitGroup // the connections' handlers

	mu   sync.Mutex
	conn *websocket.Conn // the page's, nil when it has none
	seq  uint64          // the last update's
	ack  uint64          // the last client message's applied
}

// serveConn accepts a WebSocket, reads the page's hello and runs session
// with both; then it closes the connection.
func (s *pageConn) serveConn(w http.ResponseWriter, r *http.Request, session func(ctx context.Context, c *websocket.Conn, hello protocol.Hello)) {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	s.wg.Add(1)
	defer s.wg.Done()
	defer c.CloseNow()
	ctx := r.Context()
	m, ok := s.read(ctx, c)
	if !ok {
		return
	}
	hello, ok := m.(protocol.Hello)
	if !ok {
		s.tb.Errorf("the first frame is a %T, not a hello", m)
		return
	}
	session(ctx, c, hello)
}

// read returns the page's next message, or false when the connection
// ended or the frame is not a client message (which it reports).
func (s *pageConn) read(ctx context.Context, c *websocket.Conn) (protocol.ClientMessage, bool) {
	_, data, err := c.Read(ctx)
	if err != nil {
		return nil, false
	}
	m, err := protocol.DecodeClient(data)
	if err != nil {
		s.tb.Errorf("bad frame %s: %v", data, err)
		return nil, false
	}
	return m, true
}

// write writes m to c.
func (s *pageConn) write(c *websocket.Conn, m protocol.ServerMessage) {
	b, err := m.MarshalJSON()
	if err != nil {
		s.tb.Error(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = c.Write(ctx, websocket.MessageText, b)
}

// drop drops the page's connection abruptly.
func (s *pageConn) drop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil {
		s.conn.CloseNow()
		s.conn = nil
	}
}

// fakeServer is a scripted sheen server: one session, a replay buffer of
// every update, exactly-once application of client messages by n.
type fakeServer struct {
	pageConn
	frames  chan protocol.ClientMessage // hello, input and event frames applied, in order
	refuse  atomic.Bool                 // answer 503 to connection attempts
	expire  atomic.Bool                 // answer resumes with expired
	updates []protocol.Update           // for replay; guarded by mu
}

func (s *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.refuse.Load() {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	s.serveConn(w, r, s.session)
}

func (s *fakeServer) session(ctx context.Context, c *websocket.Conn, hello protocol.Hello) {
	s.frames <- hello
	s.mu.Lock()
	if hello.Resume != nil && s.expire.Load() {
		s.mu.Unlock()
		s.write(c, protocol.Expired{Seq: s.seq, Message: "Your session has expired."})
		return
	}
	resumed := hello.Resume != nil
	s.write(c, protocol.Welcome{V: protocol.Version, Seq: s.seq, Session: "s1", Token: "tok",
		Resumed: resumed, Ack: s.ack, Heartbeat: 60000, Grace: 60000})
	if resumed {
		for _, u := range s.updates {
			if u.Seq > hello.Resume.Seq {
				s.write(c, u)
			}
		}
	}
	s.conn = c
	s.mu.Unlock()
	if !resumed {
		s.send(protocol.Update{Outputs: map[string]protocol.Output{"greeting": protocol.TextOutput("Hello, Ada!")}})
	}
	for {
		m, ok := s.read(ctx, c)
		if !ok {
			return
		}
		var n uint64
		switch m := m.(type) {
		case protocol.Input:
			n = m.N
		case protocol.Event:
			n = m.N
		case protocol.Ping:
			s.write(c, protocol.Pong{Seq: s.seq})
			continue
		}
		s.mu.Lock()
		dup := n <= s.ack
		if !dup {
			s.ack = n
		}
		s.mu.Unlock()
		if dup {
			continue
		}
		s.frames <- m
		// The app: the greeting follows the name.
		if in, ok := m.(protocol.Input); ok && in.Values["name"] != nil {
			var name string
			_ = json.Unmarshal(in.Values["name"], &name)
			s.send(protocol.Update{Outputs: map[string]protocol.Output{"greeting": protocol.TextOutput("Hello, " + name + "!")}})
		}
	}
}

// send numbers an update, keeps it for replay and writes it if connected.
func (s *fakeServer) send(u protocol.Update) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	u.Seq, u.Ack = s.seq, s.ack
	s.updates = append(s.updates, u)
	if s.conn != nil {
		s.write(s.conn, u)
	}
}

// next returns the next applied client frame.
func (s *fakeServer) next(t *testing.T) protocol.ClientMessage {
	t.Helper()
	select {
	case m := <-s.frames:
		return m
	case <-time.After(15 * time.Second):
		t.Fatal("timed out waiting for a client frame")
		return nil
	}
}

// nextInput skips frames until an Input, and returns its values as JSON.
func (s *fakeServer) nextInput(t *testing.T) string {
	t.Helper()
	for {
		if in, ok := s.next(t).(protocol.Input); ok {
			b, _ := json.Marshal(in.Values)
			return string(b)
		}
	}
}

// servePage serves, on 127.0.0.1 until the test ends, the HTML page at /,
// the client's files under /assets/, ws at /ws and the files (by path, with
// the content type of their extension).
func servePage(tb testing.TB, page string, ws http.Handler, files map[string]string) *browsertest.Server {
	tb.Helper()
	mux := http.NewServeMux()
	mux.Handle("/assets/", http.StripPrefix("/assets/", http.FileServerFS(client.FS)))
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, page) })
	for name, body := range files {
		mux.HandleFunc(name, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", mime.TypeByExtension(path.Ext(name)))
			fmt.Fprint(w, body)
		})
	}
	mux.Handle("/ws", ws)
	return browsertest.Serve(tb, mux)
}

// js is an action that runs a JavaScript statement in the page.
func js(expr string) chromedp.Action[chromedp.Void] { return chromedp.Evaluate[chromedp.Void](expr) }

// click is an action that clicks the element that the CSS selector sel
// matches.
func click(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }

func TestBrowser(t *testing.T) {
	srv := &fakeServer{pageConn: pageConn{tb: t}, frames: make(chan protocol.ClientMessage, 100)}
	hs := servePage(t, page, srv, map[string]string{"/comp.js": comp})
	t.Cleanup(func() { // after the browser has closed
		srv.drop()
		hs.Close()
		srv.wg.Wait()
	})
	tab := browsertest.New(t, chromedp.WindowSize(1200, 820)).Tab(t)
	screenshots := os.Getenv("SHEEN_SCREENSHOTS")

	tab.Do(chromedp.Navigate(hs.URL + "/"))

	// The hello carries every input's value with the right JSON type.
	hello := srv.next(t).(protocol.Hello)
	got, _ := json.Marshal(hello.Inputs)
	if want := `{"agree":false,"bio":"","count":3,"fruit":"apple","go":0,"name":"Ada","size":"m","temp":0.5}`; string(got) != want {
		t.Errorf("hello inputs\n got %s\nwant %s", got, want)
	}
	tab.Wait(`document.documentElement.dataset.sheenState === "open" && document.getElementById("sheen-status").hidden`)
	tab.Wait(`document.querySelector('[data-sheen-output=greeting]').textContent === "Hello, Ada!"`)
	// The echo component mounted at start and said so.
	if ev, ok := srv.next(t).(protocol.Event); !ok || ev.Target != "c1" || ev.Name != "ready" {
		t.Fatalf("want the ready event of c1, got %#v", ev)
	}

	t.Run("inputs", func(t *testing.T) {
		tab := tab.For(t)
		tab.Do(js(`fullname.focus(); fullname.setSelectionRange(3, 3)`), chromedp.KeyEvent(" L"))
		for v := srv.nextInput(t); v != `{"name":"Ada L"}`; v = srv.nextInput(t) {
			if !strings.HasPrefix(v, `{"name":"Ada`) {
				t.Fatalf("unexpected input %s", v)
			}
		}
		tab.Wait(`document.querySelector('[data-sheen-output=greeting]').textContent === "Hello, Ada L!"`)
		tests := []struct {
			do   chromedp.Action[chromedp.Void]
			want string
		}{
			{click(`[data-sheen-input=agree]`), `{"agree":true}`},
			{click(`input[value=s]`), `{"size":"s"}`},
			{chromedp.SetValue(chromedp.CSS(`#fruit`), "pear"), ""}, // SetValue fires no event …
			{js(`fruit.dispatchEvent(new Event("change", {bubbles: true}))`), `{"fruit":"pear"}`},
			{click(`[data-sheen-input=go]`), `{"go":1}`},
			{click(`[data-sheen-input=go]`), `{"go":2}`},
			{js(`count.value = ""; count.dispatchEvent(new Event("change", {bubbles: true}))`), `{"count":null}`},
			{js(`temp.value = "0.9"; temp.dispatchEvent(new Event("change", {bubbles: true}))`), `{"temp":0.9}`},
			{js(`bio.value = "a\nb"; bio.dispatchEvent(new Event("input", {bubbles: true})); bio.blur()`), `{"bio":"a\nb"}`},
		}
		for _, tt := range tests {
			tab.Do(tt.do)
			if tt.want == "" {
				continue
			}
			if v := srv.nextInput(t); v != tt.want {
				t.Errorf("got %s, want %s", v, tt.want)
			}
		}
	})

	t.Run("update", func(t *testing.T) {
		tab := tab.For(t)
		srv.send(protocol.Update{
			Outputs: map[string]protocol.Output{
				"summary": protocol.HTMLOutput("<p>Mean: <strong>4.2</strong></p>"),
				"plot":    protocol.ErrorOutput("temperature must be below 1"),
				"table":   protocol.BusyOutput(true),
			},
			Inputs: map[string]protocol.InputUpdate{
				"fruit": {Choices: []protocol.Choice{{Value: "kiwi", Label: "Kiwi"}, {Value: "mango", Label: "Mango"}},
					Value: json.RawMessage(`"mango"`)},
				"name":  {Label: new("Full name")},
				"bio":   {Placeholder: new("Tell us about you")},
				"size":  {Choices: []protocol.Choice{{Value: "l", Label: "Large"}, {Value: "xl", Label: "Extra large"}}, Value: json.RawMessage(`"xl"`)},
				"agree": {Value: json.RawMessage(`false`)},
			},
			Notices: []protocol.Notice{
				{ID: "saved", Level: protocol.LevelInfo, Message: "Saved.", Duration: 0},
				{ID: "quota", Level: protocol.LevelWarning, Message: "80% of the quota is used.", Duration: 0},
			},
			Busy: new(true),
		})
		tab.Wait(`document.querySelector('[data-sheen-output=summary] strong')?.textContent === "4.2"`)
		checks := []string{
			`document.querySelector('[data-sheen-output=plot]').classList.contains("sheen-output-error")`,
			`document.querySelector('[data-sheen-output=plot]').textContent === "temperature must be below 1"`,
			`document.querySelector('[data-sheen-output=table]').getAttribute("aria-busy") === "true"`,
			`document.querySelector('[data-sheen-output=table]').classList.contains("sheen-busy")`,
			`[...fruit.options].map(o => o.value + "/" + o.textContent).join() === "kiwi/Kiwi,mango/Mango" && fruit.value === "mango"`,
			`document.querySelector('[data-sheen-label-for=name]').textContent === "Full name"`,
			`bio.placeholder === "Tell us about you"`,
			`document.querySelector('[data-sheen-input=size] input:checked').value === "xl"`,
			`document.querySelectorAll('[data-sheen-input=size] input[name=size]').length === 2`,
			`!document.querySelector('[data-sheen-input=agree]').checked`,
			`document.querySelectorAll('.sheen-notices .sheen-notice').length === 2`,
			`document.querySelector('.sheen-notice-info').textContent.includes("Saved.")`,
			`document.documentElement.classList.contains("sheen-session-busy")`,
		}
		for _, c := range checks {
			tab.Wait(c)
		}
		// No echo: the next input frame is the click, not the values the server set.
		tab.Do(click(`[data-sheen-input=go]`))
		if v := srv.nextInput(t); v != `{"go":3}` {
			t.Errorf("after a server update the next input is %s, want only the click", v)
		}
		for _, theme := range []string{"light", "dark"} {
			tab.Do(js(`document.documentElement.dataset.theme = "` + theme + `"`))
			tab.SaveScreenshot(screenshots, "sheen-"+theme)
		}
		tab.Do(js(`delete document.documentElement.dataset.theme`))
		tab.Do(click(`.sheen-notice-info .sheen-notice-close`))
		tab.Wait(`document.querySelectorAll('.sheen-notice').length === 1`)
		srv.send(protocol.Update{Outputs: map[string]protocol.Output{"table": protocol.HTMLOutput("<p>Rows: 43</p>")}, Busy: new(false)})
		tab.Wait(`!document.querySelector('[data-sheen-output=table]').hasAttribute("aria-busy") && !document.documentElement.classList.contains("sheen-session-busy")`)
	})

	t.Run("components", func(t *testing.T) {
		tab := tab.For(t)
		// Messages for c2 arrive before c2 exists; they wait for it.
		srv.send(protocol.Update{Messages: []protocol.Message{
			{Target: "c1", Name: "hello", Data: json.RawMessage(`1`)},
			{Target: "c2", Name: "early", Data: json.RawMessage(`{"a":1}`)},
		}})
		tab.Wait(`c1.textContent === "hello:1;"`)
		srv.send(protocol.Update{
			Outputs:  map[string]protocol.Output{"holder": protocol.HTMLOutput(`<div id="c2" data-sheen-component="echo"></div>`)},
			Messages: []protocol.Message{{Target: "c2", Name: "late"}},
		})
		tab.Wait(`window.c2?.textContent === 'early:{"a":1};late:undefined;'`)
		if ev, ok := srv.next(t).(protocol.Event); !ok || ev.Target != "c2" || ev.Name != "ready" {
			t.Errorf("want the ready event of c2, got %#v", ev)
		}
		// Moving a component does not remount it.
		tab.Do(js(`document.querySelector('.sheen-main').append(c1)`))
		srv.send(protocol.Update{Messages: []protocol.Message{{Target: "c1", Name: "moved"}}})
		tab.Wait(`c1.textContent.endsWith("moved:undefined;") && c1.dataset.mounts === "1"`)
	})

	t.Run("reconnect", func(t *testing.T) {
		tab := tab.For(t)
		srv.refuse.Store(true)
		srv.drop()
		tab.Wait(`document.documentElement.dataset.sheenState === "reconnecting" && !document.getElementById("sheen-status").hidden && document.getElementById("sheen-status").textContent === "Reconnecting…"`)
		// While down: the server moves on, and the page changes an input twice.
		srv.send(protocol.Update{Outputs: map[string]protocol.Output{"summary": protocol.TextOutput("missed while down")}})
		// Two tasks, so the second change coalesces in the outbox, not in a batch.
		tab.Do(js(`fullname.value = "Grace"; fullname.dispatchEvent(new Event("change", {bubbles: true}))`))
		tab.Do(js(`fullname.value = "Grace H"; fullname.dispatchEvent(new Event("change", {bubbles: true}))`))
		srv.refuse.Store(false)
		hello := srv.next(t).(protocol.Hello)
		if hello.Resume == nil || hello.Resume.Session != "s1" || hello.Resume.Token != "tok" {
			t.Fatalf("hello after a drop: %+v", hello)
		}
		if v := srv.nextInput(t); v != `{"name":"Grace H"}` {
			t.Errorf("after the resume got %s, want the latest name once", v)
		}
		tab.Wait(`document.querySelector('[data-sheen-output=summary]').textContent === "missed while down"`)
		tab.Wait(`document.querySelector('[data-sheen-output=greeting]').textContent === "Hello, Grace H!"`)
		tab.Wait(`document.documentElement.dataset.sheenState === "open" && document.getElementById("sheen-status").hidden`)
		tab.Do(click(`[data-sheen-input=go]`))
		if v := srv.nextInput(t); v != `{"go":4}` {
			t.Errorf("got %s, want the click (the name exactly once)", v)
		}
	})

	t.Run("expired", func(t *testing.T) {
		tab := tab.For(t)
		srv.expire.Store(true)
		srv.drop()
		tab.Wait(`document.documentElement.dataset.sheenState === "expired"`)
		tab.Wait(`document.getElementById("sheen-status").textContent.includes("expired") && document.querySelector("#sheen-status button")?.textContent === "Reload"`)
		tab.SaveScreenshot(screenshots, "sheen-expired")
	})
}
