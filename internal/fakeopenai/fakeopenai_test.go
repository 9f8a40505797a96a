package fakeopenai_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"go.uber.org/goleak"

	"github.com/sheenhq/sheen/internal/fakeopenai"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// start runs a fake server for the test and a real openai-go client for it.
func start(t *testing.T, opts fakeopenai.Options) (*fakeopenai.Server, openai.Client) {
	t.Helper()
	srv := fakeopenai.New(opts)
	t.Cleanup(srv.Close)
	client := openai.NewClient(option.WithBaseURL(srv.URL), option.WithAPIKey("test-key"), option.WithMaxRetries(0))
	return srv, client
}

func params(msgs ...openai.ChatCompletionMessageParamUnion) openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{Model: "fake-model", Messages: msgs}
}

// collect streams a completion and returns the content deltas and the
// stream's error.
func collect(ctx context.Context, client openai.Client, p openai.ChatCompletionNewParams) ([]string, error) {
	s := client.Chat.Completions.NewStreaming(ctx, p)
	defer s.Close()
	var got []string
	for s.Next() {
		c := s.Current()
		if len(c.Choices) > 0 && c.Choices[0].Delta.Content != "" {
			got = append(got, c.Choices[0].Delta.Content)
		}
	}
	return got, s.Err()
}

// errText is err's message, with an API error's own message (which the
// SDK's Error method leaves out).
func errText(err error) string {
	var apiErr *openai.Error
	if errors.As(err, &apiErr) {
		return err.Error() + ": " + apiErr.Message
	}
	return err.Error()
}

func finished(t *testing.T, srv *fakeopenai.Server, i int) fakeopenai.Request {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := srv.Finished(ctx, i)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestStreams(t *testing.T) {
	tests := []struct {
		name     string
		reply    fakeopenai.Reply
		want     []string
		wantErr  string // in the stream's error
		wantEnd  fakeopenai.End
		wantSent int
	}{
		{name: "whole reply",
			reply: fakeopenai.Reply{Chunks: []string{"Hel", "lo", ", world."}, Delay: time.Millisecond},
			want:  []string{"Hel", "lo", ", world."}, wantEnd: fakeopenai.Completed, wantSent: 3},
		{name: "error event midway",
			reply: fakeopenai.Reply{Chunks: []string{"a", "b", "c"}, Fail: fakeopenai.ErrorEvent, FailAfter: 2, Message: "the model overheated"},
			want:  []string{"a", "b"}, wantErr: "the model overheated", wantEnd: fakeopenai.Failed, wantSent: 2},
		{name: "dropped connection midway",
			reply: fakeopenai.Reply{Chunks: []string{"a", "b", "c"}, Fail: fakeopenai.Drop, FailAfter: 1},
			want:  []string{"a"}, wantErr: "EOF", wantEnd: fakeopenai.Failed, wantSent: 1},
		{name: "failure after the last chunk",
			reply: fakeopenai.Reply{Chunks: []string{"a"}, Fail: fakeopenai.ErrorEvent, FailAfter: 5},
			want:  []string{"a"}, wantErr: "scripted failure", wantEnd: fakeopenai.Failed, wantSent: 1},
		{name: "error status",
			reply:   fakeopenai.Reply{Status: http.StatusUnauthorized, Message: "Incorrect API key provided"},
			wantErr: "Incorrect API key provided", wantEnd: fakeopenai.Rejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, client := start(t, fakeopenai.Options{Replies: []fakeopenai.Reply{tt.reply}})
			got, err := collect(context.Background(), client, params(openai.UserMessage("hi")))
			if !slices.Equal(got, tt.want) {
				t.Errorf("chunks %q, want %q", got, tt.want)
			}
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(errText(err), tt.wantErr)) {
				t.Errorf("error %v, want one with %q", err, tt.wantErr)
			}
			r := finished(t, srv, 0)
			if r.End != tt.wantEnd || r.Sent != tt.wantSent {
				t.Errorf("request ended %v after %d chunks, want %v after %d", r.End, r.Sent, tt.wantEnd, tt.wantSent)
			}
		})
	}
}

