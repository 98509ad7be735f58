# community and partition: Louvain against igraph, Louvain partitioning against hash (and METIS).
APT_BENCH += python3-igraph python3-numpy metis

.PHONY: bench-louvain bench-partition
bench: bench-louvain bench-partition

# Louvain vs python3-igraph on dblp-2010 and cnr-2000; append the table to bench/RESULTS.md by hand.
bench-louvain: setup-bench
	bash bench/louvain/run.sh 5

bench-partition: setup-bench
	bash bench/partition/run.sh
