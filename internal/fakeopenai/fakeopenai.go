package fakeopenai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/sheenhq/sheen/internal/fakeserver"
)

// A Reply is what the fake model answers to one request.
type Reply struct {
	// Chunks are the content deltas, in order.
	Chunks []string
	// Reasoning chunks are streamed before the content, as
	// "reasoning_content" deltas.
	Reasoning []string
	// Delay is the wait before each chunk (reasoning and content alike).
	Delay time.Duration

	// Fail, if set, ends the reply after FailAfter chunks (reasoning
	// included; 0 fails before the first).
	Fail      Failure
	FailAfter int

	// ToolCalls are streamed after the content, as OpenAI streams them: a
	// first delta with the call's index, id, type and name, then the
	// arguments in the pieces given; the reply then finishes with
	// "tool_calls".
	ToolCalls []ToolCall
	// Usage, if set, is sent in a last chunk with no choices when the
	// request asked for it (stream_options.include_usage).
	Usage *Usage

	// Status, if not 0, answers at once with that HTTP status and an
	// OpenAI-style error body instead of a reply.
	Status int
	// Message is the error's message, for Status and ErrorEvent.
	Message string
}

// A ToolCall is a call the fake model makes. Args are the pieces of its
// arguments as streamed (they need not make valid JSON: a model can write
// malformed arguments).
type ToolCall struct {
	ID   string
	Name string
	Args []string
}

// Usage is the token usage a reply reports.
type Usage struct {
	Prompt, Completion int
}

// A Failure is how a reply fails midway.
type Failure int

// Failures.
const (
	NoFailure  Failure = iota
	ErrorEvent         // an SSE event whose data is {"error": {…}} (a non-streamed reply: status 500)
	Drop               // the connection is cut, the stream left unfinished
)

// Options configure a server.
type Options struct {
	// Replies are played in order, one per chat completion request; once
	// they are used up the last one is played again. With none, every
	// request gets "Hello from the fake model." in one chunk.
	Replies []Reply
	// Respond, if set, chooses the reply to each request instead.
	Respond func(Request) Reply
	// Models are what GET /v1/models lists (default: "fake-model").
	Models []string
}

// A Request is a chat completion request the server received, and how its
// exchange went.
type Request struct {
	Model     string
	Stream    bool
	Messages  []Message
	MaxTokens int // max_completion_tokens, or else max_tokens
	Header    http.Header
	Body      []byte // the raw JSON body
	// Tools are the tools the request declared, as sent.
	Tools []json.RawMessage
	// IncludeUsage is stream_options.include_usage.
	IncludeUsage bool

	End  End // how the exchange ended; Pending while it runs
	Sent int // chunks written (reasoning included)
}

// A Message is one message of a request.
type Message struct {
	Role string
	// Content is the text: the content string, or the text of its text
	// parts joined by newlines.
	Content string
	// Parts are the content parts, when the content is an array.
	Parts []json.RawMessage
	// ToolCalls are an assistant message's tool calls, as sent.
	ToolCalls []json.RawMessage
	// ToolCallID is the call a "tool" message answers.
	ToolCallID string
}

// End is how an exchange ended.
type End = fakeserver.End

// Ends.
const (
	Pending   = fakeserver.Pending   // still running
	Completed = fakeserver.Completed // the whole reply was sent
	Failed    = fakeserver.Failed    // the reply failed as scripted
	Rejected  = fakeserver.Rejected  // an error status: a bad request or a scripted Status
	Canceled  = fakeserver.Canceled  // the client went away before the end (or the server closed)
)

// Server is a running fake model.
type Server struct {
	// URL is the base URL for clients: "http://127.0.0.1:<port>/v1".
	URL string

	opts Options
	log  *fakeserver.Server[Request]
}

// The id and creation time of every completion: fixed, so output is
// deterministic.
const created = 1700000000

