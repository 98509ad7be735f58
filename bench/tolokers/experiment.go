package main

import (
	"fmt"
	"io"
	"math"
	"strings"

	"riskwalk/model"
)

// Config chooses what an experiment fits.
type Config struct {
	LR, GBDT bool
	// Extra are additional feature blocks (embeddings, graph features), one row per node.
	Extra []*model.Matrix
	// Groups keeps only columns whose group (see group) is listed; empty keeps all.
	Groups  []string
	GBDTOpt model.GBDTOptions
	// Lambdas are the L2 penalties tried for logistic regression, the best chosen on validation.
	Lambdas []float64
	Splits  []int // split indices to run (empty: all)
}

// SplitResult is one split's validation and test ROC-AUC per model, and which model validation
// chose.
type SplitResult struct {
	Split         int
	LRVal, LRTest float64
	GBVal, GBTest float64
	LRLambda      float64
	GBTrees       int
	Chosen        string
	ChosenTest    float64
	Features      int
	// TestScores are the chosen model's test scores with TestLabels, for plots.
	TestScores []float64
	TestLabels []bool
}

// group names a column's family for ablations: "attr" (node attributes), "nbattr" (their neighbour
// means), "structure" (degrees), "label" (training-label-derived), "extra" (anything else).
func group(name string) string {
	switch {
	case strings.HasPrefix(name, "node."):
		return "attr"
	case strings.HasPrefix(name, "nbmean.node."), strings.HasPrefix(name, "nbstd.node."):
		return "nbattr"
	case name == "log_degree" || name == "nbmean.log_degree":
		return "structure"
	case strings.HasPrefix(name, "nb_") || strings.HasPrefix(name, "hop2_") || name == "nbmean.nb_bad_share":
		return "label"
	}
	return "extra"
}

// Features builds split s's design matrix: base (label-free) columns, label columns from the
// split's training labels, extra blocks, filtered to cfg.Groups.
func Features(d *Data, base *model.Matrix, s int, cfg *Config) (*model.Matrix, error) {
	blocks := append([]*model.Matrix{base, LabelFeatures(d.G, d.Hop2(), d.Bad, d.Splits[s].Train)}, cfg.Extra...)
	m, err := model.HStack(blocks...)
	if err != nil || len(cfg.Groups) == 0 {
		return m, err
	}
	var keep []string
	for _, n := range m.Names {
		for _, g := range cfg.Groups {
			if group(n) == g {
				keep = append(keep, n)
			}
		}
	}
	if len(keep) == 0 {
		return nil, fmt.Errorf("no columns in groups %v", cfg.Groups)
	}
	return m.SelectCols(keep)
}

func scoreRows(score func([]float64) float64, m *model.Matrix, y []bool, rows []int) ([]float64, []bool) {
	s := make([]float64, len(rows))
	l := make([]bool, len(rows))
	for k, i := range rows {
		s[k] = score(m.Row(i))
		l[k] = y[i]
	}
	return s, l
}

func aucOn(score func([]float64) float64, m *model.Matrix, y []bool, rows []int) float64 {
	return model.ROCAUC(scoreRows(score, m, y, rows))
}

// RunSplit fits the configured models on split s's training rows, selects on its validation rows
// and reports test ROC-AUC. Test labels are read only by aucOn on test rows.
func RunSplit(d *Data, base *model.Matrix, s int, cfg *Config) (SplitResult, error) {
	r := SplitResult{Split: s + 1, LRVal: math.NaN(), LRTest: math.NaN(), GBVal: math.NaN(), GBTest: math.NaN()}
	sp := d.Splits[s]
	m, err := Features(d, base, s, cfg)
	if err != nil {
		return r, err
	}
	r.Features = m.Cols
	var lrScore, chosen func([]float64) float64
	if cfg.LR {
		lambdas := cfg.Lambdas
		if len(lambdas) == 0 {
			lambdas = []float64{1e-4, 1e-3, 1e-2}
		}
		var best *model.LogReg
		for _, lam := range lambdas {
			lr, _, err := model.FitLogReg(m, d.Bad, sp.Train, model.LogRegOptions{Lambda: lam})
			if err != nil {
				return r, err
			}
			if v := aucOn(lr.Score, m, d.Bad, sp.Val); best == nil || v > r.LRVal {
				best, r.LRVal, r.LRLambda = lr, v, lam
			}
		}
		r.LRTest = aucOn(best.Score, m, d.Bad, sp.Test)
		lrScore = best.Score
	}
	if cfg.GBDT {
		opt := cfg.GBDTOpt
		opt.Seed += uint64(s)
		g, info, err := model.FitGBDT(m, d.Bad, sp.Train, sp.Val, opt)
		if err != nil {
			return r, err
		}
		r.GBTrees = info.Best
		r.GBVal = aucOn(g.Score, m, d.Bad, sp.Val)
		r.GBTest = aucOn(g.Score, m, d.Bad, sp.Test)
		chosen = g.Score
	}
	r.Chosen, r.ChosenTest = "lr", r.LRTest
	if !cfg.LR || (cfg.GBDT && r.GBVal > r.LRVal) {
		r.Chosen, r.ChosenTest = "gbdt", r.GBTest
	} else {
		chosen = lrScore
	}
	r.TestScores, r.TestLabels = scoreRows(chosen, m, d.Bad, sp.Test)
	return r, nil
}

// Run runs every configured split and prints one line per split and the means to w.
func Run(w io.Writer, d *Data, cfg *Config) ([]SplitResult, error) {
	base := BaseFeatures(d.G, d.Attr)
	splits := cfg.Splits
	if len(splits) == 0 {
		for s := range d.Splits {
			splits = append(splits, s)
		}
	}
	var rs []SplitResult
	fmt.Fprintf(w, "split  feats  lr.val  lr.test  gbdt.val  gbdt.test  trees  chosen\n")
	for _, s := range splits {
		r, err := RunSplit(d, base, s, cfg)
		if err != nil {
			return nil, fmt.Errorf("split %d: %w", s+1, err)
		}
		fmt.Fprintf(w, "%5d  %5d  %.4f  %.4f   %.4f    %.4f  %5d  %s\n", r.Split, r.Features, r.LRVal, r.LRTest, r.GBVal, r.GBTest, r.GBTrees, r.Chosen)
		rs = append(rs, r)
	}
	return rs, nil
}

// Mean of f over results.
func Mean(rs []SplitResult, f func(SplitResult) float64) float64 {
	var s float64
	for _, r := range rs {
		s += f(r)
	}
	return s / float64(len(rs))
}

// Std is the sample standard deviation of f over results.
func Std(rs []SplitResult, f func(SplitResult) float64) float64 {
	mu := Mean(rs, f)
	var s float64
	for _, r := range rs {
		s += (f(r) - mu) * (f(r) - mu)
	}
	return math.Sqrt(s / float64(max(1, len(rs)-1)))
}
