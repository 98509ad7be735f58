#!/usr/bin/env bash
# Throughput of SPMD training: 2 ranks x 1 thread against 1 process x 2 threads on BlogCatalog,
# alternating the two REPS times (the machine is shared: compare medians of the same run).
#   bench/dist/throughput.sh OUTDIR     (needs bin/riskwalk, bin/riskwalk-train)
# Env: BIN (bin), WALKS (10), REPS (3), SYNC (--sync-every; default riskwalk-train's, 6 on 2 ranks).
set -euo pipefail
# What the Makefile exports, for running the script by hand (as root in a container).
export OMPI_ALLOW_RUN_AS_ROOT=${OMPI_ALLOW_RUN_AS_ROOT:-1} OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=${OMPI_ALLOW_RUN_AS_ROOT_CONFIRM:-1}
export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1} OMPI_MCA_btl_vader_single_copy_mechanism=${OMPI_MCA_btl_vader_single_copy_mechanism:-none}
out=${1:?usage: throughput.sh OUTDIR}
BIN=${BIN:-bin}; WALKS=${WALKS:-10}; REPS=${REPS:-3}; SYNC=${SYNC:+--sync-every $SYNC}; DATA=${DATA:-../shared/data}
mkdir -p "$out"
g=$out/blogcatalog.rwg
[ -f "$g" ] || $BIN/riskwalk ingest -q -o "$g" "$DATA/blogcatalog/edges.tsv" >/dev/null
[ -f "$out/blogcatalog.p2.rwp" ] || $BIN/riskwalk partition --ranks 2 -o "$out/blogcatalog.p2.rwp" "$g" >/dev/null 2>&1
common="--walks $WALKS --length 40 --dim 128 --window 10 --negative 5 --seed 1 --quiet"
rate() { grep -o '"tokens_per_s":[0-9.]*' | cut -d: -f2; }
for i in $(seq "$REPS"); do
  a=$($BIN/riskwalk-train --graph "$g" --out "$out/tp1.rwv" --threads 2 $common 2>&1 | tee "$out/tp1.log" | rate)
  b=$(mpirun -np 2 --bind-to none $BIN/riskwalk-train --graph "$g" --partition "$out/blogcatalog.p2.rwp" \
      --out "$out/tp2.rwv" --threads 1 $SYNC $common 2>&1 | tee "$out/tp2.log" | rate)
  echo "rep $i: $(grep -o '"sync_s_rank0":[0-9.]*\|"wait_s_rank0":[0-9.]*\|"train_s":[0-9.]*' "$out/tp2.log" | tr '\n' ' ')"
  echo "rep $i: 1 process x 2 threads $a tokens/s; 2 ranks x 1 thread $b tokens/s; ratio $(echo "$b / $a" | bc -l | cut -c1-5)" | tee -a "$out/throughput.txt"
done
