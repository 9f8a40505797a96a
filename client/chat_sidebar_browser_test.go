package client_test

import (
	"context"
	"encoding/json"
	"os"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/browsertest"
)

// TestChatSidebarBrowser drives the chat's history sidebar in headless
// Chromium against a real sheen.App whose server function plays the server
// half of the history messages itself: it answers ready, open and more with
// history and conversation messages, and hands every event to the test.
// Screenshots go to /tmp/sidebar-*.png (or $SHEEN_SCREENSHOTS).

// sidebarEvent is an event the page sent to the chat.
type sidebarEvent struct {
	name string
	data json.RawMessage
}

// sidebarApp is the scripted server: a few conversations in two pages.
type sidebarApp struct {
	events chan sidebarEvent
	mu     sync.Mutex
	s      *sheen.Session
	titles map[string]string
	page1  []obj
	page2  []obj
}

const hostileTitle = `<img src=x onerror="window.__pwned=1">Plans`

func newSidebarApp(now time.Time) *sidebarApp {
	day := func(back, hour int) int64 {
		y, m, d := now.Date()
		return time.Date(y, m, d-back, hour, 0, 0, 0, time.Local).UnixMilli()
	}
	a := &sidebarApp{events: make(chan sidebarEvent, 64), titles: map[string]string{}}
	item := func(id, title string, updated int64) obj {
		a.titles[id] = title
		return obj{"id": id, "title": title, "updated": updated}
	}
	a.page1 = []obj{
		item("c1", "Trip to Lisbon", now.UnixMilli()),
		item("c2", hostileTitle, now.UnixMilli()-1),
		item("c3", "Quarterly report draft with a very long title that cannot fit in the sidebar", day(1, 12)),
		item("c4", "Sourdough starter", day(3, 9)),
		item("c5", "Go generics", day(30, 9)),
	}
	a.page2 = []obj{
		item("c6", "Birthday ideas", day(40, 9)),
		item("c7", "Reading list", day(90, 9)),
	}
	return a
}

// serve is the server function.
func (a *sidebarApp) serve(s *sheen.Session) {
	a.mu.Lock()
	a.s = s
	a.mu.Unlock()
	send := func(name string, data any) {
		if err := s.Send("chat", name, data); err != nil {
			panic(err)
		}
	}
	s.OnEvent("chat", func(name string, data json.RawMessage) {
		var d struct {
			C   string `json:"c"`
			ID  string `json:"id"`
			Nav bool   `json:"nav"`
		}
		_ = json.Unmarshal(data, &d)
		switch name {
		case "ready":
			send("history", obj{"items": a.page1, "more": true, "append": false, "current": d.C})
			send("conversation", obj{"id": d.C, "title": a.titles[d.C], "push": false})
		case "open":
			send("conversation", obj{"id": d.ID, "title": a.titles[d.ID], "push": !d.Nav})
		case "more":
			send("history", obj{"items": a.page2, "more": false, "append": true, "current": "c2"})
		}
		a.events <- sidebarEvent{name, data}
	})
}

// send sends a chat message from outside the session's turns.
func (a *sidebarApp) send(t *testing.T, name string, data any) {
	t.Helper()
	a.mu.Lock()
	s := a.s
	a.mu.Unlock()
	if err := s.Send("chat", name, data); err != nil {
		t.Fatal(err)
	}
}

// expect takes the next event and checks its name and data (as JSON).
func (a *sidebarApp) expect(t *testing.T, name, data string) {
	t.Helper()
	var ev sidebarEvent
	select {
	case ev = <-a.events:
	case <-time.After(browsertest.Timeout):
		t.Fatalf("timed out waiting for the event %s %s", name, data)
	}
	var got, want any
	if err := json.Unmarshal(ev.data, &got); err != nil {
		t.Fatalf("event data %s: %v", ev.data, err)
	}
	if err := json.Unmarshal([]byte(data), &want); err != nil {
		t.Fatal(err)
	}
	if ev.name != name || !reflect.DeepEqual(got, want) {
		t.Fatalf("got the event %s %s, want %s %s", ev.name, ev.data, name, data)
	}
}

