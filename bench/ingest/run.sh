#!/usr/bin/env bash
# Ingest benchmark: riskwalk ingest vs python3-igraph's Graph.Read_Edgelist on cnr-2000
# (3.2M arcs), same plain-text file, same run. igraph reads uncompressed text only, so the .gz is
# decompressed to a temporary file first and both read that file; riskwalk is also timed on the .gz.
# riskwalk's time is the whole command (process start, parse, build, write .rwg/.rwi with fsync);
# igraph's is the Read_Edgelist call alone (interpreter start excluded), so the ratio is conservative.
# CPU seconds (user+sys) are reported too: on a shared, oversubscribed machine they are steadier.
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

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

: > "$tmp/rw_plain"; : > "$tmp/rw_gz"; : > "$tmp/rw_plain.mem"; : > "$tmp/rw_gz.mem"; : > "$tmp/ig"; : > "$tmp/rw_plain_cpu"; : > "$tmp/rw_gz_cpu"; : > "$tmp/ig_cpu"
# run_rw OUT CPUOUT INPUT: wall seconds to OUT, user+sys CPU seconds to CPUOUT.
# The in-memory phase (read, parse, relabel, build; no output write) goes to OUT.mem, from the
# "ingest: ... in DURATION" line riskwalk prints on stderr.
run_rw() {
  /usr/bin/time -f "%e %U %S" -o "$tmp/t" env GOMAXPROCS=$cores $pin "$bin" ingest --directed -o "$tmp/g.rwg" "$3" >/dev/null 2>"$tmp/err"
  awk '{print $1}' "$tmp/t" >> "$1"; awk '{print $2+$3}' "$tmp/t" >> "$2"
  awk '/ arcs from .* lines in / {d=$NF; if (d ~ /ms$/) {sub(/ms$/,"",d); print d/1000} else if (d ~ /[0-9]s$/) {sub(/s$/,"",d); print d} else {print "nan"}}' "$tmp/err" >> "$1.mem"
}
for i in $(seq "$reps"); do
  run_rw "$tmp/rw_plain" "$tmp/rw_plain_cpu" "$tmp/arcs.tsv"
  run_rw "$tmp/rw_gz" "$tmp/rw_gz_cpu" "$data"
  OMP_NUM_THREADS=$cores $pin $py - "$tmp/arcs.tsv" > "$tmp/igt" <<'PY'
import resource, sys, time, igraph
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
t0, c0 = time.perf_counter(), cpu()
g = igraph.Graph.Read_Edgelist(sys.argv[1], directed=True)
t1, c1 = time.perf_counter(), cpu()
assert g.ecount() > 0
print(t1 - t0, c1 - c0)
PY
  awk '{print $1}' "$tmp/igt" >> "$tmp/ig"; awk '{print $2}' "$tmp/igt" >> "$tmp/ig_cpu"
done
rw=$(median < "$tmp/rw_plain"); rwgz=$(median < "$tmp/rw_gz"); ig=$(median < "$tmp/ig")
rwc=$(median < "$tmp/rw_plain_cpu"); rwgzc=$(median < "$tmp/rw_gz_cpu"); igc=$(median < "$tmp/ig_cpu")
rate() { echo "$arcs/$1/1000000" | bc -l; }
ratio() { echo "$1/$2" | bc -l; }
printf 'cnr-2000: %d arcs, %d repeats, %d cores, load average %s (medians; CPU = user+sys)\n' "$arcs" "$reps" "$cores" "$(cut -d' ' -f1 /proc/loadavg)"
printf '  %-30s %8s %10s %8s %8s %10s\n' reader wall_s Marcs/s x_igraph cpu_s x_igraph_cpu
printf '  %-30s %8.3f %10.2f %8.2f %8.3f %10.2f\n' "igraph Read_Edgelist (plain)" "$ig" "$(rate "$ig")" 1 "$igc" 1
printf '  %-30s %8.3f %10.2f %8.2f %8.3f %10.2f\n' "riskwalk ingest (plain)" "$rw" "$(rate "$rw")" "$(ratio "$ig" "$rw")" "$rwc" "$(ratio "$igc" "$rwc")"
rwm=$(median < "$tmp/rw_plain.mem"); rwgzm=$(median < "$tmp/rw_gz.mem")
printf '  %-30s %8.3f %10.2f %8.2f %8.3f %10.2f\n' "riskwalk ingest (.gz)" "$rwgz" "$(rate "$rwgz")" "$(ratio "$ig" "$rwgz")" "$rwgzc" "$(ratio "$igc" "$rwgzc")"
printf '  %-30s %8.3f %10.2f %8.2f %8s %10s\n' "riskwalk in-memory (plain)" "$rwm" "$(rate "$rwm")" "$(ratio "$ig" "$rwm")" - -
printf '  %-30s %8.3f %10.2f %8.2f %8s %10s\n' "riskwalk in-memory (.gz)" "$rwgzm" "$(rate "$rwgzm")" "$(ratio "$ig" "$rwgzm")" - -
