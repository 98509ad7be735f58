package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// GBDT is a gradient-boosted ensemble of binary regression trees for log-loss:
//
//	Raw(x) = Base + Σ_t tree_t(x),   Score(x) = σ(Raw(x)).
//
// Trees are grown leaf-wise on histograms of binned features (quantile bins from the training rows)
// with the second-order (Newton) gain of Chen & Guestrin, XGBoost (KDD 2016), eq. 7:
//
//	gain = ½ [ G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ) ] − γ,   leaf weight w = −G/(H+λ),
//
// where G, H are sums of the log-loss gradient g_i = c_i(p_i − y_i) and hessian h_i = c_i p_i(1−p_i).
// Leaf outputs are η·w. Training is deterministic for a seed: each feature's histogram is summed by
// one goroutine in row order, and the best split is reduced in feature order.
type GBDT struct {
	Names []string `json:"-"`
	Base  float64  `json:"base"`
	Trees []Tree   `json:"trees"`
}

// Tree is one regression tree in flat arrays indexed by node; node 0 is the root. Feature[i] < 0
// marks a leaf. An internal node sends x left when x[Feature] <= Threshold (NaN goes right).
// Value[i] is a leaf's output; at an internal node it is the output the node would have as a leaf
// (η·(−G/(H+λ))), which Saabas path attribution uses.
type Tree struct {
	Feature   []int32   `json:"feature"`
	Threshold []float64 `json:"threshold"`
	Left      []int32   `json:"left"`
	Right     []int32   `json:"right"`
	Value     []float64 `json:"value"`
}

// leaf returns the index of the leaf that x reaches.
func (t *Tree) leaf(x []float64) int32 {
	i := int32(0)
	for {
		f := t.Feature[i]
		if f < 0 {
			return i
		}
		if x[f] <= t.Threshold[i] {
			i = t.Left[i]
		} else {
			i = t.Right[i]
		}
	}
}

// Raw is the log-odds of x (len(x) == len(Names)). No allocations.
func (m *GBDT) Raw(x []float64) float64 {
	s := m.Base
	for i := range m.Trees {
		t := &m.Trees[i]
		s += t.Value[t.leaf(x)]
	}
	return s
}

// Score is σ(Raw(x)). No allocations.
func (m *GBDT) Score(x []float64) float64 { return sigmoid(m.Raw(x)) }

// Explain appends one Contribution per feature to dst, sorted by |contribution| descending, and
// returns it. Contributions are Saabas path attributions: along each tree's path every split adds
// Value[child] − Value[node] to its feature, so Bias() + Σ contributions == Raw(x). With a dst of
// sufficient capacity it does not allocate.
func (m *GBDT) Explain(dst []Contribution, x []float64) []Contribution {
	start := len(dst)
	for j, n := range m.Names {
		dst = append(dst, Contribution{Feature: j, Name: n, Value: x[j]})
	}
	c := dst[start:]
	for ti := range m.Trees {
		t := &m.Trees[ti]
		i := int32(0)
		for t.Feature[i] >= 0 {
			f := t.Feature[i]
			next := t.Right[i]
			if x[f] <= t.Threshold[i] {
				next = t.Left[i]
			}
			c[f].Contribution += t.Value[next] - t.Value[i]
			i = next
		}
	}
	sortContributions(c)
	return dst
}

// Bias is the part of Raw shared by every input: Base plus every root's value.
func (m *GBDT) Bias() float64 {
	s := m.Base
	for i := range m.Trees {
		s += m.Trees[i].Value[0]
	}
	return s
}

// GBDTOptions control FitGBDT. Zero values select the defaults noted.
type GBDTOptions struct {
	Rounds         int     // boosting rounds, default 500
	LearningRate   float64 // η, default 0.05
	MaxDepth       int     // default 6; a node at this depth is not split
	MaxLeaves      int     // per tree, default 31
	MinChildWeight float64 // min hessian sum in a child, default 1
	MinChildRows   int     // min rows in a child, default 5
	Lambda         float64 // L2 on leaf weights, default 1; NoLambda for 0
	NoLambda       bool
	Gamma          float64 // min split gain, default 0
	Subsample      float64 // fraction of training rows per tree, default 1
	ColSample      float64 // fraction of features per tree, default 1
	MaxBins        int     // histogram bins per feature, 2..256, default 256
	Seed           uint64
	// EarlyStop ends training when the validation metric has not improved for this many rounds
	// (default 50; needs validation rows) and keeps the best round's trees.
	EarlyStop int
	// Metric for early stopping: "logloss" (default) or "auc".
	Metric string
	// PosWeight and NegWeight are class weights on the loss, default 1 and 1.
	PosWeight, NegWeight float64
	// SkipNonFinite accepts NaN/±Inf inputs (counted in the info) instead of failing: NaN is binned
	// above every finite value, consistent with "NaN goes right" at prediction.
	SkipNonFinite bool
}

