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
"$rw" ingest -o "$RISKWALK_WORK/graph.rwg" "$RISKWALK_INPUT"/*.tsv*
"$RISKWALK_BIN/riskwalk-train" -graph "$RISKWALK_WORK/graph.rwg" -o "$RISKWALK_WORK/vectors.rwv"
"$rw" features -graph "$RISKWALK_WORK/graph.rwg" -labels "$RISKWALK_LABELS" -o "$RISKWALK_WORK/features.rwf"
"$rw" fit -features "$RISKWALK_WORK/features.rwf" -vectors "$RISKWALK_WORK/vectors.rwv" -labels "$RISKWALK_LABELS" -o "$RISKWALK_WORK/model.json"
"$rw" bundle -graph "$RISKWALK_WORK/graph.rwg" -vectors "$RISKWALK_WORK/vectors.rwv" \
    -features "$RISKWALK_WORK/features.rwf" -model "$RISKWALK_WORK/model.json" -labels "$RISKWALK_LABELS" \
    -o "$RISKWALK_BUNDLE"
