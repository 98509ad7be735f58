package features

import (
	"os"
	"testing"

	"riskwalk/graph"
	"riskwalk/internal/testenv"
)

// Benchmarks on the shared data sets (load excluded). Run with
//
//	go test -run ^$ -bench . ./features/
//
// The igraph comparison lives in bench/features (run.sh).

func loadBench(b testing.TB, name string, directed bool) *graph.Graph {
	return loadIntTSV(b, testenv.DataFile(b, name, "arcs.tsv.gz"), directed, 0)
}

func BenchmarkPageRankCNR(b *testing.B) {
	g := loadBench(b, "cnr-2000", true)
	b.ResetTimer()
	for range b.N {
		if _, _, err := PageRank(g, PageRankOptions{Tol: 1e-8}); err != nil { // the tolerance bench/features uses
			b.Fatal(err)
		}
	}
}

func BenchmarkTrianglesCNR(b *testing.B) {
	s := SymView(loadBench(b, "cnr-2000", true))
	b.ResetTimer()
	for range b.N {
		Triangles(s)
	}
}

func BenchmarkMotifsCNR(b *testing.B) {
	s := SymView(loadBench(b, "cnr-2000", true))
	b.ResetTimer()
	for range b.N {
		if _, err := Motifs(s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSupernode runs every feature group on a star of 10^6 leaves plus a sparse random
// graph around it (typed: the hub is a medium shared by every user), checking that no kernel
// goes quadratic at the hub. bench/features/run.sh runs it under a time budget.
func BenchmarkSupernode(b *testing.B) {
	g := Supernode(1_000_000, 7)
	labels := &Labels{Path: "synthetic", Bad: make([]bool, g.N), Known: make([]bool, g.N)}
	for v := uint32(1); v < g.N; v += 97 {
		labels.Bad[v], labels.Known[v] = true, true
		labels.NBad++
		labels.NKnown++
	}
	b.ResetTimer()
	for range b.N {
		_, err := Compute(g, Options{Labels: labels, Samples: 8, TwoHopPPR: true, Log: os.Stderr,
			Communities: func(g *graph.Graph) ([]uint32, float64, error) {
				id, _, _ := WCC(g) // stands in for Louvain: the kernels under test take any assignment
				return id, 0, nil
			}})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPageRankDBLP(b *testing.B) {
	g := loadBench(b, "dblp-2010", false)
	b.ResetTimer()
	for range b.N {
		if _, _, err := PageRank(g, PageRankOptions{Tol: 1e-8}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNeighbourLabelsSupernode: the neighbour label columns (one and two hops) on the
// supernode graph: the hub is counted at one hop but, above the degree cap, not expanded, so the
// cost stays linear in the arcs.
func BenchmarkNeighbourLabelsSupernode(b *testing.B) {
	g := Supernode(1_000_000, 7)
	known, bad := make([]bool, g.N), make([]bool, g.N)
	for v := uint32(1); v < g.N; v += 7 {
		known[v], bad[v] = true, v%97 == 1
	}
	b.ResetTimer()
	for range b.N {
		if _, err := NeighbourLabels(g, known, bad, NeighbourLabelOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkKCoreDBLP(b *testing.B) {
	s := SymView(loadBench(b, "dblp-2010", false))
	b.ResetTimer()
	for range b.N {
		KCore(s)
	}
}

// BenchmarkLabelDerivedFoldsCNR: every label-derived column on cnr-2000 (directed), with the
// out-of-fold columns of 5 folds (6 personalised PageRanks in all).
func BenchmarkLabelDerivedFoldsCNR(b *testing.B) {
	g := loadBench(b, "cnr-2000", true)
	known, bad := make([]bool, g.N), make([]bool, g.N)
	for v := uint32(0); v < g.N; v += 5 {
		known[v], bad[v] = true, v%50 == 0
	}
	s := SymView(g)
	b.ResetTimer()
	for range b.N {
		if _, err := LabelDerived(g, nil, bad, LabelOptions{Known: known, Folds: 5, View: s,
			Neighbour: &NeighbourLabelOptions{}}); err != nil {
			b.Fatal(err)
		}
	}
}
