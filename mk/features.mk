# Graph features (features/, bench/features/).
APT_BENCH += python3-igraph python3-numpy

.PHONY: bench-features

# riskwalk PageRank/WCC/k-core/triangles vs python3-igraph on dblp-2010 and cnr-2000, plus the
# supernode-safety run; figures go to bench/RESULTS.md by hand (see bench/features/run.sh).
bench-features: setup-bench
	bash bench/features/run.sh

bench: bench-features
