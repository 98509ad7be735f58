#!/bin/bash
# Link prediction on BlogCatalog: which trainer settings move the three linkpred.py scores.
#   bench/deepwalk/linkpred_variants.sh [DIR]   (default bench/out/lpvar; W=20 walks)
# Splits BlogCatalog with ../shared/eval/linkpred.py (--frac 0.5 --seed 0), trains riskwalk's
# default (HogBatch, α 0.05), HogBatch at α 0.025, --per-pair at α 0.05 and at α 0.025, and gensim
# on the default run's walk file, and scores each with linkpred.py as it is (one line per variant).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
SHARED=${RISKWALK_SHARED:-../shared}
DIR=${1:-bench/out/lpvar}
W=${W:-20}
PY=/usr/bin/python3
mkdir -p "$DIR"
cd "$DIR"
$PY "$ROOT/$SHARED/eval/linkpred.py" split --edges "$ROOT/$SHARED/data/blogcatalog/edges.tsv" --out . --frac 0.5 --seed 0 > split.log
PP="--length 40 --dim 128 --window 10 --negative 5 --sample 1e-3 --threads 2 --seed 1 --quiet"
score() { echo -n "$1: "; $PY "$ROOT/$SHARED/eval/linkpred.py" score --emb "$1.emb" --test test.tsv | grep -v RESULT | tr '\n' ' '; echo; }
run() {
	local n=$1
	shift
	"$ROOT/bin/riskwalk-train" --graph train.tsv --out "$n.rwv" --walks "$W" $PP "$@" > "$n.log" 2>&1
	"$ROOT/bin/riskwalk" export -o "$n.emb" "$n.rwv" > /dev/null
	score "$n"
}
run default --walks-out walks.txt
$PY "$ROOT/bench/deepwalk/gensim_train.py" train walks.txt gensim.emb --workers 2 > gensim.log 2>&1
rm -f walks.txt
score gensim
run hogbatch-lr0.025 --lr 0.025
run per-pair --per-pair
run per-pair-lr0.025 --per-pair --lr 0.025
