package sheen

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"go.uber.org/zap"
)

// Upload defaults (see [UploadLimits]).
const (
	DefaultMaxUploadFile  = 20 << 20 // bytes of one file
	DefaultMaxUploadTotal = 30 << 20 // bytes of the files a target holds at once
	DefaultMaxUploads     = 10       // files a target holds at once
)

// UploadHeader is the request header that carries a session's upload token.
const UploadHeader = "X-Sheen-Upload"

// UploadLimits bound what a page may upload to one target of its session
// (see [Session.AcceptUploads]). Zero values take the defaults.
type UploadLimits struct {
	// Types are the MIME types accepted: exact ("image/png") or a major type
	// ("image/*"). None: nothing is accepted.
	Types []string
	// MaxFile is the largest file, in bytes (default [DefaultMaxUploadFile]).
	MaxFile int64
	// MaxTotal is the most bytes the target holds at once: the files
	// uploaded and not yet taken by the app, and those arriving (default
	// [DefaultMaxUploadTotal]).
	MaxTotal int64
	// MaxFiles is the most files the target holds at once (default
	// [DefaultMaxUploads]).
	MaxFiles int
}

func (l *UploadLimits) defaults() {
	if l.MaxFile <= 0 {
		l.MaxFile = DefaultMaxUploadFile
	}
	if l.MaxTotal <= 0 {
		l.MaxTotal = DefaultMaxUploadTotal
	}
	if l.MaxFiles <= 0 {
		l.MaxFiles = DefaultMaxUploads
	}
}

// WithUploadDir sets the directory where uploads are written while they
// arrive and until the app takes them (default [os.TempDir]).
func WithUploadDir(dir string) Option { return func(c *config) { c.uploadDir = dir } }

// Upload is a file a page uploaded, held in a temporary file until the app
// takes it ([Uploads.Take]) and removes it ([Upload.Remove]).
type Upload struct {
	ID   string // random; the page refers to the file by it
	Name string // the file's name as the page gave it (a base name, cleaned)
	MIME string // the declared type, which the content agrees with
	Size int64
	path string
}

// Open opens the file for reading.
func (u *Upload) Open() (*os.File, error) { return os.Open(u.path) }

// ReadAll returns the file's bytes.
func (u *Upload) ReadAll() ([]byte, error) { return os.ReadFile(u.path) }

// Remove deletes the temporary file. Safe to call more than once.
func (u *Upload) Remove() {
	if err := os.Remove(u.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		zap.L().Warn("sheen: upload not removed", zap.String("path", u.path), zap.Error(err))
	}
}

// Uploads is one target's upload endpoint in a session: the page POSTs
// files to it and refers to them by id; the app takes them. Files not taken
// are removed when the session ends. Safe for concurrent use.
type Uploads struct {
	s      *Session
	target string
	lim    UploadLimits

	mu       sync.Mutex
	files    map[string]*Upload
	reserved int64 // bytes of files held and arriving
	count    int   // files held and arriving
	closed   bool
}

// AcceptUploads opens an upload endpoint for target (a component's id) in
// the session, with lim's limits, and returns it. Calling it again for the
// same target returns the same endpoint with the new limits. The endpoint
// accepts requests only from the session's page: same origin (or one
// allowed by [WithOrigins], as for the WebSocket), the session's user, and
// the session's upload token ([Uploads.Token]) in the [UploadHeader] header.
func (s *Session) AcceptUploads(target string, lim UploadLimits) *Uploads {
	lim.defaults()
	lim.Types = append([]string(nil), lim.Types...)
	s.upMu.Lock()
	defer s.upMu.Unlock()
	if s.uploads == nil {
		s.uploads = map[string]*Uploads{}
	}
	u := s.uploads[target]
	if u == nil {
		u = &Uploads{s: s, target: target, files: map[string]*Upload{}}
		s.uploads[target] = u
	}
	u.mu.Lock()
	u.lim = lim
	u.mu.Unlock()
	return u
}

