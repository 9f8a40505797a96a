package pagetest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/sheenhq/sheen/protocol"
)

// waitFor is how long a wait lasts before it fails the test.
const waitFor = 20 * time.Second

// Page is one page load: a WebSocket to a sheen server, speaking for one
// component. Its methods are for the test's goroutine (one at a time);
// they fail the test (t.Fatalf) when something goes wrong.
type Page struct {
	t      testing.TB
	target string
	ws     *websocket.Conn
	n      uint64 // the last event number sent
	view   View
	taken  int // messages taken by the test
	shown  int // notices taken by the test
	done   chan struct{}

	mu      sync.Mutex
	msgs    []protocol.Message // the target's messages, as received
	notices []protocol.Notice
	more    chan struct{} // closed, and replaced, when msgs or notices grow
	closed  bool          // the read loop has ended, because of err
	err     error
}

// Open connects a page to the sheen app at base (its http:// or https://
// URL), sends the hello and the event "ready" to target, as a component
// does when it is mounted, and starts reading. The page is closed when the
// test ends.
func Open(t testing.TB, base, target string) *Page {
	t.Helper()
	u, err := url.Parse(strings.TrimSuffix(base, "/") + "/_sheen/ws")
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		t.Fatalf("pagetest: base %q is not an http(s) URL", base)
		return nil
	}
	u.Scheme = strings.Replace(u.Scheme, "http", "ws", 1)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, u.String(), nil)
	if err != nil {
		t.Fatalf("pagetest: %v", err)
		return nil
	}
	ws.SetReadLimit(-1) // frames of any size, as a browser takes them
	p := &Page{t: t, target: target, ws: ws, done: make(chan struct{}), more: make(chan struct{})}
	hello, _ := protocol.Hello{V: protocol.Version, Inputs: map[string]json.RawMessage{}}.MarshalJSON()
	if err := ws.Write(ctx, websocket.MessageText, hello); err != nil {
		_ = ws.CloseNow()
		t.Fatalf("pagetest: hello: %v", err)
		return nil
	}
	go p.read()
	t.Cleanup(func() {
		_ = ws.CloseNow()
		<-p.done
	})
	p.Send("ready", nil)
	return p
}

// Close closes the page's connection at once, as a closed tab does, and
// waits for its read loop to end.
func (p *Page) Close() {
	_ = p.ws.CloseNow()
	<-p.done
}

// read receives frames until the connection ends: it checks them and
// queues the target's messages and the notices.
func (p *Page) read() {
	defer close(p.done)
	var last uint64
	welcomed := false
	err := func() error {
		for {
			_, data, err := p.ws.Read(context.Background())
			if err != nil {
				return err
			}
			m, err := protocol.DecodeServer(data)
			if err != nil {
				p.t.Errorf("pagetest: bad server frame: %v: %.200s", err, data)
				return err
			}
			switch m := m.(type) {
			case protocol.Welcome:
				last, welcomed = m.Seq, true
			case protocol.Update:
				if !welcomed {
					p.t.Errorf("pagetest: update %d before the welcome", m.Seq)
				} else if m.Seq != last+1 {
					p.t.Errorf("pagetest: update seq %d after %d", m.Seq, last)
				}
				last = m.Seq
				p.queue(m)
			case protocol.Error:
				p.t.Errorf("pagetest: the server reports %s: %s", m.Code, m.Message)
			}
		}
	}()
	p.mu.Lock()
	p.closed, p.err = true, err
	close(p.more)
	p.mu.Unlock()
}

// queue adds u's notices and the target's messages.
func (p *Page) queue(u protocol.Update) {
	p.mu.Lock()
	defer p.mu.Unlock()
	grew := len(u.Notices) > 0
	p.notices = append(p.notices, u.Notices...)
	for _, m := range u.Messages {
		if m.Target == p.target {
			p.msgs = append(p.msgs, m)
			grew = true
		}
	}
	if grew {
		close(p.more)
		p.more = make(chan struct{})
	}
}

