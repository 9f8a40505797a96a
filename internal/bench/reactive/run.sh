#!/usr/bin/env bash
# make bench-reactive: the cross-language reactive benchmark. Installs the
# pinned JS libraries when they are missing, then runs compare.mjs, which
# builds the Go side and runs Go, alien-signals and @preact/signals-core
# interleaved (ROUNDS rounds, default 3) and prints a markdown table.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

if ! command -v node >/dev/null 2>&1; then
	echo "bench-reactive: node is required (Debian: apt-get install nodejs npm)" >&2
	exit 1
fi
if [ ! -d node_modules/alien-signals ] || [ ! -d node_modules/@preact/signals-core ]; then
	if [ -f package-lock.json ]; then
		npm ci --no-audit --no-fund
	else
		npm install --no-audit --no-fund
	fi
fi
exec node compare.mjs "${ROUNDS:-3}"
