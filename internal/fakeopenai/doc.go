// Package fakeopenai is a deterministic fake model for tests: an
// OpenAI-compatible chat completions server on 127.0.0.1 that plays scripted
// replies.
//
// [New] starts it, like httptest.NewServer; clients take [Server.URL] as
// their base URL ("http://127.0.0.1:port/v1"). It answers POST
// /v1/chat/completions, streamed as server-sent events ("stream": true) or
// not, and GET /v1/models. Each reply is a list of content chunks, optionally
// preceded by reasoning chunks (sent as "reasoning_content", as vLLM, llama.cpp
// and DeepSeek do) and followed by tool calls (a first delta with the call's
// index, id and name, then its arguments in the pieces given), with a delay
// before each chunk, and the usage in a last chunk when the request asks for
// it; it can fail midway with
// an SSE error event or a dropped connection, or fail at once with an HTTP
// error status.
//
// The server records every request it receives (the model, the messages, the
// raw body) and how each exchange ended: completed, failed, rejected, or
// canceled by the client going away, which is how a test sees a stop button
// work. [Server.Finished] waits for an exchange to end, so tests need no
// sleeps.
package fakeopenai
