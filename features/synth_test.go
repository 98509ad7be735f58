package features

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"riskwalk/community"
	"riskwalk/graph"
	"riskwalk/synth"
)

// genGraph generates a small synthetic fraud data set (synth) and ingests it as the command
// does: typed user-medium graph, labels by external id.
func genGraph(t *testing.T, users int) (*graph.Graph, *Labels) {
	t.Helper()
	dir := t.TempDir()
	if _, err := synth.Generate(dir, synth.Config{Users: users, Media: users, Seed: 3, BadRate: 0.05, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	in, err := graph.Ingest([]string{filepath.Join(dir, synth.EdgesFile)},
		graph.IngestOptions{NodeTypes: filepath.Join(dir, synth.NodesFile), Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	l, err := ReadLabels(filepath.Join(dir, synth.LabelsFile), in.Graph.N, in.IDs.Lookup)
	if err != nil {
		t.Fatal(err)
	}
	if l.NKnown != users || l.NBad < users/40 {
		t.Fatalf("%d labels, %d bad: not what synth promised", l.NKnown, l.NBad)
	}
	return in.Graph, l
}

// TestSyntheticHeldOutAUC: on a generated graph, the label-derived features computed from 70%
// of the labels separate the held-out bad users from the held-out normal ones (gangs share
// media, so a bad user's two-hop neighbourhood holds known bad users and PPR from them reaches
// it), while the same columns' in-sample AUCs are not what is reported.
func TestSyntheticHeldOutAUC(t *testing.T) {
	g, all := genGraph(t, 5000)
	train, test, err := SplitLabels(all, 0.3, 1)
	if err != nil {
		t.Fatal(err)
	}
	if test.NKnown < 1200 || test.NKnown > 1800 || train.NKnown+test.NKnown != all.NKnown || test.NBad < 30 {
		t.Fatalf("split %d/%d (%d held-out bad) of %d", train.NKnown, test.NKnown, test.NBad, all.NKnown)
	}
	for v := range all.Known {
		if train.Known[v] && test.Known[v] {
			t.Fatalf("node %d in both halves", v)
		}
	}
	comm := func(g *graph.Graph) ([]uint32, float64, error) {
		r, err := community.Louvain(g, community.Options{Seed: 1, Threads: 2})
		if err != nil {
			return nil, 0, err
		}
		return r.Community, r.Modularity, nil
	}
	res, err := Compute(g, Options{Groups: []string{"degree", "louvain", "twohop", "ppr"}, Labels: train, Communities: comm})
	if err != nil {
		t.Fatal(err)
	}
	if res.Modularity < 0.3 {
		t.Errorf("modularity %.3f: the generated graph has gangs and households", res.Modularity)
	}
	p := filepath.Join(t.TempDir(), "f.rwf")
	if err := Write(p, g.N, res.Columns, Meta{Params: res.Params}); err != nil {
		t.Fatal(err)
	}
	f, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	auc := func(sums []ColumnSummary) map[string]ColumnSummary {
		m := map[string]ColumnSummary{}
		for _, s := range sums {
			m[s.Name] = s
		}
		return m
	}
	held, err := Summarize(f, test, SummaryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	h := auc(held)
	for _, c := range []string{"th_bad", "ppr"} {
		s := h[c]
		t.Logf("%s: held-out AUC %.3f, mean bad %.4g, normal %.4g (%d/%d)", c, s.AUC, s.MeanBad, s.MeanGood, s.NBad, s.NGood)
		if !(s.AUC > 0.8) || !(s.MeanBad > 2*s.MeanGood) || !s.LabelDerived || s.InSample {
			t.Errorf("%s: %+v; want held-out AUC > 0.8 and bad mean above twice the normal", c, s)
		}
	}
	if h["degree"].LabelDerived {
		t.Error("degree marked label-derived")
	}

	// The recompute path: a file computed from every label, its label-derived columns rebuilt
	// from the training split, evaluated on the held-out split, gives the same figures.
	res2, err := Compute(g, Options{Groups: []string{"degree", "twohop", "ppr"}, Labels: all})
	if err != nil {
		t.Fatal(err)
	}
	p2 := filepath.Join(t.TempDir(), "all.rwf")
	if err := Write(p2, g.N, res2.Columns, Meta{Params: res2.Params}); err != nil {
		t.Fatal(err)
	}
	f2, err := Open(p2)
	if err != nil {
		t.Fatal(err)
	}
	defer f2.Close()
	repl, err := RecomputeLabelDerived(f2, g, train.Bad)
	if err != nil {
		t.Fatal(err)
	}
	if len(repl) != 2 {
		t.Fatalf("recomputed %d columns, want ppr and th_bad", len(repl))
	}
	inSample, _ := Summarize(f2, test, SummaryOptions{InSample: true})
	fair, _ := Summarize(f2, test, SummaryOptions{Replace: repl})
	i, fa := auc(inSample), auc(fair)
	for _, c := range []string{"th_bad", "ppr"} {
		if d := fa[c].AUC - h[c].AUC; d > 1e-6 || d < -1e-6 {
			t.Errorf("%s: recomputed AUC %.6f, computed-from-training AUC %.6f", c, fa[c].AUC, h[c].AUC)
		}
		if !i[c].InSample || i[c].AUC <= fa[c].AUC {
			t.Errorf("%s: in-sample AUC %.4f not above the held-out %.4f (own labels feed it)", c, i[c].AUC, fa[c].AUC)
		}
	}
}

func TestReadLabelsSkipUnknown(t *testing.T) {
	ids := map[string]uint32{"a": 0, "b": 1, "c": 2}
	look := func(s string) (uint32, bool) { v, ok := ids[s]; return v, ok }
	p := writeFile(t, "a\t1\nzz\t0\nc\t0\nyy\t1\n")
	if _, err := ReadLabels(p, 3, look); err == nil || !strings.Contains(err.Error(), "labels.tsv:2") || !strings.Contains(err.Error(), "--skip-unknown") {
		t.Fatalf("unknown id: error %v, want one naming labels.tsv:2 and the flag", err)
	}
	l, err := ReadLabelsWith(p, 3, ReadOptions{Lookup: look, SkipUnknown: true})
	if err != nil {
		t.Fatal(err)
	}
	if l.Unknown != 2 || !strings.Contains(l.FirstUnknown, ":2:") || l.NKnown != 2 || l.NBad != 1 {
		t.Fatalf("%+v", l)
	}
	dup := writeFile(t, "a\t1\nb\t0\na\t0\n")
	if _, err := ReadLabelsWith(dup, 3, ReadOptions{Lookup: look, SkipUnknown: true}); err == nil || !strings.Contains(err.Error(), "labels.tsv:3") {
		t.Fatalf("duplicate: error %v, want labels.tsv:3", err)
	}
	_ = os.Remove(p)
}
