package chart

import (
	"math"
	"strconv"
	"strings"

	"github.com/sheenhq/sheen"
)

// Theme says which colours a chart uses.
type Theme string

// Themes.
const (
	Auto  Theme = ""      // the page's theme (its data-theme, else the browser's preference)
	Light Theme = "light" // light, whatever the page's theme
	Dark  Theme = "dark"  // dark, whatever the page's theme
)

// Options are what a chart shows besides its data. The zero value is a
// chart 640×360 units without title or axis labels, in the page's theme.
type Options struct {
	Title          string // shown above the chart and read by screen readers
	XLabel, YLabel string // the axes' names
	// Width and Height are the chart's proportions in SVG units (about CSS
	// pixels at full size); the chart scales to the width it is given.
	Width, Height int
	Theme         Theme
	// YMin and YMax, when not both zero, fix the y axis instead of fitting
	// it to the data (a chart that moves with a slider keeps its scale).
	YMin, YMax float64
}

// Series is one named set of values: points (X[i], Y[i]) for line and
// scatter charts, one value per category (Y) for bar charts. Points that
// are not finite are left out (a line breaks there).
type Series struct {
	Name string
	X, Y []float64
}

// Line returns a line chart of the series.
func Line(opts Options, series ...Series) sheen.Node {
	return draw("line", opts, nil, series)
}

// Scatter returns a scatter chart of the series.
func Scatter(opts Options, series ...Series) sheen.Node {
	return draw("scatter", opts, nil, series)
}

// Bar returns a bar chart: one group of bars per category, one bar per
// series in each group (series[i].Y[j] is series i's value for category j).
func Bar(opts Options, categories []string, series ...Series) sheen.Node {
	return draw("bar", opts, categories, series)
}

const (
	padLeft   = 56.0
	padRight  = 16.0
	padTop    = 14.0
	padBottom = 36.0
	palette   = 8 // classes sheen-chart-s0 … s7
)

type frame struct {
	w, h       float64
	x0, x1     float64 // data range on x
	y0, y1     float64 // data range on y
	left, top  float64
	pw, ph     float64 // the plot area
	xlab, ylab bool
}

func (f *frame) px(x float64) float64 {
	if f.x1 == f.x0 {
		return f.left + f.pw/2
	}
	return f.left + (x-f.x0)/(f.x1-f.x0)*f.pw
}

func (f *frame) py(y float64) float64 {
	if f.y1 == f.y0 {
		return f.top + f.ph/2
	}
	return f.top + f.ph - (y-f.y0)/(f.y1-f.y0)*f.ph
}

