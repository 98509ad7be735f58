#!/bin/bash
# DeepWalk quality and speed, riskwalk beside gensim on the same walks and parameters, in one run.
#   bench/deepwalk/run.sh [WALKS]        (default 80; DeepWalk paper parameters otherwise)
# Sections, each written to bench/out/deepwalk/report.md as soon as it is done (so an interrupted
# run keeps what it measured) and the whole report appended to bench/RESULTS.md at the end:
#  A. BlogCatalog node classification at WALKS walks: riskwalk --per-pair (writes its walks),
#     gensim (Word2Vec sg=1, negative=5, corpus_file, workers=2) on exactly those walks, riskwalk
#     default (HogBatch); a NumPy walker gives gensim's end-to-end time (walks + training).
#  B. The same at 10 walks (the demo's setting): riskwalk default and gensim on its walks.
#  C. Link prediction on BlogCatalog: ../shared/eval/linkpred.py split --frac 0.5 --seed 0; both
#     train on train.tsv (WALKS walks), both scored on test.tsv.
#  D. PPI and POS: Macro/Micro-F1 at 50% labelled, riskwalk default and gensim (WALKS walks).
# SECTIONS=AC (say) runs only those sections; the default is ABCD.
# Embeddings are scored with ../shared/eval/nodeclass.py (10 shuffles) and linkpred.py as they are.
# CPU seconds (user) are given beside wall time: the machine is shared, so wall time mostly
# measures contention and CPU-second ratios are the fair speed comparison.
set -euo pipefail
cd "$(dirname "$0")/../.."
WALKS=${1:-80}
SECTIONS=${SECTIONS:-ABCD}
want() { [[ $SECTIONS == *$1* ]]; }
SHARED=${RISKWALK_SHARED:-../shared}
EVAL=$SHARED/eval
DATA=$SHARED/data
PY=/usr/bin/python3
OUT=bench/out/deepwalk
REPORT=$OUT/report.md
mkdir -p "$OUT"
THREADS=2
PP="--length 40 --dim 128 --window 10 --negative 5 --sample 1e-3 --threads $THREADS --seed 1 --quiet"
json() { sed -n 's/^RESULT //p' "$1" | tail -1; }
get() { $PY -c "import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2], {}, d))" "$1" "$2"; }
f1() { $PY -c "import json,sys; r=json.loads(sys.argv[1])['results']; print(' / '.join('%.2f'%(100*r[k][sys.argv[2]]) for k in sys.argv[3].split(',')))" "$(json "$1")" "$2" "$3"; }
cpu() { cut -d' ' -f2 "$1"; }
wall() { cut -d' ' -f1 "$1"; }
tm() { local o=$1; shift; /usr/bin/time -f "%e %U" -o "$o" "$@"; }
# train NAME GRAPH WALKS [flags]: riskwalk-train into $OUT/NAME.rwv and NAME.emb (external ids).
train() {
    local n=$1 g=$2 w=$3; shift 3
    echo "== riskwalk $n ($g, $w walks $*)" >&2
    tm "$OUT/$n.time" bin/riskwalk-train --graph "$g" --out "$OUT/$n.rwv" --walks "$w" $PP "$@" > "$OUT/$n.log"
    bin/riskwalk export -o "$OUT/$n.emb" "$OUT/$n.rwv"
}
gensim() { # gensim NAME WALKFILE
    echo "== gensim $1" >&2
    tm "$OUT/$1.time" $PY bench/deepwalk/gensim_train.py train "$2" "$OUT/$1.emb" --workers $THREADS > "$OUT/$1.log"
}
nodeclass() { # nodeclass NAME LABELS RATIOS
    echo "== nodeclass $1" >&2
    $PY "$EVAL/nodeclass.py" --emb "$OUT/$1.emb" --labels "$2" --ratios "$3" > "$OUT/$1.nc"
}
GSV=$($PY -c 'import gensim; print(gensim.__version__)')
: > "$REPORT"
{
echo
echo "### DeepWalk: riskwalk vs gensim ($(date -u +%F), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
echo "Command: \`SECTIONS=$SECTIONS bench/deepwalk/run.sh $WALKS\` (make bench-deepwalk). riskwalk flags: --walks W $PP (defaults: HogBatch update, α 0.05 decaying linearly to α·1e-4); gensim $GSV Word2Vec(sg=1, hs=0, negative=5, window=10, sample=1e-3, min_count=0, alpha 0.025->0.0001, corpus_file, workers=$THREADS, epochs=1) on riskwalk's own walk file. Load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (shared machine: wall times mostly measure contention; compare CPU seconds)."
} | tee -a "$REPORT"

