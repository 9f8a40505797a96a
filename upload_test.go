package sheen_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/internal/browsertest"
	"github.com/sheenhq/sheen/internal/pagetest"
)

// uploadRig is an app whose sessions accept uploads to "box"; each new
// session's endpoint arrives on ups.
type uploadRig struct {
	app *sheen.App
	url string
	dir string
	ups chan *sheen.Uploads
}

func newUploadRig(t testing.TB, lim sheen.UploadLimits) *uploadRig {
	t.Helper()
	r := &uploadRig{dir: t.TempDir(), ups: make(chan *sheen.Uploads, 4)}
	app := sheen.New(sheen.Page("t", sheen.TextOutput("o")), func(s *sheen.Session) {
		r.ups <- s.AcceptUploads("box", lim)
	}, sheen.WithLogger(zap.NewNop()), sheen.WithUploadDir(r.dir))
	r.app = app
	r.url = browsertest.Serve(t, app).URL
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = app.Shutdown(ctx)
	})
	return r
}

// session opens a page and returns its upload endpoint.
func (r *uploadRig) session(t testing.TB) *sheen.Uploads {
	t.Helper()
	pagetest.Open(t, r.url, "box")
	select {
	case u := <-r.ups:
		return u
	case <-time.After(20 * time.Second):
		t.Fatal("no session")
		return nil
	}
}

// files lists the upload directory.
func (r *uploadRig) files(t testing.TB) []string {
	t.Helper()
	es, err := os.ReadDir(r.dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

type upReq struct {
	origin, token, name, ctype string
	body                       []byte
}

func (r *uploadRig) post(t *testing.T, u *sheen.Uploads, q upReq) (*http.Response, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, r.url+"/"+u.URL(), bytes.NewReader(q.body))
	if q.origin != "" {
		req.Header.Set("Origin", q.origin)
	}
	req.Header.Set(sheen.UploadHeader, q.token)
	req.Header.Set("X-Sheen-Name", url.PathEscape(q.name))
	req.Header.Set("Content-Type", q.ctype)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp, out
}

func pngBytes(t testing.TB, w, h int) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestUploadEndpoint(t *testing.T) {
	lim := sheen.UploadLimits{Types: []string{"image/*", "application/pdf", "text/plain", "text/markdown"}, MaxFile: 64 << 10, MaxTotal: 100 << 10, MaxFiles: 4}
	r := newUploadRig(t, lim)
	u := r.session(t)
	other := r.session(t)
	img := pngBytes(t, 10, 10)
	pdf := []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n")
	tests := []struct {
		name   string
		q      upReq
		status int
	}{
		{"a PNG", upReq{name: "a.png", ctype: "image/png", body: img}, http.StatusCreated},
		{"same origin", upReq{origin: r.url, name: "b.png", ctype: "image/png", body: img}, http.StatusCreated},
		{"a PDF", upReq{name: "r.pdf", ctype: "application/pdf", body: pdf}, http.StatusCreated},
		{"a foreign origin", upReq{origin: "https://evil.example", name: "a.png", ctype: "image/png", body: img}, http.StatusForbidden},
		{"another port", upReq{origin: strings.Replace(r.url, "127.0.0.1:", "127.0.0.1:1", 1), name: "a.png", ctype: "image/png", body: img}, http.StatusForbidden},
		{"another session's token", upReq{token: other.Token(), name: "a.png", ctype: "image/png", body: img}, http.StatusForbidden},
		{"no token", upReq{token: "-", name: "a.png", ctype: "image/png", body: img}, http.StatusForbidden},
		{"a PNG named .pdf", upReq{name: "x.pdf", ctype: "application/pdf", body: img}, http.StatusUnsupportedMediaType},
		{"a PNG named .pdf, declared PNG", upReq{name: "x.pdf", ctype: "image/png", body: img}, http.StatusUnsupportedMediaType},
		{"a PDF declared PNG", upReq{name: "x.png", ctype: "image/png", body: pdf}, http.StatusUnsupportedMediaType},
		{"a type not allowed", upReq{name: "x.zip", ctype: "application/zip", body: []byte("PK\x03\x04")}, http.StatusUnsupportedMediaType},
		{"no type", upReq{name: "x", ctype: "", body: img}, http.StatusUnsupportedMediaType},
		{"binary as text", upReq{name: "x.txt", ctype: "text/plain", body: append([]byte("hello"), 0, 1, 2)}, http.StatusUnsupportedMediaType},
		{"binary past the head as text", upReq{name: "x.txt", ctype: "text/plain", body: append(bytes.Repeat([]byte("a"), 2000), 0xff, 0xfe)}, http.StatusUnsupportedMediaType},
		{"text", upReq{name: "n.md", ctype: "text/markdown", body: []byte(strings.Repeat("é", 3000))}, http.StatusCreated},
		{"over the file limit", upReq{name: "big.txt", ctype: "text/plain", body: bytes.Repeat([]byte("a"), 65<<10)}, http.StatusRequestEntityTooLarge},
		{"over the count", upReq{name: "c.png", ctype: "image/png", body: img}, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.q
			switch q.token {
			case "":
				q.token = u.Token()
			case "-":
				q.token = ""
			}
			resp, out := r.post(t, u, q)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d (%v), want %d", resp.StatusCode, out, tt.status)
			}
			if tt.status == http.StatusCreated {
				if out["name"] != q.name || out["size"] != float64(len(q.body)) || out["type"] != q.ctype {
					t.Fatalf("answer %v", out)
				}
			} else if out["error"] == "" {
				t.Fatalf("no error message: %v", out)
			}
		})
	}
	if n := u.Pending(); n != 4 {
		t.Fatalf("pending = %d, want 4", n)
	}
	if n := len(r.files(t)); n != 4 {
		t.Fatalf("%d files on disk, want 4", n)
	}
}