func (o *GBDTOptions) defaults() error {
	def := func(p *float64, v float64) {
		if *p == 0 {
			*p = v
		}
	}
	if o.Rounds == 0 {
		o.Rounds = 500
	}
	def(&o.LearningRate, 0.05)
	if o.MaxDepth == 0 {
		o.MaxDepth = 6
	}
	if o.MaxLeaves == 0 {
		o.MaxLeaves = 31
	}
	def(&o.MinChildWeight, 1)
	if o.MinChildRows == 0 {
		o.MinChildRows = 5
	}
	if !o.NoLambda {
		def(&o.Lambda, 1)
	}
	def(&o.Subsample, 1)
	def(&o.ColSample, 1)
	if o.MaxBins == 0 {
		o.MaxBins = 256
	}
	if o.EarlyStop == 0 {
		o.EarlyStop = 50
	}
	if o.Metric == "" {
		o.Metric = "logloss"
	}
	def(&o.PosWeight, 1)
	def(&o.NegWeight, 1)
	switch {
	case o.Rounds < 0, o.MaxDepth < 0, o.MaxLeaves < 2, o.MinChildRows < 1, o.EarlyStop < 0:
		return fmt.Errorf("model: gbdt rounds, depth, leaves (>= 2), min child rows (>= 1) and early stop must be positive: %+v", *o)
	case !(o.LearningRate > 0 && o.LearningRate <= 1):
		return fmt.Errorf("model: gbdt learning rate %v outside (0, 1]", o.LearningRate)
	case !(o.Subsample > 0 && o.Subsample <= 1), !(o.ColSample > 0 && o.ColSample <= 1):
		return fmt.Errorf("model: gbdt subsample %v and colsample %v must lie in (0, 1]", o.Subsample, o.ColSample)
	case o.MaxBins < 2 || o.MaxBins > 256:
		return fmt.Errorf("model: gbdt max bins %d outside 2..256", o.MaxBins)
	case o.Lambda < 0, o.Gamma < 0, o.MinChildWeight < 0, !(o.PosWeight > 0), !(o.NegWeight > 0):
		return fmt.Errorf("model: gbdt lambda, gamma, min child weight must be >= 0 and class weights > 0")
	case o.Metric != "logloss" && o.Metric != "auc":
		return fmt.Errorf("model: gbdt metric %q: want logloss or auc", o.Metric)
	}
	return nil
}

// GBDTInfo reports a GBDT fit.
type GBDTInfo struct {
	Rounds    int       `json:"rounds"`     // rounds trained (including those after the best)
	Best      int       `json:"best"`       // trees kept
	BestValue float64   `json:"best_value"` // validation metric at Best (NaN without validation)
	Metric    string    `json:"metric"`
	Curve     []float64 `json:"-"` // validation metric after each round
	NonFinite int       `json:"non_finite"`
	Options   GBDTOptions
}

type histBin struct {
	g, h float64
	n    int32
}

type splitCand struct {
	feat, bin  int
	gain       float64
	gl, hl     float64
	nl         int
	splittable bool
}

type gbLeaf struct {
	node   int32
	lo, hi int
	depth  int
	G, H   float64
	hist   []histBin
	best   splitCand
}

type gbTrainer struct {
	opt   GBDTOptions
	n, nf int
	maxB  int
	bins  []uint8 // bins[f*n + k]: bin of feature f at training row k
	nbins []int
	edges [][]float64
	g, h  []float64
	idx   []int32
	tmp   []int32
	feats []int
	cands []splitCand
	pool  [][]histBin
}