// URL is the endpoint's path relative to the page ("_sheen/upload/…"), for a
// page served at the app's root or under a prefix.
func (u *Uploads) URL() string {
	return "_sheen/upload/" + u.s.id + "/" + url.PathEscape(u.target)
}

// Token is the session's upload token, which the page sends in the
// [UploadHeader] header. Give it to the page over the session's WebSocket
// only.
func (u *Uploads) Token() string { return u.s.upToken }

// Limits returns the endpoint's limits, defaults filled in.
func (u *Uploads) Limits() UploadLimits {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.lim
}

// Take hands the upload with the given id over to the caller, who must
// Remove it when done; false if there is no such upload (never sent,
// removed, or taken already).
func (u *Uploads) Take(id string) (*Upload, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	f, ok := u.files[id]
	if ok {
		delete(u.files, id)
		u.reserved -= f.Size
		u.count--
	}
	return f, ok
}

// Pending returns the number of files uploaded and not yet taken.
func (u *Uploads) Pending() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.files)
}

// close removes the files not taken; later uploads are refused.
func (u *Uploads) close() {
	u.mu.Lock()
	files := u.files
	u.files, u.closed = map[string]*Upload{}, true
	u.mu.Unlock()
	for _, f := range files {
		f.Remove()
	}
}

// closeUploads runs when the session ends.
func (s *Session) closeUploads() {
	s.upMu.Lock()
	ups := s.uploads
	s.uploads = nil
	s.upMu.Unlock()
	for _, u := range ups {
		u.close()
	}
}

// UploadError is why an upload is refused: its HTTP status and a message
// the page may show.
type UploadError struct {
	Status  int
	Message string
}

func (e *UploadError) Error() string { return e.Message }

func refusal(status int, format string, args ...any) *UploadError {
	return &UploadError{Status: status, Message: fmt.Sprintf(format, args...)}
}

