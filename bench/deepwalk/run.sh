#!/bin/bash
# DeepWalk quality and speed, riskwalk beside gensim on the same walks and parameters, in one run.
#   bench/deepwalk/run.sh [WALKS]        (default 80; DeepWalk paper parameters otherwise)
# Stages: riskwalk trains BlogCatalog and writes its walks; gensim (Word2Vec sg=1, negative=5,
# corpus_file, workers=2) trains on exactly those walks; riskwalk --hogbatch trains too; a NumPy
# walker + gensim gives gensim's end-to-end time; all embeddings are scored with
# ../shared/eval/nodeclass.py at 10/50/90% labelled. EXTRA=1 adds link prediction (50% of
# BlogCatalog's edges held out) and PPI/POS Macro-F1 at 50%. Appends a table to bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
WALKS=${1:-80}
SHARED=${RISKWALK_SHARED:-../shared}
EVAL=$SHARED/eval
PY=/usr/bin/python3
OUT=bench/out/deepwalk
mkdir -p "$OUT"
THREADS=2
P="--walks $WALKS --length 40 --dim 128 --window 10 --negative 5 --sample 1e-3 --threads $THREADS --seed 1"
BC=$SHARED/data/blogcatalog
json() { sed -n 's/^RESULT //p' "$1" | tail -1; }
get() { $PY -c "import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2], {}, d))" "$1" "$2"; }

echo "== riskwalk (per-pair SGNS), walks written for gensim" >&2
/usr/bin/time -f "%e %U" -o "$OUT/rw.time" bin/riskwalk-train --graph "$BC/edges.tsv" --out "$OUT/rw.rwv" $P --quiet \
    --walks-out "$OUT/walks.txt" > "$OUT/rw.log"
echo "== riskwalk --hogbatch" >&2
/usr/bin/time -f "%e %U" -o "$OUT/rwhb.time" bin/riskwalk-train --graph "$BC/edges.tsv" --out "$OUT/rwhb.rwv" $P --quiet --hogbatch > "$OUT/rwhb.log"
echo "== gensim on riskwalk's walks" >&2
/usr/bin/time -f "%e %U" -o "$OUT/gs.time" $PY bench/deepwalk/gensim_train.py train "$OUT/walks.txt" "$OUT/gs.emb" --workers $THREADS > "$OUT/gs.log"
echo "== NumPy walker for gensim's end-to-end time" >&2
$PY bench/deepwalk/gensim_train.py walk "$BC/edges.tsv" "$OUT/npwalks.txt" --walks "$WALKS" > "$OUT/npwalk.log"
bin/riskwalk export -o "$OUT/rw.emb" "$OUT/rw.rwv"
bin/riskwalk export -o "$OUT/rwhb.emb" "$OUT/rwhb.rwv"
rm -f "$OUT/npwalks.txt"
for m in rw rwhb gs; do
    echo "== nodeclass $m" >&2
    $PY "$EVAL/nodeclass.py" --emb "$OUT/$m.emb" --labels "$BC/labels.tsv" --ratios 0.1,0.5,0.9 > "$OUT/$m.nc"
done

RW=$(json "$OUT/rw.log"); HB=$(json "$OUT/rwhb.log"); GS=$(json "$OUT/gs.log"); NW=$(json "$OUT/npwalk.log")
f1() { $PY -c "import json,sys; r=json.loads(sys.argv[1])['results']; print(' / '.join('%.2f'%(100*r[k][sys.argv[2]]) for k in ('0.1','0.5','0.9')))" "$(json "$1")" "$2"; }
{
echo
echo "### DeepWalk on BlogCatalog, riskwalk vs gensim ($(date -u +%F), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
echo "Command: \`bench/deepwalk/run.sh $WALKS\` (make bench-deepwalk). Parameters: $P; gensim $($PY -c 'import gensim; print(gensim.__version__)') Word2Vec(sg=1, hs=0, negative=5, sample=1e-3, min_count=0, corpus_file, workers=$THREADS, epochs=1) on riskwalk's own walk file. Load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (shared machine: compare ratios, not absolute rates)."
echo
echo "| | Micro-F1 10/50/90 % | Macro-F1 10/50/90 % | train s | tokens/s per core | CPU s (user) |"
echo "|---|---|---|---|---|---|"
echo "| gensim (anchor) | $(f1 $OUT/gs.nc micro) | $(f1 $OUT/gs.nc macro) | $(get "$GS" 'round(train_s,1)') | $(get "$GS" 'round(tokens_per_s_core)') | $(cut -d' ' -f2 $OUT/gs.time) |"
echo "| riskwalk per-pair | $(f1 $OUT/rw.nc micro) | $(f1 $OUT/rw.nc macro) | $(get "$RW" 'round(train_s,1)') | $(get "$RW" 'round(tokens_per_s_core)') | $(cut -d' ' -f2 $OUT/rw.time) |"
echo "| riskwalk --hogbatch | $(f1 $OUT/rwhb.nc micro) | $(f1 $OUT/rwhb.nc macro) | $(get "$HB" 'round(train_s,1)') | $(get "$HB" 'round(tokens_per_s_core)') | $(cut -d' ' -f2 $OUT/rwhb.time) |"
echo
echo "End to end (walks + training): gensim = NumPy walker $(get "$NW" 'round(walk_s,1)') s (writing the walk file included) + training $(get "$GS" 'round(train_s,1)') s; riskwalk --hogbatch $(cut -d' ' -f1 $OUT/rwhb.time) s wall for the whole process (load, counting pass, walks, training, write). riskwalk walk steps/s per core: $(get "$HB" 'round(walk_steps_per_s_core/1e6,2)')M (inside training), counting pass $(get "$HB" 'round(count_steps_per_s/1e6,2)')M steps/s on $THREADS threads; NumPy walker $(get "$NW" 'round(steps/walk_s/1e6,2)')M steps/s."
} | tee -a bench/RESULTS.md
