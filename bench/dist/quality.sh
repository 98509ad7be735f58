#!/usr/bin/env bash
# Quality of SPMD training against one process with the same parameters: node classification
# (Micro/Macro-F1 at 50%) on BlogCatalog and PPI, one process x 2 threads, mpirun -np 2 x 1
# thread, mpirun -np 4 --oversubscribe x 1 thread. Usage:
#   bench/dist/quality.sh OUTDIR [datasets...]    (needs bin/riskwalk, bin/riskwalk-train)
# Env: BIN (default bin), WALKS (80), SYNC (--sync-every; default: riskwalk-train's, spmd.AutoSyncEvery),
# EXTRA (more riskwalk-train flags for all runs).
set -euo pipefail
# What the Makefile exports, for running the script by hand (as root in a container).
export OMPI_ALLOW_RUN_AS_ROOT=${OMPI_ALLOW_RUN_AS_ROOT:-1} OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=${OMPI_ALLOW_RUN_AS_ROOT_CONFIRM:-1}
export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1} OMPI_MCA_btl_vader_single_copy_mechanism=${OMPI_MCA_btl_vader_single_copy_mechanism:-none}
out=${1:?usage: quality.sh OUTDIR [dataset...]}; shift
sets=${*:-blogcatalog ppi}
BIN=${BIN:-bin}; WALKS=${WALKS:-80}; SYNC=${SYNC:+--sync-every $SYNC}; EXTRA=${EXTRA:-}
DATA=${DATA:-../shared/data}; EVAL=${EVAL:-../shared/eval}
mkdir -p "$out"
common="--walks $WALKS --length 40 --dim 128 --window 10 --negative 5 --seed 1 --quiet $EXTRA"
for ds in $sets; do
  g=$out/$ds.rwg
  [ -f "$g" ] || $BIN/riskwalk ingest -q -o "$g" "$DATA/$ds/edges.tsv" >/dev/null
  for np in 2 4; do
    [ -f "$out/$ds.p$np.rwp" ] || $BIN/riskwalk partition --ranks $np -o "$out/$ds.p$np.rwp" "$g" > "$out/$ds.p$np.partition.txt" 2>&1
  done
  # nodeclass.py reads every non-empty line as `node label`: drop comment lines (PPI has a header).
  grep -v '^#' "$DATA/$ds/labels.tsv" > "$out/$ds.labels.tsv"
  for run in single np2 np4; do
    v=$out/$ds.$run.rwv
    case $run in
      single) cmd="$BIN/riskwalk-train --graph $g --out $v --threads 2 $common" ;;
      np2) cmd="mpirun -np 2 --bind-to none $BIN/riskwalk-train --graph $g --partition $out/$ds.p2.rwp --out $v --threads 1 $SYNC $common" ;;
      np4) cmd="mpirun -np 4 --oversubscribe --bind-to none $BIN/riskwalk-train --graph $g --partition $out/$ds.p4.rwp --out $v --threads 1 $SYNC $common" ;;
    esac
    echo "== $ds $run: $cmd" | tee -a "$out/log.txt"
    if [ -f "$v" ]; then echo "(kept $v from an earlier run)" | tee -a "$out/log.txt"; else
      $cmd > "$out/$ds.$run.log" 2>&1 || { echo "failed: see $out/$ds.$run.log" | tee -a "$out/log.txt"; tail -5 "$out/$ds.$run.log"; exit 1; }
      grep '^RESULT' "$out/$ds.$run.log" | tee -a "$out/log.txt"
    fi
    $BIN/riskwalk export --format word2vec -o "$out/$ds.$run.emb" "$v" >/dev/null
    /usr/bin/python3 "$EVAL/nodeclass.py" --emb "$out/$ds.$run.emb" --labels "$out/$ds.labels.tsv" --ratios 0.5 2>&1 | grep -E '^0.5|^RESULT' | tee -a "$out/log.txt"
  done
done