// serveUpload serves "/_sheen/upload/<session>/<target>[/<file>]": POST a
// file (its bytes as the body, its type in Content-Type, its name in
// X-Sheen-Name, percent-encoded) and get {id, name, type, size}; DELETE a
// file not yet taken.
func (a *App) serveUpload(w http.ResponseWriter, r *http.Request) {
	a.setSecurityHeaders(w.Header())
	w.Header().Set("Cache-Control", "no-store")
	fail := func(e *UploadError, why string) {
		a.log.Info("sheen: upload refused", zap.String("why", why), zap.String("path", r.URL.Path), zap.String("remote", r.RemoteAddr))
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodPost && r.ContentLength != 0 {
			w.Header().Set("Connection", "close") // the body is not read
		}
		w.WriteHeader(e.Status)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": e.Message})
	}
	if r.Method != http.MethodPost && r.Method != http.MethodDelete {
		w.Header().Set("Allow", "POST, DELETE")
		fail(refusal(http.StatusMethodNotAllowed, "method not allowed"), "method")
		return
	}
	if !a.checkOrigin(r) {
		fail(refusal(http.StatusForbidden, "origin not allowed"), "origin "+r.Header.Get("Origin"))
		return
	}
	rest := strings.TrimPrefix(r.URL.EscapedPath(), "/_sheen/upload/")
	parts := strings.Split(rest, "/")
	if len(parts) < 2 || len(parts) > 3 || (r.Method == http.MethodDelete) != (len(parts) == 3) {
		fail(refusal(http.StatusNotFound, "not found"), "path")
		return
	}
	target, err := url.PathUnescape(parts[1])
	if err != nil {
		fail(refusal(http.StatusNotFound, "not found"), "path")
		return
	}
	a.mu.Lock()
	s := a.sessions[parts[0]]
	a.mu.Unlock()
	// One answer for an unknown session and a wrong token: a page learns
	// nothing about other sessions.
	if s == nil || subtle.ConstantTimeCompare([]byte(r.Header.Get(UploadHeader)), []byte(s.upToken)) != 1 {
		fail(refusal(http.StatusForbidden, "not allowed"), "session or token")
		return
	}
	if user, real, err := a.wsUser(r); err != nil || real && user != s.user {
		fail(refusal(http.StatusForbidden, "not allowed"), "user")
		return
	}
	s.upMu.Lock()
	up := s.uploads[target]
	s.upMu.Unlock()
	if up == nil {
		fail(refusal(http.StatusNotFound, "this component takes no uploads"), "target")
		return
	}
	if r.Method == http.MethodDelete {
		if f, ok := up.Take(parts[2]); ok {
			f.Remove()
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	f, uerr := up.receive(w, r)
	if uerr != nil {
		fail(uerr, uerr.Message)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{"id": f.ID, "name": f.Name, "type": f.MIME, "size": f.Size})
}

// receive checks an upload's declared name, type and size, reserves room
// for it, and streams its body to a temporary file, checking the content.
func (u *Uploads) receive(w http.ResponseWriter, r *http.Request) (*Upload, *UploadError) {
	lim := u.Limits()
	name, err := url.PathUnescape(r.Header.Get("X-Sheen-Name"))
	if err != nil {
		return nil, refusal(http.StatusBadRequest, "bad file name")
	}
	name = CleanFileName(name)
	declared := mediaTypeOf(r.Header.Get("Content-Type"))
	size := r.ContentLength
	switch {
	case size < 0:
		return nil, refusal(http.StatusLengthRequired, "the size must be given (Content-Length)")
	case size > lim.MaxFile:
		return nil, refusal(http.StatusRequestEntityTooLarge, "%q is larger than %s", name, FormatBytes(lim.MaxFile))
	}
	if err := CheckFileType(lim.Types, name, declared, nil); err != nil {
		return nil, refusal(http.StatusUnsupportedMediaType, "%s", err.Error())
	}
	u.mu.Lock()
	switch {
	case u.closed:
		u.mu.Unlock()
		return nil, refusal(http.StatusForbidden, "not allowed")
	case u.count+1 > lim.MaxFiles:
		u.mu.Unlock()
		return nil, refusal(http.StatusRequestEntityTooLarge, "at most %d files at once", lim.MaxFiles)
	case u.reserved+size > lim.MaxTotal:
		u.mu.Unlock()
		return nil, refusal(http.StatusRequestEntityTooLarge, "the files together would be larger than %s", FormatBytes(lim.MaxTotal))
	}
	u.count++
	u.reserved += size
	u.mu.Unlock()
	kept := false
	defer func() {
		if !kept {
			u.mu.Lock()
			u.count--
			u.reserved -= size
			u.mu.Unlock()
		}
	}()

	tmp, err := os.CreateTemp(u.s.app.cfg.uploadDir, "sheen-upload-*")
	if err != nil {
		u.s.log.Error("sheen: upload: no temporary file", zap.Error(err))
		return nil, refusal(http.StatusInternalServerError, "the upload could not be stored")
	}
	defer func() {
		if !kept {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	// A client that stops sending is cut after uploadIdle without a byte:
	// it holds a goroutine and part of the session's quota.
	body := http.MaxBytesReader(nil, &idleReader{r: r.Body, rc: http.NewResponseController(w)}, size)
	// The first bytes decide the content's type; text is checked to the end.
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(body, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, refusal(http.StatusBadRequest, "the upload was cut")
	}
	head = head[:n]
	if err := CheckFileType(lim.Types, name, declared, head); err != nil {
		return nil, refusal(http.StatusUnsupportedMediaType, "%s", err.Error())
	}
	var dst io.Writer = tmp
	var tv *textValidator
	if textual(declared) {
		tv = &textValidator{w: tmp}
		dst = tv
	}
	if _, err := dst.Write(head); err != nil {
		return nil, uploadWriteError(u.s, name, err)
	}
	buf := make([]byte, 32<<10)
	got, err := io.CopyBuffer(onlyWriter{dst}, onlyReader{body}, buf)
	if err != nil {
		if errors.Is(err, errNotText) {
			return nil, refusal(http.StatusUnsupportedMediaType, "%q is not UTF-8 text", name)
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, refusal(http.StatusRequestEntityTooLarge, "%q is larger than it said", name)
		}
		return nil, refusal(http.StatusBadRequest, "the upload was cut")
	}
	if int64(n)+got != size {
		return nil, refusal(http.StatusBadRequest, "the upload was cut")
	}
	if tv != nil && !tv.finish() {
		return nil, refusal(http.StatusUnsupportedMediaType, "%q is not UTF-8 text", name)
	}
	if err := tmp.Close(); err != nil {
		return nil, uploadWriteError(u.s, name, err)
	}
	f := &Upload{ID: randomID("f_", 12), Name: name, MIME: declared, Size: size, path: tmp.Name()}
	u.mu.Lock()
	if u.closed {
		u.mu.Unlock()
		return nil, refusal(http.StatusForbidden, "not allowed")
	}
	u.files[f.ID] = f
	kept = true
	u.mu.Unlock()
	u.s.log.Debug("sheen: upload received", zap.String("target", u.target), zap.String("name", name), zap.String("type", declared), zap.Int64("size", size))
	return f, nil
}

func uploadWriteError(s *Session, name string, err error) *UploadError {
	s.log.Error("sheen: upload not written", zap.String("name", name), zap.Error(err))
	return refusal(http.StatusInternalServerError, "the upload could not be stored")
}

// uploadIdle is how long an upload may go without a byte arriving.
const uploadIdle = 30 * time.Second

// idleReader moves the connection's read deadline ahead as bytes arrive
// (at most once a second: it is not free).
type idleReader struct {
	r    io.ReadCloser
	rc   *http.ResponseController
	last time.Time
}

func (i *idleReader) Read(p []byte) (int, error) {
	if now := time.Now(); now.Sub(i.last) > time.Second {
		i.last = now
		_ = i.rc.SetReadDeadline(now.Add(uploadIdle)) // a writer that cannot: no deadline
	}
	return i.r.Read(p)
}

func (i *idleReader) Close() error { return i.r.Close() }

// onlyWriter and onlyReader hide ReadFrom and WriteTo, so the copy goes
// through its fixed buffer.
type onlyWriter struct{ io.Writer }
type onlyReader struct{ io.Reader }

var errNotText = errors.New("not UTF-8 text")

// textValidator passes writes on while they are UTF-8 text without NUL
// bytes, keeping a rune cut by a write's end for the next.
type textValidator struct {
	w     io.Writer
	carry []byte
}

func (t *textValidator) Write(p []byte) (int, error) {
	b := p
	if len(t.carry) > 0 {
		b = append(t.carry, p...)
		t.carry = nil
	}
	// Keep an incomplete rune at the end for later.
	end := len(b)
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				end = i
			}
			break
		}
	}
	if !utf8.Valid(b[:end]) || bytes.IndexByte(b[:end], 0) >= 0 {
		return 0, errNotText
	}
	t.carry = append([]byte(nil), b[end:]...)
	if _, err := t.w.Write(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (t *textValidator) finish() bool { return len(t.carry) == 0 }

// CleanFileName makes a file name a page gave safe to show and keep: its
// base name, without control characters, at most 255 bytes ("file" if
// nothing is left).
func CleanFileName(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	for len(name) > 255 {
		_, n := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-n]
	}
	if name == "" || name == "." || name == ".." {
		name = "file"
	}
	return name
}

// FormatBytes writes n bytes for people: "512 B", "1.5 KB", "20 MB" (in
// units of 1024).
func FormatBytes(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/(1<<10))) + " KB"
	case n < 1<<30:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/(1<<20))) + " MB"
	}
	return trimZero(fmt.Sprintf("%.1f", float64(n)/(1<<30))) + " GB"
}

