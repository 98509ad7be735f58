package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"riskwalk/pipeline"
)

func init() {
	register("fit", "fit the risk model (logistic regression or GBDT) on labelled nodes into model.json", runFit)
}

// inputFlags are the input flags shared by fit, eval and bundle.
type inputFlags struct {
	p pipeline.Paths
}

func (f *inputFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&f.p.Graph, "graph", "", "graph `file` (.rwg; its id index .rwi beside it)")
	fs.StringVar(&f.p.Vectors, "vectors", "", "embedding `file` (.rwv) from riskwalk-train")
	fs.StringVar(&f.p.Features, "features", "", "graph feature `file` (.rwf) from riskwalk features")
	fs.StringVar(&f.p.Attributes, "attributes", "", "node attribute `table` (id then numeric columns; a header line names them)")
	fs.BoolVar(&f.p.AttrByLine, "attr-by-line", false, "the attribute table has no id column: data line k is external id k")
	fs.BoolVar(&f.p.AttrNeighbourMeans, "attr-neighbour-means", true, "with --attributes, add the neighbour block: each attribute's mean over the node's neighbours, log degree, neighbours' mean log degree")
	fs.StringVar(&f.p.Labels, "labels", "", "labels `file`: external id<TAB>label (1 = bad, 0 = good)")
	fs.BoolVar(&f.p.SkipBad, "skip-bad", false, "count and skip unknown ids, duplicate labels and bad values (NaN/Inf are imputed) instead of failing")
	fs.StringVar(&f.p.UserType, "user-type", "user", "node type name of accounts in a typed graph")
}

func fitFlags(fs *flag.FlagSet, o *pipeline.FitOptions) {
	fs.StringVar(&o.Model, "model", o.Model, "model family: auto (fit both, keep the better on validation), logreg or gbdt")
	fs.Float64Var(&o.ReviewFPR, "review-fpr", o.ReviewFPR, "target false-positive rate of the review threshold")
	fs.Float64Var(&o.RejectFPR, "reject-fpr", o.RejectFPR, "target false-positive rate of the reject threshold")
	fs.Uint64Var(&o.Seed, "seed", o.Seed, "random seed (validation holdout, folds, GBDT sampling)")
	fs.IntVar(&o.GBDT.Rounds, "rounds", o.GBDT.Rounds, "GBDT boosting rounds at most (early stopping on validation)")
	fs.Float64Var(&o.GBDT.LearningRate, "learning-rate", o.GBDT.LearningRate, "GBDT learning rate")
	fs.IntVar(&o.GBDT.MaxLeaves, "leaves", o.GBDT.MaxLeaves, "GBDT leaves per tree at most")
	fs.IntVar(&o.GBDT.MinChildRows, "min-leaf-rows", o.GBDT.MinChildRows, "GBDT training rows per leaf at least")
	fs.Float64Var(&o.GBDT.ColSample, "colsample", o.GBDT.ColSample, "GBDT share of the columns each tree may split on")
	fs.IntVar(&o.GBDT.EarlyStop, "patience", o.GBDT.EarlyStop, "GBDT early stopping: rounds without a better validation ROC-AUC before stopping (the best round is kept)")
	fs.BoolVar(&o.LabelDerived, "label-derived", o.LabelDerived, "add the label-derived block (from the training labels only): personalised PageRank from bad nodes, community bad share (with --features), bad neighbours within one and two hops and their smoothed shares")
	fs.BoolVar(&o.Labels.Neighbour, "neighbour-labels", o.Labels.Neighbour, "in the label-derived block, the training-labelled and bad neighbours within one and two hops and their smoothed shares")
}

func parseHelp(fs *flag.FlagSet, args []string) (bool, error) {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return true, nil
	}
	return false, err
}

func runFit(args []string) error {
	fs := flag.NewFlagSet("fit", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `usage: riskwalk fit --graph graph.rwg --labels train_labels.tsv -o model.json
       [--features features.rwf] [--vectors vectors.rwv] [--attributes node_features.tsv]
       [--model auto|logreg|gbdt] [--val-frac 0.2] [--review-fpr 0.05 --reject-fpr 0.01]

Joins the input columns by node (with --attributes also their neighbour means, see
--attr-neighbour-means), recomputes the label-derived graph columns (community bad counts,
personalised PageRank, two-hop bad users, training-labelled and bad neighbours within one and two
hops and their smoothed shares) from the training part of the labels only, fits logistic
regression and GBDT, keeps the better on the validation holdout, sets the
pass/review/reject thresholds at the target false-positive rates and writes model.json.

flags:`)
		fs.PrintDefaults()
	}
	var in inputFlags
	in.add(fs)
	opt := pipeline.DefaultFitOptions()
	fitFlags(fs, &opt)
	fs.Float64Var(&opt.ValFrac, "val-frac", opt.ValFrac, "share of labelled nodes held out (stratified) to choose the model and thresholds")
	out := fs.String("o", "", "output model `file` (model.json)")
	if help, err := parseHelp(fs, args); help || err != nil {
		return err
	}
	if *out == "" || in.p.Graph == "" || in.p.Labels == "" || fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("need --graph, --labels and -o, and no arguments")
	}
	opt.Log = os.Stderr
	inputs, err := pipeline.Open(in.p, os.Stderr)
	if err != nil {
		return err
	}
	defer inputs.Close()
	m, rep, err := pipeline.Fit(inputs, opt)
	if err != nil {
		return err
	}
	if err := m.Save(*out); err != nil {
		return err
	}
	fmt.Printf("fit: %d labelled nodes (%d bad): %d train, %d validation; %d columns from %s\n",
		rep.Rows, rep.Bad, rep.TrainRows, rep.ValRows, rep.Columns, strings.Join(rep.Blocks, ", "))
	fmt.Printf("  validation ROC-AUC: logreg %.4f, gbdt %.4f -> kept %s\n", rep.LRVal, rep.GBVal, rep.Chosen)
	fmt.Printf("  thresholds: review >= %.4f (FPR %.3g), reject >= %.4f (FPR %.3g)\n",
		m.Thresholds.Review, m.Thresholds.ReviewFPR, m.Thresholds.Reject, m.Thresholds.RejectFPR)
	fmt.Printf("  wrote %s\n", *out)
	return nil
}
