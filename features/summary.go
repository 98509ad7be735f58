package features

import (
	"fmt"
	"math"
	"slices"
)

// ColumnSummary compares one feature between labelled-bad and labelled-normal nodes.
type ColumnSummary struct {
	Name              string
	MeanBad, MeanGood float64
	AUC               float64 // P(score of a random bad node > that of a random normal one), ties 1/2
	NBad, NGood       int
}

// Summarize computes, for every column of f, the per-label means and the AUC of the column used
// alone as a score, over the nodes that labels knows. Label-derived columns computed from the
// same labels are optimistic here (their own label feeds them); summarise on held-out labels to
// judge them.
func Summarize(f *File, labels *Labels) ([]ColumnSummary, error) {
	if len(labels.Known) != int(f.N()) {
		return nil, fmt.Errorf("labels cover %d nodes, the feature file %d", len(labels.Known), f.N())
	}
	var nodes []uint32
	for v, k := range labels.Known {
		if k {
			nodes = append(nodes, uint32(v))
		}
	}
	out := make([]ColumnSummary, 0, len(f.Columns()))
	vals := make([]float64, len(nodes))
	isBad := make([]bool, len(nodes))
	for i, v := range nodes {
		isBad[i] = labels.Bad[v]
	}
	for ci, name := range f.Columns() {
		for i, v := range nodes {
			if c := f.f32[ci]; c != nil {
				vals[i] = float64(c[v])
			} else {
				vals[i] = float64(f.u32[ci][v])
			}
		}
		s := ColumnSummary{Name: name}
		s.MeanBad, s.MeanGood, s.NBad, s.NGood = meansByLabel(vals, isBad)
		s.AUC = AUC(vals, isBad)
		out = append(out, s)
	}
	return out, nil
}

func meansByLabel(x []float64, bad []bool) (mb, mg float64, nb, ng int) {
	for i, v := range x {
		if bad[i] {
			mb += v
			nb++
		} else {
			mg += v
			ng++
		}
	}
	if nb > 0 {
		mb /= float64(nb)
	}
	if ng > 0 {
		mg /= float64(ng)
	}
	return mb, mg, nb, ng
}

// AUC is the area under the ROC curve of score x for the positives pos, by the Mann-Whitney U
// statistic with tied scores given average ranks (NaN when either class is empty).
// O(n log n). Source: D. Hand and R. Till, Machine Learning 45, 2001, eq. (3).
func AUC(x []float64, pos []bool) float64 {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		switch {
		case x[a] < x[b]:
			return -1
		case x[a] > x[b]:
			return 1
		}
		return 0
	})
	var rankSum float64
	var np, nn int
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && x[idx[j]] == x[idx[i]] {
			j++
		}
		avg := float64(i+j+1) / 2 // ranks i+1..j
		for k := i; k < j; k++ {
			if pos[idx[k]] {
				rankSum += avg
				np++
			} else {
				nn++
			}
		}
		i = j
	}
	if np == 0 || nn == 0 {
		return math.NaN()
	}
	return (rankSum - float64(np)*float64(np+1)/2) / (float64(np) * float64(nn))
}