// Send sends the event name with data (encoded as JSON; nil for none) to
// the page's component.
func (p *Page) Send(name string, data any) {
	p.t.Helper()
	var raw json.RawMessage
	if data != nil {
		var err error
		if raw, err = json.Marshal(data); err != nil {
			p.t.Fatalf("pagetest: event %q: %v", name, err)
			return
		}
	}
	p.n++
	frame, err := protocol.Event{N: p.n, Target: p.target, Name: name, Data: raw}.MarshalJSON()
	if err != nil {
		p.t.Fatalf("pagetest: event %q: %v", name, err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := p.ws.Write(ctx, websocket.MessageText, frame); err != nil {
		p.t.Fatalf("pagetest: event %q: %v", name, err)
	}
}

// Submit sends the event "submit" with text, as a chat's send button does.
func (p *Page) Submit(text string) { p.Send("submit", map[string]string{"text": text}) }

// Wait takes the component's messages in order, applying each to the
// [View], up to the first for which ok returns true (after it was
// applied), and returns it. It fails the test, saying it waited for what,
// if none comes.
func (p *Page) Wait(what string, ok func(protocol.Message) bool) protocol.Message {
	p.t.Helper()
	timer := time.NewTimer(waitFor)
	defer timer.Stop()
	var seen []string // the names of the messages taken, the last few
	n := 0
	for {
		m, err := take(p, &p.msgs, &p.taken, timer.C)
		if err != nil {
			took := "took no messages"
			if n > 0 {
				took = fmt.Sprintf("took %d messages, the last: %s", n, strings.Join(seen, " "))
			}
			p.t.Fatalf("pagetest: waited in vain for %s (%v); %s", what, err, took)
			return protocol.Message{}
		}
		if err := p.view.Apply(m); err != nil {
			p.t.Fatalf("%v (while waiting for %s)", err, what)
			return protocol.Message{}
		}
		if n++; len(seen) == 10 {
			seen = append(seen[:0], seen[1:]...)
		}
		seen = append(seen, m.Name)
		if ok(m) {
			return m
		}
	}
}

// Next takes messages up to the first named name and returns its data,
// decoded (nil when it has none).
func (p *Page) Next(name string) map[string]any {
	p.t.Helper()
	m := p.Wait(fmt.Sprintf("a %q message", name), func(m protocol.Message) bool { return m.Name == name })
	var d map[string]any
	if len(m.Data) > 0 {
		if err := json.Unmarshal(m.Data, &d); err != nil {
			p.t.Fatalf("pagetest: %q message: %v: %s", name, err, m.Data)
		}
	}
	return d
}

// Until takes messages up to and including the first named name and
// returns them.
func (p *Page) Until(name string) []protocol.Message {
	p.t.Helper()
	var out []protocol.Message
	p.Wait(fmt.Sprintf("a %q message", name), func(m protocol.Message) bool {
		out = append(out, m)
		return m.Name == name
	})
	return out
}

// Idle takes messages up to a "busy" message that says the chat is not
// busy.
func (p *Page) Idle() {
	p.t.Helper()
	p.Wait("the chat to be idle", func(m protocol.Message) bool {
		var d struct {
			Busy *bool `json:"busy"`
		}
		return m.Name == "busy" && json.Unmarshal(m.Data, &d) == nil && d.Busy != nil && !*d.Busy
	})
}

// Notice takes the next notice the page received.
func (p *Page) Notice() protocol.Notice {
	p.t.Helper()
	timer := time.NewTimer(waitFor)
	defer timer.Stop()
	n, err := take(p, &p.notices, &p.shown, timer.C)
	if err != nil {
		p.t.Fatalf("pagetest: waited in vain for a notice (%v)", err)
	}
	return n
}

// Notices returns every notice the page has received so far, taken or not.
func (p *Page) Notices() []protocol.Notice {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.notices)
}

// Ended is closed when the page's connection has ended.
func (p *Page) Ended() <-chan struct{} { return p.done }

// View returns the page's view of the component: the messages taken so
// far, applied.
func (p *Page) View() *View { return &p.view }

// Received returns every message the page has received for its component
// so far, taken or not.
func (p *Page) Received() []protocol.Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.msgs)
}

// take returns the next item of a queue of p (*q, of which *taken are
// taken), waiting for one until timeout fires or the connection ends.
func take[T any](p *Page, q *[]T, taken *int, timeout <-chan time.Time) (T, error) {
	var zero T
	for {
		p.mu.Lock()
		if *taken < len(*q) {
			x := (*q)[*taken]
			*taken++
			p.mu.Unlock()
			return x, nil
		}
		closed, err, more := p.closed, p.err, p.more
		p.mu.Unlock()
		if closed {
			return zero, fmt.Errorf("the connection closed: %w", err)
		}
		select {
		case <-more:
		case <-timeout:
			return zero, fmt.Errorf("nothing in %v", waitFor)
		}
	}
}
