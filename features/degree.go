package features

import (
	"fmt"

	"riskwalk/graph"
)

// Degrees holds per-node degree features. For an undirected graph In and Out are both the degree
// (a self-loop counts once, as stored) and WIn, WOut the weighted degree (strength).
type Degrees struct {
	In, Out   []uint32
	WIn, WOut []float32 // nil when the graph is unweighted
}

// ComputeDegrees counts in- and out-degrees (and weighted ones when g has weights) from the CSR.
// O(N + arcs).
func ComputeDegrees(g *graph.Graph) Degrees {
	n := g.N
	var d Degrees
	d.Out = make([]uint32, n)
	for v := uint32(0); v < n; v++ {
		d.Out[v] = g.Degree(v)
	}
	if g.Weights != nil {
		d.WOut = make([]float32, n)
		for v := uint32(0); v < n; v++ {
			var s float64
			for _, w := range g.NeighborWeights(v) {
				s += float64(w)
			}
			d.WOut[v] = float32(s)
		}
	}
	if !g.Directed {
		d.In, d.WIn = d.Out, d.WOut
		return d
	}
	d.In = make([]uint32, n)
	for _, v := range g.Adj {
		d.In[v]++
	}
	if g.Weights != nil {
		win := make([]float64, n)
		for k, v := range g.Adj {
			win[v] += float64(g.Weights[k])
		}
		d.WIn = make([]float32, n)
		for v, x := range win {
			d.WIn[v] = float32(x)
		}
	}
	return d
}

// UserType returns the type code named name (e.g. "user") in a typed graph: the nodes of that
// type are the accounts, every other type is a medium (device, phone, card...).
func UserType(g *graph.Graph, name string) (uint8, error) {
	if g.Types == nil {
		return 0, fmt.Errorf("the graph has no node types: the user-medium features need a typed graph (ingest with node types)")
	}
	for i, t := range g.TypeNames {
		if t == name {
			return uint8(i), nil
		}
	}
	return 0, fmt.Errorf("the graph has no node type %q (types: %v); pass the user type's name", name, g.TypeNames)
}

// DistinctMedia counts, for every user (node of type user), its distinct neighbours of any other
// type in the undirected simple view; 0 for media. Since neighbour lists hold no duplicates this
// is a filtered degree.
func DistinctMedia(s *Sym, types []uint8, user uint8) []uint32 {
	out := make([]uint32, s.N)
	parallelChunks(int(s.N), 4096, func(_, lo, hi int) {
		for v := uint32(lo); v < uint32(hi); v++ {
			if types[v] != user {
				continue
			}
			c := uint32(0)
			for _, u := range s.Neighbors(v) {
				if types[u] != user {
					c++
				}
			}
			out[v] = c
		}
	})
	return out
}
