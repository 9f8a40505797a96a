// Package fakeanthropic is a deterministic fake of Anthropic's Messages API
// for tests: a server on 127.0.0.1 that answers POST /v1/messages with
// scripted replies, streamed as the API streams them (message_start, content
// blocks of thinking with its signature, text and tool_use with
// input_json_delta pieces, ping, message_delta with the stop reason and
// usage, message_stop), or failing midway with an error event or a dropped
// connection, or at once with an HTTP error.
//
// It records every request (the raw body and its parts) and how each
// exchange ended; [Server.Finished] waits for an exchange to end, so tests
// need no sleeps.
package fakeanthropic
