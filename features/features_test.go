package features

import (
	"bufio"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"riskwalk/graph"
	"riskwalk/internal/testenv"
)

// expected reads a testdata/*.expected.tsv table: column name -> per-node values.
func expected(t *testing.T, name string) map[string][]float64 {
	t.Helper()
	f, err := os.Open("testdata/" + name + ".expected.tsv")
	if err != nil {
		t.Fatalf("%v (regenerate with testdata/make_expected.py)", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	head := strings.Split(strings.TrimPrefix(sc.Text(), "#"), "\t")
	cols := map[string][]float64{}
	for sc.Scan() {
		fs := strings.Split(sc.Text(), "\t")
		for i := 1; i < len(fs); i++ {
			x, err := strconv.ParseFloat(fs[i], 64)
			if err != nil {
				t.Fatalf("testdata/%s.expected.tsv: %v", name, err)
			}
			cols[head[i]] = append(cols[head[i]], x)
		}
	}
	return cols
}

func karate(t testing.TB) *graph.Graph {
	return loadIntTSV(t, testenv.DataFile(t, "karate", "edges.tsv"), false, 0)
}

func email(t testing.TB) *graph.Graph {
	return loadIntTSV(t, testenv.DataFile(t, "email-eu-core", "edges.tsv"), true, 1005)
}

func l1(a []float64, b []float64) float64 {
	var s float64
	for i := range a {
		s += math.Abs(a[i] - b[i])
	}
	return s
}

func equalInts[T uint32 | uint64](t *testing.T, what string, got []T, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for v := range got {
		if float64(got[v]) != want[v] {
			t.Fatalf("%s: node %d got %d, igraph %v", what, v, got[v], want[v])
		}
	}
}

func closeTo(t *testing.T, what string, got []float64, want []float64, tol float64) {
	t.Helper()
	for v := range got {
		if math.Abs(got[v]-want[v]) > tol*max(1, math.Abs(want[v])) {
			t.Fatalf("%s: node %d got %.12g, igraph %.12g", what, v, got[v], want[v])
		}
	}
}

func seedsOf(t *testing.T, name string) []uint32 {
	switch name {
	case "karate":
		return []uint32{0, 33, 16}
	case "email":
		return []uint32{1, 5, 17, 80, 160}
	}
	t.Fatal("no seeds for " + name)
	return nil
}

// TestAgainstIgraph compares every kernel with igraph's values on karate and email-Eu-core.
func TestAgainstIgraph(t *testing.T) {
	for _, name := range []string{"karate", "email"} {
		t.Run(name, func(t *testing.T) {
			var g *graph.Graph
			if name == "karate" {
				g = karate(t)
			} else {
				g = email(t)
			}
			want := expected(t, name)
			d := ComputeDegrees(g)
			if g.Directed {
				equalInts(t, "deg_in", d.In, want["deg_in"])
				equalInts(t, "deg_out", d.Out, want["deg_out"])
			} else {
				equalInts(t, "degree", d.Out, want["degree"])
			}
			pr, it, err := PageRank(g, PageRankOptions{Tol: 1e-12})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("pagerank L1 to igraph %.2g, %d iterations", l1(pr, want["pagerank"]), it)
			if e := l1(pr, want["pagerank"]); e > 1e-9 {
				t.Errorf("pagerank: L1 distance to igraph %.3g after %d iterations", e, it)
			}
			ppr, _, err := PersonalizedPageRank(g, seedsOf(t, name), nil, PageRankOptions{Tol: 1e-12})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("ppr L1 to igraph %.2g", l1(ppr, want["ppr"]))
			if e := l1(ppr, want["ppr"]); e > 1e-9 {
				t.Errorf("personalised pagerank: L1 distance to igraph %.3g", e)
			}
			id, size, _ := WCC(g)
			equalInts(t, "wcc", id, want["wcc"])
			for v := range size {
				if size[v] == 0 {
					t.Fatalf("wcc size of %d is 0", v)
				}
			}
			s := SymView(g)
			equalInts(t, "kcore", KCore(s), want["kcore"])
			tri, cc := Triangles(s)
			equalInts(t, "triangles", tri, want["triangles"])
			closeTo(t, "clustering", cc, want["clustering"], 1e-12)
			bc, err := Betweenness(g, int(g.N), 1)
			if err != nil {
				t.Fatal(err)
			}
			closeTo(t, "betweenness", bc, want["betweenness"], 1e-9)
		})
	}
}

// randomGraph makes a graph with n nodes and about m arcs, a few hubs and self-loops.
func randomGraph(t testing.TB, seed uint64, n uint32, m int, directed, weighted bool) *graph.Graph {
	rng := rand.New(rand.NewPCG(seed, 7))
	var es []graph.Edge
	for i := 0; i < m; i++ {
		u := rng.Uint32N(n)
		if rng.IntN(4) == 0 {
			u = rng.Uint32N(3) // hubs
		}
		v := rng.Uint32N(n)
		if rng.IntN(30) == 0 {
			v = u
		}
		es = append(es, graph.Edge{U: u, V: v, W: float32(1 + rng.IntN(3))})
	}
	g, err := graph.FromEdges(n, es, directed, weighted, false)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// dense is an adjacency matrix of the undirected simple view, with direction bits.
func dense(g *graph.Graph) [][]uint8 {
	a := make([][]uint8, g.N)
	for i := range a {
		a[i] = make([]uint8, g.N)
	}
	for u := uint32(0); u < g.N; u++ {
		for _, v := range g.Neighbors(u) {
			if u == v {
				continue
			}
			if g.Directed {
				a[u][v] |= DirOut
				a[v][u] |= DirIn
			} else {
				a[u][v], a[v][u] = DirMutual, DirMutual
			}
		}
	}
	return a
}

func TestVerifiers(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		directed, weighted := seed%2 == 0, seed%3 == 0
		g := randomGraph(t, seed, 60+uint32(seed)*7, 300, directed, weighted)
		n := int(g.N)
		a := dense(g)
		s := SymView(g)
		// Sym: exactly the pairs of the matrix, with their codes.
		for u := 0; u < n; u++ {
			k := 0
			for v := 0; v < n; v++ {
				if a[u][v] == 0 {
					continue
				}
				nb := s.Neighbors(uint32(u))
				if k >= len(nb) || nb[k] != uint32(v) || (s.Dir != nil && s.Dir[s.Off[u]+uint64(k)] != a[u][v]) {
					t.Fatalf("seed %d: Sym of node %d differs from the matrix at %d", seed, u, v)
				}
				k++
			}
			if k != len(s.Neighbors(uint32(u))) {
				t.Fatalf("seed %d: Sym of node %d has extra neighbours", seed, u)
			}
		}
		// PageRank: the fixed-point equation holds.
		pr, _, err := PageRank(g, PageRankOptions{Tol: 1e-13, Weighted: true})
		if err != nil {
			t.Fatal(err)
		}
		verifyPageRank(t, g, pr, 0.85)
		// WCC: same component iff connected in the matrix (BFS).
		id, size, _ := WCC(g)
		comp := bfsComponents(a)
		for u := 0; u < n; u++ {
			for v := 0; v < n; v++ {
				if (id[u] == id[v]) != (comp[u] == comp[v]) {
					t.Fatalf("seed %d: wcc puts %d and %d together=%v, BFS %v", seed, u, v, id[u] == id[v], comp[u] == comp[v])
				}
			}
			c := uint32(0)
			for v := 0; v < n; v++ {
				if comp[v] == comp[u] {
					c++
				}
			}
			if size[u] != c {
				t.Fatalf("seed %d: wcc size of %d = %d, want %d", seed, u, size[u], c)
			}
		}
		// k-core: naive repeated peeling.
		core := KCore(s)
		want := naiveCore(a)
		for v := range core {
			if core[v] != want[v] {
				t.Fatalf("seed %d: kcore of %d = %d, naive %d", seed, v, core[v], want[v])
			}
		}
		// Triangles: brute force over node triples.
		tri, _ := Triangles(s)
		bt := make([]uint64, n)
		for u := 0; u < n; u++ {
			for v := u + 1; v < n; v++ {
				if a[u][v] == 0 {
					continue
				}
				for w := v + 1; w < n; w++ {
					if a[u][w] != 0 && a[v][w] != 0 {
						bt[u]++
						bt[v]++
						bt[w]++
					}
				}
			}
		}
		for v := range tri {
			if tri[v] != bt[v] {
				t.Fatalf("seed %d: triangles of %d = %d, brute force %d", seed, v, tri[v], bt[v])
			}
		}
		if directed {
			m, err := Motifs(s)
			if err != nil {
				t.Fatal(err)
			}
			checkMotifs(t, m, bruteMotifs(a))
		}
	}
}

func verifyPageRank(t *testing.T, g *graph.Graph, r []float64, d float64) {
	t.Helper()
	n := int(g.N)
	outw := make([]float64, n)
	for u := 0; u < n; u++ {
		for k := g.Offsets[u]; k < g.Offsets[u+1]; k++ {
			outw[u] += float64(weightAt(g, k))
		}
	}
	dang, sum := 0.0, 0.0
	for u := 0; u < n; u++ {
		if outw[u] == 0 {
			dang += r[u]
		}
		sum += r[u]
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Fatalf("pagerank sums to %v", sum)
	}
	want := make([]float64, n)
	for v := range want {
		want[v] = (1-d)/float64(n) + d*dang/float64(n)
	}
	for u := 0; u < n; u++ {
		for k := g.Offsets[u]; k < g.Offsets[u+1]; k++ {
			want[g.Adj[k]] += d * r[u] * float64(weightAt(g, k)) / outw[u]
		}
	}
	if e := l1(r, want); e > 1e-10 {
		t.Fatalf("pagerank is not a fixed point: L1 residual %g", e)
	}
}

func weightAt(g *graph.Graph, k uint64) float32 {
	if g.Weights == nil {
		return 1
	}
	return g.Weights[k]
}

func bfsComponents(a [][]uint8) []int {
	n := len(a)
	comp := make([]int, n)
	for i := range comp {
		comp[i] = -1
	}
	for s := 0; s < n; s++ {
		if comp[s] >= 0 {
			continue
		}
		q := []int{s}
		comp[s] = s
		for len(q) > 0 {
			u := q[0]
			q = q[1:]
			for v := 0; v < n; v++ {
				if a[u][v] != 0 && comp[v] < 0 {
					comp[v] = s
					q = append(q, v)
				}
			}
		}
	}
	return comp
}

func naiveCore(a [][]uint8) []uint32 {
	n := len(a)
	core := make([]uint32, n)
	for k := uint32(1); ; k++ {
		alive := make([]bool, n)
		for v := range alive {
			alive[v] = true
		}
		for changed := true; changed; {
			changed = false
			for v := 0; v < n; v++ {
				if !alive[v] {
					continue
				}
				d := uint32(0)
				for u := 0; u < n; u++ {
					if alive[u] && a[v][u] != 0 {
						d++
					}
				}
				if d < k {
					alive[v], changed = false, true
				}
			}
		}
		any := false
		for v := 0; v < n; v++ {
			if alive[v] {
				core[v], any = k, true
			}
		}
		if !any {
			return core
		}
	}
}

// bruteMotifs counts roles by looking at every unordered pair of other nodes.
func bruteMotifs(a [][]uint8) [][]uint32 {
	n := len(a)
	out := make([][]uint32, NumMotifRoles)
	for i := range out {
		out[i] = make([]uint32, n)
	}
	for v := 0; v < n; v++ {
		for u := 0; u < n; u++ {
			if c := a[v][u]; c != 0 {
				out[c-1][v]++
			}
		}
		for x := 0; x < n; x++ {
			for y := x + 1; y < n; y++ {
				if x == v || y == v {
					continue
				}
				o := motifOrbit[a[v][x]<<4|a[v][y]<<2|a[x][y]]
				if o >= 0 {
					out[3+int(o)][v]++
				}
			}
		}
	}
	return out
}

func checkMotifs(t *testing.T, got, want [][]uint32) {
	t.Helper()
	names := MotifRoleNames()
	for r := range want {
		for v := range want[r] {
			if got[r][v] != want[r][v] {
				t.Fatalf("motif role %s of node %d: got %d, brute force %d", names[r], v, got[r][v], want[r][v])
			}
		}
	}
}

func TestMotifRoleTable(t *testing.T) {
	orbits := map[int8]bool{}
	connected := 0
	for c, o := range motifOrbit {
		x, y, z := c>>4, c>>2&3, c&3
		zeros := 0
		for _, e := range []int{x, y, z} {
			if e == 0 {
				zeros++
			}
		}
		if (zeros <= 1) != (o >= 0) {
			t.Fatalf("(%d,%d,%d): orbit %d, connected %v", x, y, z, o, zeros <= 1)
		}
		if o >= 0 {
			connected++
			orbits[o] = true
		}
	}
	if connected != 54 || len(orbits) != 30 || NumMotifRoles != 33 || len(MotifRoleNames()) != 33 {
		t.Fatalf("%d connected situations in %d orbits (want 54 in 30), %d roles", connected, len(orbits), NumMotifRoles)
	}
}

// TestMotifsEmail checks the motif roles on email-Eu-core against brute force and igraph's census.
func TestMotifsEmail(t *testing.T) {
	g := email(t)
	s := SymView(g)
	m, err := Motifs(s)
	if err != nil {
		t.Fatal(err)
	}
	// Brute force over pairs is O(N^3) here (1e9): check a sample of nodes instead.
	a := dense(g)
	for _, v := range []int{0, 1, 5, 17, 160, 500, 1004} {
		want := bruteMotifsAt(a, v)
		for r := range want {
			if m[r][v] != want[r] {
				t.Fatalf("node %d role %s: got %d, brute force %d", v, MotifRoleNames()[r], m[r][v], want[r])
			}
		}
	}
	// Census: each connected triad is seen once from each of its three nodes.
	f, err := os.Open("testdata/email.motifs.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	roleClass := map[int]int{}
	census := map[int]int64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Split(sc.Text(), "\t")
		if strings.HasPrefix(fs[0], "#") {
			continue
		}
		if fs[0] == "census" {
			c, _ := strconv.Atoi(fs[1])
			k, _ := strconv.ParseInt(fs[2], 10, 64)
			census[c] = k
			continue
		}
		r, _ := strconv.Atoi(fs[0])
		c, _ := strconv.Atoi(fs[1])
		roleClass[r] = c
	}
	got := map[int]int64{}
	for r := 0; r < len(motifRoles); r++ {
		for _, x := range m[3+r] {
			got[roleClass[r]] += int64(x)
		}
	}
	for c, k := range census {
		if k < 0 {
			continue
		}
		if got[c] != 3*k {
			t.Errorf("isoclass %d: role counts sum to %d, igraph census %d x 3 = %d", c, got[c], k, 3*k)
		}
	}
}

func bruteMotifsAt(a [][]uint8, v int) []uint32 {
	n := len(a)
	out := make([]uint32, NumMotifRoles)
	for u := 0; u < n; u++ {
		if c := a[v][u]; c != 0 {
			out[c-1]++
		}
	}
	for x := 0; x < n; x++ {
		if x == v {
			continue
		}
		for y := x + 1; y < n; y++ {
			if y == v || (a[v][x] == 0 && a[v][y] == 0) {
				continue
			}
			if o := motifOrbit[a[v][x]<<4|a[v][y]<<2|a[x][y]]; o >= 0 {
				out[3+int(o)]++
			}
		}
	}
	return out
}

// TestPageRankSCCPaths runs PageRank on email-Eu-core (directed: many components on several
// levels) with the big-component threshold lowered so that the parallel paths (components solved
// by all workers, small components of one level spread over workers) run, with 1 and 4 workers,
// and the restricted personalised variant, against igraph's values.
func TestPageRankSCCPaths(t *testing.T) {
	g := email(t)
	want := expected(t, "email")
	lay := newSCCLayout(g)
	if nc, nl := len(lay.compStart)-1, len(lay.levelStart)-1; nc < 10 || nl < 2 {
		t.Fatalf("email-Eu-core: %d components on %d levels; the test needs several", nc, nl)
	}
	// The layout is a topological order: every arc between components goes to a later level.
	lvl := make([]int, g.N)
	for l := 0; l+1 < len(lay.levelStart); l++ {
		for c := lay.levelStart[l]; c < lay.levelStart[l+1]; c++ {
			for i := lay.compStart[c]; i < lay.compStart[c+1]; i++ {
				lvl[lay.order[i]] = l
			}
		}
	}
	for u := uint32(0); u < g.N; u++ {
		for _, v := range g.Neighbors(u) {
			if lvl[v] < lvl[u] {
				t.Fatalf("arc %d->%d goes from level %d back to %d", u, v, lvl[u], lvl[v])
			}
		}
	}
	saved := bigComponent
	defer func() { bigComponent = saved }()
	prev := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(prev)
	bigComponent = 64
	for _, procs := range []int{1, 4} {
		runtime.GOMAXPROCS(procs)
		pr, it, err := PageRank(g, PageRankOptions{Tol: 1e-12})
		if err != nil {
			t.Fatal(err)
		}
		if e := l1(pr, want["pagerank"]); e > 1e-9 {
			t.Errorf("%d workers: pagerank L1 distance to igraph %.3g after %d sweeps", procs, e, it)
		}
		ppr, _, err := PersonalizedPageRank(g, seedsOf(t, "email"), nil, PageRankOptions{Tol: 1e-12})
		if err != nil {
			t.Fatal(err)
		}
		if e := l1(ppr, want["ppr"]); e > 1e-9 {
			t.Errorf("%d workers: ppr L1 distance to igraph %.3g", procs, e)
		}
	}
}
