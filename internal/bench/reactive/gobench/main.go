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
// "floor", with the same protocol. With -lib both it runs every shape for
// "go" and, where the floor implements it, for "floor" too, alternating the
// two libraries' samples (one of go, one of floor, and so on) after both
// warmed up: on a shared machine whose speed changes from one second to the
// next, go/floor then compares samples taken at the same moments, where
// separate runs compared each library's luckiest moment. It prints the go
// line, then the floor line.
//
// Usage:
//
//	gobench [-lib go|floor|both] [-shape substring]
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
	lib := flag.String("lib", "go", "the graph to measure: go (package reactive), floor (package floor), or both, their samples interleaved")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "gobench: unexpected arguments %q\n", flag.Args())
		flag.Usage()
		os.Exit(2)
	}
	if *lib != "go" && *lib != "floor" && *lib != "both" {
		fmt.Fprintf(os.Stderr, "gobench: -lib must be go, floor or both, not %q\n", *lib)
		os.Exit(2)
	}
	if err := run(os.Stdout, *lib, *filter); err != nil {
		fmt.Fprintf(os.Stderr, "gobench: %v\n", err)
		os.Exit(1)
	}
}

// job is one shape to measure: build makes the iterations of its libraries
// (libs, in order), which sample times interleaved.
type job struct {
	name    string
	updates int
	samples int
	libs    []string
	build   func() (iters []func() error, done func(), err error)
}

// jobs returns the shapes of lib.
func jobs(lib string) []job {
	var js []job
	floors := map[string]floor.Shape{}
	for _, s := range floor.Shapes() {
		floors[s.Name] = s
	}
	if lib == "floor" {
		for _, s := range floor.Shapes() {
			ref, ok := shapes.Lookup(s.Name) // its protocol: the samples
			js = append(js, job{s.Name, s.Updates, ref.Samples, []string{"floor"}, func() ([]func() error, func(), error) {
				if !ok {
					return nil, nil, fmt.Errorf("floor shape %q is not one of shapes.All()", s.Name)
				}
				iter, err := s.Build()
				return []func() error{iter}, func() {}, err
			}})
		}
		return js
	}
	for _, s := range shapes.All() {
		fs, both := floors[s.Name]
		if lib != "both" || !both {
			js = append(js, job{s.Name, s.Updates, s.Samples, []string{"go"}, func() ([]func() error, func(), error) {
				iter, done, err := build(s)
				return []func() error{iter}, done, err
			}})
			continue
		}
		js = append(js, job{s.Name, s.Updates, s.Samples, []string{"go", "floor"}, func() ([]func() error, func(), error) {
			iter, done, err := build(s)
			if err != nil {
				return nil, nil, err
			}
			fiter, err := fs.Build()
			if err != nil {
				done()
				return nil, nil, err
			}
			return []func() error{iter, fiter}, done, nil
		}})
	}
	return js
}

// run measures every shape of lib whose name contains filter and writes its
// lines.
func run(w io.Writer, lib, filter string) error {
	enc := json.NewEncoder(w)
	n := 0
	for _, j := range jobs(lib) {
		if !strings.Contains(j.name, filter) {
			continue
		}
		n++
		iters, done, err := j.build()
		if err != nil {
			return err
		}
		best, err := sample(iters, j.samples)
		done()
		if err != nil {
			return err
		}
		for i, d := range best {
			ms := float64(d.Nanoseconds()) / 1e6
			if err := enc.Encode(result{Lib: j.libs[i], Shape: j.name, MS: ms, Updates: j.updates}); err != nil {
				return err
			}
		}
	}
	if n == 0 {
		return fmt.Errorf("no shape matches %q", filter)
	}
	return nil
}

// sample runs each iteration Warmup times untimed, collects garbage, then
// times n samples of each, alternating between them, and returns each one's
// fastest.
func sample(iters []func() error, n int) ([]time.Duration, error) {
	for _, iter := range iters {
		for range shapes.Warmup {
			if err := iter(); err != nil {
				return nil, err
			}
		}
	}
	runtime.GC()
	best := make([]time.Duration, len(iters))
	for i := range best {
		best[i] = time.Duration(1<<63 - 1)
	}
	for range n {
		for i, iter := range iters {
			t0 := time.Now()
			err := iter()
			d := time.Since(t0)
			if err != nil {
				return nil, err
			}
			best[i] = min(best[i], d)
		}
	}
	return best, nil
}

// build builds s on a fresh graph; done closes the graph.
func build(s shapes.Shape) (iter func() error, done func(), err error) {
	var reported error
	g := reactive.NewGraph(reactive.WithErrorHandler(func(err error) {
		if reported == nil {
			reported = err
		}
	}))
	it, err := s.Build(g)
	if err != nil {
		g.Close()
		return nil, nil, err
	}
	// checked adds an error the graph reported during the iteration.
	iter = func() error {
		err := it()
		if err == nil && reported != nil {
			err = fmt.Errorf("%s: graph reported: %w", s.Name, reported)
		}
		return err
	}
	return iter, g.Close, nil
}
