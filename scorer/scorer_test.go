package scorer

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"riskwalk/bundle"
)

const (
	tokA = "token-of-client-a-0123456789abcdef"
	tokB = "token-of-client-b-0123456789abcdef"
)

type fixture struct {
	dir    string // bundle dir
	in     *bundle.Input
	srv    *Server
	url    string
	admin  string
	tokens string
	audit  string
}

// newFixture writes a synthetic bundle and starts a server on loopback with two clients.
func newFixture(t *testing.T, mod func(*Config)) *fixture {
	t.Helper()
	root := t.TempDir()
	f := &fixture{dir: filepath.Join(root, "bundle"), in: bundle.Synthetic(3000, 16, 11), audit: filepath.Join(root, "audit")}
	if err := bundle.Write(f.dir, f.in); err != nil {
		t.Fatal(err)
	}
	f.tokens = filepath.Join(root, "tokens")
	os.WriteFile(f.tokens, []byte("# test clients\nclient-a "+HashToken(tokA)+"\nclient-b "+HashToken(tokB)+" rate=1 burst=3\n"), 0o600)
	cfg := Config{BundleDir: f.dir, TokensFile: f.tokens, HotUsers: 100, AuditDir: f.audit,
		AuditKey: []byte("audit-key-0123456789"), Deadline: time.Second, Logf: t.Logf}
	if mod != nil {
		mod(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	aln, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(ln)
	go srv.ServeAdmin(aln)
	f.url, f.admin = "http://"+ln.Addr().String(), "http://"+aln.Addr().String()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return f
}

func (f *fixture) do(t *testing.T, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, f.url+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s %s: status %d, body is not JSON: %q", method, path, resp.StatusCode, b)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("%s %s: content type %q", method, path, ct)
	}
	return resp.StatusCode, m
}

func errCode(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func TestAPIStatuses(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.MaxBody = 2048; c.MaxBatch = 5; c.MaxIDLen = 32 })
	long := strings.Repeat("x", 40)
	many := `{"ids":["u1","u2","u3","u4","u5","u6"]}`
	cases := []struct {
		method, path, token, body string
		status                    int
		code                      string
	}{
		{"GET", "/v1/score/u1", "", "", 401, "unauthorized"},
		{"GET", "/v1/score/u1", "wrong-token", "", 401, "unauthorized"},
		{"GET", "/v1/score/u1", tokA, "", 200, ""},
		{"GET", "/v1/score/no-such-user", tokA, "", 200, ""},
		{"GET", "/v1/score/" + long, tokA, "", 400, "bad_id"},
		{"POST", "/v1/score/u1", tokA, "", 405, "method_not_allowed"},
		{"GET", "/v1/score", tokA, "", 405, "method_not_allowed"},
		{"GET", "/v2/whatever", tokA, "", 404, "not_found"},
		{"POST", "/v1/score", tokA, `{"ids":["u1","u2"]}`, 200, ""},
		{"POST", "/v1/score", tokA, `{"ids":["u1",]}`, 400, "bad_request"},
		{"POST", "/v1/score", tokA, `{"ids":"u1"}`, 400, "bad_request"},
		{"POST", "/v1/score", tokA, `not json`, 400, "bad_request"},
		{"POST", "/v1/score", tokA, `{}`, 400, "bad_request"},
		{"POST", "/v1/score", tokA, `{"ids":["` + long + `"]}`, 400, "bad_request"},
		{"POST", "/v1/score", tokA, many, 413, "batch_too_large"},
		{"POST", "/v1/score", tokA, `{"ids":["` + strings.Repeat("y", 3000) + `"]}`, 413, "body_too_large"},
		{"POST", "/v1/transaction", tokA, `{"payer":"u1","payee":"u2","amount":1e3,"meta":{"x":[1,2,null]}}`, 200, ""},
		{"POST", "/v1/transaction", tokA, `{"payer":"u1"}`, 400, "bad_request"},
		{"GET", "/v1/neighbors/u7", tokA, "", 200, ""},
		{"GET", "/healthz", "", "", 200, ""},
		{"GET", "/readyz", "", "", 200, ""},
	}
	for _, c := range cases {
		status, m := f.do(t, c.method, c.path, c.token, c.body)
		if status != c.status || errCode(m) != c.code {
			t.Errorf("%s %s %q: status %d code %q, want %d %q (%v)", c.method, c.path, c.body, status, errCode(m), c.status, c.code, m)
		}
	}
	// Malformed HTTP straight on the socket: 400 JSON, no panic, connection answered.
	conn, err := net.Dial("tcp", strings.TrimPrefix(f.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "GARBAGE\r\n\r\n")
	conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	raw, _ := io.ReadAll(conn)
	conn.Close()
	if !bytes.HasPrefix(raw, []byte("HTTP/1.1 400")) || !bytes.Contains(raw, []byte(`"code":"bad_request"`)) {
		t.Errorf("malformed request answered %q", raw)
	}
}

// TestAnswersExplainTheBundle checks that the answers carry the bundle's numbers, from each tier.
func TestAnswersExplainTheBundle(t *testing.T) {
	f := newFixture(t, nil)
	b, err := bundle.Open(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	seenTier := map[string]bool{}
	for _, v := range []uint32{0, 1, 2, 1500, 2999, 1500} { // low ids are in T1 (hubs); 1500 twice: T3 then T2
		_, m := f.do(t, "GET", "/v1/score/u"+fmt.Sprint(v), tokA, "")
		r := b.Row(v)
		seenTier[m["tier"].(string)] = true
		if float32(m["score"].(float64)) != r.Score || m["decision"] != r.Decision.String() || m["model_version"] != f.in.ModelVersion {
			t.Fatalf("user %d: %v vs row %+v", v, m, r)
		}
		reasons := m["reasons"].([]any)
		if len(reasons) != int(r.NReasons) {
			t.Fatalf("user %d: %d reasons, row has %d", v, len(reasons), r.NReasons)
		}
		for i, x := range reasons {
			x := x.(map[string]any)
			if x["feature"] != f.in.ReasonNames[r.ReasonCode[i]] || float32(x["contribution"].(float64)) != r.ReasonContrib[i] {
				t.Fatalf("user %d reason %d: %v", v, i, x)
			}
		}
		g := m["graph"].(map[string]any)
		c := b.Comm(r.Community)
		if uint32(g["bad_within_2_hops"].(float64)) != r.BadTwoHop || uint32(g["community_size"].(float64)) != c.Size ||
			math.Abs(g["community_bad_share"].(float64)-float64(c.Bad)/float64(c.Size)) > 1e-6 {
			t.Fatalf("user %d graph evidence %v", v, g)
		}
		near := g["nearest_bad"].([]any)
		if len(near) != int(r.NNear) || (len(near) > 0 && near[0].(map[string]any)["id"] != string(b.ExtID(r.NearID[0]))) {
			t.Fatalf("user %d nearest %v", v, near)
		}
	}
	for _, tier := range []string{"t1", "t2", "t3"} {
		if !seenTier[tier] {
			t.Errorf("no answer from tier %s (saw %v)", tier, seenTier)
		}
	}
	_, m := f.do(t, "GET", "/v1/score/stranger", tokA, "")
	if m["cold"] != true || m["known"] != false || float32(m["score"].(float64)) != f.in.ColdScore || m["tier"] != "cold" {
		t.Fatalf("cold answer %v", m)
	}

	// Transaction: the documented formula over the rows.
	_, m = f.do(t, "POST", "/v1/transaction", tokA, `{"payer":"u10","payee":"u11"}`)
	tx := m["transaction"].(map[string]any)
	sim := b.Cosine(10, 11)
	same := b.Row(10).Community == b.Row(11).Community
	link := max(sim, 0)
	if !same {
		link *= 0.5
	}
	want := 1 - (1-max(b.Row(10).Score, b.Row(11).Score))*(1-b.Meta.TxnLinkWeight*link)
	if math.Abs(tx["score"].(float64)-float64(want)) > 1e-6 || tx["same_community"] != same || tx["decision"] != b.Meta.Thresholds.Decide(want).String() {
		t.Fatalf("transaction %v, want score %g same %v", tx, want, same)
	}
	// Neighbours: the stored list with each user's score.
	_, m = f.do(t, "GET", "/v1/neighbors/u20", tokA, "")
	nb := m["neighbors"].([]any)
	if len(nb) != len(b.Neighbors(20)) || len(nb) == 0 {
		t.Fatalf("neighbors %d, bundle %d", len(nb), len(b.Neighbors(20)))
	}
	for i, e := range b.Neighbors(20) {
		x := nb[i].(map[string]any)
		u := e &^ bundle.HopTwoBit
		hop := 1.0
		if e&bundle.HopTwoBit != 0 {
			hop = 2
		}
		if x["id"] != string(b.ExtID(u)) || x["hop"] != hop || float32(x["score"].(float64)) != b.Row(u).Score {
			t.Fatalf("neighbor %d: %v", i, x)
		}
	}
}

func TestRateLimitAndShedding(t *testing.T) {
	f := newFixture(t, nil)
	// client-b: burst 3 at 1/s.
	var codes []int
	for i := 0; i < 5; i++ {
		s, m := f.do(t, "GET", "/v1/score/u1", tokB, "")
		codes = append(codes, s)
		if s == 429 && errCode(m) != "rate_limited" {
			t.Fatalf("429 with code %q", errCode(m))
		}
	}
	if fmt.Sprint(codes) != "[200 200 200 429 429]" {
		t.Fatalf("client-b statuses %v, want three 200 then 429", codes)
	}
	if s, _ := f.do(t, "GET", "/v1/score/u1", tokA, ""); s != 200 {
		t.Fatalf("client-a limited by client-b's bucket: %d", s)
	}
	// Overload: hold the in-flight count at the limit; the next request is shed at once.
	f.srv.inflight.Add(int64(f.srv.cfg.MaxInFlight))
	s, m := f.do(t, "GET", "/v1/score/u1", tokA, "")
	f.srv.inflight.Add(-int64(f.srv.cfg.MaxInFlight))
	if s != 503 || errCode(m) != "overloaded" || f.srv.m.shed.Load() != 1 {
		t.Fatalf("overload answered %d %v (shed %d)", s, m, f.srv.m.shed.Load())
	}
}

func TestDeadlineDegrades(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.Deadline = time.Nanosecond; c.DegradedDecision = bundle.Review })
	_, m := f.do(t, "GET", "/v1/score/u2500", tokA, "") // not hot: needs the bundle, misses the deadline
	if m["degraded"] != true || m["decision"] != "review" || m["tier"] != "degraded" {
		t.Fatalf("expected a degraded default answer, got %v", m)
	}
	_, m = f.do(t, "GET", "/v1/score/u0", tokA, "") // hot: answered from T1 regardless
	if m["degraded"] != false || m["tier"] != "t1" {
		t.Fatalf("hot answer %v", m)
	}
	_, m = f.do(t, "POST", "/v1/transaction", tokA, `{"payer":"u0","payee":"u2600"}`)
	if tx := m["transaction"].(map[string]any); tx["degraded"] != true || tx["decision"] != "review" {
		t.Fatalf("transaction with a degraded party: %v", tx)
	}
	if f.srv.m.degraded.Load() != 2 {
		t.Fatalf("degraded count %d, want 2", f.srv.m.degraded.Load())
	}
	resp, err := http.Get(f.admin + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"riskwalk_degraded_total 2", `riskwalk_tier_hits_total{tier="t1"} 2`, "riskwalk_request_duration_seconds_bucket", `riskwalk_bundle_info{model_version="synthetic-11"`} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// TestReloadUnderLoad reloads (new bundles, and a corrupt one that must be refused) while
// clients hammer the server; no request may fail.
func TestReloadUnderLoad(t *testing.T) {
	f := newFixture(t, nil)
	var ok, failed atomic.Int64
	var versions sync.Map
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := &fasthttp.HostClient{Addr: strings.TrimPrefix(f.url, "http://")}
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			req.Header.Set("Authorization", "Bearer "+tokA)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				req.SetRequestURI(fmt.Sprintf("%s/v1/score/u%d", f.url, (i*31+w)%3100))
				if err := c.DoTimeout(req, resp, 5*time.Second); err != nil || resp.StatusCode() != 200 {
					failed.Add(1)
					t.Logf("request failed: %v %d %s", err, resp.StatusCode(), resp.Body())
					continue
				}
				var m struct {
					ModelVersion string `json:"model_version"`
				}
				json.Unmarshal(resp.Body(), &m)
				versions.Store(m.ModelVersion, true)
				ok.Add(1)
			}
		}(w)
	}
	reload := func() (int, string) {
		resp, err := http.Post(f.admin+"/admin/reload", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b)
	}
	for k := 1; k <= 3; k++ {
		time.Sleep(150 * time.Millisecond)
		f.in.ModelVersion = fmt.Sprintf("reload-%d", k)
		if err := bundle.Write(f.dir, f.in); err != nil {
			t.Fatal(err)
		}
		if s, b := reload(); s != 200 {
			t.Fatalf("reload %d: %d %s", k, s, b)
		}
	}
	// A corrupt bundle arrives (a byte flipped after writing): refused, reload-3 keeps serving.
	time.Sleep(100 * time.Millisecond)
	f.in.ModelVersion = "corrupt"
	if err := bundle.Write(f.dir, f.in); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(f.dir, bundle.VectorsFile)
	data, _ := os.ReadFile(p)
	data[len(data)-5] ^= 1
	os.WriteFile(p, data, 0o644)
	if s, b := reload(); s != 500 || !strings.Contains(b, "reload_refused") {
		t.Fatalf("corrupt bundle: %d %s", s, b)
	}
	time.Sleep(150 * time.Millisecond)
	close(stop)
	wg.Wait()
	if failed.Load() != 0 || ok.Load() < 100 {
		t.Fatalf("%d requests failed, %d succeeded", failed.Load(), ok.Load())
	}
	for _, v := range []string{"synthetic-11", "reload-1", "reload-3"} {
		if _, seen := versions.Load(v); !seen {
			t.Errorf("never answered with model %s", v)
		}
	}
	if _, seen := versions.Load("corrupt"); seen {
		t.Error("answered from the corrupt bundle")
	}
	if f.srv.ModelVersion() != "reload-3" || f.srv.m.reloadKO.Load() != 1 {
		t.Fatalf("serving %s, %d refusals", f.srv.ModelVersion(), f.srv.m.reloadKO.Load())
	}
	t.Logf("%d requests across 3 reloads and 1 refusal, none failed", ok.Load())
}

