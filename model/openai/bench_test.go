package openai_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"syscall"
	"testing"
	"time"

	sdk "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/sheenhq/sheen/model"
	"github.com/sheenhq/sheen/model/openai"
)

// canned answers every request with body, in memory: the benchmarks
// measure the adapter, not a network.
type canned []byte

func (c canned) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/event-stream"}},
		Body: io.NopCloser(bytes.NewReader(c)), Request: r}, nil
}

// textStream is n content chunks of a few words, as OpenAI sends them.
func textStream(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"content":"word %d and "},"logprobs":null,"finish_reason":null}]}`+"\n\n", i)
	}
	b.WriteString(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}` + "\n\ndata: [DONE]\n\n")
	return b.Bytes()
}

// toolStream is one tool call whose arguments come in n pieces.
func toolStream(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}` + "\n\n")
	b.WriteString(`data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\": \""}}]},"finish_reason":null}]}` + "\n\n")
	for range n {
		b.WriteString(`data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"Par"}}]},"finish_reason":null}]}` + "\n\n")
	}
	b.WriteString(`data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"}"}}]},"finish_reason":null}]}` + "\n\n")
	b.WriteString(`data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}` + "\n\ndata: [DONE]\n\n")
	return b.Bytes()
}

func bench(b *testing.B, body []byte, chunks int) {
	m := openai.New(openai.Config{Model: "gpt-4o-mini", APIKey: "k", MaxRetries: -1,
		Options: []option.RequestOption{option.WithHTTPClient(&http.Client{Transport: canned(body)})}})
	req := model.Request{Messages: []model.Message{{Role: model.User, Text: "hi"}}}
	ctx := context.Background()
	measure(b, chunks, func() {
		for _, err := range m.Stream(ctx, req) {
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// measure runs op b.N times and reports, beside ns/op, the process's CPU
// time per op and per chunk (user + system, GC included): on a shared
// machine the CPU a stream costs is steadier than the wall time.
func measure(b *testing.B, chunks int, op func()) {
	b.ReportAllocs()
	before := cpu()
	b.ResetTimer()
	for b.Loop() {
		op()
	}
	b.StopTimer()
	used := float64(cpu()-before) / float64(b.N)
	b.ReportMetric(used, "cpu-ns/op")
	if chunks > 0 {
		b.ReportMetric(used/float64(chunks), "cpu-ns/chunk")
	}
}

func cpu() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkStream: a request and its streamed reply, per reply; ns/chunk is
// the reply's cost spread over its chunks (the request's share included).
func BenchmarkStream(b *testing.B) {
	for _, n := range []int{1, 200, 2000} {
		b.Run(fmt.Sprintf("chunks=%d", n), func(b *testing.B) { bench(b, textStream(n), n) })
	}
}

// BenchmarkToolCall: a round whose reply is one tool call with its
// arguments in 20 pieces.
func BenchmarkToolCall(b *testing.B) { bench(b, toolStream(20), 0) }

// BenchmarkSDKStream reads the same replies with the SDK's own stream
// decoder (ssestream and its reflective JSON), for comparison: the reason
// the adapter reads the events itself.
func BenchmarkSDKStream(b *testing.B) {
	for _, n := range []int{200, 2000} {
		b.Run(fmt.Sprintf("chunks=%d", n), func(b *testing.B) {
			c := sdk.NewClient(option.WithAPIKey("k"), option.WithMaxRetries(0), option.WithHTTPClient(&http.Client{Transport: canned(textStream(n))}))
			params := sdk.ChatCompletionNewParams{Model: "gpt-4o-mini", Messages: []sdk.ChatCompletionMessageParamUnion{sdk.UserMessage("hi")}}
			measure(b, n, func() {
				s := c.Chat.Completions.NewStreaming(context.Background(), params)
				for s.Next() {
					_ = s.Current().Choices[0].Delta.Content
				}
				if err := s.Err(); err != nil {
					b.Fatal(err)
				}
				_ = s.Close()
			})
		})
	}
}
