package features

import (
	"fmt"

	"riskwalk/graph"
)

// PageRankOptions tune PageRank and PersonalizedPageRank.
type PageRankOptions struct {
	// Damping is the probability of following an arc (default 0.85).
	Damping float64
	// Tol bounds the error (default 1e-9): the unnormalised solution y (see pagerankSCC) is
	// within L1 distance Tol*d/(1-d) of the exact one, so the returned vector y/sum(y) is within
	// 2*Tol*d/((1-d)*sum(y)) <= 2*Tol*d/(1-d)^2 of the exact PageRank. Directed graphs: each
	// strongly connected component of more than one node iterates until the L1 change of its
	// values in one sweep is below its share of Tol, the shares in proportion to in-arcs plus
	// nodes and adding up to Tol (the residual of a Gauss-Seidel sweep is at most d times its
	// change; single nodes are solved exactly). Undirected graphs: conjugate gradients run until the L1 norm of the
	// residual, checked on the true residual at the end, is at most d*Tol (see pagerankCG).
	Tol float64
	// MaxIter bounds the sweeps (default 1000).
	MaxIter int
	// Weighted uses arc weights (out-weight sums as the normaliser) when the graph has them.
	Weighted bool
}

func (o PageRankOptions) withDefaults() (PageRankOptions, error) {
	if o.Damping == 0 {
		o.Damping = 0.85
	}
	if o.Tol == 0 {
		o.Tol = 1e-9
	}
	if o.MaxIter == 0 {
		o.MaxIter = 1000
	}
	if !(o.Damping > 0 && o.Damping < 1) {
		return o, fmt.Errorf("pagerank: damping %g must be in (0, 1)", o.Damping)
	}
	if !(o.Tol > 0) || o.MaxIter < 1 {
		return o, fmt.Errorf("pagerank: tolerance %g must be > 0 and max iterations %d >= 1", o.Tol, o.MaxIter)
	}
	return o, nil
}

// PageRank computes the PageRank vector of g (sums to 1) and returns it with the number of
// sweeps the slowest strongly connected component needed. The kernel (pagerankSCC) solves the
// equivalent linear system one strongly connected component at a time in topological order, each
// by Gauss-Seidel over its in-arcs until its L1 change per sweep is below its share of Tol (in
// proportion to its in-arcs plus nodes), with the components that feed it already final (as
// igraph's PRPACK does); the components of one level run in parallel and a large component is
// solved by all workers
// (Gauss-Seidel within each worker's range, Jacobi across ranges), each component starting from
// a guess with about the right total mass (sccSolver.guess). On cnr-2000 at Tol 1e-8 this took
// the largest component 47 sweeps with one worker and 48 with two (52 and 54 from y = 0) where
// whole-graph Gauss-Seidel took 92. An undirected
// graph (every arc listed in both directions with equal weights, as graph.FromEdges and Ingest
// build it) makes the system symmetric in the inner product weighted by 1/outw, and is solved by
// conjugate gradients instead (pagerankCG): 28 iterations on dblp-2010 at Tol 1e-8 where
// Gauss-Seidel took 55 sweeps; the count returned is then the number of CG iterations. The last
// bits of the result depend on the worker count.
//
// Source: L. Page, S. Brin, R. Motwani, T. Winograd, "The PageRank citation ranking", Stanford
// 1999; pull formulation as in GAPBS pr.cc (Beamer et al., arXiv:1508.03619). With d the damping,
// outw(u) the out-degree (or out-weight) of u, and D the rank held by dangling nodes (outw = 0):
//
//	r'(v) = (1-d)/N + d * ( sum_{u->v} r(u) w(u,v)/outw(u) + D/N )
//
// Dangling mass is spread uniformly, as igraph's PRPACK does (solved implicitly: see pagerankSCC).
// Self-loops are ordinary arcs. The result is rescaled to sum exactly 1.
// An undirected graph is treated as having both arcs of every edge.
func PageRank(g *graph.Graph, opt PageRankOptions) ([]float64, int, error) {
	return pagerank(g, opt, nil, nil)
}

