package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/sheenhq/sheen/internal/browsertest"
	"github.com/sheenhq/sheen/internal/nginxtest"
	"github.com/sheenhq/sheen/internal/redistest"
)

// cluster is two instances of the example sharing a Redis and a cookie
// key, behind nginx.
type cluster struct {
	a, b   string   // the instances' addresses
	pa, pb *program // their processes
	args   [2][]string
	nginx  *nginxtest.Server
	redis  *redistest.Server
}

func startCluster(t *testing.T, extra ...string) *cluster {
	t.Helper()
	rdb := redistest.New(t, "--appendonly", "yes") // what Redis holds survives its restart
	key := filepath.Join(t.TempDir(), "cookie.key")
	if err := os.WriteFile(key, []byte(rand.Text()+rand.Text()), 0o600); err != nil {
		t.Fatal(err)
	}
	c := &cluster{a: freeAddr(t), b: freeAddr(t), redis: rdb}
	common := append([]string{"-redis", rdb.Addr, "-cookie-key-file", key, "-proxies", "127.0.0.1"}, extra...)
	c.args[0] = append([]string{"-addr", c.a, "-instance", "a"}, common...)
	c.args[1] = append([]string{"-addr", c.b, "-instance", "b"}, common...)
	c.pa = startProgram(t, c.args[0]...)
	c.pb = startProgram(t, c.args[1]...)
	c.nginx = nginxtest.Start(t, []string{c.a, c.b})
	return c
}

// restart stops instance i (0: a, 1: b) with SIGTERM, as a deploy does,
// and starts it again.
func (c *cluster) restart(t *testing.T, i int) {
	t.Helper()
	p := &c.pa
	if i == 1 {
		p = &c.pb
	}
	if err := (*p).stop(t); err != nil {
		t.Fatalf("instance %d exited with %v", i, err)
	}
	*p = startProgram(t, c.args[i]...)
}

// writer returns the instance ("a" or "b") that last wrote to conversation
// id's live log: the one that runs its reply.
func (c *cluster) writer(t *testing.T, id string) string {
	t.Helper()
	rc := goredis.NewClient(&goredis.Options{Addr: c.redis.Addr})
	defer rc.Close()
	msgs, err := rc.XRevRangeN(context.Background(), "sheen:bus:"+id, "+", "-", 1).Result()
	if err != nil || len(msgs) == 0 {
		t.Fatalf("conversation %s has no live log: %v", id, err)
	}
	var ev struct {
		From string `json:"from"`
	}
	for _, v := range msgs[0].Values {
		if s, ok := v.(string); ok && json.Unmarshal([]byte(s), &ev) == nil && ev.From != "" {
			return ev.From
		}
	}
	t.Fatalf("no writer in %v", msgs[0].Values)
	return ""
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

	// Continued on b, shown the same by a.
	onB := historyTab(t, browser, "http://"+c.b+"/?c="+id)
	onB.Wait(`msgs().length === 2 && idle()`)
	send(t, onB, "Compare sheen with shinychat in a table")
	onB.Wait(`msgs().length === 4 && !!last().querySelector("table") && last().dataset.status === "done" && idle()`)
	want = browsertest.Eval[string](onB, `logHTML()`)
	onA := historyTab(t, browser, "http://"+c.a+"/?c="+id)
	onA.Wait(`msgs().length === 4 && last().dataset.status === "done" && idle()`)
	if got := browsertest.Eval[string](onA, `logHTML()`); got != want {
		t.Errorf("a shows\n%s\nwant what b streamed\n%s", got, want)
	}
}

// TestClusterFollowLive: a page that opens a conversation on b while a
// streams its reply follows the reply live to its end, with the same HTML as
// the page on a; b's stop button stops the next reply a runs.
func TestClusterFollowLive(t *testing.T) {
	c := startCluster(t, "-offline-delay", "30ms")
	browser := browsertest.New(t)
	onA := historyTab(t, browser, "http://"+c.a+"/")
	send(t, onA, "Show me some Go code")
	onA.Wait(`cParam() !== "" && last()?.classList.contains("sheen-chat-streaming") && last().textContent.includes("complete sheen chat app")`)
	id := browsertest.Eval[string](onA, `cParam()`)
	onB := historyTab(t, browser, "http://"+c.b+"/?c="+id)
	onB.Wait(`msgs().length === 2 && last().classList.contains("sheen-chat-streaming") && last().textContent.includes("complete sheen chat app")`)
	for _, tab := range []*browsertest.Tab{onA, onB} {
		tab.Wait(`last().dataset.status === "done" && idle()`)
	}
	if x, y := browsertest.Eval[string](onA, `logHTML()`), browsertest.Eval[string](onB, `logHTML()`); x != y {
		t.Fatalf("a shows\n%s\nb shows\n%s", x, y)
	}
	send(t, onA, "Show me some Go code again")
	onB.Wait(`msgs().length === 4 && last().classList.contains("sheen-chat-streaming")`)
	onB.MouseClick(`q(".sheen-chat-stop")`)
	for _, tab := range []*browsertest.Tab{onA, onB} {
		tab.Wait(`last().dataset.status === "stopped" && idle()`)
	}
}

