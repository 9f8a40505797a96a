package sheen

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/zap"
)

func testApp(t *testing.T, opts ...Option) *App {
	t.Helper()
	return New(Page("t", TextInput("name", "Name", ""), ActionButton("go", "Go"), BookmarkButton("bm", "Bookmark")),
		func(*Session) {}, append([]Option{WithLogger(zap.NewNop())}, opts...)...)
}

func TestUserCookie(t *testing.T) {
	a := testApp(t, WithCookieKey([]byte(strings.Repeat("k", 32))))
	other := testApp(t, WithCookieKey([]byte(strings.Repeat("o", 32))))
	id := newUserID()
	good := a.signUser(id)
	idPart, mac, _ := strings.Cut(good, ".")
	tests := []struct {
		name  string
		value string
		ok    bool
	}{
		{"signed", good, true},
		{"other key", other.signUser(id), false},
		{"other id, same mac", newUserID() + "." + mac, false},
		{"no mac", idPart, false},
		{"empty mac", idPart + ".", false},
		{"short id", idPart[:21] + "." + mac, false},
		{"not base64", strings.Repeat("!", 22) + "." + mac, false},
		{"empty", "", false},
		{"truncated mac", idPart + "." + mac[:len(mac)-1], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := a.verifyUser(tt.value)
			if ok != tt.ok || (ok && got != id) {
				t.Errorf("verifyUser(%q) = %q, %v; want ok=%v", tt.value, got, ok, tt.ok)
			}
		})
	}
	// The value carries no expiry: the same id signs the same way each time.
	if a.signUser(id) != good {
		t.Error("signing is not deterministic")
	}
}

func TestPageSetsCookie(t *testing.T) {
	a := testApp(t, WithCookieKey([]byte(strings.Repeat("k", 32))))
	get := func(cookie *http.Cookie) *http.Response {
		r := httptest.NewRequest("GET", "/", nil)
		if cookie != nil {
			r.AddCookie(cookie)
		}
		w := httptest.NewRecorder()
		a.ServeHTTP(w, r)
		return w.Result()
	}
	res := get(nil)
	cs := res.Cookies()
	if res.StatusCode != 200 || len(cs) != 1 {
		t.Fatalf("status %d, cookies %v", res.StatusCode, cs)
	}
	c := cs[0]
	if c.Name != UserCookie || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure || c.MaxAge < 399*24*3600 {
		t.Errorf("cookie %+v", c)
	}
	id, ok := a.verifyUser(c.Value)
	if !ok {
		t.Fatal("the page's cookie does not verify")
	}
	// A valid cookie keeps its id; a forged one gets a new id.
	if again, _ := a.verifyUser(get(c).Cookies()[0].Value); again != id {
		t.Errorf("id %q became %q", id, again)
	}
	forged := &http.Cookie{Name: UserCookie, Value: id + ".AAAA"}
	if nid, ok := a.verifyUser(get(forged).Cookies()[0].Value); !ok || nid == id {
		t.Errorf("a forged cookie kept id %q (new %q, %v)", id, nid, ok)
	}
	// Over TLS the cookie is Secure.
	r := httptest.NewRequest("GET", "https://example.com/", nil)
	w := httptest.NewRecorder()
	a.ServeHTTP(w, r)
	if !w.Result().Cookies()[0].Secure {
		t.Error("cookie over TLS is not Secure")
	}
}

func TestCookieKeyTooShort(t *testing.T) {
	defer func() {
		if p := recover(); p == nil || !strings.Contains(p.(string), "at least 32") {
			t.Errorf("panic %v", p)
		}
	}()
	testApp(t, WithCookieKey(make([]byte, 31)))
}

func TestCookieKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "key")
	a := testApp(t, WithCookieKeyFile(path))
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 || info.Size() != 32 {
		t.Errorf("key file mode %v, size %d", info.Mode().Perm(), info.Size())
	}
	b := testApp(t, WithCookieKeyFile(path)) // a restart reuses it
	if string(a.key) != string(b.key) {
		t.Error("the key file was not reused")
	}
	short := filepath.Join(dir, "short")
	if err := os.WriteFile(short, []byte("tiny"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := testApp(t, WithCookieKeyFile(short)) // falls back to a process key
	if len(c.key) != 32 {
		t.Errorf("fallback key has %d bytes", len(c.key))
	}
	d := testApp(t, WithCookieKeyFile(filepath.Join(dir, "no", "such", "dir", "key")))
	if len(d.key) != 32 {
		t.Errorf("fallback key has %d bytes", len(d.key))
	}
}

func TestUsersAndPageChecks(t *testing.T) {
	a := testApp(t,
		WithUsers(func(r *http.Request) (string, error) {
			switch r.Header.Get("X-User") {
			case "":
				return "", os.ErrPermission
			case "panic":
				panic("auth broke")
			case "empty":
				return "", nil
			}
			return r.Header.Get("X-User"), nil
		}),
		WithPageCheck(func(r *http.Request, user string) int {
			if c := r.URL.Query().Get("c"); c != "" && c != user+"-conv" {
				return http.StatusNotFound
			}
			return 0
		}),
	)
	tests := []struct {
		name, path, user string
		want             int
	}{
		{"no user", "/", "", 401},
		{"panicking auth", "/", "panic", 401},
		{"empty id", "/", "empty", 401},
		{"user", "/", "ada", 200},
		{"own conversation", "/?c=ada-conv", "ada", 200},
		{"someone else's conversation", "/?c=bob-conv", "ada", 404},
		{"websocket without user", "/_sheen/ws", "", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", tt.path, nil)
			if tt.user != "" {
				r.Header.Set("X-User", tt.user)
			}
			w := httptest.NewRecorder()
			a.ServeHTTP(w, r)
			if w.Code != tt.want {
				t.Fatalf("status %d, want %d", w.Code, tt.want)
			}
			body := w.Body.String()
			if len(w.Result().Cookies()) != 0 {
				t.Error("WithUsers app set a cookie")
			}
			if tt.want == 404 {
				for _, leak := range []string{"bob", "ada", "belongs", "c="} {
					if strings.Contains(body, leak) {
						t.Errorf("the 404 page says %q:\n%s", leak, body)
					}
				}
				if !strings.Contains(body, "Not found") || !strings.Contains(body, `href="./"`) || !strings.Contains(body, "Start a new conversation") {
					t.Errorf("404 page:\n%s", body)
				}
			}
		})
	}
}

func TestPageCheckBadStatus(t *testing.T) {
	for _, code := range []int{302, 1000, -1} {
		a := testApp(t, WithPageCheck(func(*http.Request, string) int { return code }))
		w := httptest.NewRecorder()
		a.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		if w.Code != 500 {
			t.Errorf("check returning %d: status %d, want 500", code, w.Code)
		}
	}
}

func TestURLBookmarkRoundTrip(t *testing.T) {
	a := testApp(t, WithBookmarking(nil))
	st := &BookmarkState{
		Inputs: map[string]json.RawMessage{"name": json.RawMessage(`"Ada & Bob=?"`), "n": json.RawMessage(`5`)},
		Values: map[string]json.RawMessage{"note key": json.RawMessage(`{"a":[1,2]}`)},
	}
	q := mergeBookmark("?c=k3j", encodeURLBookmark(st))
	if !strings.HasPrefix(q, "c=k3j&") {
		t.Errorf("query %q lost c=", q)
	}
	got, err := a.readBookmark(context.Background(), "?"+q)
	if err != nil {
		t.Fatal(err)
	}
	gj, _ := json.Marshal(got)
	wj, _ := json.Marshal(st)
	if string(gj) != string(wj) {
		t.Errorf("got %s\nwant %s", gj, wj)
	}
}

