package scorer

import (
	"github.com/VictoriaMetrics/fastcache"

	"fmt"
	"io"
	"sync/atomic"
	"time"
)

// Tiers that answer an id. T1..T4 are the cache tiers; cold is an id the bundle does not know;
// degraded is the default decision given when the deadline would be missed.
const (
	tierT1 = iota
	tierT2
	tierT3
	tierT4
	tierCold
	tierDegraded
	nTiers
)

var tierNames = [nTiers]string{"t1", "t2", "t3", "t4", "cold", "degraded"}

// latBuckets are the histogram's upper bounds in seconds.
var latBuckets = [...]float64{25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3, 250e-3}

type hist struct {
	counts [len(latBuckets) + 1]atomic.Uint64
	sumNs  atomic.Uint64
}

func (h *hist) observe(d time.Duration) {
	s := d.Seconds()
	i := 0
	for i < len(latBuckets) && s > latBuckets[i] {
		i++
	}
	h.counts[i].Add(1)
	h.sumNs.Add(uint64(max(d, 0)))
}

func (h *hist) write(w io.Writer, name, labels string) {
	var cum uint64
	sep := ""
	if labels != "" {
		sep = ","
	}
	for i, b := range latBuckets {
		cum += h.counts[i].Load()
		fmt.Fprintf(w, "%s_bucket{%s%sle=\"%g\"} %d\n", name, labels, sep, b, cum)
	}
	cum += h.counts[len(latBuckets)].Load()
	fmt.Fprintf(w, "%s_bucket{%s%sle=\"+Inf\"} %d\n", name, labels, sep, cum)
	fmt.Fprintf(w, "%s_sum{%s} %g\n", name, labels, float64(h.sumNs.Load())/1e9)
	fmt.Fprintf(w, "%s_count{%s} %d\n", name, labels, cum)
}

var statusCodes = [...]int{200, 400, 401, 404, 405, 413, 429, 500, 503}

type metrics struct {
	req      hist
	tier     [nTiers]hist
	status   [len(statusCodes) + 1]atomic.Uint64 // last: any other code
	shed     atomic.Uint64
	limited  atomic.Uint64
	degraded atomic.Uint64
	panics   atomic.Uint64
	reloadOK atomic.Uint64
	reloadKO atomic.Uint64
	lastLoad atomic.Int64 // unix seconds of the current bundle's load
}

func (m *metrics) countStatus(code int) {
	for i, c := range statusCodes {
		if c == code {
			m.status[i].Add(1)
			return
		}
	}
	m.status[len(statusCodes)].Add(1)
}

// write renders every metric in the Prometheus text exposition format (version 0.0.4).
func (m *metrics) write(w io.Writer, st *state, inflight int64, t2 t2Stats, auditDropped uint64) {
	fmt.Fprintln(w, "# HELP riskwalk_request_duration_seconds Time from request read to response written by the handler, per HTTP request.")
	fmt.Fprintln(w, "# TYPE riskwalk_request_duration_seconds histogram")
	m.req.write(w, "riskwalk_request_duration_seconds", "")
	fmt.Fprintln(w, "# HELP riskwalk_answer_duration_seconds Time to answer one id, by the tier that answered.")
	fmt.Fprintln(w, "# TYPE riskwalk_answer_duration_seconds histogram")
	for i := range m.tier {
		m.tier[i].write(w, "riskwalk_answer_duration_seconds", `tier="`+tierNames[i]+`"`)
	}
	fmt.Fprintln(w, "# HELP riskwalk_tier_hits_total Ids answered, by tier (t1 hot set, t2 fastcache, t3 page cache, t4 disk, cold unknown id, degraded deadline default).")
	fmt.Fprintln(w, "# TYPE riskwalk_tier_hits_total counter")
	for i := range m.tier {
		var n uint64
		for j := range m.tier[i].counts {
			n += m.tier[i].counts[j].Load()
		}
		fmt.Fprintf(w, "riskwalk_tier_hits_total{tier=%q} %d\n", tierNames[i], n)
	}
	fmt.Fprintln(w, "# HELP riskwalk_responses_total HTTP responses by status code.")
	fmt.Fprintln(w, "# TYPE riskwalk_responses_total counter")
	for i, c := range statusCodes {
		fmt.Fprintf(w, "riskwalk_responses_total{code=\"%d\"} %d\n", c, m.status[i].Load())
	}
	fmt.Fprintf(w, "riskwalk_responses_total{code=\"other\"} %d\n", m.status[len(statusCodes)].Load())
	counter := func(name, help string, v uint64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", name, help, name, name, v)
	}
	counter("riskwalk_degraded_total", "Ids answered with the default decision because the deadline would be missed.", m.degraded.Load())
	counter("riskwalk_shed_total", "Requests refused with 503 because too many were in flight.", m.shed.Load())
	counter("riskwalk_rate_limited_total", "Requests refused with 429 by a client's token bucket.", m.limited.Load())
	counter("riskwalk_panics_total", "Handler panics recovered (answered 500).", m.panics.Load())
	counter("riskwalk_audit_dropped_total", "Audit lines dropped because the disk fell more than a buffer behind.", auditDropped)
	counter("riskwalk_reloads_total", "Bundle reloads that succeeded.", m.reloadOK.Load())
	counter("riskwalk_reload_failures_total", "Bundle reloads refused (the old bundle kept serving).", m.reloadKO.Load())
	fmt.Fprintf(w, "# HELP riskwalk_in_flight Requests being handled.\n# TYPE riskwalk_in_flight gauge\nriskwalk_in_flight %d\n", inflight)
	fmt.Fprintf(w, "# HELP riskwalk_t2_bytes Bytes held by the T2 cache.\n# TYPE riskwalk_t2_bytes gauge\nriskwalk_t2_bytes %d\n", t2.bytes)
	fmt.Fprintf(w, "# HELP riskwalk_t2_entries Entries in the T2 cache.\n# TYPE riskwalk_t2_entries gauge\nriskwalk_t2_entries %d\n", t2.entries)
	if st != nil {
		fmt.Fprintln(w, "# HELP riskwalk_bundle_info The bundle being served (value 1).")
		fmt.Fprintln(w, "# TYPE riskwalk_bundle_info gauge")
		fmt.Fprintf(w, "riskwalk_bundle_info{model_version=%q,created=%q,users=\"%d\",vector_kind=%q} 1\n",
			st.b.Manifest.ModelVersion, st.b.Manifest.Created, st.b.N, st.b.Manifest.VectorKind)
		fmt.Fprintf(w, "# HELP riskwalk_bundle_loaded_timestamp_seconds When the bundle was loaded.\n# TYPE riskwalk_bundle_loaded_timestamp_seconds gauge\nriskwalk_bundle_loaded_timestamp_seconds %d\n", m.lastLoad.Load())
		fmt.Fprintf(w, "# HELP riskwalk_hot_set_users Users in the T1 hot set.\n# TYPE riskwalk_hot_set_users gauge\nriskwalk_hot_set_users %d\n", st.hot.n)
	}
}

type t2Stats struct{ bytes, entries uint64 }

type fastcacheStats = fastcache.Stats
