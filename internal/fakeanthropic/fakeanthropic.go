package fakeanthropic

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/sheenhq/sheen/internal/fakeserver"
)

// Reply is what the fake model answers to one request: its thinking (with
// a signature), its text and its tool calls, in that order.
type Reply struct {
	Thinking  []string
	Signature string // sent as one signature_delta after the thinking; default "sig-fake"
	Chunks    []string
	ToolUses  []ToolUse
	// Delay is the wait before each delta.
	Delay time.Duration
	// Usage is reported in message_start (In) and message_delta (Out).
	In, Out int
	// Fail ends the reply after FailAfter deltas.
	Fail      Failure
	FailAfter int
	// Status answers at once with an HTTP error and Message.
	Status  int
	Message string
}

// ToolUse is a tool_use block; Args are the input_json_delta pieces.
type ToolUse struct {
	ID, Name string
	Args     []string
}

// Failure is how a reply fails midway.
type Failure int

// Failures.
const (
	NoFailure  Failure = iota
	ErrorEvent         // an "error" event (overloaded_error)
	Drop               // the connection is cut
)

// Options configure a server.
type Options struct {
	Replies []Reply             // played in order; the last one again once used up
	Respond func(Request) Reply // chooses the reply instead, if set
}

// Request is a request received, and how its exchange went.
type Request struct {
	Model     string
	MaxTokens int
	System    json.RawMessage
	Messages  []json.RawMessage
	Tools     []json.RawMessage
	Thinking  json.RawMessage
	Header    http.Header
	Body      []byte
	End       End
	Sent      int // deltas written
}

// End is how an exchange ended.
type End = fakeserver.End

// Ends.
const (
	Pending   = fakeserver.Pending
	Completed = fakeserver.Completed
	Failed    = fakeserver.Failed
	Rejected  = fakeserver.Rejected
	Canceled  = fakeserver.Canceled
)

// Server is a running fake.
type Server struct {
	URL string // the base URL: "http://127.0.0.1:port"

	opts Options
	log  *fakeserver.Server[Request]
}

// New starts a server. Close it when done.
func New(opts Options) *Server {
	s := &Server{opts: opts}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/messages", s.messages)
	s.log = fakeserver.Start("fakeanthropic", mux, func(r *Request) *End { return &r.End })
	s.URL = s.log.URL()
	return s
}

// Close stops the server; running replies end as Canceled.
func (s *Server) Close() { s.log.Close() }

// Requests returns the requests so far.
func (s *Server) Requests() []Request { return s.log.Requests() }

// Finished waits until request i exists and its exchange ended.
func (s *Server) Finished(ctx context.Context, i int) (Request, error) { return s.log.Finished(ctx, i) }

func (s *Server) messages(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<20))
	req := Request{Header: r.Header.Clone(), Body: raw}
	var b struct {
		Model     string            `json:"model"`
		MaxTokens int               `json:"max_tokens"`
		Stream    bool              `json:"stream"`
		System    json.RawMessage   `json:"system"`
		Messages  []json.RawMessage `json:"messages"`
		Tools     []json.RawMessage `json:"tools"`
		Thinking  json.RawMessage   `json:"thinking"`
	}
	if err == nil {
		err = json.Unmarshal(raw, &b)
	}
	if err == nil {
		req.Model, req.MaxTokens, req.System, req.Messages, req.Tools, req.Thinking = b.Model, b.MaxTokens, b.System, b.Messages, b.Tools, b.Thinking
		switch {
		case b.Model == "" || len(b.Messages) == 0 || b.MaxTokens <= 0:
			err = errors.New("model, messages and max_tokens are required")
		case !b.Stream:
			err = errors.New("only streamed requests are faked")
		case r.Header.Get("anthropic-version") == "":
			err = errors.New("the anthropic-version header is required")
		}
	}
	i := s.log.Add(req)
	if err != nil {
		s.log.Ended(i, Rejected)
		writeError(w, http.StatusBadRequest, "invalid_request_error", "fakeanthropic: "+err.Error())
		return
	}
	reply := s.reply(i, req)
	if reply.Status != 0 {
		s.log.Ended(i, Rejected)
		writeError(w, reply.Status, "api_error", reply.Message)
		return
	}
	end := s.stream(w, r, i, req, reply)
	s.log.Ended(i, end)
	if end == Canceled || end == Failed && reply.Fail == Drop {
		panic(http.ErrAbortHandler)
	}
}

