package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"riskwalk/community"
	"riskwalk/features"
	"riskwalk/graph"
)

func init() {
	register("features", "graph risk features per node into a feature file (.rwf); show, summary", runFeatures)
}

func runFeatures(args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "show":
			return runFeaturesShow(args[1:])
		case "summary":
			return runFeaturesSummary(args[1:])
		}
	}
	fs := flag.NewFlagSet("features", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: riskwalk features [flags] -o features.rwf GRAPH.rwg\n"+
			"       riskwalk features show [--graph G.rwg] FILE.rwf NODE\n"+
			"       riskwalk features summary --labels L [--holdout 0.3] [--graph G.rwg] FILE.rwf\n\n"+
			"Computes graph risk features for every node of GRAPH.rwg (from riskwalk ingest) into a\n"+
			"feature file. Labels name nodes by external id, resolved through GRAPH.rwi.\n"+
			"Groups (--columns): %s.\n\nflags:\n",
			strings.Join(features.Groups, ","))
		fs.PrintDefaults()
	}
	out := fs.String("o", "", "output feature file (required)")
	cols := fs.String("columns", "", "comma-separated feature groups (default: every group that applies)")
	labels := fs.String("labels", "", "training labels `file` (external id<TAB>label, 1 = bad): the only source of label-derived columns")
	skipUnknown := fs.Bool("skip-unknown", false, "count and skip labels of nodes not in the graph instead of failing")
	damping := fs.Float64("damping", 0.85, "PageRank damping")
	tol := fs.Float64("tol", 1e-9, "PageRank tolerance: the L1 error of the unnormalised vector is at most tol*d/(1-d)")
	maxIter := fs.Int("max-iter", 1000, "PageRank sweep limit")
	samples := fs.Int("samples", 64, "betweenness source samples")
	seed := fs.Uint64("seed", 1, "random seed (betweenness sources, Louvain order)")
	resolution := fs.Float64("resolution", 1, "Louvain resolution")
	degreeCap := fs.Uint("degree-cap", 1000, "two-hop features: media above this degree are counted, not expanded")
	userType := fs.String("user-type", "user", "node type name of accounts in a typed graph")
	pprTwoHop := fs.Bool("ppr-two-hop", false, "restrict personalised PageRank to the two-hop neighbourhood of the bad seeds")
	purTop := fs.Float64("purify-top", 0.05, "purify: keep nodes in the top fraction of PPR scores")
	purLift := fs.Float64("purify-lift", 3, "purify: minimum labelled-bad share of the node's community, as a multiple of the whole graph's labelled-bad rate")
	purMin := fs.Int("purify-min-bad", 2, "purify: minimum labelled-bad members in the node's community")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *out == "" {
		fs.Usage()
		return fmt.Errorf("want -o FILE and one graph file")
	}
	gpath := fs.Arg(0)
	gf, err := openGraph(gpath)
	if err != nil {
		return err
	}
	defer gf.Close()
	g := gf.Graph
	opt := features.Options{
		PageRank:     features.PageRankOptions{Damping: *damping, Tol: *tol, MaxIter: *maxIter},
		Samples:      *samples,
		Seed:         *seed,
		DegreeCap:    uint32(min(*degreeCap, math.MaxUint32)),
		UserTypeName: *userType,
		TwoHopPPR:    *pprTwoHop,
		Purify:       features.PurifyOptions{TopFrac: *purTop, MinLift: *purLift, MinBad: *purMin},
		Log:          os.Stderr,
	}
	if *cols != "" {
		for _, c := range strings.Split(*cols, ",") {
			if c = strings.TrimSpace(c); c != "" {
				opt.Groups = append(opt.Groups, c)
			}
		}
	}
	res, lseed := *resolution, *seed
	opt.Communities = func(g *graph.Graph) ([]uint32, float64, error) {
		r, err := community.Louvain(g, community.Options{Resolution: res, Seed: lseed})
		if err != nil {
			return nil, 0, err
		}
		return r.Community, r.Modularity, nil
	}
	if *labels != "" {
		ids, err := openIDs(gpath, gf.Checksum())
		if err != nil {
			return err
		}
		defer ids.Close()
		if opt.Labels, err = readLabels(*labels, g.N, ids, *skipUnknown); err != nil {
			return err
		}
	}
	t0 := time.Now()
	r, err := features.Compute(g, opt)
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(gpath)
	if err != nil {
		abs = gpath
	}
	params := append(r.Params, features.Param{Key: "graph", Value: abs},
		features.Param{Key: "resolution", Value: fmt.Sprint(*resolution)}, features.Param{Key: "seed", Value: fmt.Sprint(*seed)})
	meta := features.Meta{GraphChecksum: gf.Checksum(), Params: params}
	if opt.Labels != nil {
		meta.LabelsChecksum = opt.Labels.Checksum
	}
	if err := features.Write(*out, g.N, r.Columns, meta); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "features: %d columns x %d nodes in %s -> %s\n", len(r.Columns), g.N, time.Since(t0).Round(time.Millisecond), *out)
	return nil
}

