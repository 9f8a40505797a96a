#!/usr/bin/env bash
# A local try-out of docs/deployment.md: redis-server, two instances of
# examples/chat sharing it and one cookie key, and nginx in front of them,
# all on 127.0.0.1. Ctrl-C stops everything, by pid.
#
#   make cluster            (or: bash scripts/cluster.sh)
#
# Ports: nginx 8000, instances 8001 and 8002, Redis 6379; change them with
# SHEEN_CLUSTER_PORT, SHEEN_CLUSTER_A, SHEEN_CLUSTER_B, SHEEN_CLUSTER_REDIS.
# Everything the processes write (logs, Redis's append-only file, the cookie
# key, nginx.conf) goes to SHEEN_CLUSTER_DIR (default: a new temporary
# directory), so that running again with the same directory keeps the
# conversations and the users.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${SHEEN_CLUSTER_PORT:-8000}
port_a=${SHEEN_CLUSTER_A:-8001}
port_b=${SHEEN_CLUSTER_B:-8002}
port_redis=${SHEEN_CLUSTER_REDIS:-6379}
dir=${SHEEN_CLUSTER_DIR:-$(mktemp -d -t sheen-cluster.XXXXXX)}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

nginx=$(command -v nginx || echo /usr/sbin/nginx)
redis=$(command -v redis-server || true)
[ -x "$nginx" ] || { echo "nginx not found: make nginx installs it" >&2; exit 1; }
[ -n "$redis" ] || { echo "redis-server not found: make redis installs it" >&2; exit 1; }

for p in "$port" "$port_a" "$port_b" "$port_redis"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "127.0.0.1:$p is in use; stop what listens there or choose other ports (see the top of $0)" >&2
    exit 1
  fi
done

pids=()
stop() {
  trap - INT TERM EXIT
  echo >&2
  echo "stopping (pids ${pids[*]:-none})" >&2
  # Instances first (SIGTERM: they drain their replies), then nginx
  # (SIGQUIT: graceful), then Redis (SIGTERM: it writes its file).
  for pid in "${pids[@]}"; do
    case $pid in
      nginx:*) kill -QUIT "${pid#nginx:}" 2>/dev/null || true ;;
      *) kill -TERM "$pid" 2>/dev/null || true ;;
    esac
  done
  for pid in "${pids[@]}"; do
    wait "${pid#nginx:}" 2>/dev/null || true
  done
  echo "stopped; logs and data are in $dir" >&2
}
trap stop INT TERM EXIT

# wait_port PORT PID NAME: until 127.0.0.1:PORT accepts (20 s at most), or
# the process PID exits.
wait_port() {
  for _ in $(seq 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    kill -0 "$2" 2>/dev/null || { echo "$3 exited; see $dir/$3.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "$3 does not listen on 127.0.0.1:$1; see $dir/$3.log" >&2
  exit 1
}

echo "building examples/chat" >&2
go build -o "$dir/chat" ./examples/chat

# The cookie key: one file, the same for every instance, made once.
if [ ! -s "$dir/cookie.key" ]; then
  (umask 077 && head -c 32 /dev/urandom >"$dir/cookie.key")
fi

"$redis" --port "$port_redis" --bind 127.0.0.1 --dir "$dir" --save "" \
  --appendonly yes --logfile "$dir/redis.log" --daemonize no &
pids+=($!)
wait_port "$port_redis" $! redis

for inst in "a $port_a" "b $port_b"; do
  set -- $inst
  "$dir/chat" -addr "127.0.0.1:$2" -instance "$1" \
    -redis "127.0.0.1:$port_redis" -cookie-key-file "$dir/cookie.key" \
    -proxies 127.0.0.1 >"$dir/$1.log" 2>&1 &
  pids+=($!)
  wait_port "$2" $! "$1"
done

# The configuration of internal/nginxtest, which the tests run; its http
# block is docs/deployment.md's.
go run ./internal/nginxtest/nginxconf -listen "127.0.0.1:$port" \
  -upstream "127.0.0.1:$port_a" -upstream "127.0.0.1:$port_b" \
  -dir "$dir/nginx" -shutdown-timeout 10s >"$dir/nginx.conf"
"$nginx" -e "$dir/nginx/error.log" -c "$dir/nginx.conf" -p "$dir/nginx/" &
nginx_pid=$!
pids+=("nginx:$nginx_pid")
wait_port "$port" "$nginx_pid" nginx/error

cat >&2 <<EOF

sheen cluster: open http://127.0.0.1:$port/

  nginx     127.0.0.1:$port   pid $nginx_pid   (round-robin, no stickiness)
  instance  127.0.0.1:$port_a   pid ${pids[1]}   log $dir/a.log
  instance  127.0.0.1:$port_b   pid ${pids[2]}   log $dir/b.log
  redis     127.0.0.1:$port_redis   pid ${pids[0]}   log $dir/redis.log

Try: open a conversation, then its URL on :$port_a and :$port_b directly;
kill -TERM one instance mid-reply (it drains), or kill -9 one.
Ctrl-C stops everything.
EOF

# Until Ctrl-C, or until one of them exits.
wait -n || true
