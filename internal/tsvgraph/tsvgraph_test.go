package tsvgraph

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"riskwalk/graph"
)

// The counting-sort builder must agree with graph.FromEdges, the reference builder.
func TestAgreesWithFromEdges(t *testing.T) {
	p := filepath.Join(t.TempDir(), "e.tsv")
	data := "# comment\n0\t1\n1\t0\n2\t2\n3\t1\t7\n1\t3\n4\t0\n"
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	edges := []graph.Edge{{U: 0, V: 1}, {U: 1, V: 0}, {U: 2, V: 2}, {U: 3, V: 1}, {U: 1, V: 3}, {U: 4, V: 0}}
	for _, directed := range []bool{false, true} {
		g, err := Load(p, Options{Directed: directed})
		if err != nil {
			t.Fatal(err)
		}
		ref, _ := graph.FromEdges(5, edges, directed, false, false)
		if g.N != ref.N || !slices.Equal(g.Offsets, ref.Offsets) || !slices.Equal(g.Adj, ref.Adj) {
			t.Fatalf("directed=%v: got %v %v want %v %v", directed, g.Offsets, g.Adj, ref.Offsets, ref.Adj)
		}
	}
	g, _ := Load(p, Options{NoSelfLoops: true})
	if slices.Contains(g.Neighbors(2), 2) {
		t.Fatal("self-loop kept")
	}
}

func TestBadLine(t *testing.T) {
	p := filepath.Join(t.TempDir(), "e.tsv")
	os.WriteFile(p, []byte("0\t1\nx\t2\n"), 0o644)
	if _, err := Load(p, Options{}); err == nil || !strings.Contains(err.Error(), "e.tsv:2") {
		t.Fatalf("want file:line error, got %v", err)
	}
}
