package chat_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"
	"go.uber.org/zap"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/protocol"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// page is a Go stand-in for the browser: it speaks the protocol to a real
// App over a real WebSocket on 127.0.0.1 and records what the chat receives.
type page struct {
	t       *testing.T
	ws      *websocket.Conn
	n       uint64
	msgs    chan protocol.Message
	notices chan protocol.Notice
	done    chan struct{}
	all     []protocol.Message
	mu      sync.Mutex
}

// serve starts app on 127.0.0.1 and returns its base URL; the app is shut
// down when the test ends.
func serve(t *testing.T, app *sheen.App) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: app}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = app.Shutdown(ctx)
		_ = srv.Shutdown(ctx)
	})
	return "http://" + l.Addr().String()
}

// newApp builds an app with one chat and the test's server function.
func newApp(t *testing.T, server func(s *sheen.Session), opts ...sheen.Option) string {
	t.Helper()
	page := sheen.Page("chat test", chat.UI("chat"))
	opts = append([]sheen.Option{sheen.WithLogger(zap.NewNop())}, opts...)
	return serve(t, sheen.New(page, server, opts...))
}

func open(t *testing.T, base string) *page {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, strings.Replace(base, "http", "ws", 1)+"/_sheen/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	ws.SetReadLimit(1 << 24)
	p := &page{t: t, ws: ws, msgs: make(chan protocol.Message, 4096), notices: make(chan protocol.Notice, 64), done: make(chan struct{})}
	hello, _ := protocol.Hello{V: protocol.Version, Inputs: map[string]json.RawMessage{}}.MarshalJSON()
	if err := ws.Write(ctx, websocket.MessageText, hello); err != nil {
		t.Fatal(err)
	}
	go p.read()
	t.Cleanup(func() {
		_ = ws.CloseNow()
		<-p.done
	})
	p.send("ready", nil)
	return p
}

func (p *page) read() {
	defer close(p.done)
	var last uint64
	for {
		_, data, err := p.ws.Read(context.Background())
		if err != nil {
			return
		}
		m, err := protocol.DecodeServer(data)
		if err != nil {
			p.t.Errorf("bad server frame: %v: %s", err, data)
			return
		}
		if u, ok := m.(protocol.Update); ok {
			if u.Seq != last+1 {
				p.t.Errorf("update seq %d after %d", u.Seq, last)
			}
			last = u.Seq
			for _, n := range u.Notices {
				p.notices <- n
			}
			for _, msg := range u.Messages {
				if msg.Target == "chat" {
					p.mu.Lock()
					p.all = append(p.all, msg)
					p.mu.Unlock()
					p.msgs <- msg
				}
			}
		}
	}
}

func (p *page) send(name string, data any) {
	p.t.Helper()
	raw, _ := json.Marshal(data)
	if data == nil {
		raw = nil
	}
	p.n++
	frame, _ := protocol.Event{N: p.n, Target: "chat", Name: name, Data: raw}.MarshalJSON()
	if err := p.ws.Write(context.Background(), websocket.MessageText, frame); err != nil {
		p.t.Fatal(err)
	}
}

func (p *page) submit(text string) { p.send("submit", map[string]string{"text": text}) }

// next returns the next chat message with the given name, skipping others.
func (p *page) next(name string) map[string]any {
	p.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case m := <-p.msgs:
			if m.Name == name {
				var d map[string]any
				_ = json.Unmarshal(m.Data, &d)
				return d
			}
		case <-timeout:
			p.t.Fatalf("no %q message arrived", name)
		}
	}
}

// until collects messages up to and including the first with the given
// name.
func (p *page) until(name string) []protocol.Message {
	p.t.Helper()
	var out []protocol.Message
	timeout := time.After(10 * time.Second)
	for {
		select {
		case m := <-p.msgs:
			out = append(out, m)
			if m.Name == name {
				return out
			}
		case <-timeout:
			p.t.Fatalf("no %q message arrived; got %v", name, names(out))
		}
	}
}

// idle waits until the chat reports it is not busy.
func (p *page) idle() {
	p.t.Helper()
	for {
		d := p.next("busy")
		if d["busy"] == false {
			return
		}
	}
}

func (p *page) notice() protocol.Notice {
	p.t.Helper()
	select {
	case n := <-p.notices:
		return n
	case <-time.After(10 * time.Second):
		p.t.Fatal("no notice arrived")
	}
	return protocol.Notice{}
}

func names(ms []protocol.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Name)
	}
	return out
}

// text is the visible text of rendered HTML, roughly (tags dropped).
func text(html string) string {
	var b strings.Builder
	in := false
	for _, r := range html {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

// view applies start/patch/append messages like the page does and returns
// each message's final HTML in order.
type view struct {
	order  []string
	blocks map[string][]string
	tail   map[string]string
	status map[string]string
}

func newView() *view {
	return &view{blocks: map[string][]string{}, tail: map[string]string{}, status: map[string]string{}}
}

func (v *view) apply(t *testing.T, m protocol.Message) {
	var d struct {
		Message struct {
			ID   string `json:"id"`
			HTML string `json:"html"`
		} `json:"message"`
		ID     string `json:"id"`
		Status string `json:"status"`
		Answer struct {
			From   int      `json:"from"`
			Keep   int      `json:"keep"`
			Blocks []string `json:"blocks"`
			Tail   string   `json:"tail"`
		} `json:"answer"`
	}
	if err := json.Unmarshal(m.Data, &d); err != nil {
		t.Fatal(err)
	}
	switch m.Name {
	case "append", "start":
		v.order = append(v.order, d.Message.ID)
		v.blocks[d.Message.ID] = nil
		v.tail[d.Message.ID] = d.Message.HTML
	case "patch":
		a := d.Answer
		b := v.blocks[d.ID]
		if a.From < len(b) {
			b = b[:a.From]
		}
		prevTail := v.tail[d.ID]
		pieces := append(append([]string{}, a.Blocks...), a.Tail)
		if a.Keep > 0 {
			// Keep counts UTF-16 units; the tests use ASCII.
			pieces[0] = prevTail[:a.Keep] + pieces[0]
		}
		b = append(b, pieces[:len(pieces)-1]...)
		v.blocks[d.ID] = b
		v.tail[d.ID] = pieces[len(pieces)-1]
	case "end":
		v.status[d.ID] = d.Status
	}
}

func (v *view) html(id string) string { return strings.Join(v.blocks[id], "") + v.tail[id] }

func (v *view) texts() []string {
	var out []string
	for _, id := range v.order {
		out = append(out, text(v.html(id)))
	}
	return out
}

func fmtMsgs(ms []chat.Message) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "[%s %s %q %s] ", m.Role, m.ContentType, m.Content, m.Status)
	}
	return b.String()
}