BC=$DATA/blogcatalog
# A. BlogCatalog at WALKS.
if want A; then
train bcpp "$BC/edges.tsv" "$WALKS" --per-pair --walks-out "$OUT/walks.txt"
gensim bcgs "$OUT/walks.txt"
train bc "$BC/edges.tsv" "$WALKS"
echo "== NumPy walker (gensim's end-to-end time)" >&2
$PY bench/deepwalk/gensim_train.py walk "$BC/edges.tsv" "$OUT/npwalks.txt" --walks "$WALKS" > "$OUT/npwalk.log"
rm -f "$OUT/npwalks.txt" "$OUT/walks.txt"
for m in bcgs bcpp bc; do nodeclass $m "$BC/labels.tsv" 0.1,0.5,0.9; done
RW=$(json "$OUT/bc.log"); PPJ=$(json "$OUT/bcpp.log"); GS=$(json "$OUT/bcgs.log"); NW=$(json "$OUT/npwalk.log")
{
echo
echo "A. BlogCatalog node classification, $WALKS walks:"
echo
echo "| | Micro-F1 10/50/90 % | Macro-F1 10/50/90 % | train s (wall) | CPU s (user, whole process) | tokens per CPU-s |"
echo "|---|---|---|---|---|---|"
echo "| gensim (anchor) | $(f1 $OUT/bcgs.nc micro 0.1,0.5,0.9) | $(f1 $OUT/bcgs.nc macro 0.1,0.5,0.9) | $(get "$GS" 'round(train_s,1)') | $(cpu $OUT/bcgs.time) | $($PY -c "print(round($(get "$GS" tokens)/$(cpu $OUT/bcgs.time)))") |"
echo "| riskwalk --per-pair (+ writes the walk file) | $(f1 $OUT/bcpp.nc micro 0.1,0.5,0.9) | $(f1 $OUT/bcpp.nc macro 0.1,0.5,0.9) | $(get "$PPJ" 'round(train_s,1)') | $(cpu $OUT/bcpp.time) | $($PY -c "print(round($(get "$PPJ" tokens)/$(cpu $OUT/bcpp.time)))") |"
echo "| riskwalk default (HogBatch) | $(f1 $OUT/bc.nc micro 0.1,0.5,0.9) | $(f1 $OUT/bc.nc macro 0.1,0.5,0.9) | $(get "$RW" 'round(train_s,1)') | $(cpu $OUT/bc.time) | $($PY -c "print(round($(get "$RW" tokens)/$(cpu $OUT/bc.time)))") |"
echo
echo "End to end (walks + training): gensim = NumPy walker $(get "$NW" 'round(walk_s,1)') s wall (walk file written) + training $(wall $OUT/bcgs.time) s wall / $(cpu $OUT/bcgs.time) CPU-s for the gensim process; riskwalk default $(wall $OUT/bc.time) s wall / $(cpu $OUT/bc.time) CPU-s for the whole process (load, counting pass, walks, training, write). riskwalk walk steps/s per core $(get "$RW" 'round(walk_steps_per_s_core/1e6,2)')M (inside training); NumPy walker $(get "$NW" 'round(steps/walk_s/1e6,2)')M steps/s."
} | tee -a "$REPORT"

fi

