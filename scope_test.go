package sheen_test

import (
	"bytes"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/internal/browsertest"
	"github.com/sheenhq/sheen/protocol"
)

// TestScopeRender: a scope's UI has its ids namespaced, live and in a
// snapshot; the snapshot holds the outputs' content and the inputs' values
// and binds nothing.
func TestScopeRender(t *testing.T) {
	r := newRig(t)
	c := r.mustDial()
	c.start(`{}`)
	s := r.session()
	sc := s.NewScope()
	p := strings.TrimSuffix(sc.ID("x"), "x")
	sc.Output("out", sheen.RenderText(func() (string, error) {
		return "n=" + strconv.Itoa(sc.Input("n").Int()), nil
	}))
	ui := sheen.Group(
		sheen.Slider("n", "N", 0, 10, 3),
		sheen.Radio("r", "R", sheen.Choices("a", "b"), "a"),
		sheen.TextOutput("out"),
	)
	var live bytes.Buffer
	if err := sc.UI(ui).Render(&live); err != nil {
		t.Fatal(err)
	}
	// The slider's built value reached the session: the output shows it.
	for text(nextAs[protocol.Update](c), p+"out") != "n=3" {
	}
	snap, err := sc.Snapshot(ui)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, html string
		want, not  []string
	}{
		{"live", live.String(),
			[]string{`id="` + p + `n"`, `data-sheen-input="` + p + `n"`, `for="` + p + `n"`, `name="` + p + `r"`,
				`aria-labelledby="` + p + `r-label"`, `data-sheen-output="` + p + `out"`},
			[]string{`id="n"`, `disabled`}},
		{"snapshot", string(snap),
			[]string{`id="` + p + `n"`, `disabled`, `>n=3</div>`, `value="3"`},
			[]string{`data-sheen-input`, `data-sheen-output`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, w := range tt.want {
				if !strings.Contains(tt.html, w) {
					t.Errorf("missing %s in\n%s", w, tt.html)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(tt.html, w) {
					t.Errorf("unexpected %s in\n%s", w, tt.html)
				}
			}
		})
	}
}

// TestScopeDispose: a page input reaches a scope's output; Dispose stops
// the output, forgets the inputs (a late value is dropped quietly), tells
// the page, and leaves the session's counts as they were; the render
// function is collected.
func TestScopeDispose(t *testing.T) {
	r := newRig(t)
	c := r.mustDial()
	c.start(`{}`)
	s := r.session()
	before := s.ScopeStats()

	sc := s.NewScope()
	collected := make(chan struct{})
	big := new([1 << 16]byte)
	runtime.AddCleanup(big, func(ch chan struct{}) { close(ch) }, collected)
	keep := big // only the render function holds it
	sc.Output("out", sheen.RenderText(func() (string, error) {
		_ = keep[0]
		return "v=" + sc.Input("t").Text(), nil
	}))
	observed := 0
	sc.Observe(func() error { observed++; _ = sc.Input("t").IsSet(); return nil })
	big = nil
	if st := s.ScopeStats(); st.Scopes != before.Scopes+1 || st.Effects != 2 {
		t.Fatalf("stats with a scope = %+v (before %+v)", st, before)
	}
	c.send(`{"type":"input","n":1,"values":{"` + sc.ID("t") + `":"hi","` + sc.ID("extra") + `":1}}`)
	for {
		u := nextAs[protocol.Update](c)
		if text(u, sc.ID("out")) == "v=hi" {
			break
		}
	}
	sc.Dispose()
	sc.Dispose() // twice is fine
	u := nextAs[protocol.Update](c)
	for _, id := range []string{sc.ID("out"), sc.ID("t"), sc.ID("extra")} {
		if !slices.Contains(u.Forget, id) {
			t.Errorf("forget %v lacks %s", u.Forget, id)
		}
	}
	if st := s.ScopeStats(); st != before {
		t.Errorf("stats after Dispose = %+v, want %+v", st, before)
	}
	// A late value for the removed input: dropped, no error frame, no new input.
	c.send(`{"type":"input","n":2,"values":{"` + sc.ID("t") + `":"late"}}`)
	c.send(`{"type":"ping","seq":0}`)
	for m := c.next(); m.Type() != protocol.TypePong; m = c.next() {
		if u, ok := m.(protocol.Update); !ok || len(u.Outputs) > 0 {
			b, _ := m.MarshalJSON()
			t.Errorf("after a late input: %s, want an ack and the pong", b)
		}
	}
	if st := s.ScopeStats(); st != before {
		t.Errorf("stats after a late input = %+v, want %+v", st, before)
	}
	sc.Output("again", sheen.RenderText(func() (string, error) { return "", nil }))
	if sc.Input("late").IsSet() {
		t.Error("an input of a disposed scope is set")
	}
	if st := s.ScopeStats(); st != before {
		t.Errorf("an output bound after Dispose counts: %+v", st)
	}
	deadline := time.Now().Add(browsertest.Timeout)
	for {
		runtime.GC()
		select {
		case <-collected:
			return
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the disposed output's render function was not collected")
		}
		time.Sleep(10 * time.Millisecond) // between collections: the cleanup runs on its own goroutine
	}
}
