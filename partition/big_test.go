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