func TestAuditLog(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.AuditMaxBytes = 2000 })
	old := filepath.Join(f.audit, "audit-20000101T000000.000.jsonl")
	os.WriteFile(old, []byte("{}\n"), 0o640)
	ancient := time.Now().Add(-200 * 24 * time.Hour)
	os.Chtimes(old, ancient, ancient)
	for i := 0; i < 20; i++ {
		f.do(t, "GET", fmt.Sprintf("/v1/score/u%d", i), tokA, "")
	}
	if err := f.srv.audit.Close(); err != nil {
		t.Fatal(err)
	}
	f.srv.audit = nil // closed here; Shutdown must not close it again
	files, _ := filepath.Glob(filepath.Join(f.audit, "*.jsonl"))
	if len(files) < 3 {
		t.Fatalf("expected size rotation into several files, got %v", files)
	}
	time.Sleep(50 * time.Millisecond) // pruning runs beside rotation
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Fatalf("a 200-day-old rotated file was kept (keep 180 days)")
	}
	mac := hmac.New(sha256.New, []byte("audit-key-0123456789"))
	lines := 0
	for _, p := range files {
		data, _ := os.ReadFile(p)
		for _, l := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
			if len(l) == 0 {
				continue
			}
			var e struct {
				Time, RequestID, Client, User, Decision, Tier string
				Score                                         float64
			}
			if err := json.Unmarshal(l, &e); err != nil {
				t.Fatalf("%s: %q: %v", p, l, err)
			}
			json.Unmarshal(l, &map[string]any{})
			var raw map[string]any
			json.Unmarshal(l, &raw)
			if raw["client"] != "client-a" || raw["request_id"] == "" {
				t.Fatalf("audit line %s", l)
			}
			if _, err := time.Parse(time.RFC3339Nano, raw["time"].(string)); err != nil {
				t.Fatalf("audit time: %v", err)
			}
			// The user field is HMAC-SHA256(key, id) truncated to 16 bytes: find which id.
			found := false
			for i := 0; i < 20; i++ {
				mac.Reset()
				mac.Write([]byte(fmt.Sprintf("u%d", i)))
				if hex.EncodeToString(mac.Sum(nil)[:16]) == raw["user"] {
					found = true
				}
			}
			if !found || bytes.Contains(l, []byte(`"u1"`)) {
				t.Fatalf("audit user not the HMAC of a requested id: %s", l)
			}
			lines++
		}
	}
	if lines != 20 {
		t.Fatalf("%d audit lines for 20 requests", lines)
	}
}

func TestTokensFileErrors(t *testing.T) {
	dir := t.TempDir()
	for _, body := range []string{"", "a sha256:zz\n", "a deadbeef\n", "a " + HashToken("x") + " rate=fast\n", "a " + HashToken("x") + "\nb " + HashToken("x") + "\n"} {
		p := filepath.Join(dir, "tokens")
		os.WriteFile(p, []byte(body), 0o600)
		if _, err := loadTokens(p, 1, 1); err == nil {
			t.Errorf("tokens file %q accepted", body)
		}
	}
}
