package spmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"riskwalk/graph"
	"riskwalk/internal/mpi"
	"riskwalk/internal/progress"
	"riskwalk/internal/secfile"
	"riskwalk/partition"
	"riskwalk/trainer"
	"riskwalk/vecfile"
	"riskwalk/walk"
)

// Options are one distributed training run's inputs; every rank passes the same values (checked
// at start, except Train.Threads, which may differ by rank).
type Options struct {
	Graph, Partition, Out string
	Train                 trainer.Config
	// Walk chooses the kind of walk; Length is taken from Train.WalkLength, and Now = 0 means the
	// graph's latest timestamp (agreed over ranks).
	Walk walk.Config
	// SyncEvery is the number of work units between syncs, counted on the rank with the most
	// units (the others sync after the same share of their own units); 0 means AutoSyncEvery.
	SyncEvery int
	// SyncAll makes every sync move every replica row; by default a sync moves only the rows
	// some copy may have changed since the last one (Sync.UseDirty; MergeSum only), which gives
	// the same vectors (TestDistDirtySync) at a fraction of the traffic on sparse graphs.
	SyncAll bool
	// Adaptive lets ranks even out their speeds: a rank that reaches a sync first trains on into
	// its next round's units while it waits, and ranks that would reach the next sync late hand
	// their last units of the round to ranks that would be early (see adapt.go). The units a rank
	// has done at a sync then depend on timing, so vectors are not bit-reproducible with one
	// thread per rank; off, every rank trains its own units up to fixed bounds and waits.
	Adaptive bool
	Halo     Halo
	// VisitRows > 0 bounds the remote rows a rank holds for its walks under HaloVisit (the most
	// visited ones; the tokens of the others are dropped as under HaloThrough); 0 holds them all.
	VisitRows int
	Merge     Merge
	// NegOwned draws negatives from the rank's owned rows only; otherwise from owned and replica
	// rows (by their job-wide counts) and RemoteNegatives sampled remote nodes standing for the
	// rest of the graph (-1: max(1024, owned/4); 0: none). See countsVocab.
	NegOwned        bool
	RemoteNegatives int
	DType           vecfile.DType
	// Checkpoint is the manifest path (rank files beside it, see RankCheckpoint); "" means
	// Out+".ckpt". CheckpointEvery > 0 checkpoints at the first sync after each such interval.
	Checkpoint      string
	CheckpointEvery time.Duration
	Resume          bool
	Quiet           bool
	Log             io.Writer // progress and reports from rank 0; nil means os.Stderr
}

func (o *Options) logw() io.Writer {
	if o.Log == nil {
		return os.Stderr
	}
	return o.Log
}

// Result is what a run did; job-wide figures are the same on every rank.
type Result struct {
	Nodes                       uint32
	Ranks                       int
	Rounds, FirstRound          uint64 // syncs of the job; the round this run started at (resume)
	SyncEvery                   uint64 // work units per round (Options.SyncEvery or AutoSyncEvery)
	Walks, Steps, Tokens, Pairs int64  // job-wide, this run
	Loss                        float64
	TrainSeconds                float64 // wall time of the training loop (walks, SGD and syncs)
	UnitsShared                 uint64  // job-wide units one rank trained for another (Options.Adaptive)
	SyncSeconds                 float64 // rank 0's time in the sync exchanges
	WaitSeconds                 float64 // rank 0's time waiting for slower ranks before syncs
	CountSeconds                float64 // corpus counting and count exchange
	VisitSeconds                float64 // rank 0's replay of its walks under HaloVisit (FindVisited)
	SyncBytes                   int64   // job-wide bytes sent by syncs in this run
	SyncBytesPerEpoch           float64
	SyncRows                    int64  // job-wide row halves (In or Out) sent by syncs in this run, both directions
	Syncs                       uint64 // sync rounds run
	OwnedRows, ReplicaRows      []int  // per rank
	// Per rank: extra rows held for HaloVisit's walks (Part.Visited) and as sampled negatives.
	VisitedRows, SampledRows []int
	Arcs                     [3]uint64
	Threads                  int // this rank's
	// Per rank (gathered at the end): seconds in trainer.Train, waiting at the barrier before
	// each sync, in the sync (of which in MPI calls), and tokens trained.
	RankTrain, RankWait, RankSync, RankMPI, RankTokens []float64
}

// TokensPerSecond is the job-wide training rate.
func (r *Result) TokensPerSecond() float64 { return float64(r.Tokens) / r.TrainSeconds }

// agreedError is an error every rank of the job has returned at the same point, so the job can
// end with MPI_Finalize instead of MPI_Abort.
type agreedError struct{ error }