// none checks that no event came.
func (a *sidebarApp) none(t *testing.T) {
	t.Helper()
	select {
	case ev := <-a.events:
		t.Fatalf("unexpected event %s %s", ev.name, ev.data)
	default:
	}
}

// sidebarHelpers are the shorthands the test's JavaScript uses.
const sidebarHelpers = `(() => {
	window.__pwned = 0;
	window.side = () => document.querySelector("#chat .sheen-chat-side");
	window.conv = (id) => document.querySelector('#chat .sheen-chat-conv[data-id="' + id + '"]');
	window.titles = () => [...document.querySelectorAll("#chat .sheen-chat-conv-title")].map((t) => t.textContent);
	window.ids = () => [...document.querySelectorAll("#chat .sheen-chat-conv")].map((li) => li.dataset.id);
	window.labels = () => [...document.querySelectorAll("#chat .sheen-chat-group-label")].map((h) => h.textContent);
	window.currentId = () => document.querySelector('#chat .sheen-chat-conv [aria-current="page"]')?.closest("li").dataset.id ?? "";
	window.cParam = () => new URL(location.href).searchParams.get("c") ?? "";
	window.focused = () => document.activeElement;
	window.menuShown = () => !document.querySelector("#chat .sheen-chat-menu").hidden;
	window.dialogOpen = () => document.querySelector("#chat .sheen-chat-dialog").open;
	window.strip = () => document.querySelector("#chat .sheen-chat-storage");
	window.toggle = () => document.querySelector("#chat .sheen-chat-side-toggle");
})()`

