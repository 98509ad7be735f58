//go:build !race

package partition

import "testing"

// The large graphs take minutes under the race detector, so they run only without it: make test
// runs them in its test-big step (go test -run Big ./partition/).
func TestBigBalanceAndCut(t *testing.T) {
	checkBalanceAndCut(t, []namedGraph{
		{"dblp-2010", loadShared(t, "dblp-2010", "arcs.tsv.gz", false)},
		{"cnr-2000", loadShared(t, "cnr-2000", "arcs.tsv.gz", true)},
		{"planted", planted(100000, 200, 8, 2, 2)},
	})
}

// cnr-2000 has one community with a fifth of the edges. Packing used to cut it in BFS order and
// push every later cut into the next large community (21.8% of edges cut at R=8, METIS 10.3%);
// giving it whole parts and refining it by Louvain brought that to 9.7%. Guard against regressions.
func TestBigOversizedCommunity(t *testing.T) {
	g := loadShared(t, "cnr-2000", "arcs.tsv.gz", true)
	p, _, err := Louvain(g, 8, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := Evaluate(g, p)
	t.Logf("cnr-2000 R=8: cut %.2f%% balance %.3f", s.CutPct, s.Balance)
	if s.CutPct > 12 || s.Balance > 1.05 {
		t.Fatalf("cnr-2000 R=8: cut %.2f%% (want ≤ 12%%, METIS gets 10.3%%), balance %.3f", s.CutPct, s.Balance)
	}
}
