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

. internal/bench/lib.sh
bin=$(mktemp -d)
cleanup() {
	stop_server
	rm -rf "$bin"
}
trap cleanup EXIT

go build -o "$bin/server" ./internal/bench/sessions/server
go build -o "$bin/client" ./internal/bench/sessions/client

start_server "$bin/server.out" "$bin/server" -addr 127.0.0.1:0
machine
echo "server $url; open-file limit (hard): $(ulimit -Hn)"
"$bin/client" -url "$url" -n "$n" ${HEAPPROFILE:+-heapprofile "$HEAPPROFILE"} "$@"