func (e agreedError) Unwrap() error { return e.error }

// Agreed reports whether every rank got an error at the same point (then each returns from Run
// and may finalize MPI); otherwise the caller must end the job with mpi.Abort, since other ranks
// may wait in a collective forever.
func Agreed(err error) bool {
	var a agreedError
	return errors.As(err, &a)
}

// agree is a collective: every rank reports whether its step failed; if any did, every rank
// returns an agreed error (the failed ranks their own, the others one naming the failed ranks).
func agree(what string, err error) error {
	st := []int32{0}
	if err != nil {
		st[0] = 1
	}
	all := make([]int32, mpi.Size())
	if e := mpi.Allgather(st, all); e != nil {
		return e
	}
	var bad []string
	for r, s := range all {
		if s != 0 {
			bad = append(bad, strconv.Itoa(r))
		}
	}
	switch {
	case len(bad) == 0:
		return nil
	case err != nil:
		return agreedError{fmt.Errorf("%s: %w", what, err)}
	}
	return agreedError{fmt.Errorf("%s failed on rank %s (see its message)", what, strings.Join(bad, ", "))}
}

// paramHash identifies the options that must be equal on every rank.
func paramHash(o *Options) uint64 {
	c := o.Train
	c.Threads = 0
	b, _ := json.Marshal(struct {
		C         trainer.Config
		W         walk.Config
		SyncEvery int
		Halo      Halo
		VisitRows int
		Merge     Merge
		NegOwned  bool
		Remote    int
		DType     vecfile.DType
	}{c, o.Walk, o.SyncEvery, o.Halo, o.VisitRows, o.Merge, o.NegOwned, o.RemoteNegatives, o.DType})
	h := fnv.New64a()
	h.Write(b)
	return h.Sum64()
}

// PartitionChecksum identifies a .rwp file's content by its sections' CRC32Cs.
func PartitionChecksum(path string) (uint64, error) {
	f, err := secfile.Open(path, partition.Magic, uint32(partition.V1), uint32(partition.Current), secfile.Options{SkipSectionCRC: true})
	if err != nil {
		return 0, err
	}
	defer f.Close()
	h := fnv.New64a()
	for _, n := range f.Names() {
		crc, _ := f.SectionCRC(n)
		fmt.Fprintf(h, "%s:%08x;", n, crc)
	}
	return h.Sum64(), nil
}

// checkInputs is the start-up collective: every rank sends (status, graph checksum, partition
// checksum, parameter hash) and all compare against rank 0, naming the ranks that differ.
func checkInputs(local error, gsum, psum, phash uint64) error {
	P := mpi.Size()
	st := uint64(0)
	if local != nil {
		st = 1
	}
	mine := []uint64{st, gsum, psum, phash}
	all := make([]uint64, 4*P)
	if err := mpi.Allgather(mine, all); err != nil {
		return err
	}
	var msgs []string
	for r := 0; r < P; r++ {
		if all[4*r] != 0 {
			msgs = append(msgs, fmt.Sprintf("rank %d could not open its inputs (see its message)", r))
		}
	}
	if len(msgs) == 0 {
		names := []string{"", "graph checksum", "partition checksum", "parameter hash"}
		hints := []string{"", "a different --graph file", "a different --partition file", "different training flags"}
		for r := 1; r < P; r++ {
			for f := 1; f < 4; f++ {
				if all[4*r+f] != all[f] {
					msgs = append(msgs, fmt.Sprintf("rank %d differs from rank 0: %s %016x, rank 0 has %016x (%s)", r, names[f], all[4*r+f], all[f], hints[f]))
				}
			}
		}
	}
	switch {
	case len(msgs) == 0:
		return nil
	case local != nil:
		return agreedError{local}
	}
	return agreedError{fmt.Errorf("inputs differ across ranks; every rank must get the same files and flags:\n  %s", strings.Join(msgs, "\n  "))}
}

