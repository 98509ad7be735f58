package features

import (
	"strconv"
	"testing"

	"riskwalk/graph"
)

// loadIntTSV reads an integer-id edge list with graph.Ingest and returns the graph indexed by the
// external ids themselves (node v = external id v, n = max(minN, max id + 1), ids that no edge
// names are isolated nodes), which is how the igraph expected values are indexed.
func loadIntTSV(tb testing.TB, path string, directed bool, minN uint32) *graph.Graph {
	tb.Helper()
	in, err := graph.Ingest([]string{path}, graph.IngestOptions{Directed: directed, Workers: 2})
	if err != nil {
		tb.Fatal(err)
	}
	g, ids := in.Graph, in.IDs
	ext := make([]uint32, g.N)
	n := minN
	identity := true
	for v := range ext {
		x, err := strconv.ParseUint(ids.Ext(uint32(v)), 10, 32)
		if err != nil {
			tb.Fatalf("%s: node %q is not a small integer id", path, ids.Ext(uint32(v)))
		}
		ext[v] = uint32(x)
		n = max(n, uint32(x)+1)
		identity = identity && x == uint64(v)
	}
	if identity && n == g.N {
		return g
	}
	var edges []graph.Edge
	for u := uint32(0); u < g.N; u++ {
		ws := g.NeighborWeights(u)
		for i, v := range g.Neighbors(u) {
			if !directed && v < u {
				continue
			}
			e := graph.Edge{U: ext[u], V: ext[v], W: 1}
			if ws != nil {
				e.W = ws[i]
			}
			edges = append(edges, e)
		}
	}
	h, err := graph.FromEdges(n, edges, directed, g.Weights != nil, false)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}