func TestChatSidebarBrowser(t *testing.T) {
	a := newSidebarApp(time.Now())
	page := sheen.Page("Sidebar test", sheen.El("div", sheen.Class("sheen-page"), sheen.El("main", sheen.Class("sheen-main"),
		chat.UI("chat", chat.WithHistory(chat.NewHistory(nil)), chat.Fill(), chat.Footer("<p>Answers can be wrong.</p>")))))
	app := sheen.New(page, a.serve, sheen.WithLogger(zap.NewNop()))
	srv := browsertest.ServeApp(t, app)
	tab := browsertest.New(t).Tab(t)
	tab.OnNewDocument(sidebarHelpers)
	tab.Do(chromedp.Navigate(srv.URL + "/?x=1&c=c2#frag"))

	a.expect(t, "ready", `{"c":"c2"}`)
	tab.Wait(`ids().length === 5 && currentId() === "c2"`)
	shotDir := os.Getenv("SHEEN_SCREENSHOTS")
	if shotDir == "" {
		shotDir = os.TempDir()
	}
	shot := func(name string) {
		t.Helper()
		tab.JS(`document.getAnimations().forEach((x) => x.finish())`)
		png, err := chromedp.Run(tab.Context(), chromedp.FullScreenshot(100))
		if err == nil {
			err = os.WriteFile(shotDir+"/sidebar-"+name+".png", png, 0o644)
		}
		if err != nil {
			t.Errorf("screenshot %s: %v", name, err)
		}
	}
	colours := func(scheme string) {
		t.Helper()
		tab.Do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
			})
			return err
		}))
	}

	t.Run("list", func(t *testing.T) {
		tab := tab.For(t)
		tab.Check(
			`JSON.stringify(ids()) === '["c1","c2","c3","c4","c5"]'`,
			`JSON.stringify(labels()) === '["Today","Yesterday","Previous 7 days","Older"]'`,
			`titles()[1] === `+strconv.Quote(hostileTitle),
			`!side().querySelector("img")`,
			`window.__pwned === 0`,
			`conv("c2").classList.contains("sheen-chat-conv-current")`,
			`document.querySelectorAll('#chat [aria-current="page"]').length === 1`,
			`document.title === `+strconv.Quote(hostileTitle+" – Sidebar test"),
			`location.search === "?x=1&c=c2" && location.hash === "#frag"`,
			`getComputedStyle(side()).display === "flex" && side().getBoundingClientRect().width > 200`,
			`toggle().getAttribute("aria-expanded") === "true"`,
		)
	})

	t.Run("open and back", func(t *testing.T) {
		tab := tab.For(t)
		n := browsertest.Eval[int](tab, `history.length`)
		tab.MouseClick(`conv("c3").querySelector(".sheen-chat-conv-open")`)
		a.expect(t, "open", `{"id":"c3","nav":false}`)
		tab.Wait(`currentId() === "c3" && cParam() === "c3"`)
		tab.Check(
			`history.length === `+strconv.Itoa(n+1),
			`location.search === "?x=1&c=c3" && location.hash === "#frag"`,
			`document.title.startsWith("Quarterly report draft")`,
		)
		tab.JS(`history.back()`)
		a.expect(t, "open", `{"id":"c2","nav":true}`)
		tab.Wait(`currentId() === "c2"`)
		tab.Check(`cParam() === "c2"`, `history.length === `+strconv.Itoa(n+1))
		// New chat: "" and the c parameter goes.
		tab.MouseClick(`document.querySelector("#chat .sheen-chat-new")`)
		a.expect(t, "open", `{"id":"","nav":false}`)
		tab.Wait(`cParam() === "" && currentId() === ""`)
		tab.Check(`location.search === "?x=1"`, `document.title === "Sidebar test"`, `focused().classList.contains("sheen-chat-input")`)
		tab.JS(`history.back()`)
		a.expect(t, "open", `{"id":"c2","nav":true}`)
		tab.Wait(`currentId() === "c2"`)
	})

	t.Run("rename with the keyboard", func(t *testing.T) {
		tab := tab.For(t)
		tab.JS(`conv("c4").querySelector(".sheen-chat-conv-more").focus()`)
		tab.Do(browsertest.Press(kb.Enter))
		tab.Wait(`menuShown() && focused().textContent === "Rename"`)
		tab.Check(`conv("c4").querySelector(".sheen-chat-conv-more").getAttribute("aria-expanded") === "true"`)
		// Escape closes the menu and gives the focus back.
		tab.Do(browsertest.Press(kb.Escape))
		tab.Wait(`!menuShown() && focused() === conv("c4").querySelector(".sheen-chat-conv-more")`)
		// Rename, then cancel with Escape: nothing is sent.
		tab.Do(browsertest.Press(kb.Enter), browsertest.Press(kb.Enter))
		tab.Wait(`focused()?.classList.contains("sheen-chat-conv-edit")`)
		tab.Check(`focused().value === "Sourdough starter"`, `focused().selectionEnd - focused().selectionStart === 17`)
		tab.Do(browsertest.Press("zzz"), browsertest.Press(kb.Escape))
		tab.Wait(`!conv("c4").querySelector("input") && focused() === conv("c4").querySelector(".sheen-chat-conv-open")`)
		tab.Check(`conv("c4").textContent === "Sourdough starter"`)
		// Rename for real.
		tab.JS(`conv("c4").querySelector(".sheen-chat-conv-more").focus()`)
		tab.Do(browsertest.Press(kb.Enter), browsertest.Press(kb.Enter))
		tab.Wait(`focused()?.classList.contains("sheen-chat-conv-edit")`)
		tab.Do(browsertest.Press("  Bread  "), browsertest.Press(kb.Enter))
		a.expect(t, "rename", `{"id":"c4","title":"Bread"}`)
		tab.Wait(`!conv("c4").querySelector("input")`)
		tab.Check(`conv("c4").textContent === "Bread"`, `focused() === conv("c4").querySelector(".sheen-chat-conv-open")`)
		// A blank title is not sent.
		tab.JS(`conv("c4").querySelector(".sheen-chat-conv-more").focus()`)
		tab.Do(browsertest.Press(kb.Enter), browsertest.Press(kb.Enter))
		tab.Wait(`focused()?.classList.contains("sheen-chat-conv-edit")`)
		tab.Do(browsertest.Press(kb.Delete), browsertest.Press("   "), browsertest.Press(kb.Enter))
		tab.Wait(`!conv("c4").querySelector("input")`)
		tab.Check(`conv("c4").textContent === "Bread"`)
		a.none(t)
	})

	t.Run("delete asks first", func(t *testing.T) {
		tab := tab.For(t)
		tab.JS(`conv("c4").querySelector(".sheen-chat-conv-more").focus()`)
		tab.Do(browsertest.Press(kb.Enter), browsertest.Press(kb.ArrowDown))
		tab.Wait(`focused().textContent === "Delete"`)
		tab.Do(browsertest.Press(kb.Enter))
		tab.Wait(`dialogOpen() && focused()?.textContent === "Cancel"`)
		tab.Check(`document.querySelector("#chat .sheen-chat-dialog-text").textContent.includes("“Bread”")`)
		shot("dialog")
		tab.Do(browsertest.Press(kb.Escape))
		tab.Wait(`!dialogOpen()`)
		tab.Wait(`focused() === conv("c4").querySelector(".sheen-chat-conv-more")`)
		tab.Check(`!!conv("c4")`)
		a.none(t)
		tab.MouseClick(`conv("c4").querySelector(".sheen-chat-conv-more")`)
		tab.Wait(`menuShown()`)
		tab.MouseClick(`document.querySelector("#chat .sheen-chat-menu-danger")`)
		tab.Wait(`dialogOpen()`)
		tab.MouseClick(`document.querySelector("#chat .sheen-chat-dialog-delete")`)
		a.expect(t, "delete", `{"id":"c4"}`)
		tab.Wait(`!dialogOpen() && !conv("c4")`)
		tab.Check(`focused() === conv("c5").querySelector(".sheen-chat-conv-open")`)
	})

	t.Run("show more", func(t *testing.T) {
		tab := tab.For(t)
		tab.MouseClick(`document.querySelector("#chat .sheen-chat-convs-more")`)
		a.expect(t, "more", `{}`)
		tab.Wait(`JSON.stringify(ids()) === '["c1","c2","c3","c5","c6","c7"]'`)
		tab.Check(`document.querySelector("#chat .sheen-chat-convs-more").hidden`, `focused() === conv("c6").querySelector(".sheen-chat-conv-open")`, `currentId() === "c2"`)
	})

	t.Run("storage warning and interrupted replies", func(t *testing.T) {
		tab := tab.For(t)
		a.send(t, "storage", obj{"ok": false, "message": "The database <b>is</b> read-only."})
		tab.Wait(`strip().textContent.includes("History is not being saved right now.")`)
		tab.Check(`strip().getAttribute("role") === "status"`, `strip().textContent.includes("The database <b>is</b> read-only.")`, `!strip().querySelector("b")`,
			`getComputedStyle(strip()).display === "flex"`)
		a.send(t, "append", obj{"message": obj{"id": "m1", "role": "user", "kind": "text", "html": "<p>Plan a weekend in Lisbon</p>"}})
		a.send(t, "append", obj{"message": obj{"id": "m2", "role": "assistant", "kind": "markdown", "html": "<p>Day one: start in Alfama and</p>", "status": "interrupted", "retry": true}})
		a.send(t, "append", obj{"message": obj{"id": "m3", "role": "assistant", "kind": "markdown", "html": "<p>Half</p>", "status": "interrupted", "error": "The server restarted."}})
		tab.Wait(`document.querySelectorAll("#chat .sheen-chat-interrupted").length === 2`)
		tab.Check(
			`document.querySelector('#chat [data-id="m2"]').dataset.status === "interrupted"`,
			`document.querySelector('#chat [data-id="m2"] .sheen-chat-interrupted').textContent.startsWith("Interrupted")`,
			`!!document.querySelector('#chat [data-id="m2"] .sheen-chat-retry')`,
			`document.querySelector('#chat [data-id="m2"] .sheen-chat-interrupted').getAttribute("role") === "status"`,
			`document.querySelector('#chat [data-id="m3"] .sheen-chat-interrupted').textContent === "The server restarted."`,
			`!document.querySelector('#chat [data-id="m3"] .sheen-chat-retry')`,
		)
		shot("wide-light")
		colours("dark")
		tab.Wait(`matchMedia("(prefers-color-scheme: dark)").matches`)
		shot("wide-dark")
		colours("light")
		tab.MouseClick(`document.querySelector('#chat [data-id="m2"] .sheen-chat-retry')`)
		a.expect(t, "retry", `{"id":"m2"}`)
		a.send(t, "storage", obj{"ok": true})
		tab.Wait(`strip().childNodes.length === 0 && getComputedStyle(strip()).display === "none"`)
	})

	t.Run("collapse", func(t *testing.T) {
		tab := tab.For(t)
		tab.MouseClick(`toggle()`)
		tab.Wait(`getComputedStyle(side()).display === "none"`)
		tab.Check(`localStorage.getItem("sheen-chat-sidebar-collapsed:chat") === "1"`, `toggle().getAttribute("aria-expanded") === "false"`,
			`getComputedStyle(document.querySelector("#chat .sheen-chat-head-new")).display !== "none"`)
		shot("collapsed")
		tab.Do(chromedp.Reload())
		a.expect(t, "ready", `{"c":"c2"}`)
		tab.Wait(`ids().length === 5 && document.getElementById("chat").hasAttribute("data-history-collapsed")`)
		tab.Check(`getComputedStyle(side()).display === "none"`)
		tab.MouseClick(`toggle()`)
		tab.Wait(`getComputedStyle(side()).display === "flex"`)
		tab.Check(`localStorage.getItem("sheen-chat-sidebar-collapsed:chat") === "0"`)
	})

	t.Run("drawer", func(t *testing.T) {
		tab := tab.For(t)
		tab.Do(chromedp.EmulateViewport(390, 760))
		defer tab.Do(chromedp.EmulateViewport(1200, 800))
		tab.Wait(`matchMedia("(max-width: 699.98px)").matches && getComputedStyle(side()).visibility === "hidden"`)
		tab.Check(`toggle().getAttribute("aria-expanded") === "false"`, `getComputedStyle(side()).position === "absolute"`)
		shot("narrow-light")
		tab.MouseClick(`toggle()`)
		tab.Wait(`getComputedStyle(side()).visibility === "visible" && side().getBoundingClientRect().left >= 0`)
		tab.Check(
			`document.querySelector("#chat .sheen-chat-pane").inert`,
			`side().contains(focused())`,
			`focused() === conv("c2").querySelector(".sheen-chat-conv-open")`,
			`!document.querySelector("#chat .sheen-chat-backdrop").hidden`,
			`toggle().getAttribute("aria-expanded") === "true"`,
		)
		shot("narrow-drawer-light")
		colours("dark")
		shot("narrow-drawer-dark")
		tab.Do(browsertest.Press(kb.Escape))
		tab.Wait(`getComputedStyle(side()).visibility === "hidden" && focused() === toggle()`)
		tab.Check(`!document.querySelector("#chat .sheen-chat-pane").inert`, `document.querySelector("#chat .sheen-chat-backdrop").hidden`)
		shot("narrow-dark")
		colours("light")
		// The backdrop closes it too; choosing a conversation closes it.
		tab.MouseClick(`toggle()`)
		tab.Wait(`getComputedStyle(side()).visibility === "visible"`)
		// A click on the backdrop beside the drawer.
		xy := browsertest.Eval[[]float64](tab, `(() => { const r = document.querySelector("#chat .sheen-chat-backdrop").getBoundingClientRect(); return [r.right - 12, r.top + r.height / 2]; })()`)
		tab.Do(chromedp.MouseClickXY(xy[0], xy[1]))
		tab.Wait(`getComputedStyle(side()).visibility === "hidden" && focused() === toggle()`)
		tab.MouseClick(`toggle()`)
		tab.Wait(`getComputedStyle(side()).visibility === "visible" && side().getBoundingClientRect().left >= 0`)
		tab.MouseClick(`conv("c1").querySelector(".sheen-chat-conv-open")`)
		a.expect(t, "open", `{"id":"c1","nav":false}`)
		tab.Wait(`getComputedStyle(side()).visibility === "hidden" && currentId() === "c1"`)
	})
	a.none(t)
}
