package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	tests := []struct {
		lib     string
		filter  string
		shapes  []string
		libs    []string // each line's; tt.lib on every line when nil
		wantErr string
	}{
		{lib: "go", filter: "S7", shapes: []string{"S7_create3000"}},
		{lib: "go", filter: "S4_cellx1000", shapes: []string{"S4_cellx1000"}},
		{lib: "go", filter: "S9", wantErr: `no shape matches "S9"`},
		{lib: "floor", filter: "S3", shapes: []string{"S3_diamond1000"}},
		{lib: "floor", filter: "S4", wantErr: `no shape matches "S4"`},
		{lib: "both", filter: "S6", shapes: []string{"S6_stream1to1", "S6_stream1to1"}, libs: []string{"go", "floor"}},
		{lib: "both", filter: "S4", shapes: []string{"S4_cellx1000"}}, // no floor: go alone
	}
	for _, tt := range tests {
		t.Run(tt.lib+"/"+tt.filter, func(t *testing.T) {
			var out bytes.Buffer
			err := run(&out, tt.lib, tt.filter)
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
				lib := tt.lib
				if tt.libs != nil {
					lib = tt.libs[i]
				} else if lib == "both" {
					lib = "go"
				}
				if r.Lib != lib || r.Shape != tt.shapes[i] || r.MS <= 0 {
					t.Errorf("line %d = %+v", i, r)
				}
			}
		})
	}
}
