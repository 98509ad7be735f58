// Package trainer learns DeepWalk node embeddings: random walks (package walk) stream straight into
// skip-gram with negative sampling (SGNS; Mikolov et al. 2013, word2vec.c; Perozzi et al. 2014),
// trained Hogwild (Recht et al. 2011): one worker per core updates the shared flat matrices
// Model.In and Model.Out without locks.
//
// # The loss and its update (word2vec.c's notation)
//
// For a walk w_1..w_T (after subsampling), each position i draws a reduced window b uniform in
// [0, Window) and pairs the centre w_i with every context w_j, 0 < |i-j| <= Window-b. For the
// pair, with l1 = In[w_j] and the K+1 targets (w_i with label 1, K negatives drawn from
// count^0.75 with label 0), each target's l2 = Out[target] gets
//
//	f  = l1·l2,   g = (label - σ(f)) · α          (σ from a table on [-6, 6], clipped outside)
//	e += g · l2,  l2 += g · l1                       (axpyPair, one fused pass)
//
// and after all targets l1 += e (the input row moves once per pair). The loss reported is the
// mean of -log σ(f) (label 1) and -log σ(-f) (label 0) over all targets. α decays linearly from
// Alpha to MinAlpha over the job by the position of the walk in the corpus (gensim's form,
// α = Alpha - (Alpha-MinAlpha)·progress, updated per walk).
//
// On gensim as the anchor: with corpus_file and W workers gensim measures each worker's progress
// against the whole corpus (word2vec_corpusfile.pyx: total_words of one worker over
// expected_words of all), so its α only decays to about Alpha·(1-1/W): with 2 workers from 0.025
// to 0.0125, a mean α 1.5x ours. On long runs (80 walks) the full decay scored higher on
// BlogCatalog; on short ones (10 walks) the larger α is what put gensim ahead of riskwalk's
// former default Alpha 0.025. Hence the default Alpha 0.05: on BlogCatalog at 10 walks it lifted
// Macro-F1 at 50% labelled from 13.7 to 20.2 (gensim 17.9); at 80 walks it cost 0.4-0.7 points
// (26.5-26.8 vs 27.2; gensim 26.0-26.7 across runs). For long runs --lr 0.025 is a little better.
//
// # Work units, determinism, checkpoints
//
// The corpus is Epochs x WalksPerNode rounds; each round starts one walk at every start node, in
// an order given by a seeded pseudo-random permutation (walk.Perm). A round is cut into chunks of
// ChunkWalks walks; a work unit is one chunk of one round of one epoch, numbered 0..Units()-1.
// Unit u's walks depend only on (Seed, round, chunk) and its training randomness (windows,
// negatives, subsampling) only on (Seed, u), whichever worker or rank runs it. Hence one thread
// gives bit-identical vectors on every run, and a checkpoint needs only the matrices and the
// number of units done (units are handed out in order and a checkpoint waits for the units in
// flight), so resuming from one equals the uninterrupted run with one thread.
//
// # Distributed use
//
// Nothing here assumes one process: a Job names its start nodes (Starts), its rows (a RowMap from
// global node ids to the rows of a local Model block) and its negative distribution (a Vocab built
// from the rank's counts and, optionally, a subset of rows). See Job.
package trainer

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"riskwalk/internal/progress"
	"riskwalk/walk"
)

