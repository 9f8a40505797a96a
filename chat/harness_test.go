package chat_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/pagetest"
	"github.com/sheenhq/sheen/store/sqlite"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// tempHistory returns a history on a new SQLite file in t's temporary
// directory, shut down and closed when the test ends.
func tempHistory(t testing.TB) (*chat.History, *sqlite.Store) {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "chat.db"))
	if err != nil {
		t.Fatal(err)
	}
	h := chat.NewHistory(st)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = h.Shutdown(ctx)
		_ = st.Close()
	})
	return h, st
}

// serve starts app on 127.0.0.1 and returns its base URL; the app is shut
// down when the test ends.
func serve(t testing.TB, app *sheen.App) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: app}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = app.Shutdown(ctx)
		_ = srv.Shutdown(ctx)
	})
	return "http://" + l.Addr().String()
}

// newApp builds an app with one chat and the test's server function.
func newApp(t *testing.T, server func(s *sheen.Session), opts ...sheen.Option) string {
	t.Helper()
	page := sheen.Page("chat test", chat.UI("chat"))
	opts = append([]sheen.Option{sheen.WithLogger(zap.NewNop())}, opts...)
	return serve(t, sheen.New(page, server, opts...))
}

// open connects a Go page (a stand-in for the browser, speaking the
// protocol over a real WebSocket) to the chat of the app at base.
func open(t testing.TB, base string) *pagetest.Page {
	t.Helper()
	return pagetest.Open(t, base, "chat")
}

// fmtMsgs formats a transcript for a failure message.
func fmtMsgs(ms []chat.Message) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "[%s %s %q %s] ", m.Role, m.ContentType, m.Content, m.Status)
	}
	return b.String()
}
