package model

import (
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"testing"
)

// xorData: bad iff sign(a) != sign(b) (with label noise); c is noise. A linear model cannot
// separate it, trees can.
func xorData(n int, seed uint64) (*Matrix, []bool) {
	r := rand.New(rand.NewPCG(seed, 11))
	m := NewMatrix(n, []string{"a", "b", "c"})
	y := make([]bool, n)
	for i := 0; i < n; i++ {
		row := m.Row(i)
		row[0], row[1], row[2] = r.NormFloat64(), r.NormFloat64(), float64(r.IntN(4))
		y[i] = (row[0] > 0) != (row[1] > 0)
		if r.Float64() < 0.05 {
			y[i] = !y[i]
		}
	}
	return m, y
}

func seq(lo, hi int) []int {
	s := make([]int, 0, hi-lo)
	for i := lo; i < hi; i++ {
		s = append(s, i)
	}
	return s
}

func scoresOf(score func([]float64) float64, m *Matrix, rows []int) []float64 {
	s := make([]float64, len(rows))
	for k, i := range rows {
		s[k] = score(m.Row(i))
	}
	return s
}

func labelsOf(y []bool, rows []int) []bool {
	out := make([]bool, len(rows))
	for k, i := range rows {
		out[k] = y[i]
	}
	return out
}

func TestGBDTLearnsInteraction(t *testing.T) {
	m, y := xorData(4000, 1)
	train, val, test := seq(0, 2000), seq(2000, 3000), seq(3000, 4000)
	g, info, err := FitGBDT(m, y, train, val, GBDTOptions{Rounds: 300, Seed: 1, Subsample: 0.8, ColSample: 0.67})
	if err != nil {
		t.Fatal(err)
	}
	auc := ROCAUC(scoresOf(g.Score, m, test), labelsOf(y, test))
	lr, _, _ := FitLogReg(m, y, train, LogRegOptions{})
	lrAUC := ROCAUC(scoresOf(lr.Score, m, test), labelsOf(y, test))
	if auc < 0.9 || lrAUC > 0.65 {
		t.Errorf("test AUC gbdt %.3f (want >= 0.9), logreg %.3f (want < 0.65 on xor)", auc, lrAUC)
	}
	if info.Best != len(g.Trees) || info.Best == 0 || len(info.Curve) != info.Rounds {
		t.Errorf("info %+v, %d trees", info, len(g.Trees))
	}
	// Early stopping kept the best validation round.
	for k, v := range info.Curve {
		if v < info.BestValue {
			t.Errorf("round %d logloss %v beats the kept best %v", k+1, v, info.BestValue)
		}
	}
	near(t, "best value", info.Curve[info.Best-1], info.BestValue, 0)
}

func TestGBDTDeterministic(t *testing.T) {
	m, y := xorData(3000, 2)
	opt := GBDTOptions{Rounds: 40, Seed: 9, Subsample: 0.7, ColSample: 0.67, MaxLeaves: 8}
	defer func(w int) { parallelMinWork = w }(parallelMinWork)
	parallelMinWork = 0
	prev := runtime.GOMAXPROCS(1)
	a, _, err := FitGBDT(m, y, seq(0, 2000), seq(2000, 3000), opt)
	runtime.GOMAXPROCS(max(prev, 4))
	b, _, _ := FitGBDT(m, y, seq(0, 2000), seq(2000, 3000), opt)
	runtime.GOMAXPROCS(prev)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.Trees, b.Trees) {
		t.Error("same seed, different core counts: different trees")
	}
	opt.Seed = 10
	c, _, _ := FitGBDT(m, y, seq(0, 2000), seq(2000, 3000), opt)
	if reflect.DeepEqual(a.Trees, c.Trees) {
		t.Error("different seeds gave identical subsampled trees")
	}
}

