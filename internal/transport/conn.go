package transport

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// ErrTooBig is returned by [Conn.Read] for a frame larger than the limit. The
// frame has been read and dropped; the connection is still usable.
var ErrTooBig = errors.New("transport: frame too big")

// ErrBinary is returned by [Conn.Read] for a binary frame: the protocol is
// text only. The connection has been closed with status 1003 (unsupported
// data).
var ErrBinary = errors.New("transport: binary frame")

// Close reasons reported by [Conn.Reason].
const (
	ReasonTooSlow   = "reader too slow" // the queue stayed over MaxBehind for MaxBehindFor
	ReasonQueueFull = "send queue full" // the queue would have exceeded MaxQueue
	ReasonBinary    = "binary frame"    // the peer sent a binary frame
	ReasonWrite     = "write failed"    // a write failed or took longer than WriteTimeout
	ReasonSilent    = "peer silent"     // no frame came for ReadTimeout
)

// Options configure a [Conn].
type Options struct {
	// MaxFrame is the largest frame Read returns (default 1 MiB). Larger frames
	// up to 16 × MaxFrame are dropped with ErrTooBig; beyond that the
	// connection is closed.
	MaxFrame int64
	// MaxQueue is how many bytes may wait to be written before the peer is
	// considered too slow and the connection is closed (default 8 MiB).
	MaxQueue int
	// WriteTimeout bounds one frame's write (default 10 s).
	WriteTimeout time.Duration
	// MaxBehind and MaxBehindFor bound a slow reader: when more than
	// MaxBehind bytes (default 1 MiB) have waited to be written for longer
	// than MaxBehindFor (default 30 s) without the backlog falling back
	// under MaxBehind, the connection is closed with [ReasonTooSlow]. A peer
	// that reads just fast enough to dodge WriteTimeout cannot pin a full
	// queue for ever.
	MaxBehind    int
	MaxBehindFor time.Duration
	// ReadTimeout is the longest Read waits for a frame before the
	// connection is closed with [ReasonSilent] (0: no limit but the
	// context's). One timer serves the connection's life, where a context
	// with a deadline per Read would cost several allocations per frame
	// (here and in the websocket package).
	ReadTimeout time.Duration
}

func (o *Options) defaults() {
	if o.MaxFrame <= 0 {
		o.MaxFrame = 1 << 20
	}
	if o.MaxQueue <= 0 {
		o.MaxQueue = 8 << 20
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 10 * time.Second
	}
	if o.MaxBehind <= 0 {
		o.MaxBehind = 1 << 20
	}
	if o.MaxBehindFor <= 0 {
		o.MaxBehindFor = 30 * time.Second
	}
}

// Conn is one WebSocket connection to a page.
type Conn struct {
	ws   *websocket.Conn
	opts Options

	mu     sync.Mutex
	queue  [][]byte
	queued int // bytes queued or being written, not yet written
	// behind fires MaxBehindFor after the backlog went over MaxBehind; it
	// is stopped when the backlog falls back under it.
	behind *time.Timer
	reason string
	// handshaking: closeWith's goroutine is sending the close frame and
	// will close the socket itself; CloseNow leaves it be.
	handshaking bool
	writing     bool
	closing     bool // Close is writing what is queued: Send takes no more
	closed      bool
	done        chan struct{}
	spare       [][]byte
	// The writer goroutine: started by a Send when none runs, it waits on
	// wake while nothing is queued (parked), and ends when the connection
	// closes or after writerLinger parked: a streaming connection keeps
	// one writer (a goroutine per burst of frames started afresh for
	// nearly every frame of a stream, one every 20–30 ms, and grew its
	// stack again each time), an idle one keeps none. The idle timer is
	// armed when the writer parks and is not armed yet; when it fires it
	// retires a writer parked for writerLinger, or re-arms itself for the
	// rest of that time.
	started   bool
	parked    bool
	parkedAt  time.Time
	retire    bool          // the idle timer asks the parked writer to end
	wake      chan struct{} // capacity 1: Send puts a token only to wake a parked writer
	idle      *time.Timer
	idleArmed bool
	// watchdog closes the connection when one write takes longer than
	// WriteTimeout: one timer for the connection's life, where a context
	// with a deadline per frame would cost about ten allocations per frame
	// (here and in the websocket package). It is not set and stopped
	// around every write either: the writer records when the write began
	// (busySince, 0 between writes) and arms the timer only if it is not
	// armed; when it fires it closes the connection if the write in
	// progress began WriteTimeout ago or more, re-arms itself for the
	// write in progress if there is one, and otherwise disarms.
	watchdog  *time.Timer
	armed     atomic.Bool
	silence   *time.Timer  // ReadTimeout's: reset by every Read
	rbuf      []byte       // Read's buffer, kept between frames (Read only)
	busySince atomic.Int64 // UnixNano when the write in progress began; 0: none
	// wg counts the writer goroutine, so Wait can be sure none is left.
	wg sync.WaitGroup
}

// New wraps an accepted WebSocket.
func New(ws *websocket.Conn, opts Options) *Conn {
	opts.defaults()
	ws.SetReadLimit(opts.MaxFrame * 16)
	return &Conn{ws: ws, opts: opts, done: make(chan struct{}), wake: make(chan struct{}, 1)}
}

