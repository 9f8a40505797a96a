package chart_test

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chart"
)

func render(t *testing.T, n sheen.Node) string {
	t.Helper()
	var b bytes.Buffer
	if err := n.Render(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestCharts(t *testing.T) {
	xs := []float64{0, 1, 2, 3}
	tests := []struct {
		name string
		node sheen.Node
		want []string
		not  []string
	}{
		{"line", chart.Line(chart.Options{Title: "T <1>", XLabel: "x", YLabel: "y"}, chart.Series{Name: "a&b", X: xs, Y: []float64{1, 4, 9, 16}}),
			[]string{`class="sheen-chart" data-kind="line"`, `<path class="sheen-chart-line sheen-chart-s0" d="M`, `T &lt;1&gt;`, `a&amp;b`, `viewBox="0 0 640 360"`, `>20<`},
			[]string{"style=", "<script"}},
		{"line breaks at NaN", chart.Line(chart.Options{}, chart.Series{X: xs, Y: []float64{1, math.NaN(), 3, 4}}),
			[]string{`d="M56 `}, []string{"NaN"}},
		{"scatter", chart.Scatter(chart.Options{Theme: chart.Dark}, chart.Series{X: xs, Y: xs}, chart.Series{X: xs, Y: xs}),
			[]string{`sheen-chart-points sheen-chart-s0`, `sheen-chart-points sheen-chart-s1`, `h0`, `sheen-chart-dark`, `sheen-chart-legend`}, nil},
		{"bar", chart.Bar(chart.Options{}, []string{"Mon", "<Tue>"}, chart.Series{Name: "s", Y: []float64{3, -2}}),
			[]string{`<rect`, `Mon`, `&lt;Tue&gt;`, `>0<`}, nil},
		{"empty", chart.Line(chart.Options{}), []string{"No data"}, nil},
		{"fixed scale", chart.Line(chart.Options{YMin: 0, YMax: 100}, chart.Series{X: xs, Y: xs}), []string{`>100<`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := render(t, tt.node)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in\n%s", w, got)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(got, w) {
					t.Errorf("unexpected %q in\n%s", w, got)
				}
			}
		})
	}
}
