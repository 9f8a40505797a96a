package harness

import (
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"time"
)

// Stats is the answer of a benchmark server's /stats.
type Stats struct {
	RSS        int64 `json:"rss"`         // bytes, VmRSS of /proc/self/status
	Peak       int64 `json:"peak"`        // bytes, VmHWM: the peak RSS so far
	HeapAlloc  int64 `json:"heap_alloc"`  // bytes of heap objects (live ones only after a GC)
	HeapInuse  int64 `json:"heap_inuse"`  // bytes in in-use heap spans
	StackInuse int64 `json:"stack_inuse"` // bytes of goroutine stacks
	Sys        int64 `json:"sys"`         // bytes the Go runtime got from the OS
	Goroutines int   `json:"goroutines"`
	Files      int   `json:"files"` // open file descriptors
	Sessions   int   `json:"sessions"`
	GC         bool  `json:"gc"` // the figures were taken after a GC
}

// Debug returns the debug endpoints of a benchmark server, to mount on its
// mux (which serves only 127.0.0.1):
//
//   - GET /stats runs the garbage collector, returns freed memory to the OS
//     (so RSS holds what is live) and answers with [Stats] as JSON;
//     /stats?gc=0 skips both, for frequent samples during a run.
//   - GET /heap returns a heap profile, after a GC.
//   - GET /goroutines returns the goroutines' stacks, grouped.
//
// sessions reports the live sessions (sheen.App.Sessions).
func Debug(mux *http.ServeMux, sessions func() int) {
	mux.HandleFunc("/stats", func(w http.ResponseWriter, r *http.Request) {
		st, err := ReadStats(r.URL.Query().Get("gc") != "0", sessions)
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
}

// ReadStats returns this process's figures, after a GC when gc is set.
func ReadStats(gc bool, sessions func() int) (Stats, error) {
	if gc {
		runtime.GC()
		debug.FreeOSMemory() // RSS then holds what is live, not garbage waiting for the scavenger
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	p, err := ReadProc(0)
	return Stats{
		RSS:        p.RSS,
		Peak:       p.Peak,
		HeapAlloc:  int64(m.HeapAlloc),
		HeapInuse:  int64(m.HeapInuse),
		StackInuse: int64(m.StackInuse),
		Sys:        int64(m.Sys),
		Goroutines: runtime.NumGoroutine(),
		Files:      p.Files,
		Sessions:   sessions(),
		GC:         gc,
	}, err
}

// statsClient fetches /stats; a GC with 10,000 sessions takes a while,
// but not a minute.
var statsClient = &http.Client{Timeout: time.Minute}

// GetStats fetches base/stats (after a GC on the server when gc is set).
func GetStats(base string, gc bool) (Stats, error) {
	var st Stats
	u := base + "/stats"
	if !gc {
		u += "?gc=0"
	}
	resp, err := statsClient.Get(u)
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("GET /stats: %s", resp.Status)
	}
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

// MiB returns b in mebibytes.
func MiB(b int64) float64 { return float64(b) / (1 << 20) }
