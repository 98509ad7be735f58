-- wrk driver for bench.sh: replays Zipf-distributed request paths (one per line in the file given
-- after `--`) with the bearer token from RW_TOKEN, and prints one RESULT line with throughput and
-- p50/p99/p99.9 latency (wrk's --latency shows no p99.9).
local paths, n, i = {}, 0, 0
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("RW_TOKEN") or "")

function init(args)
  for line in io.lines(args[1]) do
    n = n + 1
    paths[n] = line
  end
  i = math.random(n) -- threads start at different places
end

function request()
  i = i + 1
  if i > n then i = 1 end
  return wrk.format(nil, paths[i])
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("RESULT req_s=%.0f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f requests=%d errors=%d non2xx=%d\n",
    summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, summary.requests, e.connect + e.read + e.write + e.timeout, e.status))
end
