# MPI targets (internal/mpi, riskwalk-train --mpi-selftest). The OMPI_* variables for root and the
# ob1 PML are exported by the top-level Makefile; hostfiles/README.md has the mpirun lines for real
# machines.

.PHONY: test-mpi selftest-mpi bench-mpi

MPIRUN ?= mpirun

# test-mpi: only the MPI tests (they start mpirun -np 2 and -np 4 themselves).
test-mpi: setup
	$(GO) test -race -count=1 ./internal/mpi/ ./cmd/riskwalk-train/

# selftest-mpi: every collective on 2 ranks of the real binary; each rank prints `rank R/2 ok: ...`.
selftest-mpi: setup
	@mkdir -p $(BIN)
	CGO_ENABLED=1 $(GO) build -o $(BIN)/ ./cmd/riskwalk-train
	$(MPIRUN) -np 2 --bind-to none $(BIN)/riskwalk-train --mpi-selftest

# bench-mpi: Allreduce latency and bandwidth on 2 ranks, with a same-run copy as the anchor. A fixed
# -test.benchtime=Nx keeps the ranks' iteration counts equal.
bench-mpi: setup
	@mkdir -p $(BIN)
	CGO_ENABLED=1 $(GO) test -c -o $(BIN)/mpi.test ./internal/mpi/
	$(MPIRUN) -np 2 --bind-to none -x MALLOC_MMAP_MAX_=0 -x MALLOC_TRIM_THRESHOLD_=4000000000 \
		$(BIN)/mpi.test -test.run='^$$' -test.bench=. -test.benchtime=100x

bench: bench-mpi
