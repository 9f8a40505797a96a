package sheen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/sheenhq/sheen/protocol"
	"github.com/sheenhq/sheen/reactive"
)

// A Scope is a part of a session's UI that comes and goes as a unit: the UI
// inside one chat message, say. Its inputs and outputs have ids of their
// own, namespaced so that two scopes (two messages holding the same widget)
// never collide: a local id "n" is the page id [Scope.ID]("n"). Dispose
// removes everything it holds — its outputs' effects, its observers, its
// inputs' values, and what the page keeps for them — so a removed message
// leaves nothing behind.
//
// Build the scope's UI with the usual builders and local ids, and place it
// with [Scope.UI], which namespaces the ids as it renders; read it with
// [Scope.Input] and bind its outputs with [Scope.Output]:
//
//	sc := s.NewScope()
//	sc.Output("out", sheen.RenderText(func() (string, error) {
//		return fmt.Sprint(sc.Input("n").Int() * 2), nil
//	}))
//	ui := sc.UI(sheen.Group(sheen.Slider("n", "N", 0, 10, 3), sheen.TextOutput("out")))
//
// Namespacing covers the nodes built by this package (El, the builders,
// Group): a Node type of your own, or [TrustedHTML], is written as is.
//
// Page ids of the form "ui<number>_…" are reserved for scopes. The methods
// are safe to call from any goroutine.
type Scope struct {
	s      *Session
	prefix string // "ui<n>_"
	gone   atomic.Bool

	// Turn-owned.
	outputs   map[string]*reactive.Effect // by page id
	last      map[string]protocol.Output  // by page id: what each output shows
	inputs    map[string]bool             // page ids declared with Input
	effects   []*reactive.Effect
	onChange  []func()
	onDispose []func()
}

// NewScope returns a new, empty scope of the session.
func (s *Session) NewScope() *Scope {
	sc := &Scope{s: s, outputs: map[string]*reactive.Effect{}, last: map[string]protocol.Output{}, inputs: map[string]bool{}}
	s.g.Do(func() {
		s.scopeN++
		sc.prefix = "ui" + strconv.Itoa(s.scopeN) + "_"
		if s.scopes == nil {
			s.scopes = map[string]*Scope{}
		}
		s.scopes[sc.prefix] = sc
	})
	return sc
}

// Session returns the scope's session.
func (sc *Scope) Session() *Session { return sc.s }

// ID returns the page id of the scope's local id.
func (sc *Scope) ID(local string) string { return sc.prefix + local }

// Disposed reports whether [Scope.Dispose] was called.
func (sc *Scope) Disposed() bool { return sc.gone.Load() }

// Input returns the scope's input with the given local id (see
// [Session.Input]). The session accepts values for it from the page until
// the scope is disposed.
func (sc *Scope) Input(local string) *Input {
	id := sc.ID(local)
	in := &Input{s: sc.s, id: id}
	sc.s.g.Do(func() {
		if sc.gone.Load() {
			// A disposed scope's input: never set, and not kept by the session.
			in.v = reactive.NewValue(sc.s.g, "")
			in.v.Unset()
			return
		}
		in.v = sc.s.input(id)
		sc.inputs[id] = true
	})
	return in
}

// Output binds the scope's output with the given local id to r (see
// [Session.Output]). The scope keeps what it shows for [Scope.Snapshot].
// On a disposed scope it does nothing.
func (sc *Scope) Output(local string, r Render) {
	id := sc.ID(local)
	sc.s.g.Do(func() {
		if sc.gone.Load() {
			return
		}
		if old := sc.outputs[id]; old != nil {
			old.Destroy()
		}
		sc.outputs[id] = sc.s.outputEffect(id, r, func(o protocol.Output) {
			if o.Busy != nil && o.HTML == nil && o.Text == nil && o.Error == "" {
				return // busy alone: the content stays
			}
			sc.last[id] = o
			for _, fn := range sc.onChange {
				fn()
			}
		})
	})
}

// Observe runs fn now and again whenever something it read changes, like
// [reactive.NewEffect], until the scope is disposed.
func (sc *Scope) Observe(fn func() error) {
	sc.s.g.Do(func() {
		if !sc.gone.Load() {
			sc.effects = append(sc.effects, reactive.NewEffect(sc.s.g, fn))
		}
	})
}

// UpdateInput changes the scope's input with the given local id on the page
// (see [Session.UpdateInput]).
func (sc *Scope) UpdateInput(local string, changes ...InputChange) error {
	return sc.s.UpdateInput(sc.ID(local), changes...)
}

// OnChange registers fn to run, in the session's reactive code, after any of
// the scope's outputs shows something new: the moment to take a new
// [Scope.Snapshot].
func (sc *Scope) OnChange(fn func()) {
	sc.s.g.Do(func() { sc.onChange = append(sc.onChange, fn) })
}

// OnDispose registers fn to run when the scope is disposed (at once if it
// already was).
func (sc *Scope) OnDispose(fn func()) {
	sc.s.g.Do(func() {
		if sc.gone.Load() {
			fn()
			return
		}
		sc.onDispose = append(sc.onDispose, fn)
	})
}

