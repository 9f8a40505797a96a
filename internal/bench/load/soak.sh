#!/usr/bin/env bash
# Soak: builds the server and the soak client of this directory, starts the
# server on a free 127.0.0.1 port (sessions outlive their socket by 10 s),
# runs the soak client (a separate process) for DURATION with VUS users at
# a time, and stops the server by its pid. The client prints the server's
# heap, goroutines and open files at start, peak and end, and a verdict.
#
#   internal/bench/load/soak.sh [DURATION [VUS [server flags…]]]   # defaults: 30m, 200
set -euo pipefail
cd "$(dirname "$0")/../../.."
. internal/bench/lib.sh
duration=${1:-30m}
vus=${2:-200}
shift 2 || shift $# || true

bin=$(mktemp -d)
cleanup() {
	stop_server
	rm -rf "$bin"
}
trap cleanup EXIT

go build -o "$bin/server" ./internal/bench/load/server
go build -o "$bin/soak" ./internal/bench/load/soak
machine
start_server "$bin/server.out" "$bin/server" -addr 127.0.0.1:0 -grace 10s -lifetime 25h "$@"
echo "soak: $vus users for $duration; server $url (pid $server_pid), flags: ${*:-none}"
"$bin/soak" -url "$url" -vus "$vus" -duration "$duration"
