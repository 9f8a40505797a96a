# sheen: the two commands a new machine needs are in README.md.
# `make test` installs what Go does not bring (Chromium for the browser tests,
# redis-server for the Redis store, nginx for the multi-instance tests,
# staticcheck, the JS benchmark packages when benchmarking) and runs everything.

GO          ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
NODE        ?= node
# Browser tests find Chromium through SHEEN_CHROME (set by gotest below, after
# `make chromium` installed it); under make a missing browser fails those
# tests instead of skipping them.
export SHEEN_REQUIRE_BROWSER ?= 1
# Likewise the Redis tests (internal/redistest starts redis-server from PATH):
# under make a missing redis-server fails them instead of skipping them.
export SHEEN_REQUIRE_REDIS ?= 1
# And the multi-instance tests (internal/nginxtest starts nginx from PATH or
# /usr/sbin): under make a missing nginx fails them instead of skipping them.
export SHEEN_REQUIRE_NGINX ?= 1

.PHONY: test check vet staticcheck gotest nodetest deps chromium redis nginx node a11y cluster bench bench-go bench-reactive bench-sessions bench-load load load-cluster soak fmt fuzz

test: deps check gotest nodetest

check: vet staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) run $(STATICCHECK) ./...

gotest:
	SHEEN_CHROME="$${SHEEN_CHROME:-$$(command -v chromium || command -v chromium-browser)}" $(GO) test -race -count=1 -timeout 20m ./...

# Fuzz targets. `make test` runs each on its seed corpus (testdata/fuzz and
# the seeds the target adds) as an ordinary test; `make fuzz` runs each with
# the fuzzing engine for FUZZTIME, one target at a time (go test -fuzz takes
# one target per package). A failing input is written to the package's
# testdata/fuzz/<Target>/; keep it there once the bug is fixed.
FUZZTIME    ?= 60s
FUZZTARGETS ?= ./protocol:FuzzDecodeClient ./protocol:FuzzDecodeServer ./internal/markdown:FuzzStream

fuzz:
	@set -e; for t in $(FUZZTARGETS); do \
		pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "fuzz $$fn ($$pkg) for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) $$pkg; \
	done

# The JS client's unit tests (node's built-in runner; no packages needed).
nodetest:
	$(NODE) --test client/

deps: chromium redis nginx node a11y

# Browser tests need Chromium; install Debian's package when it is missing.
chromium:
	@bash scripts/ensure-chromium.sh

# The Redis store's tests start their own redis-server; install Debian's
# package when it is missing (its system service is not started).
redis:
	@bash scripts/ensure-redis.sh

# The multi-instance tests run their own nginx in front of two instances;
# install Debian's package when it is missing (not started on port 80).
nginx:
	@bash scripts/ensure-nginx.sh

# The client's unit tests and the JS benchmarks need node; install Debian's
# nodejs when it is missing.
node:
	@command -v $(NODE) >/dev/null 2>&1 || { echo "node not found: installing Debian's nodejs" >&2; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs >/dev/null; }

# The accessibility checks of the browser tests run axe-core; install the
# pinned version (internal/a11y/package-lock.json) when it is missing.
a11y: node
	@bash scripts/ensure-axe.sh

# A local try-out of docs/deployment.md: redis-server, two instances of
# examples/chat and nginx on 127.0.0.1:8000. Ctrl-C stops them.
cluster: redis nginx
	@bash scripts/cluster.sh

fmt:
	gofmt -w $$(git ls-files '*.go')

# Benchmarks: Go micro-benchmarks plus the cross-language comparisons.
bench: bench-go bench-reactive bench-sessions bench-load

bench-go:
	$(GO) test -run '^$$' -bench . -benchmem -count 1 ./...

bench-reactive:
	@bash internal/bench/reactive/run.sh

# Idle memory per session with 10,000 open sessions (a separate client process).
bench-sessions:
	@bash internal/bench/sessions/run.sh 10000

# A short streaming load run for `make bench`: 200 sessions × 50 chunks/s ×
# 10 s (about 15 s); `make load` is the full one.
bench-load:
	@bash internal/bench/load/run.sh -n 200 -duration 10s

# Streaming load (not part of `make test`): LOADRUNS runs of 1,000 sessions ×
# 50 chunks/s × 60 s, each against a fresh server, clients in their own
# process; one summary line per run. More flags: LOADFLAGS (see run.sh).
LOADRUNS  ?= 2
LOADFLAGS ?=
load:
	@bash internal/bench/load/run.sh -runs $(LOADRUNS) $(LOADFLAGS)

# Soak (not part of `make test`): 200 users at a time connect, chat, drop the
# socket mid-reply, resume, leave, for DURATION; prints the server's heap,
# goroutines and open files at start, peak and end, and a verdict.
DURATION ?= 30m
SOAKVUS  ?= 200
soak:
	@bash internal/bench/load/soak.sh $(DURATION) $(SOAKVUS)

# Many instances: the streaming load through nginx in front of two
# instances, then on one instance without nginx, side by side.
load-cluster: nginx
	@bash internal/bench/load/cluster.sh
