package main

import (
	"bytes"
	"debug/buildinfo"
	"debug/elf"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"riskwalk/bundle"
	"riskwalk/internal/testenv"
	"riskwalk/scorer"
)

const token = "process-test-token-0123456789abcdef"

var (
	binPath string
	workDir string
)

// TestMain builds the scorer once, exactly as shipped (CGO_ENABLED=0), for the tests that run it
// as a process.
func TestMain(m *testing.M) {
	var err error
	workDir, err = os.MkdirTemp("", "riskwalk-scorer-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(workDir, "riskwalk-scorer")
	cmd := exec.Command("go", "build", "-o", binPath, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build riskwalk-scorer with CGO_ENABLED=0: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(workDir)
	os.Exit(code)
}

// TestStaticBinary: the scorer is one static binary built without cgo.
func TestStaticBinary(t *testing.T) {
	f, err := elf.Open(binPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Fatalf("riskwalk-scorer is dynamically linked (program header %v)", p.Type)
		}
	}
	bi, err := buildinfo.ReadFile(binPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range bi.Settings {
		if s.Key == "CGO_ENABLED" && s.Value != "0" {
			t.Fatalf("built with CGO_ENABLED=%s", s.Value)
		}
	}
}

type proc struct {
	cmd    *exec.Cmd
	listen string
	admin  string
	log    *syncBuf
	done   chan error
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start runs the scorer on the given addresses and waits for /readyz.
func start(t *testing.T, listen, admin string, args ...string) *proc {
	t.Helper()
	p := &proc{listen: listen, admin: admin, log: &syncBuf{}, done: make(chan error, 1)}
	p.cmd = exec.Command(binPath, append([]string{"-listen", listen, "-admin", admin}, args...)...)
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		if t.Failed() {
			t.Logf("scorer %s log:\n%s", listen, p.log)
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + admin + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		select {
		case err := <-p.done:
			t.Fatalf("scorer exited at start: %v\n%s", err, p.log)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("scorer not ready in 15s\n%s", p.log)
	return nil
}

// wait returns the exit error once the process ends (fails the test after timeout).
func (p *proc) wait(t *testing.T, timeout time.Duration) error {
	t.Helper()
	select {
	case err := <-p.done:
		return err
	case <-time.After(timeout):
		t.Fatalf("scorer %s still running %s after the signal", p.listen, timeout)
		return nil
	}
}

func setup(t *testing.T) (bundleDir, tokens string, in *bundle.Input) {
	t.Helper()
	root := t.TempDir()
	bundleDir = filepath.Join(root, "bundle")
	in = bundle.Synthetic(5000, 16, 5)
	if err := bundle.Write(bundleDir, in); err != nil {
		t.Fatal(err)
	}
	tokens = filepath.Join(root, "tokens")
	os.WriteFile(tokens, []byte("tester "+scorer.HashToken(token)+" rate=0\n"), 0o600)
	return bundleDir, tokens, in
}

// load hammers url paths from workers goroutines until stop closes; it records every outcome.
type load struct {
	ok, bad, errs atomic.Int64
	mu            sync.Mutex
	firstErr      time.Time
	badBodies     []string
	upstreams     map[string]int
	versions      map[string]int
	wg            sync.WaitGroup
	stop          chan struct{}
}

func startLoad(addr string, workers int, paths func(i int) string) *load {
	l := &load{stop: make(chan struct{}), upstreams: map[string]int{}, versions: map[string]int{}}
	for w := 0; w < workers; w++ {
		l.wg.Add(1)
		go func(w int) {
			defer l.wg.Done()
			c := &fasthttp.HostClient{Addr: addr, MaxIdemponentCallAttempts: 1}
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			req.Header.Set("Authorization", "Bearer "+token)
			for i := w; ; i += workers {
				select {
				case <-l.stop:
					return
				default:
				}
				req.SetRequestURI("http://" + addr + paths(i))
				err := c.DoTimeout(req, resp, 3*time.Second)
				l.mu.Lock()
				switch {
				case err != nil:
					if l.errs.Add(1) == 1 {
						l.firstErr = time.Now()
					}
				case resp.StatusCode() != 200:
					l.bad.Add(1)
					if len(l.badBodies) < 5 {
						l.badBodies = append(l.badBodies, fmt.Sprintf("%d %s", resp.StatusCode(), resp.Body()))
					}
				default:
					l.ok.Add(1)
					l.upstreams[string(resp.Header.Peek("X-Riskwalk-Upstream"))]++
					var m struct {
						ModelVersion string `json:"model_version"`
					}
					json.Unmarshal(resp.Body(), &m)
					l.versions[m.ModelVersion]++
				}
				l.mu.Unlock()
			}
		}(w)
	}
	return l
}

func (l *load) finish() { close(l.stop); l.wg.Wait() }

func metric(t *testing.T, admin, name string) string {
	t.Helper()
	resp, err := http.Get("http://" + admin + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, name+" ") {
			return strings.TrimPrefix(line, name+" ")
		}
	}
	return ""
}

// TestSignals: SIGHUP reloads a new bundle and refuses a corrupt one under load; SIGTERM drains
// (readiness 503 first, requests still answered, every answer audited) and exits 0.
func TestSignals(t *testing.T) {
	dir, tokens, in := setup(t)
	audit := filepath.Join(t.TempDir(), "audit")
	key := filepath.Join(t.TempDir(), "key")
	os.WriteFile(key, []byte("0123456789abcdef0123"), 0o600)
	p := start(t, freeAddr(t), freeAddr(t), "-bundle", dir, "-tokens", tokens, "-drain-delay", "500ms",
		"-audit-dir", audit, "-audit-key", key, "-hot", "100")
	l := startLoad(p.listen, 3, func(i int) string { return fmt.Sprintf("/v1/score/u%d", (i*7)%5200) })
	versionSeen := func(v string) bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		return l.versions[v] > 0
	}
	time.Sleep(200 * time.Millisecond)
	in.ModelVersion = "v2"
	if err := bundle.Write(dir, in); err != nil {
		t.Fatal(err)
	}
	p.cmd.Process.Signal(syscall.SIGHUP)
	for i := 0; !versionSeen("v2"); i++ {
		if i > 250 {
			t.Fatal("v2 not served 5s after SIGHUP")
		}
		time.Sleep(20 * time.Millisecond)
	}
	in.ModelVersion = "v3-corrupt"
	if err := bundle.Write(dir, in); err != nil {
		t.Fatal(err)
	}
	os.Truncate(filepath.Join(dir, bundle.ScoresFile), 1000)
	p.cmd.Process.Signal(syscall.SIGHUP)
	for i := 0; metric(t, p.admin, "riskwalk_reload_failures_total") != "1"; i++ {
		if i > 250 {
			t.Fatal("corrupt bundle not refused within 5s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)

	okBefore := l.ok.Load()
	sigAt := time.Now()
	p.cmd.Process.Signal(syscall.SIGTERM)
	// During the drain delay: not ready, still answering.
	time.Sleep(150 * time.Millisecond)
	resp, err := http.Get("http://" + p.admin + "/readyz")
	if err != nil {
		t.Fatalf("admin gone during the drain delay: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 {
		t.Fatalf("/readyz during drain: %d, want 503", resp.StatusCode)
	}
	if err := p.wait(t, 10*time.Second); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	l.finish()
	if l.ok.Load() <= okBefore {
		t.Fatalf("no request answered during the drain delay")
	}
	if l.bad.Load() != 0 {
		t.Fatalf("%d non-200 answers: %v", l.bad.Load(), l.badBodies)
	}
	if l.errs.Load() > 0 && l.firstErr.Before(sigAt.Add(500*time.Millisecond)) {
		t.Fatalf("a request failed %v after SIGTERM, inside the 500ms drain delay", l.firstErr.Sub(sigAt))
	}
	if versionSeen("v3-corrupt") || !versionSeen(bundle.Synthetic(1, 1, 5).ModelVersion) {
		t.Fatalf("versions served: %v", l.versions)
	}
	// Every answered request is in the audit log, flushed at exit.
	files, _ := filepath.Glob(filepath.Join(audit, "*.jsonl"))
	lines := 0
	for _, f := range files {
		b, _ := os.ReadFile(f)
		lines += bytes.Count(b, []byte("\n"))
	}
	if int64(lines) != l.ok.Load() {
		t.Fatalf("%d audit lines for %d answered requests", lines, l.ok.Load())
	}
	t.Logf("%d requests answered, %d connection errors after the listeners closed", l.ok.Load(), l.errs.Load())
}

// TestNginxTwoScorers runs the shipped nginx config in front of two scorers and restarts one of
// them under load: no request through nginx may fail.
func TestNginxTwoScorers(t *testing.T) {
	nginx := testenv.Tool(t, "nginx", "nginx-light")
	dir, tokens, _ := setup(t)
	a1, a2, b1, b2, front := freeAddr(t), freeAddr(t), freeAddr(t), freeAddr(t), freeAddr(t)
	args := []string{"-bundle", dir, "-tokens", tokens, "-hot", "100"}
	pa := start(t, a1, a2, args...)
	start(t, b1, b2, args...)

	root := t.TempDir()
	conf, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "deploy", "nginx", "riskwalk.conf"))
	if err != nil {
		t.Fatal(err)
	}
	// The shipped per-client rate (5000/s) would limit this test's unthrottled load: raise it.
	c := strings.NewReplacer("127.0.0.1:8080", front, "127.0.0.1:8090", a1, "127.0.0.1:8092", b1, "/var/log/nginx/", root+"/",
		"rate=5000r/s", "rate=1000000r/s", "rate=20000r/s", "rate=1000000r/s").Replace(string(conf))
	for _, want := range []string{front, a1, b1, "rate=1000000r/s"} {
		if !strings.Contains(c, want) {
			t.Fatalf("deploy/nginx/riskwalk.conf no longer has the addresses this test rewrites")
		}
	}
	os.WriteFile(filepath.Join(root, "riskwalk.conf"), []byte(c), 0o644)
	main := fmt.Sprintf(`daemon off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 1024; }
http {
  client_body_temp_path %[1]s/body; proxy_temp_path %[1]s/proxy; fastcgi_temp_path %[1]s/fcgi;
  uwsgi_temp_path %[1]s/uwsgi; scgi_temp_path %[1]s/scgi;
  include %[1]s/riskwalk.conf;
}
`, root)
	os.WriteFile(filepath.Join(root, "nginx.conf"), []byte(main), 0o644)
	ng := exec.Command(nginx, "-p", root, "-c", filepath.Join(root, "nginx.conf"))
	ngLog := &syncBuf{}
	ng.Stdout, ng.Stderr = ngLog, ngLog
	if err := ng.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ng.Process.Signal(syscall.SIGQUIT)
		ng.Wait()
		if t.Failed() {
			el, _ := os.ReadFile(filepath.Join(root, "error.log"))
			t.Logf("nginx:\n%s\n%s", ngLog, el)
		}
	})
	for i := 0; ; i++ {
		if conn, err := net.Dial("tcp", front); err == nil {
			conn.Close()
			break
		}
		if i > 250 {
			t.Fatalf("nginx not listening on %s after 5s: %s", front, ngLog)
		}
		time.Sleep(20 * time.Millisecond)
	}

	// JSON errors from nginx itself, and the scorer's passed through.
	for _, c := range []struct {
		method, path, auth, body string
		status                   int
		code                     string
	}{
		{"GET", "/nope", "", "", 404, "not_found"},
		{"POST", "/v1/score", token, `{"ids":["` + strings.Repeat("x", 70<<10) + `"]}`, 413, "body_too_large"},
		{"GET", "/v1/score/u1", "", "", 401, "unauthorized"},
		{"GET", "/v1/score/u1", token, "", 200, ""},
	} {
		req, _ := http.NewRequest(c.method, "http://"+front+c.path, strings.NewReader(c.body))
		if c.auth != "" {
			req.Header.Set("Authorization", "Bearer "+c.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var m struct {
			Error struct{ Code string }
		}
		if err := json.Unmarshal(b, &m); err != nil || resp.StatusCode != c.status || m.Error.Code != c.code {
			t.Errorf("%s %s via nginx: %d %q (%v), want %d %q", c.method, c.path, resp.StatusCode, b, err, c.status, c.code)
		}
	}

	l := startLoad(front, 4, func(i int) string { return fmt.Sprintf("/v1/score/u%d", (i*13)%5000) })
	time.Sleep(500 * time.Millisecond)
	pa.cmd.Process.Signal(syscall.SIGTERM)
	if err := pa.wait(t, 10*time.Second); err != nil {
		t.Fatalf("scorer A exit: %v", err)
	}
	time.Sleep(300 * time.Millisecond) // B alone
	l.mu.Lock()
	before := l.upstreams[a1]
	l.mu.Unlock()
	start(t, a1, a2, args...)
	// nginx retries A after fail_timeout (1s); on a loaded machine (or under -race) A's restart
	// and nginx's retry can take longer, so wait until A has answered again (at most 10 s).
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		l.mu.Lock()
		again := l.upstreams[a1] > before
		l.mu.Unlock()
		if again {
			break
		}
	}
	time.Sleep(200 * time.Millisecond)
	l.finish()
	if l.errs.Load() != 0 || l.bad.Load() != 0 {
		t.Fatalf("through nginx: %d errors, %d non-200 (%v) of %d", l.errs.Load(), l.bad.Load(), l.badBodies, l.ok.Load())
	}
	if l.upstreams[b1] == 0 || before == 0 || l.upstreams[a1] <= before {
		t.Fatalf("upstreams served %v (A before its restart: %d): both scorers must serve, A again after restarting", l.upstreams, before)
	}
	t.Logf("%d requests through nginx, none failed, while scorer A restarted; per upstream %v", l.ok.Load(), l.upstreams)
}

// TestSystemdUnits checks the shipped units with systemd-analyze verify (with ExecStart pointed at
// the binary built here); any warning fails the test.
func TestSystemdUnits(t *testing.T) {
	sa := testenv.Tool(t, "systemd-analyze", "systemd")
	repo := testenv.RepoRoot(t)
	dir := t.TempDir()
	for _, u := range []string{"riskwalk-scorer.service", "riskwalk-retrain.service", "riskwalk-retrain.timer"} {
		b, err := os.ReadFile(filepath.Join(repo, "systemd", u))
		if err != nil {
			t.Fatal(err)
		}
		s := strings.NewReplacer("/usr/local/bin/riskwalk-scorer", binPath,
			"/usr/local/lib/riskwalk/riskwalk-retrain.sh", filepath.Join(repo, "systemd", "riskwalk-retrain.sh")).Replace(string(b))
		os.WriteFile(filepath.Join(dir, u), []byte(s), 0o644)
	}
	unit, _ := os.ReadFile(filepath.Join(repo, "systemd", "riskwalk-scorer.service"))
	for _, want := range []string{"User=riskwalk", "ProtectSystem=strict", "ReadOnlyPaths=/var/lib/riskwalk/bundle", "NoNewPrivileges=yes",
		"MemoryMax=", "LimitNOFILE=", "Restart=on-failure", "ExecReload=/bin/kill -HUP $MAINPID"} {
		if !bytes.Contains(unit, []byte(want)) {
			t.Errorf("riskwalk-scorer.service lacks %s", want)
		}
	}
	cmd := exec.Command(sa, "verify", "--man=no", "riskwalk-scorer.service", "riskwalk-retrain.service", "riskwalk-retrain.timer")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}
