#!/usr/bin/env bash
# Idle memory per sheen session: builds the server and the client of this
# directory, starts the server on 127.0.0.1, opens N sessions (default
# 10,000) from the client process and prints the server's memory per session.
#
#   internal/bench/sessions/run.sh [N] [client flags…]
#   HEAPPROFILE=/tmp/heap.pb.gz internal/bench/sessions/run.sh   # also save the server's heap profile
set -euo pipefail
cd "$(dirname "$0")/../../.."
n=${1:-10000}
shift || true

bin=$(mktemp -d)
server_pid=
cleanup() {
	if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
	rm -rf "$bin"
}
trap cleanup EXIT

go build -o "$bin/server" ./internal/bench/sessions/server
go build -o "$bin/client" ./internal/bench/sessions/client

"$bin/server" -addr 127.0.0.1:0 >"$bin/server.out" 2>&1 &
server_pid=$!
url=
for _ in $(seq 100); do
	url=$(sed -n 's/^listening //p' "$bin/server.out")
	[ -n "$url" ] && break
	kill -0 "$server_pid" 2>/dev/null || { cat "$bin/server.out"; exit 1; }
	sleep 0.1
done
[ -n "$url" ] || { echo "the server did not start"; cat "$bin/server.out"; exit 1; }

echo "go: $(go version | cut -d' ' -f3-)   cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)   cores: $(nproc)"
echo "server $url; open-file limit (hard): $(ulimit -Hn)"
"$bin/client" -url "$url" -n "$n" ${HEAPPROFILE:+-heapprofile "$HEAPPROFILE"} "$@"
