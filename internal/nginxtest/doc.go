// Package nginxtest runs a real nginx in front of a test's servers, on a
// free 127.0.0.1 port, started and stopped by the test itself: the load
// balancer of docs/deployment.md, for the multi-instance tests.
//
// [Start] writes a minimal configuration into a directory under
// t.TempDir() (daemon off, a master and one worker, pid, error log and
// temporary files in that directory) that proxies every request to the
// upstreams round-robin, with no stickiness, WebSocket upgrades passed
// through, buffering off and timeouts long enough for a stream; the proxy
// settings are those docs/deployment.md gives to copy ([Config] returns the
// text). The server is stopped by its pid when the test ends (SIGQUIT, then
// SIGTERM, then SIGKILL of its process group, each after a bound) and
// waited for: no nginx outlives the test.
//
// The binary is $SHEEN_NGINX, else nginx on $PATH, else /usr/sbin/nginx
// (Debian's package puts it there, off a user's $PATH). Without one the test
// is skipped, unless SHEEN_REQUIRE_NGINX=1 (as under make, whose deps
// install Debian's nginx), which makes it a failure.
package nginxtest
