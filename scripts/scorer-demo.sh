#!/usr/bin/env bash
# scorer-demo.sh BUNDLE_DIR [BIN_DIR]: the end of `make demo`. Starts riskwalk-scorer on the bundle
# (loopback only, a throw-away bearer token), scores the bundle's highest-scoring labelled-bad
# users and its lowest-scoring other users with curl, shows a transaction between the two kinds,
# a cold-start answer and an investigator's neighbourhood view, prints the tier counters, then
# stops the scorer with SIGTERM (graceful drain). Ports: SCORER_PORT (18190), SCORER_ADMIN_PORT (18191).
set -euo pipefail
B=${1:?usage: scorer-demo.sh BUNDLE_DIR [BIN_DIR]}
BIN=${2:-bin}
P=${SCORER_PORT:-18190}
PA=${SCORER_ADMIN_PORT:-18191}
S="$BIN/riskwalk-scorer"
[ -x "$S" ] || { echo "scorer-demo: $S not found; run make build" >&2; exit 1; }
tmp=$(mktemp -d)
TOKEN=demo-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "demo $("$S" -hash-token <<<"$TOKEN")" > "$tmp/tokens"
"$S" -bundle "$B" -tokens "$tmp/tokens" -listen 127.0.0.1:$P -admin 127.0.0.1:$PA -hot 1000 2>"$tmp/scorer.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PA/readyz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$PA/readyz" >/dev/null || { cat "$tmp/scorer.log" >&2; exit 1; }
echo "== riskwalk-scorer on 127.0.0.1:$P serving $B (pid $pid)"
show() { # summarise one answer: id, score, decision, tier, top reasons, graph evidence
  if command -v python3 >/dev/null; then
    python3 -c '
import json, sys
a = json.load(sys.stdin)
g = a.get("graph", {})
rs = ", ".join("%s %+.2f" % (r["feature"], r["contribution"]) for r in a.get("reasons", []))
print("  %-12s score %-6.3f %-7s tier %-4s took %4dus | %s | community %s size %s bad share %.2f, %s bad within 2 hops, nearest bad %s" % (
  a["id"], a.get("score", float("nan")), a["decision"], a["tier"], a.get("took_us", 0), rs,
  g.get("community", "-"), g.get("community_size", "-"), g.get("community_bad_share", 0.0), g.get("bad_within_2_hops", 0),
  ", ".join("%s (%.2f)" % (n["id"], n["similarity"]) for n in g.get("nearest_bad", [])[:2])))'
  else
    cat; echo
  fi
}
api() { curl -sS -H "Authorization: Bearer $TOKEN" "$@"; }
mapfile -t ex < <("$S" -bundle "$B" -examples 3)
bad=() normal=()
for l in "${ex[@]}"; do
  set -- $l
  if [ "$1" = bad ]; then bad+=("$2"); else normal+=("$2"); fi
done
echo "== known-bad users (labelled bad in the training data)"
for id in "${bad[@]}"; do api "http://127.0.0.1:$P/v1/score/$id" | show; done
echo "== normal users"
for id in "${normal[@]}"; do api "http://127.0.0.1:$P/v1/score/$id" | show; done
echo "== the first known-bad user again (answered from a cache tier)"
api "http://127.0.0.1:$P/v1/score/${bad[0]}" | show
echo "== an id the bundle has never seen (cold start)"
api "http://127.0.0.1:$P/v1/score/never-seen-account" | show
echo "== a transfer from a normal user to a known-bad user"
api -X POST -d "{\"payer\":\"${normal[0]}\",\"payee\":\"${bad[0]}\",\"amount\":500}" "http://127.0.0.1:$P/v1/transaction" |
  { if command -v python3 >/dev/null; then python3 -c 'import json,sys; t=json.load(sys.stdin)["transaction"]; print("  transaction score %.3f %s (similarity %.2f, same community %s): %s" % (t["score"], t["decision"], t["similarity"], t["same_community"], t["explanation"]))'; else cat; echo; fi; }
echo "== an investigator's view: the neighbourhood of ${bad[0]} (first 5)"
api "http://127.0.0.1:$P/v1/neighbors/${bad[0]}" |
  { if command -v python3 >/dev/null; then python3 -c 'import json,sys; a=json.load(sys.stdin); [print("  hop %d %-12s score %.3f %-7s %s" % (n["hop"], n["id"], n["score"], n["decision"], n["label"])) for n in a["neighbors"][:5]]; print("  (%d listed%s)" % (len(a["neighbors"]), ", capped" if a["capped"] else ""))'; else cat; echo; fi; }
echo "== without a token"
curl -sS "http://127.0.0.1:$P/v1/score/${bad[0]}"; echo
echo "== tier counters (/metrics on the admin port)"
curl -s "http://127.0.0.1:$PA/metrics" | grep '^riskwalk_tier_hits_total' | sed 's/^/  /'
kill -TERM $pid
wait $pid
echo "== scorer drained and stopped"
