#!/usr/bin/env bash
# demo.sh OUTDIR: the whole riskwalk pipeline on a generated synthetic fraud graph.
# Run through `make demo` (which builds the binaries first). DEMO_USERS sets the graph's size.
set -euo pipefail
out=${1:-demo-out}
users=${DEMO_USERS:-100000}
bin=${BIN:-bin}
mkdir -p "$out"
step() { printf '\n== %s\n' "$*"; }

step "1. generate a synthetic fraud graph ($users users)"
"$bin/riskwalk" gen -q -o "$out/data" --users "$users" --seed 1

step "2. ingest the edge list into a CSR graph file and id index"
"$bin/riskwalk" ingest -q --node-types "$out/data/nodes.tsv" -o "$out/graph.rwg" "$out/data/edges.tsv.gz"

step "3. profile the graph"
"$bin/riskwalk" profile --plot "$out/degree.svg" "$out/graph.rwg" | tee "$out/profile.txt"

step "outputs"
cat <<MSG
  synthetic data       $out/data/ (edges.tsv.gz, nodes.tsv, labels.tsv, gangs.tsv, gen.json)
  graph                $out/graph.rwg (id index $out/graph.rwi)
  profile              $out/profile.txt, degree plot $out/degree.svg
MSG
