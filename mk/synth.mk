# synth: `riskwalk gen`, the synthetic fraud graph (package synth).
.PHONY: bench-synth
bench: bench-synth

SYNTH_BENCH_USERS ?= 1000000

# bench-synth: the Go benchmarks (100k users end to end; one chunk without I/O), then
# `riskwalk gen` at $(SYNTH_BENCH_USERS) users three times against its anchor, `gzip -1` of the same
# uncompressed edges (the least that writing edges.tsv.gz costs), three times, in the same run.
bench-synth: build
	$(GO) test -run '^$$' -bench . -benchtime 3x -count 3 ./synth/
	@mkdir -p bench/out
	@TIMEFORMAT='%R s wall, %U s user'; d=bench/out/synth-bench; \
	for i in 1 2 3; do echo -n "riskwalk gen --users $(SYNTH_BENCH_USERS): "; \
	  time $(BIN)/riskwalk gen -q -o $$d --users $(SYNTH_BENCH_USERS) >/dev/null || exit 1; done; \
	gzip -dc $$d/edges.tsv.gz > $$d/edges.tsv; ls -l $$d; \
	for i in 1 2 3; do echo -n "anchor gzip -1 of edges.tsv: "; time gzip -1 -c $$d/edges.tsv >/dev/null; done; \
	rm -rf $$d
