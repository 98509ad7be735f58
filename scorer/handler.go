package scorer

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"hash"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"riskwalk/bundle"
)

// scratch is one request's reusable storage, pooled so that a request allocates nothing.
type scratch struct {
	out  []byte // response body
	val  []byte // one cached value
	key  []byte // T2 key: generation (4 bytes) and id
	rid  []byte // request id
	line []byte // audit line
	tmp  []byte // HMAC scratch
	mc   []byte // mincore result
	req  request
	// end is the clock reading that closes the request (the last answer's end, or taken by
	// the endpoint), reused for took_us and the request histogram instead of reading the clock
	// again (time.Now costs 50-150 ns on the VMs measured).
	end time.Time
	// Audit: the HMAC (created on first use, keeps the key's precomputed pad states) and the
	// audit time stamp's formatted second ("2006-01-02T15:04:05.") for second tsSec.
	mac   hash.Hash
	tsSec int64
	tsPre []byte
}

// scratchPool is a free list of scratch. Unlike sync.Pool it never drops entries (sync.Pool
// drops some on purpose under the race detector and at GC), so a warm server allocates nothing.
type scratchPool struct {
	mu   sync.Mutex
	free []*scratch
}

func (p *scratchPool) get() *scratch {
	p.mu.Lock()
	if n := len(p.free); n > 0 {
		sc := p.free[n-1]
		p.free = p.free[:n-1]
		p.mu.Unlock()
		return sc
	}
	p.mu.Unlock()
	return newScratch()
}

func (p *scratchPool) put(sc *scratch) {
	p.mu.Lock()
	p.free = append(p.free, sc)
	p.mu.Unlock()
}

func newScratch() *scratch {
	return &scratch{out: make([]byte, 0, 4096), val: make([]byte, 0, 1024), key: make([]byte, 0, 300),
		rid: make([]byte, 0, 64), line: make([]byte, 0, 512), tmp: make([]byte, 0, 384), mc: make([]byte, 2),
		req: request{buf: make([]byte, 0, 4096), ids: make([]span, 0, 128), key: make([]byte, 0, 64)}}
}

var (
	ctJSON    = []byte("application/json")
	ctText    = []byte("text/plain; version=0.0.4; charset=utf-8")
	hdrAuth   = []byte("Authorization")
	hdrRID    = []byte("X-Request-Id")
	bearer    = []byte("Bearer ")
	pScore    = []byte("/v1/score/")
	pScoreB   = []byte("/v1/score")
	pTxn      = []byte("/v1/transaction")
	pNbr      = []byte("/v1/neighbors/")
	pHealth   = []byte("/healthz")
	pReady    = []byte("/readyz")
	pMetrics  = []byte("/metrics")
	pReload   = []byte("/admin/reload")
	retryHdr  = []byte("Retry-After")
	allowHdr  = []byte("Allow")
	oneSecond = []byte("1")
)

// fail writes a JSON error {"error":{"code":...,"message":...},"request_id":...}.
func (s *Server) fail(ctx *fasthttp.RequestCtx, sc *scratch, status int, code, msg string) {
	var b []byte
	if sc != nil {
		b = sc.out[:0]
	}
	b = append(b, `{"error":{"code":"`...)
	b = append(b, code...)
	b = append(b, `","message":`...)
	b = appendString(b, []byte(msg))
	b = append(b, '}')
	if sc != nil && len(sc.rid) > 0 {
		b = append(b, `,"request_id":`...)
		b = appendString(b, sc.rid)
	}
	b = append(b, '}', '\n')
	ctx.SetStatusCode(status)
	ctx.SetContentTypeBytes(ctJSON)
	ctx.SetBody(b)
	if sc != nil {
		sc.out = b
	}
	s.m.countStatus(status)
}

func (s *Server) ok(ctx *fasthttp.RequestCtx, sc *scratch) {
	sc.out = append(sc.out, '\n')
	ctx.SetStatusCode(200)
	ctx.SetContentTypeBytes(ctJSON)
	ctx.SetBody(sc.out)
	s.m.countStatus(200)
}

