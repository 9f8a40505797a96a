package anthropic_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2/option"

	"github.com/sheenhq/sheen/model"
	"github.com/sheenhq/sheen/model/anthropic"
)

type canned []byte

func (c canned) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/event-stream"}},
		Body: io.NopCloser(bytes.NewReader(c)), Request: r}, nil
}

const start = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\n\n"

func textStream(n int) []byte {
	var b bytes.Buffer
	b.WriteString(start)
	b.WriteString("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n")
	for i := range n {
		fmt.Fprintf(&b, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"word %d and \"}}\n\n", i)
	}
	b.WriteString("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n")
	b.WriteString("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":15}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
	return b.Bytes()
}

func toolStream(n int) []byte {
	var b bytes.Buffer
	b.WriteString(start)
	b.WriteString("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\",\"input\":{}}}\n\n")
	b.WriteString("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\": \\\"\"}}\n\n")
	for range n {
		b.WriteString("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"Par\"}}\n\n")
	}
	b.WriteString("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\\\"}\"}}\n\n")
	b.WriteString("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n")
	b.WriteString("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":30}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
	return b.Bytes()
}

func bench(b *testing.B, body []byte, chunks int) {
	m := anthropic.New(anthropic.Config{Model: "claude-sonnet-4-5", APIKey: "k", MaxRetries: -1,
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

func BenchmarkStream(b *testing.B) {
	for _, n := range []int{1, 200, 2000} {
		b.Run(fmt.Sprintf("chunks=%d", n), func(b *testing.B) { bench(b, textStream(n), n) })
	}
}

func BenchmarkToolCall(b *testing.B) { bench(b, toolStream(20), 0) }
