// Package sqlite is the embedded [store.Store]: conversations kept in one
// SQLite file whose path the app chooses, through modernc.org/sqlite (pure
// Go, no cgo), so a single binary runs a chat that survives restarts with
// nothing else to install. The package creates and migrates its schema,
// writes through one connection while readers share the file in WAL mode,
// skips (and logs) rows it cannot read instead of failing a whole
// conversation, and counts the bytes it writes so the chat can measure what
// streaming into the database costs ([Store.Stats]).
//
// Durability: the file is in WAL mode with synchronous=NORMAL. A write that
// returned is never lost when the process dies (crash, SIGKILL); after a
// power loss or an OS crash the last writes before it may be lost, but the
// file stays consistent. That trades the last moments of a conversation in
// the rare machine crash for a write path that does not wait for the disk on
// every streamed token.
package sqlite
