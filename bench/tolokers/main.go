// Command tolokers is issue 6's headline experiment: fraud-like ban prediction on Tolokers
// (Platonov et al., ICLR 2023) over its 10 official splits. Per split it builds node attributes,
// their neighbour means, degrees and training-label-derived neighbourhood features (from that
// split's training labels only), fits logistic regression and GBDT on the training mask, selects
// on the validation mask and reports ROC-AUC on the test mask. The last line is
// "mean AUC 0.xxxx": the model chosen on validation, per split, averaged over splits.
//
// Usage: go run ./bench/tolokers [-data DIR] [-extra T.tsv,...] [-ablation] [-splits 1,2]
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"riskwalk/model"
)

func main() {
	dataDir := flag.String("data", "../shared/data/tolokers", "Tolokers directory (README, edges.tsv.gz, masks)")
	extra := flag.String("extra", "", "comma-separated numeric tables of extra node columns, node id first (embeddings, graph features)")
	models := flag.String("models", "lr,gbdt", "models to fit: lr, gbdt or both")
	ablation := flag.Bool("ablation", false, "also run feature-group ablations")
	splitsFlag := flag.String("splits", "", "comma-separated 1-based splits to run (default all)")
	rounds := flag.Int("rounds", 2000, "GBDT max rounds (early stopping on the validation mask)")
	lrate := flag.Float64("lr", 0.03, "GBDT learning rate")
	leaves := flag.Int("leaves", 15, "GBDT max leaves per tree")
	depth := flag.Int("depth", 6, "GBDT max depth")
	mcw := flag.Float64("mcw", 1, "GBDT min child hessian weight")
	sub := flag.Float64("subsample", 0.8, "GBDT row subsample")
	col := flag.Float64("colsample", 0.6, "GBDT column subsample")
	lambda := flag.Float64("lambda", 1, "GBDT L2 on leaf weights")
	plots := flag.String("plots", "", "directory for ROC and score-histogram SVGs of the first split run")
	nbstd := flag.Bool("nbstd", false, "add the neighbours' standard deviation of each attribute")
	metric := flag.String("metric", "auc", "GBDT early-stopping metric: auc or logloss")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: tolokers [flags]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if err := run(*dataDir, *extra, *models, *splitsFlag, *plots, *ablation, *nbstd, model.GBDTOptions{
		Rounds: *rounds, LearningRate: *lrate, MaxLeaves: *leaves, MaxDepth: *depth, MinChildWeight: *mcw,
		Subsample: *sub, ColSample: *col, Lambda: *lambda, Metric: *metric, EarlyStop: 100, Seed: 1,
	}); err != nil {
		fmt.Fprintln(os.Stderr, "tolokers:", err)
		os.Exit(1)
	}
}

func run(dataDir, extra, models, splitsFlag, plots string, ablation, nbstd bool, gopt model.GBDTOptions) error {
	t0 := time.Now()
	d, err := Load(dataDir)
	if err != nil {
		return err
	}
	fmt.Printf("tolokers: %d nodes, %d arcs, %d splits (loaded in %.1fs)\n", d.N, d.G.NumArcs(), len(d.Splits), time.Since(t0).Seconds())
	cfg := Config{LR: strings.Contains(models, "lr"), GBDT: strings.Contains(models, "gbdt"), GBDTOpt: gopt}
	if !cfg.LR && !cfg.GBDT {
		return fmt.Errorf("-models %q names neither lr nor gbdt", models)
	}
	for _, p := range strings.Split(extra, ",") {
		if p == "" {
			continue
		}
		m, rep, err := model.ReadAttributes(p, d.N, model.AttributeOptions{IDColumn: true, Prefix: "extra."})
		if err != nil {
			return err
		}
		fmt.Printf("extra %s: %d columns (%d lines)\n", p, m.Cols, rep.Lines)
		cfg.Extra = append(cfg.Extra, m)
	}
	if nbstd {
		cfg.Extra = append(cfg.Extra, NeighbourStd(d.G, d.Attr))
	}
	for _, s := range strings.Split(splitsFlag, ",") {
		if s == "" {
			continue
		}
		k, err := strconv.Atoi(s)
		if err != nil || k < 1 || k > len(d.Splits) {
			return fmt.Errorf("-splits: %q is not a split in 1..%d", s, len(d.Splits))
		}
		cfg.Splits = append(cfg.Splits, k-1)
	}
	rs, err := Run(os.Stdout, d, &cfg)
	if err != nil {
		return err
	}
	if cfg.LR {
		fmt.Printf("logreg: mean test AUC %.4f ± %.4f (val %.4f)\n", Mean(rs, func(r SplitResult) float64 { return r.LRTest }),
			Std(rs, func(r SplitResult) float64 { return r.LRTest }), Mean(rs, func(r SplitResult) float64 { return r.LRVal }))
	}
	if cfg.GBDT {
		fmt.Printf("gbdt:   mean test AUC %.4f ± %.4f (val %.4f)\n", Mean(rs, func(r SplitResult) float64 { return r.GBTest }),
			Std(rs, func(r SplitResult) float64 { return r.GBTest }), Mean(rs, func(r SplitResult) float64 { return r.GBVal }))
	}
	if plots != "" {
		r := rs[0]
		if err := os.MkdirAll(plots, 0o755); err != nil {
			return err
		}
		fpr, tpr := model.ROCCurve(r.TestScores, r.TestLabels)
		title := fmt.Sprintf("Tolokers split %d test, %s (AUC %.4f)", r.Split, r.Chosen, r.ChosenTest)
		err1 := model.SaveSVG(filepath.Join(plots, "tolokers-roc.svg"), func(w io.Writer) error {
			return model.ROCPlotSVG(w, title, model.Curve{Name: r.Chosen, X: fpr, Y: tpr})
		})
		err2 := model.SaveSVG(filepath.Join(plots, "tolokers-scores.svg"), func(w io.Writer) error {
			return model.ScoreHistSVG(w, title, r.TestScores, r.TestLabels, 40)
		})
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		fmt.Printf("plots: %s/tolokers-roc.svg, %s/tolokers-scores.svg\n", plots, plots)
	}
	if ablation {
		fmt.Println("ablation (test AUC of the model chosen on validation, mean over splits):")
		for _, groups := range [][]string{{"attr"}, {"attr", "nbattr"}, {"structure", "label"}, {"attr", "nbattr", "structure"}, {"label"}} {
			c := cfg
			c.Groups = groups
			ars, err := Run(discard{}, d, &c)
			if err != nil {
				return err
			}
			fmt.Printf("  %-28s lr %.4f  gbdt %.4f  chosen %.4f\n", strings.Join(groups, "+"),
				Mean(ars, func(r SplitResult) float64 { return r.LRTest }), Mean(ars, func(r SplitResult) float64 { return r.GBTest }),
				Mean(ars, func(r SplitResult) float64 { return r.ChosenTest }))
		}
	}
	fmt.Printf("(%.1fs)\n", time.Since(t0).Seconds())
	fmt.Printf("mean AUC %.4f\n", Mean(rs, func(r SplitResult) float64 { return r.ChosenTest }))
	return nil
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
