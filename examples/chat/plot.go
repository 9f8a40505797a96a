package main

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chart"
	"github.com/sheenhq/sheen/chat"
)

// isPlot reports whether the offline responder answers q with a live chart:
// "plot …".
func isPlot(q string) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(q)), "plot")
}

// plotReply streams a short answer and, inside it, a chart with a slider
// that changes it live: "plot bars …" draws a bar chart, "plot points …" a
// scatter chart, anything else sine and cosine waves; "… table" or "… data"
// adds a sortable table of the values.
func plotReply(ctx context.Context, c *chat.Chat, q string) error {
	lq := strings.ToLower(q)
	kind := "line"
	switch {
	case strings.Contains(lq, "bar"):
		kind = "bar"
	case strings.Contains(lq, "scatter") || strings.Contains(lq, "point"):
		kind = "scatter"
	}
	table := strings.Contains(lq, "table") || strings.Contains(lq, "data")
	sc, err := c.StreamContext(ctx)
	if err != nil {
		return err
	}
	defer sc.Close()
	for _, w := range chunks(plotIntro[kind]) {
		sc.Append(w)
	}
	sc.AppendUI(plotUI(kind, table))
	return nil
}

var plotIntro = map[string]string{
	"line":    "Here are **sin(f·x)** and **cos(f·x)**. Drag the slider: the chart is drawn again on the server as you move it, inside this message.\n",
	"bar":     "Here is a week of made-up sales, growing by the rate you choose with the slider.\n",
	"scatter": "Here are 60 points around the line *y = a·x*; the slider sets the slope *a*.\n",
}

// plotUI is the message's live UI: a chart that reads the slider.
func plotUI(kind string, withTable bool) chat.LiveUI {
	return func(sc *sheen.Scope) sheen.Node {
		k := sc.Input("k")
		var slider sheen.Node
		switch kind {
		case "bar":
			slider = sheen.Slider("k", "Growth per day (%)", -20, 40, 10, sheen.Step(5))
		case "scatter":
			slider = sheen.Slider("k", "Slope a", -2, 2, 1, sheen.Step(0.25))
		default:
			slider = sheen.Slider("k", "Frequency f", 0.5, 4, 1, sheen.Step(0.5))
		}
		sc.Output("chart", sheen.RenderUI(func() (sheen.Node, error) {
			n, _ := plotData(kind, k.Float())
			return n, nil
		}))
		nodes := []sheen.Node{sheen.HTMLOutput("chart"), slider}
		if withTable {
			sc.Output("table", sheen.RenderUI(func() (sheen.Node, error) {
				_, rows := plotData(kind, k.Float())
				return sheen.DataTable([]sheen.TableColumn{{Name: "x"}, {Name: "value", Numeric: true}}, rows), nil
			}))
			nodes = append(nodes, sheen.HTMLOutput("table"))
		}
		return sheen.Group(nodes...)
	}
}

// plotData is the chart of kind for parameter k, and its values as rows.
func plotData(kind string, k float64) (sheen.Node, [][]any) {
	var rows [][]any
	round := func(v float64) float64 { return math.Round(v*1000) / 1000 }
	switch kind {
	case "bar":
		days := []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
		base := []float64{120, 132, 101, 134, 90, 230, 210}
		y := make([]float64, len(base))
		for i := range base {
			y[i] = math.Round(base[i] * math.Pow(1+k/100, float64(i)))
			rows = append(rows, []any{days[i], y[i]})
		}
		return chart.Bar(chart.Options{Title: fmt.Sprintf("Sales, %+g%% a day", k), YLabel: "units"}, days,
			chart.Series{Name: "this week", Y: y}, chart.Series{Name: "last week", Y: base}), rows
	case "scatter":
		var xs, ys []float64
		for i := range 60 {
			x := float64(i)/6 - 5
			noise := math.Sin(float64(i)*12.9898) * 1.5 // the same made-up noise every time
			xs, ys = append(xs, x), append(ys, round(k*x+noise))
			if i%6 == 0 {
				rows = append(rows, []any{fmt.Sprint(round(x)), ys[len(ys)-1]})
			}
		}
		return chart.Scatter(chart.Options{Title: fmt.Sprintf("y ≈ %g·x", k), XLabel: "x", YLabel: "y", YMin: -12, YMax: 12},
			chart.Series{Name: "samples", X: xs, Y: ys}), rows
	}
	var xs, sin, cos []float64
	for i := 0; i <= 120; i++ {
		x := float64(i) / 120 * 2 * math.Pi
		xs, sin, cos = append(xs, x), append(sin, math.Sin(k*x)), append(cos, math.Cos(k*x))
		if i%15 == 0 {
			rows = append(rows, []any{fmt.Sprint(round(x)), round(sin[i])})
		}
	}
	return chart.Line(chart.Options{Title: fmt.Sprintf("sin(%g·x) and cos(%g·x)", k, k), XLabel: "x", YLabel: "y", YMin: -1, YMax: 1},
		chart.Series{Name: "sin", X: xs, Y: sin}, chart.Series{Name: "cos", X: xs, Y: cos}), rows
}
