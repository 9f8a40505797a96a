package harness

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/sheenhq/sheen"
)

// Serve serves h on addr until SIGINT or SIGTERM, or until lifetime has
// passed (0: no limit), then calls shutdown (the app's Shutdown) and stops
// the server, giving both 10 seconds. It prints "listening http://ADDR"
// once it accepts connections; the scripts wait for that line. With a
// cpuprofile path it profiles the CPU from start to stop.
func Serve(addr string, h http.Handler, lifetime time.Duration, cpuprofile string, shutdown func(context.Context) error) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	stopProfile, err := CPUProfile(cpuprofile)
	if err != nil {
		return err
	}
	defer stopProfile()
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if lifetime > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, lifetime)
		defer cancel()
	}
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = shutdown(sctx)
		_ = srv.Shutdown(sctx)
	}()
	fmt.Printf("listening http://%s\n", l.Addr())
	err = srv.Serve(l)
	if errors.Is(err, http.ErrServerClosed) {
		<-stopped
		err = nil
	}
	return err
}

// CPUProfile starts profiling this process's CPU into the file at path
// and returns the function that stops it and closes the file; with an
// empty path it does nothing.
func CPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}, nil
}

// LoopbackLimits lifts the session limits that count per client address
// (sessions per address, the hello rate) and the total: every session of a
// benchmark comes from 127.0.0.1. The limits on detached sessions keep
// their defaults.
func LoopbackLimits() sheen.Option {
	return sheen.WithSessionLimits(sheen.SessionLimits{Total: -1, PerAddr: -1, HelloRate: -1})
}
