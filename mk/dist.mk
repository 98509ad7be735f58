# dist: the SPMD trainer (package spmd, riskwalk-train under mpirun). The OMPI_* variables for root
# and the ob1 PML come from the top-level Makefile; hostfiles/README.md has the mpirun lines.
.PHONY: train-mpi test-dist bench-dist bench-dist-linkpred

TRAIN_MPI_DIR ?= train-mpi-out
TRAIN_MPI_USERS ?= 20000
MPIRUN ?= mpirun

# train-mpi: the 2-rank demo: gen a small synthetic graph -> ingest -> partition (Louvain, 2 parts)
# -> mpirun -np 2 riskwalk-train; prints where each output went.
train-mpi: build
	@mkdir -p $(TRAIN_MPI_DIR)
	$(BIN)/riskwalk gen -q -o $(TRAIN_MPI_DIR)/gen --users $(TRAIN_MPI_USERS)
	$(BIN)/riskwalk ingest -q -o $(TRAIN_MPI_DIR)/graph.rwg $(TRAIN_MPI_DIR)/gen/edges.tsv.gz
	$(BIN)/riskwalk partition --ranks 2 --compare=false -o $(TRAIN_MPI_DIR)/parts.rwp $(TRAIN_MPI_DIR)/graph.rwg
	$(MPIRUN) -np 2 --bind-to none $(BIN)/riskwalk-train --graph $(TRAIN_MPI_DIR)/graph.rwg \
		--partition $(TRAIN_MPI_DIR)/parts.rwp --out $(TRAIN_MPI_DIR)/vectors.rwv --walks 10 --dim 64 --threads 1
	@echo "train-mpi: graph $(TRAIN_MPI_DIR)/graph.rwg, partition $(TRAIN_MPI_DIR)/parts.rwp, vectors $(TRAIN_MPI_DIR)/vectors.rwv"

# test-dist: the SPMD tests only (unit tests, a 3-rank sync, and end-to-end runs of riskwalk-train:
# 2 ranks vs 1, mismatched inputs, kill -9 and --resume, two network namespaces over TCP).
test-dist: setup
	$(GO) test -race -count=1 ./spmd/
	$(GO) test -count=1 -run 'TestDist' ./cmd/riskwalk-train/

# bench-dist: quality (node classification at 50%) of 1 process x 2 threads, 2 ranks x 1 and
# 4 ranks x 1 (oversubscribed) on BlogCatalog and PPI, then throughput of 2 ranks x 1 thread
# against 1 process x 2 threads, alternating runs. Results under bench/out/dist.
bench-dist: build setup-bench
	bash bench/dist/quality.sh bench/out/dist
	bash bench/dist/throughput.sh bench/out/dist

# bench-dist-linkpred: link prediction of 2 ranks against one process on a 1M-node synthetic graph
# (riskwalk gen 600k users + 400k media, 20% of edges held out; each training run takes minutes
# on 2 cores). Results under bench/out/dist-linkpred (log.txt).
bench-dist-linkpred: build setup-bench
	bash bench/dist/linkpred.sh bench/out/dist-linkpred

bench: bench-dist bench-dist-linkpred
