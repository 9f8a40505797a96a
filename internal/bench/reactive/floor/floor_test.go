package floor

import "testing"

func TestShapes(t *testing.T) {
	for _, s := range Shapes() {
		t.Run(s.Name, func(t *testing.T) {
			iter, err := s.Build()
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if err := iter(); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// A calc runs when read, not before, and only when invalid.
func TestLazy(t *testing.T) {
	g := new(Graph)
	v := g.Value(1)
	runs := 0
	c := g.Calc(func() int { runs++; return v.Get() * 10 })
	if runs != 0 {
		t.Fatalf("calc ran %d times before a read", runs)
	}
	first, second := c.Get(), c.Get()
	if first != 10 || second != 10 || runs != 1 {
		t.Fatalf("two reads = %d, %d; runs = %d, want 10, 10; 1", first, second, runs)
	}
	v.Set(2)
	if runs != 1 {
		t.Fatalf("calc ran on Set")
	}
	if c.Get() != 20 || runs != 2 {
		t.Fatalf("after Set and a read: runs = %d", runs)
	}
}
