//go:build unix

package chat_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chromedp/cdproto/cdp"
	cdpperf "github.com/chromedp/cdproto/performance"
	"github.com/chromedp/chromedp"
	"github.com/coder/websocket"
	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/browsertest"
	"github.com/sheenhq/sheen/internal/markdown"
	"github.com/sheenhq/sheen/protocol"
	"github.com/sheenhq/sheen/store/sqlite"
)

// The cost of streaming a long reply through the chat: see docs/benchmarks.md,
// section "Chat", for the commands and the figures.

const (
	benchChunks = 10_000           // the reply is streamed in this many chunks (about 5 bytes each)
	benchPace   = time.Millisecond // 1,000 chunks a second, when paced
)

// reply50k is a 50 KB markdown reply with headings, lists, code blocks and
// tables, cut into benchChunks pieces on rune boundaries.
func reply50k(tb testing.TB) (text string, chunks []string) {
	tb.Helper()
	src, err := os.ReadFile("../internal/markdown/testdata/reply50k.md")
	if err != nil {
		tb.Skip(err)
	}
	text = string(src)
	return text, split(text, benchChunks)
}

// split cuts text into n pieces of about the same size, on rune boundaries.
func split(text string, n int) []string {
	chunks := make([]string, 0, n)
	start := 0
	for i := 1; i <= n; i++ {
		end := i * len(text) / n
		for end < len(text) && !utf8.RuneStart(text[end]) {
			end++
		}
		end = max(end, start)
		chunks = append(chunks, text[start:end])
		start = end
	}
	return chunks
}

// processCPU is the CPU time (user and system) the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// chunksAt yields chunks, the i-th at start + i·every (every 0: at once). A
// late producer catches up without pausing, as a model's buffered stream
// does.
func chunksAt(chunks []string, every time.Duration) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		start := time.Now()
		var t *time.Timer
		for i, c := range chunks {
			if d := time.Until(start.Add(time.Duration(i) * every)); every > 0 && d > 0 {
				if t == nil {
					t = time.NewTimer(d)
				} else {
					t.Reset(d)
				}
				<-t.C
			}
			if !yield(c, nil) {
				return
			}
		}
	}
}

// streamRig is a sheen.App with one chat on 127.0.0.1 and a Go WebSocket
// client that reads every frame, counting the bytes that cross the socket.
type streamRig struct {
	app  *sheen.App
	s    *sheen.Session
	c    *chat.Chat
	ws   *websocket.Conn
	read atomic.Int64  // bytes read from the TCP connection
	ends chan struct{} // a frame that ends a message ("end" for the chat, "done" for the naive stream)
	seq  atomic.Uint64 // the last update's seq
	done chan struct{} // the reader stopped
}

func newStreamRig(b *testing.B, opts ...chat.Option) *streamRig {
	b.Helper()
	r := &streamRig{ends: make(chan struct{}, 16), done: make(chan struct{})}
	type bound struct {
		s *sheen.Session
		c *chat.Chat
	}
	sessions := make(chan bound, 1)
	r.app = sheen.New(sheen.Page("bench", chat.UI("chat", opts...)), func(s *sheen.Session) {
		sessions <- bound{s, chat.New(s, "chat", opts...)}
	}, sheen.WithLogger(zap.NewNop()), sheen.WithHeartbeat(time.Hour))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- r.app.Serve(l) }()
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := r.app.Shutdown(ctx); err != nil {
			b.Error(err)
		}
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			b.Error(err)
		}
		<-r.done
	})

	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		return &countingConn{Conn: c, n: &r.read}, err
	}
	httpc := &http.Client{Transport: &http.Transport{DialContext: dial}}
	ctx := context.Background()
	r.ws, _, err = websocket.Dial(ctx, "ws://"+l.Addr().String()+"/_sheen/ws", &websocket.DialOptions{HTTPClient: httpc})
	if err != nil {
		b.Fatal(err)
	}
	r.ws.SetReadLimit(64 << 20)
	hello, _ := protocol.Hello{V: protocol.Version, Inputs: map[string]json.RawMessage{}}.MarshalJSON()
	if err := r.ws.Write(ctx, websocket.MessageText, hello); err != nil {
		b.Fatal(err)
	}
	go r.readLoop()
	bd := <-sessions
	r.s, r.c = bd.s, bd.c
	return r
}