// Dispose removes the scope: its outputs and observers stop for good, its
// inputs are forgotten (values the page sends for them later are refused),
// the page is told to forget them too, and the OnDispose functions run.
// Safe to call more than once; the session's end disposes its scopes.
func (sc *Scope) Dispose() {
	sc.s.g.Do(sc.dispose)
}

// dispose is Dispose. Turn.
func (sc *Scope) dispose() {
	if sc.gone.Swap(true) {
		return
	}
	s := sc.s
	forget := make([]string, 0, len(sc.outputs)+len(sc.inputs))
	for id, e := range sc.outputs {
		e.Destroy()
		if s.outputs[id] == e {
			delete(s.outputs, id)
		}
		delete(s.pending.Outputs, id)
		forget = append(forget, id)
	}
	for _, e := range sc.effects {
		e.Destroy()
	}
	// Every input with the scope's prefix: those declared and those the
	// page sent that the app never read (counted among the dynamic ones).
	for id := range s.inputs {
		if strings.HasPrefix(id, sc.prefix) {
			delete(s.inputs, id)
			delete(s.pending.Inputs, id)
			if !sc.inputs[id] && !s.app.pageInputs[id] && s.dynamic > 0 {
				s.dynamic--
			}
			forget = append(forget, id)
		}
	}
	sc.outputs, sc.last, sc.inputs, sc.effects, sc.onChange = nil, nil, nil, nil, nil
	delete(s.scopes, sc.prefix)
	if len(forget) > 0 {
		s.pending.Forget = append(s.pending.Forget, forget...)
		s.dirty = true
	}
	hooks := sc.onDispose
	sc.onDispose = nil
	for _, fn := range hooks {
		s.g.Isolate(fn)
	}
}

// UI returns node as a part of the scope: rendered with its ids (id, for,
// name, data-sheen-input, data-sheen-output, data-sheen-label-for and the
// aria-… references) namespaced. Rendering it also gives the scope's inputs
// that the page has not sent yet the values they were built with (text,
// number, slider, checkbox), so that the outputs that read them are right
// from the start.
func (sc *Scope) UI(node Node) Node { return scopedNode{sc: sc, node: node} }

// Snapshot renders node as a static picture of the scope as it is now: ids
// namespaced, each output holding what it shows, each input holding its
// current value (text, number, slider) and disabled, and nothing bound to
// the session (no data-sheen-input, data-sheen-output or component
// attributes). A snapshot is inert HTML, fit to keep after the scope is
// gone. It runs in the session's reactive code; after the session ended it
// shows the outputs as they were last.
func (sc *Scope) Snapshot(node Node) (TrustedHTML, error) {
	r := &scopeRender{prefix: sc.prefix, static: true, outputs: map[string]protocol.Output{}, values: map[string]string{}}
	read := func() {
		for id, o := range sc.last {
			r.outputs[id] = o
		}
		for id, v := range sc.s.inputs {
			if strings.HasPrefix(id, sc.prefix) {
				if raw, ok := v.PeekLookup(); ok {
					r.values[id] = raw
				}
			}
		}
	}
	if sc.s.g.InTurn() {
		read()
	} else {
		sc.s.g.Do(read)
	}
	var b bytes.Buffer
	hw := &htmlWriter{w: &b, sc: r}
	if node != nil {
		if err := node.Render(hw); err != nil {
			return "", err
		}
	}
	return TrustedHTML(b.String()), hw.err
}

type scopedNode struct {
	sc   *Scope
	node Node
}

func (n scopedNode) Render(w io.Writer) error {
	if n.node == nil {
		return nil
	}
	r := &scopeRender{prefix: n.sc.prefix}
	hw := &htmlWriter{w: w, sc: r}
	err := n.node.Render(hw)
	if err == nil {
		err = hw.err
	}
	if len(r.seeds) > 0 {
		n.sc.seed(r.seeds)
	}
	return err
}

// seed gives the scope's unset inputs the values they were built with.
func (sc *Scope) seed(seeds map[string]string) {
	sc.s.g.Do(func() {
		if sc.gone.Load() {
			return
		}
		for id, raw := range seeds {
			v := sc.s.input(id)
			sc.inputs[id] = true
			if !v.IsSet() {
				v.Set(raw)
			}
		}
	})
}

// scopeRender is how a scope's UI renders: its prefix and, for a snapshot,
// what its outputs and inputs hold.
type scopeRender struct {
	prefix  string
	static  bool
	outputs map[string]protocol.Output // static: by page id
	values  map[string]string          // static: the inputs' JSON values, by page id
	seeds   map[string]string          // live: the values inputs were built with
}

// scopedAttrs are the attributes that hold ids (or lists of them).
var scopedAttrs = map[string]bool{
	"id": true, "for": true, "name": true, "list": true, "form": true, "headers": true,
	"data-sheen-input": true, "data-sheen-output": true, "data-sheen-label-for": true,
	"aria-labelledby": true, "aria-describedby": true, "aria-controls": true, "aria-owns": true,
}

