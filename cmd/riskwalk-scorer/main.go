// Command riskwalk-scorer serves a scoring bundle over HTTP (see package riskwalk/scorer for the
// API). It is pure Go and builds with CGO_ENABLED=0 into one static binary.
//
//	riskwalk-scorer -bundle DIR -tokens FILE [-listen 127.0.0.1:8090] [-admin 127.0.0.1:8091] ...
//	riskwalk-scorer -hash-token < token         print the tokens-file hash of a token
//	riskwalk-scorer -bundle DIR -examples N     print N labelled-bad and N low-score ids
//
// Signals: SIGHUP reloads the bundle (refused bundles leave the old one serving); SIGTERM or
// SIGINT drains (readiness turns 503, listeners close after -drain-delay, in-flight requests
// finish) and exits 0.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"riskwalk/bundle"
	"riskwalk/scorer"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "riskwalk-scorer: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	var cfg scorer.Config
	fs := flag.NewFlagSet("riskwalk-scorer", flag.ExitOnError)
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: riskwalk-scorer -bundle DIR (-tokens FILE | -insecure-no-auth) [flags]\n       riskwalk-scorer -hash-token < token\n       riskwalk-scorer -bundle DIR -examples N")
		fs.PrintDefaults()
	}
	listen := fs.String("listen", "127.0.0.1:8090", "public API address")
	admin := fs.String("admin", "127.0.0.1:8091", "admin address (/metrics, /admin/reload); must be loopback")
	fs.StringVar(&cfg.BundleDir, "bundle", "", "bundle directory (re-read on reload)")
	fs.StringVar(&cfg.TokensFile, "tokens", "", "bearer tokens file: NAME sha256:HEX [rate=N] [burst=N] per line")
	fs.BoolVar(&cfg.NoAuth, "insecure-no-auth", false, "serve without authentication (demos and tests on loopback only)")
	fs.Float64Var(&cfg.ClientRate, "client-rate", 10000, "default per-client requests/second")
	fs.Float64Var(&cfg.ClientBurst, "client-burst", 0, "default per-client burst (0: 2*rate)")
	fs.DurationVar(&cfg.Deadline, "deadline", 20*time.Millisecond, "per-request deadline; past it the default decision is answered, marked degraded")
	degraded := fs.String("degraded-decision", "pass", "decision answered when the deadline would be missed")
	fs.StringVar(&cfg.ColdDecision, "cold-decision", "", "decision for unknown ids (default: thresholds on the bundle's cold score)")
	fs.IntVar(&cfg.MaxInFlight, "max-inflight", 512, "requests in flight before shedding with 503")
	fs.IntVar(&cfg.MaxConns, "max-conns", 10000, "connections served at once")
	fs.IntVar(&cfg.MaxBody, "max-body", 64<<10, "request body limit in bytes (413 above)")
	fs.IntVar(&cfg.MaxBatch, "max-batch", 100, "ids per batch request (413 above)")
	fs.IntVar(&cfg.MaxIDLen, "max-id-len", 256, "bytes per id")
	fs.IntVar(&cfg.HotUsers, "hot", 10000, "T1 hot set size (negative: none)")
	fs.StringVar(&cfg.HotLog, "hot-log", "", "traffic log (one id per line) to preheat T1 from; default: top users by degree")
	cacheMB := fs.Int("cache-mb", 64, "T2 fastcache size in MiB")
	fs.StringVar(&cfg.AuditDir, "audit-dir", "", "audit log directory (empty: no audit log)")
	auditKey := fs.String("audit-key", "", "file holding the HMAC key for hashing user ids in the audit log")
	fs.IntVar(&cfg.AuditKeepDays, "audit-keep-days", 180, "days to keep rotated audit files")
	auditMB := fs.Int64("audit-max-mb", 256, "rotate the audit file past this size in MiB")
	fs.DurationVar(&cfg.DrainDelay, "drain-delay", 0, "on SIGTERM, how long /readyz reports draining before the listeners close")
	shutdownTimeout := fs.Duration("shutdown-timeout", 15*time.Second, "longest wait for in-flight requests on SIGTERM")
	hashToken := fs.Bool("hash-token", false, "read a token on stdin, print its tokens-file hash, exit")
	examples := fs.Int("examples", 0, "print N labelled-bad and N lowest-score ids of the bundle, exit")
	fs.Parse(os.Args[1:])
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}

	if *hashToken {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			return fmt.Errorf("no token on stdin (%v)", err)
		}
		fmt.Println(scorer.HashToken(line))
		return nil
	}
	if *examples > 0 {
		return printExamples(cfg.BundleDir, *examples)
	}
	d, ok := bundle.ParseDecision(*degraded)
	if !ok {
		return fmt.Errorf("-degraded-decision %q: want pass, review or reject", *degraded)
	}
	cfg.DegradedDecision = d
	cfg.CacheBytes = *cacheMB << 20
	cfg.AuditMaxBytes = *auditMB << 20
	if cfg.AuditDir != "" {
		if *auditKey == "" {
			return fmt.Errorf("-audit-dir needs -audit-key FILE (e.g. head -c 32 /dev/urandom > FILE)")
		}
		k, err := os.ReadFile(*auditKey)
		if err != nil {
			return fmt.Errorf("audit key: %w", err)
		}
		cfg.AuditKey = k
	}

	srv, err := scorer.New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	aln, err := net.Listen("tcp", *admin)
	if err != nil {
		return err
	}
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	go func() { errc <- srv.ServeAdmin(aln) }()
	fmt.Fprintf(os.Stderr, "riskwalk-scorer: listening on %s (admin %s), pid %d\n", ln.Addr(), aln.Addr(), os.Getpid())

	sig := make(chan os.Signal, 4)
	signal.Notify(sig, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT)
	for {
		select {
		case err := <-errc:
			return fmt.Errorf("listener stopped: %w", err)
		case s := <-sig:
			if s == syscall.SIGHUP {
				srv.Reload() // logs and counts a refusal; the old bundle keeps serving
				continue
			}
			fmt.Fprintf(os.Stderr, "riskwalk-scorer: %v: draining\n", s)
			ctx, cancel := context.WithTimeout(context.Background(), cfg.DrainDelay+*shutdownTimeout)
			err := srv.Shutdown(ctx)
			cancel()
			if err != nil {
				return fmt.Errorf("shutdown: %w", err)
			}
			fmt.Fprintln(os.Stderr, "riskwalk-scorer: drained, exiting")
			return nil
		}
	}
}

