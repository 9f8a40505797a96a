package reactive_test

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/sheenhq/sheen/reactive"
)

// line returns "label_test.go:N" for the line after the one that calls it.
func line() string {
	_, _, n, _ := runtime.Caller(1)
	return fmt.Sprintf("label_test.go:%d", n+1)
}

// Every kind of report names the calc or effect it is about: by its label,
// and by the file and line of its function.
func TestLabelsInReports(t *testing.T) {
	g, errs := newGraph(t, reactive.WithRunLimit(3))
	boom := errors.New("boom")
	v := reactive.NewValue(g, 0)
	var failing, panicking, runaway, calcPanic, unlabeled, calcSite string
	g.Do(func() {
		failing = line()
		reactive.NewEffect(g, func() error { return boom }, reactive.Label("render total"))
		panicking = line()
		reactive.NewEffect(g, func() error { panic("oops") }, reactive.Label("panicky"))
		runaway = line()
		reactive.NewEffect(g, func() error { v.Set(v.Get() + 1); return nil }, reactive.Label("loop"))
		calcSite = line()
		c := reactive.NewCalc(g, func() (int, error) { panic("calc oops") }, reactive.Label("total"))
		calcPanic = line()
		reactive.NewEffect(g, func() error { _, err := c.Get(); return err }, reactive.Label("reader"))
		unlabeled = line()
		reactive.NewEffect(g, func() error { return boom })
	})
	got := errs.all()
	want := []string{
		`reactive: effect "render total" (` + failing + `): boom`,
		`reactive: panic in effect "panicky" (` + panicking + `): oops`,
		`reactive: effect "reader" (` + calcPanic + `): reactive: panic in calc "total" (` + calcSite + `): calc oops`,
		`reactive: effect (` + unlabeled + `): boom`,
		`reactive: effect "loop" (` + runaway + `): ` + reactive.ErrRunaway.Error(),
	}
	if len(got) != len(want) {
		t.Fatalf("reports = %q, want %d", got, len(want))
	}
	for i, w := range want {
		if got[i].Error() != w {
			t.Errorf("report %d = %q, want %q", i, got[i], w)
		}
	}
	if !errors.Is(got[0], boom) || !errors.Is(got[4], reactive.ErrRunaway) {
		t.Errorf("reports do not wrap their errors: %v", got)
	}
	var pe *reactive.PanicError
	if !errors.As(got[2], &pe) || !strings.Contains(pe.Label, `calc "total"`) {
		t.Errorf("calc panic = %#v, want a *PanicError labelled with the calc", got[2])
	}
}

// An event effect and Poll are named by the user's function, not by the
// wrappers around it.
func TestLabelOfEventEffectIsTheUsersFunction(t *testing.T) {
	g, errs := newGraph(t)
	v := reactive.NewValue(g, 1)
	site := line()
	reactive.NewEventEffect(g, reactive.On(v.Any), func() error { return errors.New("no") })
	got := errs.all()
	if len(got) != 1 || got[0].Error() != "reactive: effect ("+site+"): no" {
		t.Fatalf("reports = %q, want one naming %s", got, site)
	}
}