// bindingAttrs bind an element to the session: a snapshot leaves them out.
var bindingAttrs = map[string]bool{"data-sheen-input": true, "data-sheen-output": true, "data-sheen-component": true}

func (r *scopeRender) ids(v string) string {
	f := strings.Fields(v)
	for i, id := range f {
		f[i] = r.prefix + id
	}
	return strings.Join(f, " ")
}

// renderScoped is element.render inside a scope's UI.
func (e *element) renderScoped(hw *htmlWriter) error {
	r := hw.sc
	lower := strings.ToLower(e.name)
	input, _ := e.attr("data-sheen-input")
	output, isOutput := e.attr("data-sheen-output")
	kind, _ := e.attr("data-sheen-kind")
	inputID := ""
	if input != "" {
		inputID = r.prefix + input
	}
	hw.WriteString("<")
	hw.WriteString(e.name)
	for _, a := range e.attrs {
		name := strings.ToLower(a.name)
		if r.static && bindingAttrs[name] {
			continue
		}
		if r.static && inputID != "" && name == "value" {
			if v, ok := shownValue(kind, r.values[inputID]); ok {
				a.value = v
			}
		}
		if scopedAttrs[name] && !a.boolean {
			a.value = r.ids(a.value)
		}
		a.write(hw)
	}
	if r.static && (lower == "input" || lower == "select" || lower == "textarea" || lower == "button") {
		if _, ok := e.attr("disabled"); !ok {
			hw.WriteString(" disabled")
		}
	}
	hw.WriteString(">")
	if !r.static && inputID != "" {
		if raw, ok := builtValue(e, kind); ok {
			if r.seeds == nil {
				r.seeds = map[string]string{}
			}
			r.seeds[inputID] = raw
		}
	}
	if voidElements[lower] {
		return hw.err
	}
	if r.static && isOutput {
		if o, ok := r.outputs[r.prefix+output]; ok {
			switch {
			case o.HTML != nil:
				hw.WriteString(*o.HTML)
			case o.Text != nil:
				escaper.WriteString(hw, *o.Text)
			default:
				escaper.WriteString(hw, o.Error)
			}
		}
		hw.WriteString("</" + e.name + ">")
		return hw.err
	}
	if r.static && lower == "output" {
		if f, ok := e.attr("for"); ok {
			if v, ok := shownValue("slider", r.values[r.prefix+f]); ok {
				escaper.WriteString(hw, v)
				hw.WriteString("</output>")
				return hw.err
			}
		}
	}
	return e.renderBody(hw, lower)
}

// builtValue is the JSON value an input element was built with, for the
// kinds whose value is in its attributes.
func builtValue(e *element, kind string) (string, bool) {
	switch kind {
	case "slider", "number":
		v, ok := e.attr("value")
		if !ok {
			return "", false
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return "", false
		}
		s, err := formatNumber(f)
		return s, err == nil
	case "text":
		v, _ := e.attr("value")
		b, _ := json.Marshal(v)
		return string(b), true
	case "checkbox":
		_, ok := e.attr("checked")
		return strconv.FormatBool(ok), true
	}
	return "", false
}

// shownValue is an input's JSON value as its value attribute shows it.
func shownValue(kind, raw string) (string, bool) {
	if raw == "" {
		return "", false
	}
	switch kind {
	case "slider", "number":
		var f float64
		if json.Unmarshal([]byte(raw), &f) != nil {
			return "", false
		}
		s, err := formatNumber(f)
		return s, err == nil
	case "text":
		var s string
		return s, json.Unmarshal([]byte(raw), &s) == nil
	}
	return "", false
}

// deadScope reports whether id belongs to a scope that is gone (or never
// was): "ui<n>_…" with n a scope made and disposed, or not made yet. Turn.
func (s *Session) deadScope(id string) bool {
	if !strings.HasPrefix(id, "ui") {
		return false
	}
	i := strings.IndexByte(id, '_')
	if i < 3 {
		return false
	}
	if _, err := strconv.Atoi(id[2:i]); err != nil {
		return false
	}
	return s.scopes[id[:i+1]] == nil && !s.app.pageInputs[id]
}

// ScopeStats counts what a session's scopes hold, for tests and leak checks.
type ScopeStats struct {
	Scopes  int // not disposed
	Outputs int // the outputs bound with Session.Output (a scope's are among Effects)
	Inputs  int // the session's input values
	Effects int // the scopes' outputs and observers
}

// ScopeStats returns what the session's scopes hold now.
func (s *Session) ScopeStats() ScopeStats {
	var st ScopeStats
	s.g.Do(func() {
		st.Scopes = len(s.scopes)
		st.Outputs = len(s.outputs)
		st.Inputs = len(s.inputs)
		for _, sc := range s.scopes {
			st.Effects += len(sc.outputs) + len(sc.effects)
		}
	})
	return st
}

func (sc *Scope) String() string {
	return fmt.Sprintf("sheen.Scope(%s)", strings.TrimSuffix(sc.prefix, "_"))
}
