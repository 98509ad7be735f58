package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"riskwalk/internal/mpi"
	"riskwalk/spmd"
	"riskwalk/vecfile"
)

const distUsage = `usage: mpirun -np R [mpirun flags] riskwalk-train --graph GRAPH.rwg --partition PARTS.rwp --out vectors.rwv [flags]

Trains DeepWalk embeddings as R SPMD ranks (package spmd): each rank walks from the nodes it owns in
the partition (riskwalk partition --ranks R), continues walks across its part's edge (--halo), trains
Hogwild on its cores, and reconciles replicated vectors every --sync-every work units. Rank 0
writes the vector file, the same format as one-process training. See hostfiles/README.md for the
mpirun lines.
`

// distRequested says whether args ask for the SPMD trainer: a --partition flag, or a process
// started by mpirun (which then must have one).
func distRequested(args []string) bool {
	if mpi.Launched() {
		return true
	}
	for _, a := range args {
		if a == "--" {
			break
		}
		if n := strings.TrimLeft(a, "-"); n != a && (n == "partition" || strings.HasPrefix(n, "partition=")) {
			return true
		}
	}
	return false
}

// runDist parses the SPMD flags, runs spmd.Run on this rank and ends MPI. A failure every rank
// saw (bad input, mismatched files) ends with MPI_Finalize; any other ends the job with
// MPI_Abort so that no rank waits forever.
func runDist(args []string) error {
	fs := flag.NewFlagSet("riskwalk-train", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), distUsage, "\nflags:\n"); fs.PrintDefaults() }
	var o spmd.Options
	c := &o.Train
	fs.StringVar(&o.Graph, "graph", "", "graph file (.rwg) to train on, the same on every rank (required)")
	fs.StringVar(&o.Partition, "partition", "", "partition file (.rwp) with one part per rank (required)")
	fs.StringVar(&o.Out, "out", "", "vector file rank 0 writes (required)")
	finish := modelFlags(fs, c)
	fs.IntVar(&o.SyncEvery, "sync-every", 0, "work units between replica syncs, on the rank with the most units (0: automatic, spmd.AutoSyncEvery: max(1, 96/ranks³, 16/ranks³ x rows held / tokens per unit); 12 on 2 ranks for BlogCatalog)")
	fs.BoolVar(&o.Adaptive, "adaptive", true, "ranks even out their speeds: one that reaches a sync first trains on into its next round while it waits, and ranks that would reach the next sync late hand their last units to early ones (vectors then depend on timing; --adaptive=false with --threads 1 gives bit-reproducible runs)")
	syncRows := fs.String("sync-rows", "dirty", "rows a sync moves: dirty (those some copy changed since the last sync; same vectors) or all")
	halo := fs.String("halo", "visit", "what a walk does at the edge of the rank's part: visit (walk on through the mapped graph; the remote nodes the walks visit are held as extra rows, synced like replicas: the one-process corpus, every token trained; memory grows to every node the walks reach, on a 1M-node graph on 2 ranks all of them: see --visit-rows), stay (pick among held neighbours only: memory bounded to owned and replica rows; 1 point lower cosine link-prediction AUC there), stop (end the walk there) or through (walk on through the mapped graph, training only held nodes' tokens)")
	fs.IntVar(&o.VisitRows, "visit-rows", 0, "under --halo visit, hold at most this many remote rows per rank for the walks, the most visited (the others' tokens are dropped, as under through); 0: all")
	merge := fs.String("merge", "sum", "how owners combine replicas' changes at a sync: sum or avg (mean over the copies that changed)")
	fs.BoolVar(&o.NegOwned, "neg-owned", false, "draw negatives from owned nodes only (default: owned, replicas and sampled remote nodes)")
	fs.IntVar(&o.RemoteNegatives, "remote-negatives", -1, "remote nodes each rank holds as negative samples for the rest of the graph (-1: max(1024, owned/4))")
	dtype := fs.String("dtype", "float32", "vector file element type: float32 or int8")
	fs.DurationVar(&o.CheckpointEvery, "checkpoint-every", 0, "checkpoint at the first sync after each interval (e.g. 10m)")
	fs.StringVar(&o.Checkpoint, "checkpoint", "", "checkpoint manifest (default OUT.ckpt; rank files OUT.ckpt.rankR.{0,1})")
	fs.BoolVar(&o.Resume, "resume", false, "continue from the checkpoint (same inputs and flags)")
	fs.BoolVar(&o.Quiet, "quiet", false, "no progress lines")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.Graph == "" || o.Partition == "" || o.Out == "" || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("--graph, --partition and --out are required (under mpirun, make the partition with `riskwalk partition --ranks R`), and no arguments")
	}
	var err error
	if o.DType, err = vecfile.ParseDType(*dtype); err != nil {
		return err
	}
	if o.Halo, err = spmd.ParseHalo(*halo); err != nil {
		return err
	}
	if o.Merge, err = spmd.ParseMerge(*merge); err != nil {
		return err
	}
	switch *syncRows {
	case "dirty":
	case "all":
		o.SyncAll = true
	default:
		return fmt.Errorf("--sync-rows %q: want dirty or all", *syncRows)
	}
	o.Walk = finish()

	// Ranks wait in the sync collectives while other processes may want the core (more ranks than
	// cores, other jobs): OpenMPI's default busy polling then starves the peer that must move the
	// data. Yielding made BlogCatalog's syncs 30-60x faster on this shared 2-core box (13 s -> 0.2 s
	// for 28 syncs of 21 MB) and costs microseconds on dedicated cores. `--mca mpi_yield_when_idle 0`
	// (or the variable) overrides it.
	//
	// For the same reason, shared-memory messages go in fragments of up to 4 MiB instead of 32 KiB
	// (from a 64 MiB segment per rank): without a single-copy mechanism (the Makefile's
	// btl_vader_single_copy_mechanism=none) a large message moves one fragment per turn of both
	// processes, and on a busy box every turn waits for the scheduler. On BlogCatalog (2 ranks,
	// 70 syncs, load 8-11) the ranks' time in MPI fell from 16.2 s to 1.3 s, the same as with CMA
	// single copy (bench/RESULTS.md, dist round 3). Set the variables (or --mca) to override.
	for k, v := range map[string]string{"OMPI_MCA_mpi_yield_when_idle": "1",
		"OMPI_MCA_btl_vader_max_send_size": "4194304", "OMPI_MCA_btl_vader_segment_size": "67108864"} {
		if _, set := os.LookupEnv(k); !set {
			os.Setenv(k, v)
		}
	}
	if err := mpi.Init(); err != nil {
		return err
	}
	me, P := mpi.Rank(), mpi.Size()
	res, err := spmd.Run(o)
	if err != nil {
		if P > 1 && !spmd.Agreed(err) {
			fmt.Fprintf(os.Stderr, "riskwalk-train: rank %d/%d: %v (aborting the job)\n", me, P, err)
			mpi.Abort(1)
		}
		// Say it before Finalize: once any rank exits non-zero mpirun tears the job down, and a
		// rank still finalizing would be killed before its own message (say, the bad flag it was
		// given) got out; the others' "rank R could not open its inputs" points to it.
		err = fmt.Errorf("rank %d/%d: %w", me, P, err)
		fmt.Fprintf(os.Stderr, "riskwalk-train: %v\n", err)
		mpi.Finalize()
		return reported{err}
	}
	if me == 0 {
		out := map[string]any{"nodes": res.Nodes, "ranks": P, "rounds": res.Rounds, "first_round": res.FirstRound,
			"threads_rank0": res.Threads, "walks": res.Walks, "steps": res.Steps, "tokens": res.Tokens, "pairs": res.Pairs,
			"loss": res.Loss, "train_s": res.TrainSeconds, "sync_s_rank0": res.SyncSeconds, "wait_s_rank0": res.WaitSeconds, "count_s": res.CountSeconds,
			"tokens_per_s": res.TokensPerSecond(), "sync_bytes": res.SyncBytes, "sync_bytes_per_epoch": res.SyncBytesPerEpoch,
			"syncs": res.Syncs, "units_shared": res.UnitsShared, "sync_every": res.SyncEvery, "sync_half_rows": res.SyncRows, "rank_train_s": res.RankTrain, "rank_wait_s": res.RankWait,
			"rank_sync_s": res.RankSync, "rank_sync_mpi_s": res.RankMPI, "rank_tokens": res.RankTokens,
			"owned_rows": res.OwnedRows, "replica_rows": res.ReplicaRows, "visited_rows": res.VisitedRows, "sampled_rows": res.SampledRows,
			"visit_s": res.VisitSeconds, "arcs_owned": res.Arcs[0],
			"arcs_replica": res.Arcs[1], "arcs_leaving": res.Arcs[2]}
		js, _ := json.Marshal(out)
		fmt.Printf("RESULT %s\n", js)
	}
	return mpi.Finalize()
}
