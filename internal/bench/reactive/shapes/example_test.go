package shapes_test

import (
	"fmt"

	"github.com/sheenhq/sheen/internal/bench/reactive/shapes"
	"github.com/sheenhq/sheen/reactive"
)

func ExampleShape_Build() {
	s, _ := shapes.Lookup("S6_stream1to1")
	g := reactive.NewGraph()
	defer g.Close()
	iter, err := s.Build(g)
	if err != nil {
		fmt.Println(err)
		return
	}
	// One iteration: 100,000 updates of Value -> Calc -> Effect, checked.
	fmt.Println(s.Name, s.Updates, iter())
	// Output: S6_stream1to1 100000 <nil>
}
