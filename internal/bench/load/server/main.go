// Command server serves the load benchmark's app (package load): a chat
// whose reply to "stream N EVERY" streams N numbered chunks, one every
// EVERY. It listens on 127.0.0.1 only and prints "listening http://ADDR"
// once it accepts connections; SIGINT or SIGTERM (or -lifetime) stops it.
//
//	server -addr 127.0.0.1:0 [-history FILE] [-coalesce 30ms] [-cpuprofile FILE] [-memprofile FILE]
//
// Its debug endpoints (/stats, /heap, /goroutines) are those of package
// harness. The per-address session limits and the hello rate limit are
// lifted: every client of a benchmark is 127.0.0.1.
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"time"

	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/bench/harness"
	"github.com/sheenhq/sheen/internal/bench/load"
	"github.com/sheenhq/sheen/store/sqlite"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on (a 127.0.0.1 address)")
	history := flag.String("history", "", "keep conversations in this SQLite file (chat.WithHistory); empty: no history")
	coalesce := flag.Duration("coalesce", -1, "chat.Coalesce: the longest a streamed chunk is held back; negative: the chat's default")
	maxChunks := flag.Int("max-chunks", 100000, "the most chunks one reply may have")
	grace := flag.Duration("grace", 60*time.Second, "how long a session outlives its socket (sheen.WithGrace)")
	heartbeat := flag.Duration("heartbeat", 15*time.Second, "the pages' ping interval (sheen.WithHeartbeat)")
	lifetime := flag.Duration("lifetime", 2*time.Hour, "stop after this long (0: only on a signal)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	memprofile := flag.String("memprofile", "", "write the allocations of the whole run (pprof allocs) to this file when the server stops")
	flag.Parse()
	if host, _, err := net.SplitHostPort(*addr); err != nil || host != "127.0.0.1" {
		log.Fatalf("server: -addr %q: want 127.0.0.1:PORT", *addr)
	}
	if err := harness.RaiseFileLimit(); err != nil {
		log.Printf("raising the open-file limit: %v", err)
	}
	var opts []chat.Option
	if *coalesce >= 0 {
		opts = append(opts, chat.Coalesce(*coalesce))
	}
	var h *chat.History
	if *history != "" {
		st, err := sqlite.Open(*history)
		if err != nil {
			log.Fatal(err)
		}
		defer st.Close()
		h = chat.NewHistory(st)
		opts = append(opts, chat.WithHistory(h))
	}
	app := sheen.New(load.AppPage(opts...), load.Server(*maxChunks, opts...),
		sheen.WithLogger(zap.NewNop()), sheen.WithGrace(*grace), sheen.WithHeartbeat(*heartbeat),
		sheen.WithUsers(load.Users), harness.LoopbackLimits())
	mux := http.NewServeMux()
	mux.Handle("/", app)
	harness.Debug(mux, app.Sessions)
	shutdown := func(ctx context.Context) error {
		err := app.Shutdown(ctx)
		if h != nil {
			err = errors.Join(err, h.Shutdown(ctx))
		}
		return err
	}
	if err := harness.Serve(*addr, mux, *lifetime, *cpuprofile, shutdown); err != nil {
		log.Fatal(err)
	}
	if *memprofile != "" {
		f, err := os.Create(*memprofile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			log.Fatal(err)
		}
		if err := f.Close(); err != nil {
			log.Fatal(err)
		}
	}
}
