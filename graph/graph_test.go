package graph

import (
	"slices"
	"testing"
)

func TestFromEdgesUndirectedDedup(t *testing.T) {
	g, err := FromEdges(4, []Edge{{0, 1, 1, 0}, {1, 0, 2, 5}, {2, 2, 1, 0}, {3, 1, 1, 0}}, false, true, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Neighbors(1); !slices.Equal(got, []uint32{0, 3}) {
		t.Fatalf("neighbours of 1 = %v", got)
	}
	if w := g.NeighborWeights(0); len(w) != 1 || w[0] != 3 {
		t.Fatalf("merged weight = %v, want [3]", w)
	}
	if g.Times[g.Offsets[0]] != 5 {
		t.Fatalf("merged time = %d, want 5", g.Times[g.Offsets[0]])
	}
	if g.Degree(2) != 1 || g.NumArcs() != 5 {
		t.Fatalf("self-loop stored %d times, arcs %d", g.Degree(2), g.NumArcs())
	}
	if _, err := FromEdges(2, []Edge{{0, 2, 1, 0}}, false, false, false); err == nil {
		t.Fatal("edge outside range accepted")
	}
}
