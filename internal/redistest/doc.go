// Package redistest runs a real redis-server for tests, on a free
// 127.0.0.1 port, started and stopped by the test itself.
//
// [Start] returns the address of a server that lives until the test ends;
// [New] returns its [Server], which a failure test can [Server.Stop] (a
// SIGTERM) or [Server.Kill] (a SIGKILL) and [Server.Start] again on the
// same port: a Redis restarted mid-conversation. The server keeps nothing on
// disk unless the test asks for it with extra arguments ("--appendonly",
// "yes" keeps the data across a restart), in a directory under t.TempDir().
//
// The binary is $SHEEN_REDIS_SERVER, else redis-server on $PATH. Without
// one the test is skipped, unless SHEEN_REQUIRE_REDIS=1 (as under make,
// whose deps install Debian's redis-server), which makes it a failure.
// Every process is stopped by its pid when the test ends, and waited for:
// no server or goroutine outlives the test.
package redistest
