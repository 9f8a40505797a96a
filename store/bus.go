package store

import (
	"context"
	"time"
)

// Event is one entry of a conversation's live log.
type Event struct {
	// Pos is the event's position in its log: opaque, increasing; ""
	// means "before the first event". Callers keep positions and hand them
	// back (Since, Follow, Trim); they do not compare them, whose order only
	// the bus knows (Redis stream ids, for one, do not sort as strings).
	Pos  string
	Data []byte // the chat's JSON, returned byte for byte as published
}

// Bus carries what happens to conversations between the instances of an
// app that share a [Store]: each conversation has a live log of events
// (messages appended, a reply's text as it streams, busy states, stop
// requests), written by whichever instance changes the conversation and
// followed by every instance that shows it. A page on any instance thus
// follows a reply that another instance generates, from where it is, with
// nothing missed or repeated, and can stop it.
//
// The log is short-lived: a writer trims what nobody needs any more (the
// events before the current reply's start), and an implementation may drop
// a conversation's whole log when it has seen no event for a while (at
// least an hour). Implementations are safe for concurrent use.
//
// The conformance suite in package storetest (RunBus) pins this behaviour.
type Bus interface {
	// Publish appends data to conversation id's log and returns its
	// position.
	Publish(ctx context.Context, id string, data []byte) (pos string, err error)
	// Since returns the events of id's log after pos ("" for every event
	// kept), oldest first. A pos that was trimmed returns the events kept
	// after it; a conversation with no log has no events (not an error).
	Since(ctx context.Context, id, pos string) ([]Event, error)
	// Follow calls fn with every event of id's log after pos, in order, as
	// they are published, until ctx ends (it then returns ctx's error) or
	// the bus fails (it then returns that error; the caller may follow
	// again from the last position it saw). fn runs on Follow's goroutine
	// and must not block for long. When idle is positive, fn is also called
	// with a zero Event after every idle period without events, so that a
	// follower can notice a writer that went silent; with idle 0 it never
	// is. Events published after pos but before Follow started are
	// delivered too: following from the last position seen misses and
	// repeats nothing.
	Follow(ctx context.Context, id, pos string, idle time.Duration, fn func(Event)) error
	// Trim drops the events of id's log up to and including pos; Since("")
	// then starts after pos. Trimming what is gone already does nothing.
	Trim(ctx context.Context, id, pos string) error
}