// Config holds the training parameters. Zero fields take the defaults of DeepWalk (Perozzi et al.
// 2014: 80 walks of 40 nodes, window 10, 128 dimensions) with 5 negatives, word2vec's
// α = 0.05 (twice word2vec's 0.025; see the package doc) decaying to α·1e-4, and gensim's
// subsampling threshold 1e-3 (set Sample < 0 for none).
type Config struct {
	Dim          int
	Window       int
	Negative     int
	WalksPerNode int
	WalkLength   int
	Epochs       int
	Alpha        float64
	MinAlpha     float64
	Sample       float64
	Seed         uint64
	Threads      int // 0: GOMAXPROCS
	ChunkWalks   int // walks per work unit, 0: 64
	// HogBatch shares one draw of negatives among all contexts of a centre and updates them as
	// small matrix products (Ji et al. 2016, pWord2Vec): each output row is loaded once per
	// centre instead of once per pair. See trainCentreBatch. riskwalk-train uses it by default:
	// on BlogCatalog (80 walks) it came within 0.15 F1 points of the per-pair update at α 0.025
	// and within 0.3-0.9 at α 0.05, at 1.45x the per-pair tokens per CPU-second (2.4-2.5x
	// gensim's); the per-pair update stays as the reference (word2vec's exact update order)
	// behind --per-pair. See bench/RESULTS.md.
	HogBatch bool
}

// Defaults fills zero fields.
func (c *Config) Defaults() {
	def := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	def(&c.Dim, 128)
	def(&c.Window, 10)
	def(&c.Negative, 5)
	def(&c.WalksPerNode, 80)
	def(&c.WalkLength, 40)
	def(&c.Epochs, 1)
	def(&c.Threads, runtime.GOMAXPROCS(0))
	def(&c.ChunkWalks, 64)
	if c.Alpha == 0 {
		c.Alpha = 0.05
	}
	if c.MinAlpha == 0 {
		c.MinAlpha = c.Alpha * 1e-4
	}
	if c.Sample == 0 {
		c.Sample = 1e-3
	}
}

// Validate reports the first parameter out of range, naming its flag.
func (c *Config) Validate() error {
	switch {
	case c.Dim < 1 || c.Dim > 4096:
		return fmt.Errorf("--dim %d, want 1..4096", c.Dim)
	case c.Window < 1:
		return fmt.Errorf("--window %d, want >= 1", c.Window)
	case c.Negative < 0 || c.Negative > 1000:
		return fmt.Errorf("--negative %d, want 0..1000", c.Negative)
	case c.WalksPerNode < 1:
		return fmt.Errorf("--walks %d, want >= 1", c.WalksPerNode)
	case c.WalkLength < 2:
		return fmt.Errorf("--length %d, want >= 2", c.WalkLength)
	case c.Epochs < 1:
		return fmt.Errorf("--epochs %d, want >= 1", c.Epochs)
	case !(c.Alpha > 0) || !(c.MinAlpha >= 0) || c.MinAlpha > c.Alpha:
		return fmt.Errorf("--lr %v (min %v): want 0 <= min <= lr, lr > 0", c.Alpha, c.MinAlpha)
	case c.Threads < 1:
		return fmt.Errorf("--threads %d, want >= 1", c.Threads)
	case c.ChunkWalks < 1:
		return fmt.Errorf("chunk of %d walks, want >= 1", c.ChunkWalks)
	}
	return nil
}

// Job is one training run, in one process or on one rank.
type Job struct {
	Config
	// Walker generates the walks (its length must equal WalkLength).
	Walker *walk.Walker
	// Starts are the global ids walks start from (a rank's own nodes); nil means all nodes.
	Starts []uint32
	// Model is the vector storage, initialised by the caller (InitRandom, InitRows, WarmStart, or
	// a checkpoint).
	Model *Model
	// Rows maps global ids to Model rows; nil means row = node id (Model.Rows >= graph nodes).
	Rows *RowMap
	// Vocab gives negatives and subsampling per row; build it with NewVocab(CountVisits(...)).
	Vocab *Vocab
	// FirstUnit is where to start (a checkpoint's UnitsDone); 0 for a fresh run. EndUnit, if not
	// 0, stops before that unit (e.g. to run a job in slices between synchronisations).
	FirstUnit, EndUnit uint64
	// Progress, if not nil, receives the progress line's name (e.g. "train" or "train[rank 3]")
	// and turns on progress printing to stderr.
	Progress string
	// CheckpointEvery > 0 calls Checkpoint that often (at a pause between work units, with the
	// number of units done); the run stops with its error if it fails.
	CheckpointEvery time.Duration
	Checkpoint      func(unitsDone uint64) error
	// Stop, if set, is polled between units; when it returns true the run stops after the units
	// in flight (as at a checkpoint) and Train returns with Stats.UnitsDone < Units().
	Stop func() bool
	// WalkSink, if set, receives every generated walk (global ids) before it is trained, under a
	// lock; the order across workers is not deterministic. For --walks-out.
	WalkSink func(walk []uint32) error
	// DirtyIn and DirtyOut, if not nil, are bitsets over model rows (bit r%64 of word r/64, at
	// least ceil(Rows/64) words each) in which Train sets, atomically, the bit of every row whose
	// In (DirtyIn: every token kept by subsampling) or Out (DirtyOut: those tokens and every
	// negative drawn) it may change, so a caller that clears them before a run knows afterwards
	// which rows can differ. Train never clears bits. Set both or neither. The distributed
	// trainer (package spmd) syncs only the replica rows marked here.
	DirtyIn, DirtyOut []uint64
}