// errorHandler answers requests fasthttp could not parse: 413 for oversized bodies, 400 else.
func (s *Server) errorHandler(ctx *fasthttp.RequestCtx, err error) {
	if errors.Is(err, fasthttp.ErrBodyTooLarge) {
		s.fail(ctx, nil, 413, "body_too_large", "request body over the size limit")
		return
	}
	s.fail(ctx, nil, 400, "bad_request", "malformed HTTP request")
}

// recoverPanic turns a panic into a 500 so that none reaches a client as a dropped connection.
func (s *Server) recoverPanic(ctx *fasthttp.RequestCtx) {
	if r := recover(); r != nil {
		s.m.panics.Add(1)
		s.cfg.Logf("panic serving %q: %v", ctx.Path(), r)
		ctx.Response.Reset()
		s.fail(ctx, nil, 500, "internal", "internal error")
	}
}

func (s *Server) health(ctx *fasthttp.RequestCtx, path []byte) bool {
	switch {
	case bytes.Equal(path, pHealth):
		ctx.SetContentTypeBytes(ctJSON)
		ctx.SetBodyString(`{"status":"ok"}` + "\n")
		s.m.countStatus(200)
	case bytes.Equal(path, pReady):
		ctx.SetContentTypeBytes(ctJSON)
		if s.draining.Load() {
			ctx.SetStatusCode(503)
			ctx.SetBodyString(`{"status":"draining"}` + "\n")
			s.m.countStatus(503)
		} else {
			ctx.SetBodyString(`{"status":"ready"}` + "\n")
			s.m.countStatus(200)
		}
	default:
		return false
	}
	return true
}

// Handler serves the public API:
//
//	GET  /v1/score/{id}       one id's answer
//	POST /v1/score            {"ids":[...]}: answers in order
//	POST /v1/transaction      {"payer":..,"payee":..}: both answers and the transaction's score
//	GET  /v1/neighbors/{id}   the capped two-hop neighbourhood with scores
//	GET  /healthz, /readyz    no authentication
//
// It allocates nothing per request once warm (see TestHandlerZeroAlloc).
func (s *Server) Handler(ctx *fasthttp.RequestCtx) {
	start := time.Now()
	defer s.recoverPanic(ctx)
	path := ctx.Path()
	if s.health(ctx, path) {
		return
	}
	if n := s.inflight.Add(1); n > int64(s.cfg.MaxInFlight) {
		s.inflight.Add(-1)
		s.m.shed.Add(1)
		ctx.Response.Header.SetCanonical(retryHdr, oneSecond)
		s.fail(ctx, nil, 503, "overloaded", "too many requests in flight; retry")
		return
	}
	defer s.inflight.Add(-1)
	sc := s.pool.get()
	defer s.pool.put(sc)
	sc.out = sc.out[:0]
	s.requestID(ctx, sc)

	cl := s.authenticate(ctx)
	if cl == nil {
		ctx.Response.Header.Set("WWW-Authenticate", `Bearer realm="riskwalk"`)
		s.fail(ctx, sc, 401, "unauthorized", "missing or unknown bearer token")
		return
	}
	if !cl.allow(start.UnixNano()) {
		s.m.limited.Add(1)
		ctx.Response.Header.SetCanonical(retryHdr, oneSecond)
		s.fail(ctx, sc, 429, "rate_limited", "client over its request rate")
		return
	}
	st := s.acquire()
	defer s.release(st)
	get, post := ctx.IsGet(), ctx.IsPost()
	switch {
	case bytes.HasPrefix(path, pScore):
		if !get {
			s.notAllowed(ctx, sc, "GET")
			return
		}
		id := path[len(pScore):]
		if len(id) == 0 || len(id) > s.cfg.MaxIDLen {
			s.fail(ctx, sc, 400, "bad_id", "id empty or longer than the limit")
			return
		}
		s.answer(sc, st, cl, id, start)
		sc.out = tookSuffix(sc.out[:len(sc.out)-1], start, sc.end) // replace the answer's '}'
	case bytes.Equal(path, pScoreB):
		if !post {
			s.notAllowed(ctx, sc, "POST")
			return
		}
		if !s.parse(ctx, sc) {
			return
		}
		if !sc.req.hasIDs {
			s.fail(ctx, sc, 400, "bad_request", errMissingID.Error())
			return
		}
		sc.out = append(sc.out, `{"results":[`...)
		for i, sp := range sc.req.ids {
			if i > 0 {
				sc.out = append(sc.out, ',')
			}
			s.answer(sc, st, cl, sc.req.buf[sp.off:sp.off+sp.n], start)
		}
		sc.out = append(sc.out, `],"count":`...)
		sc.out = appendUint(sc.out, uint64(len(sc.req.ids)))
		sc.out = append(sc.out, `,"model_version":`...)
		sc.out = append(sc.out, st.modelJSON...)
		sc.out = tookSuffix(sc.out, start, sc.end)
	case bytes.Equal(path, pTxn):
		if !post {
			s.notAllowed(ctx, sc, "POST")
			return
		}
		if !s.parse(ctx, sc) {
			return
		}
		if !sc.req.hasPayer || !sc.req.hasPayee {
			s.fail(ctx, sc, 400, "bad_request", errMissingID.Error())
			return
		}
		s.transaction(sc, st, cl, start)
	case bytes.HasPrefix(path, pNbr):
		if !get {
			s.notAllowed(ctx, sc, "GET")
			return
		}
		id := path[len(pNbr):]
		if len(id) == 0 || len(id) > s.cfg.MaxIDLen {
			s.fail(ctx, sc, 400, "bad_id", "id empty or longer than the limit")
			return
		}
		s.neighbors(sc, st, cl, id, start)
	default:
		s.fail(ctx, sc, 404, "not_found", "no such endpoint; see /v1/score/{id}")
		return
	}
	ctx.Response.Header.SetCanonical(hdrRID, sc.rid)
	s.ok(ctx, sc)
	s.m.req.observe(sc.end.Sub(start))
}