// PersonalizedPageRank is PageRank whose teleport (and dangling) mass returns to the seeds
// (uniformly) instead of to every node: the random surfer restarts at a known-bad node.
// When within is not nil the walk is restricted to the subgraph induced by the nodes with
// within[v] (arcs leaving it are dropped; out-weights count only arcs that stay); nodes outside
// get 0. Seeds must lie inside. Dangling mass returns to the seeds, as in igraph's
// personalized_pagerank.
//
// Source: T. Haveliwala, "Topic-sensitive PageRank", WWW 2002 (the personalised teleport vector);
// in riskwalk it is the first half of the seed-propagation scheme the project calls Risk-alike
// (seeds = training-labelled bad nodes; see Purify for the second half).
func PersonalizedPageRank(g *graph.Graph, seeds []uint32, within []bool, opt PageRankOptions) ([]float64, int, error) {
	if len(seeds) == 0 {
		return nil, 0, fmt.Errorf("personalized pagerank: no seeds (the labels file has no bad node in this graph)")
	}
	p := make([]float64, g.N)
	for _, s := range seeds {
		if s >= g.N {
			return nil, 0, fmt.Errorf("personalized pagerank: seed %d outside 0..%d", s, g.N-1)
		}
		if within != nil && !within[s] {
			return nil, 0, fmt.Errorf("personalized pagerank: seed %d outside the restriction", s)
		}
		p[s] = 1
	}
	k := 0.0
	for _, x := range p {
		k += x
	}
	for i := range p {
		p[i] /= k
	}
	return pagerank(g, opt, p, within)
}

// pagerank is the shared kernel: p is the teleport and dangling distribution (nil = uniform),
// within the optional node restriction.
func pagerank(g *graph.Graph, opt PageRankOptions, p []float64, within []bool) ([]float64, int, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, 0, err
	}
	n := int(g.N)
	if n == 0 {
		return nil, 0, nil
	}
	weighted := opt.Weighted && g.Weights != nil
	invOut, active := outWeights(g, weighted, within)
	if !g.Directed {
		out, it, ok := pagerankCG(g, opt.Damping, opt.Tol, opt.MaxIter, weighted, invOut, p, within, active)
		if ok {
			return out, it, nil
		}
		// Not converged, or the arcs are not symmetric after all: solve the arcs as they are,
		// by the directed path (which builds their transpose).
		gd := *g
		gd.Directed = true
		return pagerankSCC(&gd, opt.Damping, opt.Tol, opt.MaxIter, weighted, invOut, p, within, active)
	}
	return pagerankSCC(g, opt.Damping, opt.Tol, opt.MaxIter, weighted, invOut, p, within, active)
}

// outWeights returns invOut[u] = 1/outw(u), the inverse out-degree (or out-weight when weighted)
// counting only arcs inside the restriction within (nil: every node), 0 for dangling nodes and
// nodes outside; and the number of nodes inside.
func outWeights(g *graph.Graph, weighted bool, within []bool) (invOut []float64, active int) {
	n := int(g.N)
	invOut = make([]float64, n)
	if !weighted && within == nil {
		parallelChunks(n, 1<<14, func(_, lo, hi int) {
			for u := lo; u < hi; u++ {
				if k := g.Offsets[u+1] - g.Offsets[u]; k > 0 {
					invOut[u] = 1 / float64(k)
				}
			}
		})
		return invOut, n
	}
	in := func(v int) bool { return within == nil || within[v] }
	parallelChunks(n, 4096, func(_, lo, hi int) {
		for u := lo; u < hi; u++ {
			if !in(u) {
				continue
			}
			var s float64
			for k := g.Offsets[u]; k < g.Offsets[u+1]; k++ {
				if !in(int(g.Adj[k])) {
					continue
				}
				if weighted {
					s += float64(g.Weights[k])
				} else {
					s++
				}
			}
			if s > 0 {
				invOut[u] = 1 / s
			}
		}
	})
	active = n
	if within != nil {
		active = 0
		for _, b := range within {
			if b {
				active++
			}
		}
	}
	return invOut, active
}
