package main

import (
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"riskwalk/internal/testenv"
)

func loadTolokers(t testing.TB) *Data {
	t.Helper()
	d, err := Load(filepath.Dir(testenv.DataFile(t, "tolokers", "labels.tsv")))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestShufflingTestLabelsLeavesFeaturesUnchanged is issue 6's label-hygiene proof: permuting the
// labels of the test rows (and, for good measure, the validation rows) among themselves changes
// no feature value of any node, for every split.
func TestShufflingTestLabelsLeavesFeaturesUnchanged(t *testing.T) {
	d := loadTolokers(t)
	base := BaseFeatures(d.G, d.Attr)
	cfg := &Config{}
	r := rand.New(rand.NewPCG(1, 1))
	for s, sp := range d.Splits {
		if testing.Short() && s > 0 {
			break
		}
		before, err := Features(d, base, s, cfg)
		if err != nil {
			t.Fatal(err)
		}
		orig := append([]bool(nil), d.Bad...)
		changed := 0
		for _, rows := range [][]int{sp.Test, sp.Val} {
			perm := r.Perm(len(rows))
			for k, i := range rows {
				d.Bad[i] = orig[rows[perm[k]]]
			}
			for k := range rows {
				if d.Bad[rows[k]] != orig[rows[k]] {
					changed++
				}
			}
		}
		// Flipping every test label must not matter either.
		after, err := Features(d, base, s, cfg)
		for _, i := range sp.Test {
			d.Bad[i] = !d.Bad[i]
		}
		flipped, err2 := Features(d, base, s, cfg)
		copy(d.Bad, orig)
		if err != nil || err2 != nil {
			t.Fatal(err, err2)
		}
		if changed < len(sp.Test)/10 {
			t.Fatalf("split %d: shuffle changed only %d labels; the test would prove nothing", s+1, changed)
		}
		if !reflect.DeepEqual(before.Data, after.Data) || !reflect.DeepEqual(before.Data, flipped.Data) {
			t.Fatalf("split %d: features changed when test/validation labels were shuffled or flipped", s+1)
		}
		// And the check has teeth: shuffling training labels does change the label features.
		perm := r.Perm(len(sp.Train))
		for k, i := range sp.Train {
			d.Bad[i] = orig[sp.Train[perm[k]]]
		}
		trainShuffled, _ := Features(d, base, s, cfg)
		copy(d.Bad, orig)
		if reflect.DeepEqual(before.Data, trainShuffled.Data) {
			t.Fatalf("split %d: shuffling training labels left the features unchanged; label features are not label-derived", s+1)
		}
	}
}

// TestOwnLabelNeverInOwnRow: flipping one training node's label changes its neighbours' label
// features but none of its own.
func TestOwnLabelNeverInOwnRow(t *testing.T) {
	d := loadTolokers(t)
	train := d.Splits[0].Train
	before := LabelFeatures(d.G, d.Hop2(), d.Bad, train)
	for _, v := range train[:20] {
		d.Bad[v] = !d.Bad[v]
		after := LabelFeatures(d.G, d.Hop2(), d.Bad, train)
		d.Bad[v] = !d.Bad[v]
		if !reflect.DeepEqual(before.Row(v), after.Row(v)) {
			t.Fatalf("node %d: own row changed with its own label: %v -> %v", v, before.Row(v), after.Row(v))
		}
		if nb := d.G.Neighbors(uint32(v)); len(nb) > 0 && reflect.DeepEqual(before.Row(int(nb[0])), after.Row(int(nb[0]))) {
			t.Fatalf("node %d: neighbour %d did not see the flipped label", v, nb[0])
		}
	}
}

// TestLabelFeaturesVerifier checks LabelFeatures against a direct set-based recount on a small
// graph with a self-loop.
func TestLabelFeaturesVerifier(t *testing.T) {
	edges := [][2]uint32{{0, 1}, {1, 2}, {2, 3}, {3, 4}, {1, 3}, {5, 5}, {5, 0}}
	g := buildGraph(t, 6, edges)
	bad := []bool{true, false, true, true, false, true}
	train := []int{0, 2, 3, 5}
	m := LabelFeatures(g, NewHop2(g), bad, train)
	inTrain := map[int]bool{0: true, 2: true, 3: true, 5: true}
	for v := 0; v < 6; v++ {
		hop := map[int]bool{}
		for _, u := range g.Neighbors(uint32(v)) {
			hop[int(u)] = true
			for _, x := range g.Neighbors(u) {
				hop[int(x)] = true
			}
		}
		delete(hop, v)
		var l2, b2 float64
		for u := range hop {
			if inTrain[u] {
				l2++
				if bad[u] {
					b2++
				}
			}
		}
		if m.At(v, 3) != l2 || m.At(v, 4) != b2 {
			t.Errorf("node %d: hop2 labelled/bad %v/%v, want %v/%v", v, m.At(v, 3), m.At(v, 4), l2, b2)
		}
	}
	// node 1: neighbours 0 (bad), 2 (bad), 3 (bad): all training-labelled.
	if m.At(1, 0) != 3 || m.At(1, 1) != 3 {
		t.Errorf("node 1 nb labelled/bad = %v/%v, want 3/3", m.At(1, 0), m.At(1, 1))
	}
	// node 5's self-loop must not count its own (bad) label: only neighbour 0.
	if m.At(5, 0) != 1 || m.At(5, 1) != 1 {
		t.Errorf("node 5 nb labelled/bad = %v/%v, want 1/1", m.At(5, 0), m.At(5, 1))
	}
}

func BenchmarkLabelFeatures(b *testing.B) {
	d := loadTolokers(b)
	t0 := time.Now()
	d.Hop2()
	b.Logf("two-hop sets built in %v", time.Since(t0))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		LabelFeatures(d.G, d.Hop2(), d.Bad, d.Splits[0].Train)
	}
}
