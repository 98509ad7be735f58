package model

import (
	"math"
	"slices"
	"sort"
)

// Metrics take scores (higher = riskier) and labels (true = bad) of equal length. Tied scores are
// handled as one threshold group everywhere: no metric depends on the order of equal scores.
// A metric that is undefined for the input (no positives, no negatives, empty) is NaN.

// descOrder returns row indices sorted by score descending (ties by index, for determinism only).
func descOrder(scores []float64) []int {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case scores[a] > scores[b]:
			return -1
		case scores[a] < scores[b]:
			return 1
		}
		return 0
	})
	return idx
}

func countPos(labels []bool) (p, n int) {
	for _, y := range labels {
		if y {
			p++
		} else {
			n++
		}
	}
	return
}

// group is one run of tied scores in descending order: its score and its positives/negatives.
type group struct {
	score  float64
	tp, fp int
}

func tieGroups(scores []float64, labels []bool) []group {
	idx := descOrder(scores)
	var gs []group
	for k, i := range idx {
		if k == 0 || scores[i] != scores[idx[k-1]] {
			gs = append(gs, group{score: scores[i]})
		}
		if labels[i] {
			gs[len(gs)-1].tp++
		} else {
			gs[len(gs)-1].fp++
		}
	}
	return gs
}

// ROCAUC is the area under the ROC curve, computed as the Mann-Whitney statistic: the probability
// that a random positive scores above a random negative, ties counting one half.
func ROCAUC(scores []float64, labels []bool) float64 {
	P, N := countPos(labels)
	if P == 0 || N == 0 {
		return math.NaN()
	}
	// Walk tie groups descending: each positive beats all negatives below its group, and ties with
	// the negatives in it.
	gs := tieGroups(scores, labels)
	negBelow := N
	var wins float64
	for _, g := range gs {
		negBelow -= g.fp
		wins += float64(g.tp) * (float64(negBelow) + 0.5*float64(g.fp))
	}
	return wins / (float64(P) * float64(N))
}

// AveragePrecision is the PR-AUC as sum over thresholds of (R_k - R_{k-1}) * P_k (scikit-learn's
// average_precision_score), thresholds being the distinct scores.
func AveragePrecision(scores []float64, labels []bool) float64 {
	P, _ := countPos(labels)
	if P == 0 {
		return math.NaN()
	}
	var tp, fp int
	var ap float64
	for _, g := range tieGroups(scores, labels) {
		tp += g.tp
		fp += g.fp
		ap += float64(g.tp) / float64(P) * float64(tp) / float64(tp+fp)
	}
	return ap
}

// KS is the Kolmogorov-Smirnov statistic: the largest |TPR - FPR| over thresholds.
func KS(scores []float64, labels []bool) float64 {
	P, N := countPos(labels)
	if P == 0 || N == 0 {
		return math.NaN()
	}
	var tp, fp int
	var ks float64
	for _, g := range tieGroups(scores, labels) {
		tp += g.tp
		fp += g.fp
		ks = math.Max(ks, math.Abs(float64(tp)/float64(P)-float64(fp)/float64(N)))
	}
	return ks
}

