package pipeline

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"riskwalk/bundle"
	"riskwalk/model"
)

// BundleOptions control Bundle.
type BundleOptions struct {
	Int8     bool
	Progress bool
	Log      io.Writer
}

// BundleSummary describes a written bundle.
type BundleSummary struct {
	Nodes, Users      int
	Quantiles         [5]float64 // users' scores at 50, 90, 99, 99.9 % and the maximum
	Decisions         [3]int     // users passed, sent to review, rejected
	MeanBad, MeanGood float64    // mean score of users labelled bad and good
	LabelledBad       int
	Reasons           []string
	ModelVersion      string
	Scores            []float64 // every node's score, by dense id
}

// ModelTable rebuilds the input rows a fitted model expects: the blocks its params name, with the
// label-derived block computed from exactly fit's training labels. in.Labels must be the labels
// file fit was given (its checksum in model.json is checked): fit's stratified validation holdout
// (val_frac and seed in params) is redrawn from it and only the training part feeds the
// label-derived columns, so that their counts mean what they meant in fit. New labels need a new
// fit. It fails when an input the model needs is missing or when the columns differ from the
// model's (another feature file version, another vector dimension).
func (in *Inputs) ModelTable(m *model.Model) (*Table, error) {
	p, err := ParseParams(m)
	if err != nil {
		return nil, err
	}
	if slices.Contains(p.Blocks, BlockNeighbour) && in.NbAttr == nil && in.Attr != nil {
		in.NbAttr = NeighbourMeans(in.G.Graph, in.Attr)
	}
	base := in.BaseBlocks()
	var sel []Block
	for _, name := range p.Blocks {
		if name == BlockLabels {
			continue
		}
		i := slices.IndexFunc(base, func(b Block) bool { return b.Name == name })
		if i < 0 {
			return nil, fmt.Errorf("the model uses the %s block; give its input (%s)", name, map[string]string{
				BlockAttributes: "--attributes", BlockNeighbour: "--attributes", BlockGraph: "--features", BlockEmbedding: "--vectors"}[name])
		}
		sel = append(sel, base[i])
	}
	var lb *Block
	if slices.Contains(p.Blocks, BlockLabels) {
		known, bad, err := in.fitTrainingLabels(m, p)
		if err != nil {
			return nil, err
		}
		b, err := in.LabelBlock(known, bad, p.Labels)
		if err != nil {
			return nil, err
		}
		lb = &b
	}
	t := assemble(sel, lb)
	got := t.Names()
	if !slices.Equal(got, m.Features) {
		for j := range max(len(got), len(m.Features)) {
			a, b := "(none)", "(none)"
			if j < len(got) {
				a = got[j]
			}
			if j < len(m.Features) {
				b = m.Features[j]
			}
			if a != b {
				return nil, fmt.Errorf("the inputs give %d columns, the model expects %d: column %d is %q here but %q in the model; use the inputs the model was fitted on", len(got), len(m.Features), j, a, b)
			}
		}
	}
	return t, nil
}

// fitTrainingLabels redraws the training part of fit's labels: known and bad masks by node.
func (in *Inputs) fitTrainingLabels(m *model.Model, p *Params) (known, bad []bool, err error) {
	if in.Labels == nil {
		return nil, nil, fmt.Errorf("the model uses label-derived graph columns; give --labels, the labels file fit was given")
	}
	want := m.Data.Checksums["labels"]
	if want == "" || !(p.ValFrac > 0 && p.ValFrac < 1) {
		return nil, nil, fmt.Errorf("model.json records no labels checksum or validation share, so its training labels cannot be redrawn; refit it with this riskwalk")
	}
	got, err := model.ChecksumFile(in.Paths.Labels)
	if err != nil {
		return nil, nil, err
	}
	if got != want {
		return nil, nil, fmt.Errorf("%s (%s) is not the labels file the model was fitted on (%s): label-derived columns must come from fit's training labels; give that file, or refit on the new labels", in.Paths.Labels, got, want)
	}
	rows, y := in.Labelled()
	train, _ := stratifiedHoldout(y, p.ValFrac, p.Seed)
	if tp := m.Data.TrainRows; tp != 0 && tp != len(train) {
		return nil, nil, fmt.Errorf("%s gives %d training rows, the model was fitted on %d (another --skip-bad setting?)", in.Paths.Labels, len(train), tp)
	}
	known, bad = trainMasks(int(in.G.N), rows, y, train)
	return known, bad, nil
}