// New starts a server on 127.0.0.1. Close it when done.
func New(opts Options) *Server {
	s := &Server{opts: opts}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", s.completions)
	mux.HandleFunc("GET /v1/models", s.models)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "invalid_request_error", fmt.Sprintf("no route %s %s", r.Method, r.URL.Path))
	})
	s.log = fakeserver.Start("fakeopenai", mux, func(r *Request) *End { return &r.End })
	s.URL = s.log.URL() + "/v1"
	return s
}

// Close stops the server: replies still running end (as Canceled), and it
// waits for their handlers to return.
func (s *Server) Close() { s.log.Close() }

// Requests returns the chat completion requests received so far, in
// order, with how each has gone so far.
func (s *Server) Requests() []Request { return s.log.Requests() }

// Finished waits until the i-th request (from 0) has arrived and its
// exchange has ended, and returns it; or returns ctx's error.
func (s *Server) Finished(ctx context.Context, i int) (Request, error) { return s.log.Finished(ctx, i) }

func (s *Server) models(w http.ResponseWriter, r *http.Request) {
	names := s.opts.Models
	if len(names) == 0 {
		names = []string{"fake-model"}
	}
	type model struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Created int64  `json:"created"`
		OwnedBy string `json:"owned_by"`
	}
	list := struct {
		Object string  `json:"object"`
		Data   []model `json:"data"`
	}{Object: "list", Data: []model{}}
	for _, n := range names {
		list.Data = append(list.Data, model{ID: n, Object: "model", Created: created, OwnedBy: "fakeopenai"})
	}
	writeJSON(w, http.StatusOK, list)
}

// body is what the server reads of a request.
type body struct {
	Model               string            `json:"model"`
	Stream              bool              `json:"stream"`
	Messages            []json.RawMessage `json:"messages"`
	MaxTokens           int               `json:"max_tokens"`
	MaxCompletionTokens int               `json:"max_completion_tokens"`
	Tools               []json.RawMessage `json:"tools"`
	StreamOptions       struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
}

const maxBody = 64 << 20

func (s *Server) completions(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	req := Request{Header: r.Header.Clone(), Body: raw}
	var b body
	if err == nil {
		err = json.Unmarshal(raw, &b)
	}
	if err == nil {
		req.Model, req.Stream, req.MaxTokens = b.Model, b.Stream, b.MaxCompletionTokens
		req.Tools, req.IncludeUsage = b.Tools, b.StreamOptions.IncludeUsage
		if req.MaxTokens == 0 {
			req.MaxTokens = b.MaxTokens
		}
		req.Messages, err = parseMessages(b.Messages)
	}
	if err == nil && (b.Model == "" || len(b.Messages) == 0) {
		err = errors.New("model and messages are required")
	}
	i := s.log.Add(req)
	if err != nil {
		s.log.Ended(i, Rejected)
		writeError(w, http.StatusBadRequest, "invalid_request_error", "fakeopenai: "+err.Error())
		return
	}

	reply := s.reply(i, req)
	if reply.Status != 0 {
		s.log.Ended(i, Rejected)
		writeError(w, reply.Status, errorType(reply.Status), reply.Message)
		return
	}
	id := fmt.Sprintf("chatcmpl-fake-%d", i+1)
	var end End
	if req.Stream {
		end = s.stream(w, r, i, id, req, reply)
	} else {
		end = s.whole(w, r, i, id, req.Model, reply)
	}
	s.log.Ended(i, end)
	if end == Canceled || end == Failed && reply.Fail == Drop {
		// Cut the connection: the client sees an unfinished response (if
		// it is still there).
		panic(http.ErrAbortHandler)
	}
}

// reply picks the reply to request i.
func (s *Server) reply(i int, req Request) Reply {
	return fakeserver.Pick(i, req, s.opts.Replies, s.opts.Respond, Reply{Chunks: []string{"Hello from the fake model."}})
}

type delta struct {
	Role             string      `json:"role,omitempty"`
	Content          *string     `json:"content,omitempty"`
	ReasoningContent *string     `json:"reasoning_content,omitempty"`
	ToolCalls        []toolDelta `json:"tool_calls,omitempty"`
}

