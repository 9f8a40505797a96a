package main

import (
	"bytes"
	"context"
	"image"
	pngenc "image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"go.uber.org/goleak"
	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/browsertest"
	"github.com/sheenhq/sheen/store/sqlite"
)

func TestMain(m *testing.M) {
	if runMain() {
		return
	}
	goleak.VerifyTestMain(m)
}

// TestExample drives the main job, `go run ./examples/chat`, in headless
// Chromium: the greeting with its suggestion cards, a card that streams the
// offline answer (a code block with a copy button), a table, /help and
// /clear. Screenshots go to $SHEEN_SCREENSHOTS (default
// /tmp/sheen-chat-screens).
func TestExample(t *testing.T) {
	browser := browsertest.New(t)
	h := testHistory(t)
	srv := browsertest.ServeApp(t, NewApp(Offline{Delay: time.Millisecond}, h, sheen.WithLogger(zap.NewNop()), h.PageCheck()))
	tab := browser.Tab(t)
	tab.OnNewDocument(`window.q = (s) => document.querySelector("#chat " + s);
		window.qa = (s) => [...document.querySelectorAll("#chat " + s)];
		window.msgs = () => qa(".sheen-chat-log > .sheen-chat-msg:not(.sheen-chat-greeting):not(.sheen-chat-pending)");
		window.last = () => msgs().at(-1);
		window.idle = () => !document.getElementById("chat").classList.contains("sheen-chat-locked");`)
	tab.Do(chromedp.Navigate(srv.URL + "/"))
	shots := os.Getenv("SHEEN_SCREENSHOTS")
	if shots == "" {
		shots = filepath.Join(os.TempDir(), "sheen-chat-screens")
	}
	send := func(text string) {
		t.Helper()
		tab.JS(`q(".sheen-chat-input").focus()`)
		tab.Do(browsertest.InsertText(text), browsertest.Press(kb.Enter))
	}

	// The greeting, with four suggestion cards, and the model's name (an
	// output, which may come in another update than the greeting).
	tab.Wait(`document.documentElement.dataset.sheenState === "open" && qa(".sheen-chat-greeting .sheen-suggestion-cards .sheen-suggestion").length === 4`)
	tab.Wait(`document.querySelector(".example-chat-model").textContent.includes("no model configured")`)
	tab.Check(`q(".sheen-chat-greeting").textContent.includes("no model is configured")`,
		`qa(".sheen-suggestion-card-title").map((e) => e.textContent).join() === "Explain,Code,Table,Reasoning"`)
	tab.SaveScreenshot(shots, "example-greeting")

	// A card sends its text; the answer streams, with highlighted code and
	// copy buttons.
	tab.MouseClick(`qa(".sheen-chat-greeting .sheen-suggestion").find((s) => s.textContent.trim() === "Show me some Go code")`)
	tab.Wait(`msgs()[0]?.textContent.trim() === "Show me some Go code"`)
	tab.Check(`!q(".sheen-chat-greeting")`)
	tab.Wait(`last()?.classList.contains("sheen-chat-assistant") && last().dataset.status === "done" && idle()`)
	tab.Check(`last().querySelectorAll("pre code").length === 2`,
		`last().querySelector("pre code").textContent.includes("chat.New(s, \"chat\")")`,
		`last().querySelectorAll("pre .sheen-chat-copy").length === 2`,
		`last().querySelectorAll("pre code span[class]").length > 10`) // highlighted
	tab.MouseClick(`last().querySelector("pre .sheen-chat-copy")`)
	tab.Wait(`last().querySelector("pre .sheen-chat-copy").getAttribute("aria-label") === "Copied"`)
	tab.SaveScreenshot(shots, "example-code")

	// A table.
	send("Compare sheen with shinychat in a table")
	tab.Wait(`last()?.querySelector("table") && last().dataset.status === "done" && idle()`)
	tab.Check(`[...last().querySelectorAll("th")].map((th) => th.textContent.trim()).join("|") === "Feature|sheen|shinychat"`,
		`last().querySelectorAll("tbody tr").length === 6`)
	tab.SaveScreenshot(shots, "example-table")

	// Thinking: a collapsed panel above the answer.
	send("Think step by step about streaming")
	tab.Wait(`last()?.querySelector("details.sheen-chat-thinking") && last().dataset.status === "done" && idle()`)
	tab.Check(`!last().querySelector("details.sheen-chat-thinking").open`,
		`last().querySelector(".sheen-chat-thinking-body").textContent.includes("Reasoning streams into a collapsible panel")`,
		`last().querySelector(".sheen-chat-content ol")`)

	// /help answers with the commands; the palette lists them.
	tab.JS(`q(".sheen-chat-input").focus()`)
	tab.Do(browsertest.Press("/"))
	tab.Wait(`qa(".sheen-chat-option").map((o) => o.dataset.command).join() === "clear,help"`)
	tab.Do(browsertest.Press("h" + kb.Tab))
	tab.Check(`q(".sheen-chat-input").value === "/help "`)
	tab.Do(browsertest.Press(kb.Enter))
	tab.Wait(`last()?.querySelector("h3")?.textContent === "Commands" && idle()`)
	tab.Check(`msgs().at(-2).querySelector(".sheen-chat-chip")?.textContent === "/help"`)
	tab.SaveScreenshot(shots, "example-help")
	n := browsertest.Eval[int](tab, `msgs().length`)
	if n != 8 {
		t.Errorf("%d messages before /clear, want 8", n)
	}

	// /clear empties the chat and brings the greeting back. (Enter on a
	// command typed in full sends it: the palette has nothing to complete.)
	send("/clear")
	tab.Wait(`msgs().length === 0 && qa(".sheen-chat-greeting .sheen-suggestion-cards .sheen-suggestion").length === 4 && idle()`)
	tab.Check(`q(".sheen-chat-input").value === ""`)
	tab.SaveScreenshot(shots, "example-cleared")

	// Anything else: the offline responder says what it is.
	send("hello there")
	tab.Wait(`last()?.dataset.status === "done" && idle()`)
	tab.Check(`last().textContent.includes("no model is configured")`,
		`msgs().length === 2`, `msgs()[0].textContent.trim() === `+strconv.Quote("hello there"))
}

