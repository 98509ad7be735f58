package walk

import (
	"math"
	"testing"

	"riskwalk/graph"
)

// empirical runs many one-step walks out of v and returns the observed frequency of each
// neighbour (parallel to g.Neighbors(v)).
func empirical(t *testing.T, w *Walker, v uint32, trials int) []float64 {
	t.Helper()
	g := w.Graph()
	nb := g.Neighbors(v)
	pos := map[uint32]int{}
	for i, u := range nb {
		pos[u] = i
	}
	const batch = 256
	starts := make([]uint32, batch)
	for i := range starts {
		starts[i] = v
	}
	buf := make([]uint32, batch*w.Length())
	lens := make([]int32, batch)
	r := NewRand(7)
	cnt := make([]float64, len(nb))
	for done := 0; done < trials; done += batch {
		w.Fill(buf, lens, starts, &r)
		for j := 0; j < batch; j++ {
			if lens[j] < 2 {
				t.Fatalf("walk from %d stopped after %d nodes", v, lens[j])
			}
			i, ok := pos[buf[j*w.Length()+1]]
			if !ok {
				t.Fatalf("step %d->%d is not an arc", v, buf[j*w.Length()+1])
			}
			cnt[i]++
		}
	}
	for i := range cnt {
		cnt[i] /= float64(trials / batch * batch)
	}
	return cnt
}

// checkClose asserts each observed frequency lies within 5 standard errors of its expectation.
func checkClose(t *testing.T, got, want []float64, trials int) {
	t.Helper()
	for i := range want {
		se := math.Sqrt(want[i] * (1 - want[i]) / float64(trials))
		if math.Abs(got[i]-want[i]) > 5*se+1e-9 {
			t.Errorf("neighbour %d: frequency %.4f, want %.4f (5 s.e. = %.4f)", i, got[i], want[i], 5*se)
		}
	}
}

func star(t *testing.T, weights []float32, times []int64) *graph.Graph {
	t.Helper()
	var es []graph.Edge
	for i, w := range weights {
		e := graph.Edge{U: 0, V: uint32(i + 1), W: w}
		if times != nil {
			e.T = times[i]
		}
		es = append(es, e)
	}
	g, err := graph.FromEdges(uint32(len(weights)+1), es, false, true, times != nil)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestUniformTransitions(t *testing.T) {
	g := star(t, []float32{5, 1, 1, 9}, nil) // weights ignored by a uniform walk
	w, err := New(g, Config{Length: 3})
	if err != nil {
		t.Fatal(err)
	}
	const trials = 200_000
	checkClose(t, empirical(t, w, 0, trials), []float64{.25, .25, .25, .25}, trials)
}

func TestWeightedTransitions(t *testing.T) {
	ws := []float32{1, 2, 3, 4, 0, 10}
	g := star(t, ws, nil)
	w, err := New(g, Config{Length: 2, Weighted: true})
	if err != nil {
		t.Fatal(err)
	}
	want := make([]float64, len(ws))
	for i, x := range ws {
		want[i] = float64(x) / 20
	}
	p := w.Probabilities(0)
	for i := range want {
		if math.Abs(p[i]-want[i]) > 1e-6 {
			t.Errorf("alias table gives p[%d]=%.7f, want %.7f", i, p[i], want[i])
		}
	}
	const trials = 300_000
	checkClose(t, empirical(t, w, 0, trials), want, trials)
}

func TestTimeAwareTransitions(t *testing.T) {
	// Arc ages 0, 1, 2 half-lives: weights 1, 1/2, 1/4.
	g := star(t, []float32{1, 1, 1}, []int64{1000, 900, 800})
	w, err := New(g, Config{Length: 2, HalfLife: 100})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{4.0 / 7, 2.0 / 7, 1.0 / 7}
	const trials = 200_000
	checkClose(t, empirical(t, w, 0, trials), want, trials)
	if _, err := New(star(t, []float32{1}, nil), Config{Length: 2, HalfLife: 1}); err == nil {
		t.Error("time-aware walk on a graph without timestamps: no error")
	}
}

func TestHubCap(t *testing.T) {
	// Node 0 links to a hub (node 1, degree 101) and to node 2 (degree 1).
	es := []graph.Edge{{U: 0, V: 1, W: 1}, {U: 0, V: 2, W: 1}}
	for i := uint32(3); i < 103; i++ {
		es = append(es, graph.Edge{U: 1, V: i, W: 1})
	}
	g, err := graph.FromEdges(103, es, false, false, false)
	if err != nil {
		t.Fatal(err)
	}
	w, err := New(g, Config{Length: 2, HubCap: 10})
	if err != nil {
		t.Fatal(err)
	}
	hub := 10.0 / 101
	want := []float64{hub / (hub + 1), 1 / (hub + 1)}
	const trials = 100_000
	checkClose(t, empirical(t, w, 0, trials), want, trials)
}

func TestDeadEndAndDeterminism(t *testing.T) {
	// Directed path 0->1->2: a walk of 5 from 0 stops at 2.
	g, err := graph.FromEdges(3, []graph.Edge{{U: 0, V: 1}, {U: 1, V: 2}}, true, false, false)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := New(g, Config{Length: 5})
	buf := make([]uint32, 10)
	lens := make([]int32, 2)
	r := NewRand(1)
	steps := w.Fill(buf, lens, []uint32{0, 2}, &r)
	if lens[0] != 3 || lens[1] != 1 || steps != 2 || buf[0] != 0 || buf[1] != 1 || buf[2] != 2 || buf[5] != 2 {
		t.Fatalf("walks %v lens %v steps %d; want [0 1 2] and [2], 2 steps", buf, lens, steps)
	}
	if a := testing.AllocsPerRun(10, func() { w.Fill(buf, lens, []uint32{0, 1}, &r) }); a != 0 {
		t.Errorf("Fill allocates %v times per call", a)
	}
}

func TestPermIsBijection(t *testing.T) {
	for _, n := range []uint64{1, 2, 3, 7, 64, 1000, 4097} {
		p := NewPerm(n, 42)
		seen := make([]bool, n)
		fixed := 0
		for i := uint64(0); i < n; i++ {
			j := p.At(i)
			if j >= n || seen[j] {
				t.Fatalf("n=%d: At(%d)=%d repeats or is out of range", n, i, j)
			}
			seen[j] = true
			if j == i {
				fixed++
			}
		}
		if n >= 1000 && fixed > 20 {
			t.Errorf("n=%d: %d fixed points, a shuffle should have about 1", n, fixed)
		}
	}
}
