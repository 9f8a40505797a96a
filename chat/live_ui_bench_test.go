package chat_test

import (
	"context"
	"math"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chart"
	"github.com/sheenhq/sheen/chat"
)

// benchChart is the chart of the memory benchmark: a 50-point line chart
// with frequency k.
func benchChart(k float64) sheen.Node {
	xs, ys := make([]float64, 50), make([]float64, 50)
	for i := range xs {
		xs[i] = float64(i) / 8
		ys[i] = math.Sin(k * xs[i])
	}
	return chart.Line(chart.Options{Title: "sin(" + strconv.FormatFloat(k, 'f', -1, 64) + "x)", YMin: -1, YMax: 1}, chart.Series{Name: "sin", X: xs, Y: ys})
}

// BenchmarkLiveUIMemory measures the server's memory for 1,000 messages in
// one session, each holding a live chart with a slider (a scope, its input,
// the chart's output effect, the snapshot kept for other pages and the
// store), beside 1,000 messages holding the same chart as static HTML and
// 1,000 plain text messages. Run with -benchtime=1x: each iteration builds
// a session and its 1,000 messages.
//
//	go test -run '^$' -bench LiveUIMemory -benchtime=1x ./chat/
func BenchmarkLiveUIMemory(b *testing.B) {
	const n = 1000
	var static string
	{
		var sb strings.Builder
		_ = benchChart(1).Render(&sb)
		static = sb.String()
	}
	kinds := []struct {
		name    string
		content func(i int) any
	}{
		{"text", func(i int) any { return "Message number " + strconv.Itoa(i) + " with a line of text." }},
		{"static-chart", func(i int) any { return chat.HTML(static) }},
		{"live-chart", func(i int) any {
			return chat.LiveUI(func(sc *sheen.Scope) sheen.Node {
				k := sc.Input("k")
				sc.Output("chart", sheen.RenderUI(func() (sheen.Node, error) { return benchChart(k.Float()), nil }))
				return sheen.Group(sheen.HTMLOutput("chart"), sheen.Slider("k", "Frequency", 0.5, 4, 1, sheen.Step(0.5)))
			})
		}},
	}
	for _, kind := range kinds {
		b.Run(kind.name, func(b *testing.B) {
			var perMsg, goroutines float64
			for range b.N {
				r := newStreamRig(b)
				ctx := context.Background()
				settle := func() {
					time.Sleep(700 * time.Millisecond) // past the snapshots' delay; nothing to wait on
					r.ack(b)
					time.Sleep(100 * time.Millisecond) // the ack drops the replayed frames
					runtime.GC()
					runtime.GC()
				}
				settle()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				g0 := runtime.NumGoroutine()
				for i := range n {
					if err := r.c.AppendMessage(ctx, kind.content(i)); err != nil {
						b.Fatal(err)
					}
				}
				settle()
				runtime.ReadMemStats(&after)
				perMsg = float64(int64(after.HeapInuse)-int64(before.HeapInuse)) / n
				// Posted turns' goroutines linger 100 ms after the last snapshot.
				for deadline := time.Now().Add(2 * time.Second); runtime.NumGoroutine() > g0 && time.Now().Before(deadline); {
					time.Sleep(20 * time.Millisecond)
				}
				goroutines = float64(runtime.NumGoroutine() - g0)
				if st := r.s.ScopeStats(); kind.name == "live-chart" && st.Scopes != n {
					b.Fatalf("%d scopes, want %d", st.Scopes, n)
				}
			}
			b.ReportMetric(perMsg, "heap-B/msg")
			b.ReportMetric(goroutines, "goroutines")
		})
	}
}
