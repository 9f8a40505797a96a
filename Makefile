# sheen: the two commands a new machine needs are in README.md.
# `make test` installs what Go does not bring (Chromium for the browser tests,
# staticcheck, the JS benchmark packages when benchmarking) and runs everything.

GO          ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
NODE        ?= node
# Packages whose tests drive a real browser find it through SHEEN_CHROME.
export SHEEN_CHROME ?= $(shell command -v chromium 2>/dev/null || command -v chromium-browser 2>/dev/null)

.PHONY: test check vet staticcheck gotest nodetest deps chromium bench bench-go bench-reactive fmt

test: deps check gotest nodetest

check: vet staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) run $(STATICCHECK) ./...

gotest:
	$(GO) test -race -count=1 ./...

# The JS client's unit tests (node's built-in runner; no packages needed).
nodetest:
	@if ls client/*.test.mjs >/dev/null 2>&1; then $(NODE) --test client/; else echo "no client tests yet"; fi

deps: chromium

# Browser tests need Chromium; install Debian's package when it is missing.
chromium:
	@bash scripts/ensure-chromium.sh

fmt:
	gofmt -w $$(git ls-files '*.go')

# Benchmarks: Go micro-benchmarks plus the cross-language comparisons.
bench: bench-go bench-reactive

bench-go:
	$(GO) test -run '^$$' -bench . -benchmem -count 1 ./...

bench-reactive:
	@bash internal/bench/reactive/run.sh