// Read returns the next text frame. A frame over MaxFrame is read to its end,
// dropped, and reported as ErrTooBig; the connection stays open.
func (c *Conn) Read(ctx context.Context) ([]byte, error) {
	if d := c.opts.ReadTimeout; d > 0 {
		c.mu.Lock()
		switch {
		case c.closed:
		case c.silence == nil:
			c.silence = time.AfterFunc(d, c.silent)
		default:
			c.silence.Reset(d)
		}
		c.mu.Unlock()
	}
	typ, r, err := c.ws.Reader(ctx)
	if err != nil {
		return nil, err
	}
	if typ != websocket.MessageText {
		c.setReason(ReasonBinary)
		c.closeWith(websocket.StatusUnsupportedData, "binary frames are not supported")
		return nil, ErrBinary
	}
	// Read into a buffer kept for the next frame, and return a copy of the
	// frame's size: most frames are a few dozen bytes (acknowledgements),
	// where reading each into a fresh, growing slice allocated 512 bytes
	// and more.
	b := c.rbuf[:0]
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // let append pick the growth
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if int64(len(b)) > c.opts.MaxFrame {
			c.rbuf = nil // not kept: as large as a frame may be
			if _, err := io.Copy(io.Discard, r); err != nil {
				return nil, err
			}
			return nil, ErrTooBig
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if c.rbuf = b; cap(b) > maxReadBuf {
		c.rbuf = nil
	}
	return bytes.Clone(b), nil
}

// maxReadBuf is the largest read buffer a connection keeps between frames.
const maxReadBuf = 64 << 10

// Send queues frame to be written and returns at once. It reports false if
// the connection is closed, or if the peer is so far behind that the queue
// would exceed MaxQueue, in which case the connection is closed (the page
// reconnects and resumes from the replay buffer).
func (c *Conn) Send(frame []byte) bool {
	c.mu.Lock()
	if c.closed || c.closing {
		c.mu.Unlock()
		return false
	}
	if c.queued+len(frame) > c.opts.MaxQueue {
		c.reasonLocked(ReasonQueueFull)
		c.mu.Unlock()
		c.CloseNow() // never hold the sender for a close handshake
		return false
	}
	c.queue = append(c.queue, frame)
	c.queued += len(frame)
	if c.queued > c.opts.MaxBehind && c.behind == nil {
		c.behind = time.AfterFunc(c.opts.MaxBehindFor, c.tooSlow)
	}
	c.writing = true
	start, wake := !c.started, c.parked
	c.parked = false
	if start {
		c.started = true
		c.wg.Add(1)
	}
	c.mu.Unlock()
	if start {
		go c.writer()
	} else if wake {
		select {
		case c.wake <- struct{}{}:
		default: // closing put a token there already: the writer wakes
		}
	}
	return true
}

// writer writes queued frames, in order, until the connection closes; it
// parks while nothing is queued, and ends once parked for writerLinger.
func (c *Conn) writer() {
	defer c.wg.Done()
	c.mu.Lock()
	for {
		for len(c.queue) == 0 && !c.closed {
			if c.retire { // parked for writerLinger: end; the next Send starts another
				c.retire, c.started, c.writing, c.parked = false, false, false, false
				c.mu.Unlock()
				return
			}
			c.writing, c.parked = false, true
			c.parkedAt = time.Now()
			if !c.idleArmed {
				c.idleArmed = true
				if c.idle == nil {
					c.idle = time.AfterFunc(writerLinger, c.idleCheck)
				} else {
					c.idle.Reset(writerLinger)
				}
			}
			c.mu.Unlock()
			<-c.wake // one channel, not a select with done: closing puts a token too
			c.mu.Lock()
		}
		if c.closed {
			c.writing, c.parked = false, false
			if c.idle != nil {
				c.idle.Stop()
			}
			c.mu.Unlock()
			if c.watchdog != nil {
				c.watchdog.Stop()
			}
			return
		}
		batch := c.queue
		c.queue, c.spare = c.spare[:0], nil
		c.mu.Unlock()
		for i, f := range batch {
			c.busySince.Store(time.Now().UnixNano())
			if c.armed.CompareAndSwap(false, true) {
				if c.watchdog == nil {
					c.watchdog = time.AfterFunc(c.opts.WriteTimeout, c.checkWrite)
				} else {
					c.watchdog.Reset(c.opts.WriteTimeout)
				}
			}
			err := c.ws.Write(context.Background(), websocket.MessageText, f)
			c.busySince.Store(0)
			batch[i] = nil
			c.mu.Lock()
			c.queued -= len(f)
			if c.queued <= c.opts.MaxBehind && c.behind != nil {
				c.behind.Stop()
				c.behind = nil
			}
			if err != nil {
				c.writing = false
				c.reasonLocked(ReasonWrite)
				if c.idle != nil {
					c.idle.Stop()
				}
				c.mu.Unlock()
				c.watchdog.Stop()
				c.CloseNow()
				return
			}
			c.mu.Unlock()
		}
		c.mu.Lock()
		c.spare = batch[:0]
	}
}

// writerLinger is how long a parked writer waits for a frame before it
// ends.
const writerLinger = time.Second

// idleCheck runs when the idle timer fires: it retires the writer if it
// has been parked for writerLinger, and otherwise re-arms the timer for
// the rest of that time if the writer is parked (a writer that is writing
// arms it again when it parks).
func (c *Conn) idleCheck() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.idleArmed = false
	if !c.parked || c.closed {
		return
	}
	if left := writerLinger - time.Since(c.parkedAt); left > 0 {
		c.idleArmed = true
		c.idle.Reset(left)
		return
	}
	c.retire, c.parked = true, false
	select {
	case c.wake <- struct{}{}:
	default: // a token is there already
	}
}