// readLoop reads every frame, as a page would, doing as little as it can:
// it finds the update's seq and whether the frame ends a message.
func (r *streamRig) readLoop() {
	defer close(r.done)
	seqKey := []byte(`"seq":`)
	endKeys := [][]byte{[]byte(`"target":"chat","name":"end"`), []byte(`"target":"naive","name":"done"`)}
	for {
		_, data, err := r.ws.Read(context.Background())
		if err != nil {
			return
		}
		if i := bytes.Index(data, seqKey); i >= 0 {
			j := i + len(seqKey)
			k := j
			for k < len(data) && data[k] >= '0' && data[k] <= '9' {
				k++
			}
			if n, err := strconv.ParseUint(string(data[j:k]), 10, 64); err == nil {
				r.seq.Store(n)
			}
		}
		for _, key := range endKeys {
			if bytes.Contains(data, key) {
				r.ends <- struct{}{}
			}
		}
	}
}

// ack tells the server, as a page's heartbeat does, which updates arrived,
// so that it drops them from its replay buffer.
func (r *streamRig) ack(b *testing.B) {
	ping, _ := protocol.Ping{Seq: r.seq.Load()}.MarshalJSON()
	if err := r.ws.Write(context.Background(), websocket.MessageText, ping); err != nil {
		b.Fatal(err)
	}
}

