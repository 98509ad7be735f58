package features

import (
	"fmt"

	"riskwalk/graph"
)

// NeighbourLabelOptions tune NeighbourLabels.
type NeighbourLabelOptions struct {
	// Smoothing is α in the smoothed share (bad + α·prior)/(labelled + α), so that a node with few
	// labelled neighbours sits near the training prior instead of at 0 or 1. Default 2.
	Smoothing float64
	// Hop2DegreeCap: a neighbour whose degree exceeds it still counts at one hop but is not
	// expanded for the two-hop columns (one hub must not make the query quadratic). Default 5000.
	Hop2DegreeCap uint32
	// Folds > 1 computes nb_mean_bad_share out of fold for the training-labelled rows (see
	// LabelOptions.Folds): a row in fold f gets its neighbours' shares counted over the labels
	// outside fold f, counts scaled to the full label count.
	Folds int
	// View is the undirected view of a directed g if the caller has it (built when nil and needed).
	View *Sym
}

// NeighbourLabelNames are NeighbourLabels' columns in order.
var NeighbourLabelNames = []string{"nb_labelled", "nb_bad", "nb_bad_share", "hop2_labelled", "hop2_bad", "hop2_bad_share", "nb_mean_bad_share"}

// NeighbourLabels computes the neighbourhood label columns of every node from the training labels
// alone: known[v] is true for nodes whose label is among the training labels, bad[v] for those
// labelled bad (bad implies known). Neighbours are those of the undirected view; self-loops are
// ignored. Columns (float32, in NeighbourLabelNames' order):
//
//	nb_labelled        training-labelled neighbours l1(v)
//	nb_bad             of them labelled bad b1(v)
//	nb_bad_share       (b1 + α·p(v)) / (l1 + α)
//	hop2_labelled      distinct training-labelled nodes u ≠ v with 1 <= dist(v, u) <= 2, l2(v)
//	hop2_bad           of them labelled bad b2(v)
//	hop2_bad_share     (b2 + α·p(v)) / (l2 + α)
//	nb_mean_bad_share  mean over neighbours u of u's nb_bad_share with v's own label taken out of
//	                   u's counts (p(v) when v has no neighbour); with Folds, for training rows,
//	                   u's counts over the labels outside v's fold instead
//
// where p(v) is the training bad rate with v itself left out. No column of v depends on v's own
// label, so a training row sees the same kind of value as a test row. Cost: O(arcs) for the
// one-hop columns, O(Σ_u min(deg u, cap)·deg u) for the two-hop ones, with one stamp array of N
// uint32 per worker.
func NeighbourLabels(g *graph.Graph, known, bad []bool, opt NeighbourLabelOptions) ([]Column, error) {
	n := int(g.N)
	if len(known) != n || len(bad) != n {
		return nil, fmt.Errorf("neighbour label features: %d known and %d bad flags for %d nodes", len(known), len(bad), n)
	}
	alpha := opt.Smoothing
	if alpha == 0 {
		alpha = 2
	}
	if alpha < 0 {
		return nil, fmt.Errorf("neighbour label features: smoothing %v must be > 0", alpha)
	}
	dcap := opt.Hop2DegreeCap
	if dcap == 0 {
		dcap = 5000
	}
	off, adj := g.Offsets, g.Adj
	if g.Directed {
		s := opt.View
		if s == nil {
			s = SymView(g)
		}
		off, adj = s.Off, s.Adj
	}
	var P, T float64 // training bad and labelled counts
	for v := range known {
		if bad[v] && !known[v] {
			return nil, fmt.Errorf("neighbour label features: node %d is bad but not among the known labels", v)
		}
		if known[v] {
			T++
			if bad[v] {
				P++
			}
		}
	}
	// prior is p(v): the training bad rate leaving v out.
	prior := func(v int) float64 {
		p, t := P, T
		if known[v] {
			t--
			if bad[v] {
				p--
			}
		}
		return p / max(t, 1)
	}
	share := func(b, l, p float64) float64 { return (b + alpha*p) / (l + alpha) }
	cols := make([][]float32, len(NeighbourLabelNames))
	for k := range cols {
		cols[k] = make([]float32, n)
	}
	l1s, b1s := cols[0], cols[1]
	stamps := make([][]uint32, workers())
	parallelChunks(n, 64, func(w, lo, hi int) {
		seen := stamps[w]
		if seen == nil {
			seen = make([]uint32, n) // seen[x] == v+1: x already counted for v
			stamps[w] = seen
		}
		for v := lo; v < hi; v++ {
			stamp := uint32(v + 1)
			seen[v] = stamp
			var l1, b1, l2, b2 float64
			count := func(x uint32) {
				if seen[x] == stamp {
					return
				}
				seen[x] = stamp
				if known[x] {
					l2++
					if bad[x] {
						b2++
					}
				}
			}
			for k := off[v]; k < off[v+1]; k++ {
				u := adj[k]
				if int(u) == v {
					continue
				}
				if known[u] {
					l1++
					if bad[u] {
						b1++
					}
				}
				count(u)
			}
			for k := off[v]; k < off[v+1]; k++ {
				u := adj[k]
				if int(u) == v || off[u+1]-off[u] > uint64(dcap) {
					continue
				}
				for j := off[u]; j < off[u+1]; j++ {
					count(adj[j])
				}
			}
			p := prior(v)
			l1s[v], b1s[v] = float32(l1), float32(b1)
			cols[2][v] = float32(share(b1, l1, p))
			cols[3][v], cols[4][v] = float32(l2), float32(b2)
			cols[5][v] = float32(share(b2, l2, p))
		}
	})
	// meanShare sets nb_mean_bad_share of nodes v in [lo, hi) with want(v) from neighbour counts
	// l, b (v's own label taken out when leaveOut), counts scaled by scale.
	meanShare := func(lo, hi int, l1, b1 []float32, scale float64, leaveOut bool, want func(v int) bool) {
		for v := lo; v < hi; v++ {
			if want != nil && !want(v) {
				continue
			}
			p := prior(v)
			var s float64
			var k int
			for a := off[v]; a < off[v+1]; a++ {
				u := adj[a]
				if int(u) == v {
					continue
				}
				l, b := float64(l1[u]), float64(b1[u])
				if leaveOut && known[v] { // take v's own label out of u's counts
					l--
					if bad[v] {
						b--
					}
				}
				s += share(b*scale, l*scale, p)
				k++
			}
			if k > 0 {
				s /= float64(k)
			} else {
				s = p
			}
			cols[6][v] = float32(s)
		}
	}
	parallelChunks(n, 256, func(_, lo, hi int) { meanShare(lo, hi, l1s, b1s, 1, true, nil) })
	if k := opt.Folds; k > 1 {
		lf, bf := make([]float32, n), make([]float32, n)
		for f := range k {
			outside := func(x uint32) bool { return known[x] && foldOf(int(x), k) != f }
			var kin float64
			for v := range n {
				if known[v] && foldOf(v, k) == f {
					kin++
				}
			}
			scale := T / max(1, T-kin)
			parallelChunks(n, 256, func(_, lo, hi int) {
				for u := lo; u < hi; u++ {
					var l, b float32
					for a := off[u]; a < off[u+1]; a++ {
						if x := adj[a]; int(x) != u && outside(x) {
							l++
							if bad[x] {
								b++
							}
						}
					}
					lf[u], bf[u] = l, b
				}
			})
			parallelChunks(n, 256, func(_, lo, hi int) {
				meanShare(lo, hi, lf, bf, scale, false, func(v int) bool { return known[v] && foldOf(v, k) == f })
			})
		}
	}
	out := make([]Column, len(cols))
	for k, c := range cols {
		out[k] = F32(NeighbourLabelNames[k], c)
	}
	return out, nil
}
