package main

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/browsertest"
)

// chatJS are the page helpers of the history tests.
const chatJS = `window.q = (s) => document.querySelector("#chat " + s);
	window.qa = (s) => [...document.querySelectorAll("#chat " + s)];
	window.msgs = () => qa(".sheen-chat-log > .sheen-chat-msg:not(.sheen-chat-greeting):not(.sheen-chat-pending)");
	window.last = () => msgs().at(-1);
	// The page's own question has no id until it is reloaded: compare without.
	window.logHTML = () => msgs().map((m) => m.outerHTML.replace(/ data-id="[^"]*"/, "")).join("\n");
	window.convs = () => qa(".sheen-chat-conv-title").map((e) => e.textContent);
	window.idle = () => document.documentElement.dataset.sheenState === "open" && "synced" in document.getElementById("chat").dataset && !document.getElementById("chat").classList.contains("sheen-chat-locked");
	window.cParam = () => new URLSearchParams(location.search).get("c") || "";`

// historyTab opens the example's page in a new tab of b.
func historyTab(t *testing.T, b *browsertest.Browser, u string) *browsertest.Tab {
	t.Helper()
	tab := b.Tab(t)
	tab.OnNewDocument(chatJS)
	tab.Do(chromedp.Navigate(u))
	tab.Wait(`document.documentElement.dataset.sheenState === "open"`)
	return tab
}

func send(t *testing.T, tab *browsertest.Tab, text string) {
	t.Helper()
	tab.Wait(`idle()`)
	tab.JS(`q(".sheen-chat-input").focus()`)
	tab.Do(browsertest.InsertText(text), browsertest.Press(kb.Enter))
}

