package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/invopop/jsonschema"

	"github.com/sheenhq/sheen/model"
)

// Result is what a tool returns: the text the model reads and, if set,
// what the person sees on the tool's card.
type Result struct {
	// Text goes back to the model (often JSON).
	Text string
	// Display is shown on the card instead of Text, as DisplayType says:
	// "markdown" (the default: rendered and sanitized), "text" (literal) or
	// "html" (trusted HTML written by the app; never model output).
	Display     string
	DisplayType string
}

// Tool is a tool: its declaration to the model and its function.
type Tool struct {
	spec     model.ToolSpec
	approval bool
	required []string
	call     func(ctx context.Context, args json.RawMessage) (Result, error)
}

// Option configures a tool.
type Option func(*Tool)

// RequireApproval makes every call of the tool wait for a person to allow
// it (chat.Respond shows Allow and Deny on its card); a denied call is
// answered to the model as an error ("the user denied this call").
func RequireApproval() Option { return func(t *Tool) { t.approval = true } }

// Spec is the tool's declaration to the model.
func (t *Tool) Spec() model.ToolSpec { return t.spec }

// Name is the tool's name.
func (t *Tool) Name() string { return t.spec.Name }

// NeedsApproval reports whether calls wait for a person's approval.
func (t *Tool) NeedsApproval() bool { return t.approval }

// Func makes fn a tool. A is the arguments' type: a struct (its JSON
// Schema is derived from it), or a map or json.RawMessage for free-form
// arguments. R is the result: a string (sent as is), a [Result], or any
// other value (sent as JSON, and shown as a JSON code block). It panics if
// name is not a valid tool name (letters, digits, _ and -, at most 64) or A
// has no JSON Schema.
func Func[A, R any](name, description string, fn func(ctx context.Context, args A) (R, error), opts ...Option) *Tool {
	if !validName(name) {
		panic(fmt.Sprintf("tools: %q is not a valid tool name (letters, digits, _ and -, 1 to 64)", name))
	}
	schema, required := schemaOf[A]()
	t := &Tool{spec: model.ToolSpec{Name: name, Description: description, Schema: schema}, required: required}
	t.call = func(ctx context.Context, raw json.RawMessage) (Result, error) {
		var a A
		if err := decode(raw, &a, t.required); err != nil {
			return Result{}, &ArgsError{Err: err}
		}
		r, err := fn(ctx, a)
		if err != nil {
			return Result{}, err
		}
		return toResult(r)
	}
	for _, o := range opts {
		o(t)
	}
	return t
}

func validName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// schemaOf derives the JSON Schema of A and its required properties.
func schemaOf[A any]() (json.RawMessage, []string) {
	typ := reflect.TypeFor[A]()
	if typ == reflect.TypeFor[json.RawMessage]() || typ.Kind() == reflect.Map || typ.Kind() == reflect.Interface {
		return json.RawMessage(`{"type":"object"}`), nil
	}
	r := &jsonschema.Reflector{DoNotReference: true, ExpandedStruct: true}
	s := r.ReflectFromType(typ)
	if s == nil || s.Type != "object" {
		panic(fmt.Sprintf("tools: the arguments of a tool must be a struct or a map, not %s", typ))
	}
	s.Version = "" // no "$schema": the providers want the bare object schema
	s.ID = ""
	b, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("tools: the schema of %s: %v", typ, err))
	}
	return b, s.Required
}

// ArgsError is the error of arguments that do not fit the tool.
type ArgsError struct{ Err error }

func (e *ArgsError) Error() string { return "invalid arguments: " + e.Err.Error() }

// Unwrap returns the decoding error.
func (e *ArgsError) Unwrap() error { return e.Err }

// decode reads raw into v strictly: one JSON object, no unknown fields,
// every required field present.
func decode(raw json.RawMessage, v any, required []string) error {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 {
		trimmed = []byte("{}") // a call without arguments
	}
	if trimmed[0] != '{' {
		return errors.New("the arguments must be a JSON object")
	}
	if len(required) > 0 {
		var present map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &present); err != nil {
			return err
		}
		var missing []string
		for _, k := range required {
			if _, ok := present[k]; !ok {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("missing required %s", strings.Join(missing, ", "))
		}
	}
	if rm, ok := v.(*json.RawMessage); ok {
		*rm = append((*rm)[:0], trimmed...)
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more than one JSON value")
	}
	return nil
}

func toResult(r any) (Result, error) {
	switch v := r.(type) {
	case Result:
		return v, nil
	case *Result:
		if v == nil {
			return Result{}, nil
		}
		return *v, nil
	case string:
		return Result{Text: v}, nil
	case fmt.Stringer:
		return Result{Text: v.String()}, nil
	}
	b, err := json.Marshal(r)
	if err != nil {
		return Result{}, fmt.Errorf("tools: the result does not encode: %w", err)
	}
	pretty, _ := json.MarshalIndent(r, "", "  ")
	return Result{Text: string(b), Display: "```json\n" + string(pretty) + "\n```"}, nil
}

// Outcome is the end of one call: its result, or its error (IsError), as
// sent back to the model.
type Outcome struct {
	Result
	Err error // nil on success
}

// IsError reports whether the call failed.
func (o Outcome) IsError() bool { return o.Err != nil }

// ModelText is what the model reads: the result's text, or the error.
func (o Outcome) ModelText() string {
	if o.Err != nil {
		return "Error: " + o.Err.Error()
	}
	return o.Text
}

// ErrUnknown is the error of a call of a tool that does not exist.
var ErrUnknown = errors.New("no such tool")

// Find returns the tool named name in ts, or nil.
func Find(ts []*Tool, name string) *Tool {
	i := slices.IndexFunc(ts, func(t *Tool) bool { return t.spec.Name == name })
	if i < 0 {
		return nil
	}
	return ts[i]
}

// Run runs one call: the arguments are checked, then the function runs
// with ctx. A panic is recovered into an error. A nil t (the model called a
// tool that does not exist) is an error too.
func Run(ctx context.Context, t *Tool, call model.ToolCall) (o Outcome) {
	if t == nil {
		return Outcome{Err: fmt.Errorf("%w: %q", ErrUnknown, call.Name)}
	}
	defer func() {
		if p := recover(); p != nil {
			o = Outcome{Err: fmt.Errorf("the tool %s failed: panic: %v", t.spec.Name, p)}
		}
	}()
	r, err := t.call(ctx, call.Args)
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	return Outcome{Result: r, Err: err}
}