func (s *Server) notAllowed(ctx *fasthttp.RequestCtx, sc *scratch, allow string) {
	ctx.Response.Header.Set("Allow", allow)
	s.fail(ctx, sc, 405, "method_not_allowed", "method not allowed here")
}

// parse decodes the POST body into sc.req, answering 400/413 itself when it cannot.
func (s *Server) parse(ctx *fasthttp.RequestCtx, sc *scratch) bool {
	err := parseRequest(ctx.PostBody(), &sc.req, s.cfg.MaxBatch, s.cfg.MaxIDLen)
	switch err {
	case nil:
		return true
	case errTooMany:
		s.fail(ctx, sc, 413, "batch_too_large", err.Error())
	default:
		s.fail(ctx, sc, 400, "bad_request", err.Error())
	}
	return false
}

// authenticate returns the caller for the request's bearer token, or nil.
func (s *Server) authenticate(ctx *fasthttp.RequestCtx) *client {
	if s.anon != nil {
		return s.anon
	}
	h := ctx.Request.Header.PeekBytes(hdrAuth)
	if len(h) <= len(bearer) || !bytes.EqualFold(h[:len(bearer)], bearer) {
		return nil
	}
	return s.clients[sha256.Sum256(h[len(bearer):])]
}

// requestID takes a well-formed X-Request-Id from the caller (up to 64 of [A-Za-z0-9._-]) or
// makes one.
func (s *Server) requestID(ctx *fasthttp.RequestCtx, sc *scratch) {
	sc.rid = sc.rid[:0]
	if h := ctx.Request.Header.PeekBytes(hdrRID); len(h) > 0 && len(h) <= 64 {
		good := true
		for _, c := range h {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
				good = false
				break
			}
		}
		if good {
			sc.rid = append(sc.rid, h...)
			return
		}
	}
	sc.rid = append(sc.rid, s.ridBase...)
	n := s.ridSeq.Add(1)
	var tmp [16]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = hexDigits[n&15]
		n >>= 4
		if n == 0 {
			break
		}
	}
	sc.rid = append(sc.rid, tmp[i:]...)
}

