package features

import "riskwalk/graph"

// TwoHop holds the user-medium-user features of a typed graph (the "account A - device G -
// account B" query). For a user u, the paths u - m - v run through media m (neighbours of any
// type other than user) to users v != u. Media whose degree exceeds the cap are counted (Capped)
// and their degree enters MaxMediaDeg, but they are not expanded: one public Wi-Fi or a shared
// office printer cannot turn the query quadratic. Media nodes get zeros.
type TwoHop struct {
	Users       []uint32  // distinct users reachable through shared (uncapped) media
	Weight      []float32 // sum over paths u-m-v of w(u,m) * w(m,v)
	MaxMediaDeg []uint32  // largest degree among u's media, capped ones included
	Capped      []uint32  // number of u's media above the cap
	Bad         []uint32  // distinct labelled-bad users among Users (nil without labels)
}

// TwoHopUsers computes TwoHop over g's own adjacency when g is undirected (weights from the
// stored arcs, 1 when unweighted), or over the undirected view s with unit weights when g is
// directed. bad, when not nil, marks the labelled-bad users (training labels only). Cost per user
// O(sum over its media of min(degree, cap)); workers keep a stamp array of N uint32 each.
func TwoHopUsers(g *graph.Graph, s *Sym, user uint8, degreeCap uint32, bad []bool) TwoHop {
	n := int(g.N)
	t := TwoHop{Users: make([]uint32, n), Weight: make([]float32, n), MaxMediaDeg: make([]uint32, n), Capped: make([]uint32, n)}
	if bad != nil {
		t.Bad = make([]uint32, n)
	}
	off, adj, wts := g.Offsets, g.Adj, g.Weights
	if g.Directed {
		off, adj, wts = s.Off, s.Adj, nil
	}
	types := g.Types
	stamps := make([][]uint32, workers())
	parallelChunks(n, 256, func(w, lo, hi int) {
		seen := stamps[w]
		if seen == nil {
			seen = make([]uint32, n) // seen[v] == u+1: v already counted for user u
			stamps[w] = seen
		}
		for u := lo; u < hi; u++ {
			if types[u] != user {
				continue
			}
			stamp := uint32(u + 1)
			seen[u] = stamp
			var users, nbad, capped, maxDeg uint32
			var weight float64
			for k := off[u]; k < off[u+1]; k++ {
				m := adj[k]
				if types[m] == user || int(m) == u {
					continue
				}
				dm := uint32(off[m+1] - off[m])
				maxDeg = max(maxDeg, dm)
				if dm > degreeCap {
					capped++
					continue
				}
				wum := 1.0
				if wts != nil {
					wum = float64(wts[k])
				}
				for j := off[m]; j < off[m+1]; j++ {
					v := adj[j]
					if int(v) == u || types[v] != user {
						continue
					}
					if wts != nil {
						weight += wum * float64(wts[j])
					} else {
						weight += wum
					}
					if seen[v] != stamp {
						seen[v] = stamp
						users++
						if bad != nil && bad[v] {
							nbad++
						}
					}
				}
			}
			t.Users[u], t.Weight[u], t.MaxMediaDeg[u], t.Capped[u] = users, float32(weight), maxDeg, capped
			if bad != nil {
				t.Bad[u] = nbad
			}
		}
	})
	return t
}
