// Command client is the load benchmark's client: N sessions at once over
// real WebSockets, each asking the app of ../server for one streamed reply
// (RATE chunks per second for DURATION), in a process of its own.
//
//	client -url http://127.0.0.1:PORT[,http://127.0.0.1:PORT2…] -pid PID[,PID2…] [-n 1000] [-rate 50] [-duration 60s]
//
// Session i uses the i-th URL (round robin), so one client can drive one
// instance, or several instances, or a proxy in front of them. Each session
// counts the frames that bring its reply and the gaps between them (from
// the first to the last), and checks the reply it built: every chunk once,
// in order, and the HTML of the reply rendered whole. A gap is measured
// twice: between the times the frames reached the session's socket (the
// kernel's receive timestamps, see load.Arrivals: what the server delivered,
// whatever this process was doing) and between the times the session read
// them (which adds this process's own queueing when it shares the machine).
// At the end it prints one summary line: frames per second, the
// p50/p99/p99.9/max inter-frame gap over all sessions by arrival, the same
// by read, errors, the gaps by arrival of the steady state alone (from the
// last session's first frame to the first session's last, when every
// session streams: no dialling, no reply ending), and the CPU time and
// peak RSS of the server processes (from /proc/PID; several pids are
// summed, peak RSS is the largest), its own CPU time and the load average,
// and whether the targets (p99 gap by arrival ≤ 50 ms, server CPU ≤ 1 core)
// were met.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sheenhq/sheen/internal/bench/harness"
	"github.com/sheenhq/sheen/internal/bench/load"
)

