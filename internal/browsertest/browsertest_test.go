package browsertest_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"go.uber.org/goleak"

	"github.com/sheenhq/sheen/internal/browsertest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestServe(t *testing.T) {
	srv := browsertest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hello from ", r.URL.Path)
	}))
	resp, err := http.Get(srv.URL + "/x")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hello from /x" {
		t.Errorf("body %q", body)
	}
	http.DefaultClient.CloseIdleConnections()
	srv.Close()
	srv.Close() // twice is fine
	if _, err := http.Get(srv.URL + "/x"); err == nil {
		t.Error("the server still answers after Close")
	}
}

func TestTab(t *testing.T) {
	b := browsertest.New(t)
	srv := browsertest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>t</title><p id=p>page</p><script>window.fromPage = window.early + "+page"</script>`)
	}))
	tab := b.Tab(t)
	tab.OnNewDocument(`window.early = document.readyState`)
	tab.OnNewDocument(`window.order = [1]`, `order.push(2)`)
	tab.Do(chromedp.Navigate(srv.URL + "/"))
	tab.Wait(`document.getElementById("p")?.textContent === "page"`)
	if got := browsertest.Eval[string](tab, `fromPage`); got != "loading+page" {
		t.Errorf("the document script ran after the page's own: %q", got)
	}
	if got := browsertest.Eval[[]int](tab, `order`); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("the document scripts ran as %v, want [1 2]", got)
	}
	tab.SetOffline(true)
	tab.Wait(`navigator.onLine === false`)
	tab.SetOffline(false)
	tab.Wait(`navigator.onLine === true`)
	if err := tab.WaitTimeout(`false`, 100*time.Millisecond); err == nil {
		t.Error("WaitTimeout on a false condition returned no error")
	}

	path := filepath.Join(t.TempDir(), "shot.png")
	tab.Screenshot(path)
	png, err := os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("screenshot: %v, %d bytes", err, len(png))
	}
	tab.Close()
	tab.Close()
}
