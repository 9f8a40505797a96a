package sheen

import (
	"fmt"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/sheenhq/sheen/reactive"
)

// The session's log names the calc or effect a reactive error is about: an
// output's effect by its output id, a calc by its label, as the reactive
// package's reports do (every report names its node).
func TestAppErrorLogsNameTheNode(t *testing.T) {
	tests := []struct {
		name string
		bind func(s *Session)
		want []string // substrings of the logged entry's message and fields
	}{
		{"runaway output", func(s *Session) {
			n := reactive.NewValue(s.g, 0)
			s.Output("loop", RenderText(func() (string, error) {
				n.Set(n.Get() + 1) // re-runs itself until the run limit stops it
				return "", nil
			}))
		}, []string{`effect "output loop"`, reactive.ErrRunaway.Error()}},
		{"panicking calc read by an effect", func(s *Session) {
			c := reactive.NewCalc(s.g, func() (int, error) { panic("no total") }, reactive.Label("total"))
			s.g.Do(func() {
				reactive.NewEffect(s.g, func() error { _, err := c.Get(); return err }, reactive.Label("sum reader"))
			})
		}, []string{`calc "total"`, `effect "sum reader"`, "no total"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			core, logs := observer.New(zap.ErrorLevel)
			a := testApp(t, WithLogger(zap.New(core)))
			s := newSession(a, "")
			t.Cleanup(func() { s.g.Close(); s.cancel() })
			tt.bind(s)
			entries := logs.FilterMessageSnippet("sheen: app code").All()
			if len(entries) != 1 {
				t.Fatalf("%d app-code log entries, want 1: %v", len(entries), logs.All())
			}
			var text strings.Builder
			text.WriteString(entries[0].Message)
			for k, v := range entries[0].ContextMap() {
				if k != "stack" {
					fmt.Fprintf(&text, " %s=%v", k, v)
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(text.String(), w) {
					t.Errorf("log entry %q lacks %q", text.String(), w)
				}
			}
		})
	}
}
