package pipeline

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"riskwalk/bundle"
	"riskwalk/community"
	"riskwalk/features"
	"riskwalk/graph"
	"riskwalk/model"
	"riskwalk/synth"
	"riskwalk/vecfile"
)

// world is a small synthetic fraud graph taken through ingest and features once for all tests.
type world struct {
	dir                                  string
	graph, feats, vecs, labels, trainLab string
	err                                  error
}

var (
	worldOnce sync.Once
	theWorld  world
)

func getWorld(t *testing.T) *world {
	t.Helper()
	worldOnce.Do(func() { theWorld.err = buildWorld(&theWorld) })
	if theWorld.err != nil {
		t.Fatal(theWorld.err)
	}
	return &theWorld
}

func TestMain(m *testing.M) {
	code := m.Run()
	if theWorld.dir != "" {
		os.RemoveAll(theWorld.dir)
	}
	os.Exit(code)
}

func buildWorld(w *world) error {
	var err error
	if w.dir, err = os.MkdirTemp("", "pipeline-test-"); err != nil {
		return err
	}
	gen := filepath.Join(w.dir, "gen")
	if _, err := synth.Generate(gen, synth.Config{Users: 3000, Media: 3000, Seed: 7, BadRate: 0.05}); err != nil {
		return err
	}
	in, err := graph.Ingest([]string{filepath.Join(gen, "edges.tsv.gz")}, graph.IngestOptions{NodeTypes: filepath.Join(gen, "nodes.tsv")})
	if err != nil {
		return err
	}
	w.graph = filepath.Join(w.dir, "graph.rwg")
	if err := in.WriteFiles(w.graph); err != nil {
		return err
	}
	gf, err := graph.Open(w.graph)
	if err != nil {
		return err
	}
	defer gf.Close()
	res, err := features.Compute(gf.Graph, features.Options{
		Groups: []string{"degree", "media", "pagerank", "wcc", "kcore", "louvain", "triangles", "twohop"},
		Communities: func(g *graph.Graph) ([]uint32, float64, error) {
			r, err := community.Louvain(g, community.Options{Seed: 1})
			if err != nil {
				return nil, 0, err
			}
			return r.Community, r.Modularity, nil
		},
	})
	if err != nil {
		return err
	}
	w.feats = filepath.Join(w.dir, "features.rwf")
	if err := features.Write(w.feats, gf.N, res.Columns, features.Meta{GraphChecksum: gf.Checksum()}); err != nil {
		return err
	}
	// Stand-in embedding (the trainer has its own tests): random vectors smoothed twice over the
	// neighbourhood, so nodes that share neighbours get similar vectors.
	const dim = 8
	n := int(gf.N)
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, n*dim)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	for range 2 {
		y := make([]float32, n*dim)
		for v := range n {
			for _, u := range gf.Neighbors(uint32(v)) {
				for k := range dim {
					y[v*dim+k] += x[int(u)*dim+k]
				}
			}
			d := float32(max(1, gf.Degree(uint32(v))))
			for k := range dim {
				y[v*dim+k] /= d
			}
		}
		x = y
	}
	w.vecs = filepath.Join(w.dir, "vectors.rwv")
	if err := vecfile.Write(w.vecs, vecfile.Header{Dim: dim, Count: uint64(n), DType: vecfile.Float32, GraphSum: gf.Checksum()}, x, dim); err != nil {
		return err
	}
	// Training labels: a fixed 70% of the users.
	w.labels = filepath.Join(gen, "labels.tsv")
	lines, err := readLines(w.labels)
	if err != nil {
		return err
	}
	var keep []string
	for i, l := range lines {
		if strings.HasPrefix(l, "#") || i%10 < 7 {
			keep = append(keep, l)
		}
	}
	w.trainLab = filepath.Join(w.dir, "train_labels.tsv")
	return os.WriteFile(w.trainLab, []byte(strings.Join(keep, "\n")+"\n"), 0o644)
}

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out, sc.Err()
}

