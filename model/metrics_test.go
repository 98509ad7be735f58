package model

import (
	"math"
	"math/rand/v2"
	"testing"
)

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol || math.IsNaN(got) != math.IsNaN(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// Hand case: scores 0.9(+) 0.8(-) 0.7(+) 0.7(-) 0.1(-). Positive pairs against negatives:
// 0.9 beats all 3; 0.7 beats 0.1, ties 0.7 (half), loses to 0.8 -> wins = 3 + 1.5 = 4.5 of 6.
var (
	hScores = []float64{0.9, 0.8, 0.7, 0.7, 0.1}
	hLabels = []bool{true, false, true, false, false}
)

func TestROCAUCHand(t *testing.T) {
	near(t, "auc", ROCAUC(hScores, hLabels), 4.5/6, 1e-15)
	near(t, "perfect", ROCAUC([]float64{3, 2, 1}, []bool{true, true, false}), 1, 0)
	near(t, "reversed", ROCAUC([]float64{1, 2, 3}, []bool{true, true, false}), 0, 0)
	near(t, "all tied", ROCAUC([]float64{1, 1, 1, 1}, []bool{true, false, true, false}), 0.5, 0)
	if !math.IsNaN(ROCAUC([]float64{1, 2}, []bool{true, true})) {
		t.Error("auc with one class should be NaN")
	}
}

// bruteAUC counts positive-negative pairs directly.
func bruteAUC(s []float64, y []bool) float64 {
	var wins, pairs float64
	for i := range s {
		for j := range s {
			if y[i] && !y[j] {
				pairs++
				switch {
				case s[i] > s[j]:
					wins++
				case s[i] == s[j]:
					wins += 0.5
				}
			}
		}
	}
	return wins / pairs
}

func TestROCAUCBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 20; trial++ {
		n := 50 + r.IntN(300)
		s := make([]float64, n)
		y := make([]bool, n)
		for i := range s {
			y[i] = r.Float64() < 0.3
			s[i] = float64(r.IntN(20)) // many ties
			if y[i] {
				s[i] += float64(r.IntN(5))
			}
		}
		y[0], y[1] = true, false
		near(t, "auc vs brute force", ROCAUC(s, y), bruteAUC(s, y), 1e-12)
	}
}

func TestAveragePrecisionHand(t *testing.T) {
	// Groups: {0.9:+} P=1/1 R=1/2; {0.8:-}; {0.7:+,-} P=2/4 R=2/2; {0.1:-}.
	// AP = 0.5*1 + 0.5*0.5 = 0.75.
	near(t, "ap", AveragePrecision(hScores, hLabels), 0.75, 1e-15)
}

func TestKSHand(t *testing.T) {
	// Cumulative (TPR, FPR) by group: (.5,0) (.5,1/3) (1,2/3) (1,1): max |diff| = 0.5.
	near(t, "ks", KS(hScores, hLabels), 0.5, 1e-15)
}

func TestAtTopHand(t *testing.T) {
	// top 20% of 5 -> k=1: the 0.9 positive. precision 1, recall 1/2.
	r := AtTop(hScores, hLabels, 0.2)
	if r.K != 1 {
		t.Fatalf("k = %d, want 1", r.K)
	}
	near(t, "precision@1", r.Precision, 1, 0)
	near(t, "recall@1", r.Recall, 0.5, 0)
	// top 60% -> k=3: 0.9(+), 0.8(-), and one of the tied 0.7 pair (half a positive).
	r = AtTop(hScores, hLabels, 0.6)
	near(t, "precision@3", r.Precision, 1.5/3, 1e-15)
	near(t, "recall@3", r.Recall, 1.5/2, 1e-15)
	// 0.1% of 5 still takes one row.
	if r := AtTop(hScores, hLabels, 0.001); r.K != 1 {
		t.Errorf("k at 0.1%% of 5 = %d, want 1", r.K)
	}
}