func TestUploadTakeAndDelete(t *testing.T) {
	r := newUploadRig(t, sheen.UploadLimits{Types: []string{"image/png"}})
	u := r.session(t)
	img := pngBytes(t, 40, 30)
	post := func() string {
		resp, out := r.post(t, u, upReq{token: u.Token(), name: "dir/../a b.png", ctype: "image/png", body: img})
		if resp.StatusCode != http.StatusCreated || out["name"] != "a b.png" {
			t.Fatalf("upload: %d %v", resp.StatusCode, out)
		}
		return out["id"].(string)
	}
	id := post()
	f, ok := u.Take(id)
	if !ok || f.Size != int64(len(img)) || f.MIME != "image/png" {
		t.Fatalf("Take = %+v, %v", f, ok)
	}
	if data, err := f.ReadAll(); err != nil || !bytes.Equal(data, img) {
		t.Fatalf("ReadAll: %v", err)
	}
	if _, again := u.Take(id); again {
		t.Fatal("taken twice")
	}
	f.Remove()
	// DELETE: the tray's remove button.
	id = post()
	del := func(token string) int {
		req, _ := http.NewRequest(http.MethodDelete, r.url+"/"+u.URL()+"/"+id, nil)
		req.Header.Set(sheen.UploadHeader, token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := del("wrong"); st != http.StatusForbidden || u.Pending() != 1 {
		t.Fatalf("DELETE with a wrong token: %d, pending %d", st, u.Pending())
	}
	if st := del(u.Token()); st != http.StatusNoContent || u.Pending() != 0 {
		t.Fatalf("DELETE: %d, pending %d", st, u.Pending())
	}
	if n := len(r.files(t)); n != 0 {
		t.Fatalf("%d files left", n)
	}
}

// An upload cut halfway leaves no file; a session that ends removes the
// files it was not given.
func TestUploadAbortLeavesNothing(t *testing.T) {
	r := newUploadRig(t, sheen.UploadLimits{Types: []string{"text/plain"}})
	u := r.session(t)
	// A request that says 1 MiB and sends 100 KiB, then hangs up.
	addr := strings.TrimPrefix(r.url, "http://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	head := "POST /" + u.URL() + " HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: text/plain\r\nX-Sheen-Name: a.txt\r\n" +
		sheen.UploadHeader + ": " + u.Token() + "\r\nContent-Length: 1048576\r\n\r\n"
	if _, err := io.WriteString(conn, head+strings.Repeat("a", 100<<10)); err != nil {
		t.Fatal(err)
	}
	// Wait until the server has its temporary file, then cut.
	deadline := time.Now().Add(20 * time.Second)
	for len(r.files(t)) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond) // polling a condition, not a sleep for order
	}
	if len(r.files(t)) == 0 {
		t.Fatal("the upload never started")
	}
	conn.Close()
	for len(r.files(t)) > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := len(r.files(t)); n != 0 {
		t.Fatalf("%d files left after an aborted upload", n)
	}
	if u.Pending() != 0 {
		t.Fatal("an aborted upload is pending")
	}
	// Held files go when the session ends.
	if resp, _ := r.post(t, u, upReq{token: u.Token(), name: "c.txt", ctype: "text/plain", body: []byte("kept")}); resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d", resp.StatusCode)
	}
	if n := len(r.files(t)); n != 1 {
		t.Fatalf("%d files, want 1", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.app.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(r.files(t)); n != 0 {
		t.Fatalf("%d files left after the session ended", n)
	}
}

func TestCheckFileType(t *testing.T) {
	img := pngBytes(t, 2, 2)
	tests := []struct {
		types          []string
		name, declared string
		head           []byte
		ok             bool
	}{
		{[]string{"image/*"}, "a.png", "image/png", img, true},
		{[]string{"image/*"}, "a.png", "image/png; charset=x", img, true},
		{[]string{"image/*"}, "a.PNG", "image/jpeg", nil, false},
		{[]string{"image/*"}, "a", "image/gif", img, false},
		{[]string{"*/*"}, "a.bin", "application/octet-stream", []byte{1, 2, 3}, true},
		{[]string{"*/*"}, "a.bin", "application/x-thing", []byte{1, 2, 3}, true},
		{[]string{"*/*"}, "a.bin", "application/pdf", []byte{1, 2, 3}, false},
		{[]string{"text/*"}, "a.csv", "text/plain", []byte("a,b"), true},
		{[]string{"text/*"}, "notes", "text/plain", []byte("<html>hi</html>"), true},
		{[]string{"application/json"}, "a.json", "application/json", []byte(`{"a":1}`), true},
		{[]string{"application/json"}, "a.json", "application/json", img, false},
		{nil, "a.png", "image/png", img, false},
	}
	for _, tt := range tests {
		err := sheen.CheckFileType(tt.types, tt.name, tt.declared, tt.head)
		if (err == nil) != tt.ok {
			t.Errorf("CheckFileType(%v, %q, %q) = %v, want ok %v", tt.types, tt.name, tt.declared, err, tt.ok)
		}
	}
}

func TestCleanFileName(t *testing.T) {
	for in, want := range map[string]string{
		"a.png": "a.png", "../../etc/passwd": "passwd", `C:\x\y.txt`: "y.txt", "a\x00b\nc": "abc", "": "file", "..": "file",
		strings.Repeat("é", 200): strings.Repeat("é", 127),
	} {
		if got := sheen.CleanFileName(in); got != want {
			t.Errorf("CleanFileName(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzCleanFileName: whatever a page sends, the name kept is a non-empty
// UTF-8 base name of at most 255 bytes without control characters.
func FuzzCleanFileName(f *testing.F) {
	for _, s := range []string{"a.png", "../x", "a\x00b", "\xff\xfe", strings.Repeat("é", 300), "C:\\a\\b.txt"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := sheen.CleanFileName(in)
		if out == "" || len(out) > 255 || !utf8.ValidString(out) || strings.ContainsAny(out, "/\\\x00\n\r") || out == "." || out == ".." {
			t.Fatalf("CleanFileName(%q) = %q", in, out)
		}
	})
}

// FuzzCheckFileType: any name, declaration and content is judged without a
// panic; a textual declaration is accepted only for UTF-8 content.
func FuzzCheckFileType(f *testing.F) {
	f.Add("a.png", "image/png", []byte("\x89PNG\r\n\x1a\n"))
	f.Add("a.txt", "text/plain", []byte("héllo"))
	f.Add("a.pdf", "application/pdf", []byte("%PDF-1.4"))
	f.Fuzz(func(t *testing.T, name, declared string, head []byte) {
		err := sheen.CheckFileType([]string{"*/*"}, name, declared, head)
		if err == nil && strings.HasPrefix(strings.ToLower(strings.TrimSpace(declared)), "text/") && !utf8.Valid(head) && len(head) < 512 {
			t.Fatalf("%q declared %q accepted with non-UTF-8 content %q", name, declared, head)
		}
	})
}
