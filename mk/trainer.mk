# Trainer targets: the DeepWalk benchmark against gensim (bench/deepwalk/run.sh).
.PHONY: bench-deepwalk
bench-deepwalk: setup-bench build
	bash bench/deepwalk/run.sh

bench: bench-deepwalk