func (r *streamRig) waitEnd(b *testing.B) {
	select {
	case <-r.ends:
	case <-time.After(5 * time.Minute):
		b.Fatal("the stream's last frame did not arrive")
	}
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// naiveStream is the strategy the chat does not use, for comparison: after
// every chunk (coalesce 0) or at most once per coalescing period, render the
// whole text received so far and send all of it.
func naiveStream(s *sheen.Session, md *markdown.Renderer, seq iter.Seq2[string, error], coalesce time.Duration) {
	var text []byte
	var buf []byte
	var last time.Time
	send := func() {
		buf = md.Render(buf[:0], text)
		_ = s.Send("naive", "html", map[string]string{"id": "n", "html": string(buf)})
		last = time.Now()
	}
	for c, err := range seq {
		if err != nil {
			break
		}
		text = append(text, c...)
		if time.Since(last) >= coalesce {
			send()
		}
	}
	send()
	_ = s.Send("naive", "done", map[string]string{"id": "n"})
}

// BenchmarkChatStream50K streams a 50 KB markdown reply (headings, lists,
// code, tables) in 10,000 chunks through the chat: AppendMessageStream on a
// real session, its frames written to a Go WebSocket client on 127.0.0.1
// that reads them. Each op is the whole reply.
//
//   - incremental: the chat, chunks as fast as the iterator yields them;
//   - pace-only: the paced iterator alone, without the chat (what its timer
//     wake-ups cost the process);
//   - incremental-paced: the chat, 1,000 chunks a second (10 s per op);
//   - naive-paced: the same pace and coalescing, but each frame carries the
//     whole message rendered again (the strategy the chat avoids);
//   - naive-per-chunk: the whole message rendered again and sent after every
//     chunk, as fast as possible (about 2 minutes per op);
//   - …-store: the same with the conversation kept in a SQLite file (a
//     chat.History with its default SaveEvery of 1 s, or "every-block":
//     saved at every closed block, the most a History writes), each op a
//     new conversation.
//
// It reports the process's CPU time per chunk (user + system, from
// getrusage: the server and the reading client together), the bytes read
// from the socket per op (TCP payload: WebSocket frames, JSON, HTML) and
// their ratio to the size of the final HTML, and frames per op. With a
// store: the text handed to the store and the text written to its rows,
// each per byte of the reply's text (the write amplification), and the
// store's write transactions per op.
func BenchmarkChatStream50K(b *testing.B) {
	text, chunks := reply50k(b)
	md := markdown.New()
	final := len(md.RenderString(text)) // and the lexers compile their rules
	cases := []struct {
		name          string
		naive, none   bool
		pace          time.Duration
		naiveCoalesce time.Duration
		store         bool
		saveEvery     time.Duration
	}{
		{name: "incremental"},
		{name: "incremental-store", store: true, saveEvery: time.Second},
		{name: "pace-only", none: true, pace: benchPace},
		{name: "incremental-paced", pace: benchPace},
		{name: "incremental-paced-store", pace: benchPace, store: true, saveEvery: time.Second},
		{name: "incremental-paced-store-every-block", pace: benchPace, store: true},
		{name: "naive-paced", naive: true, pace: benchPace, naiveCoalesce: 30 * time.Millisecond},
		{name: "naive-per-chunk", naive: true},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			var st *sqlite.Store
			var h *chat.History
			var opts []chat.Option
			if tc.store {
				var err error
				if st, err = sqlite.Open(filepath.Join(b.TempDir(), "chat.db")); err != nil {
					b.Fatal(err)
				}
				h = chat.NewHistory(st, chat.SaveEvery(tc.saveEvery))
				b.Cleanup(func() {
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					_ = h.Shutdown(ctx)
					_ = st.Close()
				})
				opts = append(opts, chat.WithHistory(h))
			}
			r := newStreamRig(b, opts...)
			ctx := context.Background()
			run := func() {
				if tc.none {
					for range chunksAt(chunks, tc.pace) {
					}
					return
				}
				if tc.naive {
					naiveStream(r.s, md, chunksAt(chunks, tc.pace), tc.naiveCoalesce)
				} else if _, err := r.c.AppendMessageStream(ctx, chunksAt(chunks, tc.pace)).Wait(ctx); err != nil {
					b.Fatal(err)
				}
				r.waitEnd(b)
			}
			var cpu time.Duration
			var wire, frames int64
			var stats0 sqlite.Stats
			var amp struct{ content, rows, writes int64 }
			for b.Loop() {
				b.StopTimer()
				r.c.ClearMessages(chat.DropGreeting)
				if tc.store { // a conversation is saved from its first question on
					if err := r.c.AppendMessage(ctx, chat.Message{Role: chat.User, Content: "q", ContentType: chat.TextType}); err != nil {
						b.Fatal(err)
					}
					stats0 = st.Stats()
				}
				r.ack(b)
				seq0, read0 := r.seq.Load(), r.read.Load()
				cpu0 := processCPU()
				b.StartTimer()
				run()
				b.StopTimer()
				cpu += processCPU() - cpu0
				wire += r.read.Load() - read0
				frames += int64(r.seq.Load() - seq0)
				if tc.store {
					if err := h.Sync(ctx); err != nil {
						b.Fatal(err)
					}
					s := st.Stats()
					amp.content += s.ContentBytes - stats0.ContentBytes
					amp.rows += s.RowBytes - stats0.RowBytes
					amp.writes += s.Writes - stats0.Writes
				}
				b.StartTimer()
			}
			n := float64(b.N)
			if tc.store {
				b.ReportMetric(float64(amp.content)/n/float64(len(text)), "store-B/text-B")
				b.ReportMetric(float64(amp.rows)/n/float64(len(text)), "row-B/text-B")
				b.ReportMetric(float64(amp.writes)/n, "store-writes/op")
			}
			b.ReportMetric(float64(cpu.Nanoseconds())/n/benchChunks/1e3, "cpu-µs/chunk")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n/benchChunks/1e3, "wall-µs/chunk")
			b.ReportMetric(float64(wire)/n, "wire-B/op")
			b.ReportMetric(float64(wire)/n/float64(final), "wire/final-html")
			b.ReportMetric(float64(frames)/n, "frames/op")
		})
	}
}