func TestConfusionAndThresholds(t *testing.T) {
	c := ConfusionAt(hScores, hLabels, 0.7)
	if c.TP != 2 || c.FP != 2 || c.TN != 1 || c.FN != 0 {
		t.Errorf("confusion at 0.7 = %+v", c)
	}
	// FPR of (score >= t): t=0.9 -> 0, t=0.8 -> 1/3, t=0.7 -> 2/3, t=0.1 -> 1.
	for _, tc := range []struct{ fpr, want float64 }{{0, 0.9}, {0.34, 0.8}, {0.5, 0.8}, {0.67, 0.7}, {1, 0.1}} {
		near(t, "threshold", ThresholdForFPR(hScores, hLabels, tc.fpr), tc.want, 0)
	}
	// Even the top score is negative: nothing can be flagged at FPR 0.
	th := ThresholdForFPR([]float64{2, 1}, []bool{false, true}, 0)
	if !(th > 2) {
		t.Errorf("threshold above top = %v, want > 2", th)
	}
	ts := ChooseThresholds(hScores, hLabels, 0.5, 0)
	if ts.Review != 0.8 || ts.Reject != 0.9 {
		t.Errorf("thresholds %+v", ts)
	}
	for _, tc := range []struct {
		s    float64
		want Decision
	}{{0.95, Reject}, {0.9, Reject}, {0.85, Review}, {0.5, Pass}} {
		if got := ts.Decide(tc.s); got != tc.want {
			t.Errorf("Decide(%v) = %v, want %v", tc.s, got, tc.want)
		}
	}
}

func TestROCCurveHand(t *testing.T) {
	f, tp := ROCCurve(hScores, hLabels)
	wantF := []float64{0, 0, 1.0 / 3, 2.0 / 3, 1}
	wantT := []float64{0, 0.5, 0.5, 1, 1}
	for i := range wantF {
		near(t, "fpr", f[i], wantF[i], 1e-15)
		near(t, "tpr", tp[i], wantT[i], 1e-15)
	}
}

func TestPSIHand(t *testing.T) {
	ref := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10} // deciles: edges 1..9, one value per bin
	near(t, "psi same", PSI(ref, ref), 0, 1e-15)
	// cur: all in the first bin. shares: bin0 = 1, others eps.
	cur := []float64{0, 0, 0, 0}
	want := (1-0.1)*math.Log(1/0.1) + 9*(PSIEpsilon-0.1)*math.Log(PSIEpsilon/0.1)
	near(t, "psi shifted", PSI(ref, cur), want, 1e-12)
	// cur: 5,6 -> bins 4 and 5 (each share 1/2).
	want = 2*(0.5-0.1)*math.Log(0.5/0.1) + 8*(PSIEpsilon-0.1)*math.Log(PSIEpsilon/0.1)
	near(t, "psi two bins", PSI(ref, []float64{5, 6}), want, 1e-12)
	// Tied reference: one edge only (all 1s) -> bins (-inf,1], (1,inf).
	near(t, "psi tied ref", PSI([]float64{1, 1, 1, 1}, []float64{1, 2}),
		(0.5-1)*math.Log(0.5/1)+(0.5-PSIEpsilon)*math.Log(0.5/PSIEpsilon), 1e-12)
}

func TestEvaluate(t *testing.T) {
	r := Evaluate(hScores, hLabels, 0.7)
	if r.N != 5 || r.Positives != 2 || len(r.Top) != 3 || len(r.AtThresholds) != 1 || r.ROCAUC != 0.75 {
		t.Errorf("report %+v", r)
	}
}

// MeanReport averages per-split figures; it never ranks one split's scores against another's, so
// two splits whose models score on different scales each keep their own perfect ranking.
func TestMeanReportPerSplit(t *testing.T) {
	a := Evaluate([]float64{0.9, 0.8, 0.1, 0.2}, []bool{true, true, false, false})
	b := Evaluate([]float64{0.09, 0.08, 0.01, 0.02}, []bool{true, true, false, false})
	m := MeanReport([]Report{a, b})
	if m.ROCAUC != 1 || m.KS != 1 || m.PRAUC != 1 {
		t.Fatalf("per-split mean of two perfect splits: AUC %v KS %v PR-AUC %v, want 1", m.ROCAUC, m.KS, m.PRAUC)
	}
	if m.N != 8 || m.Positives != 4 || len(m.Top) != len(TopFracs) || m.Top[0].K != 2 {
		t.Fatalf("counts: N %d positives %d top %+v", m.N, m.Positives, m.Top)
	}
	pooled := Evaluate([]float64{0.9, 0.8, 0.1, 0.2, 0.09, 0.08, 0.01, 0.02}, []bool{true, true, false, false, true, true, false, false})
	if pooled.ROCAUC >= 1 {
		t.Fatalf("pooled AUC %v: the scales should mix", pooled.ROCAUC)
	}
	c := Evaluate([]float64{0.1, 0.2, 0.9, 0.8}, []bool{true, true, false, false})
	if m2 := MeanReport([]Report{a, c}); math.Abs(m2.ROCAUC-0.5) > 1e-12 {
		t.Fatalf("mean of AUC 1 and 0: %v", m2.ROCAUC)
	}
}