// appendStamp appends now in UTC as 2006-01-02T15:04:05.000000Z, formatting the date and time
// only when the second changes.
func (sc *scratch) appendStamp(b []byte, now time.Time) []byte {
	now = now.UTC()
	if sec := now.Unix(); sec != sc.tsSec || len(sc.tsPre) == 0 {
		sc.tsSec = sec
		sc.tsPre = now.AppendFormat(sc.tsPre[:0], "2006-01-02T15:04:05.")
	}
	b = append(b, sc.tsPre...)
	us := now.Nanosecond() / 1000
	for d := 100000; d > 0; d /= 10 {
		b = append(b, byte('0'+us/d%10))
	}
	return append(b, 'Z')
}

// tookSuffix closes an object with the time taken from start to end in microseconds.
func tookSuffix(b []byte, start, end time.Time) []byte {
	b = append(b, `,"took_us":`...)
	b = appendUint(b, uint64(end.Sub(start).Microseconds()))
	return append(b, '}')
}

// lookupValue finds id's cached value (T1, then T2) or renders it from the bundle (T3 if the
// row's page was resident, T4 if it had to come from disk), caching it in T2. Unknown ids get
// the cold-start value. It reports degraded when the deadline has passed before or after the
// bundle read; the value is then not to be used.
func (s *Server) lookupValue(sc *scratch, st *state, id []byte, start time.Time) (val []byte, tier int) {
	if v, ok := st.hot.get(id); ok {
		return v, tierT1
	}
	g := st.gen
	sc.key = append(sc.key[:0], byte(g), byte(g>>8), byte(g>>16), byte(g>>24))
	sc.key = append(sc.key, id...)
	if v, ok := s.t2.HasGet(sc.val[:0], sc.key); ok && len(v) > valHeader {
		sc.val = v
		return v, tierT2
	}
	if time.Since(start) > s.cfg.Deadline {
		return nil, tierDegraded
	}
	v, known := st.b.Lookup(id)
	if !known {
		sc.val = st.renderCold(sc.val[:0], id)
		return sc.val, tierCold
	}
	tier = tierT3
	if !st.b.RowResident(v, sc.mc) {
		tier = tierT4
	}
	sc.val = st.renderUser(sc.val[:0], v)
	s.t2.Set(sc.key, sc.val)
	if time.Since(start) > s.cfg.Deadline {
		return nil, tierDegraded
	}
	return sc.val, tier
}

// answer appends id's answer object to sc.out and audits it; it returns the score and decision
// given (the degraded default when the deadline was missed).
func (s *Server) answer(sc *scratch, st *state, cl *client, id []byte, start time.Time) (float32, bundle.Decision, bool) {
	t0 := time.Now()
	val, tier := s.lookupValue(sc, st, id, start)
	var score float32
	var d bundle.Decision
	cold := false
	if tier == tierDegraded {
		s.m.degraded.Add(1)
		d = s.cfg.DegradedDecision
		sc.out = append(sc.out, `{"id":`...)
		sc.out = appendString(sc.out, id)
		sc.out = append(sc.out, `,"decision":"`...)
		sc.out = append(sc.out, d.String()...)
		sc.out = append(sc.out, `","explanation":"the per-request deadline would be missed: the configured default decision","model_version":`...)
		sc.out = append(sc.out, st.modelJSON...)
	} else {
		score, d, cold = getHeader(val)
		sc.out = append(sc.out, val[valHeader:]...)
	}
	sc.out = append(sc.out, `,"tier":"`...)
	sc.out = append(sc.out, tierNames[tier]...)
	sc.out = append(sc.out, `","degraded":`...)
	sc.out = appendBool(sc.out, tier == tierDegraded)
	sc.out = append(sc.out, '}')
	now := time.Now()
	sc.end = now
	s.m.tier[tier].observe(now.Sub(t0))
	s.auditLine(sc, cl, id, score, d, tier, cold, now)
	return score, d, tier == tierDegraded
}

