// Command client opens many idle sheen sessions on a server started by
// ../server and reports the server's memory per session. It is a separate
// process, so the server's figures hold only the server's side.
//
//	client -url http://127.0.0.1:PORT -n 10000
//
// Each connection does what a page does: a hello with its inputs, then it
// waits for the welcome and the first update (with -inputs k, it then makes k
// input changes, each answered by an update), and stays open, sending only a
// ping every heartbeat (the server closes connections
// that stay silent for 2.5 heartbeats). Before and after, it reads the
// server's /stats and prints the difference divided by the number of
// sessions.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/sheenhq/sheen/internal/bench/harness"
	"github.com/sheenhq/sheen/internal/bench/sessions"
	"github.com/sheenhq/sheen/protocol"
)

func main() {
	base := flag.String("url", "", "the server's base URL, http://127.0.0.1:PORT")
	n := flag.Int("n", 10000, "how many sessions to open")
	conc := flag.Int("c", 64, "how many sessions to open at once")
	src := flag.String("src", "", "comma-separated loopback source addresses to spread the connections over (e.g. 127.0.0.2,127.0.0.3), when one runs out of ephemeral ports")
	settle := flag.Duration("settle", time.Second, "how long the sessions idle before the measurement")
	heapOut := flag.String("heapprofile", "", "write the server's heap profile, taken with the sessions open, to this file")
	inputs := flag.Int("inputs", 0, "input changes each session makes (waiting for each update) before it idles")
	flag.Parse()
	if *base == "" {
		log.Fatal("client: -url is required")
	}
	if err := harness.RaiseFileLimit(); err != nil {
		log.Printf("raising the open-file limit: %v", err)
	}
	wsURL := "ws" + strings.TrimPrefix(*base, "http") + "/_sheen/ws"

	before, err := harness.GetStats(*base, true)
	if err != nil {
		log.Fatal(err)
	}
	clients := harness.HTTPClients(*src)

	conns := make([]*websocket.Conn, *n)
	var heartbeat atomic.Int64
	var readers sync.WaitGroup
	ctx := context.Background()
	start := time.Now()
	jobs := make(chan int)
	errs := make(chan error, *conc)
	var openers sync.WaitGroup
	for range *conc {
		openers.Go(func() {
			for i := range jobs {
				c, hb, err := open(ctx, clients[i%len(clients)], wsURL, i, *inputs)
				if err != nil {
					errs <- fmt.Errorf("session %d: %w", i, err)
					return
				}
				heartbeat.Store(hb)
				conns[i] = c
				readers.Go(func() { drain(c) })
			}
		})
	}
	var failed error
feed:
	for i := range *n {
		select {
		case jobs <- i:
		case failed = <-errs:
			break feed
		}
	}
	close(jobs)
	openers.Wait()
	if failed == nil && len(errs) > 0 {
		failed = <-errs
	}
	if failed != nil {
		closeAll(conns)
		readers.Wait()
		log.Fatal(failed)
	}
	opened := time.Since(start)

	// Idle, but alive: ping every heartbeat, as pages do.
	stopPing := make(chan struct{})
	var pinger sync.WaitGroup
	pinger.Go(func() { ping(conns, time.Duration(heartbeat.Load())*time.Millisecond, stopPing) })
	time.Sleep(*settle)
	after, err := harness.GetStats(*base, true)
	if err != nil {
		log.Fatal(err)
	}
	if *heapOut != "" {
		if err := getFile(*base+"/heap", *heapOut); err != nil {
			log.Print(err)
		}
	}
	close(stopPing)
	pinger.Wait()
	closeAll(conns)
	readers.Wait()

	per := func(a, b int64) float64 { return float64(b-a) / float64(*n) / 1024 }
	fmt.Printf("sessions opened: %d in %v (%.0f/s); live on the server: %d\n",
		*n, opened.Round(time.Millisecond), float64(*n)/opened.Seconds(), after.Sessions)
	fmt.Printf("server RSS:        %7.1f MiB -> %7.1f MiB   %6.1f KiB per session\n", harness.MiB(before.RSS), harness.MiB(after.RSS), per(before.RSS, after.RSS))
	fmt.Printf("server heap alloc: %7.1f MiB -> %7.1f MiB   %6.1f KiB per session\n", harness.MiB(before.HeapAlloc), harness.MiB(after.HeapAlloc), per(before.HeapAlloc, after.HeapAlloc))
	fmt.Printf("server heap inuse: %7.1f MiB -> %7.1f MiB   %6.1f KiB per session\n", harness.MiB(before.HeapInuse), harness.MiB(after.HeapInuse), per(before.HeapInuse, after.HeapInuse))
	fmt.Printf("server stacks:     %7.1f MiB -> %7.1f MiB   %6.1f KiB per session\n", harness.MiB(before.StackInuse), harness.MiB(after.StackInuse), per(before.StackInuse, after.StackInuse))
	fmt.Printf("server goroutines: %7d -> %7d       %6.2f per session\n", before.Goroutines, after.Goroutines, float64(after.Goroutines-before.Goroutines)/float64(*n))
	if after.Sessions != *n {
		log.Fatalf("client: %d sessions live on the server, want %d", after.Sessions, *n)
	}
}