// TestGBDTStumpIsBestSplit verifies one depth-1 tree against a brute-force search over every
// threshold between distinct values with the Newton gain computed from scratch.
func TestGBDTStumpIsBestSplit(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	n := 200
	m := NewMatrix(n, []string{"u", "v"})
	y := make([]bool, n)
	for i := 0; i < n; i++ {
		m.Set(i, 0, math.Round(r.NormFloat64()*10)/10)
		m.Set(i, 1, float64(r.IntN(7)))
		y[i] = r.Float64() < sigmoid(m.At(i, 0)-0.3*m.At(i, 1)+1)
	}
	lambda := 0.5
	g, _, err := FitGBDT(m, y, seq(0, n), nil, GBDTOptions{Rounds: 1, MaxDepth: 1, LearningRate: 1, Lambda: lambda, MinChildRows: 1, MinChildWeight: 1e-9})
	if err != nil {
		t.Fatal(err)
	}
	var P int
	for _, b := range y {
		if b {
			P++
		}
	}
	p := float64(P) / float64(n)
	gr := func(i int) float64 {
		if y[i] {
			return p - 1
		}
		return p
	}
	h := p * (1 - p)
	bestGain, bestF, bestThr := -1.0, -1, 0.0
	for f := 0; f < 2; f++ {
		for _, thr := range uniqueMidpoints(m.Col(nil, f)) {
			var gl, hl, gtot, htot float64
			for i := 0; i < n; i++ {
				gtot += gr(i)
				htot += h
				if m.At(i, f) <= thr {
					gl += gr(i)
					hl += h
				}
			}
			gain := 0.5 * (gl*gl/(hl+lambda) + (gtot-gl)*(gtot-gl)/(htot-hl+lambda) - gtot*gtot/(htot+lambda))
			if gain > bestGain+1e-12 {
				bestGain, bestF, bestThr = gain, f, thr
			}
		}
	}
	tr := g.Trees[0]
	if int(tr.Feature[0]) != bestF || math.Abs(tr.Threshold[0]-bestThr) > 1e-12 {
		t.Errorf("stump splits feature %d at %v, brute force says feature %d at %v", tr.Feature[0], tr.Threshold[0], bestF, bestThr)
	}
	// Leaf values are -G/(H+λ) of each side.
	var gl, hl, gtot, htot float64
	for i := 0; i < n; i++ {
		gtot += gr(i)
		htot += h
		if m.At(i, bestF) <= bestThr {
			gl += gr(i)
			hl += h
		}
	}
	near(t, "left leaf", tr.Value[tr.Left[0]], -gl/(hl+lambda), 1e-9)
	near(t, "right leaf", tr.Value[tr.Right[0]], -(gtot-gl)/(htot-hl+lambda), 1e-9)
	near(t, "base", g.Base, math.Log(p/(1-p)), 1e-12)
}

func uniqueMidpoints(xs []float64) []float64 {
	s := append([]float64(nil), xs...)
	for i := 1; i < len(s); i++ { // insertion sort: small input
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	var out []float64
	for i := 1; i < len(s); i++ {
		if s[i] != s[i-1] {
			out = append(out, s[i-1]+(s[i]-s[i-1])/2)
		}
	}
	return out
}

func TestGBDTExplainAndAllocs(t *testing.T) {
	m, y := xorData(1500, 3)
	g, _, err := FitGBDT(m, y, seq(0, 1000), seq(1000, 1500), GBDTOptions{Rounds: 50, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	dst := make([]Contribution, 0, 8)
	for _, i := range []int{3, 17, 1200} {
		x := m.Row(i)
		cs := g.Explain(dst[:0], x)
		sum := g.Bias()
		for _, c := range cs {
			sum += c.Contribution
		}
		near(t, "bias + saabas contributions", sum, g.Raw(x), 1e-9)
		if cs[len(cs)-1].Name != "c" && math.Abs(cs[len(cs)-1].Contribution) > math.Abs(cs[0].Contribution) {
			t.Errorf("contributions unsorted: %+v", cs)
		}
	}
	x := m.Row(5)
	if a := testing.AllocsPerRun(100, func() { _ = g.Score(x) }); a != 0 {
		t.Errorf("Score allocates %v times", a)
	}
	if a := testing.AllocsPerRun(100, func() { dst = g.Explain(dst[:0], x) }); a != 0 {
		t.Errorf("Explain allocates %v times", a)
	}
}

func TestGBDTNonFinite(t *testing.T) {
	m, y := xorData(300, 4)
	m.Set(10, 1, math.Inf(1))
	if _, _, err := FitGBDT(m, y, seq(0, 200), nil, GBDTOptions{Rounds: 2}); err == nil {
		t.Error("Inf in training rows accepted without SkipNonFinite")
	}
	_, info, err := FitGBDT(m, y, seq(0, 200), nil, GBDTOptions{Rounds: 2, SkipNonFinite: true})
	if err != nil || info.NonFinite != 1 {
		t.Errorf("skip: err %v, counted %d", err, info.NonFinite)
	}
	if _, _, err := FitGBDT(m, y, seq(0, 200), nil, GBDTOptions{LearningRate: 2}); err == nil {
		t.Error("learning rate 2 accepted")
	}
}

func TestBinsAgreeWithThresholds(t *testing.T) {
	// Many distinct values: greedy quantile bins. bin(x) <= b must equal x <= edges[b].
	r := rand.New(rand.NewPCG(8, 8))
	m := NewMatrix(5000, []string{"x"})
	for i := range m.Data {
		m.Data[i] = math.Round(r.ExpFloat64()*1000) / 7
	}
	tr := &gbTrainer{n: 5000, nf: 1, maxB: 32}
	tr.binFeatures(m, seq(0, 5000))
	if tr.nbins[0] > 32 || tr.nbins[0] < 16 {
		t.Errorf("%d bins for 32 requested", tr.nbins[0])
	}
	e := tr.edges[0]
	for k := 0; k < 5000; k++ {
		x := m.Data[k]
		b := int(tr.bins[k])
		if x > e[b] || (b > 0 && x <= e[b-1]) {
			t.Fatalf("x=%v in bin %d with edges %v..%v", x, b, e[max(b-1, 0)], e[b])
		}
	}
}
