package trainer

import (
	"bufio"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"riskwalk/graph"
	"riskwalk/walk"
)

// twoCliques is two k-cliques, 0..k-1 and k..2k-1, joined by the single edge k-1 — k.
func twoCliques(t testing.TB, k uint32) *graph.Graph {
	t.Helper()
	var es []graph.Edge
	for base := uint32(0); base < 2*k; base += k {
		for u := base; u < base+k; u++ {
			for v := u + 1; v < base+k; v++ {
				es = append(es, graph.Edge{U: u, V: v, W: 1})
			}
		}
	}
	es = append(es, graph.Edge{U: k - 1, V: k, W: 1})
	g, err := graph.FromEdges(2*k, es, false, false, false)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// readTSV loads a `u<TAB>v` edge list with dense integer ids (test data only; ingest reads real
// input).
func readTSV(t testing.TB, path string) *graph.Graph {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var es []graph.Edge
	var n uint32
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		fs := strings.Fields(sc.Text())
		if len(fs) < 2 {
			continue
		}
		u, err1 := strconv.ParseUint(fs[0], 10, 32)
		v, err2 := strconv.ParseUint(fs[1], 10, 32)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s:%d: bad edge %q", path, line, sc.Text())
		}
		es = append(es, graph.Edge{U: uint32(u), V: uint32(v), W: 1})
		n = max(n, uint32(u)+1, uint32(v)+1)
	}
	g, err := graph.FromEdges(n, es, false, false, false)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func newJob(t testing.TB, g *graph.Graph, cfg Config) *Job {
	t.Helper()
	cfg.Defaults()
	w, err := walk.New(g, walk.Config{Length: cfg.WalkLength})
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewModel(int(g.N), cfg.Dim)
	if err != nil {
		t.Fatal(err)
	}
	m.InitRandom(cfg.Seed)
	j := &Job{Config: cfg, Walker: w, Model: m}
	counts, err := CountVisits(j)
	if err != nil {
		t.Fatal(err)
	}
	if j.Vocab, err = NewVocab(counts, nil, cfg.Sample); err != nil {
		t.Fatal(err)
	}
	return j
}

func cosine(a, b []float32) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += float64(a[i]) * float64(b[i])
		aa += float64(a[i]) * float64(a[i])
		bb += float64(b[i]) * float64(b[i])
	}
	return ab / math.Sqrt(aa*bb)
}

var small = Config{Dim: 16, Window: 5, WalksPerNode: 20, WalkLength: 20, Threads: 1, Seed: 9, ChunkWalks: 8, Sample: -1}

// Two cliques joined by one edge must separate: every node's most similar other node lies in its
// own clique, and the mean cosine within cliques clearly exceeds the mean across.
func TestTwoCliquesSeparate(t *testing.T) {
	const k = 10
	g := twoCliques(t, k)
	j := newJob(t, g, small)
	st, err := Train(j)
	if err != nil {
		t.Fatal(err)
	}
	if st.UnitsDone != j.Units() || st.Pairs == 0 || !(st.Loss > 0) {
		t.Fatalf("stats %+v", st)
	}
	checkCliques(t, j.Model, k)
}

func TestTwoCliquesSeparateHogBatch(t *testing.T) {
	const k = 10
	cfg := small
	cfg.HogBatch = true
	j := newJob(t, twoCliques(t, k), cfg)
	if _, err := Train(j); err != nil {
		t.Fatal(err)
	}
	checkCliques(t, j.Model, k)
	a, b := trainedBits(t, cfg), trainedBits(t, cfg)
	if !sameBits(a, b) {
		t.Fatal("two one-thread HogBatch runs with one seed differ")
	}
}

func checkCliques(t *testing.T, m *Model, k int) {
	t.Helper()
	var in, across float64
	var nIn, nAcross int
	for u := 0; u < 2*k; u++ {
		best, bestCos := -1, -2.0
		for v := 0; v < 2*k; v++ {
			if u == v {
				continue
			}
			c := cosine(m.Vec(u), m.Vec(v))
			if c > bestCos {
				best, bestCos = v, c
			}
			if u/k == v/k {
				in += c
				nIn++
			} else {
				across += c
				nAcross++
			}
		}
		if best/k != u/k {
			t.Errorf("node %d's nearest node is %d, in the other clique", u, best)
		}
	}
	in /= float64(nIn)
	across /= float64(nAcross)
	t.Logf("mean cosine within cliques %.3f, across %.3f", in, across)
	if in-across < 0.5 {
		t.Errorf("cliques do not separate: mean cosine within %.3f, across %.3f", in, across)
	}
}

func trainedBits(t *testing.T, cfg Config) []float32 {
	j := newJob(t, twoCliques(t, 8), cfg)
	if _, err := Train(j); err != nil {
		t.Fatal(err)
	}
	return append(j.Model.In, j.Model.Out...)
}

func sameBits(a, b []float32) bool {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return len(a) == len(b)
}

func TestDeterministic(t *testing.T) {
	cfg := small
	cfg.Sample = 1e-2 // exercise subsampling's randomness too
	a, b := trainedBits(t, cfg), trainedBits(t, cfg)
	if !sameBits(a, b) {
		t.Fatal("two one-thread runs with one seed differ")
	}
	cfg.Seed++
	if sameBits(a, trainedBits(t, cfg)) {
		t.Fatal("another seed gives the same vectors")
	}
}

