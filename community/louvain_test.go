package community

import (
	"bufio"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"riskwalk/graph"
	"riskwalk/internal/testenv"
)

func load(t *testing.T, name string, directed bool) *graph.Graph {
	t.Helper()
	in, err := graph.Ingest([]string{testenv.DataFile(t, name, "edges.tsv")}, graph.IngestOptions{Directed: directed})
	if err != nil {
		t.Fatal(err)
	}
	return in.Graph
}

// expected reads testdata/expected.tsv (made by testdata/make_expected.py with python3-igraph):
// min, median and max modularity of 20 igraph community_multilevel runs.
func expected(t *testing.T, name string) (lo, med, hi float64) {
	t.Helper()
	b, err := os.ReadFile("testdata/expected.tsv")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(line, "\t")
		if len(f) == 5 && f[0] == name {
			lo, _ = strconv.ParseFloat(f[2], 64)
			med, _ = strconv.ParseFloat(f[3], 64)
			hi, _ = strconv.ParseFloat(f[4], 64)
			return
		}
	}
	t.Fatalf("testdata/expected.tsv has no row for %s", name)
	return
}

// check runs Louvain and verifies its reported modularity and level figures with Modularity.
func check(t *testing.T, g *graph.Graph, opt Options) *Result {
	t.Helper()
	r, err := Louvain(g, opt)
	if err != nil {
		t.Fatal(err)
	}
	q, err := Modularity(g, r.Community, opt.Resolution)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(q-r.Modularity) > 1e-9 {
		t.Fatalf("reported modularity %.12f, verifier says %.12f", r.Modularity, q)
	}
	seen := make([]bool, r.NumCommunities)
	for _, c := range r.Community {
		if int(c) >= r.NumCommunities {
			t.Fatalf("community id %d ≥ count %d", c, r.NumCommunities)
		}
		seen[c] = true
	}
	if slices.Contains(seen, false) {
		t.Fatal("community ids are not dense")
	}
	for l := range r.Levels {
		m := r.Membership(l)
		ql, _ := Modularity(g, m, opt.Resolution)
		if math.Abs(ql-r.Levels[l].Modularity) > 1e-9 {
			t.Fatalf("level %d: reported Q %.12f, verifier %.12f", l, r.Levels[l].Modularity, ql)
		}
		if l > 0 { // level l's communities are unions of level l-1's
			prev := r.Membership(l - 1)
			up := make([]int64, r.Levels[l-1].Communities)
			for i := range up {
				up[i] = -1
			}
			for v, c := range prev {
				if up[c] >= 0 && up[c] != int64(m[v]) {
					t.Fatalf("level %d splits level %d's community %d", l, l-1, c)
				}
				up[c] = int64(m[v])
			}
		}
	}
	return r
}

// Louvain depends on the visiting order, so single runs vary (igraph's 20 runs span
// testdata/expected.tsv's min..max); the median over seeds must sit where igraph's does and no run
// may fall below igraph's worst.
func TestKarate(t *testing.T) {
	g := load(t, "karate", false)
	lo, _, hi := expected(t, "karate")
	qs := runSeeds(t, g, 21)
	// Louvain on karate reaches 0.41-0.42 (the optimum is 0.4198).
	if qs[10] < 0.41 || qs[20] > hi+1e-9 || qs[0] < lo-0.005 {
		t.Fatalf("modularities %.4f, want median in [0.41, %.4f] and min ≥ %.4f", qs, hi, lo-0.005)
	}
}

func runSeeds(t *testing.T, g *graph.Graph, n int) []float64 {
	var qs []float64
	for seed := range uint64(n) {
		qs = append(qs, check(t, g, Options{Seed: seed}).Modularity)
	}
	slices.Sort(qs)
	return qs
}

func TestEmailEuCore(t *testing.T) {
	g := load(t, "email-eu-core", true) // directed, self-loops: exercises Undirected and A_uu = 2w
	lo, med, hi := expected(t, "email-eu-core")
	qs := runSeeds(t, g, 9)
	if qs[4] < med-0.005 || qs[0] < lo-0.015 || qs[8] > hi+0.01 {
		t.Fatalf("modularities %.4f against igraph's min/median/max %.4f/%.4f/%.4f", qs, lo, med, hi)
	}
}

