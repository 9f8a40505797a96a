// Package transport carries sheen's protocol frames over a WebSocket
// (github.com/coder/websocket): reading frames with a size limit that answers
// instead of disconnecting, a non-blocking bounded send queue drained by a
// short-lived writer goroutine, and the replay buffer that lets a page resume
// a session without losing or repeating an update.
//
// It knows nothing of sessions or the reactive graph; the root package sheen
// builds those on top of it.
package transport
