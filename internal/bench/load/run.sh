#!/usr/bin/env bash
# Streaming load: builds the server and the client of this directory,
# starts the server on a free 127.0.0.1 port, runs the client (a separate
# process) against it, stops the server by its pid, and prints one summary
# line per run.
#
#   internal/bench/load/run.sh [-n SESSIONS] [-rate CHUNKS/S] [-duration D] [-runs R] [-server "FLAGS"] [client flags…]
#
# Defaults: 1,000 sessions, 50 chunks/s, 60 s, 1 run. Each run gets a fresh
# server. -server passes flags to the server (e.g. "-coalesce 0",
# "-history /tmp/h.db", "-cpuprofile /tmp/cpu.pprof").
set -euo pipefail
cd "$(dirname "$0")/../../.."
. internal/bench/lib.sh

n=1000 rate=50 duration=60s runs=1 server_flags=
args=()
while [ $# -gt 0 ]; do
	case $1 in
	-n) n=$2; shift 2 ;;
	-rate) rate=$2; shift 2 ;;
	-duration) duration=$2; shift 2 ;;
	-runs) runs=$2; shift 2 ;;
	-server) server_flags=$2; shift 2 ;;
	*) args+=("$1"); shift ;;
	esac
done

bin=$(mktemp -d)
cleanup() {
	stop_server
	rm -rf "$bin"
}
trap cleanup EXIT

go build -o "$bin/server" ./internal/bench/load/server
go build -o "$bin/client" ./internal/bench/load/client
machine
echo "load: $n sessions × $rate chunks/s × $duration, $runs run(s); server flags: ${server_flags:-none}; open-file limit (hard): $(ulimit -Hn)"

status=0
for r in $(seq "$runs"); do
	# shellcheck disable=SC2086 # server_flags is a list of flags
	start_server "$bin/server.out" "$bin/server" -addr 127.0.0.1:0 -lifetime 2h $server_flags
	"$bin/client" -label "run $r" -url "$url" -pid "$server_pid" -n "$n" -rate "$rate" -duration "$duration" ${args[@]+"${args[@]}"} || status=1
	stop_server
done
exit $status
