// Package anthropic is the [model.Model] of Anthropic's Messages API, with
// extended thinking and tool use.
//
// The request is built, authenticated, sent and retried by the official SDK
// (github.com/anthropics/anthropic-sdk-go/v2); the streamed events are read
// by this package (one small JSON decode per event): text, thinking and its
// signature, tool_use blocks (yielded once their input_json_delta pieces are
// complete) and the usage of message_start and message_delta.
package anthropic
