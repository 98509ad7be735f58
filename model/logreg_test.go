package model

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestStandardizerTrainRowsOnly(t *testing.T) {
	m := NewMatrix(4, []string{"a", "const", "b"})
	copy(m.Data, []float64{
		1, 5, 10,
		3, 5, 20,
		100, 5, -7, // not a training row
		math.NaN(), 9, 0, // not a training row
	})
	s, rep, err := FitStandardizer(m, []int{0, 1}, StandardizeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "mean a", s.Mean[0], 2, 0)
	near(t, "std a", s.Std[0], 1, 0)
	near(t, "std b", s.Std[2], 5, 0)
	if s.Std[1] != 0 || len(rep.Constant) != 1 || rep.Constant[0] != "const" {
		t.Errorf("constant column not detected: std %v, report %+v", s.Std[1], rep)
	}
	z := s.Transform(make([]float64, 3), m.Row(2))
	near(t, "z a", z[0], 98, 1e-12)
	near(t, "z const", z[1], 0, 0) // constant columns give 0 even for new values
	near(t, "z b", z[2], -22.0/5, 1e-12)
	// Row 3 holds NaN; including it fails with row and column named.
	_, _, err = FitStandardizer(m, []int{0, 3}, StandardizeOptions{})
	var nf *NonFinite
	if !errors.As(err, &nf) || nf.Row != 3 || nf.Name != "a" || !strings.Contains(err.Error(), "row 3 column 0 (a)") {
		t.Fatalf("want NonFinite at row 3 column a, got %v", err)
	}
	s, rep, err = FitStandardizer(m, []int{0, 1, 3}, StandardizeOptions{SkipNonFinite: true})
	if err != nil || rep.NonFinite[0] != 1 || rep.TotalNonFinite() != 1 {
		t.Fatalf("skip: err %v report %+v", err, rep)
	}
	near(t, "mean a over finite", s.Mean[0], 2, 0)
	near(t, "NaN imputed to 0", s.Z(0, math.NaN()), 0, 0)
}

// synth makes rows with d features; the log-odds are linear in the first features (plus noise).
func synth(n, d int, seed uint64) (*Matrix, []bool) {
	r := rand.New(rand.NewPCG(seed, 7))
	names := make([]string, d)
	for j := range names {
		names[j] = "f" + string(rune('a'+j))
	}
	m := NewMatrix(n, names)
	y := make([]bool, n)
	for i := 0; i < n; i++ {
		row := m.Row(i)
		for j := range row {
			row[j] = r.NormFloat64()*float64(j+1) + float64(j)
		}
		s := -1.5 + 1.2*(row[0]) - 0.4*(row[1]-1)
		if d > 2 {
			s += 0.3 * (row[2] - 2) / 3
		}
		y[i] = r.Float64() < sigmoid(s)
	}
	return m, y
}

// objGrad is the verifier: the objective's gradient computed directly from its definition.
func objGrad(lr *LogReg, m *Matrix, y []bool, rows []int, cp, cn, lambda float64) []float64 {
	d := len(lr.W)
	g := make([]float64, d+1)
	var csum float64
	z := make([]float64, d)
	for _, i := range rows {
		c, t := cn, 0.0
		if y[i] {
			c, t = cp, 1
		}
		csum += c
		lr.Scale.Transform(z, m.Row(i))
		r := c * (lr.Score(m.Row(i)) - t)
		for j := range z {
			g[j] += r * z[j]
		}
		g[d] += r
	}
	for j := range g {
		g[j] /= csum
	}
	for j := 0; j < d; j++ {
		g[j] += lambda * lr.W[j]
	}
	return g
}

func TestLogRegConvergesToStationaryPoint(t *testing.T) {
	m, y := synth(3000, 4, 1)
	rows := make([]int, 0, 2000)
	for i := 0; i < 2000; i++ {
		rows = append(rows, i)
	}
	for _, opt := range []LogRegOptions{{}, {Lambda: 0.1}, {NoPenalty: true, PosWeight: 1, NegWeight: 1}} {
		lr, info, err := FitLogReg(m, y, rows, opt)
		if err != nil {
			t.Fatal(err)
		}
		if !info.Converged || info.Iterations == 0 {
			t.Errorf("%+v: not converged: %+v", opt, info)
		}
		g := objGrad(lr, m, y, rows, info.PosWeight, info.NegWeight, info.Lambda)
		for j, v := range g {
			if math.Abs(v) > 1e-5 {
				t.Errorf("%+v: gradient[%d] = %v at the solution", opt, j, v)
			}
		}
		// The fit generalises: AUC on held-out rows well above chance.
		var s []float64
		var yt []bool
		for i := 2000; i < 3000; i++ {
			s = append(s, lr.Score(m.Row(i)))
			yt = append(yt, y[i])
		}
		if auc := ROCAUC(s, yt); auc < 0.75 {
			t.Errorf("%+v: held-out AUC %v", opt, auc)
		}
	}
	// Stronger penalty shrinks the weights.
	a, _, _ := FitLogReg(m, y, rows, LogRegOptions{Lambda: 1e-4})
	b, _, _ := FitLogReg(m, y, rows, LogRegOptions{Lambda: 1})
	if math.Abs(b.W[0]) >= math.Abs(a.W[0]) {
		t.Errorf("lambda 1 weight %v not smaller than lambda 1e-4 weight %v", b.W[0], a.W[0])
	}
}

func TestLogRegBalancedWeights(t *testing.T) {
	m, y := synth(2000, 3, 2)
	_, info, err := FitLogReg(m, y, nil, LogRegOptions{})
	if err != nil {
		t.Fatal(err)
	}
	P, N := countPos(y)
	near(t, "pos weight", info.PosWeight, float64(P+N)/(2*float64(P)), 1e-12)
	near(t, "balanced total", info.PosWeight*float64(P), info.NegWeight*float64(N), 1e-9)
	if _, _, err := FitLogReg(m, make([]bool, m.Rows), nil, LogRegOptions{}); err == nil {
		t.Error("single-class fit should fail")
	}
}

func TestLogRegExplainAndAllocs(t *testing.T) {
	m, y := synth(1000, 5, 3)
	lr, _, err := FitLogReg(m, y, nil, LogRegOptions{})
	if err != nil {
		t.Fatal(err)
	}
	x := m.Row(7)
	dst := make([]Contribution, 0, 16)
	cs := lr.Explain(dst, x)
	sum := lr.B
	for k, c := range cs {
		sum += c.Contribution
		if k > 0 && math.Abs(c.Contribution) > math.Abs(cs[k-1].Contribution) {
			t.Errorf("contributions not sorted by magnitude: %v", cs)
		}
		if c.Name != m.Names[c.Feature] || c.Value != x[c.Feature] {
			t.Errorf("contribution %+v mislabelled", c)
		}
	}
	near(t, "bias + contributions", sum, lr.Raw(x), 1e-12)
	if a := testing.AllocsPerRun(100, func() { _ = lr.Score(x) }); a != 0 {
		t.Errorf("Score allocates %v times", a)
	}
	if a := testing.AllocsPerRun(100, func() { dst = lr.Explain(dst[:0], x) }); a != 0 {
		t.Errorf("Explain allocates %v times", a)
	}
}