// The verifier must agree with igraph's modularity on igraph's own membership (a graph with
// self-loops and collapsed reciprocal arcs).
func TestModularityMatchesIgraph(t *testing.T) {
	for _, tc := range []struct {
		name     string
		directed bool
	}{{"karate", false}, {"email-eu-core", true}} {
		f, err := os.Open("testdata/" + tc.name + ".membership")
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Scan()
		head := strings.Fields(sc.Text())
		want, _ := strconv.ParseFloat(head[len(head)-1], 64)
		var m []uint32
		for sc.Scan() {
			c, _ := strconv.Atoi(sc.Text())
			m = append(m, uint32(c))
		}
		f.Close()
		q, err := Modularity(load(t, tc.name, tc.directed), m, 1)
		if err != nil || math.Abs(q-want) > 1e-9 {
			t.Fatalf("%s: Modularity %.12f (err %v), igraph %.12f", tc.name, q, err, want)
		}
	}
}

// Two triangles joined by one edge, split into the triangles: by hand, m = 7, in = 2·3 per
// triangle, tot = 7 per triangle, Q = 12/14 - 2·(7/14)² = 5/14.
func TestModularityByHand(t *testing.T) {
	g, _ := graph.FromEdges(6, []graph.Edge{e(0, 1, 1), e(1, 2, 1), e(0, 2, 1), e(3, 4, 1), e(4, 5, 1), e(3, 5, 1), e(2, 3, 1)}, false, false, false)
	q, _ := Modularity(g, []uint32{0, 0, 0, 1, 1, 1}, 1)
	if math.Abs(q-5.0/14) > 1e-12 {
		t.Fatalf("Q = %v, want 5/14", q)
	}
	// A self-loop of weight 1 on node 0 adds 2 to k_0 and to in_0: m = 8, Q = 14/16 - (9/16)² - (7/16)².
	g, _ = graph.FromEdges(6, []graph.Edge{e(0, 0, 1), e(0, 1, 1), e(1, 2, 1), e(0, 2, 1), e(3, 4, 1), e(4, 5, 1), e(3, 5, 1), e(2, 3, 1)}, false, false, false)
	q, _ = Modularity(g, []uint32{0, 0, 0, 1, 1, 1}, 1)
	if want := 14.0/16 - 81.0/256 - 49.0/256; math.Abs(q-want) > 1e-12 {
		t.Fatalf("with self-loop Q = %v, want %v", q, want)
	}
	if _, err := Modularity(g, []uint32{0}, 1); err == nil {
		t.Fatal("short membership accepted")
	}
}

// cliques builds r cliques of k nodes; ring joins clique i to i+1 by one edge (else only 0-1).
func cliques(r, k int, ring bool) *graph.Graph {
	var es []graph.Edge
	for c := 0; c < r; c++ {
		for i := 0; i < k; i++ {
			for j := i + 1; j < k; j++ {
				es = append(es, graph.Edge{U: uint32(c*k + i), V: uint32(c*k + j), W: 1})
			}
		}
		if ring || c == 0 {
			es = append(es, graph.Edge{U: uint32(c*k + k - 1), V: uint32(((c + 1) % r) * k), W: 1})
		}
	}
	g, _ := graph.FromEdges(uint32(r*k), es, false, false, false)
	return g
}

func wantCliques(t *testing.T, r *Result, n, k int) {
	t.Helper()
	if r.NumCommunities != n {
		t.Fatalf("%d communities, want %d: %v", r.NumCommunities, n, r.Community)
	}
	for v, c := range r.Community {
		if c != r.Community[v/k*k] {
			t.Fatalf("node %d not with its clique: %v", v, r.Community)
		}
	}
}

func TestTwoCliques(t *testing.T) {
	g := cliques(2, 6, false)
	for seed := uint64(0); seed < 5; seed++ {
		wantCliques(t, check(t, g, Options{Seed: seed}), 2, 6)
	}
}

// A ring of 12 six-cliques stays below the resolution limit (merging neighbours pays only beyond
// k(k-1)+2 = 32 cliques), so each clique is one community.
func TestRingOfCliques(t *testing.T) {
	g := cliques(12, 6, true)
	for seed := uint64(0); seed < 5; seed++ {
		wantCliques(t, check(t, g, Options{Seed: seed, BatchSize: 8}), 12, 6)
	}
}

