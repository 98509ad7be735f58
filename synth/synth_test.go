package synth

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// dataset is one generated directory read back through its files only.
type dataset struct {
	dir    string
	man    Manifest
	edges  []edge
	types  map[string]string // nodes.tsv
	nodeN  int               // lines of nodes.tsv
	labels map[string]int
	labelN int
	gang   map[string]int // gangs.tsv: user -> gang (-1 loner)
	role   map[string]string
}

type edge struct {
	src, dst string
	w        float64
	ts       int64
	line     int
}

const testUsers = 20000

var (
	shared     *dataset
	sharedErr  error
	sharedOnce sync.Once
)

// sharedData is one 20k-user data set (seed 3) that most tests read.
func sharedData(t *testing.T) *dataset {
	t.Helper()
	sharedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "synth-test-")
		if err != nil {
			sharedErr = err
			return
		}
		cfg := DefaultConfig()
		cfg.Users, cfg.Media, cfg.Seed = testUsers, testUsers, 3
		if _, err := Generate(dir, cfg); err != nil {
			sharedErr = err
			return
		}
		shared, sharedErr = readDataset(dir)
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return shared
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// readTSV calls fn with the fields of each non-comment line; the first line must be the v1 header.
func readTSV(path string, r *bufio.Scanner, fn func(f []string, line int) error) error {
	line := 0
	for r.Scan() {
		line++
		l := r.Text()
		if line == 1 && !strings.HasPrefix(l, header) {
			return fmt.Errorf("%s:1: header %q does not start with %q", path, l, header)
		}
		if strings.HasPrefix(l, "#") {
			continue
		}
		if err := fn(strings.Split(l, "\t"), line); err != nil {
			return fmt.Errorf("%s:%d: %v", path, line, err)
		}
	}
	return r.Err()
}

func scanFile(path string, fn func(f []string, line int) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var sc *bufio.Scanner
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return err
		}
		sc = bufio.NewScanner(zr)
	} else {
		sc = bufio.NewScanner(f)
	}
	return readTSV(path, sc, fn)
}

