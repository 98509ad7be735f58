package trainer

import (
	"slices"
	"testing"

	"riskwalk/graph"
)

// TestDirtyMarksChangedRows runs a few work units on a long ring (so they touch a small share of
// the rows) with Job.Dirty set and checks that every row whose In or Out changed is marked, and
// that the marks are not simply every row.
func TestDirtyMarksChangedRows(t *testing.T) {
	const n = 3000
	var es []graph.Edge
	for u := uint32(0); u < n; u++ {
		es = append(es, graph.Edge{U: u, V: (u + 1) % n}, graph.Edge{U: u, V: (u + 7) % n})
	}
	g, err := graph.FromEdges(n, es, false, false, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, hog := range []bool{false, true} {
		cfg := small
		cfg.HogBatch, cfg.Negative = hog, 3 // one thread: Hogwild workers race on the matrices by design (see norace_test.go)
		j := newJob(t, g, cfg)
		in0, out0 := slices.Clone(j.Model.In), slices.Clone(j.Model.Out)
		j.DirtyIn, j.DirtyOut = make([]uint64, (n+63)/64), make([]uint64, (n+63)/64)
		j.EndUnit = 4
		if _, err := Train(j); err != nil {
			t.Fatal(err)
		}
		m := j.Model
		for _, c := range []struct {
			name       string
			bits       []uint64
			before, mm []float32
		}{{"In", j.DirtyIn, in0, m.In}, {"Out", j.DirtyOut, out0, m.Out}} {
			marked, changed := 0, 0
			for r := 0; r < n; r++ {
				d := c.bits[r/64]>>(r%64)&1 != 0
				lo, hi := r*m.Stride, r*m.Stride+m.Dim
				ch := !slices.Equal(c.before[lo:hi], c.mm[lo:hi])
				if ch && !d {
					t.Fatalf("hogbatch=%v: %s row %d changed but is not marked dirty", hog, c.name, r)
				}
				if d {
					marked++
				}
				if ch {
					changed++
				}
			}
			t.Logf("hogbatch=%v: %d %s rows changed, %d marked, of %d", hog, changed, c.name, marked, n)
			if changed == 0 || marked >= n {
				t.Fatalf("hogbatch=%v: %d %s rows changed, %d of %d marked: the test no longer exercises the bitset", hog, changed, c.name, marked, n)
			}
		}
	}
}

// TestAddScaledExact: with a = ±1, AddScaled equals the plain loop bit for bit (package spmd
// relies on it for dirty-row and full syncs to agree), at lengths with and without a SIMD tail.
func TestAddScaledExact(t *testing.T) {
	for _, n := range []int{1, 16, 64, 67, 128} {
		x, y := make([]float32, n), make([]float32, n)
		for i := range x {
			x[i], y[i] = float32(i)*0.37-3.1, 1/float32(i+3)
		}
		for _, a := range []float32{1, -1} {
			got, want := slices.Clone(y), slices.Clone(y)
			AddScaled(a, x, got)
			for i := range want {
				want[i] += a * x[i]
			}
			if !slices.Equal(got, want) {
				t.Fatalf("n=%d a=%v: %v, want %v", n, a, got, want)
			}
		}
	}
}
