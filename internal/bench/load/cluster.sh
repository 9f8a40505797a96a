#!/usr/bin/env bash
# Many instances (issue 12): the streaming load of run.sh, side by side in
# one invocation, (1) through nginx in front of two instances of the load
# server (round-robin, no stickiness: each session's WebSocket lands on
# either), then (2) on one instance without nginx. Prints the client's
# summary line for each, and nginx's own CPU time for (1).
#
#   internal/bench/load/cluster.sh [-n SESSIONS] [-rate CHUNKS/S] [-duration D]
#
# Defaults: 1,000 sessions, 50 chunks/s, 60 s. Everything on 127.0.0.1;
# every process is stopped by its pid.
set -euo pipefail
cd "$(dirname "$0")/../../.."
. internal/bench/lib.sh

n=1000 rate=50 duration=60s
while [ $# -gt 0 ]; do
	case $1 in
	-n) n=$2; shift 2 ;;
	-rate) rate=$2; shift 2 ;;
	-duration) duration=$2; shift 2 ;;
	*) echo "usage: $0 [-n SESSIONS] [-rate CHUNKS/S] [-duration D]" >&2; exit 2 ;;
	esac
done
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx" ] || { echo "nginx not found: make nginx installs it" >&2; exit 1; }

dir=$(mktemp -d)
pids=()
nginx_pid=
cleanup() {
	stop_server
	for p in "${pids[@]+"${pids[@]}"}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	if [ -n "$nginx_pid" ]; then kill -QUIT "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
	rm -rf "$dir"
}
trap cleanup EXIT

go build -o "$dir/server" ./internal/bench/load/server
go build -o "$dir/client" ./internal/bench/load/client
machine
echo "cluster load: $n sessions × $rate chunks/s × $duration; two instances through nginx, then one instance without it"

# (1) Two instances behind nginx.
start_server "$dir/a.out" "$dir/server" -addr 127.0.0.1:0 -lifetime 2h
a_pid=$server_pid a_url=$url
pids+=("$a_pid")
server_pid=
start_server "$dir/b.out" "$dir/server" -addr 127.0.0.1:0 -lifetime 2h
b_pid=$server_pid b_url=$url
pids+=("$b_pid")
server_pid=
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
go run ./internal/nginxtest/nginxconf -listen "127.0.0.1:$port" \
	-upstream "${a_url#http://}" -upstream "${b_url#http://}" \
	-dir "$dir/nginx" -connections 10000 -access-log=false >"$dir/nginx.conf"
"$nginx" -e "$dir/nginx/error.log" -c "$dir/nginx.conf" -p "$dir/nginx/" &
nginx_pid=$!
for _ in $(seq 100); do
	(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
	kill -0 "$nginx_pid" 2>/dev/null || { cat "$dir/nginx/error.log"; exit 1; }
	sleep 0.1
done
worker=$(pgrep -P "$nginx_pid" | head -1)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
t0=$(ticks "$worker")
status=0
"$dir/client" -label "two instances through nginx" -url "http://127.0.0.1:$port" -pid "$a_pid,$b_pid" -n "$n" -rate "$rate" -duration "$duration" || status=1
t1=$(ticks "$worker")
echo "nginx worker CPU: $(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.1f s", d / 100 }')"
kill -QUIT "$nginx_pid" 2>/dev/null || true
wait "$nginx_pid" 2>/dev/null || true
nginx_pid=
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
pids=()

# (2) One instance, no nginx.
start_server "$dir/one.out" "$dir/server" -addr 127.0.0.1:0 -lifetime 2h
"$dir/client" -label "one instance, direct" -url "$url" -pid "$server_pid" -n "$n" -rate "$rate" -duration "$duration" || status=1
stop_server
exit $status