# B. BlogCatalog at 10 walks.
if want B; then
train bc10 "$BC/edges.tsv" 10 --walks-out "$OUT/walks10.txt"
gensim bc10gs "$OUT/walks10.txt"
rm -f "$OUT/walks10.txt"
for m in bc10gs bc10; do nodeclass $m "$BC/labels.tsv" 0.1,0.5,0.9; done
{
echo
echo "B. BlogCatalog, 10 walks (the demo's setting; riskwalk's walk file is written in this run):"
echo
echo "| | Micro-F1 10/50/90 % | Macro-F1 10/50/90 % | CPU s (user) |"
echo "|---|---|---|---|"
echo "| gensim (anchor) | $(f1 $OUT/bc10gs.nc micro 0.1,0.5,0.9) | $(f1 $OUT/bc10gs.nc macro 0.1,0.5,0.9) | $(cpu $OUT/bc10gs.time) |"
echo "| riskwalk default | $(f1 $OUT/bc10.nc micro 0.1,0.5,0.9) | $(f1 $OUT/bc10.nc macro 0.1,0.5,0.9) | $(cpu $OUT/bc10.time) |"
} | tee -a "$REPORT"

fi

# C. Link prediction on BlogCatalog.
if want C; then
LP=$OUT/lp
mkdir -p "$LP"
$PY "$EVAL/linkpred.py" split --edges "$BC/edges.tsv" --out "$LP" --frac 0.5 --seed 0 > "$LP/split.log"
train lprw "$LP/train.tsv" "$WALKS" --walks-out "$OUT/lpwalks.txt"
gensim lpgs "$OUT/lpwalks.txt"
rm -f "$OUT/lpwalks.txt"
auc() { $PY -c "import json,sys; r=json.loads(sys.argv[1]); print(' / '.join('%.3f'%r['auc_'+k] for k in ('dot','cos','hadamard_lr')) + ' (missing nodes %d)'%r['missing_nodes'])" "$(json "$1")"; }
for m in lpgs lprw; do
    echo "== linkpred $m" >&2
    $PY "$EVAL/linkpred.py" score --emb "$OUT/$m.emb" --test "$LP/test.tsv" > "$OUT/$m.lp"
done
{
echo
echo "C. Link prediction on BlogCatalog (linkpred.py split --frac 0.5 --seed 0; both trained on train.tsv, $WALKS walks):"
echo
echo "| | ROC-AUC dot / cosine / Hadamard-LR | CPU s (user) |"
echo "|---|---|---|"
echo "| gensim (anchor) | $(auc $OUT/lpgs.lp) | $(cpu $OUT/lpgs.time) |"
echo "| riskwalk default (+ writes the walk file) | $(auc $OUT/lprw.lp) | $(cpu $OUT/lprw.time) |"
} | tee -a "$REPORT"

fi

# D. PPI and POS.
if want D; then
for d in ppi pos; do
    train ${d}rw "$DATA/$d/edges.tsv" "$WALKS" --walks-out "$OUT/${d}walks.txt"
    gensim ${d}gs "$OUT/${d}walks.txt"
    rm -f "$OUT/${d}walks.txt"
    grep -v '^#' "$DATA/$d/labels.tsv" > "$OUT/$d.labels" # nodeclass.py reads no comment lines
    for m in ${d}gs ${d}rw; do nodeclass $m "$OUT/$d.labels" 0.5; done
done
{
echo
echo "D. PPI and POS, 50% labelled, $WALKS walks (uniform walks; POS weights ignored by both):"
echo
echo "| | PPI Macro / Micro-F1 % | POS Macro / Micro-F1 % | CPU s PPI / POS |"
echo "|---|---|---|---|"
echo "| gensim (anchor) | $(f1 $OUT/ppigs.nc macro 0.5) / $(f1 $OUT/ppigs.nc micro 0.5) | $(f1 $OUT/posgs.nc macro 0.5) / $(f1 $OUT/posgs.nc micro 0.5) | $(cpu $OUT/ppigs.time) / $(cpu $OUT/posgs.time) |"
echo "| riskwalk default (+ writes the walk file) | $(f1 $OUT/ppirw.nc macro 0.5) / $(f1 $OUT/ppirw.nc micro 0.5) | $(f1 $OUT/posrw.nc macro 0.5) / $(f1 $OUT/posrw.nc micro 0.5) | $(cpu $OUT/ppirw.time) / $(cpu $OUT/posrw.time) |"
echo
} | tee -a "$REPORT"
fi
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)." | tee -a "$REPORT"
cat "$REPORT" >> bench/RESULTS.md
