// Package sessions measures the cost of sheen sessions.
//
//   - BenchmarkOutputPath (go test -bench) times one session's output path:
//     a value set inside the session's graph, the flush that re-renders a
//     text output, the Update encoded by the after-flush hook and queued on
//     the connection, and its write to a real WebSocket client on loopback.
//   - The commands server and client, run by run.sh, measure the idle memory
//     of 10,000 open sessions: the server serves a sheen.App and reports its
//     RSS and Go heap on /stats; the client, a separate process, opens the
//     sessions over loopback, each with a real hello, and leaves them idle.
//
// docs/benchmarks.md ("Runtime") has the figures and the commands.
package sessions
