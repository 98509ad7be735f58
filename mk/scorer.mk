# Scorer targets (serving engineer): the bundle, riskwalk-scorer, its deploy files and benchmark.
#   make bench-scorer   1M-user synthetic bundle, wrk (Zipf ids) direct and through nginx, redis reference
#   make fuzz-scorer    the request-parser fuzz test, bounded (FUZZTIME, default 10s)
#   make scorer-static  build riskwalk-scorer with CGO_ENABLED=0 and check it is static
APT_TEST  += nginx-light curl systemd
APT_BENCH += wrk redis-server redis-tools nginx-light curl

# A count, not a duration: a time-bounded fuzz run can end with a spurious "context deadline
# exceeded" failure when the machine is loaded; a fixed count ends deterministically.
FUZZTIME ?= 150000x

.PHONY: bench-scorer fuzz-scorer scorer-static

# Two operating points: 4 connections (the latency target: p99 <= 1 ms at >= 20k req/s) and 16
# (saturation: throughput, with queueing in the tail). Set SCORER_CONNS to choose others.
SCORER_CONNS ?= 4 16
bench-scorer: setup-bench
	@for c in $(SCORER_CONNS); do echo "== $$c connections"; CONNS=$$c bash bench/scorer/bench.sh || exit 1; done

bench: bench-scorer

fuzz-scorer: setup
	$(GO) test -run '^$$' -fuzz '^FuzzParseRequest$$' -fuzztime $(FUZZTIME) ./scorer/

scorer-static: setup
	@mkdir -p $(BIN)
	CGO_ENABLED=0 $(GO) build -o $(BIN)/ ./cmd/riskwalk-scorer
	@if readelf -l $(BIN)/riskwalk-scorer | grep -q INTERP; then echo "riskwalk-scorer is dynamically linked" >&2; exit 1; fi
	@echo "riskwalk-scorer: static, CGO_ENABLED=0"

# CI runs the bounded fuzz as part of make test.
test: fuzz-scorer
