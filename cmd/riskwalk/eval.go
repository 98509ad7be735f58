package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"riskwalk/model"
	"riskwalk/pipeline"
)

func init() {
	register("eval", "evaluate the model by k-fold or given splits: AUC, KS, recall at top k, ablation, plots, PSI", runEval)
}

func runEval(args []string) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `usage: riskwalk eval --graph graph.rwg --labels labels.tsv [--features F] [--vectors V] [--attributes T]
       [--folds 5 | --splits train.tsv,val.tsv,test.tsv] [--ablation=false] [--plots DIR] [--scores-out S]
       riskwalk eval --psi old.scores,new.scores

Fits and tests the model per split exactly as fit does (label-derived columns from that split's
training labels only; model and thresholds chosen on its validation part) and reports ROC-AUC,
PR-AUC, KS, precision and recall in the top 0.1/1/5%, the confusion at the thresholds, and an
ablation over the input blocks present. --psi compares two .scores files (population stability).

flags:`)
		fs.PrintDefaults()
	}
	var in inputFlags
	in.add(fs)
	opt := pipeline.EvalOptions{FitOptions: pipeline.DefaultFitOptions()}
	fitFlags(fs, &opt.FitOptions)
	fs.IntVar(&opt.Folds, "folds", 5, "stratified k-fold over the labelled nodes (k >= 3: test, validation and training folds)")
	splits := fs.String("splits", "", "three mask files `train,val,test` (one split per line, external ids) instead of folds")
	fs.BoolVar(&opt.Ablation, "ablation", true, "also evaluate each input block alone and all but the embedding")
	plots := fs.String("plots", "", "write roc.svg and scores.svg (pooled test scores) into this `directory`")
	scoresOut := fs.String("scores-out", "", "write the pooled test scores (id<TAB>score) to this .scores `file`")
	psi := fs.String("psi", "", "`old.scores,new.scores`: population stability index of new against old")
	if help, err := parseHelp(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("unexpected arguments %v", fs.Args())
	}
	if *psi != "" {
		if err := runPSI(*psi); err != nil {
			return err
		}
		if in.p.Graph == "" {
			return nil
		}
	}
	if in.p.Graph == "" || in.p.Labels == "" {
		fs.Usage()
		return fmt.Errorf("need --graph and --labels (or only --psi)")
	}
	if *splits != "" {
		opt.Splits = strings.Split(*splits, ",")
	}
	opt.Log = os.Stderr
	inputs, err := pipeline.Open(in.p, os.Stderr)
	if err != nil {
		return err
	}
	defer inputs.Close()
	r, err := pipeline.Eval(inputs, opt)
	if err != nil {
		return err
	}
	printEval(os.Stdout, r)
	if *plots != "" {
		if err := os.MkdirAll(*plots, 0o755); err != nil {
			return err
		}
		fpr, tpr := model.ROCCurve(r.PooledScores, r.PooledLabels)
		title := fmt.Sprintf("held-out scores, %d splits (ROC-AUC %.4f)", len(r.Folds), r.Report.ROCAUC)
		err1 := model.SaveSVG(filepath.Join(*plots, "roc.svg"), func(w io.Writer) error {
			return model.ROCPlotSVG(w, title, model.Curve{Name: strings.Join(r.Blocks, "+"), X: fpr, Y: tpr})
		})
		err2 := model.SaveSVG(filepath.Join(*plots, "scores.svg"), func(w io.Writer) error {
			return model.ScoreHistSVG(w, "held-out score distribution by label", r.PooledScores, r.PooledLabels, 40)
		})
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		fmt.Printf("plots: %s, %s\n", filepath.Join(*plots, "roc.svg"), filepath.Join(*plots, "scores.svg"))
	}
	if *scoresOut != "" {
		// Repeated splits may test a node more than once: keep its first score.
		seen := make(map[uint32]bool, len(r.PooledRows))
		var ids []string
		var sc []float64
		for i, v := range r.PooledRows {
			if !seen[v] {
				seen[v] = true
				ids, sc = append(ids, inputs.IDs.Ext(v)), append(sc, r.PooledScores[i])
			}
		}
		if err := pipeline.WriteScores(*scoresOut, "held-out scores of riskwalk eval", ids, sc); err != nil {
			return err
		}
		fmt.Printf("scores: %s (%d ids)\n", *scoresOut, len(ids))
	}
	fmt.Printf("mean AUC %.4f\n", r.MeanAUC)
	return nil
}

