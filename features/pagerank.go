package features

import (
	"fmt"
	"math"

	"riskwalk/graph"
)

// PageRankOptions tune PageRank and PersonalizedPageRank.
type PageRankOptions struct {
	// Damping is the probability of following an arc (default 0.85).
	Damping float64
	// Tol stops the iteration once the L1 change of the rank vector in one sweep is below it
	// (default 1e-9; the distance to the fixed point is then at most Tol*d/(1-d)).
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

// PageRank computes the PageRank vector of g (sums to 1) by pull-based power iteration over the
// in-arcs, with per-worker node ranges and no atomics, and returns it with the number of sweeps.
//
// Source: L. Page, S. Brin, R. Motwani, T. Winograd, "The PageRank citation ranking", Stanford
// 1999; pull formulation as in GAPBS pr.cc (Beamer et al., arXiv:1508.03619). With d the damping,
// outw(u) the out-degree (or out-weight) of u, and D the rank held by dangling nodes (outw = 0):
//
//	r'(v) = (1-d)/N + d * ( sum_{u->v} r(u) w(u,v)/outw(u) + D/N )
//
// Dangling mass is spread uniformly, as igraph's PRPACK does. Self-loops are ordinary arcs.
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
	// In-arcs: the transpose for a directed graph; an undirected graph is its own transpose.
	inOff, inAdj, inW := g.Offsets, g.Adj, g.Weights
	if g.Directed {
		inOff, inAdj, inW = Transpose(g)
	}
	if !weighted {
		inW = nil
	}
	in := func(v int) bool { return within == nil || within[v] }
	// invOut[u] = 1/outw(u) (0 for dangling or excluded nodes).
	invOut := make([]float64, n)
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
	active := n
	if within != nil {
		active = 0
		for _, b := range within {
			if b {
				active++
			}
		}
	}
	d := opt.Damping
	r := make([]float64, n)
	rNext := make([]float64, n)
	c := make([]float64, n) // c[u] = r[u]/outw(u)
	for v := range r {
		if in(v) {
			r[v] = 1 / float64(active)
			c[v] = r[v] * invOut[v]
		}
	}
	dangling := 0.0
	for v := range r {
		if in(v) && invOut[v] == 0 {
			dangling += r[v]
		}
	}
	nw := workers()
	diffs := make([]float64, nw)
	dangs := make([]float64, nw)
	cost := func(i int) uint64 { return inOff[i] + uint64(i) }
	iter := 0
	for iter < opt.MaxIter {
		iter++
		uni := 1 / float64(active)
		base := (1 - d) * uni
		dshare := d * dangling * uni
		parallelRanges(n, cost, func(w, lo, hi int) {
			var diff, dang float64
			for v := lo; v < hi; v++ {
				if within != nil && !within[v] {
					continue
				}
				lo, hi := inOff[v], inOff[v+1]
				var s float64
				if inW != nil {
					ws := inW[lo:hi]
					for k, u := range inAdj[lo:hi] {
						s += c[u] * float64(ws[k])
					}
				} else {
					for _, u := range inAdj[lo:hi] {
						s += c[u]
					}
				}
				var x float64
				if p == nil {
					x = base + dshare + d*s
				} else {
					x = (1-d)*p[v] + d*(s+dangling*p[v])
				}
				diff += math.Abs(x - r[v])
				rNext[v] = x
				if invOut[v] == 0 {
					dang += x
				}
			}
			diffs[w], dangs[w] = diff, dang
		})
		var diff float64
		dangling = 0
		for w := range diffs {
			diff += diffs[w]
			dangling += dangs[w]
			diffs[w], dangs[w] = 0, 0
		}
		r, rNext = rNext, r
		parallelChunks(n, 1<<14, func(_, lo, hi int) {
			for v := lo; v < hi; v++ {
				c[v] = r[v] * invOut[v]
			}
		})
		if diff < opt.Tol {
			break
		}
	}
	return r, iter, nil
}