// FitGBDT trains on rows train of m with labels y (indexed by row of m); rows val (may be empty)
// drive early stopping.
func FitGBDT(m *Matrix, y []bool, train, val []int, opt GBDTOptions) (*GBDT, GBDTInfo, error) {
	info := GBDTInfo{}
	if err := opt.defaults(); err != nil {
		return nil, info, err
	}
	info.Options, info.Metric = opt, opt.Metric
	if err := m.Validate(); err != nil {
		return nil, info, err
	}
	if len(y) != m.Rows {
		return nil, info, fmt.Errorf("model: %d labels for %d rows", len(y), m.Rows)
	}
	if len(train) == 0 {
		return nil, info, fmt.Errorf("model: gbdt needs training rows")
	}
	for _, rows := range [][]int{train, val} {
		for _, i := range rows {
			if i < 0 || i >= m.Rows {
				return nil, info, fmt.Errorf("model: row %d outside the matrix's %d rows", i, m.Rows)
			}
			if opt.SkipNonFinite {
				for _, v := range m.Row(i) {
					if !finite(v) {
						info.NonFinite++
					}
				}
			}
		}
	}
	if !opt.SkipNonFinite {
		if err := m.CheckFinite(train); err != nil {
			return nil, info, err
		}
		if err := m.CheckFinite(val); err != nil {
			return nil, info, err
		}
	}
	n, nf := len(train), m.Cols
	var wp, wsum float64
	for _, i := range train {
		if y[i] {
			wp += opt.PosWeight
			wsum += opt.PosWeight
		} else {
			wsum += opt.NegWeight
		}
	}
	if wp == 0 || wp == wsum {
		return nil, info, fmt.Errorf("model: training rows hold only one class; gbdt needs both")
	}
	t := &gbTrainer{opt: opt, n: n, nf: nf, maxB: opt.MaxBins, g: make([]float64, n), h: make([]float64, n)}
	t.binFeatures(m, train)
	model := &GBDT{Names: append([]string(nil), m.Names...), Base: math.Log(wp / (wsum - wp))}
	F := make([]float64, n)
	for k := range F {
		F[k] = model.Base
	}
	Fv := make([]float64, len(val))
	for k := range Fv {
		Fv[k] = model.Base
	}
	yv := make([]bool, len(val))
	for k, i := range val {
		yv[k] = y[i]
	}
	rng := rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9e3779b97f4a7c15))
	nsub := max(1, int(math.Round(opt.Subsample*float64(n))))
	ncol := max(1, int(math.Round(opt.ColSample*float64(nf))))
	perm := make([]int32, n)
	for k := range perm {
		perm[k] = int32(k)
	}
	fperm := make([]int, nf)
	for f := range fperm {
		fperm[f] = f
	}
	better := func(a, b float64) bool { return a < b } // logloss: lower is better
	if opt.Metric == "auc" {
		better = func(a, b float64) bool { return a > b }
	}
	info.BestValue = math.NaN()
	sinceBest := 0
	for round := 0; round < opt.Rounds; round++ {
		for k, i := range train {
			c := opt.NegWeight
			yk := 0.0
			if y[i] {
				c, yk = opt.PosWeight, 1
			}
			p := sigmoid(F[k])
			t.g[k] = c * (p - yk)
			t.h[k] = c * math.Max(p*(1-p), 1e-16)
		}
		// Row sample: a partial Fisher-Yates shuffle, then sorted so sums run in row order.
		if nsub < n {
			for k := 0; k < nsub; k++ {
				j := k + rng.IntN(n-k)
				perm[k], perm[j] = perm[j], perm[k]
			}
			t.idx = append(t.idx[:0], perm[:nsub]...)
			slices.Sort(t.idx)
		} else {
			t.idx = append(t.idx[:0], perm...)
			slices.Sort(t.idx)
		}
		if ncol < nf {
			for k := 0; k < ncol; k++ {
				j := k + rng.IntN(nf-k)
				fperm[k], fperm[j] = fperm[j], fperm[k]
			}
			t.feats = append(t.feats[:0], fperm[:ncol]...)
			slices.Sort(t.feats)
		} else {
			t.feats = append(t.feats[:0], fperm...)
			slices.Sort(t.feats)
		}
		tree := t.grow()
		model.Trees = append(model.Trees, tree)
		for k, i := range train {
			F[k] += tree.Value[tree.leaf(m.Row(i))]
		}
		info.Rounds = round + 1
		if len(val) == 0 {
			info.Best = len(model.Trees)
			continue
		}
		for k, i := range val {
			Fv[k] += tree.Value[tree.leaf(m.Row(i))]
		}
		v := valMetric(opt.Metric, Fv, yv)
		info.Curve = append(info.Curve, v)
		if info.Best == 0 || better(v, info.BestValue) {
			info.Best, info.BestValue, sinceBest = len(model.Trees), v, 0
		} else if sinceBest++; sinceBest >= opt.EarlyStop {
			break
		}
	}
	model.Trees = model.Trees[:info.Best]
	return model, info, nil
}

