# community and partition: Louvain against igraph, Louvain partitioning against hash (and METIS).
APT_BENCH += python3-igraph python3-numpy metis

.PHONY: bench-louvain bench-partition
bench: bench-louvain bench-partition

# Louvain vs python3-igraph on dblp-2010 and cnr-2000; append the table to bench/RESULTS.md by hand.
bench-louvain: setup-bench
	bash bench/louvain/run.sh 5

bench-partition: setup-bench
	bash bench/partition/run.sh

# The partition balance checks on the large shared graphs (dblp-2010, cnr-2000) take minutes under
# the race detector, so partition/big_test.go is built only without -race and runs here.
.PHONY: test-big
test: test-big
test-big: setup
	$(GO) test -count=1 -run Big ./partition/