func draw(kind string, opts Options, cats []string, series []Series) sheen.Node {
	w, h := float64(opts.Width), float64(opts.Height)
	if w <= 0 {
		w = 640
	}
	if h <= 0 {
		h = 360
	}
	f := &frame{w: w, h: h, left: padLeft, top: padTop, xlab: opts.XLabel != "", ylab: opts.YLabel != ""}
	bottom := padBottom
	if f.xlab {
		bottom += 18
	}
	if f.ylab {
		f.left += 18
	}
	f.pw, f.ph = w-f.left-padRight, h-f.top-bottom

	// The data's range.
	ok := false
	f.x0, f.x1, f.y0, f.y1 = math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, s := range series {
		n := len(s.Y)
		if kind != "bar" {
			n = min(n, len(s.X))
		}
		for i := range n {
			y := s.Y[i]
			if !finite(y) {
				continue
			}
			if kind != "bar" {
				x := s.X[i]
				if !finite(x) {
					continue
				}
				f.x0, f.x1 = math.Min(f.x0, x), math.Max(f.x1, x)
			}
			f.y0, f.y1 = math.Min(f.y0, y), math.Max(f.y1, y)
			ok = true
		}
	}
	if kind == "bar" {
		f.x0, f.x1 = 0, float64(max(len(cats), 1))
		if ok {
			f.y0, f.y1 = math.Min(f.y0, 0), math.Max(f.y1, 0)
		}
	}
	if !ok {
		f.x0, f.x1, f.y0, f.y1 = 0, 1, 0, 1
	}
	if opts.YMin != 0 || opts.YMax != 0 {
		f.y0, f.y1 = opts.YMin, opts.YMax
	}
	var yticks []float64
	f.y0, f.y1, yticks = nice(f.y0, f.y1, 5)
	var xticks []float64
	if kind != "bar" {
		xticks = ticks(f.x0, f.x1, 6)
	}

	svg := []sheen.Node{
		sheen.Attr("viewBox", "0 0 "+num(w)+" "+num(h)),
		sheen.Attr("role", "img"),
		sheen.Class("sheen-chart-svg"),
		sheen.Attr("preserveAspectRatio", "xMidYMid meet"),
	}
	label := opts.Title
	if label == "" {
		label = kind + " chart"
	}
	svg = append(svg, sheen.Attr("aria-label", label), sheen.El("title", sheen.Text(label)))

	// Grid and y ticks.
	grid := []sheen.Node{sheen.Class("sheen-chart-grid")}
	labels := []sheen.Node{sheen.Class("sheen-chart-ticks")}
	for _, t := range yticks {
		y := f.py(t)
		grid = append(grid, sheen.El("line", attrs("x1", f.left, "x2", f.left+f.pw, "y1", y, "y2", y)...))
		labels = append(labels, sheen.El("text", append(attrs("x", f.left-8, "y", y+4), sheen.Attr("text-anchor", "end"), sheen.Text(tick(t, yticks)))...))
	}
	for _, t := range xticks {
		x := f.px(t)
		grid = append(grid, sheen.El("line", attrs("x1", x, "x2", x, "y1", f.top, "y2", f.top+f.ph)...))
		labels = append(labels, sheen.El("text", append(attrs("x", x, "y", f.top+f.ph+20), sheen.Attr("text-anchor", "middle"), sheen.Text(tick(t, xticks)))...))
	}
	if kind == "bar" {
		for i, c := range cats {
			labels = append(labels, sheen.El("text", append(attrs("x", f.px(float64(i)+0.5), "y", f.top+f.ph+20), sheen.Attr("text-anchor", "middle"), sheen.Text(c))...))
		}
	}
	svg = append(svg, sheen.El("g", grid...))
	axis := sheen.El("g", sheen.Class("sheen-chart-axis"),
		sheen.El("line", attrs("x1", f.left, "x2", f.left+f.pw, "y1", f.py(math.Max(f.y0, math.Min(0, f.y1))), "y2", f.py(math.Max(f.y0, math.Min(0, f.y1))))...),
		sheen.El("line", attrs("x1", f.left, "x2", f.left, "y1", f.top, "y2", f.top+f.ph)...),
	)
	svg = append(svg, axis)

	// The data.
	data := []sheen.Node{sheen.Class("sheen-chart-data")}
	for i, s := range series {
		cls := "sheen-chart-s" + strconv.Itoa(i%palette)
		switch kind {
		case "line":
			data = append(data, sheen.El("path", sheen.Class("sheen-chart-line", cls), sheen.Attr("d", linePath(f, s))))
		case "scatter":
			var d strings.Builder
			for j := range min(len(s.X), len(s.Y)) {
				if finite(s.X[j]) && finite(s.Y[j]) {
					d.WriteString("M" + num(f.px(s.X[j])) + " " + num(f.py(s.Y[j])) + "h0")
				}
			}
			// Zero-length segments with round caps: dots that stay round
			// whatever the chart's size.
			data = append(data, sheen.El("path", sheen.Class("sheen-chart-points", cls), sheen.Attr("d", d.String())))
		case "bar":
			n := float64(max(len(series), 1))
			slot := f.pw / f.x1
			bw := slot * 0.8 / n
			g := []sheen.Node{sheen.Class("sheen-chart-bars", cls)}
			for j := range min(len(s.Y), len(cats)) {
				if !finite(s.Y[j]) {
					continue
				}
				x := f.left + float64(j)*slot + slot*0.1 + float64(i)*bw
				y0, y1 := f.py(0), f.py(s.Y[j])
				if y1 > y0 {
					y0, y1 = y1, y0
				}
				rect := attrs("x", x, "y", y1, "width", math.Max(bw-1, 1), "height", math.Max(y0-y1, 0))
				rect = append(rect, sheen.Attr("rx", "2"), sheen.El("title", sheen.Text(cats[j]+": "+tick(s.Y[j], nil))))
				g = append(g, sheen.El("rect", rect...))
			}
			data = append(data, sheen.El("g", g...))
		}
	}
	svg = append(svg, sheen.El("g", data...), sheen.El("g", labels...))
	if !ok {
		svg = append(svg, sheen.El("text", append(attrs("x", f.left+f.pw/2, "y", f.top+f.ph/2), sheen.Class("sheen-chart-empty"), sheen.Attr("text-anchor", "middle"), sheen.Text("No data"))...))
	}
	if f.xlab {
		svg = append(svg, sheen.El("text", append(attrs("x", f.left+f.pw/2, "y", h-8), sheen.Class("sheen-chart-label"), sheen.Attr("text-anchor", "middle"), sheen.Text(opts.XLabel))...))
	}
	if f.ylab {
		y := f.top + f.ph/2
		svg = append(svg, sheen.El("text", append(attrs("x", 14.0, "y", y), sheen.Class("sheen-chart-label"), sheen.Attr("text-anchor", "middle"),
			sheen.Attr("transform", "rotate(-90 14 "+num(y)+")"), sheen.Text(opts.YLabel))...))
	}

	fig := []sheen.Node{sheen.Class("sheen-chart"), sheen.Attr("data-kind", kind)}
	switch opts.Theme {
	case Light, Dark:
		fig = append(fig, sheen.Class("sheen-chart-"+string(opts.Theme)))
	}
	if opts.Title != "" {
		fig = append(fig, sheen.El("div", sheen.Class("sheen-chart-title"), sheen.Text(opts.Title)))
	}
	fig = append(fig, sheen.El("svg", svg...))
	if len(series) > 1 || len(series) == 1 && series[0].Name != "" {
		items := []sheen.Node{sheen.Class("sheen-chart-legend")}
		for i, s := range series {
			items = append(items, sheen.El("li",
				sheen.El("span", sheen.Class("sheen-chart-swatch", "sheen-chart-s"+strconv.Itoa(i%palette)), sheen.Attr("aria-hidden", "true")),
				sheen.Text(s.Name)))
		}
		fig = append(fig, sheen.El("ul", items...))
	}
	return sheen.El("figure", fig...)
}