// TopK holds precision and recall among the k = ceil(Frac*n) highest scores.
type TopK struct {
	Frac      float64 `json:"frac"`
	K         int     `json:"k"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
}

// AtTop returns precision and recall in the top frac of scores (k = ceil(frac*n), at least 1). A
// tie group straddling the cut contributes positives in proportion to the places it takes, so the
// result does not depend on the order of tied scores.
func AtTop(scores []float64, labels []bool, frac float64) TopK {
	n := len(scores)
	P, _ := countPos(labels)
	k := int(math.Ceil(frac*float64(n) - 1e-9))
	k = max(1, min(k, n))
	r := TopK{Frac: frac, K: k}
	if n == 0 {
		r.Precision, r.Recall = math.NaN(), math.NaN()
		return r
	}
	var taken int
	var tp float64
	for _, g := range tieGroups(scores, labels) {
		size := g.tp + g.fp
		if taken+size <= k {
			tp += float64(g.tp)
			taken += size
			continue
		}
		tp += float64(g.tp) * float64(k-taken) / float64(size)
		break
	}
	r.Precision = tp / float64(k)
	r.Recall = math.NaN()
	if P > 0 {
		r.Recall = tp / float64(P)
	}
	return r
}

// Confusion counts outcomes when score >= Threshold is called positive.
type Confusion struct {
	Threshold      float64 `json:"threshold"`
	TP, FP, TN, FN int
}

// ConfusionAt returns the confusion counts at threshold t (score >= t is positive).
func ConfusionAt(scores []float64, labels []bool, t float64) Confusion {
	c := Confusion{Threshold: t}
	for i, s := range scores {
		switch pos := s >= t; {
		case pos && labels[i]:
			c.TP++
		case pos:
			c.FP++
		case labels[i]:
			c.FN++
		default:
			c.TN++
		}
	}
	return c
}

// FPR and TPR of the confusion (NaN when undefined).
func (c Confusion) FPR() float64 { return float64(c.FP) / float64(c.FP+c.TN) }
func (c Confusion) TPR() float64 { return float64(c.TP) / float64(c.TP+c.FN) }

// ThresholdForFPR returns the lowest threshold t, among the scores, whose false-positive rate
// (score >= t) is at most target. If even the highest score exceeds it, t is just above the highest
// score (nothing is flagged). Labels must hold at least one negative.
func ThresholdForFPR(scores []float64, labels []bool, target float64) float64 {
	_, N := countPos(labels)
	gs := tieGroups(scores, labels)
	if len(gs) == 0 || N == 0 {
		return math.NaN()
	}
	t := math.Nextafter(gs[0].score, math.Inf(1))
	fp := 0
	for _, g := range gs {
		fp += g.fp
		if float64(fp) > target*float64(N)+1e-9 {
			break
		}
		t = g.score
	}
	return t
}

// Thresholds are the decision cut points: score >= Reject is rejected, score >= Review is sent to
// review, anything lower passes. Each is chosen on validation data for a target false-positive rate
// (RejectFPR <= ReviewFPR, so Reject >= Review).
type Thresholds struct {
	ReviewFPR float64 `json:"review_fpr"`
	RejectFPR float64 `json:"reject_fpr"`
	Review    float64 `json:"review"`
	Reject    float64 `json:"reject"`
}

// Decision for the three-way policy.
type Decision uint8

const (
	Pass Decision = iota
	Review
	Reject
)

func (d Decision) String() string { return [...]string{"pass", "review", "reject"}[d] }

// ChooseThresholds picks Review and Reject on (scores, labels) for the two target FPRs.
func ChooseThresholds(scores []float64, labels []bool, reviewFPR, rejectFPR float64) Thresholds {
	return Thresholds{ReviewFPR: reviewFPR, RejectFPR: rejectFPR,
		Review: ThresholdForFPR(scores, labels, reviewFPR), Reject: ThresholdForFPR(scores, labels, rejectFPR)}
}

// Decide applies the thresholds to one score.
func (t Thresholds) Decide(score float64) Decision {
	switch {
	case score >= t.Reject:
		return Reject
	case score >= t.Review:
		return Review
	}
	return Pass
}

// ROCCurve returns the ROC points (FPR, TPR) at every distinct threshold, from (0,0) to (1,1).
func ROCCurve(scores []float64, labels []bool) (fpr, tpr []float64) {
	P, N := countPos(labels)
	fpr, tpr = []float64{0}, []float64{0}
	if P == 0 || N == 0 {
		return
	}
	var tp, fp int
	for _, g := range tieGroups(scores, labels) {
		tp += g.tp
		fp += g.fp
		fpr = append(fpr, float64(fp)/float64(N))
		tpr = append(tpr, float64(tp)/float64(P))
	}
	return
}

// PSIEpsilon replaces an empty bin's share in PSI so that the logarithm stays finite.
const PSIEpsilon = 1e-4

// PSI is the population stability index of cur against ref: bins are the deciles of ref (edges at
// the values sorted[ceil(k*n/10)-1], k = 1..9, duplicates merged; a value v falls in the first bin
// whose edge is >= v), and PSI = sum_b (c_b - r_b) ln(c_b / r_b) over bin shares, an empty bin's
// share replaced by PSIEpsilon. Rule of thumb: < 0.1 stable, 0.1-0.25 drifting, > 0.25 shifted.
func PSI(ref, cur []float64) float64 {
	if len(ref) == 0 || len(cur) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), ref...)
	sort.Float64s(s)
	var edges []float64
	for k := 1; k <= 9; k++ {
		i := int(math.Ceil(float64(k)*float64(len(s))/10)) - 1
		e := s[max(i, 0)]
		if len(edges) == 0 || e > edges[len(edges)-1] {
			edges = append(edges, e)
		}
	}
	share := func(xs []float64) []float64 {
		c := make([]float64, len(edges)+1)
		for _, v := range xs {
			c[sort.SearchFloat64s(edges, v)]++
		}
		for b := range c {
			c[b] /= float64(len(xs))
			if c[b] == 0 {
				c[b] = PSIEpsilon
			}
		}
		return c
	}
	r, c := share(ref), share(cur)
	var psi float64
	for b := range r {
		psi += (c[b] - r[b]) * math.Log(c[b]/r[b])
	}
	return psi
}

// Report gathers the evaluation metrics of one score sample.
type Report struct {
	N, Positives int
	ROCAUC       float64     `json:"roc_auc"`
	PRAUC        float64     `json:"pr_auc"`
	KS           float64     `json:"ks"`
	Top          []TopK      `json:"top"`
	AtThresholds []Confusion `json:"at_thresholds"`
}

// MeanReport averages reports field by field (counts summed; the Top entries matched by
// position, K summed). It is the per-split summary of a cross-validation: each split's metrics
// from its own model's scores, never ranking one split's scores against another's.
func MeanReport(rs []Report) Report {
	var m Report
	if len(rs) == 0 {
		return m
	}
	f := 1 / float64(len(rs))
	for i, r := range rs {
		m.N += r.N
		m.Positives += r.Positives
		m.ROCAUC += r.ROCAUC * f
		m.PRAUC += r.PRAUC * f
		m.KS += r.KS * f
		if i == 0 {
			m.Top = make([]TopK, len(r.Top))
		}
		for k := range min(len(r.Top), len(m.Top)) {
			t := r.Top[k]
			m.Top[k].Frac = t.Frac
			m.Top[k].K += t.K
			m.Top[k].Precision += t.Precision * f
			m.Top[k].Recall += t.Recall * f
		}
	}
	return m
}

// TopFracs are the default top-k fractions reported: 0.1%, 1%, 5%.
var TopFracs = []float64{0.001, 0.01, 0.05}

// Evaluate computes a Report; confusion counts are given at each threshold in ts.
func Evaluate(scores []float64, labels []bool, ts ...float64) Report {
	P, _ := countPos(labels)
	r := Report{N: len(scores), Positives: P, ROCAUC: ROCAUC(scores, labels),
		PRAUC: AveragePrecision(scores, labels), KS: KS(scores, labels)}
	for _, f := range TopFracs {
		r.Top = append(r.Top, AtTop(scores, labels, f))
	}
	for _, t := range ts {
		r.AtThresholds = append(r.AtThresholds, ConfusionAt(scores, labels, t))
	}
	return r
}
