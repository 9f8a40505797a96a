// Package harness holds what sheen's benchmark programs share: the
// figures of a process read from /proc (CPU time, resident and peak
// memory, open files), the /stats endpoint a benchmark server answers with
// its memory, goroutines and sessions, and serving on 127.0.0.1 until a
// signal or a time limit.
//
// The servers and clients of internal/bench/sessions and internal/bench/load
// use it; each client runs in its own process and reads the server's
// figures from /proc/<pid> (the scripts pass the pid) or from /stats.
package harness