// Run trains on this rank's part and writes the vector file (rank 0). It is called by every rank
// of the job after mpi.Init; in a world of one rank it needs a partition of one part.
func Run(o Options) (*Result, error) {
	me, P := mpi.Rank(), mpi.Size()
	log := o.logw()
	say := func(format string, a ...any) {
		if me == 0 && !o.Quiet {
			fmt.Fprintf(log, format, a...)
		}
	}
	if o.Checkpoint == "" {
		o.Checkpoint = o.Out + ".ckpt"
	}
	if o.DType == 0 {
		o.DType = vecfile.Float32
	}
	o.Train.Defaults()
	o.Walk.Length = o.Train.WalkLength
	var lerr error
	if err := o.Train.Validate(); err != nil {
		lerr = err
	} else if o.SyncEvery < 0 {
		lerr = fmt.Errorf("--sync-every %d, want >= 1 work units (0: automatic)", o.SyncEvery)
	} else if o.VisitRows < 0 || o.VisitRows > 0 && o.Halo != HaloVisit {
		lerr = fmt.Errorf("--visit-rows %d under --halo %v: want >= 0 (0: all), and only with --halo visit", o.VisitRows, o.Halo)
	}

	// Load and agree on the inputs.
	t0 := time.Now()
	var gf *graph.File
	var pf *partition.File
	var gsum, psum uint64
	if lerr == nil {
		gf, lerr = graph.Open(o.Graph)
	}
	if gf != nil {
		defer gf.Close()
		gsum = gf.Checksum()
		pf, lerr = partition.Open(o.Partition)
	}
	if pf != nil {
		defer pf.Close()
		psum, lerr = PartitionChecksum(o.Partition)
	}
	phash := paramHash(&o)
	if err := checkInputs(lerr, gsum, psum, phash); err != nil {
		return nil, err
	}
	// Equal on every rank now, so these fail on all ranks alike.
	if err := pf.CheckGraph(gsum, gf.N); err != nil {
		return nil, agreedError{fmt.Errorf("%s: %w", o.Partition, err)}
	}
	if int(pf.R) != P {
		return nil, agreedError{fmt.Errorf("%s has %d parts but the job has %d ranks: run mpirun -np %d, or partition with --ranks %d", o.Partition, pf.R, P, pf.R, P)}
	}

	var pt *Part
	var pl *Plan
	var err error
	pt, lerr = BuildPart(gf.Graph, pf.Partition, uint32(me), o.Halo)
	if lerr == nil && pt.Owned == 0 {
		lerr = fmt.Errorf("part %d owns no nodes: partition into fewer parts", me)
	}
	if err := agree("building the rank's part", lerr); err != nil {
		return nil, err
	}
	// Walks, with the job-wide latest timestamp for time-aware walks. They come before the extra
	// rows: under HaloVisit the rank replays its walks to find the remote nodes they visit.
	if o.Walk.HalfLife > 0 && o.Walk.Now == 0 {
		t := []int64{pt.LatestTime()}
		if err := mpi.Allreduce(t, t, mpi.Max); err != nil {
			return nil, err
		}
		o.Walk.Now = t[0]
	}
	wk, lerr := walk.New(pt.G, o.Walk)
	if err := agree("setting up walks", lerr); err != nil {
		return nil, err
	}
	cfg := o.Train
	// Each rank's walks and SGD draw from their own streams (row initialisation below keeps the
	// user's seed, so that copies of a row agree).
	cfg.Seed = rankSeed(o.Train.Seed, me)
	job := &trainer.Job{Config: cfg, Walker: wk, Starts: pt.Starts, Rows: pt.Rows}
	var visited []uint32
	var visits []uint64 // HaloVisit: the walks' visits per node, which give the corpus counts
	visitS := 0.0
	if o.Halo == HaloVisit {
		tv := time.Now()
		var dropped uint64
		visited, dropped, visits, lerr = FindVisited(job, pt, o.VisitRows)
		if err := agree("finding the remote nodes the walks visit", lerr); err != nil {
			return nil, err
		}
		visitS = time.Since(tv).Seconds()
		say("halo visit: rank 0 holds %d remote nodes its walks visit (found in %.1f s); %d tokens an epoch to others dropped (--visit-rows %d)\n",
			len(visited), visitS, dropped, o.VisitRows)
	}
	k := o.RemoteNegatives
	if k < 0 {
		k = max(1024, pt.Owned/4)
	}
	var sampled []uint32
	if !o.NegOwned && P > 1 {
		sampled = SampleRemote(gf.Graph, pf.Partition, uint32(me), k, o.Train.Seed, visited)
	}
	if err := agree("adding extra rows", pt.AddExtra(visited, sampled)); err != nil {
		return nil, err
	}
	var walkCounts []float64
	if visits != nil {
		walkCounts, visits = rowCounts(pt, visits), nil
	}
	extra, err := gatherLists(pt.Extra)
	if err != nil {
		return nil, err
	}
	pl, lerr = NewPlan(pf.Partition, pt, me, P, extra)
	if err := agree("planning the replica exchange", lerr); err != nil {
		return nil, err
	}
	res := &Result{Nodes: gf.N, Ranks: P, Threads: o.Train.Threads, VisitSeconds: visitS}
	sizes := []uint64{uint64(pt.Owned), uint64(len(pt.Nodes) - pt.Owned), uint64(pt.Visited), uint64(len(pt.Extra) - pt.Visited)}
	allSizes := make([]uint64, len(sizes)*P)
	if err := mpi.Allgather(sizes, allSizes); err != nil {
		return nil, err
	}
	for r := 0; r < P; r++ {
		x := allSizes[len(sizes)*r:]
		res.OwnedRows = append(res.OwnedRows, int(x[0]))
		res.ReplicaRows = append(res.ReplicaRows, int(x[1]))
		res.VisitedRows = append(res.VisitedRows, int(x[2]))
		res.SampledRows = append(res.SampledRows, int(x[3]))
	}
	arcs := []uint64{pt.OwnedArcs, pt.ReplicaArcs, pt.SentinelArcs}
	if err := mpi.Allreduce(arcs, arcs, mpi.Sum); err != nil { // (a buffer of its own: cgo refuses pointers into res)
		return nil, err
	}
	copy(res.Arcs[:], arcs)

	// The model: held rows plus one padding row (see countsVocab). Rows are initialised by global
	// id, so a replica starts equal to its owner's row.
	L := len(pt.Nodes)
	m, err := trainer.NewModel(L+len(pt.Extra)+1, o.Train.Dim)
	if err != nil {
		return nil, agreedError{err}
	}
	m.InitRows(o.Train.Seed, append(append(pt.Nodes[:L:L], pt.Extra...), math.MaxUint32))
	job.Model = m
	units := job.Units()
	ps := &peers{base: job, part: pf.Partition, seed: o.Train.Seed, units: make([]uint64, P)}
	if err := mpi.Allgather([]uint64{units}, ps.units); err != nil {
		return nil, err
	}
	syncEvery := uint64(o.SyncEvery)
	if syncEvery == 0 {
		held := []uint64{uint64(m.Rows)}
		if err := mpi.Allreduce(held, held, mpi.Max); err != nil {
			return nil, err
		}
		syncEvery = AutoSyncEvery(P, held[0], uint64(cfg.ChunkWalks*cfg.WalkLength))
	}
	res.SyncEvery = syncEvery
	rounds := (slices.Max(ps.units) + syncEvery - 1) / syncEvery
	ps.rounds = rounds
	bound := func(k uint64) uint64 { return ps.bound(me, k) }
	res.Rounds = rounds

	if o.Resume {
		k, err := resume(&o, job, gsum, psum, phash, rounds, bound)
		if err != nil {
			return nil, err
		}
		res.FirstRound = k
		say("resuming from %s at sync round %d of %d\n", o.Checkpoint, k, rounds)
	}

	tc := time.Now()
	if err := countsVocab(&o, job, pt, pl, walkCounts); err != nil {
		return nil, err
	}
	res.CountSeconds = time.Since(tc).Seconds()
	say("rank 0/%d: %d owned + %d replica rows (job: %d nodes, %d replica rows, arcs %d owned / %d replica / %d leave), %d sync rounds, loaded in %s\n",
		P, pt.Owned, L-pt.Owned, gf.N, sum(res.ReplicaRows), res.Arcs[0], res.Arcs[1], res.Arcs[2], rounds, time.Since(t0).Round(time.Millisecond))

	if err := trainLoop(&o, job, ps, pl, pt, res, rounds, bound, gsum, psum, phash, log); err != nil {
		return nil, err
	}
	if err := gatherWrite(&o, pf.Partition, pt, job.Model, gsum, res); err != nil {
		return nil, err
	}
	if o.CheckpointEvery > 0 {
		for s := uint32(0); s < 2; s++ {
			os.Remove(RankCheckpoint(o.Checkpoint, me, s))
		}
		if me == 0 {
			os.Remove(o.Checkpoint)
		}
	}
	return res, nil
}

