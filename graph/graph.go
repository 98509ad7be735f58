package graph

import (
	"fmt"
	"slices"
)

// Graph is a CSR adjacency. Offsets has N+1 entries; the neighbours of v are
// Adj[Offsets[v]:Offsets[v+1]], with parallel Weights (nil when unweighted) and Times (nil when the
// input had no timestamps, unix seconds otherwise).
type Graph struct {
	N        uint32
	Directed bool
	Offsets  []uint64
	Adj      []uint32
	Weights  []float32
	Times    []int64
	// Types holds one node-type code per node (nil when untyped); TypeNames names each code.
	Types     []uint8
	TypeNames []string
}

// NumArcs is the number of stored adjacency entries (both directions of an undirected edge count).
func (g *Graph) NumArcs() uint64 { return g.Offsets[g.N] }

// Degree is the number of stored neighbours of v (its out-degree when directed).
func (g *Graph) Degree(v uint32) uint32 { return uint32(g.Offsets[v+1] - g.Offsets[v]) }

// Neighbors returns v's sorted neighbour list; the slice aliases the graph and must not be written.
func (g *Graph) Neighbors(v uint32) []uint32 { return g.Adj[g.Offsets[v]:g.Offsets[v+1]] }

// NeighborWeights returns the weights parallel to Neighbors(v), or nil if the graph is unweighted.
func (g *Graph) NeighborWeights(v uint32) []float32 {
	if g.Weights == nil {
		return nil
	}
	return g.Weights[g.Offsets[v]:g.Offsets[v+1]]
}

// Edge is one input edge between dense ids. W is 1 for unweighted input; T is 0 when absent.
type Edge struct {
	U, V uint32
	W    float32
	T    int64
}

// FromEdges builds a Graph over n nodes from edges, the simple serial reference builder used by
// tests and small tools (ingest has its own parallel builder that must agree with this one).
// Undirected graphs store both directions. Duplicate arcs are merged by summing weights and keeping
// the latest timestamp. weighted/timed choose whether Weights/Times are kept.
func FromEdges(n uint32, edges []Edge, directed, weighted, timed bool) (*Graph, error) {
	arcs := make([]Edge, 0, 2*len(edges))
	for _, e := range edges {
		if e.U >= n || e.V >= n {
			return nil, fmt.Errorf("graph: edge %d-%d outside 0..%d", e.U, e.V, n-1)
		}
		arcs = append(arcs, e)
		if !directed && e.U != e.V {
			arcs = append(arcs, Edge{U: e.V, V: e.U, W: e.W, T: e.T})
		}
	}
	slices.SortFunc(arcs, func(a, b Edge) int {
		if a.U != b.U {
			return int(int64(a.U) - int64(b.U))
		}
		return int(int64(a.V) - int64(b.V))
	})
	g := &Graph{N: n, Directed: directed, Offsets: make([]uint64, n+1)}
	if weighted {
		g.Weights = make([]float32, 0, len(arcs))
	}
	if timed {
		g.Times = make([]int64, 0, len(arcs))
	}
	g.Adj = make([]uint32, 0, len(arcs))
	for i := 0; i < len(arcs); i++ {
		a := arcs[i]
		if k := len(g.Adj); k > 0 && i > 0 && arcs[i-1].U == a.U && g.Adj[k-1] == a.V {
			if weighted {
				g.Weights[k-1] += a.W
			}
			if timed && a.T > g.Times[k-1] {
				g.Times[k-1] = a.T
			}
			continue
		}
		g.Adj = append(g.Adj, a.V)
		if weighted {
			g.Weights = append(g.Weights, a.W)
		}
		if timed {
			g.Times = append(g.Times, a.T)
		}
		g.Offsets[a.U+1]++
	}
	for v := uint32(0); v < n; v++ {
		g.Offsets[v+1] += g.Offsets[v]
	}
	return g, nil
}
