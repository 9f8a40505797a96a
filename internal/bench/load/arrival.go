package load

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"
)

// Arrivals returns a copy of hc whose connections report when each WebSocket
// message of a [Page] opened through it reached the page's socket: the
// kernel's receive timestamp (SO_TIMESTAMPNS), in [Frame.Arrived].
//
// The time a page reads a frame includes its own process's scheduling: a load
// client that shares the machine with the server delays its own reads, and the
// gaps it measures between reads then count the client's queueing as the
// server's. The arrival time does not: on 127.0.0.1 it is when the server's
// write reached the client's socket. To tell each frame's arrival apart, a
// page's connection reads at most one frame per system call (the first
// bytes of the header, then the rest of the frame). Where the platform has no
// such timestamps, hc is returned as it is and Arrived is the read time.
func Arrivals(hc *http.Client) *http.Client {
	if !stampsSupported {
		return hc
	}
	var t *http.Transport
	switch rt := hc.Transport.(type) {
	case nil:
		t = http.DefaultTransport.(*http.Transport).Clone()
	case *http.Transport:
		t = rt.Clone()
	default:
		return hc
	}
	dial := t.DialContext
	if dial == nil {
		dial = (&net.Dialer{Timeout: 30 * time.Second}).DialContext
	}
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		slot, _ := ctx.Value(arrivalKey{}).(*arrivalSlot)
		tc, ok := c.(*net.TCPConn)
		if slot == nil || !ok {
			return c, nil
		}
		ac, err := newArrivalConn(tc)
		if err != nil {
			c.Close()
			return nil, err
		}
		slot.set(ac)
		return ac, nil
	}
	out := *hc
	out.Transport = t
	return &out
}

// arrivalKey is the context key under which a page's dial finds the slot
// for the connection it makes.
type arrivalKey struct{}

type arrivalSlot struct {
	mu sync.Mutex
	c  *arrivalConn
}

func (s *arrivalSlot) set(c *arrivalConn) {
	s.mu.Lock()
	s.c = c
	s.mu.Unlock()
}

func (s *arrivalSlot) get() *arrivalConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.c
}

// frames follows the WebSocket frames a connection reads from the server,
// after the HTTP response that upgraded it, and keeps the arrival time of
// each data message not yet taken.
type frames struct {
	mu     sync.Mutex
	inHTTP bool // still in the HTTP response
	crlf   int  // how much of "\r\n\r\n" the response's last bytes matched
	hdr    [14]byte
	hn     int         // header bytes held
	rest   uint64      // payload bytes the current frame still needs; valid once the header is whole
	inBody bool        // the header is whole
	fin    bool        // the current frame ends its message
	data   bool        // the current frame is a data frame (not a control frame)
	stamps []time.Time // arrivals of whole data messages; the first head are taken
	head   int
}

// want is how many bytes the next read may take so that it does not run into
// the next frame: the header's first bytes, or the rest of the frame.
func (f *frames) want() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case f.inHTTP:
		return 1 << 30
	case !f.inBody && f.hn < 2:
		return 4 - f.hn // two more than the shortest header: a frame's payload is rarely shorter
	case !f.inBody:
		if n := headerLen(f.hdr[1]) - f.hn; n > 0 {
			return n + 2 // the usual frame's length comes with its first payload bytes
		}
		return 1
	}
	return int(min(f.rest, 1<<30))
}

// headerLen is the length of a frame header whose second byte is b1.
func headerLen(b1 byte) int {
	n := 2
	switch b1 & 0x7f {
	case 126:
		n += 2
	case 127:
		n += 8
	}
	if b1&0x80 != 0 {
		n += 4 // masked (a server never masks; followed anyway)
	}
	return n
}

// feed follows the bytes b, which arrived at t.
func (f *frames) feed(b []byte, t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for len(b) > 0 {
		if f.inHTTP {
			for i, c := range b {
				switch {
				case c == "\r\n\r\n"[f.crlf]:
					f.crlf++
				case c == '\r':
					f.crlf = 1
				default:
					f.crlf = 0
				}
				if f.crlf == 4 {
					f.inHTTP = false
					b = b[i+1:]
					break
				}
			}
			if f.inHTTP {
				return
			}
			continue
		}
		if !f.inBody {
			f.hdr[f.hn] = b[0]
			f.hn++
			b = b[1:]
			if f.hn < 2 || f.hn < headerLen(f.hdr[1]) {
				continue
			}
			f.fin, f.data = f.hdr[0]&0x80 != 0, f.hdr[0]&0x08 == 0
			switch n := f.hdr[1] & 0x7f; n {
			case 126:
				f.rest = uint64(f.hdr[2])<<8 | uint64(f.hdr[3])
			case 127:
				f.rest = 0
				for _, c := range f.hdr[2:10] {
					f.rest = f.rest<<8 | uint64(c)
				}
			default:
				f.rest = uint64(n)
			}
			f.inBody = true
		} else {
			k := uint64(min(uint64(len(b)), f.rest))
			f.rest -= k
			b = b[k:]
		}
		if f.inBody && f.rest == 0 {
			if f.fin && f.data {
				f.stamps = append(f.stamps, t)
			}
			f.hn, f.inBody = 0, false
		}
	}
}

// take returns the arrival of the oldest data message not yet taken, or the
// zero time if none is known.
func (f *frames) take() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.head == len(f.stamps) {
		return time.Time{}
	}
	t := f.stamps[f.head]
	if f.head++; f.head == len(f.stamps) {
		f.stamps, f.head = f.stamps[:0], 0
	}
	return t
}
