package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	tests := []struct {
		filter  string
		shapes  []string
		wantErr string
	}{
		{filter: "S7", shapes: []string{"S7_create3000"}},
		{filter: "S4_cellx1000", shapes: []string{"S4_cellx1000"}},
		{filter: "S9", wantErr: `no shape matches "S9"`},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			var out bytes.Buffer
			err := run(&out, tt.filter)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("run = %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if len(lines) != len(tt.shapes) {
				t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(tt.shapes), out.String())
			}
			for i, line := range lines {
				var r result
				dec := json.NewDecoder(strings.NewReader(line))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&r); err != nil {
					t.Fatalf("line %q: %v", line, err)
				}
				if r.Lib != "go" || r.Shape != tt.shapes[i] || r.MS <= 0 {
					t.Errorf("line %d = %+v", i, r)
				}
			}
		})
	}
}
