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

step "4. partition it into 2 parts by Louvain communities (for a 2-rank mpirun; see make train-mpi)"
"$bin/riskwalk" partition --ranks 2 -o "$out/parts.rwp" "$out/graph.rwg" | tee "$out/partition.txt"

step "5. train DeepWalk embeddings (one process, all cores)"
"$bin/riskwalk-train" --graph "$out/graph.rwg" --out "$out/vectors.rwv" \
  --walks "${DEMO_WALKS:-10}" --length 40 --window 5 --dim "${DEMO_DIM:-64}" --seed 1

step "6. graph risk features (label-derived ones from 70% of the labels only; 30% held out)"
awk -v tr="$out/train_labels.tsv" -v te="$out/test_labels.tsv" '
  /^#/ { print > tr; print > te; next }
  { if ((NR * 2654435761) % 10 < 7) print > tr; else print > te }' "$out/data/labels.tsv"
"$bin/riskwalk" features --labels "$out/train_labels.tsv" -o "$out/features.rwf" "$out/graph.rwg"
"$bin/riskwalk" features summary --labels "$out/test_labels.tsv" "$out/features.rwf" | head -25 | tee "$out/features-summary.txt"

step "outputs"
cat <<MSG
  synthetic data       $out/data/ (edges.tsv.gz, nodes.tsv, labels.tsv, gangs.tsv, gen.json)
  graph                $out/graph.rwg (id index $out/graph.rwi)
  profile              $out/profile.txt, degree plot $out/degree.svg
  partition            $out/parts.rwp, report $out/partition.txt
  features             $out/features.rwf (riskwalk features show $out/features.rwf ID), summary $out/features-summary.txt
  labels               $out/train_labels.tsv (70%, used for training), $out/test_labels.tsv (30%, held out)
  embeddings           $out/vectors.rwv (riskwalk export --format word2vec --ids $out/graph.rwi -o X.emb $out/vectors.rwv)
MSG
