package chat_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/browsertest"
)

// attachRecorder records, on the page, every value the tray's progress bars
// took (__progress) and the upload requests the page made (__uploads).
const attachRecorder = `(() => {
	window.__progress = [];
	window.__uploads = 0;
	new MutationObserver((rs) => {
		for (const r of rs) if (r.attributeName === "aria-valuenow") __progress.push(Number(r.target.getAttribute("aria-valuenow")));
	}).observe(document, {subtree: true, attributes: true, attributeFilter: ["aria-valuenow"]});
	const open = XMLHttpRequest.prototype.open;
	XMLHttpRequest.prototype.open = function (m, u, ...rest) { if (m === "POST" && String(u).includes("_sheen/upload/")) __uploads++; return open.call(this, m, u, ...rest); };
	window.tray = () => [...document.querySelectorAll("#chat .sheen-chat-tray .sheen-chat-file")];
	window.trayStates = () => tray().map((e) => e.dataset.state).join(",");
	window.attachError = () => { const e = document.querySelector("#chat .sheen-chat-attach-error"); return e.hidden ? "" : e.textContent; };
	// A File of n bytes of type t named name, made in the page.
	window.mkFile = (name, t, n, fill = 97) => new File([new Uint8Array(n).fill(fill)], name, {type: t});
	window.b64File = (name, t, b64) => new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name, {type: t});
})()`

// testCookieKey signs the user cookie of every attachment test app, so that
// a second app knows the browser's user (as a restarted server does).
var testCookieKey = bytes.Repeat([]byte("k"), 32)

// attachApp is a chat with attachments open in a tab; every submission's
// input arrives on got, and uploads are written under dir.
type attachApp struct {
	*chatTab
	dir string
	got chan chat.Input
	url string
}

func openAttach(t *testing.T, b *browsertest.Browser, opts []chat.Option, h *chat.History, query string) *attachApp {
	t.Helper()
	a := &attachApp{dir: t.TempDir(), got: make(chan chat.Input, 8)}
	if h != nil {
		opts = append(opts, chat.WithHistory(h))
	}
	chats := make(chan *chat.Chat, 1)
	page := sheen.Page("attach test", chat.UI("chat", opts...))
	app := sheen.New(page, func(s *sheen.Session) {
		c := chat.New(s, "chat", opts...)
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			a.got <- in
			var names []string
			for _, f := range in.Attachments {
				names = append(names, fmt.Sprintf("%s %s %d", f.Name, f.MIME, len(f.Data)))
			}
			return c.AppendMessage(ctx, chat.Text("got: "+strings.Join(names, "; ")))
		})
		select {
		case chats <- c:
		default:
		}
	}, sheen.WithLogger(zap.NewNop()), sheen.WithUploadDir(a.dir), sheen.WithCookieKey(testCookieKey))
	srv := browsertest.ServeApp(t, app)
	a.url = srv.URL
	tab := &chatTab{Tab: b.Tab(t), t: t}
	tab.RecordFrames()
	tab.OnNewDocument(chatRecorder, attachRecorder)
	tab.Do(chromedp.Navigate(srv.URL + "/" + query))
	tab.chat = recv(t, chats, "the session")
	tab.Wait(`document.documentElement.dataset.sheenState === "open" && received("reset") > 0 && received("attach") > 0 && !!ta()`)
	a.chatTab = tab
	return a
}

// files lists the upload directory.
func (a *attachApp) files() int {
	es, err := os.ReadDir(a.dir)
	if err != nil {
		a.t.Fatal(err)
	}
	return len(es)
}

// waitFiles waits until the upload directory holds n files.
func (a *attachApp) waitFiles(n int) {
	a.t.Helper()
	deadline := time.Now().Add(browsertest.Timeout)
	for a.files() != n {
		if time.Now().After(deadline) {
			a.t.Fatalf("upload directory holds %d files, want %d", a.files(), n)
		}
		time.Sleep(10 * time.Millisecond) // polling the directory: a condition, not an order
	}
}

