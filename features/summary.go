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
	// LabelDerived marks the columns computed from labels (IsLabelDerived).
	LabelDerived bool
	// InSample marks a label-derived column evaluated on nodes whose labels fed it: its AUC is
	// optimistic.
	InSample bool
}

// labelDerivedNames are the columns LabelDerived (and Compute with labels) produce.
var labelDerivedNames = append([]string{"louvain_bad", "louvain_bad_share", "ppr", "ppr_purified", "th_bad"}, NeighbourLabelNames...)

// IsLabelDerived reports whether a column is computed from labels (see LabelDerived).
func IsLabelDerived(name string) bool { return slices.Contains(labelDerivedNames, name) }

// SummaryOptions tune Summarize.
type SummaryOptions struct {
	// Replace holds columns to use instead of the file's columns of the same name (typically the
	// label-derived columns recomputed from training labels only).
	Replace []Column
	// DerivedEval, when not nil, restricts the evaluation of label-derived columns to the
	// labelled nodes v with DerivedEval[v] (those whose labels did not feed them); the other
	// columns use every labelled node.
	DerivedEval []bool
	// InSample marks the label-derived columns as evaluated in sample.
	InSample bool
}

// Summarize computes, for every column of f, the per-label means and the AUC of the column used
// alone as a score, over the nodes that labels knows (restricted per SummaryOptions). Label-derived
// columns computed from the same labels are optimistic: pass held-out labels, or recompute them
// from a training split (SplitLabels, LabelDerived) and pass them as Replace.
func Summarize(f *File, labels *Labels, opt SummaryOptions) ([]ColumnSummary, error) {
	n := int(f.N())
	if len(labels.Known) != n {
		return nil, fmt.Errorf("labels cover %d nodes, the feature file %d", len(labels.Known), n)
	}
	if opt.DerivedEval != nil && len(opt.DerivedEval) != n {
		return nil, fmt.Errorf("evaluation set covers %d nodes, the feature file %d", len(opt.DerivedEval), n)
	}
	repl := map[string]Column{}
	for _, c := range opt.Replace {
		if c.len() != n {
			return nil, fmt.Errorf("replacement column %s has %d values, the feature file %d rows", c.Name, c.len(), n)
		}
		repl[c.Name] = c
	}
	var vals []float64
	var isBad []bool
	out := make([]ColumnSummary, 0, len(f.Columns()))
	for ci, name := range f.Columns() {
		derived := IsLabelDerived(name)
		get := func(v uint32) float64 {
			if c, ok := repl[name]; ok {
				if c.F != nil {
					return float64(c.F[v])
				}
				return float64(c.U[v])
			}
			if c := f.f32[ci]; c != nil {
				return float64(c[v])
			}
			return float64(f.u32[ci][v])
		}
		vals, isBad = vals[:0], isBad[:0]
		for v, k := range labels.Known {
			if !k || (derived && opt.DerivedEval != nil && !opt.DerivedEval[v]) {
				continue
			}
			vals = append(vals, get(uint32(v)))
			isBad = append(isBad, labels.Bad[v])
		}
		s := ColumnSummary{Name: name, LabelDerived: derived, InSample: derived && opt.InSample}
		s.MeanBad, s.MeanGood, s.NBad, s.NGood = meansByLabel(vals, isBad)
		s.AUC = AUC(vals, isBad)
		out = append(out, s)
	}
	return out, nil
}

// SplitLabels splits the known labels into a training part and a held-out part of about frac of
// them, by a hash of (seed, node) so that the split is reproducible. It returns the training
// labels (Known and Bad of the training nodes only; Path and Checksum of l) and the held-out
// labels (Known and Bad of the held-out nodes).
func SplitLabels(l *Labels, frac float64, seed uint64) (train, test *Labels, err error) {
	if !(frac > 0 && frac < 1) {
		return nil, nil, fmt.Errorf("holdout fraction %g must be in (0, 1)", frac)
	}
	n := len(l.Known)
	train = &Labels{Path: l.Path, Checksum: l.Checksum, Known: make([]bool, n), Bad: make([]bool, n)}
	test = &Labels{Path: l.Path + " (held out)", Checksum: l.Checksum, Known: make([]bool, n), Bad: make([]bool, n)}
	cut := uint64(frac * (1 << 53))
	for v, k := range l.Known {
		if !k {
			continue
		}
		dst := train
		if mix(seed^0x9e3779b97f4a7c15*uint64(v+1))>>11 < cut {
			dst = test
		}
		dst.Known[v] = true
		dst.NKnown++
		if l.Bad[v] {
			dst.Bad[v] = true
			dst.NBad++
		}
	}
	return train, test, nil
}

// mix is the splitmix64 finaliser.
func mix(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
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
