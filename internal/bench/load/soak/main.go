// Command soak is the soak benchmark's client: for a duration, VUS virtual
// users at a time each connect to the app of ../server, chat (one or two
// replies), drop the socket in the middle of a reply (three replies in
// four), resume the session with its token after a pause, read the reply
// to its end, check it, and leave; then start again with a new session.
//
//	soak -url http://127.0.0.1:PORT [-vus 200] [-duration 30m]
//
// Every reply is checked as the load client checks it: each chunk once, in
// order, and the HTML of the reply rendered whole. The server's heap,
// goroutines, open files and sessions (its /stats) are taken at the start,
// after one warm-up user has come and gone and its session has expired,
// sampled every 2 seconds during the run (the peak; these samples skip the
// GC, so the heap there counts garbage too), and at the end, once every
// session has expired (the server's grace period, from the welcome). It
// prints them and a verdict line: PASS when no error occurred, every reply
// checked, and goroutines, open files and the heap after a GC are back to
// the start (goroutines and files within 2, the heap within 2 MiB or 25 %).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sheenhq/sheen/internal/bench/harness"
	"github.com/sheenhq/sheen/internal/bench/load"
)

// counters are the run's totals.
type counters struct {
	sessions, replies, drops, resumes, checked atomic.Int64
}

func main() {
	base := flag.String("url", "", "the server's base URL, http://127.0.0.1:PORT")
	vus := flag.Int("vus", 200, "virtual users at a time (at most 5,000)")
	duration := flag.Duration("duration", 30*time.Minute, "how long users keep coming (at most 24h)")
	rate := flag.Int("rate", 50, "chunks per second of each reply")
	seed := flag.Uint64("seed", 1, "the random seed")
	flag.Parse()
	if !strings.HasPrefix(*base, "http://127.0.0.1:") {
		log.Fatal("soak: -url http://127.0.0.1:PORT is required")
	}
	if *vus < 1 || *vus > 5000 || *duration <= 0 || *duration > 24*time.Hour || *rate < 1 || *rate > 1000 {
		log.Fatal("soak: want 1 ≤ -vus ≤ 5000, 0 < -duration ≤ 24h, 1 ≤ -rate ≤ 1000")
	}
	if err := harness.RaiseFileLimit(); err != nil {
		log.Printf("raising the open-file limit: %v", err)
	}
	every := time.Second / time.Duration(*rate)
	hc := &http.Client{}
	// Everything ends within the duration and 5 minutes.
	ctx, cancel := context.WithTimeout(context.Background(), *duration+5*time.Minute)
	defer cancel()

	var c counters
	var errs load.Errors
	grace := user(ctx, hc, *base, "warm-up", rand.New(rand.NewPCG(*seed, 0)), every, &c, &errs)
	if err := settle(ctx, *base, grace); err != nil {
		log.Fatal(err)
	}
	start, err := harness.GetStats(*base, true)
	if err != nil {
		log.Fatal(err)
	}
	t0 := time.Now()
	load0 := harness.LoadAverage()

	peak := start
	stopSampling := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Go(func() {
		t := time.NewTicker(2 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-stopSampling:
				return
			case <-t.C:
			}
			st, err := harness.GetStats(*base, false)
			if err != nil {
				errs.Add(fmt.Errorf("stats: %w", err))
				continue
			}
			peak.HeapAlloc, peak.Goroutines = max(peak.HeapAlloc, st.HeapAlloc), max(peak.Goroutines, st.Goroutines)
			peak.Files, peak.Sessions, peak.RSS = max(peak.Files, st.Files), max(peak.Sessions, st.Sessions), max(peak.RSS, st.RSS)
		}
	})

	deadline := time.Now().Add(*duration)
	var users sync.WaitGroup
	for v := range *vus {
		users.Go(func() {
			rng := rand.New(rand.NewPCG(*seed, uint64(v)+1))
			// Stagger the first arrivals over a second.
			time.Sleep(time.Duration(rng.IntN(1000)) * time.Millisecond)
			for k := 0; time.Now().Before(deadline) && ctx.Err() == nil; k++ {
				user(ctx, hc, *base, fmt.Sprintf("vu%d", v), rng, every, &c, &errs)
				time.Sleep(time.Duration(rng.IntN(500)) * time.Millisecond)
			}
		})
	}
	users.Wait()
	ran := time.Since(t0)
	load1 := harness.LoadAverage()
	if err := settle(ctx, *base, grace); err != nil {
		errs.Add(err)
	}
	close(stopSampling)
	sampler.Wait()
	end, err := harness.GetStats(*base, true)
	if err != nil {
		log.Fatal(err)
	}

	fmt.Printf("soak: %d users at a time for %v (ran %v), replies at %d chunks/s, loadavg %.2f→%.2f\n", *vus, *duration, ran.Round(time.Second), *rate, load0, load1)
	fmt.Printf("sessions %d, replies %d, drops %d, resumes %d, replies checked %d, errors %d\n",
		c.sessions.Load(), c.replies.Load(), c.drops.Load(), c.resumes.Load(), c.checked.Load(), errs.Count())
	fmt.Printf("server          %10s %10s %10s\n", "start", "peak", "end")
	fmt.Printf("heap (MiB)      %10.1f %10.1f %10.1f   (start and end after a GC; peak without)\n", harness.MiB(start.HeapAlloc), harness.MiB(peak.HeapAlloc), harness.MiB(end.HeapAlloc))
	fmt.Printf("goroutines      %10d %10d %10d\n", start.Goroutines, peak.Goroutines, end.Goroutines)
	fmt.Printf("open files      %10d %10d %10d\n", start.Files, peak.Files, end.Files)
	fmt.Printf("sessions        %10d %10d %10d\n", start.Sessions, peak.Sessions, end.Sessions)
	fmt.Printf("RSS (MiB)       %10.1f %10.1f %10.1f\n", harness.MiB(start.RSS), harness.MiB(peak.RSS), harness.MiB(end.RSS))
	errs.Print()

	var bad []string
	if n := errs.Count(); n > 0 {
		bad = append(bad, fmt.Sprintf("%d errors", n))
	}
	if c.checked.Load() != c.replies.Load() {
		bad = append(bad, fmt.Sprintf("%d of %d replies checked", c.checked.Load(), c.replies.Load()))
	}
	if end.Goroutines > start.Goroutines+2 {
		bad = append(bad, fmt.Sprintf("goroutines %d → %d", start.Goroutines, end.Goroutines))
	}
	if end.Files > start.Files+2 {
		bad = append(bad, fmt.Sprintf("open files %d → %d", start.Files, end.Files))
	}
	if d := end.HeapAlloc - start.HeapAlloc; d > 2<<20 && d > start.HeapAlloc/4 {
		bad = append(bad, fmt.Sprintf("heap %.1f → %.1f MiB", harness.MiB(start.HeapAlloc), harness.MiB(end.HeapAlloc)))
	}
	if end.Sessions != 0 {
		bad = append(bad, fmt.Sprintf("%d sessions left", end.Sessions))
	}
	if len(bad) > 0 {
		fmt.Printf("verdict: FAIL: %s\n", strings.Join(bad, "; "))
		os.Exit(1)
	}
	fmt.Printf("verdict: PASS: %d replies, none lost or repeated a chunk; heap, goroutines and open files back to the start\n", c.checked.Load())
}

