# Trainer targets: the DeepWalk benchmark against gensim (bench/deepwalk/run.sh).
.PHONY: bench-deepwalk bench-scale
bench-deepwalk: setup-bench build
	bash bench/deepwalk/run.sh

# The 1M-node, 10M-edge run of issue 3 (10 walks x 40, d=128; ~20 min on 2 free cores): peak RSS
# against 1.25 x (vectors + CSR). The generated graph stays in bench/out/scale for later runs.
bench-scale: build
	bash bench/deepwalk/scale.sh

bench: bench-deepwalk bench-scale


# Multi-thread Hogwild tests: they race on the shared matrices by design, so they are built with
# //go:build !race and run here without -race, as a prerequisite of `make test`.
.PHONY: test-trainer-norace
test-trainer-norace: setup
	$(GO) test -count=1 -run NoRace ./trainer/

test: test-trainer-norace