// checkWrite runs when the watchdog fires: it closes the connection if the
// write in progress began WriteTimeout ago or more, and otherwise re-arms
// the watchdog for the write in progress, if there is one.
func (c *Conn) checkWrite() {
	c.armed.Store(false)
	since := c.busySince.Load()
	if since == 0 {
		return // idle: the next write arms it again
	}
	left := time.Duration(since+int64(c.opts.WriteTimeout)) - time.Duration(time.Now().UnixNano())
	if left <= 0 {
		c.CloseNow()
		return
	}
	if c.armed.CompareAndSwap(false, true) {
		c.watchdog.Reset(left)
	}
}

// tooSlow cuts a reader whose backlog stayed over MaxBehind too long.
func (c *Conn) tooSlow() {
	c.mu.Lock()
	still := c.behind != nil && c.queued > c.opts.MaxBehind
	c.mu.Unlock()
	if still {
		c.setReason(ReasonTooSlow)
		c.closeWith(websocket.StatusPolicyViolation, ReasonTooSlow)
	}
}

// silent closes a connection whose peer sent nothing for ReadTimeout.
func (c *Conn) silent() {
	c.setReason(ReasonSilent)
	c.CloseNow()
}

func (c *Conn) setReason(r string) {
	c.mu.Lock()
	c.reasonLocked(r)
	c.mu.Unlock()
}

func (c *Conn) reasonLocked(r string) {
	if c.reason == "" && !c.closed {
		c.reason = r
	}
}

// Reason returns why the connection closed itself ([ReasonTooSlow],
// [ReasonQueueFull], [ReasonBinary], [ReasonWrite], [ReasonSilent]), or ""
// if it did not.
func (c *Conn) Reason() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reason
}

// closeWith closes the connection at once for Send and the writer (queued
// frames are dropped) and sends the peer a close frame with code and reason
// in the background, without waiting for a writer stuck on a slow peer:
// the websocket library bounds that close handshake (5 s each way).
func (c *Conn) closeWith(code websocket.StatusCode, reason string) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	c.queue = nil
	c.stopBehind()
	c.closeDone()
	c.handshaking = true
	c.wg.Add(1)
	c.mu.Unlock()
	go func() {
		defer c.wg.Done()
		_ = c.ws.Close(code, reason)
	}()
}

// Flush waits until every queued frame is written or ctx is done.
func (c *Conn) Flush(ctx context.Context) {
	for {
		c.mu.Lock()
		idle := !c.writing || c.closed
		c.mu.Unlock()
		if idle {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Millisecond):
		}
	}
}

// Close closes the connection with a status and reason. It first writes the
// frames already queued (waiting at most WriteTimeout: a last error or
// expired frame must reach the page before the close), then waits (up to
// 5 s) for the peer's close frame. Frames sent after Close began are dropped.
// It is safe to call more than once.
func (c *Conn) Close(code websocket.StatusCode, reason string) {
	c.mu.Lock()
	if c.closed || c.closing {
		c.mu.Unlock()
		return
	}
	c.closing = true
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), c.opts.WriteTimeout)
	c.Flush(ctx)
	cancel()
	c.mu.Lock()
	if c.closed { // CloseNow ran meanwhile
		c.mu.Unlock()
		return
	}
	c.closed = true
	c.queue = nil
	c.stopBehind()
	c.closeDone()
	c.mu.Unlock()
	_ = c.ws.Close(code, reason)
}

// CloseNow closes the connection at once, without a close handshake.
func (c *Conn) CloseNow() {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		c.queue = nil
		c.closeDone()
	}
	c.stopBehind()
	handshaking := c.handshaking
	c.mu.Unlock()
	if !handshaking {
		_ = c.ws.CloseNow()
	}
}

func (c *Conn) stopBehind() {
	if c.behind != nil {
		c.behind.Stop()
		c.behind = nil
	}
}

// closeDone closes done and wakes a parked writer, which then ends. Locked.
func (c *Conn) closeDone() {
	close(c.done)
	if c.silence != nil {
		c.silence.Stop()
	}
	select {
	case c.wake <- struct{}{}:
	default: // a token is there already, or the writer is not parked
	}
}

// Done is closed when the connection is closed by Close or CloseNow.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Wait waits for the writer goroutine to finish.
func (c *Conn) Wait() { c.wg.Wait() }
