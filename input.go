package sheen

import (
	"encoding/json"
	"fmt"

	"github.com/sheenhq/sheen/protocol"
	"github.com/sheenhq/sheen/reactive"
)

// Input is a page input, read reactively. Its typed accessors decode the
// value the page sent for the input's kind (see the builders in ui.go); a
// value of the wrong type stops the reader silently and is logged.
type Input struct {
	s  *Session
	id string
	v  *reactive.Value[string]
}

// ID returns the input's id.
func (in *Input) ID() string { return in.id }

// Raw returns the JSON the page sent. Until the page has sent a value, it
// stops the reader silently.
func (in *Input) Raw() json.RawMessage { return json.RawMessage(in.v.Get()) }

// IsSet reports whether the page has sent a value (reactively).
func (in *Input) IsSet() bool { return in.v.IsSet() }

// Decode decodes the input's JSON value into dst.
func (in *Input) Decode(dst any) error {
	if err := json.Unmarshal([]byte(in.v.Get()), dst); err != nil {
		return fmt.Errorf("sheen: input %q: %w", in.id, err)
	}
	return nil
}

func decodeAs[T any](in *Input) T {
	var x T
	if err := in.Decode(&x); err != nil {
		in.s.log.Warn("sheen: input of the wrong type")
		reactive.Req(false)
	}
	return x
}

// Text returns a text, textarea, select or radio input's value.
func (in *Input) Text() string { return decodeAs[string](in) }

// Float returns a number or slider input's value; an empty number input
// stops the reader silently.
func (in *Input) Float() float64 {
	p := decodeAs[*float64](in)
	reactive.Req(p != nil)
	return *p
}

// Int returns a number or slider input's value rounded toward zero.
func (in *Input) Int() int { return int(in.Float()) }

// Bool returns a checkbox's value.
func (in *Input) Bool() bool { return decodeAs[bool](in) }

// Strings returns a multiple select's values.
func (in *Input) Strings() []string { return decodeAs[[]string](in) }

// Clicks returns how many times an action button was clicked.
func (in *Input) Clicks() Clicks { return Clicks(in.Int()) }

// Trigger returns the button's clicks as a [reactive.Trigger] value, for
// reactive.On(btn.Trigger): an unclicked button is "none".
func (in *Input) Trigger() any { return in.Clicks() }

// Clicks counts an action button's clicks. Zero clicks is "none" for
// [reactive.On], so an event on a button waits for the first click.
type Clicks int

// IsNone reports whether the button was never clicked.
func (c Clicks) IsNone() bool { return c == 0 }

// InputChange is one change [Session.UpdateInput] makes to an input.
type InputChange func(*protocol.InputUpdate) error

// SetValue sets the input's value (a string for text inputs, a number for
// numbers and sliders, a bool for checkboxes, a []string for multiple selects).
func SetValue(v any) InputChange {
	return func(u *protocol.InputUpdate) error {
		raw, err := json.Marshal(v)
		if err != nil {
			return err
		}
		u.Value = raw
		return nil
	}
}

// SetLabel sets the input's label.
func SetLabel(label string) InputChange {
	return func(u *protocol.InputUpdate) error { u.Label = &label; return nil }
}

// SetChoices replaces a select's or radio group's choices.
func SetChoices(choices []Choice) InputChange {
	return func(u *protocol.InputUpdate) error {
		u.Choices = make([]protocol.Choice, len(choices))
		for i, c := range choices {
			u.Choices[i] = protocol.Choice{Value: c.Value, Label: c.Label}
		}
		return nil
	}
}

// SetPlaceholder sets a text, textarea or number input's placeholder.
func SetPlaceholder(p string) InputChange {
	return func(u *protocol.InputUpdate) error { u.Placeholder = &p; return nil }
}

// UpdateInput changes an input on the page. A new value is also the input's
// value on the server at once (readers are invalidated); the page does not
// echo it back.
func (s *Session) UpdateInput(id string, changes ...InputChange) error {
	var u protocol.InputUpdate
	for _, c := range changes {
		if err := c(&u); err != nil {
			return fmt.Errorf("sheen: update input %q: %w", id, err)
		}
	}
	s.g.Do(func() {
		if u.Value != nil {
			s.input(id).Set(string(u.Value))
		}
		s.setInputUpdate(id, u)
	})
	return nil
}
