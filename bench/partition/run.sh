#!/usr/bin/env bash
# bench/partition: Louvain partitioning against hash (and METIS via gpmetis when installed) on
# dblp-2010 and cnr-2000 through `riskwalk partition`, and on a 1M-node planted-partition graph.
# Reports go to bench/out/partition-*.txt; the synthetic table is printed.
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${RISKWALK_SHARED:-../shared}/data
mkdir -p bench/out
CGO_ENABLED=0 go build -o bench/out/riskwalk ./cmd/riskwalk
go build -o bench/out/partition ./bench/partition
bench/out/riskwalk ingest -q -o bench/out/dblp-2010.rwg "$data/dblp-2010/arcs.tsv.gz"
bench/out/riskwalk ingest -q --directed -o bench/out/cnr-2000.rwg "$data/cnr-2000/arcs.tsv.gz"
for R in 2 4 8; do
  for g in dblp-2010 cnr-2000; do
    bench/out/riskwalk partition --ranks $R -o bench/out/$g-$R.rwp bench/out/$g.rwg > bench/out/partition-$g-$R.txt
    echo "== $g R=$R"; sed -n '/^method/,/^METIS/p' bench/out/partition-$g-$R.txt
  done
done
bench/out/partition -n 1000000 -ranks 4,16,64 | tee bench/out/partition-planted.tsv