func trimZero(s string) string { return strings.TrimSuffix(s, ".0") }

func mediaTypeOf(s string) string {
	mt, _, err := mime.ParseMediaType(s)
	if err != nil {
		return ""
	}
	return mt
}

// TypeAllowed reports whether the MIME type t (its parameters aside)
// matches one of the patterns: an exact type or "major/*".
func TypeAllowed(patterns []string, t string) bool {
	mt := mediaTypeOf(t)
	if mt == "" {
		return false
	}
	major, _, _ := strings.Cut(mt, "/")
	for _, p := range patterns {
		p = strings.ToLower(p)
		if p == mt || p == "*/*" || strings.HasSuffix(p, "/*") && strings.TrimSuffix(p, "/*") == major {
			return true
		}
	}
	return false
}

// extTypes are the types of the file name extensions whose type is
// checked: a name with one of them must declare its type.
var extTypes = map[string]string{
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
	".pdf": "application/pdf", ".txt": "text/plain", ".md": "text/markdown", ".csv": "text/csv", ".json": "application/json",
	".html": "text/html", ".htm": "text/html", ".svg": "image/svg+xml", ".zip": "application/zip", ".exe": "application/x-msdownload",
}

// sniffAliases are what net/http.DetectContentType calls some types that
// it does not name.
var sniffAliases = map[string]string{
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   "application/zip",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         "application/zip",
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": "application/zip",
	"application/epub+zip": "application/zip",
	"image/svg+xml":        "text/xml",
}