// AutoSyncEvery is the default sync interval in work units of tokensPerUnit tokens, for a job
// of ranks ranks whose largest rank holds held model rows:
//
//	max(1, 96/ranks³, ⌊2/ranks³ · held / tokensPerUnit⌋)
//
// The first bound is about rows every rank trains (hubs): with summed deltas a row k ranks
// train moves up to k times as far between syncs as one copy would, so the interval must shrink
// faster than 1/ranks. Measured on BlogCatalog (40 walks, lr 0.05, one process 39.81/25.97
// Micro/Macro-F1): 2 ranks 39.88/26.08 at 6, 39.61/25.49 at 12 (half the sync traffic); 4 ranks
// diverged at 10 (loss 3.0), 39.22/24.76 at 3, 39.85/25.51 at 1.
//
// The second lets large parts sync less often: a sync costs about the rows touched since the
// last one (mostly Out rows drawn as negatives), which saturate at the rows held, so at 12 units
// a 1M-node graph on 2 ranks (805k rows held, 1280 tokens a unit, 3269 syncs) moved 190 GB and
// spent 45% of the ranks' time in syncs. The bound allows a rank 2/ranks³ tokens per held row
// and round (0.25 on 2 ranks, a ninth of what BlogCatalog's 12 units give): 157 units there.
// Link-prediction AUC there (dot / cosine / Hadamard-LR, one process 0.807 / 0.769 / 0.812):
// 0.810 / 0.760 / 0.814 at 12 units, 0.810 / 0.759 / 0.813 at 157 (3.4x faster), 0.815 / 0.753 /
// 0.817 at 16/ranks³ = 1259 units (bench/RESULTS.md, dist round 3).
func AutoSyncEvery(ranks int, held, tokensPerUnit uint64) uint64 {
	p3 := uint64(ranks * ranks * ranks)
	return max(1, 96/p3, 2*held/(p3*tokensPerUnit))
}