type toolDelta struct {
	Index    int       `json:"index"`
	ID       string    `json:"id,omitempty"`
	Type     string    `json:"type,omitempty"`
	Function *function `json:"function,omitempty"`
}

type function struct {
	Name      string `json:"name,omitempty"`
	Arguments string `json:"arguments"`
}

type choice struct {
	Index        int     `json:"index"`
	Delta        delta   `json:"delta"`
	FinishReason *string `json:"finish_reason"`
}

type chunk struct {
	ID      string   `json:"id"`
	Object  string   `json:"object"`
	Created int64    `json:"created"`
	Model   string   `json:"model"`
	Choices []choice `json:"choices"`
	Usage   *usage   `json:"usage,omitempty"`
}

type usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// stream plays reply as server-sent events and returns how it ended.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, i int, id string, req Request, reply Reply) End {
	model := req.Model
	flusher, _ := w.(http.Flusher)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	send := func(event string, v any) bool {
		data, _ := json.Marshal(v)
		var err error
		if event != "" {
			_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, data)
		} else {
			_, err = fmt.Fprintf(w, "data: %s\n\n", data)
		}
		if flusher != nil {
			flusher.Flush()
		}
		return err == nil
	}
	empty := ""
	if !send("", chunk{ID: id, Object: "chat.completion.chunk", Created: created, Model: model,
		Choices: []choice{{Delta: delta{Role: "assistant", Content: &empty}}}}) {
		return Canceled
	}
	// The pieces: reasoning, content, then each tool call's header and
	// its argument pieces.
	type piece struct{ call, arg int } // arg -1: the call's first delta
	var calls []piece
	for c, tc := range reply.ToolCalls {
		calls = append(calls, piece{c, -1})
		for a := range tc.Args {
			calls = append(calls, piece{c, a})
		}
	}
	text := len(reply.Reasoning) + len(reply.Chunks)
	pieces := text + len(calls)
	for k := 0; k < pieces; k++ {
		if reply.Fail != NoFailure && k == reply.FailAfter {
			return s.fail(w, flusher, reply)
		}
		if !s.log.Wait(r.Context(), reply.Delay) {
			return Canceled
		}
		d := delta{}
		switch {
		case k < len(reply.Reasoning):
			d.ReasoningContent = &reply.Reasoning[k]
		case k < text:
			d.Content = &reply.Chunks[k-len(reply.Reasoning)]
		default:
			p := calls[k-text]
			tc := reply.ToolCalls[p.call]
			if p.arg < 0 {
				d.ToolCalls = []toolDelta{{Index: p.call, ID: tc.ID, Type: "function", Function: &function{Name: tc.Name}}}
			} else {
				d.ToolCalls = []toolDelta{{Index: p.call, Function: &function{Arguments: tc.Args[p.arg]}}}
			}
		}
		if !send("", chunk{ID: id, Object: "chat.completion.chunk", Created: created, Model: model, Choices: []choice{{Delta: d}}}) {
			return Canceled
		}
		s.log.Update(i, func(r *Request) { r.Sent++ })
	}
	if reply.Fail != NoFailure && reply.FailAfter >= pieces {
		return s.fail(w, flusher, reply)
	}
	if !s.log.Wait(r.Context(), 0) {
		return Canceled
	}
	stop := "stop"
	if len(reply.ToolCalls) > 0 {
		stop = "tool_calls"
	}
	send("", chunk{ID: id, Object: "chat.completion.chunk", Created: created, Model: model,
		Choices: []choice{{Delta: delta{}, FinishReason: &stop}}})
	if u := reply.Usage; u != nil && req.IncludeUsage {
		send("", chunk{ID: id, Object: "chat.completion.chunk", Created: created, Model: model, Choices: []choice{},
			Usage: &usage{PromptTokens: u.Prompt, CompletionTokens: u.Completion, TotalTokens: u.Prompt + u.Completion}})
	}
	if _, err := io.WriteString(w, "data: [DONE]\n\n"); err != nil {
		return Canceled
	}
	if flusher != nil {
		flusher.Flush()
	}
	return Completed
}

