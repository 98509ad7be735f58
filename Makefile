# riskwalk: `make demo` and `make test` each do all the set-up they need on a fresh Debian machine.
# Targets: setup build test test-race test-mpi bench demo lint clean. Parts of the project add
# their own targets in mk/*.mk (included below) so that this file stays short.

SHELL      := /bin/bash
GO         ?= go
BIN        := bin
# simd/archsimd kernels are built under GOEXPERIMENT=simd; the plain-Go fallbacks build without it.
export GOEXPERIMENT := simd
# mpirun refuses root without these; CI runs as root. ob1 is the CPU/Ethernet path (../shared/MPI.md).
export OMPI_ALLOW_RUN_AS_ROOT := 1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM := 1
export OMPI_MCA_pml := ob1
export OMPI_MCA_btl_vader_single_copy_mechanism := none

# Debian packages the tests need (openmpi for the trainer and its multi-rank tests).
APT_TEST  := openmpi-bin libopenmpi-dev pkg-config gcc iproute2
# Extra packages the benchmarks and the demo's plots and anchors need.
APT_BENCH := python3-igraph python3-gensim python3-sklearn python3-scipy python3-numpy

SETUP_STAMP := .setup.stamp

.PHONY: all setup setup-bench build test test-race test-mpi bench demo lint clean

all: build

# setup is idempotent: it installs only what is missing and downloads modules once.
setup:
	@command -v $(GO) >/dev/null || { echo "setup: Go 1.26 not found in PATH; install it from https://go.dev/dl and retry" >&2; exit 1; }
	@bash scripts/apt-ensure.sh $(APT_TEST)
	@$(GO) mod download

setup-bench: setup
	@bash scripts/apt-ensure.sh $(APT_BENCH)

build: setup
	@mkdir -p $(BIN)
	CGO_ENABLED=0 $(GO) build -o $(BIN)/ ./cmd/riskwalk
	@if [ -d cmd/riskwalk-scorer ] && ls cmd/riskwalk-scorer/*.go >/dev/null 2>&1; then CGO_ENABLED=0 $(GO) build -o $(BIN)/ ./cmd/riskwalk-scorer; fi
	CGO_ENABLED=1 $(GO) build -o $(BIN)/ ./cmd/riskwalk-train

# test: vet (with and without cgo), the race-enabled unit tests, and the multi-rank MPI tests under
# real mpirun (they live in the packages' tests and launch mpirun themselves).
test: setup
	$(GO) vet ./...
	CGO_ENABLED=0 $(GO) vet ./...
	$(GO) test -race -count=1 -timeout 20m ./...

test-race: test

lint: setup
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	CGO_ENABLED=0 $(GO) vet ./...

bench: setup-bench build

demo: setup build
	bash scripts/demo.sh demo-out

clean:
	rm -rf $(BIN) demo-out bench/out

-include mk/*.mk