// openGraph opens a graph file written by riskwalk ingest.
func openGraph(path string) (*graph.File, error) {
	if !strings.HasSuffix(path, ".rwg") {
		if _, err := os.Stat(path); err == nil {
			return nil, fmt.Errorf("%s: want a graph file (.rwg); turn an edge list into one with `riskwalk ingest -o graph.rwg %s`", path, path)
		}
	}
	return graph.Open(path)
}

// openIDs opens the id index beside the graph file gpath and checks that it belongs to the graph
// whose checksum is sum.
func openIDs(gpath string, sum uint64) (*graph.IDIndex, error) {
	p := graph.IDPath(gpath)
	ids, err := graph.OpenIDs(p)
	if err != nil {
		return nil, fmt.Errorf("id index of %s: %w (riskwalk ingest writes it beside the graph)", gpath, err)
	}
	if c := ids.GraphChecksum(); c != 0 && c != sum {
		ids.Close()
		return nil, fmt.Errorf("%s belongs to another graph (checksum %016x, %s has %016x): re-run riskwalk ingest", p, c, gpath, sum)
	}
	return ids, nil
}

// readLabels reads a labels file keyed by external id and reports what it found.
func readLabels(path string, n uint32, ids *graph.IDIndex, skipUnknown bool) (*features.Labels, error) {
	l, err := features.ReadLabelsWith(path, n, features.ReadOptions{Lookup: ids.Lookup, SkipUnknown: skipUnknown})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "labels: %d known, %d bad, from %s\n", l.NKnown, l.NBad, path)
	if l.Unknown > 0 {
		fmt.Fprintf(os.Stderr, "labels: skipped %d lines whose node is not in the graph (first: %s)\n", l.Unknown, l.FirstUnknown)
	}
	return l, nil
}

// featureIDs resolves the graph a feature file was computed on (flagPath when given, else the
// path recorded in the file) and opens its id index, checking that it belongs to that graph.
func featureIDs(f *features.File, flagPath string) (string, *graph.IDIndex, error) {
	p := flagPath
	if p == "" {
		var ok bool
		if p, ok = f.Param("graph"); !ok {
			return "", nil, fmt.Errorf("%s records no graph path: pass --graph G.rwg", f.Path)
		}
	}
	ids, err := openIDs(p, f.Meta().GraphChecksum)
	if err != nil {
		return "", nil, err
	}
	if ids.Len() != int(f.N()) {
		ids.Close()
		return "", nil, fmt.Errorf("%s has %d ids, %s %d rows: not the same graph", graph.IDPath(p), ids.Len(), f.Path, f.N())
	}
	return p, ids, nil
}

func runFeaturesShow(args []string) error {
	fs := flag.NewFlagSet("features show", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: riskwalk features show [--graph G.rwg] FILE.rwf NODE\n\n"+
			"Prints one node's row, one column per line. NODE is an external id, resolved through the\n"+
			"graph's id index (G.rwi; default: the graph recorded in FILE.rwf).")
		fs.PrintDefaults()
	}
	gflag := fs.String("graph", "", "graph `file` the features were computed on (default: the one recorded in FILE.rwf)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return fmt.Errorf("want a feature file and a node id")
	}
	f, err := features.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	gpath, ids, err := featureIDs(f, *gflag)
	if err != nil {
		return err
	}
	defer ids.Close()
	ext := fs.Arg(1)
	v, ok := ids.Lookup(ext)
	if !ok {
		return fmt.Errorf("node %q is not in %s", ext, gpath)
	}
	row := f.Row(v, nil)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "node\t%s\n", ext)
	fmt.Fprintf(tw, "row\t%d\n", v)
	for i, name := range f.Columns() {
		if t, _ := f.Type(name); t == features.Uint32 {
			u, _ := f.ColumnUint32(name)
			fmt.Fprintf(tw, "%s\t%d\n", name, u[v])
		} else {
			fmt.Fprintf(tw, "%s\t%.6g\n", name, row[i])
		}
	}
	return tw.Flush()
}