func main() {
	urls := flag.String("url", "", "the server's base URL, http://127.0.0.1:PORT, or several, comma-separated")
	pids := flag.String("pid", "", "the server's pid, or several, comma-separated, to read CPU time and peak RSS from /proc")
	n := flag.Int("n", 1000, "concurrent sessions (at most 15,000)")
	rate := flag.Int("rate", 50, "chunks per second each reply streams")
	duration := flag.Duration("duration", 60*time.Second, "how long each reply streams (at most 1 hour)")
	conc := flag.Int("c", 64, "sessions dialed at once")
	src := flag.String("src", "", "comma-separated loopback source addresses to spread the connections over")
	label := flag.String("label", "", "a label printed at the start of the summary line")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of this client to this file")
	slow := flag.Duration("slow", 0, "print every gap of session 0 longer than this, with its frame number, the time since the first frame and the wall-clock time it ended (0: none)")
	flag.Parse()
	bases := strings.Split(*urls, ",")
	if *urls == "" {
		log.Fatal("client: -url is required")
	}
	for _, b := range bases {
		if !strings.HasPrefix(b, "http://127.0.0.1:") {
			log.Fatalf("client: %q: only http://127.0.0.1:PORT", b)
		}
	}
	if *n < 1 || *n > 15000 || *rate < 1 || *rate > 1000 || *duration <= 0 || *duration > time.Hour {
		log.Fatal("client: want 1 ≤ -n ≤ 15000, 1 ≤ -rate ≤ 1000, 0 < -duration ≤ 1h")
	}
	var procs []int
	if *pids != "" {
		for _, s := range strings.Split(*pids, ",") {
			pid, err := strconv.Atoi(s)
			if err != nil {
				log.Fatalf("client: -pid %q", s)
			}
			procs = append(procs, pid)
		}
	}
	stopProfile, err := harness.CPUProfile(*cpuprofile)
	if err != nil {
		log.Fatal(err)
	}
	defer stopProfile()
	if err := harness.RaiseFileLimit(); err != nil {
		log.Printf("raising the open-file limit: %v", err)
	}
	req := load.Request{Chunks: int(int64(*rate) * int64(*duration) / int64(time.Second)), Every: time.Second / time.Duration(*rate)}
	clients := harness.HTTPClients(*src)
	for i, c := range clients {
		clients[i] = load.Arrivals(c)
	}

	// Everything ends within the streams' duration and 2 minutes.
	ctx, cancel := context.WithTimeout(context.Background(), *duration+2*time.Minute)
	defer cancel()

	load0 := harness.LoadAverage()
	before := readProcs(procs)
	self0, _ := harness.ReadProc(0)
	start := time.Now()

	var (
		frames, patches atomic.Int64
		checked         atomic.Int64
		errs            load.Errors
		gaps            = make([][]int32, *n)                  // µs between arrivals, per session
		readGaps        = make([][]int32, *n)                  // µs between reads, per session
		gapEnds         = make([][]int32, *n)                  // when each gap ended (its frame arrived), ms since start
		firsts, lasts   = make([]int32, *n), make([]int32, *n) // each session's first and last frame, ms since start
		dial            = make(chan struct{}, *conc)
		wg              sync.WaitGroup
	)
	for i := range *n {
		wg.Go(func() {
			dial <- struct{}{}
			p, err := load.Open(ctx, clients[i%len(clients)], bases[i%len(bases)], "")
			if err == nil {
				err = p.Submit(ctx, req)
			}
			<-dial
			if err != nil {
				errs.Add(fmt.Errorf("session %d: %w", i, err))
				return
			}
			defer p.Close()
			g, rg, ends := make([]int32, 0, req.Chunks), make([]int32, 0, req.Chunks), make([]int32, 0, req.Chunks)
			sinceStart := func(t time.Time) int32 { return int32(t.Sub(start).Milliseconds()) }
			var last, first, lastRead time.Time
			µs := func(d time.Duration) int32 { return int32(min(d.Microseconds(), math.MaxInt32)) }
			for {
				f, err := p.Next(ctx)
				if err != nil {
					errs.Add(fmt.Errorf("session %d: %w", i, err))
					return
				}
				if f.Patches > 0 {
					now, read := f.Arrived, time.Now()
					if !last.IsZero() {
						g, rg, ends = append(g, µs(now.Sub(last))), append(rg, µs(read.Sub(lastRead))), append(ends, sinceStart(now))
						if i == 0 && *slow > 0 && now.Sub(last) > *slow {
							fmt.Fprintf(os.Stderr, "session 0: frame %d at %v (%s): gap %v (read %v after it arrived)\n", len(g)+1, now.Sub(first).Round(time.Millisecond), now.Format("15:04:05.000"), now.Sub(last).Round(time.Microsecond), read.Sub(now).Round(time.Microsecond))
						}
					} else {
						first = now
					}
					last, lastRead = now, read
					frames.Add(1)
					patches.Add(int64(f.Patches))
				}
				if f.End {
					break
				}
			}
			gaps[i], readGaps[i], gapEnds[i] = g, rg, ends
			firsts[i], lasts[i] = sinceStart(first), sinceStart(last)
			if err := p.Check(req.Chunks); err != nil {
				errs.Add(fmt.Errorf("session %d: %w", i, err))
				return
			}
			checked.Add(1)
		})
	}
	wg.Wait()
	wall := time.Since(start)
	after := readProcs(procs)
	self1, _ := harness.ReadProc(0)
	load1 := harness.LoadAverage()

	pcts := func(gaps [][]int32) func(q float64) time.Duration {
		var all []int32
		for _, g := range gaps {
			all = append(all, g...)
		}
		slices.Sort(all)
		return func(q float64) time.Duration {
			if len(all) == 0 {
				return -1
			}
			return time.Duration(all[min(int(q*float64(len(all))), len(all)-1)]) * time.Microsecond
		}
	}
	pct, readPct := pcts(gaps), pcts(readGaps)
	// The steady state: from when the last session's reply began to when
	// the first one's ended, every session streams; before it the others
	// are still dialling, after it they are finishing.
	steadyFrom, steadyTo := slices.Max(firsts), slices.Min(lasts)
	steady := make([][]int32, len(gaps))
	for i, g := range gaps {
		for k, d := range g {
			if end := gapEnds[i][k]; end-d/1000 >= steadyFrom && end <= steadyTo {
				steady[i] = append(steady[i], d)
			}
		}
	}
	steadyPct := pcts(steady)
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }
	p99 := pct(0.99)

	var b strings.Builder
	if *label != "" {
		fmt.Fprintf(&b, "%s: ", *label)
	}
	fmt.Fprintf(&b, "sessions=%d servers=%d reply=%d×%v wall=%.1fs frames=%d (%.0f/s) patches=%d gap p50=%s p99=%s p99.9=%s max=%s read gap p50=%s p99=%s p99.9=%s max=%s errors=%d checked=%d/%d",
		*n, len(bases), req.Chunks, req.Every, wall.Seconds(), frames.Load(), float64(frames.Load())/wall.Seconds(), patches.Load(),
		ms(pct(0.5)), ms(p99), ms(pct(0.999)), ms(pct(1)), ms(readPct(0.5)), ms(readPct(0.99)), ms(readPct(0.999)), ms(readPct(1)), errs.Count(), checked.Load(), *n)
	if steadyTo > steadyFrom {
		fmt.Fprintf(&b, " steady %.1f–%.1fs gap p50=%s p99=%s p99.9=%s max=%s",
			float64(steadyFrom)/1000, float64(steadyTo)/1000, ms(steadyPct(0.5)), ms(steadyPct(0.99)), ms(steadyPct(0.999)), ms(steadyPct(1)))
	}
	cores := math.NaN()
	if len(procs) > 0 {
		var cpu time.Duration
		var peak int64
		for i := range procs {
			cpu += after[i].CPU - before[i].CPU
			peak = max(peak, after[i].Peak)
		}
		cores = cpu.Seconds() / wall.Seconds()
		fmt.Fprintf(&b, " server cpu=%.1fs (%.2f cores) peak_rss=%.0fMiB", cpu.Seconds(), cores, harness.MiB(peak))
	}
	fmt.Fprintf(&b, " client cpu=%.1fs (%.2f cores) loadavg=%.2f→%.2f", (self1.CPU - self0.CPU).Seconds(), (self1.CPU-self0.CPU).Seconds()/wall.Seconds(), load0, load1)
	yes := func(ok bool) string {
		if ok {
			return "met"
		}
		return "MISSED"
	}
	fmt.Fprintf(&b, " targets: p99≤50ms %s, server≤1core %s", yes(p99 >= 0 && p99 <= 50*time.Millisecond), yes(cores <= 1))
	fmt.Println(b.String())
	errs.Print()
	if errs.Count() > 0 {
		os.Exit(1)
	}
}

// readProcs reads the figures of every pid; it exits if one is gone.
func readProcs(pids []int) []harness.Proc {
	out := make([]harness.Proc, len(pids))
	for i, pid := range pids {
		p, err := harness.ReadProc(pid)
		if err != nil {
			log.Fatalf("client: server process %d: %v", pid, err)
		}
		out[i] = p
	}
	return out
}
