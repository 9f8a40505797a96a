package chat_test

import (
	"context"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/store/sqlite"
)

// An app whose conversations are kept in a SQLite file: they survive
// reloads, closed tabs and restarts, are listed in a sidebar, and have
// their own URLs (?c=<id>). On SIGTERM, running replies may finish for 10 s;
// then they are saved as interrupted, and the next start offers Retry.
func ExampleNewHistory() {
	st, err := sqlite.Open("chat.db")
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	h := chat.NewHistory(st)
	opt := chat.WithHistory(h)

	page := sheen.Page("Assistant", chat.UI("chat", opt))
	app := sheen.New(page, func(s *sheen.Session) {
		c := chat.New(s, "chat", opt)
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			return c.AppendMessage(ctx, "You said: "+in.Text)
		})
	}, sheen.WithCookieKeyFile("chat.db.key"), h.PageCheck())

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		drain, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = h.Shutdown(drain)
		_ = app.Shutdown(context.Background())
	}()
	_ = app.ListenAndServe("127.0.0.1:8000")
}
