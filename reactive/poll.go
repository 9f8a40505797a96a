package reactive

import "time"

// Poll returns a calc holding the latest result of fn, which is called once
// now and then every interval (Shiny's reactive.poll). The calc's dependents
// are invalidated only when a result differs from the previous one according
// to equal (nil equal: every poll is a change), or when fn starts or stops
// failing. fn runs inside the graph and may read reactive values; a change to
// them polls at once.
func Poll[T any](g *Graph, interval time.Duration, fn func() (T, error), equal func(a, b T) bool) *Calc[T] {
	var zero T
	last := NewValueFunc(g, zero, equal)
	lastErr := NewValueFunc(g, nil, equalFunc[error]())
	g.Do(func() {
		g.Isolate(func() {
			v, err := callCalc(fn)
			if err != nil {
				lastErr.Set(err)
				return
			}
			last.Set(v)
		})
	})
	NewEffect(g, func() error {
		defer g.InvalidateLater(interval)
		v, err := fn()
		if err != nil {
			if !IsSilent(err) {
				lastErr.Set(err)
			}
			return nil
		}
		lastErr.Set(nil)
		last.Set(v)
		return nil
	}, Label("poll"), siteOfFunc(fn))
	return NewCalc(g, func() (T, error) {
		if err := lastErr.Get(); err != nil {
			return zero, err
		}
		return last.Get(), nil
	}, Label("poll"), siteOfFunc(fn))
}
