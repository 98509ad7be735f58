#!/usr/bin/env bash
# Ingest benchmark: riskwalk ingest vs python3-igraph's Graph.Read_Edgelist on cnr-2000
# (3.2M arcs), same plain-text file, same run. igraph reads uncompressed text only, so the .gz is
# decompressed to a temporary file first and both read that file; riskwalk is also timed on the .gz.
# riskwalk's time is the whole command (process start, parse, build, write .rwg/.rwi with fsync);
# igraph's is the Read_Edgelist call alone (interpreter start excluded), so the ratio is conservative.
# Usage: bench/ingest/run.sh [RISKWALK_BIN] [REPEATS]   (env CORES=2 pins both to that many cores)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${1:-$root/bin/riskwalk}
reps=${2:-5}
cores=${CORES:-2}
data=${RISKWALK_SHARED:-$root/../shared}/data/cnr-2000/arcs.tsv.gz
py=/usr/bin/python3
[ -x "$bin" ] || { echo "run.sh: $bin not found; run make build" >&2; exit 1; }
[ -f "$data" ] || { echo "run.sh: $data not found" >&2; exit 1; }
$py -c 'import igraph' 2>/dev/null || { echo "run.sh: python3-igraph missing; run make setup-bench" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gzip -dc "$data" > "$tmp/arcs.tsv"
arcs=$(wc -l < "$tmp/arcs.tsv")
cpus=$(seq -s, 0 $((cores - 1)))
pin="taskset -c $cpus"
command -v taskset >/dev/null || pin=""

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

: > "$tmp/rw_plain"; : > "$tmp/rw_gz"; : > "$tmp/ig"
for i in $(seq "$reps"); do
  t0=$(now); GOMAXPROCS=$cores $pin "$bin" ingest -q --directed -o "$tmp/g.rwg" "$tmp/arcs.tsv" >/dev/null; t1=$(now)
  echo "$t1 - $t0" | bc -l >> "$tmp/rw_plain"
  t0=$(now); GOMAXPROCS=$cores $pin "$bin" ingest -q --directed -o "$tmp/g.rwg" "$data" >/dev/null; t1=$(now)
  echo "$t1 - $t0" | bc -l >> "$tmp/rw_gz"
  OMP_NUM_THREADS=$cores $pin $py - "$tmp/arcs.tsv" >> "$tmp/ig" <<'PY'
import sys, time, igraph
t0 = time.perf_counter()
g = igraph.Graph.Read_Edgelist(sys.argv[1], directed=True)
t1 = time.perf_counter()
assert g.ecount() > 0
print(t1 - t0)
PY
done
rw=$(median < "$tmp/rw_plain"); rwgz=$(median < "$tmp/rw_gz"); ig=$(median < "$tmp/ig")
printf 'cnr-2000: %d arcs, %d repeats, %d cores (medians)\n' "$arcs" "$reps" "$cores"
printf '  igraph Read_Edgelist (plain)  %7.3f s  %6.2f M arcs/s   (anchor)\n' "$ig" "$(echo "$arcs/$ig/1000000" | bc -l)"
printf '  riskwalk ingest (plain)       %7.3f s  %6.2f M arcs/s   %.2fx igraph\n' "$rw" "$(echo "$arcs/$rw/1000000" | bc -l)" "$(echo "$ig/$rw" | bc -l)"
printf '  riskwalk ingest (.gz)         %7.3f s  %6.2f M arcs/s   %.2fx igraph\n' "$rwgz" "$(echo "$arcs/$rwgz/1000000" | bc -l)" "$(echo "$ig/$rwgz" | bc -l)"