// framesProbe runs in the benchmark's page before sheen.js. For every
// WebSocket message the page handles it records:
//
//   - the handler's own time (JSON, the runtime, the chat's DOM changes);
//   - the handler plus a layout forced right after it (offsetHeight on the
//     chat's message list): the method of the performance plan's §2.2, which
//     times each update applied and laid out, without paint;
//   - its share of the requestAnimationFrame callbacks the handler scheduled
//     (the chat renders a streamed tail there), each followed by a forced
//     layout inside the same callback;
//   - its share of the animation frame that follows it: requestAnimationFrame
//     callbacks, style, layout and paint, measured from the first callback
//     of the frame to the first task after it, minus any message handled
//     (and laid out) in between.
//
// A frame's time is shared among the messages that preceded it. It also
// counts long tasks (over 50 ms).
const framesProbe = `(() => {
	const now = () => performance.now();
	const perf = window.__perf = {msgs: [], frames: new Map(), longTasks: 0, open: null, current: null,
		recording: false, recorded: [], seq: 0, fn: null, collect: null};
	perf.reset = () => { perf.msgs = []; perf.frames = new Map(); perf.longTasks = 0; };
	new PerformanceObserver((l) => { perf.longTasks += l.getEntries().length; }).observe({type: "longtask"});
	const after = (cb) => {
		if (globalThis.scheduler?.postTask) scheduler.postTask(cb, {priority: "user-blocking"});
		else { const ch = new MessageChannel(); ch.port1.onmessage = cb; ch.port2.postMessage(0); }
	};
	const layout = () => { const log = document.querySelector(".sheen-chat-log"); if (log) void log.offsetHeight; };
	const raf = window.requestAnimationFrame.bind(window);
	// A callback scheduled by a message's handler (the chat's tail
	// rendering) is timed with a layout forced after it, and that time
	// added to its animation frame's tail time.
	window.requestAnimationFrame = (cb) => {
		if (perf.collect) { perf.collect.push(cb); return 0; }
		if (!perf.current) return raf(cb);
		return raf((ts) => {
			const t0 = now();
			try {
				return cb(ts);
			} finally {
				layout();
				const f = perf.frames.get(ts);
				if (f) f.tail += now() - t0;
			}
		});
	};
	const desc = Object.getOwnPropertyDescriptor(WebSocket.prototype, "onmessage");
	Object.defineProperty(WebSocket.prototype, "onmessage", {
		configurable: true,
		get() { return desc.get.call(this); },
		set(fn) {
			if (typeof fn === "function") perf.fn = fn;
			desc.set.call(this, typeof fn !== "function" ? fn : function (e) {
				const m = /"seq":([0-9]+)/.exec(e.data.slice(0, 64));
				if (m) perf.seq = Number(m[1]);
				if (perf.recording) perf.recorded.push(e.data);
				const rec = {handler: 0, laidOut: 0, frame: -1};
				raf((ts) => {
					rec.frame = ts;
					if (perf.frames.has(ts)) return;
					const f = {start: now(), time: 0, between: 0, tail: 0, n: 0};
					perf.frames.set(ts, f);
					perf.open = f;
					after(() => { f.time = now() - f.start - f.between; perf.open = null; });
				});
				const open = perf.open;
				const t0 = now();
				perf.current = rec;
				try {
					return fn.call(this, e);
				} finally {
					perf.current = null;
					rec.handler = now() - t0;
					layout();
					rec.laidOut = now() - t0;
					if (open) open.between += rec.laidOut;
					perf.msgs.push(rec);
				}
			});
		},
	});
	// replay applies update frames recorded on another page, renumbered to
	// follow this page's last seq, in one synchronous loop (the method of the
	// performance plan's §2.2): each frame goes through the page's own
	// WebSocket message handler (JSON, the runtime, the chat), then the
	// animation frame callbacks it scheduled run at once (the chat's tail
	// rendering), then a layout is forced. It returns each frame's ms.
	perf.replay = (frames) => {
		const list = frames.map((f) => JSON.parse(f)).filter((m) => m.type === "update").map((m, i) => {
			m.seq = perf.seq + 1 + i;
			return JSON.stringify(m);
		});
		const out = [];
		const cbs = perf.collect = [];
		try {
			for (const data of list) {
				const t0 = now();
				perf.fn(new MessageEvent("message", {data}));
				while (cbs.length) {
					const ts = now();
					for (const cb of cbs.splice(0)) cb(ts);
				}
				layout();
				out.push(now() - t0);
			}
		} finally {
			perf.collect = null;
		}
		return out;
	};
	// Per message: [handler ms, handler and forced layout ms, its share of the
	// next frame's ms, its share of the frame's tail rendering and layout ms].
	perf.result = () => {
		for (const m of perf.msgs) { const f = perf.frames.get(m.frame); if (f) f.n++; }
		return perf.msgs.map((m) => {
			const f = perf.frames.get(m.frame);
			return [m.handler, m.laidOut, f ? f.time / f.n : 0, f ? f.tail / f.n : 0];
		});
	};
})()`