func TestReadBookmarkBad(t *testing.T) {
	a := testApp(t, WithBookmarking(nil))
	store := testApp(t, WithBookmarking(BookmarkMemory()))
	tests := []struct {
		name    string
		app     *App
		query   string
		inputs  int  // restored inputs
		restore bool // a state comes back
	}{
		{"no query", a, "", 0, false},
		{"unrelated params", a, "?c=1&x=2", 0, false},
		{"not JSON", a, "?_inputs_.n=five", 0, true},
		{"bad escape", a, "?_inputs_.n=%zz&_inputs_.m=1", 1, true},
		{"invalid id", a, "?_inputs_.%3Cscript%3E=1&_inputs_.ok=2", 1, true},
		{"oversized", a, "?_inputs_.n=" + strings.Repeat("1", maxQuery), 0, false},
		{"state id in URL mode", a, "?_state_id_=AAAAAAAAAAAAAAAAAAAAAA", 0, false},
		{"unknown state id", store, "?_state_id_=AAAAAAAAAAAAAAAAAAAAAA", 0, false},
		{"traversal id", store, "?_state_id_=..%2F..%2Fetc%2Fpasswd", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _ := tt.app.readBookmark(context.Background(), tt.query)
			if (st != nil) != tt.restore {
				t.Fatalf("state %v, want restore=%v", st, tt.restore)
			}
			if st != nil && len(st.Inputs) != tt.inputs {
				t.Errorf("inputs %v, want %d", st.Inputs, tt.inputs)
			}
		})
	}
	many := "?"
	for i := range 2000 {
		many += "_values_.k" + strings.Repeat("x", i%3) + string(rune('a'+i%26)) + "=" + "1&"
	}
	if st, _ := a.readBookmark(context.Background(), many); st != nil && len(st.Values)+len(st.Inputs) > maxBookmarkEntries {
		t.Errorf("%d entries restored", len(st.Values))
	}
}

func TestBookmarkDir(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(filepath.Dir(dir), "secret.json")
	_ = os.WriteFile(secret, []byte(`{"inputs":{"x":1}}`), 0o600)
	s := BookmarkDir(filepath.Join(dir, "bm"))
	ctx := context.Background()
	id, err := s.Save(ctx, []byte(`{"inputs":{"n":5}}`))
	if err != nil {
		t.Fatal(err)
	}
	if !validBookmarkID(id) {
		t.Errorf("id %q", id)
	}
	info, err := os.Stat(filepath.Join(dir, "bm", id+".json"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("file %v %v", info, err)
	}
	if b, err := s.Load(ctx, id); err != nil || string(b) != `{"inputs":{"n":5}}` {
		t.Errorf("Load = %s, %v", b, err)
	}
	for _, bad := range []string{"../secret", "../../secret", "/etc/passwd", "", "..%2Fsecret", strings.Repeat(".", 22), "AAAAAAAAAAAAAAAAAAAAA/", "AAAAAAAAAAAAAAAAAAAAAAA"} {
		if b, err := s.Load(ctx, bad); err == nil {
			t.Errorf("Load(%q) = %s", bad, b)
		}
	}
	if _, err := s.Save(ctx, make([]byte, MaxStoredBookmark+1)); err == nil {
		t.Error("an oversized bookmark was saved")
	}
	big := filepath.Join(dir, "bm", strings.Repeat("B", 22)+".json")
	_ = os.WriteFile(big, make([]byte, MaxStoredBookmark+1), 0o600)
	if _, err := s.Load(ctx, strings.Repeat("B", 22)); err == nil {
		t.Error("an oversized bookmark was loaded")
	}
	m := BookmarkMemory()
	mid, _ := m.Save(ctx, []byte(`{}`))
	if b, err := m.Load(ctx, mid); err != nil || string(b) != `{}` {
		t.Errorf("memory Load = %s, %v", b, err)
	}
	if _, err := m.Save(ctx, make([]byte, MaxStoredBookmark+1)); err == nil {
		t.Error("memory: an oversized bookmark was saved")
	}
}

func TestScanPageButtons(t *testing.T) {
	a := testApp(t)
	if !a.buttons["go"] || !a.buttons["bm"] || a.buttons["name"] || len(a.bmButtons) != 1 || a.bmButtons[0] != "bm" {
		t.Errorf("buttons %v, bookmark buttons %v", a.buttons, a.bmButtons)
	}
}
