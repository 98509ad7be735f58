//go:build cgo

package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"riskwalk/graph"
	"riskwalk/internal/testenv"
	"riskwalk/partition"
	"riskwalk/spmd"
	"riskwalk/vecfile"
	"riskwalk/walk"
)

// plantedFile writes a graph of n nodes in blocks of bs (about din edges per node inside its block,
// dout across) to dir/name.rwg and Louvain partitions of it for each r in ranks to
// dir/name.pR.rwp; it returns the graph path.
func plantedFile(t *testing.T, dir, name string, n, bs, din, dout int, seed uint64, ranks ...int) string {
	t.Helper()
	rng := walk.NewRand(seed)
	var es []graph.Edge
	for u := 0; u < n; u++ {
		b := u / bs * bs
		for k := 0; k < din/2; k++ {
			if v := b + int(rng.Uint32n(uint32(min(bs, n-b)))); v != u {
				es = append(es, graph.Edge{U: uint32(u), V: uint32(v), W: 1})
			}
		}
		for k := 0; k < dout; k++ {
			if v := int(rng.Uint32n(uint32(n))); v != u && rng.Uint32n(2) == 0 {
				es = append(es, graph.Edge{U: uint32(u), V: uint32(v), W: 1})
			}
		}
	}
	g, err := graph.FromEdges(uint32(n), es, false, false, false)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".rwg")
	if err := graph.Write(path, g, graph.Meta{}); err != nil {
		t.Fatal(err)
	}
	gf, err := graph.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer gf.Close()
	for _, r := range ranks {
		p, _, err := partition.Louvain(gf.Graph, r, partition.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := partition.Write(filepath.Join(dir, fmt.Sprintf("%s.p%d.rwp", name, r)), p, gf.Checksum()); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// mpiRun runs mpirun with args and returns its combined output and error (a hang guard of 2
// minutes fails the test).
func mpiRun(t *testing.T, args ...string) (string, error) {
	t.Helper()
	return run(t, testenv.Tool(t, "mpirun", "openmpi-bin"), append([]string{"--bind-to", "none"}, args...)...)
}

// blockMargin is mean cosine between nodes of one block minus mean cosine across blocks.
func blockMargin(t *testing.T, path string, bs int) float64 {
	t.Helper()
	f, err := vecfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := int(f.Count)
	rows := make([][]float32, n)
	for i := range rows {
		rows[i] = f.Row(nil, uint64(i))
	}
	cos := func(a, b []float32) float64 {
		var ab, aa, bb float64
		for k := range a {
			ab += float64(a[k] * b[k])
			aa += float64(a[k] * a[k])
			bb += float64(b[k] * b[k])
		}
		return ab / math.Sqrt(aa*bb+1e-30)
	}
	var in, out float64
	var ni, no int
	for u := 0; u < n; u += 3 {
		for v := u + 1; v < n; v += 7 {
			if c := cos(rows[u], rows[v]); u/bs == v/bs {
				in, ni = in+c, ni+1
			} else {
				out, no = out+c, no+1
			}
		}
	}
	return in/float64(ni) - out/float64(no)
}

// TestDistTrain trains a planted-block graph on 2 ranks and as one process and checks the
// vector file (every node a row, the graph's checksum) and that the 2-rank vectors separate the
// blocks about as well as the one-process ones.
func TestDistTrain(t *testing.T) {
	bin := buildTrain(t)
	dir := t.TempDir()
	g := plantedFile(t, dir, "g", 400, 50, 10, 2, 1, 2)
	flags := []string{"--walks", "30", "--length", "20", "--dim", "16", "--window", "5", "--threads", "1"}
	out1 := filepath.Join(dir, "v1.rwv")
	o1, err := run(t, bin, append([]string{"--graph", g, "--out", out1}, flags...)...) // one process, no MPI
	if err != nil {
		t.Fatalf("one process: %v\n%s", err, o1)
	}
	out2 := filepath.Join(dir, "v2.rwv")
	o, err := mpiRun(t, append([]string{"-np", "2", bin, "--graph", g, "--partition", filepath.Join(dir, "g.p2.rwp"), "--out", out2, "--sync-every", "5"}, flags...)...)
	if err != nil {
		t.Fatalf("2 ranks: %v\n%s", err, o)
	}
	if !strings.Contains(o, `"ranks":2`) || !strings.Contains(o, `"sync_bytes":`) || strings.Contains(o, `"sync_bytes":0,`) {
		t.Fatalf("2 ranks: no RESULT line with sync traffic:\n%s", o)
	}
	f, err := vecfile.Open(out2)
	if err != nil {
		t.Fatal(err)
	}
	gf, _ := graph.Open(g)
	if f.Count != 400 || f.Dim != 16 || f.GraphSum != gf.Checksum() {
		t.Fatalf("vector file: %d rows of %d, graph %016x; want 400 of 16, graph %016x", f.Count, f.Dim, f.GraphSum, gf.Checksum())
	}
	for i := uint64(0); i < f.Count; i++ {
		r := f.Row(nil, i)
		if slices.Max(r) == 0 && slices.Min(r) == 0 {
			t.Fatalf("row %d is zero: not gathered", i)
		}
	}
	gf.Close()
	f.Close()
	m1, m2 := blockMargin(t, out1, 50), blockMargin(t, out2, 50)
	t.Logf("block margin (intra - inter cosine): one process %.3f, 2 ranks %.3f", m1, m2)
	if m1 < 0.2 || m2 < 0.8*m1 {
		t.Fatalf("block margin: one process %.3f, 2 ranks %.3f; want the 2-rank run within 20%% of one process (and it > 0.2)", m1, m2)
	}
	// The halos: every node still gets a trained row and the blocks separate as well. The
	// default (visit) trains every token (as many as the one process), holding the walked-to
	// remote nodes as rows on both ranks; through drops the tokens of nodes a rank does not hold;
	// stay keeps walks inside owned and replica nodes at full length.
	r1 := resultLine(t, o1)
	for _, halo := range []string{"", "stay", "through"} {
		out, o := out2, o
		if halo != "" {
			out = filepath.Join(dir, "v-"+halo+".rwv")
			o, err = mpiRun(t, append([]string{"-np", "2", bin, "--graph", g, "--partition", filepath.Join(dir, "g.p2.rwp"), "--out", out, "--sync-every", "5", "--halo", halo}, flags...)...)
			if err != nil {
				t.Fatalf("2 ranks, --halo %s: %v\n%s", halo, err, o)
			}
		}
		want := cmp.Or(halo, "visit")
		if f, err := vecfile.Open(out); err != nil || f.Params["halo"] != want {
			t.Fatalf("2 ranks, --halo %q: vector file %v, params %v; want halo %s recorded", halo, err, f, want)
		} else {
			f.Close()
		}
		r := resultLine(t, o)
		visited := len(r.Visited) == 2 && r.Visited[0] > 0 && r.Visited[1] > 0
		if want == "through" && r.Tokens >= r1.Tokens || want == "visit" && (r.Tokens != r1.Tokens || !visited) || want == "stay" && r.Tokens != r1.Tokens {
			t.Fatalf("--halo %s: %d tokens trained (one process %d), visited rows %v; want fewer under through, as many under stay and visit, visit with visited rows on both ranks",
				want, r.Tokens, r1.Tokens, r.Visited)
		}
		if m := blockMargin(t, out, 50); m < 0.8*m1 {
			t.Fatalf("block margin: one process %.3f, 2 ranks --halo %s %.3f; want within 20%%", m1, want, m)
		} else {
			t.Logf("block margin, 2 ranks --halo %s: %.3f, %d tokens (one process %d), visited rows %v", want, m, r.Tokens, r1.Tokens, r.Visited)
		}
	}
	// Uneven ranks (adaptive rounds, the default): rank 0 trains with 2 threads, rank 1 with 1
	// (3 threads on this 2-core box, twice rank 1's cores elsewhere), so rank 1 must hand some
	// of its units to rank 0; every walk is still trained once (the one process's walks and
	// tokens) and the blocks separate as well.
	outU := filepath.Join(dir, "v-uneven.rwv")
	rank := func(threads string) []string {
		return append([]string{"-np", "1", bin, "--graph", g, "--partition", filepath.Join(dir, "g.p2.rwp"), "--out", outU, "--sync-every", "5"},
			append(flags, "--threads", threads)...)
	}
	o, err = mpiRun(t, append(append(rank("2"), ":"), rank("1")...)...)
	if err != nil {
		t.Fatalf("2 ranks, 2 and 1 threads: %v\n%s", err, o)
	}
	r := resultLine(t, o)
	if r.UnitsShared == 0 || r.Walks != r1.Walks || r.Tokens != r1.Tokens {
		t.Fatalf("2 ranks, 2 and 1 threads: %d units shared, %d walks and %d tokens (one process %d and %d); want units shared and every walk once", r.UnitsShared, r.Walks, r.Tokens, r1.Walks, r1.Tokens)
	}
	if m := blockMargin(t, outU, 50); m < 0.8*m1 {
		t.Fatalf("block margin: one process %.3f, 2 uneven ranks %.3f; want within 20%%", m1, m)
	} else {
		t.Logf("2 ranks, 2 and 1 threads: %d units shared, %d walks as one process; block margin %.3f", r.UnitsShared, r.Walks, m)
	}
}

// result is the part of riskwalk-train's RESULT line the tests read.
type result struct {
	Walks       int64  `json:"walks"`
	Tokens      int64  `json:"tokens"`
	Visited     []int  `json:"visited_rows"`
	UnitsShared uint64 `json:"units_shared"`
}

// resultLine parses the RESULT line of a riskwalk-train output.
func resultLine(t *testing.T, out string) result {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if js, ok := strings.CutPrefix(l, "RESULT "); ok {
			var r result
			if err := json.Unmarshal([]byte(js), &r); err != nil {
				t.Fatalf("RESULT line %q: %v", l, err)
			}
			return r
		}
	}
	t.Fatalf("no RESULT line in:\n%s", out)
	return result{}
}

// TestDistMismatch starts 2 ranks with a different graph, partition file or flags on rank 1, or
// a flag rank 1 refuses, and checks the job is refused at start with a message naming rank 1 and
// what differs (or rank 1's own message).
func TestDistMismatch(t *testing.T) {
	bin := buildTrain(t)
	dir := t.TempDir()
	g := plantedFile(t, dir, "g", 200, 50, 8, 2, 1, 2)
	h := plantedFile(t, dir, "h", 200, 50, 8, 2, 2, 2) // same size, other edges
	gf, err := graph.Open(g)
	if err != nil {
		t.Fatal(err)
	}
	hp, err := partition.Hash(gf.Graph, 2, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := partition.Write(filepath.Join(dir, "g.hash.rwp"), hp, gf.Checksum()); err != nil {
		t.Fatal(err)
	}
	gf.Close()
	p := filepath.Join(dir, "g.p2.rwp")
	base := []string{"--walks", "2", "--length", "10", "--dim", "8", "--threads", "1", "--out", filepath.Join(dir, "v.rwv")}
	for _, c := range []struct {
		name, want string
		rank1      []string
	}{
		{"graph", "rank 1 differs from rank 0: graph checksum", []string{"--graph", h, "--partition", p}},
		{"partition", "rank 1 differs from rank 0: partition checksum", []string{"--graph", g, "--partition", filepath.Join(dir, "g.hash.rwp")}},
		{"flags", "rank 1 differs from rank 0: parameter hash", []string{"--graph", g, "--partition", p, "--window", "3"}},
		{"bad flag", "--visit-rows 5 under --halo stay: want >= 0 (0: all), and only with --halo visit", []string{"--graph", g, "--partition", p, "--halo", "stay", "--visit-rows", "5"}},
	} {
		args := append(append([]string{"-np", "1", bin, "--graph", g, "--partition", p}, base...), ":", "-np", "1", bin)
		args = append(append(args, c.rank1...), base...)
		t0 := time.Now()
		o, err := mpiRun(t, args...)
		if err == nil || !strings.Contains(o, c.want) {
			t.Fatalf("%s differs on rank 1: err %v, want a refusal containing %q; output:\n%s", c.name, err, c.want, o)
		}
		if _, err := os.Stat(filepath.Join(dir, "v.rwv")); err == nil {
			t.Fatalf("%s: a refused job wrote its vector file", c.name)
		}
		t.Logf("%s: refused in %s", c.name, time.Since(t0).Round(time.Millisecond))
	}
}

// rankPID finds the process of MPI rank r started by the mpirun with pid parent.
func rankPID(parent, r int) int {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		env, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
		if err != nil || !bytes.Contains(env, []byte(fmt.Sprintf("\x00OMPI_COMM_WORLD_RANK=%d\x00", r))) {
			continue
		}
		for p := pid; p > 1; {
			st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p))
			if err != nil {
				break
			}
			f := strings.Fields(string(st[bytes.LastIndexByte(st, ')')+1:]))
			if p, _ = strconv.Atoi(f[1]); p == parent {
				return pid
			}
		}
	}
	return 0
}

