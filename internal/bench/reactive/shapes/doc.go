// Package shapes holds the seven reactive-graph benchmark shapes S1–S7,
// written against package reactive exactly as ../shapes.mjs writes them
// against alien-signals and @preact/signals-core: same sizes, same write
// sequences, same assertions. The program ../gobench and the benchmarks in
// reactive/shapes_bench_test.go run them; ../compare.mjs puts the Go and JS
// numbers side by side.
//
// A shape builds its graph in a [reactive.Graph] and returns one iteration.
// An update is, inside one [reactive.Graph.Do], one [reactive.Value.Set]
// followed by [reactive.Graph.Flush]. Every iteration checks its result and
// returns an error on a mismatch, so a broken graph cannot look fast.
package shapes