func (w *world) paths(labels string) Paths {
	return Paths{Graph: w.graph, Features: w.feats, Vectors: w.vecs, Labels: labels}
}

// fastOptions keep the tests quick.
func fastOptions() FitOptions {
	o := DefaultFitOptions()
	o.GBDT.Rounds = 60
	o.GBDT.LearningRate = 0.2
	return o
}

func TestFitEvalBundle(t *testing.T) {
	w := getWorld(t)
	in, err := Open(w.paths(w.trainLab), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	m, rep, err := Fit(in, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	if auc := m.Validation["roc_auc"]; !(auc > 0.85) {
		t.Errorf("validation ROC-AUC %.4f, want well above 0.5 (> 0.85) on the synthetic graph", auc)
	}
	if rep.Chosen != string(m.Kind) || !(m.Thresholds.Reject >= m.Thresholds.Review) {
		t.Errorf("report says %s, model is %s; thresholds %+v", rep.Chosen, m.Kind, m.Thresholds)
	}
	for _, b := range []string{BlockGraph, BlockLabels, BlockEmbedding} {
		if !strings.Contains(strings.Join(rep.Blocks, ","), b) {
			t.Errorf("blocks %v lack %s", rep.Blocks, b)
		}
	}
	mp := filepath.Join(w.dir, "model.json")
	if err := m.Save(mp); err != nil {
		t.Fatal(err)
	}
	m2, err := model.Load(mp)
	if err != nil {
		t.Fatal(err)
	}
	if m2.Data.Checksums["features"] == "" || m2.Data.Checksums["graph"] == "" {
		t.Errorf("model.json lacks data checksums: %v", m2.Data.Checksums)
	}

	// Eval on all labels, 3 folds, with the ablation.
	all, err := Open(w.paths(w.labels), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer all.Close()
	eo := EvalOptions{FitOptions: fastOptions(), Folds: 3, Ablation: true}
	r, err := Eval(all, eo)
	if err != nil {
		t.Fatal(err)
	}
	nl, _ := all.Labels.Count()
	if r.Report.N != nl {
		t.Errorf("k-fold pooled %d held-out scores, want every labelled node once (%d)", r.Report.N, nl)
	}
	if !(r.Report.ROCAUC > 0.85 && r.MeanAUC > 0.85) {
		t.Errorf("held-out ROC-AUC %.4f (mean %.4f), want > 0.85", r.Report.ROCAUC, r.MeanAUC)
	}
	var names []string
	for _, a := range r.Ablation {
		names = append(names, a.Group.Name)
	}
	if got := strings.Join(names, "|"); got != "graph features only|embedding only|all" {
		t.Errorf("ablation groups %q", got)
	}

	// Bundle with the fitted model; known-bad users must score higher on average.
	bdir := filepath.Join(w.dir, "bundle")
	s, err := Bundle(in, m2, mp, bdir, BundleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Open(bdir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.N != in.G.N || s.Users != 3000 {
		t.Fatalf("bundle holds %d nodes (graph %d), %d users", b.N, in.G.N, s.Users)
	}
	// A new account is answered as a typical user, which the thresholds pass.
	if d := b.Meta.Thresholds.Decide(b.Meta.ColdScore); d != bundle.Pass {
		t.Fatalf("cold-start score %g gets %v, want pass (thresholds %+v)", b.Meta.ColdScore, d, b.Meta.Thresholds)
	}
	// Mean bundle score of all bad vs good users, by the full labels (70% seen, 30% held out).
	var sb, sg float64
	var nb, ng int
	heldBad, heldGood := 0.0, 0.0
	var hb, hg int
	for v := range all.Labels.Has {
		if !all.Labels.Has[v] {
			continue
		}
		sc := float64(b.Row(uint32(v)).Score)
		seen := in.Labels.Has[v]
		if all.Labels.Bad[v] {
			sb, nb = sb+sc, nb+1
			if !seen {
				heldBad, hb = heldBad+sc, hb+1
			}
		} else {
			sg, ng = sg+sc, ng+1
			if !seen {
				heldGood, hg = heldGood+sc, hg+1
			}
		}
	}
	if !(sb/float64(nb) > 2*sg/float64(ng)) || !(heldBad/float64(hb) > 2*heldGood/float64(hg)) {
		t.Errorf("mean bundle score bad %.4f vs good %.4f (held-out users: %.4f vs %.4f); want bad well above good",
			sb/float64(nb), sg/float64(ng), heldBad/float64(hb), heldGood/float64(hg))
	}
	if row := b.Row(0); row.NReasons == 0 {
		t.Errorf("user 0 has no reasons in the bundle")
	}
}

// TestLeakage: the design matrix of a split depends on its training labels only.
func TestLeakage(t *testing.T) {
	w := getWorld(t)
	in, err := Open(w.paths(w.labels), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	rows, y := in.Labelled()
	splits, err := model.StratifiedKFold(y, 4, 3)
	if err != nil {
		t.Fatal(err)
	}
	sp := splits[0]
	before, err := in.FoldMatrix(sp.Train, DefaultLabelOptions)
	if err != nil {
		t.Fatal(err)
	}
	// Shuffle the labels of every held-out (validation and test) row.
	held := append(append([]int(nil), sp.Val...), sp.Test...)
	rng := rand.New(rand.NewPCG(5, 6))
	labs := make([]bool, len(held))
	for k, i := range held {
		labs[k] = y[i]
	}
	rng.Shuffle(len(labs), func(a, b int) { labs[a], labs[b] = labs[b], labs[a] })
	changed := 0
	for k, i := range held {
		if in.Labels.Bad[rows[i]] != labs[k] {
			changed++
		}
		in.Labels.Bad[rows[i]] = labs[k]
	}
	if changed == 0 {
		t.Fatal("the shuffle changed no label")
	}
	after, err := in.FoldMatrix(sp.Train, DefaultLabelOptions)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffCells(before, after); d != 0 {
		t.Errorf("shuffling %d held-out labels changed %d training-matrix cells: test labels leak into features", changed, d)
	}
	for _, c := range append([]string{"ppr", "louvain_bad"}, features.NeighbourLabelNames...) {
		if !slices.Contains(before.Names, c) {
			t.Errorf("the fold matrix lacks label-derived column %s: %v", c, before.Names)
		}
	}
	// Held-out nodes count as unlabelled: marking them unlabelled changes nothing either (the
	// fold matrix is built over the same rows, so compare with the labels restored after).
	has := slices.Clone(in.Labels.Has)
	for _, i := range held {
		in.Labels.Has[rows[i]] = false
	}
	lb, err := in.foldLabelBlock(rows, y, sp.Train, true, DefaultLabelOptions)
	if err != nil {
		t.Fatal(err)
	}
	copy(in.Labels.Has, has)
	_, dropped := design(in.BaseBlocks(), lb, rows)
	if d := diffCells(before, dropped); d != 0 {
		t.Errorf("unlabelling %d held-out nodes changed %d training-matrix cells", len(held), d)
	}
	// Control: flipping training labels must change the label-derived columns.
	for k, i := range sp.Train {
		if k%5 == 0 {
			in.Labels.Bad[rows[i]] = !in.Labels.Bad[rows[i]]
		}
	}
	flipped, err := in.FoldMatrix(sp.Train, DefaultLabelOptions)
	if err != nil {
		t.Fatal(err)
	}
	if diffCells(before, flipped) == 0 {
		t.Error("flipping training labels changed nothing: the label-derived columns are not computed")
	}
}

func diffCells(a, b *model.Matrix) int {
	d := 0
	for i := range a.Data {
		if a.Data[i] != b.Data[i] && !(math.IsNaN(a.Data[i]) && math.IsNaN(b.Data[i])) {
			d++
		}
	}
	return d
}

func TestBadInputs(t *testing.T) {
	w := getWorld(t)
	write := func(name, text string) string {
		p := filepath.Join(w.dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	wantErr := func(p Paths, subs ...string) {
		t.Helper()
		in, err := Open(p, nil)
		if err == nil {
			in.Close()
			t.Fatalf("no error for %+v", p)
		}
		for _, s := range subs {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("error %q lacks %q", err, s)
			}
		}
	}
	unknown := write("unknown.tsv", "u1\t0\nu2\t1\nnobody\t1\nu3\t0\n")
	wantErr(Paths{Graph: w.graph, Labels: unknown}, "unknown.tsv:3", "nobody")
	in, err := Open(Paths{Graph: w.graph, Labels: unknown, SkipBad: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if in.LabelReport.UnknownIDs != 1 {
		t.Errorf("skip-bad counted %d unknown ids, want 1", in.LabelReport.UnknownIDs)
	}
	in.Close()
	dup := write("dup.tsv", "u1\t0\nu2\t1\nu1\t1\n")
	wantErr(Paths{Graph: w.graph, Labels: dup}, "dup.tsv:3", "line 1")

	// A feature file from another graph: both checksums in the error.
	other := filepath.Join(w.dir, "other.rwf")
	if err := features.Write(other, 6000+0, nil, features.Meta{GraphChecksum: 0xdeadbeef}); err != nil {
		// An empty column list may be refused; write one column instead.
		if err := features.Write(other, 6000, []features.Column{features.F32("x", make([]float32, 6000))}, features.Meta{GraphChecksum: 0xdeadbeef}); err != nil {
			t.Fatal(err)
		}
	}
	gf, err := graph.Open(w.graph)
	if err != nil {
		t.Fatal(err)
	}
	sum := gf.Checksum()
	gf.Close()
	wantErr(Paths{Graph: w.graph, Features: other}, "00000000deadbeef", fmt.Sprintf("%016x", sum))

	// NaN attributes: an error naming file:line, or imputed and counted with skip-bad.
	attrs := write("attrs.tsv", "id\ta\tb\nu1\t1\t2\nu2\tNaN\t3\nu3\t0.5\t1\n")
	wantErr(Paths{Graph: w.graph, Attributes: attrs}, "attrs.tsv:3", "NaN")
	in, err = Open(Paths{Graph: w.graph, Attributes: attrs, SkipBad: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if in.AttrReport.NonFinite != 1 {
		t.Errorf("skip-bad counted %d non-finite values, want 1", in.AttrReport.NonFinite)
	}
	in.Close()

	// Fit without skip-bad refuses NaN that reaches the design matrix (nodes missing from an
	// id-keyed attribute table are NaN): the error names the node.
	in, err = Open(Paths{Graph: w.graph, Attributes: write("few.tsv", "id\ta\nu1\t1\n"), Labels: w.trainLab}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if _, _, err := Fit(in, fastOptions()); err == nil || !strings.Contains(err.Error(), "--skip-bad") {
		t.Errorf("fit on missing attribute values: err %v, want one pointing at --skip-bad", err)
	}
}

func TestScoresFileAndPSI(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.scores")
	ids := []string{"u1", "u2", "u3"}
	if err := WriteScores(p, "test", ids, []float64{0.1, 0.5, 0.9}); err != nil {
		t.Fatal(err)
	}
	gi, gs, err := ReadScores(p)
	if err != nil || strings.Join(gi, ",") != "u1,u2,u3" || gs[1] != 0.5 {
		t.Fatalf("round trip: %v %v %v", gi, gs, err)
	}
	bad := filepath.Join(dir, "b.scores")
	os.WriteFile(bad, []byte(ScoresHeader+"\nu1\t0.2\nu1\t0.3\n"), 0o644)
	if _, _, err := ReadScores(bad); err == nil || !strings.Contains(err.Error(), "b.scores:3") {
		t.Errorf("duplicate id: err %v", err)
	}
	os.WriteFile(bad, []byte(ScoresHeader+"\nu1\t1.5\n"), 0o644)
	if _, _, err := ReadScores(bad); err == nil || !strings.Contains(err.Error(), "b.scores:2") {
		t.Errorf("score 1.5: err %v", err)
	}
}

// TestNeighbourMeans checks the neighbour block by hand on a path 0-1-2 plus an isolated node 3,
// with a NaN that must be skipped.
func TestNeighbourMeans(t *testing.T) {
	g, err := graph.FromEdges(4, []graph.Edge{{U: 0, V: 1}, {U: 1, V: 2}}, false, false, false)
	if err != nil {
		t.Fatal(err)
	}
	attr := model.NewMatrix(4, []string{"attr.a"})
	copy(attr.Data, []float64{1, 10, math.NaN(), 5})
	m := NeighbourMeans(g, attr)
	if got := strings.Join(m.Names, ","); got != "nbmean.attr.a,log_degree,nbmean.log_degree" {
		t.Fatalf("names %s", got)
	}
	l1, l2 := math.Log(2), math.Log(3)
	want := [][]float64{{10, l1, l2}, {1, l2, l1}, {10, l1, l2}, {0, 0, 0}}
	for v, w := range want {
		for j, x := range w {
			if math.Abs(m.At(v, j)-x) > 1e-12 {
				t.Errorf("node %d %s = %v, want %v", v, m.Names[j], m.At(v, j), x)
			}
		}
	}
}

// TestAttributesFitBundle: fit with an attribute table and its neighbour block, then bundle; a
// bundle given other labels than fit's is refused.
func TestAttributesFitBundle(t *testing.T) {
	w := getWorld(t)
	gf, err := graph.Open(w.graph)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := graph.OpenIDs(graph.IDPath(w.graph))
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	sb.WriteString("id\ta\tb\n")
	rng := rand.New(rand.NewPCG(3, 4))
	for v := range int(gf.N) {
		fmt.Fprintf(&sb, "%s\t%d\t%.3f\n", ids.Ext(uint32(v)), gf.Degree(uint32(v))%7, rng.Float64())
	}
	ids.Close()
	gf.Close()
	ap := filepath.Join(w.dir, "attrs-all.tsv")
	if err := os.WriteFile(ap, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	p := w.paths(w.trainLab)
	p.Attributes, p.AttrNeighbourMeans = ap, true
	in, err := Open(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	m, rep, err := Fit(in, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rep.Blocks, ","); got != "attributes,neighbour,graph,labels,embedding" {
		t.Errorf("blocks %s", got)
	}
	mp := filepath.Join(w.dir, "model-attr.json")
	if err := m.Save(mp); err != nil {
		t.Fatal(err)
	}
	// Bundle from inputs opened without the neighbour flag: the model's params bring it back.
	p.AttrNeighbourMeans = false
	in2, err := Open(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer in2.Close()
	s, err := Bundle(in2, m, mp, filepath.Join(w.dir, "bundle-attr"), BundleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.MeanBad <= s.MeanGood {
		t.Errorf("bundle: mean score of labelled bad %.4f <= good %.4f", s.MeanBad, s.MeanGood)
	}
	// Other labels than fit's: refused, naming the file.
	p.Labels = w.labels
	in3, err := Open(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer in3.Close()
	if _, err := Bundle(in3, m, mp, filepath.Join(w.dir, "bundle-other"), BundleOptions{}); err == nil || !strings.Contains(err.Error(), "not the labels file the model was fitted on") {
		t.Errorf("bundle with other labels: err %v", err)
	}
	// A model that does not say how fit split its labels (written before val_frac was
	// recorded) cannot have its training labels redrawn: refused, asking for a refit.
	par, err := ParseParams(m)
	if err != nil {
		t.Fatal(err)
	}
	par.ValFrac = 0
	old := *m
	if old.Params, err = json.Marshal(par); err != nil {
		t.Fatal(err)
	}
	if _, err := Bundle(in2, &old, mp, filepath.Join(w.dir, "bundle-old"), BundleOptions{}); err == nil || !strings.Contains(err.Error(), "refit") {
		t.Errorf("bundle of a model without val_frac: err %v", err)
	}
}
