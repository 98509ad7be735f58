#!/usr/bin/env bash
# riskwalk-retrain.sh: the nightly pipeline run by riskwalk-retrain.service. Inputs and outputs
# come from /etc/riskwalk/retrain.env (RISKWALK_INPUT: edge files; RISKWALK_LABELS: labels file;
# RISKWALK_WORK: scratch; RISKWALK_BUNDLE: the bundle directory the scorer serves). Every step
# writes its files atomically; the bundle directory is replaced in one exchange at the end, so a
# failure at any step leaves the serving bundle as it was.
set -euo pipefail
: "${RISKWALK_INPUT:=/var/lib/riskwalk/input}"
: "${RISKWALK_LABELS:=/var/lib/riskwalk/input/labels.tsv}"
: "${RISKWALK_WORK:=/var/lib/riskwalk/work}"
: "${RISKWALK_BUNDLE:=/var/lib/riskwalk/bundle/current}"
: "${RISKWALK_BIN:=/usr/local/bin}"
mkdir -p "$RISKWALK_WORK"
rw="$RISKWALK_BIN/riskwalk"
types=()
[ -n "${RISKWALK_NODE_TYPES:-}" ] && types=(--node-types "$RISKWALK_NODE_TYPES")
# Warm start from last night's vectors when there are any (rows matched by external id through
# last night's id index, kept beside them): nodes whose neighbourhood did not change barely move.
init=()
# vectors.ids.rwi is copied only after a successful training run, so it always names the rows of
# vectors.rwv even when a later step (or tonight's ingest) failed.
if [ -f "$RISKWALK_WORK/vectors.rwv" ] && [ -f "$RISKWALK_WORK/vectors.ids.rwi" ]; then
  cp "$RISKWALK_WORK/vectors.rwv" "$RISKWALK_WORK/previous.rwv"
  cp "$RISKWALK_WORK/vectors.ids.rwi" "$RISKWALK_WORK/previous.rwi"
  init=(--init "$RISKWALK_WORK/previous.rwv" --init-ids "$RISKWALK_WORK/previous.rwi")
fi
"$rw" ingest -q "${types[@]}" -o "$RISKWALK_WORK/graph.rwg" "$RISKWALK_INPUT"/*.tsv*
"$RISKWALK_BIN/riskwalk-train" --quiet "${init[@]}" --graph "$RISKWALK_WORK/graph.rwg" --out "$RISKWALK_WORK/vectors.rwv"
cp "$RISKWALK_WORK/graph.rwi" "$RISKWALK_WORK/vectors.ids.rwi.tmp" && mv "$RISKWALK_WORK/vectors.ids.rwi.tmp" "$RISKWALK_WORK/vectors.ids.rwi"
"$rw" features --labels "$RISKWALK_LABELS" -o "$RISKWALK_WORK/features.rwf" "$RISKWALK_WORK/graph.rwg"
"$rw" fit --graph "$RISKWALK_WORK/graph.rwg" --features "$RISKWALK_WORK/features.rwf" \
    --vectors "$RISKWALK_WORK/vectors.rwv" --labels "$RISKWALK_LABELS" -o "$RISKWALK_WORK/model.json"
"$rw" bundle --graph "$RISKWALK_WORK/graph.rwg" --vectors "$RISKWALK_WORK/vectors.rwv" \
    --features "$RISKWALK_WORK/features.rwf" --model "$RISKWALK_WORK/model.json" --labels "$RISKWALK_LABELS" \
    -o "$RISKWALK_BUNDLE"
