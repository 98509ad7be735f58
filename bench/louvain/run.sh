#!/usr/bin/env bash
# bench/louvain: riskwalk Louvain against python3-igraph's community_multilevel (the anchor) on the
# same files and the same graph view (undirected simple), in the same run. Prints per-run lines to
# bench/out/louvain.tsv and a summary (medians, ratios) to stdout in the form bench/RESULTS.md uses.
# Usage: bench/louvain/run.sh [REPEATS] [EDGE FILES...]   (default: 5 repeats, dblp-2010, cnr-2000)
set -euo pipefail
cd "$(dirname "$0")/../.."
repeats=${1:-5}
shift || true
files=("$@")
data=${RISKWALK_SHARED:-../shared}/data
[ ${#files[@]} -gt 0 ] || files=("$data/dblp-2010/arcs.tsv.gz" "$data/cnr-2000/arcs.tsv.gz")
/usr/bin/python3 -c 'import igraph, numpy' 2>/dev/null || { echo "bench-louvain: python3-igraph and python3-numpy are needed: run make setup-bench" >&2; exit 1; }
mkdir -p bench/out
go build -o bench/out/louvain ./bench/louvain
out=bench/out/louvain.tsv
echo -e "graph\ttool\tseed\tseconds\tmodularity\tcommunities\tlevels" > "$out"
for f in "${files[@]}"; do
  # Interleave so that machine load hits both sides alike.
  bench/out/louvain -repeats "$repeats" -threads 2,1 "$f" >> "$out"
  /usr/bin/python3 bench/louvain/igraph_louvain.py "$repeats" "$f" >> "$out"
done
/usr/bin/python3 - "$out" <<'PY'
import sys, statistics as st, collections, datetime, platform, os
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
by = collections.defaultdict(list)
for g, tool, seed, sec, q, k, lv in rows:
    by[(g, tool)].append((float(sec), float(q), int(k)))
print("date %s, %s, %d cores, load avg %s" % (datetime.date.today(), platform.node(), os.cpu_count(), os.getloadavg()[0]))
print("| graph | tool | median s | median Q | median communities | speed-up vs igraph | Q - igraph Q |")
print("|---|---|---|---|---|---|---|")
for g in dict.fromkeys(k[0] for k in by):
    a = by[(g, "igraph")]
    at, aq = st.median(x[0] for x in a), st.median(x[1] for x in a)
    for tool in sorted(t for (gg, t) in by if gg == g):
        r = by[(g, tool)]
        t, q, k = st.median(x[0] for x in r), st.median(x[1] for x in r), st.median(x[2] for x in r)
        print("| %s | %s | %.3f | %.4f | %d | %.1fx | %+.4f |" % (g, tool, t, q, k, at / t, q - aq))
PY
