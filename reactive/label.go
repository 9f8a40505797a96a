package reactive

import (
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
)

// EffectOption configures an [Effect]: [Priority], [Suspended], [Once],
// [Label].
type EffectOption interface{ applyEffect(*Effect) }

// CalcOption configures a [Calc]: [Label].
type CalcOption interface{ applyCalc(*observer) }

type effectOption func(*Effect)

func (f effectOption) applyEffect(e *Effect) { f(e) }

// LabelOption is the option [Label] returns; it applies to calcs and effects.
type LabelOption string

// Label names a calc or an effect (Shiny's label=) in the errors, panic
// reports and runaway reports about it:
//
//	reactive: effect "render total" (app.go:42): <err>
//
// Without a label a report names the node by the file and line of its
// function, which is where it was created when the function is a literal.
func Label(name string) LabelOption { return LabelOption(name) }

func (l LabelOption) applyEffect(e *Effect) { e.obs.ext().label = string(l) }
func (l LabelOption) applyCalc(o *observer) { o.ext().label = string(l) }

// siteOf names a node by the code of fn instead of its own function: for the
// wrappers of events and Poll, so that reports point at the user's function.
type siteOf uintptr

func siteOfFunc(fn any) siteOf { return siteOf(reflect.ValueOf(fn).Pointer()) }

func (s siteOf) applyEffect(e *Effect) { e.obs.ext().pc = uintptr(s) }
func (s siteOf) applyCalc(o *observer) { o.ext().pc = uintptr(s) }

// describe names the node o, whose function is fn, as a report shows it:
// kind, the label if any, and the file and line of its function. It runs
// only when something is reported: nothing is resolved at creation.
func (o *observer) describe(kind string, fn any) string {
	var label string
	var pc uintptr
	if o.calls != nil {
		label, pc = o.calls.label, o.calls.pc
	}
	if pc == 0 && fn != nil {
		pc = reflect.ValueOf(fn).Pointer()
	}
	site := ""
	if f := runtime.FuncForPC(pc); f != nil {
		file, line := f.FileLine(f.Entry())
		site = fmt.Sprintf("%s:%d", filepath.Base(file), line)
	}
	switch {
	case label != "" && site != "":
		return fmt.Sprintf("%s %q (%s)", kind, label, site)
	case label != "":
		return fmt.Sprintf("%s %q", kind, label)
	case site != "":
		return fmt.Sprintf("%s (%s)", kind, site)
	}
	return kind
}

// labelPanic names the node where a panic happened in err, if err is a
// panic that no node claimed yet.
func labelPanic(err error, describe func() string) error {
	if pe, ok := err.(*PanicError); ok && pe.Label == "" {
		pe.Label = describe()
	}
	return err
}
