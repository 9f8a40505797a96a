package logerr_test

import (
	"errors"
	"fmt"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/sheenhq/sheen/internal/logerr"
	"github.com/sheenhq/sheen/reactive"
)

func TestLog(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		message   string
		wantPanic string // the panic field; "" for none
		wantError string // the error field; "" for none
		wantIn    string // the in field (the node's label); "" for none
	}{
		{"error", errors.New("boom"), "work failed", "", "boom", ""},
		{"panic", &reactive.PanicError{Value: "oops", Stack: []byte("stack")}, "work panicked", "oops", "", ""},
		{"labelled panic", &reactive.PanicError{Value: "oops", Label: `effect "total" (app.go:9)`}, "work panicked", "oops", "", `effect "total" (app.go:9)`},
		{"wrapped panic", fmt.Errorf(`reactive: effect "reader" (app.go:3): %w`, &reactive.PanicError{Value: 42, Label: `calc "sum" (app.go:2)`}),
			"work panicked", "42", `reactive: effect "reader" (app.go:3): reactive: panic in calc "sum" (app.go:2): 42`, `calc "sum" (app.go:2)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			core, logs := observer.New(zap.ErrorLevel)
			logerr.Log(zap.New(core), "work", tt.err, zap.String("id", "x"))
			entries := logs.All()
			if len(entries) != 1 {
				t.Fatalf("%d entries, want 1", len(entries))
			}
			e := entries[0]
			if e.Message != tt.message {
				t.Errorf("message %q, want %q", e.Message, tt.message)
			}
			fields := e.ContextMap()
			if fields["id"] != "x" {
				t.Errorf("fields %v lack the caller's", fields)
			}
			if got, _ := fields["panic"].(string); got != tt.wantPanic {
				t.Errorf("panic field %q, want %q", got, tt.wantPanic)
			}
			if got, _ := fields["error"].(string); got != tt.wantError {
				t.Errorf("error field %q, want %q", got, tt.wantError)
			}
			if got, _ := fields["in"].(string); got != tt.wantIn {
				t.Errorf("in field %q, want %q", got, tt.wantIn)
			}
			if _, ok := fields["stack"]; ok != (tt.wantPanic != "") {
				t.Errorf("stack field present = %v", ok)
			}
		})
	}
}
