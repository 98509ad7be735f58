package features

import (
	"sync/atomic"

	"riskwalk/graph"
)

// WCC labels the weakly connected components of g (arc directions ignored). id[v] is the
// component's index, numbered 0, 1, ... in increasing order of each component's smallest node
// (the numbering igraph's connected_components uses); size[v] is the number of nodes in v's
// component. It returns the component count too.
//
// Method: concurrent union-find over the arcs, linking the larger root under the smaller with a
// compare-and-swap (so every root is its component's minimum node), path halving on reads, then
// one flattening pass. Source: R. Tarjan, "Efficiency of a good but not linear set union
// algorithm", JACM 1975; lock-free linking as in R. Anderson and H. Woll, "Wait-free parallel
// algorithms for the union-find problem", STOC 1991, and GAPBS cc.cc / Afforest (M. Sutton,
// T. Ben-Nun, A. Barak, IPDPS 2018).
func WCC(g *graph.Graph) (id, size []uint32, count int) {
	n := int(g.N)
	parent := make([]uint32, n)
	for i := range parent {
		parent[i] = uint32(i)
	}
	parallelChunks(n, 2048, func(_, lo, hi int) {
		for u := uint32(lo); u < uint32(hi); u++ {
			for _, v := range g.Neighbors(u) {
				// Undirected graphs list each edge from both ends: one end is enough.
				if !g.Directed && v >= u {
					break
				}
				if v != u {
					union(parent, u, v)
				}
			}
		}
	})
	// Flatten: after the unions every chain ends at its component's minimum node, and a parent
	// is never larger than its child, so one pass in increasing order resolves every node.
	id = parent
	comp := make([]uint32, 0)
	count = 0
	for v := 0; v < n; v++ {
		p := parent[v]
		if p == uint32(v) {
			id[v] = uint32(count)
			comp = append(comp, 0)
			count++
		} else {
			id[v] = id[p] // p < v already holds its component index
		}
		comp[id[v]]++
	}
	size = make([]uint32, n)
	for v := range size {
		size[v] = comp[id[v]]
	}
	return id, size, count
}

// find returns the root of x, halving the path on the way (benign concurrent writes: any
// ancestor is a valid parent).
func find(parent []uint32, x uint32) uint32 {
	for {
		p := atomic.LoadUint32(&parent[x])
		if p == x {
			return x
		}
		gp := atomic.LoadUint32(&parent[p])
		if gp != p {
			atomic.CompareAndSwapUint32(&parent[x], p, gp)
		}
		x = gp
	}
}

// union joins the sets of a and b, the larger root linked under the smaller.
func union(parent []uint32, a, b uint32) {
	for {
		ra, rb := find(parent, a), find(parent, b)
		if ra == rb {
			return
		}
		if ra < rb {
			ra, rb = rb, ra
		}
		if atomic.CompareAndSwapUint32(&parent[ra], ra, rb) {
			return
		}
	}
}