// fail ends a stream as reply says; a Drop is finished by the caller's
// panic, once the request is recorded.
func (s *Server) fail(w http.ResponseWriter, flusher http.Flusher, reply Reply) End {
	if reply.Fail == ErrorEvent {
		data, _ := json.Marshal(errorBody(errorMessage(reply), "server_error"))
		fmt.Fprintf(w, "event: error\ndata: %s\n\n", data)
		if flusher != nil {
			flusher.Flush()
		}
	}
	return Failed
}

// whole answers a request that did not ask for a stream.
func (s *Server) whole(w http.ResponseWriter, r *http.Request, i int, id, model string, reply Reply) End {
	var text strings.Builder
	pieces := len(reply.Reasoning) + len(reply.Chunks)
	for k := 0; k <= pieces; k++ {
		if reply.Fail != NoFailure && k == min(reply.FailAfter, pieces) {
			if reply.Fail == ErrorEvent {
				writeError(w, http.StatusInternalServerError, "server_error", errorMessage(reply))
			}
			return Failed
		}
		if k == pieces {
			break
		}
		if !s.log.Wait(r.Context(), reply.Delay) {
			return Canceled
		}
		if k >= len(reply.Reasoning) {
			text.WriteString(reply.Chunks[k-len(reply.Reasoning)])
		}
		s.log.Update(i, func(r *Request) { r.Sent++ })
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": id, "object": "chat.completion", "created": created, "model": model,
		"choices": []any{map[string]any{
			"index": 0, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": text.String()},
		}},
	})
	return Completed
}

func errorMessage(reply Reply) string {
	if reply.Message != "" {
		return reply.Message
	}
	return "fakeopenai: the scripted failure"
}

func errorType(status int) string {
	switch {
	case status == http.StatusUnauthorized:
		return "authentication_error"
	case status == http.StatusTooManyRequests:
		return "rate_limit_error"
	case status >= 500:
		return "server_error"
	}
	return "invalid_request_error"
}

func errorBody(message, typ string) map[string]any {
	return map[string]any{"error": map[string]any{"message": message, "type": typ, "param": nil, "code": nil}}
}

func writeError(w http.ResponseWriter, status int, typ, message string) {
	writeJSON(w, status, errorBody(message, typ))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// parseMessages reads the messages of a request: each has a role and a
// content that is a string, an array of parts, or null.
func parseMessages(raws []json.RawMessage) ([]Message, error) {
	out := make([]Message, 0, len(raws))
	for k, raw := range raws {
		var m struct {
			Role       string            `json:"role"`
			Content    json.RawMessage   `json:"content"`
			ToolCalls  []json.RawMessage `json:"tool_calls"`
			ToolCallID string            `json:"tool_call_id"`
		}
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("message %d: %v", k, err)
		}
		msg := Message{Role: m.Role, ToolCalls: m.ToolCalls, ToolCallID: m.ToolCallID}
		c := strings.TrimSpace(string(m.Content))
		switch {
		case c == "" || c == "null":
		case c[0] == '"':
			if err := json.Unmarshal(m.Content, &msg.Content); err != nil {
				return nil, fmt.Errorf("message %d: content: %v", k, err)
			}
		case c[0] == '[':
			if err := json.Unmarshal(m.Content, &msg.Parts); err != nil {
				return nil, fmt.Errorf("message %d: content: %v", k, err)
			}
			var texts []string
			for _, p := range msg.Parts {
				var part struct {
					Type string `json:"type"`
					Text string `json:"text"`
				}
				if json.Unmarshal(p, &part) == nil && part.Type == "text" {
					texts = append(texts, part.Text)
				}
			}
			msg.Content = strings.Join(texts, "\n")
		default:
			return nil, fmt.Errorf("message %d: content is neither a string nor an array", k)
		}
		out = append(out, msg)
	}
	return out, nil
}