// A run stopped after some units, checkpointed, reloaded and resumed must end bit-identical to an
// uninterrupted run.
func TestResumeEqualsUninterrupted(t *testing.T) {
	g := twoCliques(t, 8)
	full := newJob(t, g, small)
	if _, err := Train(full); err != nil {
		t.Fatal(err)
	}
	part := newJob(t, g, small)
	cut := part.Units()/2 + 1
	part.EndUnit = cut
	st, err := Train(part)
	if err != nil || st.UnitsDone != cut {
		t.Fatalf("first half: %d units, err %v", st.UnitsDone, err)
	}
	path := filepath.Join(t.TempDir(), "ck.rwc")
	if err := WriteCheckpoint(path, part, st.UnitsDone, 77); err != nil {
		t.Fatal(err)
	}
	ck, err := ReadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	rest := newJob(t, g, small)
	if err := ck.Matches(rest, 77); err != nil {
		t.Fatal(err)
	}
	if err := ck.Matches(rest, 78); err == nil {
		t.Error("checkpoint of another graph accepted")
	}
	rest.Model, rest.FirstUnit = ck.Model, ck.UnitsDone
	if _, err := Train(rest); err != nil {
		t.Fatal(err)
	}
	if !sameBits(append(full.Model.In, full.Model.Out...), append(rest.Model.In, rest.Model.Out...)) {
		t.Fatal("resumed run differs from the uninterrupted run")
	}
	// A flipped byte is caught.
	b, _ := os.ReadFile(path)
	b[len(b)-5] ^= 1
	os.WriteFile(path, b, 0o644)
	if _, err := ReadCheckpoint(path); err == nil {
		t.Error("corrupt checkpoint accepted")
	}
}

func TestTrainUnitDoesNotAllocate(t *testing.T) {
	j := newJob(t, twoCliques(t, 8), small)
	if err := j.check(); err != nil {
		t.Fatal(err)
	}
	sh := &shared{end: j.Units(), totalW: 1e6}
	w := newWorker(j, sh)
	u := uint64(0)
	if a := testing.AllocsPerRun(20, func() { w.unit(u % j.Units()); u++ }); a != 0 {
		t.Errorf("a work unit allocates %v times", a)
	}
}

// A rank-like job: walks only from clique 0, rows only for clique 0 plus the bridge node, and
// negatives only from clique 0's rows.
func TestLocalRowsAndStarts(t *testing.T) {
	const k = 8
	g := twoCliques(t, k)
	cfg := small
	cfg.Defaults()
	nodes := []uint32{0, 1, 2, 3, 4, 5, 6, 7, 8}
	rm, err := NewRowMap(g.N, nodes)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := walk.New(g, walk.Config{Length: cfg.WalkLength})
	m, _ := NewModel(len(nodes), cfg.Dim)
	m.InitRows(cfg.Seed, nodes)
	j := &Job{Config: cfg, Walker: w, Model: m, Rows: rm, Starts: nodes[:k]}
	counts, err := CountVisits(j)
	if err != nil {
		t.Fatal(err)
	}
	if counts[0] == 0 || counts[8] == 0 {
		t.Fatalf("counts %v", counts)
	}
	if j.Vocab, err = NewVocab(counts, []uint32{0, 1, 2, 3, 4, 5, 6, 7}, 0); err != nil {
		t.Fatal(err)
	}
	st, err := Train(j)
	if err != nil {
		t.Fatal(err)
	}
	if st.Walks != int64(k*cfg.WalksPerNode) || st.Tokens >= st.Walks*int64(cfg.WalkLength) {
		t.Errorf("walks %d tokens %d: want %d walks and some tokens dropped outside the rows", st.Walks, st.Tokens, k*cfg.WalksPerNode)
	}
	// Row init depends on the global id only: row 3 of the block equals row 3 of a whole model.
	whole, _ := NewModel(int(g.N), cfg.Dim)
	whole.InitRandom(cfg.Seed)
	m2, _ := NewModel(2, cfg.Dim)
	m2.InitRows(cfg.Seed, []uint32{5, 3})
	if !sameBits(m2.Vec(1), whole.Vec(3)) {
		t.Error("InitRows does not seed rows by global id")
	}
}

func TestWarmStart(t *testing.T) {
	g := twoCliques(t, 4) // cliques 0..3 and 4..7, bridge 3-4
	m, _ := NewModel(8, 4)
	m.InitRandom(1)
	before := append([]float32(nil), m.Vec(6)...)
	// Old vectors for nodes 0..4 only: node v has all components v.
	old := func(v uint32, dst []float32) bool {
		if v > 4 {
			return false
		}
		for k := range dst {
			dst[k] = float32(v)
		}
		return true
	}
	c, a := WarmStart(m, g, nil, old)
	if c != 5 || a != 3 {
		t.Fatalf("copied %d averaged %d, want 5 and 3", c, a)
	}
	// 5, 6, 7 each have exactly one neighbour with an old vector: node 4.
	if m.Vec(3)[0] != 3 || m.Vec(6)[0] != 4 || m.Vec(6)[3] != 4 {
		t.Errorf("row 3 %v, row 6 %v; want all 3 and all 4", m.Vec(3), m.Vec(6))
	}
	// With old vectors for 0..3 only, nodes 5..7 have none among their neighbours: kept random.
	m.InitRandom(1)
	WarmStart(m, g, nil, func(v uint32, dst []float32) bool { return v < 4 && old(v, dst) })
	if !sameBits(m.Vec(6), before) || m.Vec(4)[0] != 3 {
		t.Errorf("row 6 %v (want its random init %v), row 4 %v (want 3s)", m.Vec(6), before, m.Vec(4))
	}
}
