// Package openai is the [model.Model] of OpenAI's Chat Completions API and of
// the servers that speak it: OpenAI, Ollama, vLLM, llama.cpp's server, LM
// Studio, DeepSeek, OpenRouter…
//
// The request is built, authenticated, sent and retried by the official SDK
// (github.com/openai/openai-go/v3); the streamed reply is read by this
// package (one small JSON decode per server-sent event), which yields the
// answer, the reasoning of servers that send it ("reasoning_content" or
// "reasoning"), tool calls once their arguments are complete, and the usage
// (asked for with stream_options.include_usage).
package openai