// writePNG writes a w×h PNG of noise (it does not compress) and returns
// its path and bytes.
func writePNG(t *testing.T, dir, name string, w, h int) (string, []byte) {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = byte(r.Uint32())
	}
	for x := range w { // something to see in a thumbnail
		for y := range h / 16 {
			img.Set(x, y, color.NRGBA{60, 110, 220, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p, b.Bytes()
}

func pngSize(t *testing.T, data []byte) (int, int) {
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	return cfg.Width, cfg.Height
}

func (a *attachApp) send() {
	a.t.Helper()
	a.Wait(`!q(".sheen-chat-send").disabled`)
	a.clickOn("#chat .sheen-chat-send")
}

func TestBrowserAttachments(t *testing.T) {
	b := browsertest.New(t)
	src := t.TempDir()

	t.Run("picker: an image is scaled, uploaded, sent with text, shown in the bubble", func(t *testing.T) {
		a := openAttach(t, b, []chat.Option{chat.AllowAttachments()}, nil, "")
		big, _ := writePNG(t, src, "wide.png", 2400, 1200)
		note := filepath.Join(src, "notes.txt")
		if err := os.WriteFile(note, []byte("line one\nline two\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		a.check(`!q(".sheen-chat-attach").hidden`, `q(".sheen-chat-attach").getAttribute("aria-label") === "Attach files"`,
			`q(".sheen-chat-attach-input").accept.includes("image/png")`)
		a.Do(chromedp.SetUploadFiles(`#chat .sheen-chat-attach-input`, []string{big, note}))
		a.Wait(`trayStates() === "done,done"`)
		a.check(`tray()[0].querySelector("img.sheen-chat-file-thumb").src.startsWith("blob:")`,
			`tray()[1].querySelector(".sheen-chat-file-name").textContent === "notes.txt"`,
			`tray()[1].querySelector(".sheen-chat-file-size").textContent === "Text · 18 B"`,
			`__progress.includes(100)`)
		a.waitFiles(2) // held on the server until the message is sent
		a.typeText("what are these?")
		a.send()
		in := recv(t, a.got, "the submission")
		if in.Text != "what are these?" || len(in.Attachments) != 2 {
			t.Fatalf("input = %q with %d attachments", in.Text, len(in.Attachments))
		}
		img, txt := in.Attachments[0], in.Attachments[1]
		if w, h := pngSize(t, img.Data); img.Name != "wide.png" || img.MIME != "image/png" || w != 1568 || h != 784 {
			t.Errorf("image %s %s %d×%d, want wide.png image/png 1568×784", img.Name, img.MIME, w, h)
		}
		if txt.Name != "notes.txt" || txt.MIME != "text/plain" || string(txt.Data) != "line one\nline two\n" || txt.Size != 18 {
			t.Errorf("text file %+v", txt)
		}
		a.Wait(`lastText().startsWith("got: ")`)
		a.check(`tray().length === 0`, `q(".sheen-chat-tray").hidden`,
			`msgs().at(-2).querySelectorAll(".sheen-chat-files .sheen-chat-file").length === 2`,
			// The page's own preview (blob:), or the server's thumbnail once
			// its copy of the question ("own") replaced the bubble.
			`/^(blob:|data:image\/)/.test(msgs().at(-2).querySelector(".sheen-chat-files img").src)`,
			`msgs().at(-2).querySelector(".sheen-chat-content").textContent === "what are these?"`)
		a.waitFiles(0) // taken: nothing left behind
		// The model's view of the message: Messages() carries the files.
		msgs := a.chat.Messages()
		if u := msgs[len(msgs)-2]; len(u.Attachments) != 2 || len(u.Attachments[0].Data) == 0 {
			t.Errorf("Messages() user message attachments = %d", len(u.Attachments))
		}
	})

	t.Run("paste: an image and long text become attachments; drop: files dropped on the chat", func(t *testing.T) {
		a := openAttach(t, b, []chat.Option{chat.AllowAttachments()}, nil, "")
		_, data := writePNG(t, src, "p.png", 40, 30)
		a.JS(`(() => { const dt = new DataTransfer(); dt.items.add(b64File("shot.png", "image/png", ` + strconv.Quote(b64(data)) + `));
			ta().dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true})); })()`)
		a.JS(`(() => { const dt = new DataTransfer(); dt.setData("text/plain", "x".repeat(1500));
			window.__longPaste = ta().dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true})); })()`)
		a.JS(`(() => { const dt = new DataTransfer(); dt.setData("text/plain", "short");
			window.__shortPaste = ta().dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true})); })()`)
		a.Wait(`trayStates() === "done,done"`)
		a.check(`__longPaste === false`, `__shortPaste === true`,
			`tray()[1].querySelector(".sheen-chat-file-name").textContent === "pasted.txt"`)
		a.JS(`(() => { const dt = new DataTransfer(); dt.items.add(mkFile("data.csv", "text/csv", 300, 49));
			const log = q(".sheen-chat-log");
			log.dispatchEvent(new DragEvent("dragover", {dataTransfer: dt, bubbles: true, cancelable: true}));
			window.__dragClass = document.getElementById("chat").classList.contains("sheen-chat-dragover");
			log.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true})); })()`)
		a.Wait(`trayStates() === "done,done,done"`)
		a.check(`__dragClass === true`, `!document.getElementById("chat").classList.contains("sheen-chat-dragover")`)
		a.send() // no text: files alone are a message
		in := recv(t, a.got, "the submission")
		var names []string
		for _, f := range in.Attachments {
			names = append(names, f.Name)
		}
		if in.Text != "" || strings.Join(names, ",") != "shot.png,pasted.txt,data.csv" || len(in.Attachments[1].Data) != 1500 {
			t.Fatalf("input %q, files %v", in.Text, names)
		}
		a.Wait(`lastText().startsWith("got: ")`)
	})

	t.Run("removal from the tray, cancel of an upload in flight", func(t *testing.T) {
		a := openAttach(t, b, []chat.Option{chat.AllowAttachments()}, nil, "")
		a.JS(`(() => { const dt = new DataTransfer(); dt.items.add(mkFile("a.txt", "text/plain", 10)); dt.items.add(mkFile("b.txt", "text/plain", 20));
			ta().dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true})); })()`)
		a.Wait(`trayStates() === "done,done"`)
		a.waitFiles(2)
		a.clickOn(`#chat .sheen-chat-tray .sheen-chat-file:first-child .sheen-chat-file-remove`)
		a.Wait(`tray().length === 1`)
		a.waitFiles(1) // the DELETE reached the server
		// A slow upload, cancelled halfway.
		throttle(a.chatTab, 256<<10)
		a.JS(`(() => { const dt = new DataTransfer(); dt.items.add(mkFile("slow.txt", "text/plain", 4 << 20));
			ta().dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true})); })()`)
		a.Wait(`trayStates() === "done,uploading" && __progress.some((p) => p > 0 && p < 100)`)
		a.waitFiles(2)                            // the server writes it as it arrives
		a.check(`q(".sheen-chat-send").disabled`) // not while a file uploads
		a.clickOn(`#chat .sheen-chat-tray .sheen-chat-file:last-child .sheen-chat-file-remove`)
		a.Wait(`tray().length === 1`)
		a.waitFiles(1) // the cut upload left nothing behind
		throttle(a.chatTab, -1)
		a.send()
		in := recv(t, a.got, "the submission")
		if len(in.Attachments) != 1 || in.Attachments[0].Name != "b.txt" {
			t.Fatalf("attachments %+v", in.Attachments)
		}
		a.waitFiles(0)
	})

	t.Run("a 5 MB image through the HTTP path with progress", func(t *testing.T) {
		a := openAttach(t, b, []chat.Option{chat.AllowAttachments()}, nil, "")
		p, data := writePNG(t, src, "five.png", 1500, 1100)
		if len(data) < 5<<20 {
			t.Fatalf("the image is %d bytes, want 5 MB", len(data))
		}
		throttle(a.chatTab, 8<<20) // about 0.6 s: progress shows
		a.Do(chromedp.SetUploadFiles(`#chat .sheen-chat-attach-input`, []string{p}))
		a.Wait(`trayStates() === "done"`)
		throttle(a.chatTab, -1)
		a.check(`__progress.some((p) => p > 0 && p < 100)`, `__progress.at(-1) === 100`, `__uploads === 1`)
		a.send()
		in := recv(t, a.got, "the submission")
		if len(in.Attachments) != 1 || !bytes.Equal(in.Attachments[0].Data, data) {
			t.Fatalf("the image did not arrive intact")
		}
		a.Wait(`lastText().startsWith("got: ")`)
	})

	t.Run("wrong type, oversize and too many refused in the page", func(t *testing.T) {
		a := openAttach(t, b, []chat.Option{chat.AllowAttachments("image/*"), chat.MaxAttachmentFile(1 << 20), chat.MaxAttachments(2)}, nil, "")
		add := func(files string) {
			a.JS(`(() => { const dt = new DataTransfer(); for (const f of [` + files + `]) dt.items.add(f);
				q(".sheen-chat-log").dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true})); })()`)
		}
		add(`mkFile("r.pdf", "application/pdf", 100)`)
		a.Wait(`attachError() !== ""`)
		a.check(`attachError().includes("r.pdf") && attachError().includes("not accepted")`, `tray().length === 0`, `__uploads === 0`)
		add(`mkFile("huge.png", "image/png", (1 << 20) + 1)`)
		a.Wait(`attachError().includes("huge.png is larger than 1 MB")`)
		a.check(`tray().length === 0`, `__uploads === 0`, `q(".sheen-chat-send").disabled`)
		// A PNG named .png that is not one: the page cannot tell, the server refuses.
		add(`mkFile("fake.png", "image/png", 100)`)
		a.Wait(`trayStates() === "error"`)
		a.check(`attachError().includes("fake.png")`, `attachError().includes("not image/png")`, `q(".sheen-chat-send").disabled`)
		a.clickOn(`#chat .sheen-chat-tray .sheen-chat-file-remove`)
		_, data := writePNG(t, src, "ok.png", 8, 8)
		f := `b64File("ok.png", "image/png", ` + strconv.Quote(b64(data)) + `)`
		add(f + "," + f + "," + f)
		a.Wait(`trayStates() === "done,done"`)
		a.check(`attachError().includes("At most 2 files")`)
		if n := a.files(); n != 2 {
			t.Errorf("%d files on the server, want 2", n)
		}
	})

	t.Run("another session's token and a foreign page are refused", func(t *testing.T) {
		a := openAttach(t, b, []chat.Option{chat.AllowAttachments()}, nil, "")
		cfg := func(tab *browsertest.Tab) string {
			return browsertest.Eval[string](tab, `JSON.stringify(__frames.filter((f) => f.dir === "in").flatMap((f) => f.frame?.messages || [])
				.find((m) => m.target === "chat" && m.name === "attach").data)`)
		}
		// A second tab of the same app: another session.
		other := b.Tab(t)
		other.RecordFrames()
		other.OnNewDocument(chatRecorder, attachRecorder)
		other.Do(chromedp.Navigate(a.url + "/"))
		other.Wait(`received("attach") > 0`)
		mine, theirs := cfg(a.Tab), cfg(other)
		post := `(async (mine, theirs) => {
			const send = async (c, token) => (await fetch(c.url, {method: "POST", body: "hello",
				headers: {"X-Sheen-Upload": token, "X-Sheen-Name": "x.txt", "Content-Type": "text/plain"}})).status;
			return [await send(mine, theirs.token), await send(theirs, mine.token), await send(mine, mine.token)].join();
		})(` + mine + `, ` + theirs + `)`
		if got := browsertest.Eval[string](a.Tab, post); got != "403,403,201" {
			t.Fatalf("statuses %s, want 403,403,201 (another session's token twice, then its own)", got)
		}
		a.waitFiles(1)
		// A page of another site that learned the URL and the token.
		evil := browsertest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = io.WriteString(w, "<!doctype html><title>another site</title><p>hello")
		}))
		tab := b.Tab(t)
		tab.Do(chromedp.Navigate(evil.URL + "/"))
		got := browsertest.Eval[string](tab, `(async (c, base) => {
			const url = base + "/" + c.url;
			let cors = "sent", simple = "sent";
			try { await fetch(url, {method: "POST", body: "hello", headers: {"X-Sheen-Upload": c.token, "X-Sheen-Name": "x.txt", "Content-Type": "text/plain"}}); } catch { cors = "blocked"; }
			try { await fetch(url, {method: "POST", mode: "no-cors", body: "hello", headers: {"Content-Type": "text/plain"}}); } catch { simple = "blocked"; }
			return cors + "," + simple;
		})(`+mine+`, `+strconv.Quote(a.url)+`)`)
		if !strings.HasPrefix(got, "blocked,") {
			t.Errorf("the foreign page's upload with the token: %s, want blocked (no CORS)", got)
		}
		if n := a.files(); n != 1 {
			t.Errorf("%d files on the server, want 1 (the foreign page's simple POST is refused by its origin)", n)
		}
	})

	t.Run("a restored conversation shows its files, and its messages carry the bytes", func(t *testing.T) {
		h, st := tempHistory(t)
		a := openAttach(t, b, []chat.Option{chat.AllowAttachments()}, h, "")
		p, data := writePNG(t, src, "kept.png", 300, 200)
		a.Do(chromedp.SetUploadFiles(`#chat .sheen-chat-attach-input`, []string{p}))
		a.JS(`(() => { const dt = new DataTransfer(); dt.items.add(mkFile("r.md", "text/markdown", 50, 35));
			ta().dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true})); })()`)
		a.Wait(`trayStates() === "done,done"`)
		a.typeText("keep these")
		a.send()
		recv(t, a.got, "the submission")
		a.Wait(`lastText().startsWith("got: ") && !!new URL(location.href).searchParams.get("c")`)
		conv := browsertest.Eval[string](a.Tab, `new URL(location.href).searchParams.get("c")`)
		a.Wait(`__chat.filter((m) => m.name === "conversation").length > 0`)
		if err := h.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
		// Another server (a restart: a new History on the same file) opens it
		// from the store.
		h2 := chat.NewHistory(st)
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = h2.Shutdown(ctx)
		})
		b2 := openAttach(t, b, []chat.Option{chat.AllowAttachments()}, h2, "?c="+conv)
		b2.Wait(`msgs().length === 2`)
		b2.check(`msgs()[0].querySelectorAll(".sheen-chat-file").length === 2`,
			`msgs()[0].querySelector(".sheen-chat-files img").src.startsWith("data:image/jpeg;base64,")`,
			`msgs()[0].querySelector(".sheen-chat-file-name").textContent === "kept.png"`,
			`[...msgs()[0].querySelectorAll(".sheen-chat-file-name")][1].textContent === "r.md"`,
			`msgs()[0].querySelector(".sheen-chat-files img").naturalWidth === 240`)
		_ = data
		ms := b2.chat.Messages()
		if len(ms) < 1 || len(ms[0].Attachments) != 2 || !bytes.Equal(ms[0].Attachments[0].Data, data) || len(ms[0].Attachments[1].Data) != 50 {
			t.Fatalf("restored messages: %+v", ms)
		}
	})
}

