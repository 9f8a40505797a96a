#!/usr/bin/env bash
# Installs axe-core (npm, the version pinned in internal/a11y/package-lock.json)
# for the accessibility checks of the browser tests, when it is missing.
set -euo pipefail
cd "$(dirname "$0")/../internal/a11y"
if [ -f node_modules/axe-core/axe.min.js ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "npm not found: installing Debian's npm package (needed for axe-core)" >&2
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq npm >/dev/null
fi
echo "installing axe-core into internal/a11y (accessibility checks)" >&2
npm ci --no-audit --no-fund --loglevel=error
test -f node_modules/axe-core/axe.min.js