func sum(x []int) int {
	s := 0
	for _, v := range x {
		s += v
	}
	return s
}

// countsVocab builds the negative and subsampling tables from job-wide corpus counts: each rank
// counts its own walks, GlobalCounts sums them at the owners and returns the totals to replicas.
//
// Negatives: word2vec draws node v with probability c_v^0.75 / W, W = Σ_v c_v^0.75 over the
// graph. A rank holds the owned and replica rows exactly (weight c_v^0.75 each) and stands for
// the other nodes, of total weight W_rem = W − W_held, by its S sampled remote rows, each given
// weight W_rem/S (they were sampled by deg^0.75, about c^0.75 for uniform walks). NewVocab takes
// counts and raises them to 0.75, so a sampled row gets the count (W_rem/S)^(4/3).
//
// Under HaloVisit the visited rows (Part.Extra[:Visited]) are in the rank's walks: they count as
// held, with their job-wide counts, and the sampled rows stand for the rest.
//
// Subsampling depends on the corpus size, so the padding row (the model's last) carries the part
// of the job-wide corpus not in the rank's rows; it is never in a walk and never a negative.
func countsVocab(o *Options, job *trainer.Job, pt *Part, pl *Plan, walkCounts []float64) error {
	var counts []float64
	var err error
	if walkCounts != nil { // counted by FindVisited's replay (HaloVisit)
		counts = make([]float64, job.Model.Rows)
		copy(counts, walkCounts)
	} else {
		counts, err = trainer.CountVisits(job)
	}
	if err := agree("counting the corpus", err); err != nil {
		return err
	}
	if _, err := GlobalCounts(pl, counts); err != nil {
		return err
	}
	L, S := len(pt.Nodes)+pt.Visited, len(pt.Extra)-pt.Visited // held rows, sampled rows
	tot := []float64{0, 0}                                     // Σ c and Σ c^0.75 over owned rows, then over the job
	held, heldW := 0.0, 0.0
	for i, c := range counts[:L] {
		if i < pt.Owned {
			tot[0] += c
			tot[1] += math.Pow(c, 0.75)
		}
		held += c
		heldW += math.Pow(c, 0.75)
	}
	if err := mpi.Allreduce(tot, tot, mpi.Sum); err != nil {
		return err
	}
	if S > 0 {
		fake := math.Pow(max(0, tot[1]-heldW)/float64(S), 4.0/3)
		for i := L; i < L+S; i++ {
			counts[i] = fake
			held += fake
		}
	}
	counts[L+S] = max(0, tot[0]-held)
	n := L + S
	if o.NegOwned {
		n = pt.Owned
	}
	neg := make([]uint32, n)
	for i := range neg {
		neg[i] = uint32(i)
	}
	job.Vocab, err = trainer.NewVocab(counts, neg, job.Sample)
	return agree("building the vocabulary", err)
}

// gatherLists is a collective: every rank's list, indexed by rank.
func gatherLists(mine []uint32) ([][]uint32, error) {
	P := mpi.Size()
	n := []int64{int64(len(mine))}
	ns := make([]int64, P)
	if err := mpi.Allgather(n, ns); err != nil {
		return nil, err
	}
	counts := make([]int, P)
	total := 0
	for r, c := range ns {
		counts[r] = int(c)
		total += int(c)
	}
	all := make([]uint32, total)
	if err := mpi.Allgatherv(mine, all, counts); err != nil {
		return nil, err
	}
	out := make([][]uint32, P)
	off := 0
	for r, c := range counts {
		out[r] = all[off : off+c]
		off += c
	}
	return out, nil
}