func linePath(f *frame, s Series) string {
	var d strings.Builder
	pen := false
	for j := range min(len(s.X), len(s.Y)) {
		if !finite(s.X[j]) || !finite(s.Y[j]) {
			pen = false
			continue
		}
		if pen {
			d.WriteByte('L')
		} else {
			d.WriteByte('M')
		}
		d.WriteString(num(f.px(s.X[j])) + " " + num(f.py(s.Y[j])))
		pen = true
	}
	return d.String()
}

func attrs(kv ...any) []sheen.Node {
	out := make([]sheen.Node, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, sheen.Attr(kv[i].(string), num(kv[i+1].(float64))))
	}
	return out
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// num formats an SVG coordinate: two decimals at most.
func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// nice widens [lo, hi] to round tick values, about n of them.
func nice(lo, hi float64, n int) (float64, float64, []float64) {
	if lo == hi {
		d := math.Max(math.Abs(lo)*0.1, 1)
		lo, hi = lo-d, hi+d
	}
	step := niceStep((hi - lo) / float64(n-1))
	lo, hi = math.Floor(lo/step)*step, math.Ceil(hi/step)*step
	var ts []float64
	for t := lo; t <= hi+step/2; t += step {
		ts = append(ts, math.Round(t/step)*step)
	}
	return lo, hi, ts
}

// ticks returns round values inside [lo, hi], about n of them.
func ticks(lo, hi float64, n int) []float64 {
	if lo == hi {
		return []float64{lo}
	}
	step := niceStep((hi - lo) / float64(n-1))
	var ts []float64
	for t := math.Ceil(lo/step) * step; t <= hi+step*1e-9; t += step {
		ts = append(ts, math.Round(t/step)*step)
	}
	return ts
}

func niceStep(raw float64) float64 {
	if raw <= 0 || !finite(raw) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	switch f := raw / p; {
	case f <= 1:
		return p
	case f <= 2:
		return 2 * p
	case f <= 5:
		return 5 * p
	}
	return 10 * p
}

// tick formats a tick value: as few decimals as its neighbours need, with
// k and M for large numbers.
func tick(v float64, all []float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1e6:
		return strconv.FormatFloat(v/1e6, 'f', -1, 64) + "M"
	case a >= 1e4:
		return strconv.FormatFloat(v/1e3, 'f', -1, 64) + "k"
	}
	dec := 0
	if len(all) > 1 {
		step := math.Abs(all[1] - all[0])
		for dec < 6 && step < 1 && step > 0 {
			step *= 10
			dec++
		}
	} else {
		return strconv.FormatFloat(math.Round(v*1000)/1000, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', dec, 64)
}