// Bundle scores every node with the model, explains each score (reasons: every non-embedding
// column, and "embedding" for the embedding columns together) and writes the serving bundle to
// dir atomically.
func Bundle(in *Inputs, m *model.Model, modelPath, dir string, opt BundleOptions) (*BundleSummary, error) {
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	if in.vec == nil {
		return nil, fmt.Errorf("bundle needs the vectors (--vectors): the scorer answers similarity queries from them")
	}
	t, err := in.ModelTable(m)
	if err != nil {
		return nil, err
	}
	n := int(in.G.N)
	// Reasons: one per column, embedding columns merged.
	var reasons []string
	reasonOf := make([]int, len(m.Features))
	emb := -1
	for j, name := range m.Features {
		if strings.HasPrefix(name, "emb.") {
			if emb < 0 {
				emb = len(reasons)
				reasons = append(reasons, "embedding")
			}
			reasonOf[j] = emb
			continue
		}
		reasonOf[j] = len(reasons)
		reasons = append(reasons, name)
	}
	R := len(reasons)
	sum := &BundleSummary{Nodes: n, Reasons: reasons, Scores: make([]float64, n)}
	scores := make([]float32, n)
	contrib := make([]float32, n*R)
	x := make([]float64, len(m.Features))
	cs := make([]model.Contribution, 0, len(m.Features))
	for v := range n {
		t.Row(x, uint32(v))
		s := m.Score(x)
		sum.Scores[v], scores[v] = s, float32(s)
		cs = m.Explain(cs[:0], x)
		row := contrib[v*R : (v+1)*R]
		for _, c := range cs {
			row[reasonOf[c.Feature]] += float32(c.Contribution)
		}
	}
	ids := make([]string, n)
	for v := range ids {
		ids[v] = in.IDs.Ext(uint32(v))
	}
	var labels []int8
	var nb, ng int
	if in.Labels != nil {
		labels = make([]int8, n)
		for v := range labels {
			labels[v] = -1
			if in.Labels.Has[v] {
				labels[v] = 0
				if in.Labels.Bad[v] {
					labels[v] = 1
					nb++
					sum.MeanBad += sum.Scores[v]
				} else {
					ng++
					sum.MeanGood += sum.Scores[v]
				}
			}
		}
		sum.MeanBad /= float64(max(nb, 1))
		sum.MeanGood /= float64(max(ng, 1))
		sum.LabelledBad = nb
	}
	crc, err := model.ChecksumFile(modelPath)
	if err != nil {
		return nil, err
	}
	sum.ModelVersion = string(m.Kind) + "-" + strings.TrimPrefix(crc, "crc32c:")
	// An unknown id (a brand-new account) is answered as a typical user: the median user score.
	// The base rate would be wrong here: class-weighted models put most users far below it, so
	// thresholds chosen on validation would reject every new account.
	cold := float32(0)
	var userScores []float32
	for v := range n {
		if in.Users[v] {
			userScores = append(userScores, scores[v])
		}
	}
	if len(userScores) > 0 {
		slices.Sort(userScores)
		cold = userScores[len(userScores)/2]
	}
	var comm []uint32
	if in.Comm != nil {
		comm = in.Comm
	}
	fmt.Fprintf(opt.Log, "bundle: scored %d nodes with %d columns (%d reasons); writing %s\n", n, len(m.Features), R, dir)
	err = bundle.Write(dir, &bundle.Input{
		IDs: ids, Graph: in.G.Graph, GraphChecksum: in.G.Checksum(),
		Scores: scores, ModelVersion: sum.ModelVersion,
		Thresholds:  bundle.Thresholds{Review: float32(m.Thresholds.Review), Reject: float32(m.Thresholds.Reject)},
		ReasonNames: reasons, Contrib: contrib,
		Labels: labels, Community: comm,
		Dim: in.vec.dim, Vectors: in.vec.dense(), Int8: opt.Int8,
		ColdScore: cold, Progress: opt.Progress,
	})
	if err != nil {
		return nil, err
	}
	var us []float64
	for v := range n {
		if in.Users[v] {
			us = append(us, sum.Scores[v])
			sum.Decisions[m.Thresholds.Decide(sum.Scores[v])]++
		}
	}
	sum.Users = len(us)
	slices.Sort(us)
	for k, q := range []float64{0.5, 0.9, 0.99, 0.999, 1} {
		if len(us) > 0 {
			sum.Quantiles[k] = us[min(len(us)-1, int(q*float64(len(us))))]
		}
	}
	return sum, nil
}