func (s *Server) auditLine(sc *scratch, cl *client, id []byte, score float32, d bundle.Decision, tier int, cold bool, now time.Time) {
	if s.audit == nil {
		return
	}
	b := append(sc.line[:0], `{"time":"`...)
	b = sc.appendStamp(b, now)
	b = append(b, `","request_id":`...)
	b = appendString(b, sc.rid)
	b = append(b, `,"client":`...)
	b = append(b, cl.nameJSON...)
	b = append(b, `,"user":"`...)
	b = s.audit.hashID(b, sc, id)
	b = append(b, `","score":`...)
	if tier == tierDegraded {
		b = append(b, "null"...)
	} else {
		b = appendFloat(b, score)
	}
	b = append(b, `,"decision":"`...)
	b = append(b, d.String()...)
	b = append(b, `","tier":"`...)
	b = append(b, tierNames[tier]...)
	b = append(b, `","degraded":`...)
	b = appendBool(b, tier == tierDegraded)
	b = append(b, `,"cold":`...)
	b = appendBool(b, cold)
	b = append(b, "}\n"...)
	sc.line = b
	s.audit.write(b)
}

// transaction scores a payment: both parties' answers, then
//
//	score = 1 - (1 - max(s_payer, s_payee)) * (1 - beta*link)
//	link  = max(0, cos(x_payer, x_payee)) * (1 if same community, else 0.5)
//
// so the riskier party sets the floor and a close embedding link (a likely ring) raises it;
// beta is the bundle's txn_link_weight. Unknown parties have link 0. If either answer was
// degraded the transaction gets the degraded default too.
func (s *Server) transaction(sc *scratch, st *state, cl *client, start time.Time) {
	r := &sc.req
	payer := r.buf[r.payer.off : r.payer.off+r.payer.n]
	payee := r.buf[r.payee.off : r.payee.off+r.payee.n]
	sc.out = append(sc.out, `{"payer":`...)
	sp, _, dgp := s.answer(sc, st, cl, payer, start)
	sc.out = append(sc.out, `,"payee":`...)
	se, _, dge := s.answer(sc, st, cl, payee, start)
	var sim float32
	same := false
	vp, okp := st.b.Lookup(payer)
	ve, oke := st.b.Lookup(payee)
	if okp && oke {
		sim = st.b.Cosine(vp, ve)
		c := st.b.Row(vp).Community
		same = c != bundle.NoCommunity && c == st.b.Row(ve).Community
	}
	link := max(sim, 0)
	if !same {
		link *= 0.5
	}
	beta := st.b.Meta.TxnLinkWeight
	score := 1 - (1-max(sp, se))*(1-beta*link)
	d := st.b.Meta.Thresholds.Decide(score)
	degraded := dgp || dge
	if degraded {
		d = s.cfg.DegradedDecision
	}
	sc.out = append(sc.out, `,"transaction":{"score":`...)
	if degraded {
		sc.out = append(sc.out, "null"...)
	} else {
		sc.out = appendFloat(sc.out, score)
	}
	sc.out = append(sc.out, `,"decision":"`...)
	sc.out = append(sc.out, d.String()...)
	sc.out = append(sc.out, `","degraded":`...)
	sc.out = appendBool(sc.out, degraded)
	sc.out = append(sc.out, `,"similarity":`...)
	sc.out = appendFloat(sc.out, sim)
	sc.out = append(sc.out, `,"same_community":`...)
	sc.out = appendBool(sc.out, same)
	sc.out = append(sc.out, `,"link":`...)
	sc.out = appendFloat(sc.out, link)
	sc.out = append(sc.out, `,"beta":`...)
	sc.out = appendFloat(sc.out, beta)
	sc.out = append(sc.out, `,"explanation":"score = 1-(1-max(payer,payee))*(1-beta*link); link = max(0,cosine)*(1 if same community else 0.5)"},"model_version":`...)
	sc.out = append(sc.out, st.modelJSON...)
	sc.end = time.Now()
	sc.out = tookSuffix(sc.out, start, sc.end)
}

