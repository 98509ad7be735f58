package features

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"riskwalk/graph"
)

// refPageRank is the plain reference: Jacobi iteration of r'(v) = (1-d) p(v) + d (sum_{u->v}
// r(u) w(u,v)/outw(u) + D p(v)) on the nodes with within[v] (arcs leaving the restriction
// dropped, nodes outside 0), p uniform over the restriction when nil, until the L1 change is
// below 1e-15. No SCC ordering, no symmetry assumed.
func refPageRank(g *graph.Graph, d float64, p []float64, within []bool, weighted bool) []float64 {
	n := int(g.N)
	in := func(v int) bool { return within == nil || within[v] }
	w := func(k uint64) float64 {
		if weighted && g.Weights != nil {
			return float64(g.Weights[k])
		}
		return 1
	}
	tele := make([]float64, n)
	var act float64
	for v := range n {
		if in(v) {
			act++
		}
	}
	for v := range n {
		if !in(v) {
			continue
		}
		if p == nil {
			tele[v] = 1 / act
		} else {
			tele[v] = p[v]
		}
	}
	outw := make([]float64, n)
	for u := range n {
		for k := g.Offsets[u]; k < g.Offsets[u+1]; k++ {
			if in(u) && in(int(g.Adj[k])) {
				outw[u] += w(k)
			}
		}
	}
	r := append([]float64(nil), tele...)
	next := make([]float64, n)
	for it := 0; it < 100000; it++ {
		var dang float64
		for u := range n {
			if in(u) && outw[u] == 0 {
				dang += r[u]
			}
		}
		for v := range n {
			next[v] = ((1 - d) + d*dang) * tele[v]
		}
		for u := range n {
			if !in(u) || outw[u] == 0 {
				continue
			}
			for k := g.Offsets[u]; k < g.Offsets[u+1]; k++ {
				if v := int(g.Adj[k]); in(v) {
					next[v] += d * r[u] * w(k) / outw[u]
				}
			}
		}
		diff := l1(r, next)
		r, next = next, r
		if diff < 1e-15 {
			break
		}
	}
	return r
}

// randomUndirected has n nodes of which only the first 2n/3 carry edges (the rest are isolated:
// dangling), with hubs, self-loops and repeated edges.
func randomUndirected(t *testing.T, seed uint64, n uint32, m int, weighted bool) *graph.Graph {
	rng := rand.New(rand.NewPCG(seed, 11))
	used := n * 2 / 3
	var es []graph.Edge
	for i := 0; i < m; i++ {
		u, v := rng.Uint32N(used), rng.Uint32N(used)
		if rng.IntN(5) == 0 {
			u = rng.Uint32N(4)
		}
		if rng.IntN(40) == 0 {
			v = u
		}
		es = append(es, graph.Edge{U: u, V: v, W: float32(1 + rng.IntN(4))})
	}
	g, err := graph.FromEdges(n, es, false, weighted, false)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestPageRankCG checks the conjugate-gradient kernel of undirected graphs against refPageRank
// (PageRank, personalised PageRank, restricted to two hops, weighted or not, 1 and 3 workers),
// and that its error stays inside the bound PageRankOptions.Tol promises.
func TestPageRankCG(t *testing.T) {
	prev := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(prev)
	const d = 0.85
	for seed := uint64(1); seed <= 6; seed++ {
		weighted := seed%2 == 0
		n := uint32(40 + 30*seed)
		if seed >= 5 {
			n = 3000 // above the size where the kernel splits its passes over workers
		}
		g := randomUndirected(t, seed, n, int(n)*3, weighted)
		seeds := []uint32{1, 5, 9}
		p := make([]float64, g.N)
		for _, s := range seeds {
			p[s] = 1.0 / 3
		}
		within := TwoHopSet(SymView(g), seeds)
		cases := []struct {
			name   string
			p      []float64
			within []bool
		}{{"pagerank", nil, nil}, {"ppr", p, nil}, {"ppr-two-hop", p, within}}
		for _, c := range cases {
			want := refPageRank(g, d, c.p, c.within, weighted)
			for _, procs := range []int{1, 3} {
				runtime.GOMAXPROCS(procs)
				for _, tol := range []float64{1e-13, 1e-6} {
					opt, err := PageRankOptions{Damping: d, Tol: tol, Weighted: true}.withDefaults()
					if err != nil {
						t.Fatal(err)
					}
					invOut, active := outWeights(g, weighted, c.within)
					got, it, ok := pagerankCG(g, d, tol, opt.MaxIter, weighted, invOut, c.p, c.within, active)
					if !ok {
						t.Fatalf("seed %d %s: conjugate gradients did not converge in %d iterations", seed, c.name, it)
					}
					// The promise: ||y - y*||_1 <= tol d/(1-d) before normalising, so the
					// normalised vector is within twice that over the sum of y, which is at
					// least (1-d) (every active node gets its teleport share).
					bound := 2 * tol * d / (1 - d) / (1 - d)
					if e := l1(got, want); e > max(bound, 1e-12) {
						t.Errorf("seed %d %s, %d workers, tol %g: L1 distance to the reference %.3g after %d iterations, bound %.3g",
							seed, c.name, procs, tol, e, it, bound)
					}
					for v := range got {
						if c.within != nil && !c.within[v] && got[v] != 0 {
							t.Fatalf("seed %d %s: node %d outside the restriction got %g", seed, c.name, v, got[v])
						}
					}
				}
			}
		}
	}
}

// TestPageRankPathsAgree: on undirected graphs the public PageRank (conjugate gradients) and the
// Gauss-Seidel kernel give the same vector.
func TestPageRankPathsAgree(t *testing.T) {
	g := randomUndirected(t, 42, 2500, 9000, true)
	got, _, err := PageRank(g, PageRankOptions{Tol: 1e-13, Weighted: true})
	if err != nil {
		t.Fatal(err)
	}
	invOut, active := outWeights(g, true, nil)
	gs, _, err := pagerankSCC(g, 0.85, 1e-13, 1000, true, invOut, nil, nil, active)
	if err != nil {
		t.Fatal(err)
	}
	if e := l1(got, gs); e > 1e-11 || math.IsNaN(e) {
		t.Fatalf("conjugate gradients and Gauss-Seidel differ by L1 %.3g", e)
	}
}

// TestPageRankAsymmetricUndirected: a graph marked undirected whose arcs are not symmetric (not
// what graph.FromEdges builds, but a file could hold it) must not get a wrong answer from the
// kernels that assume symmetry: the conjugate-gradient check catches it and the directed path
// solves the arcs as they are.
func TestPageRankAsymmetricUndirected(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		g := randomGraph(t, seed, 300, 1200, true, seed%2 == 0)
		g.Directed = false
		want := refPageRank(g, 0.85, nil, nil, true)
		got, _, err := PageRank(g, PageRankOptions{Tol: 1e-13, Weighted: true})
		if err != nil {
			t.Fatal(err)
		}
		if e := l1(got, want); e > 1e-10 {
			t.Fatalf("seed %d: L1 distance to the reference %.3g", seed, e)
		}
	}
}

