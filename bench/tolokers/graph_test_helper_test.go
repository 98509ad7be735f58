package main

import (
	"testing"

	"riskwalk/graph"
)

func buildGraph(t *testing.T, n uint32, es [][2]uint32) *graph.Graph {
	t.Helper()
	var edges []graph.Edge
	for _, e := range es {
		edges = append(edges, graph.Edge{U: e[0], V: e[1], W: 1})
	}
	g, err := graph.FromEdges(n, edges, false, false, false)
	if err != nil {
		t.Fatal(err)
	}
	return g
}
