# Trainer targets: the DeepWalk benchmark against gensim (bench/deepwalk/run.sh).
.PHONY: bench-deepwalk
bench-deepwalk: setup-bench build
	bash bench/deepwalk/run.sh

bench: bench-deepwalk


# Multi-thread Hogwild tests: they race on the shared matrices by design, so they are built with
# //go:build !race and run here without -race, as a prerequisite of `make test`.
.PHONY: test-trainer-norace
test-trainer-norace: setup
	$(GO) test -count=1 -run NoRace ./trainer/

test: test-trainer-norace
