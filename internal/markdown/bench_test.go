package markdown

import (
	"bytes"
	"encoding/json"
	"os"
	"strconv"
	"testing"
)

// The benchmark corpus: a deterministic ~50 KB reply with headings,
// paragraphs, nested lists, ordered and task lists, tables, quotes and code
// blocks in six languages.
func reply50k(tb testing.TB) []byte {
	tb.Helper()
	b, err := os.ReadFile("testdata/reply50k.md")
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// streamChunks is how many pieces the reply is streamed in (about 5 bytes
// each, the size of an LLM token delta).
const streamChunks = 10_000

// chunksOf cuts src into n pieces of near-equal size.
func chunksOf(src []byte, n int) [][]byte {
	out := make([][]byte, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, src[i*len(src)/n:(i+1)*len(src)/n])
	}
	return out
}

// BenchmarkRender50K renders the whole reply once.
func BenchmarkRender50K(b *testing.B) {
	r := New()
	src := reply50k(b)
	buf := r.Render(nil, src)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		buf = r.Render(buf[:0], src)
	}
}

// BenchmarkStream50K streams the reply in 10,000 chunks with a patch after
// every chunk (incremental), and compares the naive strategy of rendering
// the whole text received so far after every chunk. Both report ns/chunk.
// The naive run renders a stratified sample of 100 of the 10,000 prefixes
// (the 50th, 150th, … 9,950th chunk), whose mean is the mean cost per chunk;
// rendering all 10,000 would take over a minute per iteration.
func BenchmarkStream50K(b *testing.B) {
	r := New()
	src := reply50k(b)
	chunks := chunksOf(src, streamChunks)
	b.Run("incremental", func(b *testing.B) {
		streamStats(r, chunks, 1) // warm up: compile the lexers
		b.ReportAllocs()
		cpu := cpuTime()
		for b.Loop() {
			s := r.NewStream()
			for _, c := range chunks {
				_, _ = s.Write(c)
				s.Flush()
			}
			s.Finish()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*streamChunks), "ns/chunk")
		b.ReportMetric(float64((cpuTime()-cpu).Nanoseconds())/float64(b.N*streamChunks), "cpu-ns/chunk")
	})
	b.Run("naive", func(b *testing.B) {
		const samples = 100
		var buf []byte
		b.ReportAllocs()
		cpu := cpuTime()
		for b.Loop() {
			for k := 0; k < samples; k++ {
				end := (k*(streamChunks/samples) + streamChunks/samples/2 + 1) * len(src) / streamChunks
				buf = r.Render(buf[:0], src[:end])
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*samples), "ns/chunk")
		b.ReportMetric(float64((cpuTime()-cpu).Nanoseconds())/float64(b.N*samples), "cpu-ns/chunk")
	})
}

// BenchmarkStreamCoalesced streams the reply as a model would at 1,000
// chunks/s with a frame every 33 ms: a patch every 33 chunks. It reports the
// HTML bytes the patches carry (and their JSON size) against the size of the
// final HTML.
func BenchmarkStreamCoalesced(b *testing.B) {
	r := New()
	src := reply50k(b)
	chunks := chunksOf(src, streamChunks)
	final := len(r.Render(nil, src))
	var st patchStats
	b.ReportAllocs()
	for b.Loop() {
		st = streamStats(r, chunks, 33)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*streamChunks), "ns/chunk")
	b.ReportMetric(float64(st.html)/float64(final), "html/final")
	b.ReportMetric(float64(st.json)/float64(final), "json/final")
	b.ReportMetric(float64(st.patches), "patches")
}

type patchStats struct {
	patches int
	html    int // bytes of HTML carried by the patches
	json    int // bytes of the patches as JSON (HTML not escaped)
}

// streamStats streams chunks with a Flush every `every` chunks and measures
// the patches.
func streamStats(r *Renderer, chunks [][]byte, every int) patchStats {
	var st patchStats
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	count := func(p Patch) {
		st.patches++
		for _, d := range []Delta{p.Answer, p.Thinking} {
			st.html += len(d.Tail)
			for _, s := range d.Blocks {
				st.html += len(s)
			}
		}
		buf.Reset()
		_ = enc.Encode(p)
		st.json += buf.Len()
	}
	s := r.NewStream()
	for i, c := range chunks {
		_, _ = s.Write(c)
		if (i+1)%every == 0 {
			if p, ok := s.Flush(); ok {
				count(p)
			}
		}
	}
	count(s.Finish())
	return st
}

// TestStreamWireSize checks the wire budget: with a patch every 33 chunks,
// the HTML the patches carry is at most twice the final HTML.
func TestStreamWireSize(t *testing.T) {
	r := New()
	src := reply50k(t)
	final := len(r.Render(nil, src))
	st := streamStats(r, chunksOf(src, streamChunks), 33)
	ratio := float64(st.html) / float64(final)
	t.Logf("%d patches, %d HTML bytes (%d as JSON) for %d bytes of final HTML: %.2f×", st.patches, st.html, st.json, final, ratio)
	if ratio > 2 {
		t.Errorf("patches carry %.2f× the final HTML, want ≤ 2×", ratio)
	}
}

// BenchmarkStreamLoadReply streams the reply of the streaming load
// (internal/bench/load: words "w1 " … "w3000 ", a paragraph break every 20)
// with a Flush after one or two chunks in turn, as the load's frames carry
// 1.6 chunks on average; it reports the time per flush.
func BenchmarkStreamLoadReply(b *testing.B) {
	r := New()
	const n = 3000
	chunks := make([]string, n)
	for i := range chunks {
		if (i+1)%20 == 0 {
			chunks[i] = "w" + strconv.Itoa(i+1) + "\n\n"
		} else {
			chunks[i] = "w" + strconv.Itoa(i+1) + " "
		}
	}
	flushes := 0
	b.ReportAllocs()
	for b.Loop() {
		s := r.NewStream()
		for i, c := range chunks {
			_, _ = s.WriteString(c)
			if i%3 != 0 { // after chunks 2, 3, 5, 6, …: one or two chunks a flush
				s.Flush()
				flushes++
			}
		}
		s.Finish()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(flushes), "ns/flush")
}