// TestDistKillResume kills rank 1 with SIGKILL after a few checkpoints: mpirun must end the job
// promptly with a non-zero status; rerun with --resume it must finish. With --adaptive=false (one
// thread per rank, so training is deterministic) it must give exactly the vectors of an
// uninterrupted run; adaptive (the default: a rank's checkpoint may hold units past the round's
// bound), vectors that separate the blocks as well as an uninterrupted adaptive run's.
func TestDistKillResume(t *testing.T) {
	bin := buildTrain(t)
	dir := t.TempDir()
	g := plantedFile(t, dir, "g", 1000, 50, 10, 2, 1, 2)
	for _, mode := range []string{"fixed", "adaptive"} {
		t.Run(mode, func(t *testing.T) { killResume(t, bin, g, filepath.Join(dir, mode), mode == "adaptive") })
	}
}

func killResume(t *testing.T, bin, g, dir string, adaptive bool) {
	mpirun := testenv.Tool(t, "mpirun", "openmpi-bin")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := strings.TrimSuffix(g, ".rwg") + ".p2.rwp"
	flags := []string{"--graph", g, "--partition", p, "--walks", "10", "--length", "20", "--dim", "16", "--window", "5",
		"--threads", "1", "--chunk", "16", "--sync-every", "2", "--quiet", fmt.Sprintf("--adaptive=%v", adaptive)}
	ref := filepath.Join(dir, "ref.rwv")
	if o, err := mpiRun(t, append([]string{"-np", "2", bin, "--out", ref}, flags...)...); err != nil {
		t.Fatalf("uninterrupted run: %v\n%s", err, o)
	}

	out := filepath.Join(dir, "v.rwv")
	ckArgs := append([]string{"--out", out, "--checkpoint-every", "1ns"}, flags...)
	cmd := exec.Command(mpirun, append([]string{"-np", "2", "--bind-to", "none", bin}, ckArgs...)...)
	cmd.Env = cleanEnv()
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var killed time.Time
	deadline := time.Now().Add(time.Minute)
	for killed.IsZero() {
		select {
		case err := <-done:
			t.Fatalf("the run ended (%v) before a checkpoint at round 3 was seen; make it longer\n%s", err, buf.String())
		case <-time.After(10 * time.Millisecond):
		}
		if m, err := spmd.ReadManifest(out + ".ckpt"); err == nil && m.Round >= 3 {
			pid := rankPID(cmd.Process.Pid, 1)
			if pid == 0 {
				t.Fatalf("rank 1 of mpirun %d not found in /proc", cmd.Process.Pid)
			}
			if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = time.Now()
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no checkpoint after a minute:\n%s", buf.String())
		}
	}
	select {
	case err := <-done:
		if err == nil {
			t.Fatalf("mpirun exited 0 after rank 1 was killed:\n%s", buf.String())
		}
		t.Logf("mpirun ended %s after kill -9 of rank 1 (%v)", time.Since(killed).Round(time.Millisecond), err)
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("mpirun still running 20 s after rank 1 was killed (hang):\n%s", buf.String())
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("the killed run wrote its vector file")
	}
	m, err := spmd.ReadManifest(out + ".ckpt")
	if err != nil {
		t.Fatal(err)
	}
	o, err := mpiRun(t, append([]string{"-np", "2", bin, "--resume"}, ckArgs...)...)
	if err != nil {
		t.Fatalf("--resume: %v\n%s", err, o)
	}
	if !strings.Contains(o, fmt.Sprintf(`"first_round":%d`, m.Round)) {
		t.Fatalf("--resume did not start at the manifest's round %d:\n%s", m.Round, o)
	}
	if adaptive {
		ma, mb := blockMargin(t, ref, 50), blockMargin(t, out, 50)
		if ma < 0.2 || mb < 0.8*ma {
			t.Fatalf("block margin: uninterrupted %.3f, resumed at round %d of %d %.3f; want the resumed run within 20%% (and > 0.2)", ma, m.Round, m.Rounds, mb)
		}
		t.Logf("resumed at round %d of %d (units per rank %v); block margin %.3f, uninterrupted %.3f", m.Round, m.Rounds, m.Units, mb, ma)
	} else {
		a, err := vecfile.Open(ref)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		b, err := vecfile.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		ra, _ := a.Float32Rows()
		rb, _ := b.Float32Rows()
		if !slices.Equal(ra, rb) {
			t.Fatalf("resumed vectors differ from the uninterrupted run's (resumed at round %d of %d)", m.Round, m.Rounds)
		}
		t.Logf("resumed at round %d of %d; vectors equal the uninterrupted run's", m.Round, m.Rounds)
	}
	for _, f := range []string{out + ".ckpt", spmd.RankCheckpoint(out+".ckpt", 1, 0), spmd.RankCheckpoint(out+".ckpt", 1, 1)} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("%s left behind after a finished run", f)
		}
	}
}