// TestClusterInstanceKilled: instance a is killed (SIGKILL) while it
// streams a reply; the conversation, opened again through nginx (which now
// reaches b only), comes back from Redis with the question and the cut
// reply marked interrupted, and Retry completes it on b.
func TestClusterInstanceKilled(t *testing.T) {
	c := startCluster(t, "-offline-delay", "40ms", "-live-timeout", "3s")
	browser := browsertest.New(t)
	tab := historyTab(t, browser, c.nginx.URL+"/")
	send(t, tab, "Show me some Go code")
	tab.Wait(`cParam() !== "" && last()?.classList.contains("sheen-chat-streaming") && last().textContent.includes("complete sheen chat app")`)
	id := browsertest.Eval[string](tab, `cParam()`)
	// Kill the instance that runs the reply (the page's socket is on it).
	victim, survivor := c.pa, c.b
	if c.writer(t, id) == "b" {
		victim, survivor = c.pb, c.a
	}
	victim.kill(t)
	_ = survivor

	// The same page reconnects through nginx to the live instance, loads
	// again (its session was the dead one's), says so, and shows what was
	// saved, the cut reply marked interrupted.
	tab.Wait(`document.getElementById("sheen-status")?.dataset.state === "restored"`)
	tab.Wait(`msgs().length === 2 && last().dataset.status === "interrupted" && !!last().querySelector(".sheen-chat-retry")`)
	tab.Check(`msgs()[0].textContent.includes("Show me some Go code")`, `last().textContent.includes("complete sheen chat app")`,
		`!last().textContent.includes("for comparison")`)
	tab.MouseClick(`last().querySelector(".sheen-chat-retry")`)
	tab.Wait(`last()?.dataset.status === "done" && last().textContent.includes("for comparison") && idle()`)
}

// TestClusterRedisRestart: Redis restarts in the middle of a conversation;
// the instances go on from memory, the page says history is not being
// saved, and once Redis is back the whole conversation is there.
func TestClusterRedisRestart(t *testing.T) {
	c := startCluster(t, "-offline-delay", "1ms")
	browser := browsertest.New(t)
	tab := historyTab(t, browser, "http://"+c.a+"/")
	send(t, tab, "What is sheen?")
	tab.Wait(`cParam() !== "" && msgs().length === 2 && last().dataset.status === "done" && idle()`)
	u := browsertest.Eval[string](tab, `location.href`)

	c.redis.Stop()
	send(t, tab, "Compare sheen with shinychat in a table")
	tab.Wait(`msgs().length === 4 && last().dataset.status === "done" && idle()`)
	tab.Wait(`q(".sheen-chat-storage").textContent.includes("not being saved")`)
	c.redis.Start()
	tab.Wait(`q(".sheen-chat-storage").textContent === ""`)

	again := historyTab(t, browser, strings.Replace(u, c.a, c.b, 1))
	again.Wait(`msgs().length === 4 && !!last().querySelector("table") && last().dataset.status === "done" && idle()`)
}

// TestClusterRollingRestart: both instances are restarted one after the
// other (SIGTERM, which drains running replies, then a new process), each
// while a reply runs on it; the page moves to the live instance each time,
// and in the end the conversation has every question and every answer.
func TestClusterRollingRestart(t *testing.T) {
	c := startCluster(t, "-offline-delay", "15ms", "-drain", "20s")
	browser := browsertest.New(t)
	tab := historyTab(t, browser, c.nginx.URL+"/")
	asked := 0
	for round := range 2 {
		send(t, tab, "Show me some Go code, round "+strconv.Itoa(round))
		asked++
		tab.Wait(`cParam() !== "" && msgs().length === ` + strconv.Itoa(2*asked) + ` && last().classList.contains("sheen-chat-streaming")`)
		id := browsertest.Eval[string](tab, `cParam()`)
		i := 0
		if c.writer(t, id) == "b" {
			i = 1
		}
		c.restart(t, i) // drains: the running reply finishes first
		tab.Wait(`idle() && msgs().length === ` + strconv.Itoa(2*asked) + ` && last().dataset.status === "done"`)
	}
	u := browsertest.Eval[string](tab, `location.href`)
	final := historyTab(t, browser, u)
	final.Wait(`idle() && msgs().length === 4`)
	final.Check(`msgs().every((m, i) => i % 2 === 0 || m.dataset.status === "done")`,
		`msgs()[0].textContent.includes("round 0") && msgs()[2].textContent.includes("round 1")`,
		`msgs()[1].textContent.includes("for comparison") && msgs()[3].textContent.includes("for comparison")`)
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