// BenchmarkChatStreamBrowser streams a 50 KB reply in 10,000 chunks, paced
// at 1,000 chunks a second, from the real server (chat.AppendMessageStream)
// to the real client in headless Chromium, and measures the page's
// main-thread time per applied frame (see framesProbe): its median, 99th
// percentile and maximum over every frame of every op, with the frame's
// rendering (the strict figure: handler, forced layout, and the frame's
// share of the animation frame up to paint and commit), and the quantiles
// of three narrower figures: the handler alone; apply+layout, the handler
// and a layout forced right after it (the method of the performance plan's
// §2.2, no paint); and apply+tail+layout, that plus the tail rendering the
// handler scheduled for the next animation frame, with a layout forced
// after it. Chromium's own counters give the mean (task-ms/frame: all
// main-thread tasks, including garbage collection and anything the probe
// does not see). Each op checks that the page ends up
// with exactly the HTML of a full render.
//
//   - reply50k: the reply of BenchmarkChatStream50K (headings, long lists,
//     code, tables): the open block at the end, which the page renders
//     again at every frame, is often a whole list or table;
//   - paragraphs: 50 KB of short paragraphs, whose open block is always
//     small: what a frame costs on this machine when there is little to
//     render, for comparison.
func BenchmarkChatStreamBrowser(b *testing.B) {
	reply, _ := reply50k(b)
	var para strings.Builder
	for i := 0; para.Len() < len(reply); i++ {
		fmt.Fprintf(&para, "Paragraph %d of the comparison text: a few plain words.\n\n", i)
	}
	br := browsertest.New(b)
	for _, tc := range []struct{ name, text string }{{"reply50k", reply}, {"paragraphs", para.String()}} {
		b.Run(tc.name, func(b *testing.B) { browserStream(b, br, tc.text) })
	}
}

// What the browser benchmarks wait for: the page is connected and its chat
// is on it; the streamed message has ended.
const (
	benchPageOpen   = `document.documentElement.dataset.sheenState === "open" && !!document.querySelector("#chat .sheen-chat-input")`
	benchStreamDone = `document.querySelector("#chat .sheen-chat-msg[data-id]")?.dataset.status === "done"`
)