// TestHistoryBrowser drives saved conversations in real Chromium: a reload
// shows the transcript as it was streamed; the sidebar makes, switches,
// renames and deletes conversations without a page load, with Back and
// Forward; a reply goes on when its tab closes; a tab that opens a
// conversation while it streams follows it live, and stop works from
// either tab; another user's URL is not found.
func TestHistoryBrowser(t *testing.T) {
	h := testHistory(t)
	gate := &gated{Offline: Offline{Delay: 2 * time.Millisecond}, hold: make(chan struct{})}
	srv := browsertest.ServeApp(t, NewApp(gate, h, sheen.WithLogger(zap.NewNop()), h.PageCheck()))
	browser := browsertest.New(t)
	shots := screenshotDir()

	t.Run("reload shows the same transcript", func(t *testing.T) {
		tab := historyTab(t, browser, srv.URL+"/")
		send(t, tab, "Show me some Go code")
		tab.Wait(`cParam() !== "" && last()?.dataset.status === "done" && idle()`)
		streamed := browsertest.Eval[string](tab, `logHTML()`)
		tab.Do(chromedp.Reload())
		tab.Wait(`idle() && msgs().length === 2 && last().dataset.status === "done"`)
		if got := browsertest.Eval[string](tab, `logHTML()`); got != streamed {
			t.Fatalf("after a reload the transcript is\n%s\nstreamed it was\n%s", got, streamed)
		}
		tab.Check(`convs()[0] === "Show me some Go code"`, `!!q(".sheen-chat-conv-current")`)
	})

	t.Run("sidebar: new, switch, back, rename, delete", func(t *testing.T) {
		tab := historyTab(t, browser, srv.URL+"/")
		tab.JS(`window.samePage = true`) // gone if the page reloads
		send(t, tab, "What is sheen?")
		tab.Wait(`cParam() !== "" && last()?.dataset.status === "done" && idle() && convs()[0] === "What is sheen?"`)
		first := browsertest.Eval[string](tab, `cParam()`)
		tab.MouseClick(`q(".sheen-chat-new")`)
		tab.Wait(`cParam() === "" && msgs().length === 0 && !!q(".sheen-chat-greeting")`)
		send(t, tab, "Compare sheen with shinychat in a table")
		tab.Wait(`cParam() !== "" && !!last()?.querySelector("table") && idle() && convs()[0] === "Compare sheen with shinychat in a table"`)
		second := browsertest.Eval[string](tab, `cParam()`)
		tab.SaveScreenshot(shots, "history-sidebar")

		// Switch to the first, without a page load.
		tab.MouseClick(`qa(".sheen-chat-conv").find((li) => li.dataset.id === "` + first + `").querySelector(".sheen-chat-conv-open")`)
		tab.Wait(`cParam() === "` + first + `" && msgs().length === 2 && msgs()[0].textContent.includes("What is sheen?")`)
		// Back and Forward.
		tab.Do(chromedp.NavigateBack())
		tab.Wait(`cParam() === "` + second + `" && msgs().length === 2 && !!last().querySelector("table")`)
		tab.Do(chromedp.NavigateForward())
		tab.Wait(`cParam() === "` + first + `" && msgs()[0].textContent.includes("What is sheen?")`)
		tab.Check(`window.samePage === true`)

		// Rename with the keyboard, through the item's menu.
		tab.MouseClick(`q(".sheen-chat-conv-current .sheen-chat-conv-more")`)
		tab.Wait(`!q(".sheen-chat-menu").hidden`)
		tab.MouseClick(`qa(".sheen-chat-menu-item")[0]`)
		tab.Wait(`document.activeElement?.classList.contains("sheen-chat-conv-edit")`)
		tab.JS(`document.activeElement.select()`)
		tab.Do(browsertest.InsertText("About <b>sheen</b>"), browsertest.Press(kb.Enter))
		tab.Wait(`convs().includes("About <b>sheen</b>")`)
		tab.Do(chromedp.Reload())
		tab.Wait(`idle() && convs().includes("About <b>sheen</b>") && !q(".sheen-chat-conv-title b")`)

		// Delete, after the confirmation: the page moves to a new chat.
		tab.MouseClick(`q(".sheen-chat-conv-current .sheen-chat-conv-more")`)
		tab.MouseClick(`qa(".sheen-chat-menu-item")[1]`)
		tab.Wait(`q(".sheen-chat-dialog").open`)
		tab.MouseClick(`q(".sheen-chat-dialog-delete")`)
		tab.Wait(`!convs().includes("About <b>sheen</b>") && cParam() === "" && msgs().length === 0`)
		resp, err := http.Get(srv.URL + "/?c=" + first)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("a deleted conversation's URL answers %d", resp.StatusCode)
		}
	})

	t.Run("a reply outlives its tab", func(t *testing.T) {
		tab := historyTab(t, browser, srv.URL+"/")
		send(t, tab, "Show me some Go code, slowly")
		tab.Wait(`cParam() !== "" && last()?.classList.contains("sheen-chat-streaming") && last().textContent.includes("Here is")`)
		u := browsertest.Eval[string](tab, `location.href`)
		tab.Close() // mid-reply
		gate.hold <- struct{}{}

		later := historyTab(t, browser, u)
		later.Wait(`last()?.dataset.status === "done" && idle()`)
		later.Check(`last().textContent.includes("for comparison")`, `last().querySelectorAll("pre code").length === 2`)
	})

	t.Run("two tabs follow one stream; stop from either", func(t *testing.T) {
		a := historyTab(t, browser, srv.URL+"/")
		send(t, a, "Show me some Go code, slowly")
		a.Wait(`cParam() !== "" && last()?.classList.contains("sheen-chat-streaming") && last().textContent.includes("Here is")`)
		u := browsertest.Eval[string](a, `location.href`)
		b := historyTab(t, browser, u)
		b.Wait(`last()?.classList.contains("sheen-chat-streaming") && last().textContent.includes("Here is")`) // joined live
		gate.hold <- struct{}{}
		for _, tab := range []*browsertest.Tab{a, b} {
			tab.Wait(`last()?.dataset.status === "done" && idle()`)
		}
		if x, y := browsertest.Eval[string](a, `logHTML()`), browsertest.Eval[string](b, `logHTML()`); x != y {
			t.Fatalf("the tabs differ:\n%s\n--\n%s", x, y)
		}
		// A new reply, stopped from the other tab.
		send(t, a, "Show me some Go code again, slowly")
		b.Wait(`msgs().length === 4 && last()?.classList.contains("sheen-chat-streaming") && last().textContent.includes("Here is")`)
		b.MouseClick(`q(".sheen-chat-stop")`)
		for _, tab := range []*browsertest.Tab{a, b} {
			tab.Wait(`last()?.dataset.status === "stopped" && idle()`)
		}
	})

	t.Run("another user's conversation is not found", func(t *testing.T) {
		tab := historyTab(t, browser, srv.URL+"/")
		send(t, tab, "A private question")
		tab.Wait(`cParam() !== "" && last()?.dataset.status === "done" && idle()`)
		id := browsertest.Eval[string](tab, `cParam()`)
		other := browsertest.New(t).Tab(t) // another profile: another cookie, another user
		other.Do(chromedp.Navigate(srv.URL + "/?c=" + url.QueryEscape(id)))
		other.Wait(`document.body.textContent.includes("Not found")`)
		if strings.Contains(browsertest.Eval[string](other, `document.body.textContent`), "private question") {
			t.Fatal("the not-found page shows the conversation")
		}
	})
}

// screenshotDir is where the example's screenshots go.
func screenshotDir() string {
	if d := os.Getenv("SHEEN_SCREENSHOTS"); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "sheen-chat-screens")
}

// gated is the offline responder, except that a question with "slowly" in
// it stops after a few words until the test lets it go on (hold), or is
// stopped.
type gated struct {
	Offline
	hold chan struct{}
}

func (g *gated) Respond(ctx context.Context, history []chat.Message) func(yield func(string, error) bool) {
	seq := g.Offline.Respond(ctx, history)
	if !strings.Contains(history[len(history)-1].Content, "slowly") {
		return seq
	}
	return func(yield func(string, error) bool) {
		n := 0
		for s, err := range seq {
			if n++; n == 12 {
				select {
				case <-g.hold:
				case <-ctx.Done():
					yield("", ctx.Err())
					return
				}
			}
			if !yield(s, err) {
				return
			}
		}
	}
}
