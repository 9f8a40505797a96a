package sheen_test

import (
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sheenhq/sheen"
)

// pattern is an endless reader of a repeating block, so that the client
// side of the benchmark holds 64 KiB, not the file.
type pattern struct {
	head  []byte
	block []byte
	off   int
}

func (p *pattern) Read(b []byte) (int, error) {
	n := 0
	if len(p.head) > 0 {
		n = copy(b, p.head)
		p.head = p.head[n:]
	}
	for n < len(b) {
		c := copy(b[n:], p.block[p.off:])
		n += c
		p.off = (p.off + c) % len(p.block)
	}
	return n, nil
}

// heapPeak samples the live heap every 200 µs until stopped and returns
// the highest value seen.
func heapPeak() (stop func() uint64) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(200 * time.Microsecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() uint64 { close(done); wg.Wait(); return peak.Load() }
}

// BenchmarkUpload sends a 20 MiB file through a session's upload endpoint
// over real HTTP on 127.0.0.1: MB/s, and the live heap's peak above what it
// was before (server and client together; the client streams its body, so
// what is measured is the server's buffers, not the file).
func BenchmarkUpload(b *testing.B) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	for _, tc := range []struct {
		name, ctype, file string
		head              []byte
		size              int64
	}{
		{"binary-2MiB", "image/png", "big.png", png, 2 << 20},
		{"binary-20MiB", "image/png", "big.png", png, 20 << 20},
		{"text-20MiB", "text/plain", "big.txt", nil, 20 << 20}, // validated as UTF-8 to the end
	} {
		size := tc.size
		b.Run(tc.name, func(b *testing.B) {
			r := newUploadRig(b, sheen.UploadLimits{Types: []string{"image/*", "text/plain"}, MaxFile: size})
			u := r.session(b)
			block := make([]byte, 64<<10)
			for i := range block {
				block[i] = byte('a' + i%26)
			}
			client := &http.Client{}
			post := func() {
				req, _ := http.NewRequest(http.MethodPost, r.url+"/"+u.URL(), io.LimitReader(&pattern{head: tc.head, block: block}, size))
				req.ContentLength = size
				req.Header.Set(sheen.UploadHeader, u.Token())
				req.Header.Set("X-Sheen-Name", tc.file)
				req.Header.Set("Content-Type", tc.ctype)
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				var out struct{ ID string }
				_ = json.NewDecoder(resp.Body).Decode(&out)
				resp.Body.Close()
				f, ok := u.Take(out.ID)
				if resp.StatusCode != http.StatusCreated || !ok || f.Size != size {
					b.Fatalf("upload: %d", resp.StatusCode)
				}
				f.Remove()
			}
			post() // warm the connection
			runtime.GC()
			s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
			metrics.Read(s)
			before := s[0].Value.Uint64()
			stop := heapPeak()
			b.SetBytes(size)
			b.ResetTimer()
			for b.Loop() {
				post()
			}
			b.StopTimer()
			peak := stop()
			b.ReportMetric(float64(peak-min(peak, before))/(1<<20), "peak-heap-MiB")
			if n := len(r.files(b)); n != 0 {
				b.Fatalf("%d files left", n)
			}
		})
	}
}
