package pipeline

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"

	"riskwalk/model"
)

// FitOptions control Fit and Eval.
type FitOptions struct {
	// Model is "auto" (fit both, keep the better validation ROC-AUC), "logreg" or "gbdt".
	Model string
	// ValFrac is the share of labelled nodes (stratified) that Fit holds out for validation.
	ValFrac float64
	// ReviewFPR and RejectFPR are the target false-positive rates of the thresholds, chosen on
	// validation rows.
	ReviewFPR, RejectFPR float64
	Seed                 uint64
	// LabelDerived adds the label-derived block (Labels), recomputed from the training labels of
	// each fit; DefaultFitOptions turns it on.
	LabelDerived bool
	Labels       LabelOptions
	LogReg       model.LogRegOptions
	GBDT         model.GBDTOptions
	Log          io.Writer
}

// DefaultGBDT are the GBDT settings of fit and eval. Many columns (an embedding adds 64 or more)
// and a small validation set make a greedy GBDT over-fit, so: a small learning rate with many
// rounds, 15 leaves, at least 20 rows per leaf, 80% of the rows and 60% of the columns per tree,
// and early stopping on validation ROC-AUC with a patience of 100 rounds (the best round's trees
// are kept). On Tolokers these beat the former η 0.1 / 31 leaves / patience 30 on every split
// (bench/RESULTS.md, "Tolokers through the CLI").
var DefaultGBDT = model.GBDTOptions{Rounds: 2000, LearningRate: 0.03, MaxLeaves: 15, MaxDepth: 6, MinChildRows: 20,
	Subsample: 0.8, ColSample: 0.6, EarlyStop: 100, Metric: "auc", Seed: 1}

// DefaultFitOptions are the command defaults.
func DefaultFitOptions() FitOptions {
	return FitOptions{Model: "auto", ValFrac: 0.2, ReviewFPR: 0.05, RejectFPR: 0.01, Seed: 1, LabelDerived: true, Labels: DefaultLabelOptions,
		GBDT: DefaultGBDT}
}