// neighbors lists id's capped two-hop neighbourhood with each user's score, decision and label.
func (s *Server) neighbors(sc *scratch, st *state, cl *client, id []byte, start time.Time) {
	b := st.b
	sc.out = append(sc.out, `{"id":`...)
	sc.out = appendString(sc.out, id)
	v, known := b.Lookup(id)
	if !known {
		sc.out = append(sc.out, `,"known":false,"cold":true,"neighbors":[],"model_version":`...)
		sc.out = append(sc.out, st.modelJSON...)
		sc.end = time.Now()
		sc.out = tookSuffix(sc.out, start, sc.end)
		s.auditLine(sc, cl, id, b.Meta.ColdScore, st.coldDecision, tierCold, true, sc.end)
		return
	}
	r := b.Row(v)
	sc.out = append(sc.out, `,"known":true,"score":`...)
	sc.out = appendFloat(sc.out, r.Score)
	sc.out = append(sc.out, `,"decision":"`...)
	sc.out = append(sc.out, r.Decision.String()...)
	sc.out = append(sc.out, `","capped":`...)
	sc.out = appendBool(sc.out, r.Flags&bundle.FlagNbrCapped != 0)
	sc.out = append(sc.out, `,"neighbors":[`...)
	for i, e := range b.Neighbors(v) {
		if i > 0 {
			sc.out = append(sc.out, ',')
		}
		u := e &^ bundle.HopTwoBit
		hop := byte('1')
		if e&bundle.HopTwoBit != 0 {
			hop = '2'
		}
		ru := b.Row(u)
		sc.out = append(sc.out, `{"id":`...)
		sc.out = appendExtJSON(sc.out, b, u)
		sc.out = append(sc.out, `,"hop":`...)
		sc.out = append(sc.out, hop)
		sc.out = append(sc.out, `,"score":`...)
		sc.out = appendFloat(sc.out, ru.Score)
		sc.out = append(sc.out, `,"decision":"`...)
		sc.out = append(sc.out, ru.Decision.String()...)
		sc.out = append(sc.out, `","label":"`...)
		sc.out = append(sc.out, labelOf(ru.Flags)...)
		sc.out = append(sc.out, `"}`...)
	}
	sc.out = append(sc.out, `],"model_version":`...)
	sc.out = append(sc.out, st.modelJSON...)
	sc.end = time.Now()
	sc.out = tookSuffix(sc.out, start, sc.end)
	s.auditLine(sc, cl, id, r.Score, r.Decision, tierT3, false, sc.end)
}

// AdminHandler serves the loopback-only admin listener: GET /metrics, /healthz, /readyz and
// POST /admin/reload.
func (s *Server) AdminHandler(ctx *fasthttp.RequestCtx) {
	defer s.recoverPanic(ctx)
	path := ctx.Path()
	if s.health(ctx, path) {
		return
	}
	switch {
	case bytes.Equal(path, pMetrics):
		ctx.SetContentTypeBytes(ctText)
		var t2 t2Stats
		var fs fastcacheStats
		s.t2.UpdateStats(&fs)
		t2.bytes, t2.entries = fs.BytesSize, fs.EntriesCount
		var dropped uint64
		if s.audit != nil {
			dropped = s.audit.dropped.Load()
		}
		st := s.acquire()
		s.m.write(ctx, st, s.inflight.Load(), t2, dropped)
		s.release(st)
	case bytes.Equal(path, pReload):
		if !ctx.IsPost() {
			s.notAllowed(ctx, nil, "POST")
			return
		}
		if err := s.Reload(); err != nil {
			s.fail(ctx, nil, 500, "reload_refused", err.Error())
			return
		}
		ctx.SetContentTypeBytes(ctJSON)
		b := append([]byte(`{"status":"reloaded","model_version":`), s.cur.Load().modelJSON...)
		ctx.SetBody(append(b, "}\n"...))
	default:
		s.fail(ctx, nil, 404, "not_found", "admin endpoints: /metrics /healthz /readyz POST /admin/reload")
	}
}