func TestErrorStatusIsAnAPIError(t *testing.T) {
	_, client := start(t, fakeopenai.Options{Replies: []fakeopenai.Reply{{Status: http.StatusTooManyRequests, Message: "slow down"}}})
	_, err := collect(context.Background(), client, params(openai.UserMessage("hi")))
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusTooManyRequests || apiErr.Message != "slow down" || apiErr.Type != "rate_limit_error" {
		t.Fatalf("error %#v, want an *openai.Error 429 %q", err, "slow down")
	}
}

// TestCancel: a client that gives up (a stop button) is seen by the server,
// which stops sending.
func TestCancel(t *testing.T) {
	srv, client := start(t, fakeopenai.Options{Replies: []fakeopenai.Reply{{Chunks: []string{"one ", "two ", "three "}, Delay: 50 * time.Millisecond}}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := client.Chat.Completions.NewStreaming(ctx, params(openai.UserMessage("count")))
	defer s.Close()
	for s.Next() {
		if c := s.Current(); len(c.Choices) > 0 && c.Choices[0].Delta.Content == "one " {
			cancel()
		}
	}
	if !errors.Is(s.Err(), context.Canceled) {
		t.Errorf("stream error %v, want context.Canceled", s.Err())
	}
	r := finished(t, srv, 0)
	if r.End != fakeopenai.Canceled || r.Sent != 1 {
		t.Fatalf("request ended %v after %d chunks, want canceled after 1", r.End, r.Sent)
	}
}

func TestReasoning(t *testing.T) {
	_, client := start(t, fakeopenai.Options{Replies: []fakeopenai.Reply{{Reasoning: []string{"Let me ", "think."}, Chunks: []string{"42"}}}})
	s := client.Chat.Completions.NewStreaming(context.Background(), params(openai.UserMessage("?")))
	defer s.Close()
	var reasoning, content strings.Builder
	for s.Next() {
		c := s.Current()
		if len(c.Choices) == 0 {
			continue
		}
		d := c.Choices[0].Delta
		// An extra field: present with its raw JSON (Valid is for fields
		// the SDK knows).
		if f, ok := d.JSON.ExtraFields["reasoning_content"]; ok && f.Raw() != "" {
			var r string
			if err := jsonString(f.Raw(), &r); err != nil {
				t.Fatal(err)
			}
			reasoning.WriteString(r)
		}
		content.WriteString(d.Content)
	}
	if s.Err() != nil || reasoning.String() != "Let me think." || content.String() != "42" {
		t.Fatalf("reasoning %q, content %q, error %v", reasoning.String(), content.String(), s.Err())
	}
}

func TestRecordsRequests(t *testing.T) {
	srv, client := start(t, fakeopenai.Options{Replies: []fakeopenai.Reply{{Chunks: []string{"first"}}, {Chunks: []string{"then this, again and again"}}}})
	p := params(
		openai.SystemMessage("Be brief."),
		openai.UserMessage([]openai.ChatCompletionContentPartUnionParam{
			openai.ImageContentPart(openai.ChatCompletionContentPartImageImageURLParam{URL: "data:image/png;base64,AAAA"}),
			openai.TextContentPart("What is this?"),
		}),
		openai.AssistantMessage("A pixel."),
		openai.UserMessage("Thanks"),
	)
	p.MaxCompletionTokens = openai.Int(256)
	for i, want := range []string{"first", "then this, again and again", "then this, again and again"} {
		got, err := collect(context.Background(), client, p)
		if err != nil || strings.Join(got, "") != want {
			t.Fatalf("reply %d: %q, %v; want %q", i, got, err, want)
		}
	}
	// Not streamed.
	c, err := client.Chat.Completions.New(context.Background(), params(openai.UserMessage("whole")))
	if err != nil || c.Choices[0].Message.Content != "then this, again and again" {
		t.Fatalf("non-streamed: %v, %v", c, err)
	}
	// A client has the whole reply before the server's handler has
	// returned and recorded how the exchange ended: wait for that.
	for i := range 4 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := srv.Finished(ctx, i)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
	}
	reqs := srv.Requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests recorded, want 4", len(reqs))
	}
	r := reqs[0]
	if r.Model != "fake-model" || !r.Stream || r.MaxTokens != 256 || r.End != fakeopenai.Completed || r.Header.Get("Authorization") != "Bearer test-key" {
		t.Errorf("request 0 = model %q stream %v max %d end %v auth %q", r.Model, r.Stream, r.MaxTokens, r.End, r.Header.Get("Authorization"))
	}
	var roles, texts []string
	for _, m := range r.Messages {
		roles, texts = append(roles, m.Role), append(texts, m.Content)
	}
	if !slices.Equal(roles, []string{"system", "user", "assistant", "user"}) || !slices.Equal(texts, []string{"Be brief.", "What is this?", "A pixel.", "Thanks"}) {
		t.Errorf("messages %q %q", roles, texts)
	}
	if len(r.Messages[1].Parts) != 2 || !strings.Contains(string(r.Messages[1].Parts[0]), "data:image/png;base64,AAAA") {
		t.Errorf("parts %s", r.Messages[1].Parts)
	}
	if reqs[3].Stream {
		t.Errorf("request 3 was not streamed")
	}
}

