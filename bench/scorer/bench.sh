#!/usr/bin/env bash
# bench.sh: `make bench-scorer`. Serves a synthetic bundle of N users (default 1M) and drives
# Zipf-distributed ids at it with wrk on loopback, directly and through nginx (the shipped
# config, two scorers), then runs redis-benchmark GET of values of the same size as a vector row
# against a local redis-server as the reference. Prints `p99 X ms` and `N req/s` lines with
# p50/p99.9, tier hit rates and the scorer's RSS. Load goes to 127.0.0.1 only and every run is
# bounded in time. Environment: N, DIM, DURATION (s), CONNS, THREADS.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-1000000}
DIM=${DIM:-64}
DURATION=${DURATION:-10}
CONNS=${CONNS:-16}
THREADS=${THREADS:-1}
OUT=bench/out/scorer
mkdir -p "$OUT" bin
for t in wrk redis-server redis-benchmark nginx curl; do
  command -v $t >/dev/null || { echo "bench-scorer: $t missing; run make setup-bench" >&2; exit 1; }
done

CGO_ENABLED=0 go build -o bin/riskwalk-scorer ./cmd/riskwalk-scorer
go build -o "$OUT/genbundle" ./bench/scorer/genbundle
B="$OUT/bundle-$N-$DIM"
# Rebuild when the bundle is missing, of another size, or not readable by this build (format).
if ! grep -q "\"users\": $N," "$B/manifest.json" 2>/dev/null || ! bin/riskwalk-scorer -bundle "$B" -examples 1 >/dev/null 2>&1; then
  "$OUT/genbundle" -n "$N" -dim "$DIM" -o "$B" -zipf "$OUT/zipf-$N.txt" -requests 500000
fi
[ -s "$OUT/zipf-$N.txt" ] || "$OUT/genbundle" -n "$N" -dim "$DIM" -o "$B" -zipf "$OUT/zipf-$N.txt" -requests 500000
VECBYTES=$((DIM * 4))
# Yesterday's traffic, for preheating T1: a sample of the same Zipf popularity (ids only).
head -n 100000 "$OUT/zipf-$N.txt" | sed 's|^/v1/score/||' > "$OUT/traffic.log"

TOKEN=bench-token-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "bench $(bin/riskwalk-scorer -hash-token <<<"$TOKEN") rate=0" > "$OUT/tokens"
head -c 32 /dev/urandom > "$OUT/audit.key"
rm -rf "$OUT/audit-a" "$OUT/audit-b"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

