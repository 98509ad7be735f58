#!/usr/bin/env bash
# Throughput of SPMD training: 2 ranks x 1 thread against 1 process x 2 threads on BlogCatalog,
# alternating the two REPS times (the machine is shared: compare medians of the same run).
#   bench/dist/throughput.sh OUTDIR     (needs bin/riskwalk, bin/riskwalk-train)
# Env: BIN (bin), WALKS (10), REPS (3), SYNC (--sync-every; default riskwalk-train's, spmd.AutoSyncEvery: 12 here),
# EXTRA (more flags for the 2-rank run, e.g. --sync-rows all). tokens/s is over the training loop
# (walks, SGD and syncs; not loading, counting or writing) in both runs.
set -euo pipefail
# What the Makefile exports, for running the script by hand (as root in a container).
export OMPI_ALLOW_RUN_AS_ROOT=${OMPI_ALLOW_RUN_AS_ROOT:-1} OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=${OMPI_ALLOW_RUN_AS_ROOT_CONFIRM:-1}
export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1} OMPI_MCA_btl_vader_single_copy_mechanism=${OMPI_MCA_btl_vader_single_copy_mechanism:-none}
out=${1:?usage: throughput.sh OUTDIR}
BIN=${BIN:-bin}; WALKS=${WALKS:-10}; REPS=${REPS:-3}; SYNC=${SYNC:+--sync-every $SYNC}; DATA=${DATA:-../shared/data}
mkdir -p "$out"
g=$out/blogcatalog.rwg
[ -f "$g" ] || $BIN/riskwalk ingest -q -o "$g" "$DATA/blogcatalog/edges.tsv" >/dev/null
# Balanced by nodes: a rank's work is its owned nodes x walks x length tokens (walks start at owned
# nodes), so an edge-balanced part with 2% more nodes (BlogCatalog: 5254 vs 5058) makes the other
# rank wait 2% of every round.
p=$out/blogcatalog.p2n.rwp
[ -f "$p" ] || $BIN/riskwalk partition --ranks 2 --balance nodes -o "$p" "$g" >/dev/null 2>&1
common="--walks $WALKS --length 40 --dim 128 --window 10 --negative 5 --seed 1 --quiet"
rate() { grep -o '"tokens_per_s":[0-9.]*' | cut -d: -f2; }
for i in $(seq "$REPS"); do
  t0=$(date +%s.%N)
  a=$($BIN/riskwalk-train --graph "$g" --out "$out/tp1.rwv" --threads 2 $common 2>&1 | tee "$out/tp1.log" | rate)
  t1=$(date +%s.%N)
  b=$(mpirun -np 2 --bind-to none $BIN/riskwalk-train --graph "$g" --partition "$p" \
      --out "$out/tp2.rwv" --threads 1 $SYNC ${EXTRA:-} $common 2>&1 | tee "$out/tp2.log" | rate)
  t2=$(date +%s.%N)
  echo "rep $i: $(grep -o '"train_s":[0-9.]*\|"rank_[a-z_]*":\[[0-9.,e+-]*\]\|"sync_bytes":[0-9]*\|"units_shared":[0-9]*' "$out/tp2.log" | tr '\n' ' ')"
  echo "rep $i: 1 process x 2 threads $a tokens/s; 2 ranks x 1 thread $b tokens/s; ratio $(echo "$b / $a" | bc -l | cut -c1-5); whole commands (start-up, load, count, write included) $(echo "$t1 - $t0" | bc) s and $(echo "$t2 - $t1" | bc) s, speed ratio $(echo "($t1 - $t0) / ($t2 - $t1)" | bc -l | cut -c1-5)" | tee -a "$out/throughput.txt"
done
# Medians of this run's reps (the last REPS lines of throughput.txt).
tail -n "$REPS" "$out/throughput.txt" | awk '
  function med(a, n,  i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                                  return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  { n++; for (i = 1; i <= NF; i++) { if ($(i+2) == "tokens/s;") { if ($i == "threads") one[n] = $(i+1); else if ($i == "thread") two[n] = $(i+1) }
                                     if ($i == "speed" && $(i+1) == "ratio") w[n] = $(i+2) }
    pr[n] = two[n] / one[n]; if (pr[n] >= 0.9) ok++ }
  END { printf "medians of %d reps: 1 process %.0f tokens/s, 2 ranks %.0f tokens/s, ratio of medians %.3f, median of the reps'"'"' ratios %.3f (%d of %d reps >= 0.9); whole-command speed ratio (1-process time / 2-rank time, median) %.3f\n",
        n, med(one, n), med(two, n), med(two, n) / med(one, n), med(pr, n), ok, n, med(w, n) }' | tee -a "$out/throughput.txt"