// throttle limits the tab's upload speed to bytes per second (-1: none).
func throttle(p *chatTab, bps float64) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.Context(), browsertest.Timeout)
	defer cancel()
	_, err := chromedp.Call(ctx, network.Enable, network.EnableParams{})
	if err == nil {
		var rules []*network.Conditions
		if bps > 0 {
			rules = []*network.Conditions{{URLPattern: "", DownloadThroughput: -1, UploadThroughput: bps}}
		}
		_, err = chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: rules})
	}
	if err != nil {
		p.t.Fatalf("throttling: %v", err)
	}
}

func b64(data []byte) string { return base64.StdEncoding.EncodeToString(data) }

// gradientPNG is a w×h picture (a sky, a sun and hills) as PNG bytes.
func gradientPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.NRGBA{uint8(90 + 100*y/h), uint8(150 + 60*y/h), 240, 255}
			dx, dy := x-w*7/10, y-h*3/10
			if dx*dx+dy*dy < (h/8)*(h/8) {
				c = color.NRGBA{255, 205, 80, 255}
			}
			hill := h*6/10 + int(float64(h)/10*math.Sin(float64(x)/float64(w)*6))
			if y > hill {
				c = color.NRGBA{uint8(40 + 30*x/w), uint8(130 + 40*y/h), 70, 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestBrowserAttachmentScreens takes screenshots of the tray and of a sent
// image, light and dark, wide and narrow, for a human to look at
// ($SHEEN_SCREENSHOTS, default /tmp/sheen-chat-screens).
func TestBrowserAttachmentScreens(t *testing.T) {
	b := browsertest.New(t)
	pic := b64(gradientPNG(t, 900, 600))
	pdf := b64([]byte("%PDF-1.4\n" + strings.Repeat("x", 180000)))
	for _, width := range []int64{1200, 390} {
		for _, scheme := range []string{"light", "dark"} {
			t.Run(fmt.Sprintf("%d %s", width, scheme), func(t *testing.T) {
				a := openAttach(t, b, []chat.Option{chat.AllowAttachments(), chat.Size("100%", "640px")}, nil, "")
				a.Do(chromedp.EmulateViewport(width, 700), chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
					_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
						Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
					})
					return err
				}))
				drop := func(files string) {
					a.JS(`(() => { const dt = new DataTransfer(); for (const f of [` + files + `]) dt.items.add(f);
						q(".sheen-chat-log").dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true})); })()`)
				}
				drop(`b64File("lake.png", "image/png", ` + strconv.Quote(pic) + `), b64File("quarterly-report-2026.pdf", "application/pdf", ` + strconv.Quote(pdf) + `)`)
				a.Wait(`trayStates() === "done,done"`)
				a.typeText("What is in this picture, and does the report agree?")
				a.send()
				recv(t, a.got, "the submission")
				a.Wait(`lastText().startsWith("got: ")`)
				drop(`b64File("sunset.png", "image/png", ` + strconv.Quote(pic) + `), mkFile("notes.md", "text/markdown", 2300, 35), mkFile("sales.csv", "text/csv", 48000, 49)`)
				a.Wait(`trayStates() === "done,done,done"`)
				a.typeText("Now these")
				a.settle()
				a.shot(fmt.Sprintf("attach-%d-%s", width, scheme))
				if width == 1200 {
					// An upload in flight and a refusal.
					throttle(a.chatTab, 100<<10)
					drop(`mkFile("big-log.txt", "text/plain", 3 << 20, 50)`)
					a.Wait(`__progress.some((p) => p >= 5 && p < 100)`)
					drop(`mkFile("setup.exe", "application/x-msdownload", 1000)`)
					a.Wait(`attachError() !== ""`)
					a.settle()
					a.shot(fmt.Sprintf("attach-progress-%d-%s", width, scheme))
					a.clickOn(`#chat .sheen-chat-tray .sheen-chat-file:last-child .sheen-chat-file-remove`)
					a.Wait(`tray().length === 3`)
					throttle(a.chatTab, -1)
				}
			})
		}
	}
}