func readDataset(dir string) (*dataset, error) {
	d := &dataset{dir: dir, types: map[string]string{}, labels: map[string]int{}, gang: map[string]int{}, role: map[string]string{}}
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	d.man = *m
	err = scanFile(filepath.Join(dir, EdgesFile), func(f []string, line int) error {
		if len(f) != 4 {
			return fmt.Errorf("%d fields, want 4", len(f))
		}
		w, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			return err
		}
		ts, err := strconv.ParseInt(f[3], 10, 64)
		if err != nil {
			return err
		}
		d.edges = append(d.edges, edge{f[0], f[1], w, ts, line})
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = scanFile(filepath.Join(dir, NodesFile), func(f []string, line int) error {
		if len(f) != 2 {
			return fmt.Errorf("%d fields, want 2", len(f))
		}
		if _, dup := d.types[f[0]]; dup {
			return fmt.Errorf("node %s listed twice", f[0])
		}
		d.types[f[0]] = f[1]
		d.nodeN++
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = scanFile(filepath.Join(dir, LabelsFile), func(f []string, line int) error {
		if len(f) != 2 || (f[1] != "0" && f[1] != "1") {
			return fmt.Errorf("bad label line %q", f)
		}
		if _, dup := d.labels[f[0]]; dup {
			return fmt.Errorf("user %s labelled twice", f[0])
		}
		d.labels[f[0]] = int(f[1][0] - '0')
		d.labelN++
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = scanFile(filepath.Join(dir, GangsFile), func(f []string, line int) error {
		if len(f) != 3 {
			return fmt.Errorf("%d fields, want 3", len(f))
		}
		g, err := strconv.Atoi(f[1])
		if err != nil {
			return err
		}
		d.gang[f[0]] = g
		d.role[f[0]] = f[2]
		return nil
	})
	return d, err
}

func TestDeterministicAcrossWorkersAndSeeds(t *testing.T) {
	gen := func(seed uint64, workers int) string {
		dir := t.TempDir()
		cfg := DefaultConfig()
		cfg.Users, cfg.Media, cfg.Seed, cfg.Workers = 3*chunkSize+77, 20000, seed, workers
		if _, err := Generate(dir, cfg); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	a, b, c := gen(11, 1), gen(11, 3), gen(12, 2)
	for _, f := range []string{EdgesFile, NodesFile, LabelsFile, GangsFile, ManifestFile} {
		x, _ := os.ReadFile(filepath.Join(a, f))
		y, _ := os.ReadFile(filepath.Join(b, f))
		if len(x) == 0 || !bytes.Equal(x, y) {
			t.Errorf("%s: 1 worker and 3 workers wrote different bytes (%d vs %d)", f, len(x), len(y))
		}
	}
	for _, f := range []string{EdgesFile, LabelsFile, GangsFile} {
		x, _ := os.ReadFile(filepath.Join(a, f))
		z, _ := os.ReadFile(filepath.Join(c, f))
		if bytes.Equal(x, z) {
			t.Errorf("%s: seeds 11 and 12 wrote the same bytes", f)
		}
	}
	ents, _ := os.ReadDir(a)
	if len(ents) != 5 {
		t.Errorf("output directory holds %d entries, want the 5 files (temporary files left?)", len(ents))
	}
}

func TestCountsMatchManifest(t *testing.T) {
	d := sharedData(t)
	var kinds [nKinds]uint64
	for _, e := range d.edges {
		switch e.dst[0] {
		case 'd':
			kinds[kDevice]++
		case 'p':
			kinds[kPhone]++
		case 'i':
			kinds[kIP]++
		case 'u':
			kinds[kTransfer]++
		default:
			t.Fatalf("edges line %d: dst %q has no known prefix", e.line, e.dst)
		}
	}
	m := d.man
	if m.Format != "riskwalk-synth v1" || m.Users != testUsers || m.Media != testUsers {
		t.Errorf("manifest header fields: %+v", m)
	}
	got := [nKinds]uint64{m.Edges.UserDevice, m.Edges.UserPhone, m.Edges.UserIP, m.Edges.Transfer}
	if kinds != got || m.Edges.Total != uint64(len(d.edges)) {
		t.Errorf("edges by kind in file %v, manifest %v (total %d vs %d)", kinds, got, len(d.edges), m.Edges.Total)
	}
	if uint64(d.nodeN) != m.Users+m.Devices+m.Phones+m.IPs || m.Media != m.Devices+m.Phones+m.IPs {
		t.Errorf("nodes.tsv has %d nodes, manifest %d users + %d+%d+%d media", d.nodeN, m.Users, m.Devices, m.Phones, m.IPs)
	}
	if uint64(d.labelN) != m.Users {
		t.Errorf("labels.tsv has %d users, want %d", d.labelN, m.Users)
	}
	bad := 0
	for u, l := range d.labels {
		bad += l
		if d.types[u] != "user" {
			t.Fatalf("labelled %s is not a user in nodes.tsv", u)
		}
	}
	if uint64(bad) != m.BadUsers || uint64(len(d.gang)) != m.BadUsers {
		t.Errorf("bad users: labels %d, gangs.tsv %d, manifest %d", bad, len(d.gang), m.BadUsers)
	}
	gangs, loners, mules := map[int]bool{}, uint64(0), uint64(0)
	for u, g := range d.gang {
		if d.labels[u] != 1 {
			t.Errorf("%s is in gangs.tsv but labelled 0", u)
		}
		switch {
		case g < 0 && d.role[u] == "loner":
			loners++
		case g >= 0 && (d.role[u] == "member" || d.role[u] == "mule"):
			gangs[g] = true
			if d.role[u] == "mule" {
				mules++
			}
		default:
			t.Errorf("%s: gang %d with role %q", u, g, d.role[u])
		}
	}
	if uint64(len(gangs)) != m.Gangs || loners != m.Loners || mules != m.Mules || m.GangMembers+m.Loners != m.BadUsers {
		t.Errorf("gangs.tsv: %d gangs, %d loners, %d mules; manifest %+v", len(gangs), loners, mules, m)
	}
}

func TestBadRate(t *testing.T) {
	for _, rate := range []float64{0, 0.01, 0.05} {
		cfg := DefaultConfig()
		cfg.Users, cfg.Media, cfg.BadRate = 5000, 5000, rate
		w, err := newWorld(cfg)
		if err != nil {
			t.Fatal(err)
		}
		want := rate * 5000
		if got := float64(len(w.bad)); got < want-1 || got > want+1 {
			t.Errorf("bad rate %g: %v bad users, want %v", rate, got, want)
		}
		for _, g := range w.gangs {
			if len(g.members) < minGang || len(g.members) > maxGang+minGang {
				t.Errorf("bad rate %g: gang of %d members", rate, len(g.members))
			}
		}
	}
	d := sharedData(t)
	if r := float64(d.man.BadUsers) / float64(d.man.Users); r < 0.0095 || r > 0.0105 {
		t.Errorf("shared data set: bad rate %g, want 0.01", r)
	}
}

func TestNodesAndTypes(t *testing.T) {
	d := sharedData(t)
	prefixType := map[byte]string{'u': "user", 'd': "device", 'p': "phone", 'i': "ip"}
	for _, e := range d.edges {
		for _, id := range []string{e.src, e.dst} {
			typ, ok := d.types[id]
			if !ok {
				t.Fatalf("edges line %d: %s not in nodes.tsv", e.line, id)
			}
			if typ != prefixType[id[0]] {
				t.Fatalf("edges line %d: %s has type %q in nodes.tsv", e.line, id, typ)
			}
		}
		if d.types[e.src] != "user" {
			t.Fatalf("edges line %d: src %s is not a user", e.line, e.src)
		}
	}
	// Ids are dense per type: u0..u(N-1) etc.
	count := map[string]uint64{}
	for id, typ := range d.types {
		n, err := strconv.ParseUint(id[1:], 10, 64)
		if err != nil {
			t.Fatalf("node id %q", id)
		}
		count[typ] = max(count[typ], n+1)
	}
	m := d.man
	if count["user"] != m.Users || count["device"] != m.Devices || count["phone"] != m.Phones || count["ip"] != m.IPs {
		t.Errorf("largest id per type + 1: %v; manifest %d/%d/%d/%d", count, m.Users, m.Devices, m.Phones, m.IPs)
	}
	// Nearly every node has an edge.
	seen := map[string]bool{}
	for _, e := range d.edges {
		seen[e.src], seen[e.dst] = true, true
	}
	if iso := d.nodeN - len(seen); iso > d.nodeN/100 {
		t.Errorf("%d of %d nodes have no edge", iso, d.nodeN)
	}
}

func TestEdgesWellFormed(t *testing.T) {
	d := sharedData(t)
	type pair struct{ a, b string }
	seen := map[pair]int{}
	for _, e := range d.edges {
		if e.src == e.dst {
			t.Fatalf("edges line %d: self-loop %s", e.line, e.src)
		}
		if !(e.w >= 1) {
			t.Fatalf("edges line %d: weight %v < 1", e.line, e.w)
		}
		if e.ts < d.man.WindowStart || e.ts >= d.man.WindowEnd {
			t.Fatalf("edges line %d: timestamp %d outside [%d, %d)", e.line, e.ts, d.man.WindowStart, d.man.WindowEnd)
		}
		if l, dup := seen[pair{e.src, e.dst}]; dup {
			t.Fatalf("edges lines %d and %d: %s %s twice", l, e.line, e.src, e.dst)
		}
		seen[pair{e.src, e.dst}] = e.line
	}
	if d.man.WindowEnd-d.man.WindowStart != windowDays*day {
		t.Errorf("window [%d, %d) is not 30 days", d.man.WindowStart, d.man.WindowEnd)
	}
}

// Every gang member shares a device or phone with another member of its gang.
func TestGangsShareMedia(t *testing.T) {
	d := sharedData(t)
	users := map[string][]string{} // medium -> users
	for _, e := range d.edges {
		if e.dst[0] == 'd' || e.dst[0] == 'p' {
			users[e.dst] = append(users[e.dst], e.src)
		}
	}
	shares := map[string]bool{}
	for _, us := range users {
		for _, a := range us {
			ga, ok := d.gang[a]
			if !ok || ga < 0 {
				continue
			}
			for _, b := range us {
				if b != a && d.gang[b] == ga {
					if _, isBad := d.gang[b]; isBad {
						shares[a] = true
					}
				}
			}
		}
	}
	members := 0
	for u, g := range d.gang {
		if g < 0 {
			continue
		}
		members++
		if !shares[u] {
			t.Errorf("gang member %s (gang %d) shares no device or phone with its gang", u, g)
		}
	}
	if members == 0 {
		t.Fatal("no gang members")
	}
}

func TestSupernodes(t *testing.T) {
	d := sharedData(t)
	deg := map[string]uint64{}
	for _, e := range d.edges {
		if e.dst[0] != 'u' {
			deg[e.dst]++
		}
	}
	var all []uint64
	for _, v := range deg {
		all = append(all, v)
	}
	sort.Slice(all, func(a, b int) bool { return all[a] < all[b] })
	p99 := all[len(all)*99/100]
	if len(d.man.Supernodes) < 3 {
		t.Fatalf("%d supernodes, want >= 3", len(d.man.Supernodes))
	}
	types := map[string]bool{}
	for k, s := range d.man.Supernodes {
		if deg[s.ID] != s.Degree {
			t.Errorf("supernode %s: %d users in edges, manifest says %d", s.ID, deg[s.ID], s.Degree)
		}
		if s.Degree < 5*p99 {
			t.Errorf("supernode %s has %d users, not far above the 99th percentile %d", s.ID, s.Degree, p99)
		}
		if k == 0 && s.Degree < testUsers/200 {
			t.Errorf("largest supernode has %d users, want about 1%% of %d", s.Degree, testUsers)
		}
		types[s.Type] = true
	}
	if len(types) != 3 {
		t.Errorf("supernode types %v, want device, phone and ip", types)
	}
}

// The difficulty contract, coarsely: a graph score (known bad users two hops away through private
// media, with half the labels hidden) ranks held-out bad users far better than a user's own number
// of edges does.
func TestGraphIsInformative(t *testing.T) {
	d := sharedData(t)
	known := func(u string) bool { // a deterministic half of the labels
		n, _ := strconv.Atoi(u[1:])
		return n%2 == 0
	}
	users := map[string][]string{}
	degree := map[string]float64{}
	for _, e := range d.edges {
		degree[e.src]++
		degree[e.dst]++
		if e.dst[0] != 'u' {
			users[e.dst] = append(users[e.dst], e.src)
		}
	}
	score := map[string]float64{}
	for _, us := range users {
		if len(us) > 100 {
			continue // public media say nothing
		}
		for _, a := range us {
			for _, b := range us {
				if a != b && known(b) && d.labels[b] == 1 {
					score[a]++
				}
			}
		}
	}
	var held []string
	for u := range d.labels {
		if !known(u) {
			held = append(held, u)
		}
	}
	graphAUC := auc(held, d.labels, score)
	degAUC := auc(held, d.labels, degree)
	t.Logf("held-out AUC: two-hop known bad %.3f, degree %.3f", graphAUC, degAUC)
	if graphAUC < 0.9 || degAUC > 0.8 || degAUC < 0.2 {
		t.Errorf("held-out AUC: two-hop known bad %.3f (want >= 0.9), degree %.3f (want in [0.2, 0.8])", graphAUC, degAUC)
	}
}

// auc is the ROC AUC of score for labels over users (ties count half).
func auc(users []string, labels map[string]int, score map[string]float64) float64 {
	sort.Slice(users, func(a, b int) bool { return score[users[a]] < score[users[b]] })
	var pos, neg, sum float64
	for i := 0; i < len(users); {
		j := i
		var p, q float64
		for ; j < len(users) && score[users[j]] == score[users[i]]; j++ {
			if labels[users[j]] == 1 {
				p++
			} else {
				q++
			}
		}
		sum += p * (neg + q/2)
		pos, neg, i = pos+p, neg+q, j
	}
	return sum / (pos * neg)
}

func TestPermIsBijection(t *testing.T) {
	for _, n := range []uint64{1, 2, 3, 100, 1000, 4097, 65536} {
		p := newPerm(n, 5, 9)
		seen := make([]bool, n)
		for i := range n {
			x := p.at(i)
			if x >= n || seen[x] {
				t.Fatalf("n=%d: at(%d)=%d out of range or repeated", n, i, x)
			}
			seen[x] = true
			if p.inv(x) != i {
				t.Fatalf("n=%d: inv(at(%d)) = %d", n, i, p.inv(x))
			}
		}
	}
}

func TestBadConfig(t *testing.T) {
	for _, c := range []struct {
		users, media int
		rate         float64
		want         string
	}{
		{50, 1000, 0.01, "--users"},
		{1000, 50, 0.01, "--media"},
		{1000, 9000, 0.01, "--media"},
		{1000, 1000, 0.5, "--bad-rate"},
		{100000, 5000, 0.01, "too small"},
	} {
		cfg := Config{Users: c.users, Media: c.media, BadRate: c.rate, Seed: 1}
		dir := t.TempDir()
		_, err := Generate(dir, cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one mentioning %q", c, err, c.want)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Errorf("%+v: failed run left %d files", c, len(ents))
		}
	}
}

func TestChunkGenAllocs(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Users, cfg.Media = 3*chunkSize, 3*chunkSize
	w, err := newWorld(cfg)
	if err != nil {
		t.Fatal(err)
	}
	k := newChunkGen(w)
	k.gen(0) // grow the scratch
	k.gen(1)
	if a := testing.AllocsPerRun(3, func() { k.gen(1) }); a != 0 {
		t.Errorf("chunk generation allocates %v times per chunk once warm", a)
	}
}

func BenchmarkGenerate100k(b *testing.B) {
	dir := b.TempDir()
	cfg := DefaultConfig()
	for b.Loop() {
		if _, err := Generate(dir, cfg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cfg.Users)*float64(b.N)/b.Elapsed().Seconds(), "users/s")
}

// BenchmarkChunk is the generation of one chunk of users without compression or I/O.
func BenchmarkChunk(b *testing.B) {
	cfg := DefaultConfig()
	w, err := newWorld(cfg)
	if err != nil {
		b.Fatal(err)
	}
	k := newChunkGen(w)
	var c uint64
	for b.Loop() {
		k.gen(c % ((w.n + chunkSize - 1) / chunkSize))
		c++
	}
	b.ReportMetric(chunkSize*float64(b.N)/b.Elapsed().Seconds(), "users/s")
}

func TestReadManifestErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadManifest(dir); err == nil || !strings.Contains(err.Error(), "riskwalk gen") {
		t.Errorf("missing gen.json: error %v, want a hint to run riskwalk gen", err)
	}
	os.WriteFile(filepath.Join(dir, ManifestFile), []byte(`{"format": "riskwalk-synth v0"}`), 0o644)
	if _, err := ReadManifest(dir); err == nil || !strings.Contains(err.Error(), "v0") {
		t.Errorf("old format: error %v, want one naming the format", err)
	}
}
