package load

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"
)

// frame returns a server's (unmasked) WebSocket frame.
func frame(fin bool, opcode byte, payload []byte) []byte {
	b0 := opcode
	if fin {
		b0 |= 0x80
	}
	var h []byte
	switch n := len(payload); {
	case n < 126:
		h = []byte{b0, byte(n)}
	case n < 1<<16:
		h = []byte{b0, 126, byte(n >> 8), byte(n)}
	default:
		h = []byte{b0, 127, 0, 0, 0, 0, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
	}
	return append(h, payload...)
}

func TestFramesFollowsMessages(t *testing.T) {
	http101 := []byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n")
	small, mid, big := bytes.Repeat([]byte("a"), 100), bytes.Repeat([]byte("b"), 300), bytes.Repeat([]byte("c"), 70000)
	stream := bytes.Join([][]byte{
		http101,
		frame(true, 1, small),    // message 1
		frame(true, 9, nil),      // a ping: not a message
		frame(false, 1, mid),     // message 2 begins
		frame(true, 0, small),    // and ends
		frame(true, 1, big),      // message 3
		frame(true, 1, []byte{}), // message 4, empty
	}, nil)
	const messages = 4
	tests := []struct {
		name  string
		split func(b []byte) [][]byte
	}{
		{"whole", func(b []byte) [][]byte { return [][]byte{b} }},
		{"byte by byte", func(b []byte) [][]byte {
			var out [][]byte
			for i := range b {
				out = append(out, b[i:i+1])
			}
			return out
		}},
		{"as the connection reads", func(b []byte) [][]byte {
			f := frames{inHTTP: true}
			var out [][]byte
			// The HTTP response and the first frame's header in one read,
			// then what want allows.
			out = append(out, b[:len(http101)+1])
			f.feed(b[:len(http101)+1], time.Time{})
			for rest := b[len(http101)+1:]; len(rest) > 0; {
				n := min(f.want(), len(rest))
				out = append(out, rest[:n])
				f.feed(rest[:n], time.Time{})
				rest = rest[n:]
			}
			return out
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := frames{inHTTP: true}
			at := time.Unix(1000, 0)
			var ends []time.Time // the time of the read that ended each message
			pos := 0
			for i, b := range tt.split(stream) {
				ti := at.Add(time.Duration(i) * time.Millisecond)
				before := len(f.stamps) - f.head
				f.feed(b, ti)
				for range len(f.stamps) - f.head - before {
					ends = append(ends, ti)
				}
				pos += len(b)
			}
			if pos != len(stream) {
				t.Fatalf("split lost bytes: %d of %d", pos, len(stream))
			}
			if f.inHTTP || f.inBody || f.hn != 0 {
				t.Fatalf("after the stream: inHTTP=%v inBody=%v hn=%d", f.inHTTP, f.inBody, f.hn)
			}
			if len(ends) != messages {
				t.Fatalf("%d messages seen, want %d", len(ends), messages)
			}
			for i, want := range ends {
				if got := f.take(); !got.Equal(want) {
					t.Errorf("message %d arrived %v, want %v", i+1, got, want)
				}
			}
			if got := f.take(); !got.IsZero() {
				t.Errorf("a fifth arrival: %v", got)
			}
		})
	}
}

// TestArrivals runs a page through an Arrivals client against a real
// server: every frame carries a kernel timestamp, in order, and no later
// than when the page read it.
func TestArrivals(t *testing.T) {
	if !stampsSupported {
		t.Skip("no receive timestamps on this platform")
	}
	base, _ := serveApp(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	hc := Arrivals(&http.Client{})
	defer hc.CloseIdleConnections()
	start := time.Now()
	p, err := Open(ctx, hc, base, "u1")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.arrivals == nil {
		t.Fatal("the page's connection does not report arrivals")
	}
	const n = 200
	if err := p.Submit(ctx, Request{Chunks: n, Every: time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	var last time.Time
	frames := 0
	for {
		f, err := p.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		read := time.Now()
		if f.Arrived.Before(start) || f.Arrived.After(read) || f.Arrived.Before(last) {
			t.Fatalf("frame %d arrived %v: not between the dial (%v), the previous frame (%v) and its read (%v)", frames, f.Arrived, start, last, read)
		}
		last = f.Arrived
		frames++
		if f.End {
			break
		}
	}
	if err := p.Check(n); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d frames", frames)
}