// CheckFileType checks a file against an allowlist of MIME type patterns:
// its declared type must be allowed, agree with its name's extension (for
// the common ones), and, when head (the first bytes, up to 512) is given,
// with the type sniffed from the content by [http.DetectContentType]: a
// PNG named or declared .pdf is refused. Text types take any UTF-8 text
// (head shorter than 512 bytes is taken for the whole file).
func CheckFileType(patterns []string, name, declared string, head []byte) error {
	declared = mediaTypeOf(declared)
	switch {
	case declared == "":
		return fmt.Errorf("%q has no type", name)
	case !TypeAllowed(patterns, declared):
		return fmt.Errorf("%q: type %s is not accepted", name, declared)
	}
	if t, ok := extTypes[strings.ToLower(path.Ext(name))]; ok && t != declared && !(textual(t) && textual(declared)) {
		return fmt.Errorf("%q: the name says %s, the type %s", name, t, declared)
	}
	if head == nil {
		return nil
	}
	sniffed := mediaTypeOf(http.DetectContentType(head))
	switch {
	case textual(declared):
		if len(head) == sniffLen { // the file goes on: its last rune may be cut here
			head = trimCutRune(head)
		}
		if !strings.HasPrefix(sniffed, "text/") || !utf8.Valid(head) {
			return fmt.Errorf("%q is not text", name)
		}
	case sniffed == declared || sniffAliases[declared] == sniffed:
	case sniffed == "application/octet-stream" && !knownSniff(declared):
		// Content the sniffer does not know: the declared type stands.
	default:
		return fmt.Errorf("%q: the content is %s, not %s", name, sniffed, declared)
	}
	return nil
}

// sniffLen is how many bytes DetectContentType looks at.
const sniffLen = 512

// trimCutRune drops an incomplete rune at the end of b.
func trimCutRune(b []byte) []byte {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return b[:i]
			}
			break
		}
	}
	return b
}

// knownSniff reports whether DetectContentType recognises content of type
// mt: such a file must be recognised as it.
func knownSniff(mt string) bool {
	switch mt {
	case "image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "image/x-icon", "application/pdf",
		"application/zip", "application/x-gzip", "application/x-rar-compressed", "application/wasm",
		"audio/mpeg", "audio/wave", "audio/aiff", "audio/basic", "application/ogg", "audio/midi",
		"video/mp4", "video/webm", "video/avi", "font/woff", "font/woff2", "font/ttf", "font/otf",
		"application/postscript", "application/vnd.ms-fontobject":
		return true
	}
	return false
}

// textual reports whether mt is a text type: text/*, JSON, XML, YAML and the
// like.
func textual(mt string) bool {
	if strings.HasPrefix(mt, "text/") || strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "+xml") {
		return true
	}
	switch mt {
	case "application/json", "application/xml", "application/yaml", "application/x-yaml", "application/toml",
		"application/javascript", "application/x-ndjson", "application/sql", "application/csv":
		return true
	}
	return false
}
