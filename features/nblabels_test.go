package features

import (
	"math"
	"math/rand/v2"
	"testing"
)

// randomLabels marks about frac of the nodes known, a third of those bad.
func randomLabels(n int, seed uint64, frac float64) (known, bad []bool) {
	rng := rand.New(rand.NewPCG(seed, 3))
	known, bad = make([]bool, n), make([]bool, n)
	for v := range n {
		if rng.Float64() < frac {
			known[v] = true
			bad[v] = rng.IntN(3) == 0
		}
	}
	return
}

// TestNeighbourLabelsVerifier checks every column against a brute-force count over the dense
// undirected adjacency matrix, on directed and undirected random graphs with hubs and self-loops.
func TestNeighbourLabelsVerifier(t *testing.T) {
	for _, directed := range []bool{false, true} {
		g := randomGraph(t, 11, 300, 1500, directed, false)
		a := dense(g)
		n := int(g.N)
		known, bad := randomLabels(n, 5, 0.5)
		var P, T float64
		for v := range n {
			if known[v] {
				T++
				if bad[v] {
					P++
				}
			}
		}
		const alpha = 2
		prior := func(v int) float64 {
			p, t := P, T
			if known[v] {
				t--
				if bad[v] {
					p--
				}
			}
			return p / t
		}
		nbrs := func(v int) []int {
			var out []int
			for u := range n {
				if u != v && a[v][u] != 0 {
					out = append(out, u)
				}
			}
			return out
		}
		cols, err := NeighbourLabels(g, known, bad, NeighbourLabelOptions{Smoothing: alpha, Hop2DegreeCap: 1 << 30})
		if err != nil {
			t.Fatal(err)
		}
		for v := range n {
			var l1, b1 float64
			in2 := map[int]bool{}
			for _, u := range nbrs(v) {
				if known[u] {
					l1++
					if bad[u] {
						b1++
					}
				}
				in2[u] = true
				for _, x := range nbrs(u) {
					if x != v {
						in2[x] = true
					}
				}
			}
			var l2, b2 float64
			for x := range in2 {
				if known[x] {
					l2++
					if bad[x] {
						b2++
					}
				}
			}
			p := prior(v)
			mean, k := 0.0, 0
			for _, u := range nbrs(v) {
				var lu, bu float64
				for _, x := range nbrs(u) {
					if x != v && known[x] {
						lu++
						if bad[x] {
							bu++
						}
					}
				}
				mean += (bu + alpha*p) / (lu + alpha)
				k++
			}
			if k > 0 {
				mean /= float64(k)
			} else {
				mean = p
			}
			want := []float64{l1, b1, (b1 + alpha*p) / (l1 + alpha), l2, b2, (b2 + alpha*p) / (l2 + alpha), mean}
			for j, c := range cols {
				if math.Abs(float64(c.F[v])-want[j]) > 1e-5 {
					t.Fatalf("directed=%v node %d: %s = %v, brute force %v", directed, v, c.Name, c.F[v], want[j])
				}
			}
		}
	}
}

// TestLabelDerivedOwnLabel: with Folds, no label-derived column of a training node depends on its
// own label. Flipping one training node's label leaves its whole row unchanged; without Folds the
// self-including aggregates (ppr, louvain_bad) move, which is the gap a model would learn.
func TestLabelDerivedOwnLabel(t *testing.T) {
	g := randomGraph(t, 3, 400, 3000, false, false)
	n := int(g.N)
	comm := make([]uint32, n)
	for v := range comm {
		comm[v] = uint32(v % 4)
	}
	known, bad := randomLabels(n, 9, 0.6)
	row := func(folds int, bad []bool, v int) map[string]float64 {
		opt := LabelOptions{Known: known, Neighbour: &NeighbourLabelOptions{}, Folds: folds,
			PageRank: PageRankOptions{Damping: 0.85, Tol: 1e-12, MaxIter: 1000}}
		cols, err := LabelDerived(g, comm, bad, opt)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]float64{}
		for _, c := range cols {
			if c.Type == Float32 {
				out[c.Name] = float64(c.F[v])
			} else {
				out[c.Name] = float64(c.U[v])
			}
		}
		return out
	}
	moved := map[string]bool{}
	checked := 0
	for v := 0; v < n && checked < 6; v++ {
		if !known[v] {
			continue
		}
		checked++
		flip := append([]bool(nil), bad...)
		flip[v] = !flip[v]
		before, after := row(5, bad, v), row(5, flip, v)
		if len(before) != 4+len(NeighbourLabelNames) {
			t.Fatalf("got columns %v", before)
		}
		for name, x := range before {
			if after[name] != x {
				t.Errorf("node %d: flipping its own label moved %s from %v to %v", v, name, x, after[name])
			}
		}
		b0, b1 := row(0, bad, v), row(0, flip, v)
		for name, x := range b0 {
			if b1[name] != x {
				moved[name] = true
			}
		}
	}
	if !moved["ppr"] {
		t.Errorf("without folds, flipping a node's own label moved only %v; want ppr (the control)", moved)
	}
	// Leaving a node out of its own community count makes a bad node's count one less than a
	// good node's in the same community; with folds, a bad and a good training node of the same
	// community and fold get the same count.
	for _, folds := range []int{0, 5} {
		cols, err := LabelDerived(g, comm, bad, LabelOptions{Known: known, Folds: folds})
		if err != nil {
			t.Fatal(err)
		}
		count := func(v int) float64 {
			if cols[0].Type == Uint32 {
				return float64(cols[0].U[v])
			}
			return float64(cols[0].F[v])
		}
		var pb, pg = -1, -1
		for v := range n {
			if known[v] && comm[v] == 0 && foldOf(v, 5) == 0 {
				if bad[v] && pb < 0 {
					pb = v
				} else if !bad[v] && pg < 0 {
					pg = v
				}
			}
		}
		if pb < 0 || pg < 0 {
			t.Fatal("no bad and good training node in community 0, fold 0")
		}
		if d := count(pg) - count(pb); (folds > 1) != (d == 0) {
			t.Errorf("folds %d: louvain_bad of a good node %v, of a bad node %v in the same community and fold", folds, count(pg), count(pb))
		}
	}
}
