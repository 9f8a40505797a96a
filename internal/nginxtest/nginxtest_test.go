package nginxtest_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"

	"github.com/sheenhq/sheen/internal/nginxtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// upstream is a tiny server that answers with its name and what it was
// sent as Host and X-Forwarded-Proto.
func upstream(t *testing.T, name string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, name+" "+r.Host+" "+r.Header.Get("X-Forwarded-Proto"))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, u string) string {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %s", u, res.Status, b)
	}
	return string(b)
}

// TestRoundRobin: requests through nginx alternate between two upstreams,
// which see the browser's Host (with its port) and the scheme.
func TestRoundRobin(t *testing.T) {
	a, b := upstream(t, "a"), upstream(t, "b")
	ng := nginxtest.Start(t, []string{a.Listener.Addr().String(), b.Listener.Addr().String()})
	var names []string
	for range 6 {
		body := get(t, ng.URL+"/")
		name, rest, _ := strings.Cut(body, " ")
		if rest != ng.Addr+" http" {
			t.Errorf("the upstream saw Host and X-Forwarded-Proto %q, want %q", rest, ng.Addr+" http")
		}
		names = append(names, name)
	}
	for i := 1; i < len(names); i++ {
		if names[i] == names[i-1] {
			t.Fatalf("the upstreams answered %v, want them alternating", names)
		}
	}
}

// TestWebSocket: a WebSocket upgrade goes through nginx to an echo server,
// and messages, small and large, go both ways.
func TestWebSocket(t *testing.T) {
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		c.SetReadLimit(1 << 20)
		for {
			typ, msg, err := c.Read(r.Context())
			if err != nil {
				return
			}
			if err := c.Write(r.Context(), typ, msg); err != nil {
				return
			}
		}
	}))
	t.Cleanup(echo.Close)
	ng := nginxtest.Start(t, []string{echo.Listener.Addr().String()})

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, res, err := websocket.Dial(ctx, "ws://"+ng.Addr+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	c.SetReadLimit(1 << 20)
	if res.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade answered %s", res.Status)
	}
	for _, m := range []string{"hello", strings.Repeat("x", 100_000), "bye"} {
		if err := c.Write(ctx, websocket.MessageText, []byte(m)); err != nil {
			t.Fatal(err)
		}
		_, got, err := c.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != m {
			t.Fatalf("echoed %d bytes, want %d", len(got), len(m))
		}
	}
	c.Close(websocket.StatusNormalClosure, "")
}

// TestStopWithOpenWebSocket: Stop ends nginx and its workers even while a
// WebSocket is open through it, and the page's end of it sees it close.
func TestStopWithOpenWebSocket(t *testing.T) {
	hold := make(chan struct{})
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		select {
		case <-hold:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(echo.Close)
	t.Cleanup(func() { close(hold) })
	ng := nginxtest.Start(t, []string{echo.Listener.Addr().String()})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws://"+ng.Addr+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	pid := ng.Pid()
	ng.Stop()
	if _, _, err := c.Read(ctx); err == nil {
		t.Fatal("the WebSocket is still open after nginx stopped")
	}
	if err := syscall.Kill(-pid, 0); err != syscall.ESRCH {
		t.Fatalf("nginx's process group is still there after Stop: %v", err)
	}
	if _, err := os.Stat(ng.Dir + "/nginx.conf"); err != nil {
		t.Fatal(err)
	}
}