func (o *FitOptions) check() error {
	switch o.Model {
	case "auto", "logreg", "gbdt":
	default:
		return fmt.Errorf("--model %q: want auto, logreg or gbdt", o.Model)
	}
	if !(o.RejectFPR > 0 && o.RejectFPR <= o.ReviewFPR && o.ReviewFPR < 1) {
		return fmt.Errorf("target FPRs review %v, reject %v: need 0 < reject <= review < 1", o.ReviewFPR, o.RejectFPR)
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	return nil
}

// Params is what model.json records in "params" so that bundle can rebuild the same input rows.
type Params struct {
	Blocks []string     `json:"blocks"`
	Labels LabelOptions `json:"label_derived"`
	// ValFrac and Seed give fit's stratified validation holdout of the labels file whose checksum
	// model.json records, so that bundle recomputes the label-derived block from exactly fit's
	// training labels.
	ValFrac   float64         `json:"val_frac,omitempty"`
	Seed      uint64          `json:"seed"`
	UserType  string          `json:"user_type,omitempty"`
	Chosen    string          `json:"chosen"`
	Candidate []CandidateInfo `json:"candidates"`
	LogReg    *model.FitInfo  `json:"logreg_fit,omitempty"`
	GBDT      *model.GBDTInfo `json:"gbdt_fit,omitempty"`
}

// CandidateInfo is one fitted family's validation result.
type CandidateInfo struct {
	Kind   string  `json:"kind"`
	ValAUC float64 `json:"val_roc_auc"`
}

// ParseParams reads a model's Params (written by Fit).
func ParseParams(m *model.Model) (*Params, error) {
	var p Params
	if err := json.Unmarshal(m.Params, &p); err != nil || len(p.Blocks) == 0 {
		return nil, fmt.Errorf("model params do not say which input blocks it uses (was it written by riskwalk fit?)")
	}
	return &p, nil
}

// fitted is the outcome of fitting on one train/validation split.
type fitted struct {
	m         *model.Model
	params    Params
	valScores []float64 // chosen model on val rows
	lrVal     float64
	gbVal     float64
	lrModel   *model.LogReg // each family fitted (nil when not)
	gbModel   *model.GBDT
}

// fitChoose fits the families asked for on rows train of x (labels y by row), scores rows val,
// keeps the better validation ROC-AUC and sets the thresholds on val.
func fitChoose(x *model.Matrix, y []bool, train, val []int, skipNonFinite bool, opt *FitOptions) (*fitted, error) {
	f := &fitted{lrVal: math.NaN(), gbVal: math.NaN()}
	yv := pick(y, val)
	score := func(raw func([]float64) float64) []float64 {
		s := make([]float64, len(val))
		for k, i := range val {
			s[k] = 1 / (1 + math.Exp(-raw(x.Row(i))))
		}
		return s
	}
	var lr *model.LogReg
	var gb *model.GBDT
	var lrS, gbS []float64
	var errs []error
	if opt.Model != "gbdt" {
		lo := opt.LogReg
		lo.Standardize.SkipNonFinite = skipNonFinite
		m, info, err := model.FitLogReg(x, y, train, lo)
		if err != nil {
			errs = append(errs, fmt.Errorf("logreg: %w", err))
		} else {
			lr, f.params.LogReg = m, &info
			lrS = score(m.Raw)
			f.lrVal = model.ROCAUC(lrS, yv)
			f.params.Candidate = append(f.params.Candidate, CandidateInfo{"logreg", f.lrVal})
		}
	}
	if opt.Model != "logreg" {
		go_ := opt.GBDT
		go_.SkipNonFinite = skipNonFinite
		if len(val) == 0 {
			go_.EarlyStop = 0
		}
		m, info, err := model.FitGBDT(x, y, train, val, go_)
		if err != nil {
			errs = append(errs, fmt.Errorf("gbdt: %w", err))
		} else {
			gb, f.params.GBDT = m, &info
			gbS = score(m.Raw)
			f.gbVal = model.ROCAUC(gbS, yv)
			f.params.Candidate = append(f.params.Candidate, CandidateInfo{"gbdt", f.gbVal})
		}
	}
	if lr == nil && gb == nil {
		return nil, errors.Join(errs...)
	}
	f.lrModel, f.gbModel = lr, gb
	mod := &model.Model{Features: slices.Clone(x.Names)}
	// Ties and NaN (a one-class validation set) go to the simpler model.
	if gb != nil && (lr == nil || f.gbVal > f.lrVal) {
		mod.Kind, mod.GBDT, f.valScores, f.params.Chosen = model.KindGBDT, gb, gbS, "gbdt"
	} else {
		mod.Kind, mod.LogReg, f.valScores, f.params.Chosen = model.KindLogReg, lr, lrS, "logreg"
	}
	mod.Thresholds = model.ChooseThresholds(f.valScores, yv, opt.ReviewFPR, opt.RejectFPR)
	if !(mod.Thresholds.Review >= 0 && mod.Thresholds.Review <= 1) { // no negatives in val
		mod.Thresholds.Review, mod.Thresholds.Reject = 0.5, 0.5
	}
	r := model.Evaluate(f.valScores, yv)
	mod.Validation = map[string]float64{"roc_auc": r.ROCAUC, "pr_auc": r.PRAUC, "ks": r.KS}
	for k, tk := range r.Top {
		mod.Validation[fmt.Sprintf("recall_top_%g%%", 100*model.TopFracs[k])] = tk.Recall
	}
	for k, v := range mod.Validation {
		if !finiteF(v) {
			delete(mod.Validation, k)
		}
	}
	f.m = mod
	return f, nil
}

func finiteF(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func pick[T any](xs []T, idx []int) []T {
	out := make([]T, len(idx))
	for k, i := range idx {
		out[k] = xs[i]
	}
	return out
}

// stratifiedHoldout splits indices 0..len(y)-1 into train and val, val holding about frac of each
// class (at least one of each when the class has two or more).
func stratifiedHoldout(y []bool, frac float64, seed uint64) (train, val []int) {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	for _, cls := range []bool{true, false} {
		var idx []int
		for i, b := range y {
			if b == cls {
				idx = append(idx, i)
			}
		}
		rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		k := int(math.Round(frac * float64(len(idx))))
		if k == 0 && frac > 0 && len(idx) >= 2 {
			k = 1
		}
		val = append(val, idx[:k]...)
		train = append(train, idx[k:]...)
	}
	slices.Sort(train)
	slices.Sort(val)
	return
}

// trainMasks marks the nodes rows[i] for i in train (known) and those of them that are bad.
func trainMasks(n int, rows []uint32, y []bool, train []int) (known, bad []bool) {
	known, bad = make([]bool, n), make([]bool, n)
	for _, i := range train {
		known[rows[i]] = true
		if y[i] {
			bad[rows[i]] = true
		}
	}
	return known, bad
}

// design builds the matrix of the labelled rows over base blocks plus, when label is non-nil,
// the label-derived block (see assemble).
func design(base []Block, label *Block, rows []uint32) (*Table, *model.Matrix) {
	t := assemble(base, label)
	return t, t.Matrix(rows)
}

// assemble puts the label-derived block (if any) just before the embedding block, or last
// without one: attributes, neighbour, graph, labels, embedding.
func assemble(base []Block, label *Block) *Table {
	t := &Table{Blocks: slices.Clone(base)}
	if label != nil {
		i := slices.IndexFunc(t.Blocks, func(b Block) bool { return b.Name == BlockEmbedding })
		if i < 0 {
			i = len(t.Blocks)
		}
		t.Blocks = slices.Insert(t.Blocks, i, *label)
	}
	return t
}

// nonFiniteErr turns a matrix's first NaN/Inf into an error naming the node and input.
func (in *Inputs) nonFiniteErr(x *model.Matrix, rows []uint32) error {
	err := x.CheckFinite(nil)
	var nf *model.NonFinite
	if !errors.As(err, &nf) {
		return err
	}
	return fmt.Errorf("node %s, column %s is %v; fix the input (attributes: %s) or rerun with --skip-bad to impute it",
		in.IDs.Ext(rows[nf.Row]), nf.Name, nf.Value, in.Attributes)
}

// FitReport says what Fit did.
type FitReport struct {
	Rows, Bad, TrainRows, ValRows int
	Columns                       int
	Blocks                        []string
	LRVal, GBVal                  float64
	Chosen                        string
}

// Fit fits the model on the labelled nodes: a stratified validation holdout (opt.ValFrac), the
// label-derived block recomputed from the training part's labels only, logistic regression and
// GBDT, the better on validation kept, thresholds at the target FPRs chosen on validation.
func Fit(in *Inputs, opt FitOptions) (*model.Model, *FitReport, error) {
	if err := opt.check(); err != nil {
		return nil, nil, err
	}
	if in.Labels == nil {
		return nil, nil, errors.New("fit needs training labels (--labels)")
	}
	if !(opt.ValFrac > 0 && opt.ValFrac < 1) {
		return nil, nil, fmt.Errorf("--val-frac %v: want a share in (0, 1)", opt.ValFrac)
	}
	rows, y := in.Labelled()
	train, val := stratifiedHoldout(y, opt.ValFrac, opt.Seed)
	var lb *Block
	if opt.LabelDerived {
		known, bad := trainMasks(int(in.G.N), rows, y, train)
		b, err := in.LabelBlock(known, bad, opt.Labels)
		if err != nil {
			return nil, nil, err
		}
		lb = &b
	}
	base := in.BaseBlocks()
	if len(base) == 0 && lb == nil {
		return nil, nil, errors.New("no input columns: give --features, --vectors and/or --attributes")
	}
	t, x := design(base, lb, rows)
	if !in.SkipBad {
		if err := in.nonFiniteErr(x, rows); err != nil {
			return nil, nil, err
		}
	}
	fmt.Fprintf(opt.Log, "fit: %d labelled nodes (%d train, %d validation), %d columns in blocks %v\n", len(rows), len(train), len(val), x.Cols, t.BlockNames())
	f, err := fitChoose(x, y, train, val, in.SkipBad, &opt)
	if err != nil {
		return nil, nil, err
	}
	f.params.Blocks = t.BlockNames()
	f.params.Labels = opt.Labels
	f.params.ValFrac, f.params.Seed = opt.ValFrac, opt.Seed
	if in.G.Types != nil {
		f.params.UserType = in.UserType
	}
	if f.m.Params, err = json.Marshal(f.params); err != nil {
		return nil, nil, err
	}
	_, nbad := in.Labels.Count()
	tp := 0
	for _, i := range train {
		if y[i] {
			tp++
		}
	}
	f.m.Data = model.DataInfo{TrainRows: len(train), TrainPositives: tp, ValRows: len(val), Checksums: map[string]string{
		"graph":      fmt.Sprintf("rwg:%016x", in.G.Checksum()),
		"train_data": model.ChecksumData(x, train, y),
	}}
	for name, p := range map[string]string{"features": in.Features, "vectors": in.Vectors, "attributes": in.Attributes, "labels": in.Labels0()} {
		if p == "" {
			continue
		}
		sum, err := model.ChecksumFile(p)
		if err != nil {
			return nil, nil, err
		}
		f.m.Data.Checksums[name] = sum
	}
	rep := &FitReport{Rows: len(rows), Bad: nbad, TrainRows: len(train), ValRows: len(val), Columns: x.Cols,
		Blocks: t.BlockNames(), LRVal: f.lrVal, GBVal: f.gbVal, Chosen: f.params.Chosen}
	return f.m, rep, nil
}

// Labels0 is the labels path (empty without labels).
func (in *Inputs) Labels0() string { return in.Paths.Labels }