// testHistory is the example's history on a SQLite file of the test's.
func testHistory(t *testing.T) *chat.History {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "chat.db"))
	if err != nil {
		t.Fatal(err)
	}
	h := chat.NewHistory(st)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = h.Shutdown(ctx)
		_ = st.Close()
	})
	return h
}

func TestOfflineSaysWhatItReceived(t *testing.T) {
	var png bytes.Buffer
	if err := pngenc.Encode(&png, image.NewRGBA(image.Rect(0, 0, 3, 2))); err != nil {
		t.Fatal(err)
	}
	files := []chat.Attachment{
		{Name: "cat.png", MIME: "image/png", Data: png.Bytes()},
		{Name: "notes|x.md", MIME: "text/markdown", Data: []byte("# Title\nline two\n")},
		{Name: "r.pdf", MIME: "application/pdf", Data: []byte("%PDF-1.4 /Type /Pages /Type /Page /Type /Page")},
	}
	var got strings.Builder
	for c, err := range (Offline{Delay: time.Microsecond}).Respond(context.Background(), []chat.Message{{Role: chat.User, Content: "what are these?", Attachments: files}}) {
		if err != nil {
			t.Fatal(err)
		}
		got.WriteString(c)
	}
	for _, want := range []string{"**3 file(s)** with your message", "| cat.png | image/png |", "a PNG image, 3 × 2 px", `notes\|x.md`, "3 line(s) of text, starting “# Title”", "a PDF of about 2 page(s)"} {
		if !strings.Contains(got.String(), want) {
			t.Errorf("answer lacks %q:\n%s", want, got.String())
		}
	}
}