// serveBenchChat serves a page with one chat, 700 px high, until b ends.
// The chat of the first session arrives on chats; later sessions' chats
// (the replay pages) are not needed.
func serveBenchChat(b *testing.B) (*browsertest.Server, <-chan *chat.Chat) {
	chats := make(chan *chat.Chat, 1)
	page := sheen.Page("bench", chat.UI("chat", chat.Size("100%", "700px")))
	app := sheen.New(page, func(s *sheen.Session) {
		select {
		case chats <- chat.New(s, "chat"):
		default:
		}
	}, sheen.WithLogger(zap.NewNop()))
	return browsertest.ServeApp(b, app), chats
}

func browserStream(b *testing.B, br *browsertest.Browser, text string) {
	chunks := split(text, benchChunks)
	wantJS := mustJSON(b, markdown.New().RenderString(text))
	srv, chats := serveBenchChat(b)
	tab := br.Tab(b)
	tab.OnNewDocument(framesProbe)
	tab.Do(chromedp.Navigate(srv.URL + "/"))
	c := <-chats
	tab.Wait(benchPageOpen)
	tab.Do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, cdpperf.Enable, cdpperf.EnableParams{})
		return err
	}))
	metrics := func() map[string]float64 {
		m := map[string]float64{}
		tab.Do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			res, err := cdp.Call(ctx, t, cdpperf.GetMetrics, cdp.Empty{})
			for _, x := range res.Metrics {
				m[x.Name] = x.Value
			}
			return err
		}))
		return m
	}

	var handlers, laidOut, tails, totals []float64
	var task, script, layout float64
	var longTasks int
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		c.ClearMessages(chat.DropGreeting)
		tab.Wait(`!document.querySelector("#chat .sheen-chat-msg[data-id]")`)
		tab.JS(`__perf.reset()`)
		before := metrics()
		b.StartTimer()
		if _, err := c.AppendMessageStream(ctx, chunksAt(chunks, benchPace)).Wait(ctx); err != nil {
			b.Fatal(err)
		}
		tab.Wait(benchStreamDone)
		tab.JS(`new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))`)
		b.StopTimer()
		after := metrics()
		task += after["TaskDuration"] - before["TaskDuration"]
		script += after["ScriptDuration"] - before["ScriptDuration"]
		layout += after["LayoutDuration"] + after["RecalcStyleDuration"] - before["LayoutDuration"] - before["RecalcStyleDuration"]
		for _, r := range browsertest.Eval[[][4]float64](tab, `__perf.result()`) {
			handlers = append(handlers, r[0])
			laidOut = append(laidOut, r[1])
			totals = append(totals, r[1]+r[2])
			tails = append(tails, r[1]+r[3])
		}
		longTasks += browsertest.Eval[int](tab, `__perf.longTasks`)
		checkFullRender(b, tab, wantJS)
		b.StartTimer()
	}
	frames := float64(len(totals))
	slices.Sort(handlers)
	slices.Sort(laidOut)
	slices.Sort(tails)
	slices.Sort(totals)
	b.ReportMetric(frames/float64(b.N), "frames/op")
	b.ReportMetric(quantile(totals, 0.50), "p50-ms/frame")
	b.ReportMetric(quantile(totals, 0.99), "p99-ms/frame")
	b.ReportMetric(quantile(totals, 1), "max-ms/frame")
	b.ReportMetric(quantile(handlers, 0.50), "handler-p50-ms")
	b.ReportMetric(quantile(handlers, 0.99), "handler-p99-ms")
	b.ReportMetric(quantile(laidOut, 0.50), "apply+layout-p50-ms")
	b.ReportMetric(quantile(laidOut, 0.99), "apply+layout-p99-ms")
	b.ReportMetric(quantile(tails, 0.50), "apply+tail+layout-p50-ms")
	b.ReportMetric(quantile(tails, 0.99), "apply+tail+layout-p99-ms")
	b.ReportMetric(task*1000/frames, "task-ms/frame")
	b.ReportMetric(script*1000/frames, "script-ms/frame")
	b.ReportMetric(layout*1000/frames, "layout-ms/frame")
	b.ReportMetric(float64(longTasks)/float64(b.N), "long-tasks/op")
}

