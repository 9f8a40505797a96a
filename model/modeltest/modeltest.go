package modeltest

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sheenhq/sheen/model"
)

// Script is a reply, in the provider's terms once the harness translates it:
// thinking, then text, then tool calls.
type Script struct {
	Thinking []string
	Text     []string
	Calls    []Call
	In, Out  int // usage
	Delay    time.Duration
	// FailAfter deltas, with an error event (ErrorEvent) or a dropped
	// connection (Drop).
	ErrorEvent, Drop bool
	FailAfter        int
	// Status answers at once with an HTTP error and Message.
	Status  int
	Message string
}

// Call is a scripted tool call; Args are the pieces of its arguments.
type Call struct {
	ID, Name string
	Args     []string
}

// End is how an exchange ended, as the fake saw it.
type End string

// Ends.
const (
	Completed End = "completed"
	Failed    End = "failed"
	Rejected  End = "rejected"
	Canceled  End = "canceled"
)

// Harness starts a fake playing replies (in order, one per request) and
// returns the model talking to it, and a function that waits for the end of
// exchange i and says how it ended. The fake is closed by t.Cleanup.
type Harness func(t *testing.T, replies ...Script) (model.Model, func(ctx context.Context, i int) (End, error))

func collect(t *testing.T, m model.Model, ctx context.Context, req model.Request) ([]model.Chunk, error) {
	t.Helper()
	var out []model.Chunk
	for c, err := range m.Stream(ctx, req) {
		if err != nil {
			return out, err
		}
		out = append(out, c)
	}
	return out, nil
}

func text(cs []model.Chunk, k model.Kind) string {
	var b strings.Builder
	for _, c := range cs {
		if c.Kind == k {
			b.WriteString(c.Text)
		}
	}
	return b.String()
}

func ask(q string) model.Request {
	return model.Request{Messages: []model.Message{{Role: model.System, Text: "Be brief."}, {Role: model.User, Text: q}}}
}

func wait(t *testing.T, ended func(context.Context, int) (End, error), i int, want End) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := ended(ctx, i)
	if err != nil {
		t.Fatalf("exchange %d: %v", i, err)
	}
	if got != want {
		t.Fatalf("exchange %d ended %s, want %s", i, got, want)
	}
}

