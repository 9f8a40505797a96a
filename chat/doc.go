// Package chat is sheen's chat component: a streaming LLM chat whose
// transcript the server owns.
//
// Place it in a page with [UI] and bind it in the server function with
// [New]. Register [Chat.OnUserSubmit] handlers; they run off the session's
// goroutine with a context the stop button cancels, and answer with
// [Chat.AppendMessage] or [Chat.AppendMessageStream] (a Go iterator of
// markdown chunks). Markdown is rendered on the server, incrementally while it
// streams, and sanitized; trust is carried by Go types ([HTML]), never guessed
// from text. [Chat.Messages] is the authoritative transcript, read reactively.
//
// docs/chat.md describes the component, its wire messages and how it
// compares with shinychat.
package chat