// Stats summarise a run.
type Stats struct {
	UnitsDone  uint64
	Walks      int64         // walks generated
	Steps      int64         // walk steps (nodes after the start)
	Tokens     int64         // walk tokens reaching training (after row mapping, before subsampling)
	Trained    int64         // tokens kept by subsampling
	Pairs      int64         // (context, centre) pairs trained
	WalkTime   time.Duration // summed over workers: time generating walks
	TrainTime  time.Duration // summed over workers: time in SGNS
	Wall       time.Duration
	Loss       float64 // mean SGNS loss per target over the run
	Kernel     string
	Threads    int
	TotalUnits uint64
}

// Units is the number of work units of the job.
func (j *Job) Units() uint64 {
	s := j.startCount()
	c := (s + uint64(j.ChunkWalks) - 1) / uint64(j.ChunkWalks)
	return uint64(j.Epochs) * uint64(j.WalksPerNode) * c
}

func (j *Job) startCount() uint64 {
	if j.Starts != nil {
		return uint64(len(j.Starts))
	}
	return uint64(j.Walker.Graph().N)
}

// unitInfo locates unit u: its epoch, round, and the positions [lo, hi) of the round's
// permutation it covers; walk0 is the corpus index of its first walk (for the learning rate).
func (j *Job) unitInfo(u uint64) (epoch, round, lo, hi, walk0 uint64) {
	s := j.startCount()
	b := uint64(j.ChunkWalks)
	c := (s + b - 1) / b
	r := uint64(j.WalksPerNode)
	epoch, round, chunk := u/(r*c), (u/c)%r, u%c
	lo, hi = chunk*b, min(s, (chunk+1)*b)
	walk0 = epoch*r*s + round*s + lo
	return
}

func (j *Job) check() error {
	j.Config.Defaults()
	if err := j.Config.Validate(); err != nil {
		return err
	}
	switch {
	case j.Walker == nil || j.Model == nil || j.Vocab == nil:
		return errors.New("trainer: job needs a Walker, a Model and a Vocab")
	case j.Walker.Length() != j.WalkLength:
		return fmt.Errorf("trainer: walker length %d, config %d", j.Walker.Length(), j.WalkLength)
	case j.Model.Dim != j.Dim:
		return fmt.Errorf("trainer: model dimension %d, config %d", j.Model.Dim, j.Dim)
	case j.startCount() == 0:
		return errors.New("trainer: no start nodes")
	case j.FirstUnit > j.Units():
		return fmt.Errorf("trainer: resume at unit %d of %d (checkpoint from another job?)", j.FirstUnit, j.Units())
	}
	n := j.Walker.Graph().N
	if j.Rows == nil && uint64(j.Model.Rows) < uint64(n) {
		return fmt.Errorf("trainer: model has %d rows for %d nodes and no row map", j.Model.Rows, n)
	}
	if j.Rows != nil && (len(j.Rows.Local) != int(n) || len(j.Rows.Nodes) > j.Model.Rows) {
		return fmt.Errorf("trainer: row map covers %d nodes/%d rows, graph has %d nodes, model %d rows", len(j.Rows.Local), len(j.Rows.Nodes), n, j.Model.Rows)
	}
	if j.Vocab.keep != nil && len(j.Vocab.keep) != j.Model.Rows {
		return fmt.Errorf("trainer: vocabulary of %d rows, model %d", len(j.Vocab.keep), j.Model.Rows)
	}
	if w := (j.Model.Rows + 63) / 64; (j.DirtyIn != nil || j.DirtyOut != nil) && (len(j.DirtyIn) < w || len(j.DirtyOut) < w) {
		return fmt.Errorf("trainer: dirty bitsets of %d and %d words for %d rows", len(j.DirtyIn), len(j.DirtyOut), j.Model.Rows)
	}
	for _, s := range j.Starts {
		if s >= n {
			return fmt.Errorf("trainer: start node %d outside the graph's %d nodes", s, n)
		}
	}
	return nil
}

