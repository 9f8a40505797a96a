// Command server serves the sessions benchmark app (package sessions) and
// reports its memory on /stats, for the idle-memory measurement of run.sh.
//
//	server -addr 127.0.0.1:0
//
// It prints "listening http://ADDR" once it accepts connections. GET /heap
// returns a heap profile (after a GC), GET /goroutines the goroutines' stacks
// (grouped). GET /stats
// runs the garbage collector, returns freed memory to the OS, and answers
// with a JSON object: the process's resident set size (VmRSS of
// /proc/self/status), the Go heap in use, goroutine stacks, the number of
// goroutines and of live sessions.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/internal/bench/sessions"
)

// Stats is the answer of /stats.
type Stats struct {
	RSS        int64 `json:"rss"`         // bytes, VmRSS of /proc/self/status
	HeapAlloc  int64 `json:"heap_alloc"`  // bytes of live heap objects, after a GC
	HeapInuse  int64 `json:"heap_inuse"`  // bytes in in-use heap spans
	StackInuse int64 `json:"stack_inuse"` // bytes of goroutine stacks
	Sys        int64 `json:"sys"`         // bytes the Go runtime got from the OS
	Goroutines int   `json:"goroutines"`
	Sessions   int   `json:"sessions"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	heartbeat := flag.Duration("heartbeat", 15*time.Second, "the pages' ping interval (sheen.WithHeartbeat)")
	flag.Parse()
	if err := raiseFileLimit(); err != nil {
		log.Printf("raising the open-file limit: %v", err)
	}
	app := sheen.New(sessions.Page(), sessions.Server, sheen.WithLogger(zap.NewNop()), sheen.WithHeartbeat(*heartbeat))
	mux := http.NewServeMux()
	mux.Handle("/", app)
	mux.HandleFunc("/stats", func(w http.ResponseWriter, r *http.Request) {
		st, err := stats(app)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(st)
	})
	mux.HandleFunc("/heap", func(w http.ResponseWriter, r *http.Request) {
		runtime.GC()
		w.Header().Set("Content-Type", "application/octet-stream")
		_ = pprof.Lookup("heap").WriteTo(w, 0)
	})
	mux.HandleFunc("/goroutines", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_ = pprof.Lookup("goroutine").WriteTo(w, 1)
	})
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = app.Shutdown(sctx)
		_ = srv.Shutdown(sctx)
	}()
	fmt.Printf("listening http://%s\n", l.Addr())
	if err := srv.Serve(l); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}

func stats(app *sheen.App) (Stats, error) {
	runtime.GC()
	debug.FreeOSMemory() // RSS then holds what is live, not garbage waiting for the scavenger
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	rss, err := vmRSS()
	return Stats{
		RSS:        rss,
		HeapAlloc:  int64(m.HeapAlloc),
		HeapInuse:  int64(m.HeapInuse),
		StackInuse: int64(m.StackInuse),
		Sys:        int64(m.Sys),
		Goroutines: runtime.NumGoroutine(),
		Sessions:   app.Sessions(),
	}, err
}

// vmRSS reads the process's resident set size from /proc/self/status.
func vmRSS() (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no VmRSS in /proc/self/status")
}

// raiseFileLimit raises the soft limit on open files to the hard limit: each
// session holds a socket.
func raiseFileLimit() error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return err
	}
	lim.Cur = lim.Max
	return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
}
