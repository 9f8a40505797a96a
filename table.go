package sheen

import (
	"fmt"
	"math"
	"strconv"
)

// A TableColumn is one column of a [DataTable].
type TableColumn struct {
	Name string
	// Numeric right-aligns the column and sorts it as numbers.
	Numeric bool
}

// DataTable returns a table of rows under the columns' headers, which the
// user can click (or focus and press Enter) to sort the rows by that
// column, ascending then descending; the client sorts in the page, with no
// round trip. Cells are shown as text: a number in its shortest decimal
// form, anything else as fmt.Sprint writes it; a numeric
// column sorts by the number (cells that are not numbers go last). Rows
// shorter than the columns are padded with empty cells. Options: any
// [Attribute], set on the <table>. The table scrolls sideways inside its
// wrapper when it is wider than the page (client/chart.css styles it for
// both themes).
func DataTable(cols []TableColumn, rows [][]any, opts ...UIOption) Node {
	cfg := uiOptions(opts)
	head := make([]Node, 0, len(cols))
	for i, c := range cols {
		cls := ""
		if c.Numeric {
			cls = "sheen-table-num"
		}
		head = append(head, El("th", Class(cls), Attr("scope", "col"), Attr("aria-sort", "none"), Attr("data-col", strconv.Itoa(i)),
			El("button", Attr("type", "button"), Class("sheen-table-sort"), Text(c.Name))))
	}
	body := make([]Node, 0, len(rows))
	for _, row := range rows {
		cells := make([]Node, 0, len(cols))
		for i, c := range cols {
			var v any
			if i < len(row) {
				v = row[i]
			}
			text, num, isNum := cell(v)
			var extra []Node
			if c.Numeric {
				extra = append(extra, Class("sheen-table-num"))
				if isNum {
					extra = append(extra, Attr("data-value", strconv.FormatFloat(num, 'g', -1, 64)))
				}
			}
			cells = append(cells, El("td", append(extra, Text(text))...))
		}
		body = append(body, El("tr", cells...))
	}
	table := append([]Node{Class("sheen-table"), Attr("data-sheen-table", "")}, cfg.attrs...)
	table = append(table, El("thead", El("tr", head...)), El("tbody", body...))
	return El("div", Class("sheen-table-wrap"), El("table", table...))
}

// cell is how a table shows v, and its number if it is one.
func cell(v any) (string, float64, bool) {
	var f float64
	switch x := v.(type) {
	case nil:
		return "", 0, false
	case float64:
		f = x
	case float32:
		f = float64(x)
	case int:
		return strconv.Itoa(x), float64(x), true
	case int64:
		return strconv.FormatInt(x, 10), float64(x), true
	case int32:
		return strconv.FormatInt(int64(x), 10), float64(x), true
	case uint:
		return strconv.FormatUint(uint64(x), 10), float64(x), true
	case uint64:
		return strconv.FormatUint(x, 10), float64(x), true
	case string:
		n, err := strconv.ParseFloat(x, 64)
		return x, n, err == nil && !math.IsNaN(n) && !math.IsInf(n, 0)
	default:
		return fmt.Sprint(v), 0, false
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'g', -1, 64), 0, false
	}
	return strconv.FormatFloat(f, 'f', -1, 64), f, true
}
