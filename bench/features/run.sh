#!/usr/bin/env bash
# bench/features/run.sh: riskwalk's PageRank, weakly connected components, k-core and triangle
# counting against python3-igraph on dblp-2010 and cnr-2000, in one run, same graph views on both
# sides (see igraph_anchor.py), median of $REPEAT runs each, timing only the algorithm.
#   riskwalk with GOMAXPROCS=2 vs igraph as installed (its OpenMP parts may use both cores);
#   riskwalk with GOMAXPROCS=1 vs igraph with OMP_NUM_THREADS=1: the single-thread ratio.
# igraph's results are checked against riskwalk's (PageRank L1 <= 1e-6, the rest identical).
# Then the supernode-safety benchmark (every feature on a 10^6-leaf star) under $BUDGET seconds.
# Writes bench/out/features/results.tsv and prints a markdown table for bench/RESULTS.md; its
# CPU columns pair the single-thread runs by process CPU time (less distorted by a loaded machine).
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=${RISKWALK_SHARED:-../shared}/data
OUT=bench/out/features
REPEAT=${REPEAT:-5}
BUDGET=${BUDGET:-300}
mkdir -p "$OUT"
GOEXPERIMENT=${GOEXPERIMENT:-simd} go build -o "$OUT/features-bench" ./bench/features
: > "$OUT/results.tsv"
status=0
# name node-count directed-flag
while read -r name n dflag; do
	arcs="$DATA/$name/arcs.tsv.gz"
	for p in 1 2; do
		GOMAXPROCS=$p "$OUT/features-bench" -graph "$arcs" -name "$name" -n "$n" $dflag -repeat "$REPEAT" -out "$OUT" | tee -a "$OUT/results.tsv"
	done
	OMP_NUM_THREADS=1 /usr/bin/python3 bench/features/igraph_anchor.py --graph "$arcs" --name "$name" --n "$n" $dflag \
		--repeat "$REPEAT" --out "$OUT" --tag igraph-1t | tee -a "$OUT/results.tsv" || status=1
	/usr/bin/python3 bench/features/igraph_anchor.py --graph "$arcs" --name "$name" --n "$n" $dflag \
		--repeat "$REPEAT" --out "$OUT" --tag igraph | tee -a "$OUT/results.tsv" || status=1
done <<'GRAPHS'
dblp-2010 326186
cnr-2000 325557 --directed
GRAPHS

echo
echo "| graph | algorithm | igraph (default threads) s | riskwalk 2 threads s | ratio | igraph 1 thread s | riskwalk 1 thread s | 1-thread ratio | 1-thread CPU s igraph / riskwalk | CPU ratio | check |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
awk -F'\t' '
	/^# check/ { split($0, a, " "); chk[a[3] "/" substr(a[4], 1, length(a[4]) - 1)] = substr($0, index($0, ":") + 2); next }
	/^#/ { next }
	NF >= 5 {
		t[$1 "/" $2 "/" $3 "/" $4] = $5
		if (match($6, /cpu=[0-9.]+/)) cpu[$1 "/" $2 "/" $3 "/" $4] = substr($6, RSTART + 4, RLENGTH - 4)
		if (!($1 "/" $2 in seen)) { seen[$1 "/" $2] = 1; order[++k] = $1 "/" $2 }
	}
	END {
		for (i = 1; i <= k; i++) {
			split(order[i], a, "/"); g = a[1]; al = a[2]
			ig = t[g "/" al "/igraph/1"]; ig1 = t[g "/" al "/igraph-1t/1"]
			r2 = t[g "/" al "/riskwalk/2"]; r1 = t[g "/" al "/riskwalk/1"]
			c1 = cpu[g "/" al "/igraph-1t/1"]; cr = cpu[g "/" al "/riskwalk/1"]
			printf "| %s | %s | %.4f | %.4f | %.1fx | %.4f | %.4f | %.1fx | %.4f / %.4f | %.1fx | %s |\n", g, al, ig, r2, ig / r2, ig1, r1, ig1 / r1, c1, cr, (cr > 0 ? c1 / cr : 0), chk[g "/" al]
		}
	}' "$OUT/results.tsv"

echo
echo "supernode: every feature group on a 10^6-leaf star (budget ${BUDGET}s)"
start=$(date +%s%N)
if ! timeout "$BUDGET" env GOEXPERIMENT="${GOEXPERIMENT:-simd}" go test -run '^$' -bench '^BenchmarkSupernode$' -benchtime 1x ./features/ 2>&1 | grep -vE 'groups/s ETA'; then
	echo "supernode: FAILED or over the ${BUDGET}s budget"
	status=1
fi
echo "supernode: $(( ($(date +%s%N) - start) / 1000000 )) ms wall including the build"
exit $status