// TestDistDirtySync trains the same job on 3 ranks (one thread each and --adaptive=false, so runs
// are deterministic) with --sync-rows all and --sync-rows dirty: the vectors must be bit for bit
// the same, and the dirty-row syncs must move fewer bytes.
func TestDistDirtySync(t *testing.T) {
	bin := buildTrain(t)
	dir := t.TempDir()
	g := plantedFile(t, dir, "g", 3000, 50, 8, 2, 3, 3)
	flags := []string{"--graph", g, "--partition", filepath.Join(dir, "g.p3.rwp"), "--walks", "2", "--length", "20",
		"--dim", "16", "--window", "5", "--threads", "1", "--chunk", "16", "--sync-every", "1", "--quiet", "--adaptive=false"}
	vecs := map[string][]float32{}
	bytes := map[string]int64{}
	for _, mode := range []string{"all", "dirty"} {
		out := filepath.Join(dir, mode+".rwv")
		o, err := mpiRun(t, append([]string{"-np", "3", "--oversubscribe", bin, "--out", out, "--sync-rows", mode}, flags...)...)
		if err != nil {
			t.Fatalf("--sync-rows %s: %v\n%s", mode, err, o)
		}
		i := strings.Index(o, `"sync_bytes":`)
		if i < 0 {
			t.Fatalf("--sync-rows %s: no sync_bytes in the RESULT line:\n%s", mode, o)
		}
		s := o[i+len(`"sync_bytes":`):]
		if bytes[mode], err = strconv.ParseInt(s[:strings.IndexAny(s, ",}")], 10, 64); err != nil {
			t.Fatal(err)
		}
		f, err := vecfile.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		vecs[mode], _ = f.Float32Rows()
		vecs[mode] = slices.Clone(vecs[mode])
		f.Close()
	}
	if len(vecs["all"]) != 3000*16 || !slices.Equal(vecs["all"], vecs["dirty"]) {
		t.Fatalf("dirty-row sync gave other vectors than a full sync (%d and %d floats)", len(vecs["all"]), len(vecs["dirty"]))
	}
	t.Logf("same vectors; sync bytes: all %d, dirty %d (%.2fx)", bytes["all"], bytes["dirty"], float64(bytes["dirty"])/float64(bytes["all"]))
	if bytes["dirty"] <= 0 || bytes["dirty"] >= bytes["all"] {
		t.Fatalf("sync bytes: dirty %d, all %d; want 0 < dirty < all", bytes["dirty"], bytes["all"])
	}
}
