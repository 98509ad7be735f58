package scorer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/VictoriaMetrics/fastcache"
	"github.com/valyala/fasthttp"

	"riskwalk/bundle"
)

// Config is the scorer's configuration; cmd/riskwalk-scorer fills it from flags. Zero values
// take the defaults noted.
type Config struct {
	BundleDir string // required: the bundle directory (re-read on every reload)

	TokensFile  string  // bearer tokens, hashed (see HashToken); required unless NoAuth
	NoAuth      bool    // serve without authentication (tests, loopback-only demos)
	ClientRate  float64 // default per-client requests/second (0: 10000; rate=0 in the file: unlimited)
	ClientBurst float64 // default per-client burst (0: 2*rate)

	Deadline         time.Duration   // per-request budget (0: 20ms); past it: DegradedDecision
	DegradedDecision bundle.Decision // answer when the deadline would be missed (default pass)
	ColdDecision     string          // "pass"/"review"/"reject" for unknown ids; "": thresholds on the cold score

	MaxInFlight int // requests handled at once before shedding with 503 (0: 512)
	MaxConns    int // connections served at once (0: 10000)
	MaxBody     int // request body bytes (0: 64 KiB); larger: 413
	MaxBatch    int // ids per POST /v1/score (0: 100); more: 413
	MaxIDLen    int // bytes per id (0: 256); longer: 400

	HotUsers   int    // T1 size (0: 10000; negative: no T1)
	HotLog     string // traffic log to pick T1 from (one id per line); "": top HotUsers by degree
	CacheBytes int    // T2 fastcache size in bytes (0: 64 MiB; fastcache rounds up to 32 MiB)

	AuditDir      string // "": no audit log
	AuditKey      []byte // HMAC key for hashing user ids in the audit log (>= 16 bytes)
	AuditKeepDays int    // days to keep rotated audit files (0: 180)
	AuditMaxBytes int64  // rotate when the file would pass this (0: 256 MiB)

	DrainDelay time.Duration // on Shutdown, time /readyz reports 503 before listeners close

	Logf func(format string, args ...any) // operational log (nil: stderr)
}

func (c *Config) defaults() error {
	if c.BundleDir == "" {
		return errors.New("no bundle directory given")
	}
	if c.TokensFile == "" && !c.NoAuth {
		return errors.New("no tokens file given (or serve without authentication, explicitly)")
	}
	def := func(x *int, v int) {
		if *x == 0 {
			*x = v
		}
	}
	def(&c.MaxInFlight, 512)
	def(&c.MaxConns, 10000)
	def(&c.MaxBody, 64<<10)
	def(&c.MaxBatch, 100)
	def(&c.MaxIDLen, 256)
	def(&c.HotUsers, 10000)
	def(&c.CacheBytes, 64<<20)
	def(&c.AuditKeepDays, 180)
	if c.ClientRate == 0 {
		c.ClientRate = 10000
	}
	if c.ClientBurst == 0 {
		c.ClientBurst = 2 * c.ClientRate
	}
	if c.Deadline == 0 {
		c.Deadline = 20 * time.Millisecond
	}
	if c.AuditMaxBytes == 0 {
		c.AuditMaxBytes = 256 << 20
	}
	if c.ColdDecision != "" {
		if _, ok := bundle.ParseDecision(c.ColdDecision); !ok {
			return fmt.Errorf("cold decision %q: want pass, review or reject", c.ColdDecision)
		}
	}
	if c.DegradedDecision > bundle.Reject {
		return fmt.Errorf("degraded decision %d", c.DegradedDecision)
	}
	if c.Logf == nil {
		c.Logf = func(format string, args ...any) { fmt.Fprintf(os.Stderr, "riskwalk-scorer: "+format+"\n", args...) }
	}
	return nil
}

// state is one loaded bundle with everything derived from it. Requests hold a reference while
// they use it; a reload swaps in a new state and closes the old one when its count drops to 0.
type state struct {
	b            *bundle.Bundle
	gen          uint32
	hot          hotTable
	coldDecision bundle.Decision
	modelJSON    []byte   // model version as a JSON string
	reasonJSON   [][]byte // reason names as JSON strings
	refs         atomic.Int64
}

// Server serves one bundle at a time over fasthttp. Create it with New; Handler and
// AdminHandler are the request handlers (used by Serve and ServeAdmin, and by tests directly).
type Server struct {
	cfg      Config
	cur      atomic.Pointer[state]
	gen      atomic.Uint32
	reloadMu sync.Mutex
	retiring sync.WaitGroup
	t2       *fastcache.Cache
	clients  map[[32]byte]*client
	anon     *client
	audit    *auditLog
	m        metrics
	inflight atomic.Int64
	draining atomic.Bool
	pool     scratchPool
	ridBase  []byte
	ridSeq   atomic.Uint64
	api      *fasthttp.Server
	admin    *fasthttp.Server
}