// plantedGraph is a planted partition: blocks of size bs, each node with din edges inside its
// block and dout to random nodes.
func plantedGraph(n, bs, din, dout int, seed uint64) *graph.Graph {
	r := rand.New(rand.NewPCG(seed, 1))
	var edges []graph.Edge
	for v := 0; v < n; v++ {
		b := v / bs * bs
		for i := 0; i < din; i++ {
			edges = append(edges, graph.Edge{U: uint32(v), V: uint32(b + r.IntN(min(bs, n-b))), W: 1})
		}
		for i := 0; i < dout; i++ {
			edges = append(edges, graph.Edge{U: uint32(v), V: uint32(r.IntN(n)), W: 1})
		}
	}
	g, err := graph.FromEdges(uint32(n), edges, false, false, false)
	if err != nil {
		panic(err)
	}
	return g
}

// The result depends on the seed only: equal for 1, 2 and 5 threads.
func TestDeterministic(t *testing.T) {
	g := plantedGraph(6000, 100, 6, 2, 3)
	var ref *Result
	for _, th := range []int{1, 2, 5} {
		r := check(t, g, Options{Seed: 7, Threads: th})
		if ref == nil {
			ref = r
			continue
		}
		if !slices.Equal(r.Community, ref.Community) || r.Modularity != ref.Modularity {
			t.Fatalf("threads %d: result differs from threads 1 (Q %.6f vs %.6f)", th, r.Modularity, ref.Modularity)
		}
	}
	r := check(t, g, Options{Seed: 8})
	if slices.Equal(r.Community, ref.Community) {
		t.Log("seeds 7 and 8 gave the same partition") // possible on an easy graph, not an error
	}
	if ref.Modularity < 0.6 { // the planted blocks alone score ≈ 0.75 - 0.005
		t.Fatalf("planted partition: modularity %.4f", ref.Modularity)
	}
}

func TestWeightedAndResolution(t *testing.T) {
	// A 4-cycle whose edges 0-1 and 2-3 are heavy: {0,1},{2,3}.
	g, _ := graph.FromEdges(4, []graph.Edge{e(0, 1, 10), e(1, 2, 1), e(2, 3, 10), e(3, 0, 1)}, false, true, false)
	r := check(t, g, Options{})
	if r.NumCommunities != 2 || r.Community[0] != r.Community[1] || r.Community[2] != r.Community[3] {
		t.Fatalf("weighted 4-cycle: %v", r.Community)
	}
	// Higher resolution gives more, smaller communities on karate.
	k := load(t, "karate", false)
	lo, hi := check(t, k, Options{Resolution: 0.5}), check(t, k, Options{Resolution: 2})
	if lo.NumCommunities >= hi.NumCommunities {
		t.Fatalf("γ=0.5: %d communities, γ=2: %d", lo.NumCommunities, hi.NumCommunities)
	}
	bad, _ := graph.FromEdges(2, []graph.Edge{e(0, 1, -1)}, false, true, false)
	if _, err := Louvain(bad, Options{}); err == nil {
		t.Fatal("negative weight accepted")
	}
	empty, _ := graph.FromEdges(3, nil, false, false, false)
	if r, err := Louvain(empty, Options{}); err != nil || r.NumCommunities != 3 || r.Modularity != 0 {
		t.Fatalf("empty graph: %+v %v", r, err)
	}
}

// Undirected must agree with graph.FromEdges on the symmetrised edge list.
func TestUndirected(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var es, sym []graph.Edge
	for i := 0; i < 3000; i++ {
		e := graph.Edge{U: uint32(r.IntN(300)), V: uint32(r.IntN(300)), W: float32(1 + r.IntN(3))}
		es = append(es, e)
	}
	for _, weighted := range []bool{false, true} {
		d, _ := graph.FromEdges(300, es, true, weighted, false)
		// Reference: the directed graph's arcs listed once each, as undirected edges (FromEdges sums
		// duplicates when weighted; a self-loop is one arc). Unweighted collapse keeps weight 1.
		sym = sym[:0]
		for u := uint32(0); u < d.N; u++ {
			ws := d.NeighborWeights(u)
			for i, v := range d.Neighbors(u) {
				w := float32(1)
				if ws != nil {
					w = ws[i]
				}
				sym = append(sym, graph.Edge{U: u, V: v, W: w})
			}
		}
		want, _ := graph.FromEdges(300, sym, false, weighted, false)
		got := Undirected(d)
		if got.Directed || !slices.Equal(got.Offsets, want.Offsets) || !slices.Equal(got.Adj, want.Adj) || !slices.Equal(got.Weights, want.Weights) {
			t.Fatalf("weighted=%v: Undirected differs from the reference", weighted)
		}
	}
}

func e(u, v uint32, w float32) graph.Edge { return graph.Edge{U: u, V: v, W: w} }