func runFeaturesSummary(args []string) error {
	fs := flag.NewFlagSet("features summary", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: riskwalk features summary --labels L [--holdout 0.3] [--graph G.rwg] FILE.rwf\n\n"+
			"Per column: mean over bad and over normal labelled nodes, and the AUC of the column used\n"+
			"alone as a risk score (0.5 = no signal; below 0.5 = low values are risky), strongest first.\n"+
			"Label-derived columns (louvain_bad*, ppr*, th_bad) are judged fairly only on labels that\n"+
			"did not feed them: with --holdout F they are recomputed on the graph from the other labels\n"+
			"and every column is evaluated on the held-out fraction F; otherwise they are evaluated on\n"+
			"the nodes outside the training labels recorded in FILE.rwf, or marked in-sample (*).")
		fs.PrintDefaults()
	}
	labels := fs.String("labels", "", "labels `file` (external id<TAB>label, 1 = bad)")
	gflag := fs.String("graph", "", "graph `file` the features were computed on (default: the one recorded in FILE.rwf)")
	holdout := fs.Float64("holdout", 0, "hide this `fraction` of the labels from the label-derived columns (recomputed) and evaluate on it")
	seed := fs.Uint64("seed", 1, "holdout split seed")
	skipUnknown := fs.Bool("skip-unknown", false, "count and skip labels of nodes not in the graph instead of failing")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *labels == "" {
		fs.Usage()
		return fmt.Errorf("want --labels and one feature file")
	}
	f, err := features.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	gpath, ids, err := featureIDs(f, *gflag)
	if err != nil {
		return err
	}
	defer ids.Close()
	l, err := readLabels(*labels, f.N(), ids, *skipUnknown)
	if err != nil {
		return err
	}
	var opt features.SummaryOptions
	eval := l
	how := ""
	hasDerived := slices.ContainsFunc(f.Columns(), features.IsLabelDerived)
	switch {
	case *holdout != 0:
		train, test, err := features.SplitLabels(l, *holdout, *seed)
		if err != nil {
			return err
		}
		eval = test
		if hasDerived {
			gf, err := graph.Open(gpath)
			if err != nil {
				return err
			}
			defer gf.Close()
			if err := f.CheckGraph(gf.Checksum()); err != nil {
				return err
			}
			t0 := time.Now()
			if opt.Replace, err = features.RecomputeLabelDerived(f, gf.Graph, train.Bad); err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "summary: recomputed %d label-derived columns from %d training labels (%d bad) in %s\n",
				len(opt.Replace), train.NKnown, train.NBad, time.Since(t0).Round(time.Millisecond))
		}
		how = fmt.Sprintf("every column on the %d held-out labels (%.0f%%, seed %d); label-derived columns recomputed from the other %d", test.NKnown, 100**holdout, *seed, train.NKnown)
	case hasDerived && f.Meta().LabelsChecksum != 0:
		tpath, _ := f.Param("labels")
		var train *features.Labels
		if tpath != "" {
			train, err = features.ReadLabelsWith(tpath, f.N(), features.ReadOptions{Lookup: ids.Lookup, SkipUnknown: true})
		}
		if train == nil || err != nil || train.Checksum != f.Meta().LabelsChecksum {
			opt.InSample = true
			how = fmt.Sprintf("the training labels %s cannot be read back unchanged: label-derived columns (*) may be in-sample; use --holdout", tpath)
			break
		}
		opt.DerivedEval = make([]bool, f.N())
		left := 0
		for v := range opt.DerivedEval {
			if l.Known[v] && !train.Known[v] {
				opt.DerivedEval[v] = true
				left++
			}
		}
		if left == 0 {
			opt.DerivedEval, opt.InSample = nil, true
			how = fmt.Sprintf("every labelled node fed the label-derived columns (*, in-sample, optimistic): summarise held-out labels or use --holdout")
		} else {
			how = fmt.Sprintf("label-derived columns on the %d labelled nodes outside the training labels %s", left, tpath)
		}
	}
	sums, err := features.Summarize(f, eval, opt)
	if err != nil {
		return err
	}
	slices.SortStableFunc(sums, func(a, b features.ColumnSummary) int {
		da, db := math.Abs(a.AUC-0.5), math.Abs(b.AUC-0.5)
		if math.IsNaN(da) {
			da = -1
		}
		if math.IsNaN(db) {
			db = -1
		}
		switch {
		case da > db:
			return -1
		case da < db:
			return 1
		}
		return 0
	})
	fmt.Printf("%s: %d labelled nodes (%d bad, %d normal) from %s\n", f.Path, l.NKnown, l.NBad, l.NKnown-l.NBad, *labels)
	if how != "" {
		fmt.Printf("evaluation: %s\n", how)
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "column\tmean bad\tmean normal\tbad/normal\tAUC\tbad\tnormal\t")
	for _, s := range sums {
		name := s.Name
		if s.InSample {
			name += " *"
		}
		ratio := "-"
		if s.MeanGood != 0 {
			ratio = fmt.Sprintf("%.3g", s.MeanBad/s.MeanGood)
		}
		fmt.Fprintf(tw, "%s\t%.4g\t%.4g\t%s\t%.3f\t%d\t%d\t\n", name, s.MeanBad, s.MeanGood, ratio, s.AUC, s.NBad, s.NGood)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Println("AUC: the column alone as a score (bad high); below 0.5 means low values are risky.")
	return nil
}