// printExamples lists ids for demos: "bad ID SCORE" for labelled-bad users of highest score
// and "normal ID SCORE" for the lowest-score unlabelled-or-good users.
func printExamples(dir string, n int) error {
	if dir == "" {
		return fmt.Errorf("-examples needs -bundle DIR")
	}
	b, err := bundle.Open(dir)
	if err != nil {
		return err
	}
	defer b.Close()
	type pick struct {
		v uint32
		s float32
	}
	var bad, normal []pick
	for v := uint32(0); v < b.N; v++ {
		r := b.Row(v)
		if r.Flags&bundle.FlagBad != 0 {
			bad = insertTop(bad, pick{v, r.Score}, n, func(a, b pick) bool { return a.s > b.s })
		} else {
			normal = insertTop(normal, pick{v, r.Score}, n, func(a, b pick) bool { return a.s < b.s })
		}
	}
	for _, p := range bad {
		fmt.Printf("bad %s %g\n", b.ExtID(p.v), p.s)
	}
	for _, p := range normal {
		fmt.Printf("normal %s %g\n", b.ExtID(p.v), p.s)
	}
	return nil
}

// insertTop keeps the n best of a stream in order under better.
func insertTop[T any](s []T, x T, n int, better func(a, b T) bool) []T {
	i := len(s)
	for i > 0 && better(x, s[i-1]) {
		i--
	}
	if i >= n {
		return s
	}
	s = append(s, x)
	copy(s[i+1:], s[i:])
	s[i] = x
	if len(s) > n {
		s = s[:n]
	}
	return s
}
