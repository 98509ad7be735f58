package pipeline

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"

	"riskwalk/model"
)

// EvalOptions control Eval: either Folds (stratified k-fold over the labelled nodes) or Splits
// (three mask files, train, val, test, one split per line, listing external node ids, as
// Tolokers ships them).
type EvalOptions struct {
	FitOptions
	Folds    int
	Splits   []string
	Ablation bool
}

// FoldResult is one split's outcome for the full block set.
type FoldResult struct {
	Chosen       string
	LRVal, GBVal float64
	TestAUC      float64
	Test         []int // indices into EvalResult.Rows
	Scores       []float64
	Thresholds   model.Thresholds
}

// AblationRow is one column group's mean test ROC-AUC over the splits.
type AblationRow struct {
	Group              Group
	Columns            int
	LR, GBDT, Chosen   float64 // mean test AUC over splits of each family and of the chosen one
	PooledAUC, Recall1 float64 // chosen model's pooled test scores: AUC and recall at top 1%
	MeanRecall1        float64 // recall at top 1% within each split's test rows, mean over splits
}

// EvalResult is Eval's outcome.
type EvalResult struct {
	Rows   []uint32 // labelled nodes
	Y      []bool
	Blocks []string
	Cols   int
	Folds  []FoldResult
	// Pooled are the test scores of every split together (k-fold: every labelled node once).
	PooledRows   []uint32
	PooledScores []float64
	PooledLabels []bool
	Report       model.Report
	// FoldMean averages each split's own Report (ROC-AUC, PR-AUC, KS, precision and recall at top
	// k) over the splits. Pooled figures rank scores of different splits' models against each
	// other, which is fair only when those models are calibrated alike (a split that chose GBDT
	// beside one that chose logistic regression is not); the per-split mean never mixes them.
	FoldMean model.Report
	// Confusion at each split's own review and reject thresholds, summed over splits.
	AtReview, AtReject model.Confusion
	MeanAUC, StdAUC    float64
	Ablation           []AblationRow
}

// EvalSplits returns the evaluation splits as indices into the labelled rows.
func (in *Inputs) EvalSplits(rows []uint32, y []bool, opt *EvalOptions) ([]model.Split, error) {
	if len(opt.Splits) == 0 {
		k := opt.Folds
		if k == 0 {
			k = 5
		}
		return model.StratifiedKFold(y, k, opt.Seed)
	}
	if len(opt.Splits) != 3 {
		return nil, fmt.Errorf("--splits wants three mask files train,val,test, got %d", len(opt.Splits))
	}
	index := make(map[uint32]int, len(rows))
	for i, v := range rows {
		index[v] = i
	}
	var masks [3][][]int
	for k, p := range opt.Splits {
		m, err := in.readMasks(p, index)
		if err != nil {
			return nil, err
		}
		masks[k] = m
	}
	if len(masks[0]) != len(masks[1]) || len(masks[0]) != len(masks[2]) {
		return nil, fmt.Errorf("split files disagree on the number of splits: %d, %d, %d lines", len(masks[0]), len(masks[1]), len(masks[2]))
	}
	splits := make([]model.Split, len(masks[0]))
	for s := range splits {
		splits[s] = model.Split{Train: masks[0][s], Val: masks[1][s], Test: masks[2][s]}
		seen := map[int]string{}
		for k, ids := range [][]int{splits[s].Train, splits[s].Val, splits[s].Test} {
			for _, i := range ids {
				if prev, dup := seen[i]; dup {
					return nil, fmt.Errorf("split %d: node %s is in both %s and %s", s+1, in.IDs.Ext(rows[i]), prev, []string{"train", "val", "test"}[k])
				}
				seen[i] = []string{"train", "val", "test"}[k]
			}
		}
		if len(splits[s].Train) == 0 || len(splits[s].Test) == 0 {
			return nil, fmt.Errorf("split %d has no training or no test nodes", s+1)
		}
	}
	return splits, nil
}