start_scorer() { # $1 listen $2 admin $3 audit dir
  bin/riskwalk-scorer -bundle "$B" -tokens "$OUT/tokens" -listen "$1" -admin "$2" -hot 10000 -hot-log "$OUT/traffic.log" -cache-mb 256 \
    -audit-dir "$3" -audit-key "$OUT/audit.key" 2>>"$OUT/scorer.log" &
  pids+=($!)
  for _ in $(seq 300); do curl -sf "http://$2/readyz" >/dev/null && return 0; sleep 0.1; done
  echo "bench-scorer: scorer on $1 did not become ready; see $OUT/scorer.log" >&2; exit 1
}
tiers() { curl -s "http://$1/metrics" | awk '/^riskwalk_tier_hits_total/ {gsub(/.*tier="/,""); gsub(/"}/,""); printf "%s=%s ", $1, $2}'; }
# On-CPU and runqueue-wait nanoseconds of all of a process's threads (/proc/PID/task/*/schedstat):
# a runqueue wait far above on-CPU time means the machine, not the process, sets the latency.
sched() { cat /proc/$1/task/*/schedstat | awk '{c+=$1; w+=$2} END {printf "%.0f %.0f\n", c, w}'; }
# Share of requests the handler itself finished within 1 ms (riskwalk_request_duration_seconds).
handler_1ms() { curl -s "http://$1/metrics" | awk '/^riskwalk_request_duration_seconds_bucket\{le="0.001"\}/ {a=$2} /^riskwalk_request_duration_seconds_count/ {n=$2} END {if (n>0) printf "%.3f%% of %d", 100*a/n, n}'; }
rss() { awk '/RssAnon/ {a=$2} /RssFile/ {f=$2} END {printf "anon %.0f MiB + file (bundle pages) %.0f MiB", a/1024, f/1024}' /proc/$1/status; }
run_wrk() { # $1 url base, $2 label
  RW_TOKEN=$TOKEN wrk -t"$THREADS" -c"$CONNS" -d2s -s bench/scorer/zipf.lua "$1" -- "$OUT/zipf-$N.txt" >/dev/null # warm-up
  RW_TOKEN=$TOKEN wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" -s bench/scorer/zipf.lua "$1" -- "$OUT/zipf-$N.txt" | tee "$OUT/wrk-$2.txt" | grep '^RESULT'
}
report() { # $1 label, $2 RESULT line, $3 extra
  local l=$2
  local rps=${l#*req_s=}; rps=${rps%% *}
  local p50=${l#*p50_ms=}; p50=${p50%% *}
  local p99=${l#*p99_ms=}; p99=${p99%% *}
  local p999=${l#*p999_ms=}; p999=${p999%% *}
  local errs=${l#*errors=}; errs=${errs%% *}
  local non2xx=${l#*non2xx=}; non2xx=${non2xx%% *}
  printf '%-16s p99 %s ms  %s req/s  (p50 %s ms, p99.9 %s ms, errors %s, non-2xx %s) %s\n' "$1" "$p99" "$rps" "$p50" "$p999" "$errs" "$non2xx" "$3"
}

echo "bench-scorer: $N users, dim $DIM ($VECBYTES-byte vector rows), wrk -t$THREADS -c$CONNS -d${DURATION}s, $(nproc) cores, $(date -u +%FT%TZ)"
A=127.0.0.1:18090; AA=127.0.0.1:18091; Bs=127.0.0.1:18092; BA=127.0.0.1:18093; NG=127.0.0.1:18080
start_scorer $A $AA "$OUT/audit-a"
t0=$(tiers $AA)
read -r c0 w0 <<<"$(sched ${pids[0]})"; la0=$(cut -d' ' -f1 /proc/loadavg)
res=$(run_wrk "http://$A" direct)
read -r c1 w1 <<<"$(sched ${pids[0]})"; la1=$(cut -d' ' -f1 /proc/loadavg)
t1=$(tiers $AA)
direct_line=$(report "scorer direct" "$res" "tiers[before: $t0] [after: $t1] rss $(rss ${pids[0]})")
sched_line=$(printf 'scorer direct: threads on CPU %d ms, waiting for a CPU %d ms (warm-up + run, %ss); handler done within 1 ms for %s requests; load average %s -> %s' \
  $(( (c1 - c0) / 1000000 )) $(( (w1 - w0) / 1000000 )) $((DURATION + 2)) "$(handler_1ms $AA)" "$la0" "$la1")

# Through nginx, the shipped config with two scorers (rates raised: this is one client).
start_scorer $Bs $BA "$OUT/audit-b"
NGD=$PWD/$OUT/nginx; rm -rf "$NGD"; mkdir -p "$NGD"
sed -e "s/127.0.0.1:8080/$NG/; s/127.0.0.1:8090/$A/; s/127.0.0.1:8092/$Bs/; s|/var/log/nginx/|$NGD/|; s/rate=[0-9]*r\/s/rate=1000000r\/s/" \
  deploy/nginx/riskwalk.conf > "$NGD/riskwalk.conf"
cat > "$NGD/nginx.conf" <<NGX
daemon off;
worker_processes 1;
pid $NGD/nginx.pid;
error_log $NGD/error.log warn;
events { worker_connections 4096; }
http {
  client_body_temp_path $NGD/body; proxy_temp_path $NGD/proxy; fastcgi_temp_path $NGD/fcgi;
  uwsgi_temp_path $NGD/uwsgi; scgi_temp_path $NGD/scgi;
  include $NGD/riskwalk.conf;
}
NGX
nginx -p "$NGD" -c "$NGD/nginx.conf" &
pids+=($!)
for _ in $(seq 100); do curl -s -o /dev/null "http://$NG/healthz" && break; sleep 0.1; done
res=$(run_wrk "http://$NG" nginx)
nginx_line=$(report "scorer via nginx" "$res" "(1 nginx worker, 2 scorers)")

# Reference: redis GET of values as large as one vector row, same connection count, loopback.
redis-server --port 16379 --bind 127.0.0.1 --save '' --appendonly no --daemonize no >"$OUT/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do redis-cli -p 16379 ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-benchmark -p 16379 -t set -d $VECBYTES -r "$N" -n "$N" -c "$CONNS" -q >/dev/null
RN=$((DURATION * 60000))
rb=$(redis-benchmark -p 16379 -t get -d $VECBYTES -r "$N" -n $RN -c "$CONNS" --csv | tail -1)
# "GET","rps","avg","min","p50","p95","p99","max"
IFS=, read -r _ rrps _ _ rp50 _ rp99 rmax <<<"$(tr -d '"' <<<"$rb")"
redis_line=$(printf '%-16s p99 %s ms  %.0f req/s  (p50 %s ms, max %s ms; redis-benchmark -t get -d %d -c %d -n %d)' "redis GET" "$rp99" "$rrps" "$rp50" "$rmax" $VECBYTES "$CONNS" $RN)

echo "$direct_line"
echo "$sched_line"
echo "$nginx_line"
echo "$redis_line"