func printEval(w io.Writer, r *pipeline.EvalResult) {
	rep := r.Report
	fmt.Fprintf(w, "eval: %d labelled nodes, %d splits, %d columns (%s)\n", len(r.Rows), len(r.Folds), r.Cols, strings.Join(r.Blocks, ", "))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "split\tchosen\tval AUC logreg\tval AUC gbdt\ttest AUC")
	for i, f := range r.Folds {
		fmt.Fprintf(tw, "%d\t%s\t%.4f\t%.4f\t%.4f\n", i+1, f.Chosen, f.LRVal, f.GBVal, f.TestAUC)
	}
	tw.Flush()
	fm := r.FoldMean
	fmt.Fprintf(w, "held-out scores: %d scores, %d bad; mean over splits (each split's own model and scores) and pooled (all splits' scores ranked together)\n", rep.N, rep.Positives)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  \tmean over splits\tpooled\t")
	fmt.Fprintf(tw, "  ROC-AUC\t%.4f ± %.4f\t%.4f\t\n", r.MeanAUC, r.StdAUC, rep.ROCAUC)
	fmt.Fprintf(tw, "  PR-AUC\t%.4f\t%.4f\t\n", fm.PRAUC, rep.PRAUC)
	fmt.Fprintf(tw, "  KS\t%.4f\t%.4f\t\n", fm.KS, rep.KS)
	for k, t := range rep.Top {
		mp, mr := math.NaN(), math.NaN()
		if k < len(fm.Top) {
			mp, mr = fm.Top[k].Precision, fm.Top[k].Recall
		}
		fmt.Fprintf(tw, "  top %g%%: precision / recall\t%.4f / %.4f\t%.4f / %.4f\t\n", 100*t.Frac, mp, mr, t.Precision, t.Recall)
	}
	for k, c := range []model.Confusion{r.AtReview, r.AtReject} {
		fmt.Fprintf(tw, "  at %s thresholds\tTP %d  FP %d  TN %d  FN %d\tFPR %.4f  recall %.4f\n",
			[]string{"review", "reject"}[k], c.TP, c.FP, c.TN, c.FN, c.FPR(), c.TPR())
	}
	tw.Flush()
	if len(r.Ablation) > 0 {
		fmt.Fprintln(w, "ablation (test ROC-AUC, mean over splits; recall at top 1%: mean over splits, and of the chosen models' pooled scores):")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "blocks\tcolumns\tlogreg\tgbdt\tchosen\tpooled AUC\trecall@1%\tpooled recall@1%\t")
		for _, a := range r.Ablation {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%.4f\t%.4f\t%.4f\t%.4f\t\n", a.Group.Name, a.Columns, f4(a.LR), f4(a.GBDT), a.Chosen, a.PooledAUC, a.MeanRecall1, a.Recall1)
		}
		tw.Flush()
	}
}

func f4(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return fmt.Sprintf("%.4f", v)
}

func runPSI(arg string) error {
	old, cur, ok := strings.Cut(arg, ",")
	if !ok {
		return fmt.Errorf("--psi %q: want old.scores,new.scores", arg)
	}
	_, a, err := pipeline.ReadScores(old)
	if err != nil {
		return err
	}
	_, b, err := pipeline.ReadScores(cur)
	if err != nil {
		return err
	}
	p := model.PSI(a, b)
	verdict := "stable"
	switch {
	case p > 0.25:
		verdict = "shifted: investigate and consider refitting"
	case p > 0.1:
		verdict = "drifting: watch it"
	}
	fmt.Printf("PSI %.4f (%s; %d old scores, %d new; deciles of the old)\n", p, verdict, len(a), len(b))
	return nil
}
