// Package protocol defines sheen's wire protocol: the JSON messages a page and
// its server session exchange over one WebSocket, as Go types.
//
// Every frame is one JSON object with a "type" field. The page sends [Hello]
// (always first), [Input], [Event] and [Ping]; the server answers with
// [Welcome], [Update], [Error], [Expired] and [Pong]. Each message type
// marshals its own "type" field, so json.Marshal(Update{...}) produces a
// complete frame.
//
// [DecodeClient] and [DecodeServer] parse and validate one frame. They never
// panic on bad input; they return a [*DecodeError] whose Code is the code the
// server puts in its [Error] reply (see [DecodeError.Reply]).
//
// The protocol is versioned ([Version]); receivers ignore fields they do not
// know, so fields can be added within a version. Server frames carry a
// sequence number and client frames a message number, which together give
// lossless, exactly-once delivery across reconnects. docs/protocol.md
// describes the handshake, sequencing, resume and every field.
//
// The JSON examples in testdata/ are read by both the Go tests and the
// JavaScript client's tests, so the two sides cannot drift apart.
package protocol