func valMetric(metric string, raw []float64, y []bool) float64 {
	if metric == "auc" {
		return ROCAUC(raw, y)
	}
	var s float64
	for k, r := range raw {
		if y[k] {
			s += softplus(-r)
		} else {
			s += softplus(r)
		}
	}
	return s / float64(len(raw))
}

// binFeatures computes per-feature bin upper edges from the training rows and bins them.
// Edges lie midway between consecutive distinct values; with more distinct values than bins,
// bins are filled greedily to about n/MaxBins rows each. The last edge is +Inf; NaN takes the last
// bin. A value x falls in the first bin b with x <= edges[b], so bin(x) <= b iff x <= edges[b].
func (t *gbTrainer) binFeatures(m *Matrix, train []int) {
	t.bins = make([]uint8, t.nf*t.n)
	t.nbins = make([]int, t.nf)
	t.edges = make([][]float64, t.nf)
	parallelFor(t.nf, func(f int) {
		vals := make([]float64, 0, t.n)
		for _, i := range train {
			if v := m.At(i, f); !math.IsNaN(v) {
				vals = append(vals, v)
			}
		}
		sort.Float64s(vals)
		// distinct values with counts
		type dv struct {
			v float64
			c int
		}
		var ds []dv
		for _, v := range vals {
			if len(ds) > 0 && ds[len(ds)-1].v == v {
				ds[len(ds)-1].c++
			} else {
				ds = append(ds, dv{v, 1})
			}
		}
		var edges []float64
		mid := func(a, b float64) float64 {
			e := a + (b-a)/2
			if e >= b || math.IsInf(e, 0) || math.IsNaN(e) {
				e = a
			}
			return e
		}
		if len(ds) <= t.maxB {
			for k := 0; k+1 < len(ds); k++ {
				edges = append(edges, mid(ds[k].v, ds[k+1].v))
			}
		} else {
			target := float64(len(vals)) / float64(t.maxB)
			acc := 0
			for k := 0; k+1 < len(ds) && len(edges) < t.maxB-1; k++ {
				acc += ds[k].c
				if float64(acc) >= target*float64(len(edges)+1) {
					edges = append(edges, mid(ds[k].v, ds[k+1].v))
				}
			}
		}
		edges = append(edges, math.Inf(1))
		t.edges[f], t.nbins[f] = edges, len(edges)
		col := t.bins[f*t.n : (f+1)*t.n]
		for k, i := range train {
			col[k] = uint8(binOf(edges, m.At(i, f)))
		}
	})
}

func binOf(edges []float64, x float64) int {
	if math.IsNaN(x) {
		return len(edges) - 1
	}
	return sort.SearchFloat64s(edges, x) // first b with edges[b] >= x
}

// parallelMinWork is the number of row-feature cells below which a node's histograms and split
// search run on one goroutine (tests set it to 0 to exercise the parallel path).
var parallelMinWork = 1 << 14

func (t *gbTrainer) getHist() []histBin {
	if k := len(t.pool); k > 0 {
		h := t.pool[k-1]
		t.pool = t.pool[:k-1]
		return h
	}
	return make([]histBin, t.nf*t.maxB)
}

// buildHist sums g, h and counts of rows into hist for the sampled features.
func (t *gbTrainer) buildHist(hist []histBin, rows []int32) {
	one := func(f int) {
		hf := hist[f*t.maxB : f*t.maxB+t.nbins[f]]
		clear(hf)
		col := t.bins[f*t.n : (f+1)*t.n]
		for _, r := range rows {
			b := &hf[col[r]]
			b.g += t.g[r]
			b.h += t.h[r]
			b.n++
		}
	}
	if len(rows)*len(t.feats) < parallelMinWork {
		for _, f := range t.feats {
			one(f)
		}
		return
	}
	parallelFor(len(t.feats), func(k int) { one(t.feats[k]) })
}