func (s *Server) reply(i int, req Request) Reply {
	return fakeserver.Pick(i, req, s.opts.Replies, s.opts.Respond, Reply{Chunks: []string{"Hello from the fake model."}})
}

// stream plays reply as the API's events.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, i int, req Request, reply Reply) End {
	flusher, _ := w.(http.Flusher)
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	ok := true
	send := func(event string, v any) {
		data, _ := json.Marshal(v)
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, data); err != nil {
			ok = false
		}
		if flusher != nil {
			flusher.Flush()
		}
	}
	id := fmt.Sprintf("msg_fake_%d", i+1)
	send("message_start", map[string]any{"type": "message_start", "message": map[string]any{
		"id": id, "type": "message", "role": "assistant", "content": []any{}, "model": req.Model,
		"stop_reason": nil, "stop_sequence": nil,
		"usage": map[string]any{"input_tokens": reply.In, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "output_tokens": 1}}})
	deltas := 0
	// delta sends one content_block_delta, failing or waiting as scripted.
	var end End
	delta := func(index int, d map[string]any) bool {
		if reply.Fail != NoFailure && deltas == reply.FailAfter {
			end = s.fail(w, flusher, reply)
			return false
		}
		if !s.log.Wait(r.Context(), reply.Delay) {
			end = Canceled
			return false
		}
		send("content_block_delta", map[string]any{"type": "content_block_delta", "index": index, "delta": d})
		if !ok {
			end = Canceled
			return false
		}
		deltas++
		s.log.Update(i, func(r *Request) { r.Sent++ })
		return true
	}
	index := 0
	if len(reply.Thinking) > 0 {
		send("content_block_start", map[string]any{"type": "content_block_start", "index": index, "content_block": map[string]any{"type": "thinking", "thinking": "", "signature": ""}})
		for _, t := range reply.Thinking {
			if !delta(index, map[string]any{"type": "thinking_delta", "thinking": t}) {
				return end
			}
		}
		sig := reply.Signature
		if sig == "" {
			sig = "sig-fake"
		}
		if !delta(index, map[string]any{"type": "signature_delta", "signature": sig}) {
			return end
		}
		send("content_block_stop", map[string]any{"type": "content_block_stop", "index": index})
		index++
	}
	if len(reply.Chunks) > 0 {
		send("content_block_start", map[string]any{"type": "content_block_start", "index": index, "content_block": map[string]any{"type": "text", "text": ""}})
		send("ping", map[string]any{"type": "ping"})
		for _, c := range reply.Chunks {
			if !delta(index, map[string]any{"type": "text_delta", "text": c}) {
				return end
			}
		}
		send("content_block_stop", map[string]any{"type": "content_block_stop", "index": index})
		index++
	}
	for _, tu := range reply.ToolUses {
		send("content_block_start", map[string]any{"type": "content_block_start", "index": index, "content_block": map[string]any{"type": "tool_use", "id": tu.ID, "name": tu.Name, "input": map[string]any{}}})
		if !delta(index, map[string]any{"type": "input_json_delta", "partial_json": ""}) {
			return end
		}
		for _, a := range tu.Args {
			if !delta(index, map[string]any{"type": "input_json_delta", "partial_json": a}) {
				return end
			}
		}
		send("content_block_stop", map[string]any{"type": "content_block_stop", "index": index})
		index++
	}
	if reply.Fail != NoFailure && reply.FailAfter >= deltas {
		return s.fail(w, flusher, reply)
	}
	stop := "end_turn"
	if len(reply.ToolUses) > 0 {
		stop = "tool_use"
	}
	send("message_delta", map[string]any{"type": "message_delta", "delta": map[string]any{"stop_reason": stop, "stop_sequence": nil}, "usage": map[string]any{"output_tokens": reply.Out}})
	send("message_stop", map[string]any{"type": "message_stop"})
	if !ok {
		return Canceled
	}
	return Completed // written: a client that closes the connection now has read it all
}

func (s *Server) fail(w http.ResponseWriter, flusher http.Flusher, reply Reply) End {
	if reply.Fail == ErrorEvent {
		msg := reply.Message
		if msg == "" {
			msg = "Overloaded"
		}
		data, _ := json.Marshal(map[string]any{"type": "error", "error": map[string]any{"type": "overloaded_error", "message": msg}})
		fmt.Fprintf(w, "event: error\ndata: %s\n\n", data)
		if flusher != nil {
			flusher.Flush()
		}
	}
	return Failed
}

func writeError(w http.ResponseWriter, status int, typ, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"type": "error", "error": map[string]any{"type": typ, "message": message}})
}