// open starts one session the way a page does, makes inputs input changes,
// and returns its heartbeat (ms).
func open(ctx context.Context, hc *http.Client, url string, i, inputs int) (*websocket.Conn, int64, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPClient: hc})
	if err != nil {
		return nil, 0, err
	}
	fail := func(err error) (*websocket.Conn, int64, error) { c.CloseNow(); return nil, 0, err }
	if err := c.Write(ctx, websocket.MessageText, sessions.Hello(i)); err != nil {
		return fail(err)
	}
	var hb int64
	for _, want := range []string{protocol.TypeWelcome, protocol.TypeUpdate} {
		_, data, err := c.Read(ctx)
		if err != nil {
			return fail(err)
		}
		m, err := protocol.DecodeServer(data)
		if err != nil {
			return fail(err)
		}
		if m.Type() != want {
			return fail(fmt.Errorf("got %s, want %s", data, want))
		}
		if w, ok := m.(protocol.Welcome); ok {
			hb = w.Heartbeat
		}
	}
	for k := 1; k <= inputs; k++ {
		frame := fmt.Appendf(nil, `{"type":"input","n":%d,"values":{"n":%d,"name":"client %d, change %d"}}`, k, 1+k%20, i, k)
		if err := c.Write(ctx, websocket.MessageText, frame); err != nil {
			return fail(err)
		}
		_, data, err := c.Read(ctx)
		if err != nil {
			return fail(err)
		}
		if m, err := protocol.DecodeServer(data); err != nil || m.Type() != protocol.TypeUpdate {
			return fail(fmt.Errorf("after input %d: got %s, want an update", k, data))
		}
	}
	return c, hb, nil
}

// drain reads the connection until it closes (pongs, and control frames).
func drain(c *websocket.Conn) {
	for {
		_, r, err := c.Reader(context.Background())
		if err != nil {
			return
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			return
		}
	}
}

// ping sends every connection a ping each interval until stop is closed.
func ping(conns []*websocket.Conn, interval time.Duration, stop <-chan struct{}) {
	frame := []byte(`{"type":"ping","seq":1}`)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		for _, c := range conns {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = c.Write(ctx, websocket.MessageText, frame)
			cancel()
		}
	}
}

func closeAll(conns []*websocket.Conn) {
	for _, c := range conns {
		if c != nil {
			c.CloseNow()
		}
	}
}

// httpc fetches /heap; the server runs a GC first, which takes a while
// with 10,000 sessions, but not a minute.
var httpc = &http.Client{Timeout: time.Minute}

func getFile(url, path string) error {
	resp, err := httpc.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