// readMasks reads one mask file: per line, external ids of labelled nodes.
func (in *Inputs) readMasks(path string, index map[uint32]int) ([][]int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	var out [][]int
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || text[0] == '#' {
			continue
		}
		var ids []int
		for _, tok := range strings.FieldsFunc(text, func(r rune) bool { return r == '\t' || r == ' ' || r == ',' }) {
			v, ok := in.IDs.Lookup(tok)
			if !ok {
				return nil, fmt.Errorf("%s:%d: node %q is not in the graph", path, line, tok)
			}
			i, ok := index[v]
			if !ok {
				return nil, fmt.Errorf("%s:%d: node %q has no label in %s", path, line, tok, in.Paths.Labels)
			}
			ids = append(ids, i)
		}
		slices.Sort(ids)
		out = append(out, ids)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no splits", path)
	}
	return out, nil
}

// FoldMatrix is the design matrix of every labelled node (rows as Labelled returns them) for a
// split whose training rows are train (indices into those rows): the label-derived columns come
// from the training rows' labels and nothing else.
func (in *Inputs) FoldMatrix(train []int, opt LabelOptions) (*model.Matrix, error) {
	rows, y := in.Labelled()
	lb, err := in.foldLabelBlock(rows, y, train, true, opt)
	if err != nil {
		return nil, err
	}
	_, x := design(in.BaseBlocks(), lb, rows)
	return x, nil
}

func (in *Inputs) foldLabelBlock(rows []uint32, y []bool, train []int, on bool, opt LabelOptions) (*Block, error) {
	if !on {
		return nil, nil
	}
	known, bad := trainMasks(int(in.G.N), rows, y, train)
	b, err := in.LabelBlock(known, bad, opt)
	if err != nil {
		return nil, err
	}
	return &b, nil
}