// resume loads this rank's checkpoint named by rank 0's manifest and returns the round to start at.
func resume(o *Options, job *trainer.Job, gsum, psum, phash, rounds uint64, bound func(uint64) uint64) (uint64, error) {
	me, P := mpi.Rank(), mpi.Size()
	buf := make([]uint64, 8+P)
	var merr error
	if me == 0 {
		mf, err := ReadManifest(o.Checkpoint)
		switch {
		case err != nil:
			merr = err
		case int(mf.Ranks) != P:
			merr = fmt.Errorf("%s was written by %d ranks, this job has %d", o.Checkpoint, mf.Ranks, P)
		default:
			buf[0] = 1
			copy(buf[1:], []uint64{mf.Round, mf.Rounds, uint64(mf.Slot), mf.GraphSum, mf.PartitionSum, mf.ParamHash})
			copy(buf[8:], mf.Units)
		}
	}
	if err := mpi.Bcast(buf, 0); err != nil {
		return 0, err
	}
	if buf[0] == 0 {
		if merr == nil {
			merr = fmt.Errorf("rank 0 could not read the checkpoint manifest %s (see its message)", o.Checkpoint)
		}
		return 0, agreedError{fmt.Errorf("--resume: %w (start without --resume to train from scratch)", merr)}
	}
	round, mrounds, slot := buf[1], buf[2], uint32(buf[3])
	switch {
	case buf[4] != gsum:
		return 0, agreedError{fmt.Errorf("--resume: the checkpoint was made on another graph (checksum %016x, this graph %016x)", buf[4], gsum)}
	case buf[5] != psum:
		return 0, agreedError{fmt.Errorf("--resume: the checkpoint was made with another partition file (checksum %016x, this one %016x)", buf[5], psum)}
	case buf[6] != phash || mrounds != rounds:
		return 0, agreedError{errors.New("--resume: the checkpoint was made with other training flags (rerun with the same flags as the interrupted run)")}
	}
	path := RankCheckpoint(o.Checkpoint, me, slot)
	ck, err := trainer.ReadCheckpoint(path)
	if err == nil {
		a, b := ck.Config, job.Config
		a.Threads, b.Threads = 0, 0
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		switch {
		case string(ja) != string(jb):
			err = fmt.Errorf("%s: made with other parameters", path)
		case ck.UnitsDone != buf[8+me] || ck.UnitsDone < bound(round) || ck.UnitsDone > bound(round+1):
			// A rank that trained ahead (Options.Adaptive) is up to one round past the bound.
			err = fmt.Errorf("%s holds unit %d, the manifest wants %d (round %d, within [%d, %d]): the checkpoint files are from different runs",
				path, ck.UnitsDone, buf[8+me], round, bound(round), bound(round+1))
		case ck.Model.Rows != job.Model.Rows || ck.Model.Dim != job.Model.Dim || ck.GraphSum != gsum:
			err = fmt.Errorf("%s: %d rows of %d, graph %016x; this rank needs %d rows of %d, graph %016x", path, ck.Model.Rows, ck.Model.Dim, ck.GraphSum, job.Model.Rows, job.Model.Dim, gsum)
		}
	}
	// Every rank must resume from the same round: min and max of the rounds loaded must agree.
	r := []uint64{round, round}
	if err != nil {
		r = []uint64{math.MaxUint64, 0}
	}
	mn, mx := []uint64{0}, []uint64{0}
	if e := mpi.Allreduce(r[:1], mn, mpi.Min); e != nil {
		return 0, e
	}
	if e := mpi.Allreduce(r[1:], mx, mpi.Max); e != nil {
		return 0, e
	}
	if mn[0] != mx[0] {
		if err != nil {
			return 0, agreedError{fmt.Errorf("--resume: %w", err)}
		}
		return 0, agreedError{errors.New("--resume: some ranks could not load their checkpoint at the manifest's round (see their messages)")}
	}
	job.Model = ck.Model
	job.FirstUnit = ck.UnitsDone
	return round, nil
}

// stats indices of the per-round Allreduce.
const (
	sWalks = iota
	sSteps
	sTokens
	sPairs
	sLoss
	sErr
	sCkpt
	sRem // units left in the next round (adaptive)
	sBytes
	sRows
	sRate // units per second of training this round
	sLen
)