// Run runs the suite.
func Run(t *testing.T, h Harness) {
	t.Run("Text", func(t *testing.T) {
		m, ended := h(t, Script{Text: []string{"Hel", "lo, ", "wörld"}, In: 12, Out: 3})
		cs, err := collect(t, m, context.Background(), ask("hi"))
		if err != nil {
			t.Fatal(err)
		}
		if got := text(cs, model.TextChunk); got != "Hello, wörld" {
			t.Errorf("text = %q", got)
		}
		var pieces []string
		for _, c := range cs {
			if c.Kind == model.TextChunk && c.Text != "" {
				pieces = append(pieces, c.Text)
			}
		}
		if !slices.Equal(pieces, []string{"Hel", "lo, ", "wörld"}) {
			t.Errorf("pieces = %q: chunks must come as the server sends them", pieces)
		}
		r, _ := model.Collect(context.Background(), m, ask("again"))
		if r.In != 12 || r.Out != 3 {
			t.Errorf("usage = %d in, %d out; want 12, 3", r.In, r.Out)
		}
		if r.Stop == "" {
			t.Errorf("no stop reason")
		}
		wait(t, ended, 0, Completed)
	})
	t.Run("Thinking", func(t *testing.T) {
		m, _ := h(t, Script{Thinking: []string{"Six ", "times seven."}, Text: []string{"42"}})
		req := ask("6×7?")
		req.Thinking = 1024
		cs, err := collect(t, m, context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if got := text(cs, model.ThinkingChunk); got != "Six times seven." {
			t.Errorf("thinking = %q", got)
		}
		if got := text(cs, model.TextChunk); got != "42" {
			t.Errorf("text = %q", got)
		}
		first := slices.IndexFunc(cs, func(c model.Chunk) bool { return c.Kind == model.TextChunk && c.Text != "" })
		last := -1
		for i, c := range cs {
			if c.Kind == model.ThinkingChunk {
				last = i
			}
		}
		if last > first {
			t.Errorf("thinking after the text: %v", cs)
		}
	})
	t.Run("ToolCalls", func(t *testing.T) {
		m, ended := h(t, Script{Text: []string{"Checking."}, Calls: []Call{
			{ID: "call_a", Name: "get_weather", Args: []string{`{"ci`, `ty": "Par`, `is"}`}},
			{ID: "call_b", Name: "get_time", Args: []string{`{"zone":"CET"}`}},
		}})
		req := ask("weather and time in Paris?")
		req.Tools = []model.ToolSpec{
			{Name: "get_weather", Description: "The weather in a city.", Schema: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`)},
			{Name: "get_time", Description: "The time in a zone.", Schema: json.RawMessage(`{"type":"object","properties":{"zone":{"type":"string"}}}`)},
		}
		cs, err := collect(t, m, context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		var starts, calls []model.ToolCall
		for _, c := range cs {
			switch c.Kind {
			case model.ToolStartChunk:
				starts = append(starts, *c.Call)
			case model.ToolCallChunk:
				calls = append(calls, *c.Call)
			}
		}
		if len(starts) != 2 || starts[0].ID != "call_a" || starts[0].Name != "get_weather" || starts[1].ID != "call_b" {
			t.Errorf("starts = %+v", starts)
		}
		if len(calls) != 2 {
			t.Fatalf("calls = %+v", calls)
		}
		if calls[0].ID != "call_a" || calls[0].Name != "get_weather" || string(calls[0].Args) != `{"city": "Paris"}` {
			t.Errorf("call 0 = %+v (%s)", calls[0], calls[0].Args)
		}
		if calls[1].ID != "call_b" || string(calls[1].Args) != `{"zone":"CET"}` {
			t.Errorf("call 1 = %+v (%s)", calls[1], calls[1].Args)
		}
		wait(t, ended, 0, Completed)
	})
	t.Run("ToolRoundTrip", func(t *testing.T) {
		// The history after a tool call is accepted: the call, its
		// result (one success, one error), then the answer.
		m, ended := h(t, Script{Text: []string{"18 °C."}})
		req := model.Request{Messages: []model.Message{
			{Role: model.System, Text: "Be brief."},
			{Role: model.User, Text: "Weather in Paris and Oslo?"},
			{Role: model.Assistant, Text: "Checking.", ToolCalls: []model.ToolCall{
				{ID: "call_a", Name: "get_weather", Args: json.RawMessage(`{"city":"Paris"}`)},
				{ID: "call_b", Name: "get_weather", Args: json.RawMessage(`{"city":`)}, // malformed, as the model wrote it
			}},
			{Role: model.Tool, ToolCallID: "call_a", Text: `{"temp_c":18}`},
			{Role: model.Tool, ToolCallID: "call_b", Text: "bad arguments: unexpected end of JSON input", IsError: true},
		}, Tools: []model.ToolSpec{{Name: "get_weather", Schema: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}}}`)}}}
		r, err := model.Collect(context.Background(), m, req)
		if err != nil {
			t.Fatal(err)
		}
		if r.Text != "18 °C." {
			t.Errorf("text = %q", r.Text)
		}
		wait(t, ended, 0, Completed)
	})
	t.Run("MalformedArguments", func(t *testing.T) {
		m, _ := h(t, Script{Calls: []Call{{ID: "call_x", Name: "get_weather", Args: []string{`{"city": "Par`}}}})
		req := ask("weather?")
		req.Tools = []model.ToolSpec{{Name: "get_weather", Schema: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}}}`)}}
		r, err := model.Collect(context.Background(), m, req)
		if err != nil {
			t.Fatalf("malformed arguments are the tool runner's business, not an error: %v", err)
		}
		if len(r.Calls) != 1 || string(r.Calls[0].Args) != `{"city": "Par` {
			t.Errorf("calls = %+v: the arguments must come as written", r.Calls)
		}
	})
	t.Run("HTTPError", func(t *testing.T) {
		m, ended := h(t, Script{Status: 401, Message: "invalid x-api-key"})
		_, err := collect(t, m, context.Background(), ask("hi"))
		var me *model.Error
		if !errors.As(err, &me) || me.Status != 401 || !strings.Contains(me.Message, "invalid x-api-key") {
			t.Fatalf("err = %v (%#v), want a *model.Error 401 with the server's message", err, me)
		}
		wait(t, ended, 0, Rejected)
	})
	t.Run("ErrorEvent", func(t *testing.T) {
		m, ended := h(t, Script{Text: []string{"Par", "tial"}, ErrorEvent: true, FailAfter: 1, Message: "Overloaded"})
		cs, err := collect(t, m, context.Background(), ask("hi"))
		var me *model.Error
		if !errors.As(err, &me) || !strings.Contains(me.Message, "Overloaded") {
			t.Fatalf("err = %v, want the error event's message", err)
		}
		if got := text(cs, model.TextChunk); got != "Par" {
			t.Errorf("text before the error = %q", got)
		}
		wait(t, ended, 0, Failed)
	})
	t.Run("Dropped", func(t *testing.T) {
		m, _ := h(t, Script{Text: []string{"Par", "tial"}, Drop: true, FailAfter: 1})
		_, err := collect(t, m, context.Background(), ask("hi"))
		if err == nil {
			t.Fatal("a dropped connection must be an error")
		}
		if errors.Is(err, context.Canceled) {
			t.Errorf("err = %v: a drop is not a cancellation", err)
		}
	})
	t.Run("Cancel", func(t *testing.T) {
		m, ended := h(t, Script{Text: []string{"a", "b", "c", "d", "e", "f", "g", "h"}, Delay: 20 * time.Millisecond})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		n := 0
		var err error
		for c, e := range m.Stream(ctx, ask("count")) {
			if e != nil {
				err = e
				break
			}
			if c.Kind == model.TextChunk && c.Text != "" {
				n++
				if n == 2 {
					cancel()
				}
			}
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		wait(t, ended, 0, Canceled)
	})
	t.Run("BreakCancels", func(t *testing.T) {
		m, ended := h(t, Script{Text: []string{"a", "b", "c", "d", "e", "f"}, Delay: 20 * time.Millisecond})
		for c, err := range m.Stream(context.Background(), ask("count")) {
			if err != nil {
				t.Fatal(err)
			}
			if c.Kind == model.TextChunk && c.Text != "" {
				break // the request must end with the iteration
			}
		}
		wait(t, ended, 0, Canceled)
	})
	t.Run("Info", func(t *testing.T) {
		m, _ := h(t, Script{})
		info := m.Info()
		if info.Name == "" || info.Context <= 0 || info.Provider == "" {
			t.Errorf("Info = %+v: a name, a provider and a context window", info)
		}
	})
}