// findBest sets l.best to the best split over the sampled features (ties: lowest feature, bin).
func (t *gbTrainer) findBest(l *gbLeaf) {
	l.best = splitCand{}
	o := &t.opt
	if l.depth >= o.MaxDepth || l.hi-l.lo < 2*o.MinChildRows {
		return
	}
	if cap(t.cands) < len(t.feats) {
		t.cands = make([]splitCand, len(t.feats))
	}
	cands := t.cands[:len(t.feats)]
	parent := l.G * l.G / (l.H + o.Lambda)
	n := l.hi - l.lo
	one := func(k int) {
		f := t.feats[k]
		hf := l.hist[f*t.maxB : f*t.maxB+t.nbins[f]]
		best := splitCand{}
		var gl, hl float64
		nl := 0
		for b := 0; b+1 < len(hf); b++ {
			gl += hf[b].g
			hl += hf[b].h
			nl += int(hf[b].n)
			if nl < o.MinChildRows || hl < o.MinChildWeight {
				continue
			}
			gr, hr, nr := l.G-gl, l.H-hl, n-nl
			if nr < o.MinChildRows || hr < o.MinChildWeight {
				break
			}
			gain := 0.5*(gl*gl/(hl+o.Lambda)+gr*gr/(hr+o.Lambda)-parent) - o.Gamma
			if gain > best.gain {
				best = splitCand{feat: f, bin: b, gain: gain, gl: gl, hl: hl, nl: nl, splittable: true}
			}
		}
		cands[k] = best
	}
	if n*len(t.feats) < parallelMinWork {
		for k := range cands {
			one(k)
		}
	} else {
		parallelFor(len(cands), one)
	}
	for _, c := range cands {
		if c.splittable && c.gain > 1e-12 && (!l.best.splittable || c.gain > l.best.gain) {
			l.best = c
		}
	}
}

func (t *gbTrainer) grow() Tree {
	o := &t.opt
	var tr Tree
	newNode := func(G, H float64) int32 {
		tr.Feature = append(tr.Feature, -1)
		tr.Threshold = append(tr.Threshold, 0)
		tr.Left = append(tr.Left, -1)
		tr.Right = append(tr.Right, -1)
		tr.Value = append(tr.Value, -o.LearningRate*G/(H+o.Lambda))
		return int32(len(tr.Feature) - 1)
	}
	root := &gbLeaf{lo: 0, hi: len(t.idx), hist: t.getHist()}
	for _, r := range t.idx {
		root.G += t.g[r]
		root.H += t.h[r]
	}
	root.node = newNode(root.G, root.H)
	t.buildHist(root.hist, t.idx)
	t.findBest(root)
	leaves := []*gbLeaf{root}
	for len(leaves) < o.MaxLeaves {
		bi := -1
		for k, l := range leaves {
			if l.best.splittable && (bi < 0 || l.best.gain > leaves[bi].best.gain) {
				bi = k
			}
		}
		if bi < 0 {
			break
		}
		l := leaves[bi]
		s := l.best
		// Stable partition of l's rows: bin <= s.bin go left.
		rows := t.idx[l.lo:l.hi]
		col := t.bins[s.feat*t.n : (s.feat+1)*t.n]
		t.tmp = t.tmp[:0]
		w := 0
		for _, r := range rows {
			if int(col[r]) <= s.bin {
				rows[w] = r
				w++
			} else {
				t.tmp = append(t.tmp, r)
			}
		}
		copy(rows[w:], t.tmp)
		left := &gbLeaf{lo: l.lo, hi: l.lo + w, depth: l.depth + 1, G: s.gl, H: s.hl}
		right := &gbLeaf{lo: l.lo + w, hi: l.hi, depth: l.depth + 1, G: l.G - s.gl, H: l.H - s.hl}
		left.node = newNode(left.G, left.H)
		right.node = newNode(right.G, right.H)
		tr.Feature[l.node] = int32(s.feat)
		tr.Threshold[l.node] = t.edges[s.feat][s.bin]
		tr.Left[l.node], tr.Right[l.node] = left.node, right.node
		// Histogram subtraction: build the smaller child, the larger is parent minus smaller.
		small, large := left, right
		if small.hi-small.lo > large.hi-large.lo {
			small, large = right, left
		}
		small.hist = t.getHist()
		t.buildHist(small.hist, t.idx[small.lo:small.hi])
		large.hist = l.hist
		for _, f := range t.feats {
			a := large.hist[f*t.maxB : f*t.maxB+t.nbins[f]]
			b := small.hist[f*t.maxB:]
			for k := range a {
				a[k].g -= b[k].g
				a[k].h -= b[k].h
				a[k].n -= b[k].n
			}
		}
		t.findBest(left)
		t.findBest(right)
		leaves[bi] = left
		leaves = append(leaves, right)
	}
	for _, l := range leaves {
		t.pool = append(t.pool, l.hist)
	}
	return tr
}
