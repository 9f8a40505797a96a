package chart_test

import (
	"fmt"
	"strings"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chart"
)

// A bar chart of two series over three categories, as an output that
// redraws when what it reads changes.
func ExampleBar() {
	bars := chart.Bar(chart.Options{Title: "Visitors", YLabel: "people"},
		[]string{"Mon", "Tue", "Wed"},
		chart.Series{Name: "this week", Y: []float64{120, 140, 90}},
		chart.Series{Name: "last week", Y: []float64{100, 130, 110}},
	)
	render := sheen.RenderUI(func() (sheen.Node, error) { return bars, nil })
	_ = render // s.Output("visitors", render), or inside a chat.LiveUI

	var b strings.Builder
	_ = bars.Render(&b)
	fmt.Println(strings.Count(b.String(), "<rect"), strings.Contains(b.String(), "style="))
	// Output: 6 false
}

// A line chart forced into the dark theme, with a fixed y scale.
func ExampleLine() {
	n := chart.Line(chart.Options{Theme: chart.Dark, YMin: 0, YMax: 10},
		chart.Series{Name: "y = x²", X: []float64{0, 1, 2, 3}, Y: []float64{0, 1, 4, 9}})
	var b strings.Builder
	_ = n.Render(&b)
	fmt.Println(strings.Contains(b.String(), `class="sheen-chart sheen-chart-dark"`))
	// Output: true
}