func TestModels(t *testing.T) {
	_, client := start(t, fakeopenai.Options{Models: []string{"small", "large"}})
	page, err := client.Models.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range page.Data {
		ids = append(ids, m.ID)
	}
	if !slices.Equal(ids, []string{"small", "large"}) {
		t.Fatalf("models %q", ids)
	}
}

func TestBadRequests(t *testing.T) {
	srv, _ := start(t, fakeopenai.Options{})
	tests := []struct {
		method, path, body string
		status             int
	}{
		{"POST", "/chat/completions", `{`, http.StatusBadRequest},
		{"POST", "/chat/completions", `{"model": "m"}`, http.StatusBadRequest},
		{"POST", "/chat/completions", `{"model": "m", "messages": [{"role": "user", "content": 42}]}`, http.StatusBadRequest},
		{"POST", "/chat/completions", `{"model": "m", "messages": [{"role": "user", "content": null}]}`, http.StatusOK},
		{"GET", "/chat/completions", ``, http.StatusNotFound},
		{"POST", "/embeddings", `{}`, http.StatusNotFound},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tt.status {
			t.Errorf("%s %s %s: status %d, want %d (%s)", tt.method, tt.path, tt.body, res.StatusCode, tt.status, body)
		}
		if tt.status >= 400 && !strings.Contains(string(body), `"error"`) {
			t.Errorf("%s %s: body %s has no error", tt.method, tt.path, body)
		}
	}
	var ends []fakeopenai.End
	for i := range srv.Requests() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		r, err := srv.Finished(ctx, i) // the handler may still be returning
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		ends = append(ends, r.End)
	}
	want := []fakeopenai.End{fakeopenai.Rejected, fakeopenai.Rejected, fakeopenai.Rejected, fakeopenai.Completed}
	if !slices.Equal(ends, want) {
		t.Errorf("ends %v, want %v", ends, want)
	}
	http.DefaultClient.CloseIdleConnections()
}

// TestClose: closing the server ends a reply in progress.
func TestClose(t *testing.T) {
	arrived := make(chan struct{})
	srv := fakeopenai.New(fakeopenai.Options{Respond: func(fakeopenai.Request) fakeopenai.Reply {
		close(arrived)
		return fakeopenai.Reply{Chunks: []string{"a", "b"}, Delay: time.Hour}
	}})
	client := openai.NewClient(option.WithBaseURL(srv.URL), option.WithAPIKey("k"), option.WithMaxRetries(0))
	errc := make(chan error, 1)
	go func() {
		_, err := collect(context.Background(), client, params(openai.UserMessage("hi")))
		errc <- err
	}()
	<-arrived
	srv.Close()
	if err := <-errc; err == nil {
		t.Error("the stream ended without an error")
	}
	if r := srv.Requests()[0]; r.End != fakeopenai.Canceled {
		t.Errorf("request ended %v, want canceled", r.End)
	}
	srv.Close() // twice is fine
}

func jsonString(raw string, v *string) error { return json.Unmarshal([]byte(raw), v) }
