package main

import (
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sheenhq/sheen/internal/browsertest"
	"github.com/sheenhq/sheen/internal/nginxtest"
	"github.com/sheenhq/sheen/internal/redistest"
)

// cluster is two instances of the example sharing a Redis and a cookie
// key, behind nginx.
type cluster struct {
	a, b   string   // the instances' addresses
	pa, pb *program // their processes
	nginx  *nginxtest.Server
}

func startCluster(t *testing.T, extra ...string) *cluster {
	t.Helper()
	rdb := redistest.Start(t)
	key := filepath.Join(t.TempDir(), "cookie.key")
	if err := os.WriteFile(key, []byte(rand.Text()+rand.Text()), 0o600); err != nil {
		t.Fatal(err)
	}
	c := &cluster{a: freeAddr(t), b: freeAddr(t)}
	common := append([]string{"-redis", rdb, "-cookie-key-file", key, "-proxies", "127.0.0.1"}, extra...)
	c.pa = startProgram(t, append([]string{"-addr", c.a, "-instance", "a"}, common...)...)
	c.pb = startProgram(t, append([]string{"-addr", c.b, "-instance", "b"}, common...)...)
	c.nginx = nginxtest.Start(t, []string{c.a, c.b})
	return c
}

// TestClusterThroughNginx: a conversation started in Chromium through
// nginx, whose page and WebSocket land on either instance, is shown
// identically by each instance asked directly: both read it from Redis and
// both recognise the user, whose cookie one of them signed.
func TestClusterThroughNginx(t *testing.T) {
	c := startCluster(t, "-offline-delay", "1ms", "-hosts", "chat.example")
	browser := browsertest.New(t)
	tab := historyTab(t, browser, c.nginx.URL+"/")
	send(t, tab, "What is sheen?")
	tab.Wait(`cParam() !== "" && msgs().length === 2 && last().dataset.status === "done" && idle()`)
	id := browsertest.Eval[string](tab, `cParam()`)
	want := browsertest.Eval[string](tab, `logHTML()`)
	for _, addr := range []string{c.a, c.b, c.nginx.Addr} {
		other := historyTab(t, browser, "http://"+addr+"/?c="+id)
		other.Wait(`msgs().length === 2 && last().dataset.status === "done" && idle()`)
		if got := browsertest.Eval[string](other, `logHTML()`); got != want {
			t.Errorf("%s shows\n%s\nwant\n%s", addr, got, want)
		}
	}
}

// TestClusterInstanceKilled: instance a is killed (SIGKILL) while it
// streams a reply; the conversation, opened again through nginx (which now
// reaches b only), comes back from Redis with the question and the cut
// reply marked interrupted, and Retry completes it on b.
func TestClusterInstanceKilled(t *testing.T) {
	c := startCluster(t, "-offline-delay", "40ms")
	browser := browsertest.New(t)
	tab := historyTab(t, browser, "http://"+c.a+"/")
	send(t, tab, "Show me some Go code")
	tab.Wait(`cParam() !== "" && last()?.classList.contains("sheen-chat-streaming") && last().textContent.includes("complete sheen chat app")`)
	id := browsertest.Eval[string](tab, `cParam()`)
	c.pa.kill(t)

	again := historyTab(t, browser, c.nginx.URL+"/?c="+id)
	again.Wait(`msgs().length === 2 && last().dataset.status === "interrupted" && !!last().querySelector(".sheen-chat-retry")`)
	again.Check(`msgs()[0].textContent.includes("Show me some Go code")`, `!last().textContent.includes("for comparison")`)
	again.MouseClick(`last().querySelector(".sheen-chat-retry")`)
	again.Wait(`last()?.dataset.status === "done" && last().textContent.includes("for comparison") && idle()`)
}

// TestClusterHosts: behind nginx an instance on a loopback address answers
// to the host names given with -hosts, and to no other.
func TestClusterHosts(t *testing.T) {
	c := startCluster(t, "-hosts", "chat.example")
	status := func(host string) int {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, c.nginx.URL+"/", nil)
		req.RequestURI = ""
		req.Host = host
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	for range 2 { // both instances
		if got := status("chat.example"); got != http.StatusOK {
			t.Errorf("Host chat.example: %d, want 200", got)
		}
		if got := status("evil.example"); got == http.StatusOK {
			t.Errorf("Host evil.example: 200, want a refusal")
		}
	}
}

// TestForwardedFor: behind a trusted proxy the client is the last hop of
// X-Forwarded-For; from anyone else the header is ignored.
func TestForwardedFor(t *testing.T) {
	nets, err := parseNets(list("127.0.0.1, 10.0.0.0/8"))
	if err != nil {
		t.Fatal(err)
	}
	fn := forwardedFor(nets)
	for _, tc := range []struct{ remote, xff, want string }{
		{"127.0.0.1:5000", "1.2.3.4, 5.6.7.8", "5.6.7.8"},
		{"10.1.2.3:5000", "9.9.9.9", "9.9.9.9"},
		{"127.0.0.1:5000", "", "127.0.0.1"},
		{"127.0.0.1:5000", "garbage", "127.0.0.1"},
		{"8.8.8.8:5000", "1.2.3.4", "8.8.8.8"},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = tc.remote
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		if got := fn(r); got != tc.want {
			t.Errorf("from %s with X-Forwarded-For %q: %q, want %q", tc.remote, tc.xff, got, tc.want)
		}
	}
	if _, err := parseNets([]string{"nope"}); err == nil {
		t.Error("parseNets accepted nope")
	}
}

// TestCookieKeyRequiredWithRedis: with -redis the key file must be given
// and exist; the error says how to make one.
func TestCookieKeyRequiredWithRedis(t *testing.T) {
	if _, err := readCookieKey(""); err == nil || !strings.Contains(err.Error(), "head -c 32 /dev/urandom") {
		t.Errorf("no file: %v", err)
	}
	missing := filepath.Join(t.TempDir(), "missing.key")
	if _, err := readCookieKey(missing); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("readCookieKey created the file")
	}
	short := filepath.Join(t.TempDir(), "short.key")
	os.WriteFile(short, []byte("short"), 0o600)
	if _, err := readCookieKey(short); err == nil {
		t.Error("a 5-byte key was accepted")
	}
}
