package tools_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/sheenhq/sheen/model"
	"github.com/sheenhq/sheen/tools"
)

type weatherArgs struct {
	City  string `json:"city" jsonschema_description:"The city, e.g. Paris"`
	Units string `json:"units,omitempty" jsonschema:"enum=celsius,enum=fahrenheit"`
}

func weather() *tools.Tool {
	return tools.Func("get_weather", "The weather in a city.", func(ctx context.Context, a weatherArgs) (map[string]any, error) {
		if a.City == "Atlantis" {
			return nil, errors.New("no weather station there")
		}
		if a.City == "Boom" {
			panic("the tool panicked")
		}
		return map[string]any{"city": a.City, "temp_c": 18}, nil
	})
}

func TestSchema(t *testing.T) {
	var s map[string]any
	if err := json.Unmarshal(weather().Spec().Schema, &s); err != nil {
		t.Fatal(err)
	}
	if s["type"] != "object" || s["$schema"] != nil {
		t.Errorf("schema = %v", s)
	}
	props := s["properties"].(map[string]any)
	city := props["city"].(map[string]any)
	if city["type"] != "string" || city["description"] != "The city, e.g. Paris" {
		t.Errorf("city = %v", city)
	}
	if enum := props["units"].(map[string]any)["enum"]; len(enum.([]any)) != 2 {
		t.Errorf("units enum = %v", enum)
	}
	if req := s["required"].([]any); len(req) != 1 || req[0] != "city" {
		t.Errorf("required = %v", req)
	}
	if s["additionalProperties"] != false {
		t.Errorf("additionalProperties = %v", s["additionalProperties"])
	}
}

func TestRun(t *testing.T) {
	w := weather()
	tests := []struct {
		name, args string
		wantErr    string // "" for success
		wantText   string
	}{
		{"ok", `{"city":"Paris"}`, "", `{"city":"Paris","temp_c":18}`},
		{"ok with an optional field", `{"city":"Oslo","units":"celsius"}`, "", `{"city":"Oslo","temp_c":18}`},
		{"malformed JSON", `{"city": "Par`, "invalid arguments: unexpected end of JSON input", ""},
		{"not an object", `["Paris"]`, "invalid arguments: the arguments must be a JSON object", ""},
		{"missing required", `{}`, "invalid arguments: missing required city", ""},
		{"unknown field", `{"city":"Paris","country":"FR"}`, `invalid arguments: json: unknown field "country"`, ""},
		{"wrong type", `{"city":7}`, "invalid arguments: json: cannot unmarshal number", ""},
		{"two values", `{"city":"Paris"} {}`, "invalid arguments: invalid character", ""},
		{"the function fails", `{"city":"Atlantis"}`, "no weather station there", ""},
		{"the function panics", `{"city":"Boom"}`, "the tool get_weather failed: panic: the tool panicked", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tools.Run(context.Background(), w, model.ToolCall{ID: "c", Name: "get_weather", Args: json.RawMessage(tt.args)})
			if tt.wantErr == "" {
				if o.Err != nil || o.Text != tt.wantText {
					t.Fatalf("outcome = %+v, want %s", o, tt.wantText)
				}
				if !strings.HasPrefix(o.Display, "```json\n{\n  \"city\"") {
					t.Errorf("display = %q: a value is shown as a JSON block", o.Display)
				}
				return
			}
			if o.Err == nil || !strings.Contains(o.Err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", o.Err, tt.wantErr)
			}
			if !o.IsError() || !strings.HasPrefix(o.ModelText(), "Error: ") {
				t.Errorf("model text = %q", o.ModelText())
			}
		})
	}
}

func TestUnknownTool(t *testing.T) {
	o := tools.Run(context.Background(), tools.Find([]*tools.Tool{weather()}, "nope"), model.ToolCall{Name: "nope"})
	if !errors.Is(o.Err, tools.ErrUnknown) {
		t.Errorf("err = %v", o.Err)
	}
}

func TestResults(t *testing.T) {
	ctx := context.Background()
	s := tools.Func("s", "", func(context.Context, struct{}) (string, error) { return "plain", nil })
	r := tools.Func("r", "", func(context.Context, struct{}) (tools.Result, error) {
		return tools.Result{Text: "for the model", Display: "<b>shown</b>", DisplayType: "html"}, nil
	})
	free := tools.Func("free", "", func(_ context.Context, a map[string]any) (string, error) { return a["x"].(string), nil })
	raw := tools.Func("raw", "", func(_ context.Context, a json.RawMessage) (string, error) { return string(a), nil })
	for _, tt := range []struct {
		tool          *tools.Tool
		args          string
		text, display string
	}{
		{s, ``, "plain", ""},
		{r, `{}`, "for the model", "<b>shown</b>"},
		{free, `{"x":"y"}`, "y", ""},
		{raw, ` {"a":1} `, `{"a":1}`, ""},
	} {
		o := tools.Run(ctx, tt.tool, model.ToolCall{Args: json.RawMessage(tt.args)})
		if o.Err != nil || o.Text != tt.text || o.Display != tt.display {
			t.Errorf("%s: %+v", tt.tool.Name(), o)
		}
	}
	if string(free.Spec().Schema) != `{"type":"object"}` {
		t.Errorf("free-form schema = %s", free.Spec().Schema)
	}
}

func TestCancel(t *testing.T) {
	slow := tools.Func("slow", "", func(ctx context.Context, _ struct{}) (string, error) {
		<-ctx.Done()
		return "", ctx.Err()
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if o := tools.Run(ctx, slow, model.ToolCall{}); !errors.Is(o.Err, context.Canceled) {
		t.Errorf("err = %v", o.Err)
	}
}

func TestOptionsAndNames(t *testing.T) {
	a := tools.Func("delete_file", "", func(context.Context, struct{}) (string, error) { return "", nil }, tools.RequireApproval())
	if !a.NeedsApproval() || weather().NeedsApproval() {
		t.Error("RequireApproval")
	}
	for _, bad := range []string{"", "has space", strings.Repeat("x", 65), "dot.ted"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Func(%q) did not panic", bad)
				}
			}()
			tools.Func(bad, "", func(context.Context, struct{}) (string, error) { return "", nil })
		}()
	}
}
