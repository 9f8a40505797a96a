// Package reactive is the reactive graph every sheen session runs on.
//
// It follows the rules of Shiny's reactive core, so a Shiny user can predict
// it: a [Value] holds state; a [Calc] derives a value lazily and caches it (and
// its error) until something it read changes; an [Effect] runs eagerly for its
// side effects and is queued again whenever something it read changes. Reads
// are tracked: every run re-learns its dependencies. Changing a Value
// invalidates its dependents at once, depth first; the next flush re-runs the
// invalidated effects, highest priority first, then in the order they were
// invalidated, until nothing is pending.
//
// # One graph per session, one turn at a time
//
// A [Graph] is one session's graph and its scheduler. There is no global graph
// and no package-level mutable state. All reactive code of a graph (calcs,
// effects, after-flush hooks, functions given to [Graph.Do] and [Graph.Post])
// runs inside a turn of that graph, one piece at a time; graphs never wait for
// each other. Other goroutines change a graph only through it: [Graph.Do] runs a
// function as a turn and returns when the flush it caused is done, [Graph.Post]
// does the same asynchronously, and [Value.Set] called from another goroutine
// is a Do. Reads ([Value.Get], [Calc.Get]) from another goroutine are also run
// as a Do, except inside a [Task] body, where they are an error.
//
// # Errors and silent stops
//
// Calcs return (T, error) and effects return error. [ErrSilent] (also raised by
// [Req] and by reading an unset Value) stops a calc or effect quietly, like
// Shiny's req(). A calc caches its error and hands it to every reader without
// re-running. Any other error of an effect, and any panic, goes to the graph's
// error handler ([WithErrorHandler]) and the flush goes on.
//
// docs/reactive.md describes the model in full, including every place it
// deliberately differs from py-shiny.
package reactive