// Eval evaluates the pipeline by fitting per split exactly as Fit does (label-derived columns
// from that split's training labels only, model chosen and thresholds set on its validation rows)
// and scoring its test rows. With Ablation it repeats this for each column group.
func Eval(in *Inputs, opt EvalOptions) (*EvalResult, error) {
	if err := opt.check(); err != nil {
		return nil, err
	}
	if in.Labels == nil {
		return nil, errors.New("eval needs labels (--labels)")
	}
	rows, y := in.Labelled()
	splits, err := in.EvalSplits(rows, y, &opt)
	if err != nil {
		return nil, err
	}
	base := in.BaseBlocks()
	if len(base) == 0 && !opt.LabelDerived {
		return nil, errors.New("no input columns: give --features, --vectors and/or --attributes")
	}
	var present []string
	for _, b := range base {
		present = append(present, b.Name)
	}
	if opt.LabelDerived {
		present = append(present, BlockLabels)
	}
	groups := []Group{{"all", present}}
	if opt.Ablation {
		groups = AblationGroups(present)
		if len(groups) == 0 || groups[len(groups)-1].Name != "all" {
			groups = append(groups, Group{"all", present})
		}
	}
	res := &EvalResult{Rows: rows, Y: y}
	abl := make([]AblationRow, len(groups))
	pooled := make([][]float64, len(groups))
	var pooledY []bool
	var foldReps []model.Report
	for s, sp := range splits {
		lb, err := in.foldLabelBlock(rows, y, sp.Train, opt.LabelDerived, opt.Labels)
		if err != nil {
			return nil, fmt.Errorf("split %d: %w", s+1, err)
		}
		for gi, g := range groups {
			var gbase []Block
			for _, b := range base {
				if slices.Contains(g.Blocks, b.Name) {
					gbase = append(gbase, b)
				}
			}
			var glb *Block
			if slices.Contains(g.Blocks, BlockLabels) {
				glb = lb
			}
			t, x := design(gbase, glb, rows)
			if s == 0 && gi == len(groups)-1 && !in.SkipBad {
				if err := in.nonFiniteErr(x, rows); err != nil {
					return nil, err
				}
			}
			f, err := fitChoose(x, y, sp.Train, sp.Val, in.SkipBad, &opt.FitOptions)
			if err != nil {
				return nil, fmt.Errorf("split %d, %s: %w", s+1, g.Name, err)
			}
			yt := pick(y, sp.Test)
			sc := make([]float64, len(sp.Test))
			for k, i := range sp.Test {
				sc[k] = f.m.Score(x.Row(i))
			}
			// Per-family test AUC for the ablation table: refit-free, from the candidates kept.
			auc := model.ROCAUC(sc, yt)
			a := &abl[gi]
			a.Group, a.Columns = g, x.Cols
			a.Chosen += auc / float64(len(splits))
			lrT, gbT := familyTestAUC(f, x, sp.Test, yt)
			a.LR += lrT / float64(len(splits))
			a.GBDT += gbT / float64(len(splits))
			pooled[gi] = append(pooled[gi], sc...)
			a.MeanRecall1 += model.AtTop(sc, yt, 0.01).Recall / float64(len(splits))
			if gi == len(groups)-1 {
				foldReps = append(foldReps, model.Evaluate(sc, yt))
				res.Blocks, res.Cols = t.BlockNames(), x.Cols
				res.Folds = append(res.Folds, FoldResult{Chosen: f.params.Chosen, LRVal: f.lrVal, GBVal: f.gbVal, TestAUC: auc,
					Test: sp.Test, Scores: sc, Thresholds: f.m.Thresholds})
				for _, i := range sp.Test {
					res.PooledRows = append(res.PooledRows, rows[i])
				}
				pooledY = append(pooledY, yt...)
				r, j := model.ConfusionAt(sc, yt, f.m.Thresholds.Review), model.ConfusionAt(sc, yt, f.m.Thresholds.Reject)
				addConf(&res.AtReview, r)
				addConf(&res.AtReject, j)
			}
			fmt.Fprintf(opt.Log, "split %d/%d %-22s %3d columns: val AUC logreg %.4f gbdt %.4f -> %s, test AUC %.4f\n",
				s+1, len(splits), g.Name, x.Cols, f.lrVal, f.gbVal, f.params.Chosen, auc)
		}
	}
	res.PooledScores, res.PooledLabels = pooled[len(groups)-1], pooledY
	res.Report = model.Evaluate(res.PooledScores, res.PooledLabels)
	res.FoldMean = model.MeanReport(foldReps)
	var aucs []float64
	for _, f := range res.Folds {
		aucs = append(aucs, f.TestAUC)
	}
	res.MeanAUC, res.StdAUC = meanStd(aucs)
	if opt.Ablation {
		for gi := range abl {
			abl[gi].PooledAUC = model.ROCAUC(pooled[gi], pooledY)
			abl[gi].Recall1 = model.AtTop(pooled[gi], pooledY, 0.01).Recall
		}
		res.Ablation = abl
	}
	return res, nil
}

// familyTestAUC scores the test rows with each fitted family (NaN for one not fitted).
func familyTestAUC(f *fitted, x *model.Matrix, test []int, yt []bool) (lr, gb float64) {
	lr, gb = math.NaN(), math.NaN()
	sc := make([]float64, len(test))
	if m := f.lrModel; m != nil {
		for k, i := range test {
			sc[k] = m.Raw(x.Row(i))
		}
		lr = model.ROCAUC(sc, yt)
	}
	if m := f.gbModel; m != nil {
		for k, i := range test {
			sc[k] = m.Raw(x.Row(i))
		}
		gb = model.ROCAUC(sc, yt)
	}
	return
}

func addConf(dst *model.Confusion, c model.Confusion) {
	dst.TP += c.TP
	dst.FP += c.FP
	dst.TN += c.TN
	dst.FN += c.FN
}

func meanStd(xs []float64) (mean, std float64) {
	if len(xs) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		std += (x - mean) * (x - mean)
	}
	if len(xs) > 1 {
		std = math.Sqrt(std / float64(len(xs)-1))
	}
	return
}
