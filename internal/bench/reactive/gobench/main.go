// Command gobench runs the reactive shapes S1–S7 against sheen's reactive
// package and prints one JSON line per shape, in the format of ../bench.mjs:
//
//	{"lib":"go","shape":"S1_deep1000","ms":1.234,"updates":100}
//
// ms is the fastest of the shape's samples. Protocol (performance plan
// §1.3): build the graph, run 3 untimed warm-up iterations, collect garbage,
// then time the samples (10; 5 for S5, 20 for S7). Every iteration checks its
// result; a wrong result or an error reported by the graph ends the program
// with exit status 1. ../compare.mjs runs it next to the JS libraries.
//
// Usage:
//
//	gobench [-shape substring]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/sheenhq/sheen/internal/bench/reactive/shapes"
	"github.com/sheenhq/sheen/reactive"
)

// result is one output line.
type result struct {
	Lib     string  `json:"lib"`
	Shape   string  `json:"shape"`
	MS      float64 `json:"ms"`
	Updates int     `json:"updates"`
}

func main() {
	filter := flag.String("shape", "", "run only the shapes whose name contains this")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "gobench: unexpected arguments %q\n", flag.Args())
		flag.Usage()
		os.Exit(2)
	}
	if err := run(os.Stdout, *filter); err != nil {
		fmt.Fprintf(os.Stderr, "gobench: %v\n", err)
		os.Exit(1)
	}
}

// run measures every shape whose name contains filter and writes its line.
func run(w io.Writer, filter string) error {
	enc := json.NewEncoder(w)
	n := 0
	for _, s := range shapes.All() {
		if !strings.Contains(s.Name, filter) {
			continue
		}
		n++
		best, err := measure(s)
		if err != nil {
			return err
		}
		ms := float64(best.Nanoseconds()) / 1e6
		if err := enc.Encode(result{Lib: "go", Shape: s.Name, MS: ms, Updates: s.Updates}); err != nil {
			return err
		}
	}
	if n == 0 {
		return fmt.Errorf("no shape matches %q", filter)
	}
	return nil
}

// measure builds s on a fresh graph and returns its fastest sample.
func measure(s shapes.Shape) (time.Duration, error) {
	var reported error
	g := reactive.NewGraph(reactive.WithErrorHandler(func(err error) {
		if reported == nil {
			reported = err
		}
	}))
	defer g.Close()
	iter, err := s.Build(g)
	if err != nil {
		return 0, err
	}
	// checked adds an error the graph reported during the iteration.
	checked := func(err error) error {
		if err == nil && reported != nil {
			err = fmt.Errorf("%s: graph reported: %w", s.Name, reported)
		}
		return err
	}
	for range shapes.Warmup {
		if err := checked(iter()); err != nil {
			return 0, err
		}
	}
	runtime.GC()
	best := time.Duration(1<<63 - 1)
	for range s.Samples {
		t0 := time.Now()
		err := iter()
		d := time.Since(t0)
		if err := checked(err); err != nil {
			return 0, err
		}
		best = min(best, d)
	}
	return best, nil
}
