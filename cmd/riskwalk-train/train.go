package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"riskwalk/internal/atomicfile"
	"riskwalk/trainer"
	"riskwalk/vecfile"
	"riskwalk/walk"
)

const trainUsage = `usage: riskwalk-train --graph GRAPH --out vectors.rwv [flags]

Trains DeepWalk embeddings (random walks streamed into skip-gram with negative sampling) and
writes them to a .rwv vector file. Runs as one process; under mpirun see --help of the MPI build.
`

// runTrain parses the training flags and runs training in this process.
func runTrain(args []string) error {
	fs := flag.NewFlagSet("riskwalk-train", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), trainUsage, "\nflags:\n"); fs.PrintDefaults() }
	var c trainer.Config
	graphPath := fs.String("graph", "", "graph to train on (required)")
	out := fs.String("out", "", "vector file to write (required)")
	finish := modelFlags(fs, &c)
	directed := fs.Bool("directed", false, "edge-list input only: treat edges as directed")
	initPath := fs.String("init", "", "warm start from this vector file, rows matched by external id (new nodes: mean of neighbours)")
	initIDs := fs.String("init-ids", "", "id index naming the --init file's rows (default: the one it records)")
	ckEvery := fs.Duration("checkpoint-every", 0, "write a resumable checkpoint this often (e.g. 10m)")
	ckPath := fs.String("checkpoint", "", "checkpoint file (default OUT.ckpt)")
	resume := fs.Bool("resume", false, "continue from the checkpoint")
	walksOut := fs.String("walks-out", "", "also write the walks as text, one per line (for debugging and gensim)")
	dtype := fs.String("dtype", "float32", "vector file element type: float32 or int8")
	quiet := fs.Bool("quiet", false, "no progress lines")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *graphPath == "" || *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("--graph and --out are required, and no arguments")
	}
	dt, err := vecfile.ParseDType(*dtype)
	if err != nil {
		return err
	}
	wc := finish()
	wc.Length = c.WalkLength
	c.Defaults()
	if err := c.Validate(); err != nil {
		return err
	}
	if *ckPath == "" {
		*ckPath = *out + ".ckpt"
	}

	t0 := time.Now()
	src, err := loadGraph(*graphPath, *directed)
	if err != nil {
		return err
	}
	defer src.close()
	g := src.g
	w, err := walk.New(g, wc)
	if err != nil {
		return err
	}
	m, err := trainer.NewModel(int(g.N), c.Dim)
	if err != nil {
		return err
	}
	job := &trainer.Job{Config: c, Walker: w, Model: m}
	if !*quiet {
		job.Progress = "train"
	}
	if *resume {
		ck, err := trainer.ReadCheckpoint(*ckPath)
		if err != nil {
			return fmt.Errorf("--resume: %w", err)
		}
		if err := ck.Matches(job, src.sum); err != nil {
			return fmt.Errorf("--resume %s: %w", *ckPath, err)
		}
		job.Model, job.FirstUnit = ck.Model, ck.UnitsDone
		fmt.Fprintf(os.Stderr, "resuming %s at unit %d of %d\n", *ckPath, ck.UnitsDone, ck.TotalUnits)
	} else {
		m.InitRandom(c.Seed)
		if *initPath != "" {
			if err := warmStart(m, src, *initPath, *initIDs); err != nil {
				return err
			}
		}
	}
	load := time.Since(t0)

	t1 := time.Now()
	counts, err := trainer.CountVisits(job)
	if err != nil {
		return err
	}
	if job.Vocab, err = trainer.NewVocab(counts, nil, c.Sample); err != nil {
		return err
	}
	count := time.Since(t1)

	if *walksOut != "" {
		wf, err := atomicfile.Create(*walksOut)
		if err != nil {
			return err
		}
		defer wf.Abort()
		var line []byte
		job.WalkSink = func(walk []uint32) error {
			line = line[:0]
			for i, v := range walk {
				if i > 0 {
					line = append(line, ' ')
				}
				line = src.name(line, v)
			}
			line = append(line, '\n')
			_, err := wf.W.Write(line)
			return err
		}
		defer func() {
			if err == nil {
				err = wf.Commit()
			}
		}()
	}
	if *ckEvery > 0 {
		job.CheckpointEvery = *ckEvery
		job.Checkpoint = func(done uint64) error {
			t := time.Now()
			err := trainer.WriteCheckpoint(*ckPath, job, done, src.sum)
			if err == nil && !*quiet {
				fmt.Fprintf(os.Stderr, "checkpoint %s: unit %d of %d (%s)\n", *ckPath, done, job.Units(), time.Since(t).Round(time.Millisecond))
			}
			return err
		}
	}
	st, err := trainer.Train(job)
	if err != nil {
		return err
	}
	t2 := time.Now()
	params := map[string]any{"graph": *graphPath, "walks": c.WalksPerNode, "length": c.WalkLength, "dim": c.Dim,
		"window": c.Window, "negative": c.Negative, "epochs": c.Epochs, "lr": c.Alpha, "min_lr": c.MinAlpha,
		"sample": max(0, c.Sample), "seed": c.Seed, "threads": c.Threads, "weighted": wc.Weighted,
		"half_life_s": wc.HalfLife, "hub_cap": wc.HubCap, "init": *initPath, "loss": st.Loss, "hogbatch": c.HogBatch}
	idsPath, err := recordIDs(src, *out)
	if err != nil {
		return err
	}
	params["ids"] = idsPath
	h := vecfile.Header{Dim: c.Dim, Count: uint64(m.Rows), DType: dt, ModelID: walk.Mix(uint64(time.Now().UnixNano()) ^ c.Seed),
		GraphSum: src.sum, Params: params}
	if err = vecfile.Write(*out, h, job.Model.In, job.Model.Stride); err != nil {
		return err
	}
	if *ckEvery > 0 {
		os.Remove(*ckPath) // finished: the checkpoint is stale
	}
	write := time.Since(t2)
	train := st.Wall.Seconds()
	res := map[string]any{
		"nodes": g.N, "arcs": g.NumArcs(), "threads": c.Threads, "kernel": st.Kernel,
		"load_s": load.Seconds(), "count_s": count.Seconds(), "train_s": train, "write_s": write.Seconds(),
		"total_s": time.Since(t0).Seconds(), "walks": st.Walks, "steps": st.Steps, "tokens": st.Tokens,
		"trained_tokens": st.Trained, "pairs": st.Pairs, "loss": st.Loss,
		"tokens_per_s": float64(st.Tokens) / train, "tokens_per_s_core": float64(st.Tokens) / train / float64(c.Threads),
		"walk_steps_per_s_core": float64(st.Steps) / st.WalkTime.Seconds(),
		"walk_share":            st.WalkTime.Seconds() / (st.WalkTime + st.TrainTime).Seconds(),
		"count_steps_per_s":     float64(st.Steps) / float64(c.Epochs) / count.Seconds(),
	}
	if st.UnitsDone < st.TotalUnits {
		return fmt.Errorf("stopped after %d of %d work units", st.UnitsDone, st.TotalUnits)
	}
	js, _ := json.Marshal(res)
	fmt.Fprintf(os.Stderr, "trained %d nodes: %.0f tokens/s (%.0f per core, %s kernels), walks %.3gM steps/s per core; wrote %s\n",
		g.N, res["tokens_per_s"], res["tokens_per_s_core"], st.Kernel, res["walk_steps_per_s_core"].(float64)/1e6, *out)
	fmt.Printf("RESULT %s\n", js)
	return nil
}
