// Package scorer answers "how risky is this account?" over HTTP (fasthttp) from a scoring bundle
// (package bundle), in microseconds and without allocating per request.
//
// # API (JSON over HTTP)
//
//	GET  /v1/score/{id}       score, decision, reasons, graph evidence, model version, tier, time
//	POST /v1/score            {"ids":[...]} (at most MaxBatch) -> {"results":[...],"count":N,...}
//	POST /v1/transaction      {"payer":ID,"payee":ID,...} -> both answers and {"transaction":{...}}
//	GET  /v1/neighbors/{id}   the capped two-hop neighbourhood, each user with score and decision
//	GET  /healthz, /readyz    liveness; readiness (503 while draining); no authentication
//
// Admin listener (loopback only): GET /metrics (Prometheus text), /healthz, /readyz,
// POST /admin/reload.
//
// An answer for a known user:
//
//	{"id":"u42","known":true,"cold":false,"score":0.93,"decision":"reject","label":"unlabelled",
//	 "reasons":[{"feature":"ring_bad_share","contribution":2.6},...],          // logit terms
//	 "graph":{"degree":7,"community":5,"community_size":40,"community_bad_share":0.25,
//	          "bad_within_2_hops":3,"bad_within_2_hops_capped":false,
//	          "nearest_bad":[{"id":"u9","similarity":0.91},...]},
//	 "model_version":"m1","tier":"t2","degraded":false,"took_us":12}
//
// The score is the model's probability of "bad", precomputed by `riskwalk bundle`; the decision
// applies the model's thresholds (reject >= thresholds.reject > review >= thresholds.review).
// reasons are the features with the largest contributions to the model's logit (sign kept),
// graph holds the evidence a risk analyst checks. Unknown ids get {"known":false,"cold":true}
// with the bundle's cold-start score and decision (or Config.ColdDecision). When the per-request
// deadline would be missed the answer is {"decision":<DegradedDecision>,"degraded":true,
// "tier":"degraded"} without a score. Every error is {"error":{"code":..,"message":..},
// "request_id":..} with status 400 (bad_request, bad_id), 401 (unauthorized), 404 (not_found),
// 405 (method_not_allowed), 413 (body_too_large, batch_too_large), 429 (rate_limited),
// 500 (internal, reload_refused), 503 (overloaded).
//
// # Tiers
//
//	T1  hot set: answers of the top users (by degree, or by count in a traffic log) rendered at
//	    load into an immutable open-addressing table; read without locks.
//	T2  fastcache: answers rendered on a miss, keyed by (bundle generation, id), bounded in bytes.
//	T3  the bundle's mmap'd rows, resident in the page cache (mincore says so before the read).
//	T4  the same rows not resident: the read faults them in from disk.
//
// Per-tier counts and latency histograms are in /metrics (riskwalk_tier_hits_total,
// riskwalk_answer_duration_seconds{tier=...}).
//
// # Under pressure
//
// More than MaxInFlight requests in the handler: 503 with Retry-After, at once. A client over its
// token bucket: 429. Reload (SIGHUP or POST /admin/reload): the new bundle is opened and verified
// beside the old one, swapped in with one atomic pointer store, and the old one is unmapped when
// the last request holding it finishes; a bundle that fails verification is refused and the old
// one keeps serving. Shutdown: /readyz turns 503, after DrainDelay the listeners close, in-flight
// requests finish, the audit log is flushed. Panics are recovered into 500s.
package scorer
