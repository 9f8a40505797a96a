// Package pagetest is a Go stand-in for a browser page in tests: it speaks
// sheen's wire protocol (package protocol) to a real server over a real
// WebSocket, the way client/sheen.js does, and keeps what one component
// on the page receives.
//
// [Open] dials <base>/_sheen/ws, sends the hello and announces the
// component as ready. A read loop checks every frame: it must decode, and
// updates must arrive in sequence (seq = last + 1, counting from the
// welcome). The component's messages and the page's notices are queued
// without limit; the test takes them in order with [Page.Next],
// [Page.Until], [Page.Wait] and [Page.Idle], and [Page.Notice]. Every
// message taken is applied to the page's [View], which follows the chat
// component's messages (reset, append, start, patch, end) as the browser
// does: committed blocks and an open tail per message, patched by deltas
// whose semantics are those of internal/markdown's View.
//
// A wait fails the test, with what it saw, after 20 seconds or as soon as
// the connection is closed. When the test ends, the page closes its
// connection and waits for its read loop, so it leaves no goroutine
// running.
//
// The package does not import package chat (nothing does): it knows the
// chat's wire messages only as JSON, as the browser does.
package pagetest
