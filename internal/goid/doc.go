// Package goid tells goroutines apart.
//
// The reactive package needs one fact the standard library does not expose:
// whether the calling goroutine is the one that currently runs a graph's turn.
// [Current] returns a token that is unique among the goroutines alive at the
// moment of the call. It is the address of the runtime's goroutine descriptor on
// amd64 and arm64 (two instructions), and the goroutine's number parsed from
// runtime.Stack elsewhere (slower but correct).
//
// A token is only meaningful while its goroutine is alive: descriptors are
// reused after a goroutine exits, so a token must never be compared after the
// goroutine that produced it may have ended.
package goid
