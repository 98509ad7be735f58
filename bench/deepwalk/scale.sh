#!/bin/bash
# The trainer at scale (issue 3): a 1M-node, ~10M-edge synthetic graph trained with 10 walks of
# length 40 at dim 128, peak memory against the bound 1.25 x (2 x nodes x dim x 4 bytes + CSR size).
#   bench/deepwalk/scale.sh [DIR]     (default bench/out/scale; about 20 min on 2 free cores)
# The graph is generated and ingested once (kept in DIR for later runs); the training run is timed
# with /usr/bin/time -v. Prints a markdown table for bench/RESULTS.md and exits 1 if the peak
# resident set is over the bound.
set -euo pipefail
cd "$(dirname "$0")/../.."
DIR=${1:-bench/out/scale}
WALKS=${WALKS:-10}
DIM=${DIM:-128}
mkdir -p "$DIR"
if [ ! -s "$DIR/graph.rwg" ]; then
	echo "== riskwalk gen --users 600000 --media 400000 --transfers 7.3 (1M nodes, ~10M edges)" >&2
	bin/riskwalk gen -o "$DIR" --users 600000 --media 400000 --transfers 7.3
	bin/riskwalk ingest --node-types "$DIR/nodes.tsv" -o "$DIR/graph.rwg" "$DIR/edges.tsv.gz"
fi
load0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== riskwalk-train --walks $WALKS --length 40 --dim $DIM (load average $load0)" >&2
/usr/bin/time -v -o "$DIR/time.txt" bin/riskwalk-train --graph "$DIR/graph.rwg" --out "$DIR/v.rwv" \
	--walks "$WALKS" --length 40 --dim "$DIM" --threads 2 2> "$DIR/train.log"
tail -3 "$DIR/train.log" >&2
nodes=$(bin/riskwalk profile --json "$DIR/graph.rwg" | python3 -c 'import json, sys; print(json.load(sys.stdin)["nodes"])')
csr=$(stat -c %s "$DIR/graph.rwg")
rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$DIR/time.txt")
wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$DIR/time.txt")
user=$(sed -n 's/.*User time (seconds): //p' "$DIR/time.txt")
python3 - "$nodes" "$DIM" "$csr" "$rss_kb" "$wall" "$user" "$WALKS" "$load0" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import sys
n, d, csr, rss_kb = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
wall, user, walks, l0, l1 = sys.argv[5], sys.argv[6], sys.argv[7], sys.argv[8], sys.argv[9]
base = 2 * n * d * 4 + csr
rss = rss_kb * 1024
print(f"| nodes / walks x length / dim | {n:,} / {walks} x 40 / {d} |")
print(f"| wall / user CPU | {wall} / {user} s |")
print(f"| peak RSS | {rss/1e9:.3f} GB |")
print(f"| base 2 x N x dim x 4 + graph file | {base/1e9:.3f} GB; bound 1.25 x = {1.25*base/1e9:.3f} GB |")
print(f"| peak / base | {rss/base:.2f}x |")
print(f"| load average start / end | {l0} / {l1} |")
sys.exit(0 if rss <= 1.25 * base else 1)
PY
