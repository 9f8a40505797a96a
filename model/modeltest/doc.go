// Package modeltest is the behaviour suite every [model.Model] adapter
// passes: text, thinking, tool calls (parallel, malformed), usage, errors
// (an HTTP status, an error event, a dropped connection) and cancellation,
// each against a fake server that speaks the provider's wire format.
//
// An adapter's test gives [Run] a [Harness] that starts its fake with
// scripted replies and returns the model talking to it.
package modeltest