// sigmoid table: σ(x) for x in [-maxExp, maxExp), and -log σ(x) for the reported loss.
const (
	maxExp   = 6
	expTable = 1024
)

var sigTab, nlogSigTab [expTable + 1]float32

func init() {
	for i := range sigTab {
		x := (float64(i)/expTable*2 - 1) * maxExp
		s := 1 / (1 + math.Exp(-x))
		sigTab[i] = float32(s)
		nlogSigTab[i] = float32(-math.Log(s))
	}
}

// shared is the state workers share; counters are updated once per unit.
type shared struct {
	next    atomic.Uint64
	stop    atomic.Bool
	end     uint64
	meter   *progress.Meter
	steps   atomic.Int64
	alpha   atomic.Uint64 // float64 bits of the latest α, for progress
	lossX   atomic.Uint64 // float64 bits: summed loss (published per unit)
	lossN   atomic.Int64
	lossMu  sync.Mutex // guards lossX updates and WalkSink calls
	sinkErr error
	totalW  float64
}

// worker holds one goroutine's scratch, allocated once.
type worker struct {
	j      *Job
	sh     *shared
	starts []uint32
	buf    []uint32
	lens   []int32
	sent   []uint32
	neu1e  []float32
	// HogBatch scratch: context rows, target rows, gradients, input-row updates.
	ctxs, tgts []uint32
	grad       []float32
	ein        []float32
	st         Stats
	loss       float64
	lossN      int64
}

func newWorker(j *Job, sh *shared) *worker {
	b, L := j.ChunkWalks, j.WalkLength
	return &worker{j: j, sh: sh, starts: make([]uint32, b), buf: make([]uint32, b*L), lens: make([]int32, b),
		sent: make([]uint32, 0, L), neu1e: make([]float32, j.Model.Stride),
		ctxs: make([]uint32, 0, 2*j.Window), tgts: make([]uint32, 0, j.Negative+1),
		grad: make([]float32, 2*j.Window*(j.Negative+1)), ein: make([]float32, 2*j.Window*j.Model.Stride)}
}

