# Trainer targets: the DeepWalk benchmark against gensim (bench/deepwalk/run.sh).
.PHONY: bench-deepwalk
bench-deepwalk: setup-bench build
	bash bench/deepwalk/run.sh

bench: bench-deepwalk

# The demo trains on a small graph (karate club until the demo graph from `riskwalk gen`/ingest is
# wired in) and exports word2vec text beside it.
.PHONY: demo-train
demo-train: build
	@mkdir -p demo-out
	$(BIN)/riskwalk-train --graph ../shared/data/karate/edges.tsv --out demo-out/karate.rwv --walks 20 --dim 16 --window 5 --threads 1 --quiet
	$(BIN)/riskwalk export --format word2vec -o demo-out/karate.emb demo-out/karate.rwv

demo: demo-train
