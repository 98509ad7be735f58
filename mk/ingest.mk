# Ingest benchmark (riskwalk ingest vs python3-igraph Read_Edgelist on cnr-2000); bench/RESULTS.md
# records its figures. `make bench` runs it too.
APT_BENCH += python3-igraph bc util-linux

.PHONY: bench-ingest
bench-ingest: setup-bench build
	bash bench/ingest/run.sh $(BIN)/riskwalk 5

bench: bench-ingest
