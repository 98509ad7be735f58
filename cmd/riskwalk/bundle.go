package main

import (
	"flag"
	"fmt"
	"os"

	"riskwalk/model"
	"riskwalk/pipeline"
)

func init() {
	register("bundle", "score every user with model.json and write the scorer's bundle directory", runBundle)
}

func runBundle(args []string) error {
	fs := flag.NewFlagSet("bundle", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `usage: riskwalk bundle --graph graph.rwg --vectors vectors.rwv --features features.rwf
       --model model.json --labels labels.tsv [--attributes T] [--int8] [--scores-out S] -o bundle/

Scores every node with the model, keeps each user's top reasons (per-column contributions),
Louvain community (from the feature file), label and vector, and writes the bundle the scorer
serves (atomically: readers see the old bundle or the new one). --labels must be the labels
file given to fit (model.json records its checksum): the label-derived columns are recomputed
from exactly fit's training part of it, so that their counts mean what they meant in fit.

flags:`)
		fs.PrintDefaults()
	}
	var in inputFlags
	in.add(fs)
	modelPath := fs.String("model", "", "fitted model `file` (model.json from riskwalk fit)")
	int8 := fs.Bool("int8", false, "store vectors quantised to int8 (4x smaller)")
	scoresOut := fs.String("scores-out", "", "also write every user's score to this .scores `file`")
	out := fs.String("o", "", "bundle `directory`")
	quiet := fs.Bool("q", false, "no progress lines")
	if help, err := parseHelp(fs, args); help || err != nil {
		return err
	}
	if *out == "" || *modelPath == "" || in.p.Graph == "" || in.p.Vectors == "" || fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("need --graph, --vectors, --model and -o, and no arguments")
	}
	m, err := model.Load(*modelPath)
	if err != nil {
		return err
	}
	inputs, err := pipeline.Open(in.p, os.Stderr)
	if err != nil {
		return err
	}
	defer inputs.Close()
	s, err := pipeline.Bundle(inputs, m, *modelPath, *out, pipeline.BundleOptions{Int8: *int8, Progress: !*quiet, Log: os.Stderr})
	if err != nil {
		return err
	}
	fmt.Printf("bundle: wrote %s (model %s, %d nodes, %d users, reasons from %d columns)\n", *out, s.ModelVersion, s.Nodes, s.Users, len(s.Reasons))
	q := s.Quantiles
	fmt.Printf("  user scores: median %.4f, p90 %.4f, p99 %.4f, p99.9 %.4f, max %.4f\n", q[0], q[1], q[2], q[3], q[4])
	fmt.Printf("  decisions: pass %d, review %d (score >= %.4f), reject %d (score >= %.4f)\n",
		s.Decisions[0], s.Decisions[1], m.Thresholds.Review, s.Decisions[2], m.Thresholds.Reject)
	if s.LabelledBad > 0 {
		fmt.Printf("  mean score: labelled bad %.4f, labelled good %.4f\n", s.MeanBad, s.MeanGood)
	}
	if *scoresOut != "" {
		var ids []string
		var sc []float64
		for v, u := range inputs.Users {
			if u {
				ids, sc = append(ids, inputs.IDs.Ext(uint32(v))), append(sc, s.Scores[v])
			}
		}
		if err := pipeline.WriteScores(*scoresOut, "users scored for bundle "+*out+" by model "+s.ModelVersion, ids, sc); err != nil {
			return err
		}
		fmt.Printf("  scores: %s\n", *scoresOut)
	}
	return nil
}