// blockDAGGraph has n nodes in blocks of about 40: arcs mostly inside a block (many strongly
// connected components), some forward to later blocks (several levels), self-loops, and every
// seventh node without out-arcs (dangling).
func blockDAGGraph(t *testing.T, seed uint64, n uint32, m int, weighted bool) *graph.Graph {
	rng := rand.New(rand.NewPCG(seed, 11))
	var es []graph.Edge
	for len(es) < m {
		u := rng.Uint32N(n)
		if u%7 == 0 {
			continue
		}
		b := u / 40 * 40
		v := b + rng.Uint32N(min(40, n-b))
		switch rng.IntN(10) {
		case 0:
			v = u + rng.Uint32N(n-u) // forward, possibly far
		case 1:
			v = u
		}
		es = append(es, graph.Edge{U: u, V: v, W: float32(1 + rng.IntN(4))})
	}
	g, err := graph.FromEdges(n, es, true, weighted, false)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestPageRankDirectedReference: on directed graphs with dangling nodes and self-loops, some with
// many strongly connected components on many levels (blockDAGGraph), some with a giant one plus
// many small ones (giantSCCGraph, where sccSolver.guess matters most), the SCC kernel (with 1, 2
// and 4 workers, the big-component threshold lowered so that the all-workers path and the
// parallel transpose run) stays within the documented bound 2*Tol*d/(1-d)^2 of the plain power
// iteration, at a loose and a tight tolerance, weighted and not.
func TestPageRankDirectedReference(t *testing.T) {
	saved := bigComponent
	defer func() { bigComponent = saved }()
	prev := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(prev)
	bigComponent = 256
	const d = 0.85
	type tcase struct {
		name     string
		g        *graph.Graph
		weighted bool
	}
	var cases []tcase
	for seed := uint64(1); seed <= 3; seed++ {
		weighted := seed != 2
		g := blockDAGGraph(t, seed, 3000, 15000, weighted)
		lay := newSCCLayout(g)
		if nc, nl := len(lay.compStart)-1, len(lay.levelStart)-1; nc < 50 || nl < 3 {
			t.Fatalf("block-DAG seed %d: %d components on %d levels; the test needs many", seed, nc, nl)
		}
		cases = append(cases, tcase{fmt.Sprintf("block-DAG seed %d", seed), g, weighted})
	}
	for seed := uint64(1); seed <= 4; seed++ {
		weighted := seed%2 == 0
		g := giantSCCGraph(t, seed, 6000, weighted)
		lay := newSCCLayout(g)
		var giant uint32
		for c := 0; c+1 < len(lay.compStart); c++ {
			giant = max(giant, lay.compStart[c+1]-lay.compStart[c])
		}
		if nc := len(lay.compStart) - 1; nc < 100 || giant < 3000 {
			t.Fatalf("giant-SCC seed %d: %d components, the largest %d nodes; the test needs a giant one and many small", seed, nc, giant)
		}
		cases = append(cases, tcase{fmt.Sprintf("giant-SCC seed %d", seed), g, weighted})
	}
	for _, c := range cases {
		want := refPageRank(c.g, d, nil, nil, c.weighted)
		for _, procs := range []int{1, 2, 4} {
			runtime.GOMAXPROCS(procs)
			for _, tol := range []float64{1e-6, 1e-12} {
				got, _, err := PageRank(c.g, PageRankOptions{Damping: d, Tol: tol, Weighted: c.weighted})
				if err != nil {
					t.Fatal(err)
				}
				bound := 2 * tol * d / ((1 - d) * (1 - d))
				if e := l1(got, want); !(e <= bound) {
					t.Errorf("%s, %d workers, tol %g: L1 distance to the reference %.3g above the bound %.3g", c.name, procs, tol, e, bound)
				}
			}
		}
	}
}

// TestPageRankLeavesGraphAlone: the kernels reorder in-lists in their own copies, never in the
// graph (whose slices may be a read-only mapping), on every path and worker count.
func TestPageRankLeavesGraphAlone(t *testing.T) {
	saved := bigComponent
	defer func() { bigComponent = saved }()
	prev := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(prev)
	bigComponent = 64
	for _, procs := range []int{1, 2} {
		runtime.GOMAXPROCS(procs)
		for _, g := range []*graph.Graph{randomUndirected(t, 5, 3000, 12000, true), blockDAGGraph(t, 5, 3000, 12000, true)} {
			adj := append([]uint32(nil), g.Adj...)
			w := append([]float32(nil), g.Weights...)
			invOut, active := outWeights(g, true, nil)
			if _, _, err := pagerankSCC(g, 0.85, 1e-10, 1000, true, invOut, nil, nil, active); err != nil {
				t.Fatal(err)
			}
			if _, _, err := PageRank(g, PageRankOptions{Weighted: true}); err != nil {
				t.Fatal(err)
			}
			for k := range adj {
				if g.Adj[k] != adj[k] || g.Weights[k] != w[k] {
					t.Fatalf("%d workers, directed=%v: arc %d changed", procs, g.Directed, k)
				}
			}
		}
	}
}

// giantSCCGraph has a strongly connected core of the first n/2 nodes (a ring plus random arcs
// among them), small cycles of 2 to 5 nodes after it, arcs from the core into the cycles and from
// some cycles into the core, self-loops, and every ninth node beyond the core dangling.
func giantSCCGraph(t *testing.T, seed uint64, n uint32, weighted bool) *graph.Graph {
	rng := rand.New(rand.NewPCG(seed, 23))
	core := n / 2
	var es []graph.Edge
	add := func(u, v uint32) { es = append(es, graph.Edge{U: u, V: v, W: float32(1 + rng.IntN(4))}) }
	for u := uint32(0); u < core; u++ {
		add(u, (u+1)%core)
		for k := rng.IntN(8); k > 0; k-- {
			add(u, rng.Uint32N(core))
		}
		if rng.IntN(30) == 0 {
			add(u, u)
		}
		if rng.IntN(4) == 0 {
			add(u, core+rng.Uint32N(n-core))
		}
	}
	for lo := core; lo < n; {
		size := min(uint32(2+rng.IntN(4)), n-lo)
		for v := lo; v < lo+size; v++ {
			if v%9 == 0 {
				continue // dangling
			}
			add(v, lo+(v-lo+1)%size)
			if rng.IntN(10) == 0 {
				add(v, rng.Uint32N(core)) // back into the core: the cycle joins it
			}
			if rng.IntN(20) == 0 {
				add(v, v)
			}
		}
		lo += size
	}
	g, err := graph.FromEdges(n, es, true, weighted, false)
	if err != nil {
		t.Fatal(err)
	}
	return g
}
