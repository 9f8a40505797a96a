package reactive

import "reflect"

// A Trigger is read by an event-bound calc or effect to decide when it runs.
// The method values v.Any of a [Value] and c.Any of a [Calc] are Triggers.
type Trigger func() any

// None is implemented by trigger values that can be "none" even though they are
// not nil, such as a button that was never clicked.
type None interface{ IsNone() bool }

// Event binds a calc or effect to triggers (Shiny's @reactive.event, R's
// bindEvent): the triggers are read reactively, and the body runs isolated,
// so the calc or effect runs again only when a trigger changes. Build one
// with [On].
type Event struct {
	triggers   []Trigger
	allowNone  bool
	ignoreInit bool
}

// On returns an Event on the given triggers. By default the body does not run
// while every trigger is none (nil, a nil pointer, map, slice, func, channel or
// interface, or a [None] reporting true); see [Event.AllowNone]. On panics if
// it is given no trigger.
func On(triggers ...Trigger) Event {
	if len(triggers) == 0 {
		panic("reactive.On: at least one trigger is required")
	}
	return Event{triggers: triggers}
}

// AllowNone makes the body run even when every trigger is none (Shiny's
// ignore_none=False).
func (ev Event) AllowNone() Event { ev.allowNone = true; return ev }

// IgnoreInit skips the first run: the body runs only after a trigger changes
// (Shiny's ignore_init=True).
func (ev Event) IgnoreInit() Event { ev.ignoreInit = true; return ev }

// wrap returns fn bound to the event.
func (ev Event) wrap(g *Graph, fn func() error) func() error {
	initialized := false
	return func() error {
		allNone := true
		for _, t := range ev.triggers {
			if !isNone(t()) {
				allNone = false
			}
		}
		if ev.ignoreInit && !initialized {
			initialized = true
			return ErrSilent
		}
		if allNone && !ev.allowNone {
			return ErrSilent
		}
		var err error
		g.Isolate(func() { err = fn() })
		return err
	}
}

func isNone(v any) bool {
	if v == nil {
		return true
	}
	if n, ok := v.(None); ok {
		return n.IsNone()
	}
	switch r := reflect.ValueOf(v); r.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface:
		return r.IsNil()
	}
	return false
}

// NewEventEffect returns an effect that runs fn, isolated, when the event's
// triggers change.
func NewEventEffect(g *Graph, on Event, fn func() error, opts ...EffectOption) *Effect {
	opts = append([]EffectOption{siteOfFunc(fn)}, opts...)
	return NewEffect(g, on.wrap(g, fn), opts...)
}

// NewEventCalc returns a calc that computes fn, isolated, when the event's
// triggers change. While the event holds it back (none, or the ignored first
// run) the calc's error is a silent stop.
func NewEventCalc[T any](g *Graph, on Event, fn func() (T, error), opts ...CalcOption) *Calc[T] {
	var v T
	body := on.wrap(g, func() error {
		var err error
		v, err = fn()
		return err
	})
	return NewCalc(g, func() (T, error) {
		var zero T
		v = zero
		if err := body(); err != nil {
			return zero, err
		}
		return v, nil
	}, append([]CalcOption{siteOfFunc(fn)}, opts...)...)
}
