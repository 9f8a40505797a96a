package tools_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/sheenhq/sheen/model"
	"github.com/sheenhq/sheen/tools"
)

// BenchmarkRun: one call of a tool with a struct argument, checked and
// decoded, and its value result encoded (the tool's own work is nothing).
func BenchmarkRun(b *testing.B) {
	w := weather()
	call := model.ToolCall{ID: "c", Name: "get_weather", Args: json.RawMessage(`{"city":"Paris","units":"celsius"}`)}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if o := tools.Run(ctx, w, call); o.Err != nil {
			b.Fatal(o.Err)
		}
	}
}
