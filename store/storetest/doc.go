// Package storetest checks that a [store.Store] implementation behaves as
// the interface promises, as testing/fstest does for fs.FS: an
// implementation's tests call [Run] with a function that opens a fresh,
// empty store, and its benchmarks call [Bench]. The suite pins what the
// chat relies on (round trips, message order, streaming growth, owner
// isolation, newest-first cursor paging, concurrent appends, limits) and the
// precisions it tolerates: times within a millisecond, an empty Meta read
// back as nil. What a suite cannot do from inside one process (kill the
// writer mid-write, corrupt a row behind the store's back) each
// implementation tests itself.
//
// [RunBus] and [BenchBus] do the same for a [store.Bus]: positions in
// order, Since and Trim, followers that miss and repeat nothing while a
// publisher races their start, idle calls, prompt cancellation, large and
// unicode events; and the publish and publish-to-follower latencies.
package storetest
