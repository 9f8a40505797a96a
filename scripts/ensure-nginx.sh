#!/usr/bin/env bash
# Installs Debian's nginx for the multi-instance tests when it is not on the
# machine. The tests run their own nginx on free 127.0.0.1 ports; the
# package's system service (port 80) is not started.
set -euo pipefail
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
  exit 0
fi
echo "nginx not found: installing Debian's nginx package (needed by the multi-instance tests)" >&2
bash "$(dirname "$0")/apt-install-nostart.sh" nginx
[ -x /usr/sbin/nginx ]