// BenchmarkChatReplayBrowser measures the client by the performance plan's
// §2.2 method, away from the live stream's timing: the update frames of one
// live stream of the text (recorded by framesProbe, untimed) are applied
// again on a fresh page in one synchronous loop, each through the page's
// own WebSocket message handler (JSON, the runtime, the chat's DOM work),
// then the tail rendering it scheduled for the next animation frame, run at
// once, then a forced layout; no paint. It reports the quantiles of those
// per-frame times. Each op checks that the page ends with exactly the HTML
// of a full render.
func BenchmarkChatReplayBrowser(b *testing.B) {
	reply, _ := reply50k(b)
	br := browsertest.New(b)
	b.Run("reply50k", func(b *testing.B) { browserReplay(b, br, reply) })
}

func browserReplay(b *testing.B, br *browsertest.Browser, text string) {
	wantJS := mustJSON(b, markdown.New().RenderString(text))
	srv, chats := serveBenchChat(b)

	// Record the frames of one live stream.
	rec := br.Tab(b)
	rec.OnNewDocument(framesProbe)
	rec.Do(chromedp.Navigate(srv.URL + "/"))
	c := <-chats
	rec.Wait(benchPageOpen)
	rec.JS(`__perf.recording = true`)
	ctx := context.Background()
	if _, err := c.AppendMessageStream(ctx, chunksAt(split(text, benchChunks), benchPace)).Wait(ctx); err != nil {
		b.Fatal(err)
	}
	rec.Wait(benchStreamDone)
	frames := browsertest.Eval[[]string](rec, `__perf.recorded`)
	rec.Close()

	tab := br.Tab(b)
	tab.OnNewDocument(framesProbe)
	replay := `__perf.replay(` + mustJSON(b, frames) + `)`
	// One replay first, untimed, as a warm-up: the first page of a new
	// browser is slower (caches empty, code not yet optimized), and the
	// live benchmark's page has streamed for seconds by its p99 frames.
	tab.Do(chromedp.Navigate(srv.URL + "/"))
	tab.Wait(benchPageOpen)
	browsertest.Eval[[]float64](tab, replay)
	var times []float64
	for b.Loop() {
		b.StopTimer()
		tab.Do(chromedp.Navigate(srv.URL + "/"))
		tab.Wait(benchPageOpen)
		b.StartTimer()
		times = append(times, browsertest.Eval[[]float64](tab, replay)...)
		b.StopTimer()
		tab.Wait(benchStreamDone)
		checkFullRender(b, tab, wantJS)
		b.StartTimer()
	}
	slices.Sort(times)
	b.ReportMetric(float64(len(times))/float64(b.N), "frames/op")
	b.ReportMetric(quantile(times, 0.50), "p50-ms/frame")
	b.ReportMetric(quantile(times, 0.99), "p99-ms/frame")
	b.ReportMetric(quantile(times, 1), "max-ms/frame")
}

// checkFullRender fails b unless the streamed message on the page holds
// exactly the HTML whose JSON string is wantJS (a full render of the
// text), copy buttons aside.
func checkFullRender(b *testing.B, tab *browsertest.Tab, wantJS string) {
	b.Helper()
	same := browsertest.Eval[bool](tab, `(() => {
		const c = document.querySelector("#chat .sheen-chat-log > .sheen-chat-msg[data-id] .sheen-chat-content").cloneNode(true);
		c.querySelectorAll(".sheen-chat-copy").forEach((b) => b.remove());
		const t = document.createElement("template");
		t.innerHTML = `+wantJS+`;
		return c.innerHTML === t.innerHTML;
	})()`)
	if !same {
		b.Fatal("the page's HTML differs from a full render of the text")
	}
}

func mustJSON(tb testing.TB, v any) string {
	tb.Helper()
	j, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(j)
}

// quantile returns the q-quantile of sorted values (nearest rank).
func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
