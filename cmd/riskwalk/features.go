package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"riskwalk/features"
	"riskwalk/features/tsvgraph"
	"riskwalk/graph"
	"riskwalk/internal/secfile"
)

func init() {
	register("features", "graph risk features per node into a feature file (.rwf); show, summary", runFeatures)
}

// communities is the shared Louvain (package community), wired in when it is built; nil leaves
// the louvain group unavailable.
var communities func(g *graph.Graph, resolution float64) ([]uint32, float64, error)

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
		fmt.Fprintf(fs.Output(), "usage: riskwalk features [flags] -o features.rwf GRAPH\n"+
			"       riskwalk features show FILE.rwf NODE\n"+
			"       riskwalk features summary --labels L FILE.rwf\n\n"+
			"Computes graph risk features for every node of GRAPH into a feature file.\n"+
			"Groups (--columns): %s.\nGRAPH is a .tsv/.tsv.gz edge list with integer ids until graph files can be read.\n\nflags:\n",
			strings.Join(features.Groups, ","))
		fs.PrintDefaults()
	}
	out := fs.String("o", "", "output feature file (required)")
	cols := fs.String("columns", "", "comma-separated feature groups (default: every group that applies)")
	labels := fs.String("labels", "", "training labels `file` (node<TAB>label, 1 = bad): the only source of label-derived columns")
	damping := fs.Float64("damping", 0.85, "PageRank damping")
	tol := fs.Float64("tol", 1e-9, "PageRank tolerance (L1 change per sweep)")
	maxIter := fs.Int("max-iter", 1000, "PageRank sweep limit")
	samples := fs.Int("samples", 64, "betweenness source samples")
	seed := fs.Uint64("seed", 1, "random seed (betweenness sources)")
	resolution := fs.Float64("resolution", 1, "Louvain resolution")
	degreeCap := fs.Uint("degree-cap", 1000, "two-hop features: media above this degree are counted, not expanded")
	userType := fs.String("user-type", "user", "node type name of accounts in a typed graph")
	pprTwoHop := fs.Bool("ppr-two-hop", false, "restrict personalised PageRank to the two-hop neighbourhood of the bad seeds")
	purTop := fs.Float64("purify-top", 0.05, "purify: keep nodes in the top fraction of PPR scores")
	purShare := fs.Float64("purify-share", 0.2, "purify: minimum share of labelled-bad members in the node's community")
	purMin := fs.Int("purify-min-bad", 2, "purify: minimum labelled-bad members in the node's community")
	directed := fs.Bool("directed", false, "for a .tsv edge list: read arcs as directed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *out == "" {
		fs.Usage()
		return fmt.Errorf("want -o FILE and one graph")
	}
	g, sum, err := loadGraph(fs.Arg(0), *directed)
	if err != nil {
		return err
	}
	opt := features.Options{
		PageRank:     features.PageRankOptions{Damping: *damping, Tol: *tol, MaxIter: *maxIter},
		Samples:      *samples,
		Seed:         *seed,
		DegreeCap:    uint32(min(*degreeCap, math.MaxUint32)),
		UserTypeName: *userType,
		TwoHopPPR:    *pprTwoHop,
		Purify:       features.PurifyOptions{TopFrac: *purTop, MinShare: *purShare, MinBad: *purMin},
		Log:          os.Stderr,
	}
	if *cols != "" {
		for _, c := range strings.Split(*cols, ",") {
			if c = strings.TrimSpace(c); c != "" {
				opt.Groups = append(opt.Groups, c)
			}
		}
	}
	if communities != nil {
		res := *resolution
		opt.Communities = func(g *graph.Graph) ([]uint32, float64, error) { return communities(g, res) }
	}
	if *labels != "" {
		if opt.Labels, err = features.ReadLabels(*labels, g.N, nil); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "labels: %d known, %d bad, from %s\n", opt.Labels.NKnown, opt.Labels.NBad, *labels)
	}
	t0 := time.Now()
	res, err := features.Compute(g, opt)
	if err != nil {
		return err
	}
	meta := features.Meta{GraphChecksum: sum, Params: append(res.Params, features.Param{Key: "resolution", Value: fmt.Sprint(*resolution)})}
	if opt.Labels != nil {
		meta.LabelsChecksum = opt.Labels.Checksum
	}
	if err := features.Write(*out, g.N, res.Columns, meta); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "features: %d columns x %d nodes in %s -> %s\n", len(res.Columns), g.N, time.Since(t0).Round(time.Millisecond), *out)
	return nil
}

// loadGraph reads the graph and returns it with the checksum that identifies it.
// Until graph files (.rwg) can be read here it takes integer-id edge lists (.tsv, .tsv.gz) and
// checksums the CSR itself.
func loadGraph(path string, directed bool) (*graph.Graph, uint64, error) {
	if strings.HasSuffix(path, ".rwg") {
		return nil, 0, fmt.Errorf("%s: reading .rwg graph files is not in this build yet; pass an integer-id edge list (.tsv or .tsv.gz)", path)
	}
	g, err := tsvgraph.Load(path, directed, 0)
	if err != nil {
		return nil, 0, err
	}
	return g, csrChecksum(g), nil
}

// csrChecksum identifies an in-memory graph by the CRC32C of its CSR arrays (both halves of the
// uint64: offsets, adjacency).
func csrChecksum(g *graph.Graph) uint64 {
	a := secfile.CRC32C(secfile.AsBytes(g.Offsets))
	b := secfile.CRC32C(secfile.AsBytes(g.Adj))
	if g.Directed {
		b = ^b
	}
	return uint64(a)<<32 | uint64(b)
}

func runFeaturesShow(args []string) error {
	fs := flag.NewFlagSet("features show", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: riskwalk features show FILE.rwf NODE\n\nPrints one node's row, one column per line.")
		fs.PrintDefaults()
	}
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
	v, err := strconv.ParseUint(fs.Arg(1), 10, 32)
	if err != nil || v >= uint64(f.N()) {
		return fmt.Errorf("node %q: want an integer id in 0..%d", fs.Arg(1), f.N()-1)
	}
	row := f.Row(uint32(v), nil)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "node\t%d\n", v)
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
		fmt.Fprintln(fs.Output(), "usage: riskwalk features summary --labels L FILE.rwf\n\n"+
			"Per column: mean over bad and over normal labelled nodes, and the AUC of the column used\n"+
			"alone as a risk score (0.5 = no signal; below 0.5 = low values are risky), strongest first.")
		fs.PrintDefaults()
	}
	labels := fs.String("labels", "", "labels `file` (node<TAB>label, 1 = bad); use held-out labels to judge label-derived columns")
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
	l, err := features.ReadLabels(*labels, f.N(), nil)
	if err != nil {
		return err
	}
	sums, err := features.Summarize(f, l)
	if err != nil {
		return err
	}
	slices.SortStableFunc(sums, func(a, b features.ColumnSummary) int {
		da, db := math.Abs(a.AUC-0.5), math.Abs(b.AUC-0.5)
		switch {
		case da > db:
			return -1
		case da < db:
			return 1
		}
		return 0
	})
	fmt.Printf("%s: %d labelled nodes (%d bad, %d normal)\n", fs.Arg(0), l.NKnown, l.NBad, l.NKnown-l.NBad)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "column\tmean bad\tmean normal\tAUC\t")
	for _, s := range sums {
		fmt.Fprintf(tw, "%s\t%.4g\t%.4g\t%.3f\t\n", s.Name, s.MeanBad, s.MeanGood, s.AUC)
	}
	return tw.Flush()
}
