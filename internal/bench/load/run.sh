#!/usr/bin/env bash
# Streaming load: builds the server and the client of this directory,
# starts the server on a free 127.0.0.1 port, runs the client (a separate
# process) against it, stops the server by its pid, and prints one summary
# line per run.
#
#   internal/bench/load/run.sh [-n SESSIONS] [-rate CHUNKS/S] [-duration D] [-runs R] [-server "FLAGS"] [-pin] [client flags…]
#
# Defaults: 1,000 sessions, 50 chunks/s, 60 s, 1 run. Each run gets a fresh
# server. -server passes flags to the server (e.g. "-coalesce 0",
# "-history /tmp/h.db", "-cpuprofile /tmp/cpu.pprof"). -pin runs the server
# on CPU 0 and the client on CPU 1 (taskset; SERVER_CPUS and CLIENT_CPUS
# change the lists): the server then has one core by construction (Go sets
# GOMAXPROCS to 1), and the client cannot take the server's core.
set -euo pipefail
cd "$(dirname "$0")/../../.."
. internal/bench/lib.sh

n=1000 rate=50 duration=60s runs=1 server_flags= pin=
args=()
while [ $# -gt 0 ]; do
	case $1 in
	-n) n=$2; shift 2 ;;
	-rate) rate=$2; shift 2 ;;
	-duration) duration=$2; shift 2 ;;
	-runs) runs=$2; shift 2 ;;
	-server) server_flags=$2; shift 2 ;;
	-pin) pin=1; shift ;;
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
server_cmd=("$bin/server") client_cmd=("$bin/client") pinned=
if [ -n "$pin" ]; then
	server_cmd=(taskset -c "${SERVER_CPUS:-0}" "$bin/server")
	client_cmd=(taskset -c "${CLIENT_CPUS:-1}" "$bin/client")
	pinned="; pinned: server on CPU ${SERVER_CPUS:-0}, client on CPU ${CLIENT_CPUS:-1}"
fi
echo "load: $n sessions × $rate chunks/s × $duration, $runs run(s); server flags: ${server_flags:-none}; open-file limit (hard): $(ulimit -Hn)$pinned"

status=0
for r in $(seq "$runs"); do
	# shellcheck disable=SC2086 # server_flags is a list of flags
	start_server "$bin/server-$r.out" "${server_cmd[@]}" -addr 127.0.0.1:0 -lifetime 2h $server_flags
	"${client_cmd[@]}" -label "run $r" -url "$url" -pid "$server_pid" -n "$n" -rate "$rate" -duration "$duration" ${args[@]+"${args[@]}"} || status=1
	stop_server
done
exit $status
