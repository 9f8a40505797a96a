// Package model is the small interface between a chat and a language model:
// stream a reply to a history, with options, as chunks of text, thinking,
// tool calls and usage.
//
// A [Model] knows one provider's wire format; the adapters live in their own
// packages so that nothing else imports a provider SDK: model/openai (the
// Chat Completions API of OpenAI and of the servers that speak it: Ollama,
// vLLM, llama.cpp, LM Studio) and model/anthropic (Anthropic's Messages API,
// extended thinking included). Both pass the behaviour suite in
// model/modeltest.
//
// A history is a list of [Message]: system, user and assistant messages, and
// the results of tool calls (role [Tool]). An assistant message may carry the
// tool calls it made; the results that answer them follow it, one [Tool]
// message each, paired by the call's ID. Package chat builds the history from
// a transcript (chat.Respond); package tools turns Go functions into
// [ToolSpec]s and runs the calls.
//
// docs/models.md has the whole picture.
package model
