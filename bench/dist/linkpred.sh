#!/usr/bin/env bash
# Link prediction of SPMD training against one process on a synthetic graph of >= 1M nodes
# (issue 4's done-when): riskwalk gen -> integer ids -> linkpred.py split (held-out edges) ->
# ingest train.tsv -> partition --ranks 2 (Louvain, hash beside it) -> train 1 process x 2
# threads and mpirun -np 2 x 1 thread with the same flags -> export word2vec -> linkpred.py score.
#   bench/dist/linkpred.sh OUTDIR      (needs bin/riskwalk, bin/riskwalk-train, python3-sklearn)
# Env: BIN (bin), USERS (600000), MEDIA (400000), TRANSFERS (1), FRAC (0.2: held-out share),
# TRAIN (training flags, both runs), SYNC (--sync-every; default riskwalk-train's), RUNS
# ("single np2"), TAG (suffix of the runs' output names, e.g. -s12), EVAL (../shared/eval).
# np2 trains under riskwalk-train's default halo (visit); add --halo stay to TRAIN for the
# memory-bounded one (bench/RESULTS.md, dist rounds 4 and 5).
# Stages whose output exists are kept (delete to redo).
set -euo pipefail
export OMPI_ALLOW_RUN_AS_ROOT=${OMPI_ALLOW_RUN_AS_ROOT:-1} OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=${OMPI_ALLOW_RUN_AS_ROOT_CONFIRM:-1}
export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1} OMPI_MCA_btl_vader_single_copy_mechanism=${OMPI_MCA_btl_vader_single_copy_mechanism:-none}
out=${1:?usage: linkpred.sh OUTDIR}
BIN=${BIN:-bin}; USERS=${USERS:-600000}; MEDIA=${MEDIA:-400000}; TRANSFERS=${TRANSFERS:-1}; FRAC=${FRAC:-0.2}
TRAIN=${TRAIN:-"--walks 5 --length 20 --window 5 --dim 64 --negative 5 --seed 1"}
SYNC=${SYNC:+--sync-every $SYNC}; RUNS=${RUNS:-single np2}; EVAL=${EVAL:-../shared/eval}
mkdir -p "$out"
log=$out/log.txt
note() { echo "$*" | tee -a "$log"; }
note "== $(date -u +%FT%TZ) $(uptime)"
[ -f "$out/gen/gen.json" ] || $BIN/riskwalk gen -q -o "$out/gen" --users "$USERS" --media "$MEDIA" --transfers "$TRANSFERS"
# linkpred.py wants integer ids: user uN -> 4N, device dN -> 4N+1, phone pN -> 4N+2, ip iN -> 4N+3.
if [ ! -f "$out/edges.int.tsv" ]; then
  zcat "$out/gen/edges.tsv.gz" | awk -F'\t' '
    function id(s,  t) { t = index("udpi", substr(s, 1, 1)) - 1; if (t < 0) { print "bad id " s > "/dev/stderr"; exit 1 }
                         return substr(s, 2) * 4 + t }
    !/^#/ { print id($1) "\t" id($2) }' > "$out/edges.int.tsv.tmp"
  mv "$out/edges.int.tsv.tmp" "$out/edges.int.tsv"
fi
if [ ! -f "$out/test.tsv" ]; then
  /usr/bin/python3 "$EVAL/linkpred.py" split --edges "$out/edges.int.tsv" --out "$out" --frac "$FRAC" --seed 0 | tee -a "$log"
fi
g=$out/train.rwg
[ -f "$g" ] || $BIN/riskwalk ingest -q -o "$g" "$out/train.tsv" | tee -a "$log"
if [ ! -f "$out/train.p2.rwp" ]; then
  $BIN/riskwalk partition --ranks 2 -o "$out/train.p2.rwp" "$g" 2>&1 | tee "$out/partition.txt" | tee -a "$log"
fi
for run in $RUNS; do
  v=$out/$run${TAG:-}.rwv
  case $run in
    single) cmd="$BIN/riskwalk-train --graph $g --out $v --threads 2 --quiet $TRAIN" ;;
    np2) cmd="mpirun -np 2 --bind-to none $BIN/riskwalk-train --graph $g --partition $out/train.p2.rwp --out $v --threads 1 --quiet $SYNC $TRAIN" ;;
    *) echo "unknown run $run (want single or np2)"; exit 2 ;;
  esac
  note "== $run: $cmd"
  if [ -f "$v" ]; then note "(kept $v from an earlier run)"; else
    /usr/bin/time -f "wall %e s, user %U s, max RSS %M KB (one process / mpirun)" $cmd > "$out/$run${TAG:-}.log" 2>&1 ||
      { note "failed: see $out/$run${TAG:-}.log"; tail -5 "$out/$run${TAG:-}.log"; exit 1; }
    grep -E '^RESULT|^wall' "$out/$run${TAG:-}.log" | tee -a "$log"
  fi
  e=$out/$run${TAG:-}.emb
  $BIN/riskwalk export --format word2vec -o "$e" "$v" >/dev/null
  /usr/bin/python3 "$EVAL/linkpred.py" score --emb "$e" --test "$out/test.tsv" | grep '^RESULT' | tee -a "$log"
  rm -f "$e"
done