func trainLoop(o *Options, job *trainer.Job, ps *peers, pl *Plan, pt *Part, res *Result, rounds uint64, bound func(uint64) uint64,
	gsum, psum, phash uint64, log io.Writer) error {
	me, P := mpi.Rank(), mpi.Size()
	sy := NewSync(pl, job.Model, pt.Owned, o.Merge)
	if !o.SyncAll && o.Merge == MergeSum {
		job.DirtyIn, job.DirtyOut = make([]uint64, (job.Model.Rows+63)/64), make([]uint64, (job.Model.Rows+63)/64)
		sy.UseDirty(job.DirtyIn, job.DirtyOut)
	}
	var meter *progress.Meter
	tokens := int64(0)
	bytes0 := int64(0)
	roundsRun := uint64(0) // rounds done by this run (not counting those before a resume)
	t0 := time.Now()
	lastCk := time.Now()
	totalWalks := int64(o.Train.Epochs) * int64(o.Train.WalksPerNode) * int64(res.Nodes)
	if me == 0 && !o.Quiet {
		meter = progress.StartTo(log, fmt.Sprintf("train[%d ranks]", P), "walks", totalWalks, 0, func() string {
			el := time.Since(t0).Seconds()
			return fmt.Sprintf("%s tokens/s, sync %sB/epoch", progress.Human(float64(tokens)/el),
				progress.Human(epochBytes(bytes0, roundsRun, rounds, o.Train.Epochs)))
		})
		meter.Add(int64(float64(totalWalks) * float64(res.FirstRound) / float64(rounds)))
	}
	var lossW, lossN, busy float64
	var myTokens int64
	st := make([]float64, sLen) // this rank's figures of the round, gathered after the sync
	all := make([]float64, sLen*P)
	// cursor is this rank's next own unit: bound(k) at the start of round k, or past it when the
	// rank trained ahead while waiting at the last sync (adaptive); on resume a checkpoint's
	// UnitsDone (resume set FirstUnit), 0 on a fresh run. done counts units trained this round
	// (own, ahead and shares), for the rate.
	cursor := job.FirstUnit
	var done uint64
	run := func(j *trainer.Job, first, end uint64) {
		j.FirstUnit, j.EndUnit = first, end
		tt := time.Now()
		s, err := trainer.Train(j)
		busy += time.Since(tt).Seconds()
		myTokens += s.Tokens
		done += end - first
		if err != nil {
			fmt.Fprintf(os.Stderr, "rank %d: training: %v\n", me, err)
			st[sErr] = 1
		}
		st[sWalks] += float64(s.Walks)
		st[sSteps] += float64(s.Steps)
		st[sTokens] += float64(s.Tokens)
		st[sPairs] += float64(s.Pairs)
		st[sLoss] += s.Loss * float64(s.Pairs)
	}
	adaptive := o.Adaptive && P > 1
	step := uint64(max(1, job.Threads)) // units per lookahead slice: one per thread
	var plan []share                    // shares of the current round (adaptive, HaloVisit)
	rate := make([]float64, P)          // units per second of training, per rank (smoothed)
	rem, ends := make([]uint64, P), make([]uint64, P)
	for k := res.FirstRound; k < rounds; k++ {
		clear(st)
		done = 0
		busy0 := busy
		// Own units up to the round's bound less those handed to other ranks, then theirs.
		end := bound(k + 1)
		for _, sh := range plan {
			if sh.from == me {
				end = min(end, sh.first)
			}
		}
		if cursor < end {
			run(job, cursor, end)
		}
		cursor = max(cursor, bound(k+1)) // units handed over are done by their receivers this round
		for _, sh := range plan {
			if sh.to == me {
				run(ps.job(sh.from), sh.first, sh.end)
			}
		}
		// The fence splits a rank's time at a sync into waiting for slower ranks and the
		// exchange; adaptive, the rank trains on while the fence is open, up to the end of its
		// next round (slices of one unit per thread, so it answers within about a unit).
		tw := time.Now()
		if adaptive && k+1 < rounds {
			f, err := mpi.StartFence()
			if err != nil {
				return err
			}
			limit := bound(k + 2)
			for {
				ok, err := f.Done()
				if err != nil {
					return err
				}
				if ok {
					break
				}
				if cursor >= limit || st[sErr] > 0 {
					if err := f.Wait(); err != nil {
						return err
					}
					break
				}
				t := time.Now()
				e := min(cursor+step, limit)
				run(job, cursor, e)
				cursor = e
				tw = tw.Add(time.Since(t)) // training, not waiting
			}
		} else if err := mpi.Barrier(); err != nil {
			return err
		}
		ts := time.Now()
		res.WaitSeconds += ts.Sub(tw).Seconds()
		if err := sy.Run(); err != nil {
			return err
		}
		res.SyncSeconds += time.Since(ts).Seconds()
		if me == 0 && o.CheckpointEvery > 0 && time.Since(lastCk) >= o.CheckpointEvery && k+1 < rounds {
			st[sCkpt] = 1
		}
		// One gather per round: the round's figures, sync traffic so far, and for the next
		// round's shares the units left in it and the speed.
		st[sBytes], st[sRows] = float64(sy.Bytes), float64(sy.Rows)
		if k+1 < rounds {
			st[sRem] = float64(bound(k+2) - min(cursor, bound(k+2)))
		}
		if dt := busy - busy0; dt > 0 && done > 0 {
			st[sRate] = float64(done) / dt
		}
		if err := mpi.Allgather(st, all); err != nil {
			return err
		}
		var sum [sLen]float64 // (sRem and sRate are per rank)
		for r := 0; r < P; r++ {
			x := all[r*sLen : (r+1)*sLen]
			for i, v := range x {
				sum[i] += v
			}
			switch v := x[sRate]; {
			case v > 0 && rate[r] > 0:
				rate[r] = 0.5*rate[r] + 0.5*v
			case v > 0:
				rate[r] = v
			}
			rem[r] = uint64(x[sRem])
			ends[r] = ps.bound(r, min(k+2, rounds))
		}
		if sum[sErr] > 0 {
			return agreedError{fmt.Errorf("training failed on %d rank(s) (see their messages)", int(sum[sErr]))}
		}
		res.Walks += int64(sum[sWalks])
		res.Steps += int64(sum[sSteps])
		res.Tokens += int64(sum[sTokens])
		res.Pairs += int64(sum[sPairs])
		lossW += sum[sLoss]
		lossN += sum[sPairs]
		tokens = res.Tokens
		bytes0 = int64(sum[sBytes])
		res.SyncRows = int64(sum[sRows])
		roundsRun++
		plan = nil
		if adaptive && o.Halo == HaloVisit && k+1 < rounds {
			plan = planShares(rem, rate, ends)
			for _, sh := range plan {
				res.UnitsShared += sh.end - sh.first
			}
		}
		if meter != nil {
			meter.Add(int64(sum[sWalks]))
		}
		if sum[sCkpt] > 0 {
			if err := checkpoint(o, job, cursor, k+1, rounds, gsum, psum, phash); err != nil {
				return err
			}
			lastCk = time.Now()
		}
	}
	if meter != nil {
		meter.Finish()
	}
	res.TrainSeconds = time.Since(t0).Seconds()
	mine := []float64{busy, res.WaitSeconds, res.SyncSeconds, sy.MPI.Seconds(), float64(myTokens)}
	per := make([]float64, len(mine)*P)
	if err := mpi.Allgather(mine, per); err != nil {
		return err
	}
	for r := 0; r < P; r++ {
		x := per[r*len(mine):]
		res.RankTrain = append(res.RankTrain, x[0])
		res.RankWait = append(res.RankWait, x[1])
		res.RankSync = append(res.RankSync, x[2])
		res.RankMPI = append(res.RankMPI, x[3])
		res.RankTokens = append(res.RankTokens, x[4])
	}
	res.SyncBytes = bytes0
	res.Syncs = roundsRun
	res.SyncBytesPerEpoch = epochBytes(bytes0, roundsRun, rounds, o.Train.Epochs)
	if lossN > 0 {
		res.Loss = lossW / lossN
	}
	return nil
}

