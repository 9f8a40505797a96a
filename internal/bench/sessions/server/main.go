// Command server serves the sessions benchmark app (package sessions) and
// reports its memory on /stats, for the idle-memory measurement of run.sh.
//
//	server -addr 127.0.0.1:0
//
// It prints "listening http://ADDR" once it accepts connections. Its debug
// endpoints are those of package harness: GET /stats runs the garbage
// collector, returns freed memory to the OS, and answers with the process's
// resident set size, the Go heap in use, goroutine stacks, the number of
// goroutines and of live sessions; GET /heap returns a heap profile (after
// a GC), GET /goroutines the goroutines' stacks (grouped).
package main

import (
	"flag"
	"log"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/internal/bench/harness"
	"github.com/sheenhq/sheen/internal/bench/sessions"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	heartbeat := flag.Duration("heartbeat", 15*time.Second, "the pages' ping interval (sheen.WithHeartbeat)")
	flag.Parse()
	if err := harness.RaiseFileLimit(); err != nil {
		log.Printf("raising the open-file limit: %v", err)
	}
	app := sheen.New(sessions.Page(), sessions.Server, sheen.WithLogger(zap.NewNop()), sheen.WithHeartbeat(*heartbeat), harness.LoopbackLimits())
	mux := http.NewServeMux()
	mux.Handle("/", app)
	harness.Debug(mux, app.Sessions)
	if err := harness.Serve(*addr, mux, 0, "", app.Shutdown); err != nil {
		log.Fatal(err)
	}
}
