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
// With -lib floor it runs the shapes that package floor implements (the
// smallest Go graph with the same semantics, see its doc) instead, as lib
// "floor", with the same protocol.
//
// Usage:
//
//	gobench [-lib go|floor] [-shape substring]
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

	"github.com/sheenhq/sheen/internal/bench/reactive/floor"
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
	lib := flag.String("lib", "go", "the graph to measure: go (package reactive) or floor (package floor)")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "gobench: unexpected arguments %q\n", flag.Args())
		flag.Usage()
		os.Exit(2)
	}
	if *lib != "go" && *lib != "floor" {
		fmt.Fprintf(os.Stderr, "gobench: -lib must be go or floor, not %q\n", *lib)
		os.Exit(2)
	}
	if err := run(os.Stdout, *lib, *filter); err != nil {
		fmt.Fprintf(os.Stderr, "gobench: %v\n", err)
		os.Exit(1)
	}
}

// job is one shape to measure.
type job struct {
	name    string
	updates int
	measure func() (time.Duration, error)
}

// jobs returns the shapes of lib.
func jobs(lib string) []job {
	var js []job
	if lib == "floor" {
		for _, s := range floor.Shapes() {
			js = append(js, job{s.Name, s.Updates, func() (time.Duration, error) { return measureFloor(s) }})
		}
		return js
	}
	for _, s := range shapes.All() {
		js = append(js, job{s.Name, s.Updates, func() (time.Duration, error) { return measure(s) }})
	}
	return js
}

// run measures every shape of lib whose name contains filter and writes its
// line.
func run(w io.Writer, lib, filter string) error {
	enc := json.NewEncoder(w)
	n := 0
	for _, j := range jobs(lib) {
		if !strings.Contains(j.name, filter) {
			continue
		}
		n++
		best, err := j.measure()
		if err != nil {
			return err
		}
		ms := float64(best.Nanoseconds()) / 1e6
		if err := enc.Encode(result{Lib: lib, Shape: j.name, MS: ms, Updates: j.updates}); err != nil {
			return err
		}
	}
	if n == 0 {
		return fmt.Errorf("no shape matches %q", filter)
	}
	return nil
}

// measureFloor is measure for a floor shape, with the samples of the shape
// of the same name.
func measureFloor(s floor.Shape) (time.Duration, error) {
	ref, ok := shapes.Lookup(s.Name)
	if !ok {
		return 0, fmt.Errorf("floor shape %q is not one of shapes.All()", s.Name)
	}
	iter, err := s.Build()
	if err != nil {
		return 0, err
	}
	return sample(iter, ref.Samples)
}

// sample runs the warm-up iterations, collects garbage, then times n
// iterations and returns the fastest.
func sample(iter func() error, n int) (time.Duration, error) {
	for range shapes.Warmup {
		if err := iter(); err != nil {
			return 0, err
		}
	}
	runtime.GC()
	best := time.Duration(1<<63 - 1)
	for range n {
		t0 := time.Now()
		err := iter()
		d := time.Since(t0)
		if err != nil {
			return 0, err
		}
		best = min(best, d)
	}
	return best, nil
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
	return sample(func() error { return checked(iter()) }, s.Samples)
}
