package model

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
)

// Model streams replies. Implementations are safe for concurrent use.
type Model interface {
	// Info describes the model: its name and context window.
	Info() Info
	// Stream sends req and yields the reply as it arrives. The sequence ends
	// after the reply's last chunk, or with one error (the request failed,
	// the connection broke, ctx ended: then the error wraps ctx's). Ending
	// ctx, or stopping the iteration, cancels the HTTP request.
	Stream(ctx context.Context, req Request) iter.Seq2[Chunk, error]
}

// Info describes a model.
type Info struct {
	Name     string // the model's name, as the provider knows it
	Provider string // where it runs, for people: "api.openai.com", "localhost:11434"
	// Context is the context window in tokens (prompt and reply together);
	// 0 when unknown.
	Context int
	// MaxOutput is the most tokens a reply may have (the request's
	// max_tokens when Request.MaxTokens is 0).
	MaxOutput int
}

// Role says who wrote a message.
type Role string

// Roles.
const (
	System    Role = "system"
	User      Role = "user"
	Assistant Role = "assistant"
	Tool      Role = "tool" // the result of a tool call
)

// Message is one message of a history.
type Message struct {
	Role Role
	Text string
	// Files are a user message's images and PDFs (text files are in Text).
	Files []File
	// Thinking is an assistant message's reasoning and ThinkingSignature
	// its provider's signature. Adapters send it back only where the
	// provider needs it (Anthropic, within a tool-use turn).
	Thinking          string
	ThinkingSignature string
	// ToolCalls are the calls an assistant message made.
	ToolCalls []ToolCall
	// ToolCallID is the call a Tool message answers; IsError says the
	// result (Text) is an error.
	ToolCallID string
	IsError    bool
}

// File is an image or a PDF: its bytes, or a URL.
type File struct {
	Name string
	MIME string // image/png, image/jpeg, image/gif, image/webp or application/pdf
	Data []byte
	URL  string // used when Data is nil
}

// ToolCall is a call of a tool by the model.
type ToolCall struct {
	ID   string
	Name string
	// Args are the arguments as the model wrote them: a JSON object, or
	// whatever the model sent (a model can write malformed JSON; the tool
	// runner answers it with an error, never a crash).
	Args json.RawMessage
}

// ToolSpec declares a tool to the model.
type ToolSpec struct {
	Name        string
	Description string
	// Schema is the JSON Schema of the arguments: an object schema.
	Schema json.RawMessage
}

// Request is what a model is asked.
type Request struct {
	Messages []Message
	Tools    []ToolSpec
	// MaxTokens caps the reply; 0 is the adapter's default.
	MaxTokens int
	// Thinking asks for extended reasoning with this budget of tokens where
	// the provider supports it (Anthropic); 0 is off. Servers that always
	// reason (DeepSeek, Qwen on vLLM or llama.cpp) stream it regardless.
	Thinking int
	// Temperature, if set, is sent as is.
	Temperature *float64
}

// Kind says what a chunk carries.
type Kind int

// Chunk kinds.
const (
	// TextChunk is a piece of the answer (markdown).
	TextChunk Kind = iota
	// ThinkingChunk is a piece of the reasoning.
	ThinkingChunk
	// SignatureChunk is the provider's signature of the reasoning so
	// far (Anthropic): kept to send the reasoning back within a tool turn.
	SignatureChunk
	// ToolStartChunk says the model began writing a call: Call has its ID and
	// Name, not its arguments yet.
	ToolStartChunk
	// ToolCallChunk is a complete call: Call has its arguments.
	ToolCallChunk
	// UsageChunk reports tokens: prompt (In) and reply (Out) so far. It may come
	// more than once; the last one counts.
	UsageChunk
)

func (k Kind) String() string {
	switch k {
	case TextChunk:
		return "text"
	case ThinkingChunk:
		return "thinking"
	case SignatureChunk:
		return "signature"
	case ToolStartChunk:
		return "tool-start"
	case ToolCallChunk:
		return "tool-call"
	case UsageChunk:
		return "usage"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Chunk is one piece of a streamed reply.
type Chunk struct {
	Kind Kind
	Text string    // TextChunk, ThinkingChunk, SignatureChunk
	Call *ToolCall // ToolStartChunk, ToolCallChunk
	In   int       // UsageChunk: prompt tokens (0: not reported)
	Out  int       // UsageChunk: reply tokens (0: not reported)
	// Stop is set on the last chunk a provider marks with its reason
	// ("stop", "end_turn", "tool_calls", "tool_use", "length", "max_tokens").
	Stop string
}

// Error is a provider's error: an HTTP status with the provider's message,
// or an error event in the stream (Status 0).
type Error struct {
	Provider string // the host
	Status   int
	Message  string
	Err      error
}

func (e *Error) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("model: %s answered %d: %s", e.Provider, e.Status, e.Message)
	}
	return fmt.Sprintf("model: %s: %s", e.Provider, e.Message)
}

// Unwrap returns the SDK's error.
func (e *Error) Unwrap() error { return e.Err }

// ErrNoReply is returned by [Collect] for a stream that ended without a
// chunk.
var ErrNoReply = errors.New("model: no reply")

// Reply is a whole reply, as [Collect] gathers it.
type Reply struct {
	Text      string
	Thinking  string
	Signature string
	Calls     []ToolCall
	In, Out   int
	Stop      string
}

// Collect reads a whole reply from m (handy in tests and for one-shot
// calls).
func Collect(ctx context.Context, m Model, req Request) (Reply, error) {
	var r Reply
	n := 0
	for c, err := range m.Stream(ctx, req) {
		if err != nil {
			return r, err
		}
		n++
		switch c.Kind {
		case TextChunk:
			r.Text += c.Text
		case ThinkingChunk:
			r.Thinking += c.Text
		case SignatureChunk:
			r.Signature = c.Text
		case ToolCallChunk:
			r.Calls = append(r.Calls, *c.Call)
		case UsageChunk:
			if c.In > 0 {
				r.In = c.In
			}
			if c.Out > 0 {
				r.Out = c.Out
			}
		}
		if c.Stop != "" {
			r.Stop = c.Stop
		}
	}
	if n == 0 {
		return r, ErrNoReply
	}
	return r, nil
}
