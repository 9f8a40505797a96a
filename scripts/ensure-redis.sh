#!/usr/bin/env bash
# Installs Debian's redis-server for the Redis store's tests when it is not on
# the machine. The tests start their own server (internal/redistest); the
# package's system service is not started.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi
echo "redis-server not found: installing Debian's redis-server package (needed by the store/redis tests)" >&2
bash "$(dirname "$0")/apt-install-nostart.sh" redis-server
command -v redis-server >/dev/null