// Train runs the job's units from FirstUnit on, in Threads goroutines, and returns what it did.
func Train(j *Job) (Stats, error) {
	if err := j.check(); err != nil {
		return Stats{}, err
	}
	t0 := time.Now()
	sh := &shared{end: j.Units()}
	if j.EndUnit != 0 {
		sh.end = min(sh.end, j.EndUnit)
	}
	sh.totalW = float64(uint64(j.Epochs)*uint64(j.WalksPerNode)*j.startCount()) + 1
	sh.next.Store(j.FirstUnit)
	if j.Progress != "" {
		_, _, _, _, w0 := j.unitInfo(j.FirstUnit)
		w1 := uint64(j.Epochs) * uint64(j.WalksPerNode) * j.startCount()
		if sh.end < j.Units() {
			_, _, _, _, w1 = j.unitInfo(sh.end)
		}
		total := int64(w1-w0) * int64(j.WalkLength)
		var lastX float64
		var lastN int64
		start := time.Now()
		sh.meter = progress.Start(j.Progress, "tokens", total, 0, func() string {
			x, n := math.Float64frombits(sh.lossX.Load()), sh.lossN.Load()
			loss := 0.0
			if n > lastN {
				loss = (x - lastX) / float64(n-lastN)
			}
			lastX, lastN = x, n
			el := time.Since(start).Seconds()
			return fmt.Sprintf("walk %s steps/s lr %.5f loss %.4f", progress.Human(float64(sh.steps.Load())/el),
				math.Float64frombits(sh.alpha.Load()), loss)
		})
	}
	workers := make([]*worker, j.Threads)
	for i := range workers {
		workers[i] = newWorker(j, sh)
	}
	var poll <-chan time.Time
	if j.Stop != nil {
		pt := time.NewTicker(50 * time.Millisecond)
		defer pt.Stop()
		poll = pt.C
	}
	var err error
	for sh.next.Load() < sh.end && err == nil {
		var wg sync.WaitGroup
		for _, w := range workers {
			wg.Add(1)
			go func() { defer wg.Done(); w.run() }()
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		var tick <-chan time.Time
		if j.CheckpointEvery > 0 && j.Checkpoint != nil {
			tick = time.After(j.CheckpointEvery)
		}
		stopped := false
	wait:
		for {
			select {
			case <-done:
				break wait
			case <-tick:
				sh.stop.Store(true)
				<-done
				if u := min(sh.next.Load(), sh.end); u < sh.end {
					err = j.Checkpoint(u)
				}
				break wait
			case <-poll:
				if j.Stop() {
					sh.stop.Store(true)
					<-done
					stopped = true
					break wait
				}
			}
		}
		sh.stop.Store(false)
		if stopped || sh.sinkErr != nil {
			break
		}
	}
	if sh.meter != nil {
		sh.meter.Finish()
	}
	st := Stats{Kernel: KernelName(), Threads: j.Threads, TotalUnits: sh.end, UnitsDone: min(sh.next.Load(), sh.end)}
	if n := sh.lossN.Load(); n > 0 {
		st.Loss = math.Float64frombits(sh.lossX.Load()) / float64(n)
	}
	for _, w := range workers {
		st.Walks += w.st.Walks
		st.Steps += w.st.Steps
		st.Tokens += w.st.Tokens
		st.Trained += w.st.Trained
		st.Pairs += w.st.Pairs
		st.WalkTime += w.st.WalkTime
		st.TrainTime += w.st.TrainTime
	}
	st.Wall = time.Since(t0)
	if err == nil && sh.sinkErr != nil {
		err = fmt.Errorf("writing walks: %w", sh.sinkErr)
	}
	return st, err
}

func (w *worker) run() {
	sh := w.sh
	for !sh.stop.Load() {
		u := sh.next.Add(1) - 1
		if u >= sh.end {
			return
		}
		w.unit(u)
	}
}

// unit generates and trains the walks of work unit u.
func (w *worker) unit(u uint64) {
	j := w.j
	c := &j.Config
	_, _, _, _, walk0 := j.unitInfo(u)
	t0 := time.Now()
	steps0 := w.st.Steps
	n := w.walks(u)
	steps := w.st.Steps - steps0
	t1 := time.Now()
	w.st.WalkTime += t1.Sub(t0)
	if j.WalkSink != nil {
		w.sink(n)
	}
	tr := walk.NewRand(walk.Stream(c.Seed, streamTrain, u))
	L := c.WalkLength
	var alpha float32
	for k := 0; k < n; k++ {
		frac := float64(walk0+uint64(k)) / w.sh.totalW
		alpha = float32(c.Alpha - (c.Alpha-c.MinAlpha)*frac) // gensim's form: linear from Alpha to MinAlpha
		w.trainWalk(w.buf[k*L:k*L+int(w.lens[k])], alpha, &tr)
	}
	w.st.TrainTime += time.Since(t1)
	sh := w.sh
	sh.steps.Add(steps)
	sh.alpha.Store(math.Float64bits(float64(alpha)))
	sh.lossMu.Lock()
	sh.lossX.Store(math.Float64bits(math.Float64frombits(sh.lossX.Load()) + w.loss))
	sh.lossN.Add(w.lossN)
	sh.lossMu.Unlock()
	if sh.meter != nil {
		sh.meter.Add(int64(n * L))
	}
	w.loss, w.lossN = 0, 0
}

func (w *worker) sink(n int) {
	sh, L := w.sh, w.j.WalkLength
	sh.lossMu.Lock()
	defer sh.lossMu.Unlock()
	for k := 0; k < n && sh.sinkErr == nil; k++ {
		sh.sinkErr = w.j.WalkSink(w.buf[k*L : k*L+int(w.lens[k])])
	}
	if sh.sinkErr != nil {
		sh.stop.Store(true)
	}
}

// markDirty sets row r's bit in d (Job.DirtyIn or DirtyOut). Workers share d: the load skips the atomic
// read-modify-write for rows already marked, which is most of them after the first walks.
func markDirty(d []uint64, r uint32) {
	p, b := &d[r>>6], uint64(1)<<(r&63)
	if atomic.LoadUint64(p)&b == 0 {
		atomic.OrUint64(p, b)
	}
}

// trainWalk maps a walk to rows, subsamples it, and runs SGNS over it with learning rate alpha.
func (w *worker) trainWalk(walkIDs []uint32, alpha float32, r *walk.Rand) {
	j := w.j
	m, voc := j.Model, j.Vocab
	sent := w.sent[:0]
	var local []int32
	if j.Rows != nil {
		local = j.Rows.Local
	}
	for _, v := range walkIDs {
		row := v
		if local != nil {
			l := local[v]
			if l < 0 {
				continue
			}
			row = uint32(l)
		}
		w.st.Tokens++
		if voc.keep != nil && voc.keep[row] < uint32(r.Uint64()) {
			continue
		}
		sent = append(sent, row)
	}
	w.st.Trained += int64(len(sent))
	if j.DirtyIn != nil {
		for _, row := range sent {
			markDirty(j.DirtyIn, row)
			markDirty(j.DirtyOut, row)
		}
	}
	stride, win, neg := m.Stride, w.j.Window, w.j.Negative
	in, out := m.In, m.Out
	e := w.neu1e
	var loss float64
	var lossN, pairs int64
	if j.HogBatch {
		for i := range sent {
			b := int(r.Uint32n(uint32(win)))
			lo, hi := max(0, i-win+b), min(len(sent), i+win+1-b)
			w.trainCentreBatch(sent, i, lo, hi, alpha, r)
		}
		return
	}
	for i, centre := range sent {
		b := int(r.Uint32n(uint32(win)))
		lo, hi := max(0, i-win+b), min(len(sent), i+win+1-b)
		for jj := lo; jj < hi; jj++ {
			if jj == i {
				continue
			}
			ctx := sent[jj]
			l1 := in[int(ctx)*stride : int(ctx)*stride+stride]
			clear(e)
			pairs++
			for d := 0; d <= neg; d++ {
				target, label := centre, float32(1)
				if d > 0 {
					target = voc.negative(r.Uint64())
					if target == centre {
						continue
					}
					if j.DirtyOut != nil {
						markDirty(j.DirtyOut, target)
					}
					label = 0
				}
				l2 := out[int(target)*stride : int(target)*stride+stride]
				f := dot(l1, l2)
				// Outside [-maxExp, maxExp] the pair is skipped, as gensim does (word2vec.c instead
				// clips g). On graphs the clipped form keeps hammering hubs' output rows, which are
				// drawn as negatives most often; skipping measured better on BlogCatalog.
				if f >= maxExp || f <= -maxExp {
					if (f > 0) != (label == 1) {
						loss += math.Abs(float64(f))
					}
					lossN++
					continue
				}
				idx := int((f + maxExp) * (expTable / (2.0 * maxExp)))
				g := (label - sigTab[idx]) * alpha
				if label == 1 {
					loss += float64(nlogSigTab[idx])
				} else {
					loss += float64(nlogSigTab[expTable-idx])
				}
				lossN++
				axpyPair(g, l1, l2, e)
			}
			axpy(1, e, l1)
		}
	}
	w.loss += loss
	w.lossN += lossN
	w.st.Pairs += pairs
}

// trainCentreBatch is the HogBatch form of the SGNS update for centre sent[i] and its contexts
// sent[lo:hi] (minus i): with C contexts (input rows l1_a) and targets t_0 = centre (label 1) and
// K negatives drawn once for all contexts (label 0), all from the current values:
//
//	G[a][k] = (label_k - σ(l1_a·l2_k)) · α
//	l1_a   += Σ_k G[a][k] · l2_k        (computed before the l2 change)
//	l2_k   += Σ_a G[a][k] · l1_a        (computed before the l1 change)
//
// The same pairs as the per-pair loop get the same first-order update; what changes is that
// negatives are shared by the contexts of one centre and that updates within a centre do not see
// each other.
func (w *worker) trainCentreBatch(sent []uint32, i, lo, hi int, alpha float32, r *walk.Rand) {
	j := w.j
	m, voc := j.Model, j.Vocab
	stride := m.Stride
	in, out := m.In, m.Out
	centre := sent[i]
	ctxs := w.ctxs[:0]
	for jj := lo; jj < hi; jj++ {
		if jj != i {
			ctxs = append(ctxs, sent[jj])
		}
	}
	tgts := append(w.tgts[:0], centre)
	for d := 0; d < j.Negative; d++ {
		if t := voc.negative(r.Uint64()); t != centre {
			tgts = append(tgts, t)
			if j.DirtyOut != nil {
				markDirty(j.DirtyOut, t)
			}
		}
	}
	nt := len(tgts)
	grad := w.grad[:len(ctxs)*nt]
	var loss float64
	for a, c := range ctxs {
		l1 := in[int(c)*stride : int(c)*stride+stride]
		for k, t := range tgts {
			f := dot(l1, out[int(t)*stride:int(t)*stride+stride])
			label := float32(0)
			if k == 0 {
				label = 1
			}
			g := float32(0)
			if f >= maxExp || f <= -maxExp {
				if (f > 0) != (label == 1) {
					loss += math.Abs(float64(f))
				}
			} else {
				idx := int((f + maxExp) * (expTable / (2.0 * maxExp)))
				g = (label - sigTab[idx]) * alpha
				if k == 0 {
					loss += float64(nlogSigTab[idx])
				} else {
					loss += float64(nlogSigTab[expTable-idx])
				}
			}
			grad[a*nt+k] = g
		}
	}
	ein := w.ein[:len(ctxs)*stride]
	clear(ein)
	for a := range ctxs {
		e := ein[a*stride : (a+1)*stride]
		for k, t := range tgts {
			if g := grad[a*nt+k]; g != 0 {
				axpy(g, out[int(t)*stride:int(t)*stride+stride], e)
			}
		}
	}
	for k, t := range tgts {
		l2 := out[int(t)*stride : int(t)*stride+stride]
		for a, c := range ctxs {
			if g := grad[a*nt+k]; g != 0 {
				axpy(g, in[int(c)*stride:int(c)*stride+stride], l2)
			}
		}
	}
	for a, c := range ctxs {
		axpy(1, ein[a*stride:(a+1)*stride], in[int(c)*stride:int(c)*stride+stride])
	}
	w.loss += loss
	w.lossN += int64(len(ctxs) * nt)
	w.st.Pairs += int64(len(ctxs))
}
