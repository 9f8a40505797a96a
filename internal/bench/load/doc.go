// Package load measures sheen under streaming load and churn: many chat
// sessions receiving replies at once, over real WebSockets on loopback,
// from clients in a process of their own.
//
// The package holds what both sides share: the app ([AppPage]: one chat
// whose reply streams numbered chunks at the rate the request asks,
// [Server]), the request and the chunks ([Request], [Chunk], [Text]), so a
// client knows exactly what it must receive, and [Page], a Go page that
// speaks the protocol as the browser does (acknowledging within [AckDelay]),
// resumes after a dropped socket, and rebuilds the streamed message to check
// it. [Arrivals] makes a page's connection report when each frame reached its
// socket, so that a client sharing the machine with the server does not
// count its own delays as the server's.
//
//   - server: serves the app on 127.0.0.1, with the debug endpoints of
//     internal/bench/harness (/stats: heap, goroutines, open files).
//   - client: N sessions at once, each asking for one stream; prints frames
//     per second, the inter-frame gaps (by arrival and by read), errors, and the server's CPU time
//     and peak RSS read from /proc/<pid>. run.sh runs it (make load).
//   - soak: virtual users that connect, chat, drop the socket mid-stream,
//     resume and leave, for a duration; checks every transcript and the
//     server's heap, goroutines and open files. soak.sh runs it (make soak).
//
// docs/benchmarks.md ("Load and soak") has the figures and the commands.
package load