// user is one virtual user: a page that asks for one or two replies,
// drops its socket in the middle of most of them and resumes, checks each
// reply and leaves. It returns the server's grace period.
func user(ctx context.Context, hc *http.Client, base, name string, rng *rand.Rand, every time.Duration, c *counters, errs *load.Errors) time.Duration {
	fail := func(err error) { errs.Add(fmt.Errorf("%s: %w", name, err)) }
	p, err := load.Open(ctx, hc, base, name)
	if err != nil {
		fail(err)
		return 0
	}
	defer p.Close()
	c.sessions.Add(1)
	for range 1 + rng.IntN(2) {
		n := 50 + rng.IntN(150) // 1 to 4 seconds at 50 chunks/s
		if err := p.Submit(ctx, load.Request{Chunks: n, Every: every}); err != nil {
			fail(err)
			return p.Grace()
		}
		c.replies.Add(1)
		dropAfter := -1 // frames with patches
		if rng.IntN(4) > 0 {
			dropAfter = 1 + rng.IntN(max(1, n/3))
		}
		frames := 0
		for {
			f, err := p.Next(ctx)
			if err != nil {
				fail(err)
				return p.Grace()
			}
			if f.End {
				break
			}
			if f.Patches > 0 {
				frames++
			}
			if frames == dropAfter {
				p.Drop()
				c.drops.Add(1)
				time.Sleep(time.Duration(rng.IntN(1500)) * time.Millisecond)
				if err := p.Resume(ctx); err != nil {
					fail(fmt.Errorf("resume: %w", err))
					return p.Grace()
				}
				c.resumes.Add(1)
			}
		}
		if err := p.Check(n); err != nil {
			fail(err)
		} else {
			c.checked.Add(1)
		}
		if err := p.WaitIdle(ctx); err != nil {
			fail(err)
			return p.Grace()
		}
	}
	return p.Grace()
}

// settle waits until the server has no session left: those of users who
// left expire after the grace period.
func settle(ctx context.Context, base string, grace time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, grace+time.Minute)
	defer cancel()
	for {
		st, err := harness.GetStats(base, false)
		if err != nil {
			return err
		}
		if st.Sessions == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("soak: %d sessions still live %v after the last user left", st.Sessions, grace+time.Minute)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