// New loads the bundle and prepares the server; it serves nothing until Serve.
func New(cfg Config) (*Server, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg}
	s.ridBase = fmt.Appendf(nil, "%x-", time.Now().UnixNano()&0xffffffffff)
	if cfg.NoAuth {
		s.anon = &client{name: "anonymous", nameJSON: []byte(`"anonymous"`), rate: cfg.ClientRate, burst: cfg.ClientBurst}
	} else {
		var err error
		if s.clients, err = loadTokens(cfg.TokensFile, cfg.ClientRate, cfg.ClientBurst); err != nil {
			return nil, err
		}
	}
	if err := s.Reload(); err != nil {
		return nil, err
	}
	s.t2 = fastcache.New(cfg.CacheBytes)
	if cfg.AuditDir != "" {
		a, err := openAudit(cfg.AuditDir, cfg.AuditKey, cfg.AuditMaxBytes, cfg.AuditKeepDays)
		if err != nil {
			s.closeState(s.cur.Load())
			return nil, err
		}
		s.audit = a
	}
	s.api = &fasthttp.Server{
		Handler: s.Handler, ErrorHandler: s.errorHandler, Name: "riskwalk-scorer",
		NoDefaultServerHeader: true, NoDefaultContentType: true, NoDefaultDate: true,
		MaxRequestBodySize: cfg.MaxBody, Concurrency: cfg.MaxConns, ReadBufferSize: 8 << 10,
		ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second, IdleTimeout: 90 * time.Second,
		CloseOnShutdown: true, DisablePreParseMultipartForm: true,
	}
	s.admin = &fasthttp.Server{
		Handler: s.AdminHandler, ErrorHandler: s.errorHandler, Name: "riskwalk-scorer-admin",
		NoDefaultServerHeader: true, MaxRequestBodySize: 4 << 10, ReadTimeout: 5 * time.Second,
		WriteTimeout: 30 * time.Second, CloseOnShutdown: true,
	}
	return s, nil
}

// Serve answers the public API on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error { return s.api.Serve(ln) }

// ServeAdmin answers /metrics, /healthz, /readyz and POST /admin/reload on ln, which must be a
// loopback address.
func (s *Server) ServeAdmin(ln net.Listener) error {
	if a, ok := ln.Addr().(*net.TCPAddr); !ok || !a.IP.IsLoopback() {
		return fmt.Errorf("admin listener %s is not on loopback; admin endpoints must not be exposed", ln.Addr())
	}
	return s.admin.Serve(ln)
}

// Reload opens the bundle directory again, verifies it completely, and swaps it in; the old
// bundle is unmapped once the requests using it finish. A bundle that fails verification is
// refused and the current one keeps serving.
func (s *Server) Reload() error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	t0 := time.Now()
	b, err := bundle.Open(s.cfg.BundleDir)
	if err != nil {
		s.m.reloadKO.Add(1)
		s.cfg.Logf("reload refused: %v", err)
		return err
	}
	st := &state{b: b, gen: s.gen.Add(1), modelJSON: appendString(nil, []byte(b.Meta.ModelVersion))}
	for _, n := range b.Meta.ReasonNames {
		st.reasonJSON = append(st.reasonJSON, appendString(nil, []byte(n)))
	}
	st.coldDecision = b.Meta.Thresholds.Decide(b.Meta.ColdScore)
	if d, ok := bundle.ParseDecision(s.cfg.ColdDecision); ok {
		st.coldDecision = d
	}
	var hot []uint32
	if s.cfg.HotLog != "" {
		if hot, err = hotFromLog(b, s.cfg.HotLog, max(s.cfg.HotUsers, 0)); err != nil {
			b.Close()
			s.m.reloadKO.Add(1)
			return err
		}
	} else {
		hot = hotByDegree(b, s.cfg.HotUsers)
	}
	st.hot = buildHot(st, hot)
	old := s.cur.Swap(st)
	if old != nil {
		s.retiring.Add(1)
		go func() {
			defer s.retiring.Done()
			s.closeState(old)
		}()
		if s.t2 != nil {
			s.t2.Reset() // old answers are keyed by the old generation; free their space
		}
	}
	s.m.reloadOK.Add(1)
	s.m.lastLoad.Store(time.Now().Unix())
	s.cfg.Logf("serving bundle %s: model %s, %d users, %s vectors, hot set %d, loaded and verified in %s",
		b.Dir, b.Meta.ModelVersion, b.N, b.Manifest.VectorKind, st.hot.n, time.Since(t0).Round(time.Millisecond))
	return nil
}

// closeState waits for st's requests to finish, then unmaps its bundle.
func (s *Server) closeState(st *state) {
	for st.refs.Load() != 0 {
		time.Sleep(time.Millisecond)
	}
	st.b.Close()
}

// acquire returns the current state with a reference held; release drops it.
func (s *Server) acquire() *state {
	for {
		st := s.cur.Load()
		st.refs.Add(1)
		if s.cur.Load() == st {
			return st
		}
		st.refs.Add(-1) // swapped meanwhile: it may be closing, so do not touch it
	}
}

func (s *Server) release(st *state) { st.refs.Add(-1) }

// ModelVersion is the model version of the bundle being served.
func (s *Server) ModelVersion() string { return s.cur.Load().b.Meta.ModelVersion }

// Shutdown drains: /readyz turns 503, after DrainDelay the listeners close, in-flight requests
// finish (keep-alive connections are told to close), then the bundle is unmapped and the audit
// log flushed.
func (s *Server) Shutdown(ctx context.Context) error {
	s.draining.Store(true)
	select {
	case <-time.After(s.cfg.DrainDelay):
	case <-ctx.Done():
	}
	err := s.api.ShutdownWithContext(ctx)
	if aerr := s.admin.ShutdownWithContext(ctx); err == nil {
		err = aerr
	}
	s.retiring.Wait()
	if st := s.cur.Load(); st != nil {
		s.closeState(st)
	}
	if s.audit != nil {
		if aerr := s.audit.Close(); err == nil {
			err = aerr
		}
	}
	return err
}