// epochBytes scales the bytes sent in the rounds run so far to one epoch of the job.
func epochBytes(bytes int64, run, rounds uint64, epochs int) float64 {
	if run == 0 {
		return 0
	}
	return float64(bytes) / float64(run) * float64(rounds) / float64(max(1, epochs))
}

// checkpoint writes every rank's checkpoint for round k (just after its sync) into slot k%2,
// then rank 0's manifest; a crash at any point leaves the previous round's set intact.
// checkpoint saves this rank's model, done units [0, cursor) (past round k's bound when the rank
// trained ahead), and rank 0 the manifest of round k.
func checkpoint(o *Options, job *trainer.Job, cursor, k, rounds, gsum, psum, phash uint64) error {
	me, P := mpi.Rank(), mpi.Size()
	slot := uint32(k % 2)
	err := trainer.WriteCheckpoint(RankCheckpoint(o.Checkpoint, me, slot), job, cursor, gsum)
	if err := agree("writing checkpoints", err); err != nil {
		return err
	}
	u := []uint64{cursor}
	all := make([]uint64, P)
	if err := mpi.Allgather(u, all); err != nil {
		return err
	}
	err = nil
	if me == 0 {
		err = WriteManifest(o.Checkpoint, &Manifest{Round: k, Rounds: rounds, Ranks: uint32(P), Slot: slot,
			GraphSum: gsum, PartitionSum: psum, ParamHash: phash, Units: all})
		if err == nil && !o.Quiet {
			fmt.Fprintf(o.logw(), "checkpoint %s: round %d of %d\n", o.Checkpoint, k, rounds)
		}
	}
	return agree("writing the checkpoint manifest", err)
}
