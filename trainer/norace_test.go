//go:build !race

package trainer

import "testing"

// Hogwild workers race on the shared matrices by design (Recht et al. 2011: lock-free updates of
// sparse rows), so the race detector would flag every multi-thread run; this file is built only
// without -race, and `make test` runs it through mk/trainer.mk's test-trainer-norace
// (go test -run NoRace ./trainer/).

// TestTwoCliquesSeparateMultiThreadNoRace: with 2 Hogwild workers (per-pair and HogBatch), two
// cliques joined by one edge still separate, and every unit is trained exactly once.
func TestTwoCliquesSeparateMultiThreadNoRace(t *testing.T) {
	const k = 10
	for _, hog := range []bool{false, true} {
		cfg := small
		cfg.Threads, cfg.HogBatch = 2, hog
		j := newJob(t, twoCliques(t, k), cfg)
		st, err := Train(j)
		if err != nil {
			t.Fatal(err)
		}
		if st.Threads != 2 || st.UnitsDone != j.Units() || st.Walks != int64(2*k*cfg.WalksPerNode) {
			t.Fatalf("hogbatch=%v: stats %+v, want %d units and %d walks on 2 threads", hog, st, j.Units(), 2*k*cfg.WalksPerNode)
		}
		checkCliques(t, j.Model, k)
	}
}
