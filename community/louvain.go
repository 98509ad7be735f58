// Package community finds communities in graphs: the one Louvain implementation of riskwalk, used
// by partitioning (riskwalk partition) and by the graph risk features (community id and share of
// bad nodes), plus Modularity, the verifier computed directly from the definition.
//
// # Modularity
//
// Louvain works on the undirected view of a graph (see Undirected). With A the symmetric weighted
// adjacency matrix of that view, k_i = Σ_j A_ij the weighted degree, 2m = Σ_i k_i and γ the
// resolution, the modularity of a partition c is (Newman & Girvan 2004; γ from Reichardt &
// Bornholdt 2006)
//
//	Q = 1/(2m) Σ_ij [ A_ij - γ k_i k_j / (2m) ] δ(c_i, c_j)
//	  = Σ_c [ in_c/(2m) - γ (tot_c/(2m))² ]
//
// where in_c = Σ_{i,j∈c} A_ij and tot_c = Σ_{i∈c} k_i. A self-loop of weight w stored once in a
// riskwalk graph counts A_ii = 2w (it adds 2w to k_i), the convention of Newman, igraph and
// networkx, so figures agree with theirs on graphs with self-loops.
//
// # Louvain
//
// Blondel, Guillaume, Lambiotte, Lefebvre, "Fast unfolding of communities in large networks",
// J. Stat. Mech. (2008) P10008. Each level starts with every node in its own community and moves
// nodes to the neighbouring community with the largest modularity gain until a sweep gains less
// than Options.MinGain; then the communities become the nodes of a reduced graph (A'_cd =
// Σ_{i∈c, j∈d} A_ij, including A'_cc = in_c as a self-loop), which preserves Q, and the next level
// runs on it. It stops when a level merges nothing or gains less than MinGain.
//
// The gain of moving node u from community a (which holds u) to community b, with w_{u,x} the
// weight from u to the members of x other than u and Σ_x = tot_x (derived in gonum's
// graph/community/louvain.tex, eq. for ΔQ of the undirected case; Blondel et al. eq. (2)):
//
//	ΔQ(u: a→b) = (w_{u,b} - w_{u,a})/m - γ k_u (Σ_b - Σ_a + k_u) / (2m²)
//
// so the best target maximises g(b) = w_{u,b} - γ k_u Σ_b/(2m), to be compared with staying,
// g_stay = w_{u,a} - γ k_u (Σ_a - k_u)/(2m); ΔQ = 2 (g(b) - g_stay)/(2m).
//
// # Parallel local moves
//
// Moving nodes in parallel makes decisions against a state other threads are changing; pairs of
// nodes can swap communities forever. riskwalk avoids that and stays deterministic as follows.
// Each level visits its nodes in a seeded random order, cut into batches (Options.BatchSize). All
// nodes of a batch decide in parallel against the state left by the previous batches (nothing
// changes during the decision), then the batch's moves are applied serially in order. Batches are
// small against the level's size, so this is close to the sequential algorithm, and the result
// depends on the seed only, never on the thread count or scheduling. The one oscillation a
// batch can still cause, two singletons joining each other (and so swapping), is prevented by the
// minimum-label rule of Lu, Halappanavar, Kalyanaraman, "Parallel heuristics for scalable
// community detection", Parallel Computing 47 (2015) 19-37, §4.1 (Grappolo): when a node's community
// and its best target are both singletons, it moves only if the target's id is smaller.
// Nodes none of whose neighbours moved in the previous sweep are not revisited (vertex pruning,
// Ozaki, Tezuka, Inaba 2016, "A simple acceleration method for the Louvain algorithm").
//
// # Data layout
//
// Flat slices only: per-community total degree and size arrays, per-worker scratch made of a dense
// community-weight accumulator (8 bytes per node of the level, per thread) with a touched list, and
// each reduced graph built as CSR in parallel over community ranges. Level 0 reads the input's
// CSR in place when it is undirected.
package community

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"riskwalk/graph"
	"riskwalk/internal/progress"
)

// Options tune Louvain. The zero value is ready to use.
type Options struct {
	// Resolution is γ; 0 means 1 (classic modularity). Larger values give smaller communities.
	Resolution float64
	// Seed fixes the node visiting order; equal seeds give equal results on any thread count.
	Seed uint64
	// Threads is the number of goroutines for local moves and aggregation; 0 means GOMAXPROCS.
	Threads int
	// BatchSize is the number of nodes deciding together; 0 means about 1/128 of the level's
	// nodes, at least 1 and at most 4096. 1 is the sequential algorithm.
	BatchSize int
	// MinGain stops a level when a sweep's modularity gain is below it, and the whole run when a
	// level's gain is; 0 means 1e-6.
	MinGain float64
	// MaxSweeps bounds the local-move sweeps per level; 0 means 64.
	MaxSweeps int
	// MaxLevels bounds the number of levels; 0 means no bound.
	MaxLevels int
	// Progress prints rate and ETA lines on stderr while it runs (for big graphs).
	Progress bool
}

// LevelStats describe one level of a run.
type LevelStats struct {
	Nodes       int           // nodes of the graph this level worked on
	Arcs        uint64        // stored arcs of that graph
	Communities int           // communities found (nodes of the next level's graph)
	Sweeps      int           // local-move sweeps
	Moves       int           // node moves applied over all sweeps
	Modularity  float64       // Q after this level, on the original graph
	Elapsed     time.Duration // local moves plus aggregation
}

// Result is the outcome of Louvain.
type Result struct {
	// Community is the final community of every node of the input, dense in 0..NumCommunities-1.
	Community      []uint32
	NumCommunities int
	// Modularity is Q of Community (with the run's resolution) on the input's undirected view.
	Modularity float64
	Levels     []LevelStats
	// maps[l][x] is the community, among the Levels[l].Communities, of node x of level l's graph.
	maps [][]uint32
}

// Membership returns the community of every input node after level l (0 ≤ l < len(Levels)),
// dense in 0..Levels[l].Communities-1. Membership(len(Levels)-1) equals Community. Communities
// of level l+1 are unions of communities of level l.
func (r *Result) Membership(l int) []uint32 {
	c := make([]uint32, len(r.maps[0]))
	copy(c, r.maps[0])
	for i := 1; i <= l; i++ {
		m := r.maps[i]
		for v, x := range c {
			c[v] = m[x]
		}
	}
	return c
}

// LevelMap returns, for level l, the community (among Levels[l].Communities) of each node of the
// graph level l worked on: input nodes for l = 0, level l-1's communities after. The slice belongs to
// r and must not be written. Membership(l) is LevelMap(0) composed up to LevelMap(l).
func (r *Result) LevelMap(l int) []uint32 { return r.maps[l] }

// levelGraph is the graph one level works on: the input's undirected view at level 0 (self-loops
// are arcs u->u of adj there, with A_uu = 2w), the reduced graph afterwards (no u->u arcs; A_uu
// is in loop).
type levelGraph struct {
	n    int
	off  []uint64
	adj  []uint32
	w32  []float32 // level 0 of a weighted input; nil otherwise
	w64  []float64 // reduced levels; nil at level 0 (then weights are w32, or 1 when w32 is nil)
	loop []float64 // A_uu of reduced levels; nil at level 0
	k    []float64 // weighted degree
}

// worker is one goroutine's scratch, allocated once per run.
type worker struct {
	acc     []float64 // dense weight per community id, all zero between uses
	touched []uint32  // community ids with acc != 0 (possibly repeated)
}

// state is the local-move state of one level.
type state struct {
	g       *levelGraph
	gamma   float64
	twoM    float64
	comm    []uint32  // community of each node of the level
	tot     []float64 // Σ_c: total degree of each community
	size    []uint32  // nodes in each community
	active  []uint64  // bitset: visit in this sweep
	next    []uint64  // bitset: visit in the next sweep
	workers []worker
}

// Louvain partitions g's undirected view (see Undirected) into communities of high modularity.
// It fails on negative or non-finite weights. A graph without edges gives one community per
// node and modularity 0.
func Louvain(g *graph.Graph, opt Options) (*Result, error) {
	if opt.Resolution == 0 {
		opt.Resolution = 1
	}
	if opt.Resolution < 0 || math.IsNaN(opt.Resolution) {
		return nil, fmt.Errorf("community: resolution %v must be positive", opt.Resolution)
	}
	if opt.MinGain == 0 {
		opt.MinGain = 1e-6
	}
	if opt.MaxSweeps == 0 {
		opt.MaxSweeps = 64
	}
	threads := threadsOr(opt.Threads)
	u := Undirected(g)
	lg, err := levelZero(u, threads)
	if err != nil {
		return nil, err
	}
	n0 := lg.n
	twoM := 0.0
	q := 0.0
	for v := 0; v < n0; v++ {
		twoM += lg.k[v]
	}
	res := &Result{}
	if twoM == 0 {
		c := make([]uint32, n0)
		for v := range c {
			c[v] = uint32(v)
		}
		res.Community, res.NumCommunities, res.maps = c, n0, [][]uint32{c}
		res.Levels = []LevelStats{{Nodes: n0, Communities: n0}}
		return res, nil
	}
	for v := 0; v < n0; v++ { // Q of the singleton partition
		q += selfLoop(lg, uint32(v))/twoM - opt.Resolution*(lg.k[v]/twoM)*(lg.k[v]/twoM)
	}
	var meter *progress.Meter
	var levelNo, sweepNo atomic.Int64
	if opt.Progress {
		meter = progress.Start("louvain", "node visits", 0, 0, func() string {
			return fmt.Sprintf("level %d sweep %d", levelNo.Load(), sweepNo.Load())
		})
	}
	ws := make([]worker, threads)
	for i := range ws {
		ws[i].acc = make([]float64, n0)
	}
	for l := 0; opt.MaxLevels == 0 || l < opt.MaxLevels; l++ {
		levelNo.Store(int64(l))
		start := time.Now()
		s := newState(lg, opt.Resolution, twoM, ws)
		st := LevelStats{Nodes: lg.n, Arcs: uint64(len(lg.adj))}
		st.Sweeps, st.Moves = s.localMoves(opt, uint64(l), threads, meter, &sweepNo)
		cmap, k := s.renumber()
		if k == lg.n { // nothing merged: the previous level is final
			break
		}
		next := aggregate(lg, cmap, k, ws, threads)
		st.Communities = k
		qn := 0.0
		for c := 0; c < k; c++ {
			qn += next.loop[c]/twoM - opt.Resolution*(next.k[c]/twoM)*(next.k[c]/twoM)
		}
		st.Modularity = qn
		st.Elapsed = time.Since(start)
		res.Levels = append(res.Levels, st)
		res.maps = append(res.maps, cmap)
		gain := qn - q
		q, lg = qn, next
		if gain < opt.MinGain {
			break
		}
	}
	if meter != nil {
		meter.Finish()
	}
	if len(res.maps) == 0 { // the first level merged nothing
		c := make([]uint32, n0)
		for v := range c {
			c[v] = uint32(v)
		}
		res.maps = [][]uint32{c}
		res.Levels = []LevelStats{{Nodes: n0, Arcs: uint64(len(u.Adj)), Communities: n0, Modularity: q}}
	}
	res.Community = res.Membership(len(res.maps) - 1)
	res.NumCommunities = res.Levels[len(res.Levels)-1].Communities
	res.Modularity = q
	return res, nil
}

func threadsOr(t int) int {
	if t <= 0 {
		t = runtime.GOMAXPROCS(0)
	}
	return t
}

// selfLoop is A_uu of a level's node.
func selfLoop(g *levelGraph, u uint32) float64 {
	if g.loop != nil {
		return g.loop[u]
	}
	s := 0.0
	for i := g.off[u]; i < g.off[u+1]; i++ {
		if g.adj[i] == u {
			s += 2 * g.weight(i)
		}
	}
	return s
}

func (g *levelGraph) weight(i uint64) float64 {
	switch {
	case g.w64 != nil:
		return g.w64[i]
	case g.w32 != nil:
		return float64(g.w32[i])
	}
	return 1
}

// levelZero wraps an undirected graph's CSR without copying and computes degrees.
func levelZero(u *graph.Graph, threads int) (*levelGraph, error) {
	lg := &levelGraph{n: int(u.N), off: u.Offsets, adj: u.Adj, w32: u.Weights, k: make([]float64, u.N)}
	var bad atomic.Int64
	bad.Store(-1)
	parallelRangeT(lg.n, threads, func(lo, hi int) {
		for v := lo; v < hi; v++ {
			k := 0.0
			for i := lg.off[v]; i < lg.off[v+1]; i++ {
				w := lg.weight(i)
				if !(w >= 0) || math.IsInf(w, 0) {
					bad.Store(int64(v))
				}
				if lg.adj[i] == uint32(v) {
					w *= 2
				}
				k += w
			}
			lg.k[v] = k
		}
	})
	if v := bad.Load(); v >= 0 {
		return nil, fmt.Errorf("community: node %d has a negative or non-finite edge weight; Louvain needs weights ≥ 0", v)
	}
	return lg, nil
}

func newState(g *levelGraph, gamma, twoM float64, ws []worker) *state {
	n := g.n
	s := &state{g: g, gamma: gamma, twoM: twoM, comm: make([]uint32, n), tot: make([]float64, n),
		size: make([]uint32, n), active: make([]uint64, (n+63)/64), next: make([]uint64, (n+63)/64), workers: ws}
	for v := 0; v < n; v++ {
		s.comm[v] = uint32(v)
		s.size[v] = 1
	}
	copy(s.tot, g.k)
	for i := range s.active {
		s.active[i] = ^uint64(0)
	}
	return s
}

// localMoves runs sweeps of batched parallel local moves (see the package doc) and returns the
// number of sweeps and of moves applied.
func (s *state) localMoves(opt Options, level uint64, threads int, meter *progress.Meter, sweepNo *atomic.Int64) (sweeps, moves int) {
	n := s.g.n
	rng := rand.New(rand.NewPCG(opt.Seed, 0x9e3779b97f4a7c15^level))
	perm := make([]uint32, n)
	for i := range perm {
		perm[i] = uint32(i)
	}
	for i := n - 1; i > 0; i-- {
		j := rng.Uint64N(uint64(i + 1))
		perm[i], perm[j] = perm[j], perm[i]
	}
	bs := opt.BatchSize
	if bs <= 0 {
		bs = min(max(n/128, 1), 4096)
	}
	newc := make([]uint32, bs)
	dq := make([]float64, bs)
	var wg sync.WaitGroup
	for sweeps < opt.MaxSweeps {
		sweeps++
		sweepNo.Store(int64(sweeps))
		moved, gain := 0, 0.0
		for b := 0; b < n; b += bs {
			batch := perm[b:min(b+bs, n)]
			nb := len(batch)
			t := min(threads, (nb+63)/64) // at least 64 nodes per goroutine
			chunk := (nb + t - 1) / t
			for w := 1; w < t; w++ {
				lo, hi := w*chunk, min((w+1)*chunk, nb)
				if lo >= hi {
					break
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					s.decideRange(&s.workers[w], batch, newc, dq, lo, hi)
				}()
			}
			s.decideRange(&s.workers[0], batch, newc, dq, 0, min(chunk, nb))
			wg.Wait()
			if meter != nil {
				meter.Add(int64(nb))
			}
			for j, u := range batch {
				c, a := newc[j], s.comm[u]
				if c == a {
					continue
				}
				k := s.g.k[u]
				s.tot[a] -= k
				s.tot[c] += k
				s.size[a]--
				s.size[c]++
				s.comm[u] = c
				moved++
				gain += dq[j]
			}
		}
		moves += moved
		s.active, s.next = s.next, s.active
		clear(s.next)
		if moved == 0 || gain < opt.MinGain {
			break
		}
	}
	return sweeps, moves
}

// decideRange decides the best community of batch[lo:hi] against the current (frozen) state,
// writing newc[j] and the estimated gain dq[j], and marks the neighbours of nodes that will move
// for the next sweep.
func (s *state) decideRange(ws *worker, batch, newc []uint32, dq []float64, lo, hi int) {
	g := s.g
	for j := lo; j < hi; j++ {
		u := batch[j]
		if s.active[u>>6]&(1<<(u&63)) == 0 {
			newc[j] = s.comm[u]
			continue
		}
		c, d := s.decide(ws, u)
		newc[j], dq[j] = c, d
		if c != s.comm[u] {
			for i := g.off[u]; i < g.off[u+1]; i++ {
				v := g.adj[i]
				if atomic.LoadUint64(&s.next[v>>6])&(1<<(v&63)) == 0 { // skip the locked op when set
					atomic.OrUint64(&s.next[v>>6], 1<<(v&63))
				}
			}
		}
	}
}

// decide returns u's best community and the modularity gain of moving there (0 if it stays).
func (s *state) decide(ws *worker, u uint32) (uint32, float64) {
	g := s.g
	comm := s.comm
	acc := ws.acc
	t := ws.touched[:0]
	lo, hi := g.off[u], g.off[u+1]
	// w_{u,x} for every neighbouring community x, excluding u's self-loop.
	switch {
	case g.w64 != nil:
		for i := lo; i < hi; i++ {
			c := comm[g.adj[i]] // reduced graphs have no u->u arcs
			if acc[c] == 0 {
				t = append(t, c)
			}
			acc[c] += g.w64[i]
		}
	case g.w32 != nil:
		for i := lo; i < hi; i++ {
			v := g.adj[i]
			if v == u {
				continue
			}
			c := comm[v]
			if acc[c] == 0 {
				t = append(t, c)
			}
			acc[c] += float64(g.w32[i])
		}
	default:
		for i := lo; i < hi; i++ {
			v := g.adj[i]
			if v == u {
				continue
			}
			c := comm[v]
			if acc[c] == 0 {
				t = append(t, c)
			}
			acc[c]++
		}
	}
	a := comm[u]
	ku := g.k[u]
	kf := s.gamma * ku / s.twoM
	stay := acc[a] - kf*(s.tot[a]-ku) // g_stay
	best, bestG := a, stay
	for _, c := range t {
		if c == a {
			continue
		}
		gc := acc[c] - kf*s.tot[c] // g(c)
		if gc > bestG || (gc == bestG && best != a && c < best) {
			best, bestG = c, gc
		}
	}
	for _, c := range t {
		acc[c] = 0
	}
	ws.touched = t
	if best == a || (best > a && s.size[a] == 1 && s.size[best] == 1) { // minimum-label rule
		return a, 0
	}
	return best, 2 * (bestG - stay) / s.twoM
}

// renumber maps the level's communities to dense ids in increasing order of their current id and
// returns the node→dense map and the count.
func (s *state) renumber() ([]uint32, int) {
	n := s.g.n
	dense := make([]uint32, n)
	k := uint32(0)
	for c := 0; c < n; c++ {
		if s.size[c] > 0 {
			dense[c] = k
			k++
		}
	}
	cmap := make([]uint32, n)
	for v := 0; v < n; v++ {
		cmap[v] = dense[s.comm[v]]
	}
	return cmap, int(k)
}

// aggregate builds the reduced graph of communities cmap (dense, k of them): A'_cd = Σ A_ij over
// i∈c, j∈d, with A'_cc kept in loop. Rows are built in parallel over community ranges into
// per-range buffers, then concatenated in order, so the result does not depend on scheduling.
func aggregate(g *levelGraph, cmap []uint32, k int, ws []worker, threads int) *levelGraph {
	n := g.n
	moff := make([]uint64, k+1)
	for v := 0; v < n; v++ {
		moff[cmap[v]+1]++
	}
	for c := 0; c < k; c++ {
		moff[c+1] += moff[c]
	}
	members := make([]uint32, n)
	pos := make([]uint64, k)
	copy(pos, moff[:k])
	for v := 0; v < n; v++ {
		c := cmap[v]
		members[pos[c]] = uint32(v)
		pos[c]++
	}
	pos = nil
	h := &levelGraph{n: k, off: make([]uint64, k+1), loop: make([]float64, k), k: make([]float64, k)}
	// Cut communities into ranges of about equal arc counts, several per thread.
	nr := min(4*threads, k)
	type piece struct {
		lo, hi int
		adj    []uint32
		w      []float64
	}
	pieces := make([]piece, 0, nr)
	per := uint64(len(g.adj))/uint64(nr) + 1
	lo, acc := 0, uint64(0)
	for c := 0; c < k; c++ {
		for _, v := range members[moff[c]:moff[c+1]] {
			acc += g.off[v+1] - g.off[v] + 1
		}
		if acc >= per || c == k-1 {
			pieces = append(pieces, piece{lo: lo, hi: c + 1})
			lo, acc = c+1, 0
		}
	}
	var nextPiece atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < min(threads, len(pieces)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			scr := &ws[w]
			for {
				pi := int(nextPiece.Add(1) - 1)
				if pi >= len(pieces) {
					return
				}
				p := &pieces[pi]
				for c := p.lo; c < p.hi; c++ {
					t := scr.touched[:0]
					in, kc := 0.0, 0.0
					for _, u := range members[moff[c]:moff[c+1]] {
						kc += g.k[u]
						if g.loop != nil {
							in += g.loop[u]
						}
						for i := g.off[u]; i < g.off[u+1]; i++ {
							v := g.adj[i]
							w := g.weight(i)
							d := cmap[v]
							if d == uint32(c) {
								if v == u {
									w *= 2 // level-0 self-loop: A_uu = 2w
								}
								in += w
								continue
							}
							if scr.acc[d] == 0 {
								t = append(t, d)
							}
							scr.acc[d] += w
						}
					}
					start := len(p.adj)
					for _, d := range t {
						if x := scr.acc[d]; x != 0 {
							p.adj = append(p.adj, d)
							p.w = append(p.w, x)
							scr.acc[d] = 0
						}
					}
					h.off[c+1] = uint64(len(p.adj) - start)
					h.loop[c], h.k[c] = in, kc
					scr.touched = t
				}
			}
		}()
	}
	wg.Wait()
	for c := 0; c < k; c++ {
		h.off[c+1] += h.off[c]
	}
	h.adj = make([]uint32, h.off[k])
	h.w64 = make([]float64, h.off[k])
	parallelRangeT(len(pieces), threads, func(lo, hi int) {
		for _, p := range pieces[lo:hi] {
			copy(h.adj[h.off[p.lo]:], p.adj)
			copy(h.w64[h.off[p.lo]:], p.w)
		}
	})
	return h
}

// Modularity is Q of the partition comm (one community id per node, any uint32 values) of g's
// undirected view with resolution γ (0 means 1), computed from the definition in the package doc
// on the input graph itself: the verifier of Louvain. It returns an error when comm has the wrong
// length; a graph without edges has modularity 0.
func Modularity(g *graph.Graph, comm []uint32, resolution float64) (float64, error) {
	if len(comm) != int(g.N) {
		return 0, fmt.Errorf("community: %d community ids for %d nodes", len(comm), g.N)
	}
	if resolution == 0 {
		resolution = 1
	}
	u := Undirected(g)
	maxc := uint32(0)
	for _, c := range comm {
		maxc = max(maxc, c)
	}
	tot := make([]float64, int(maxc)+1)
	in, twoM := 0.0, 0.0
	for v := uint32(0); v < u.N; v++ {
		ws := u.NeighborWeights(v)
		for i, x := range u.Neighbors(v) {
			w := 1.0
			if ws != nil {
				w = float64(ws[i])
			}
			if x == v {
				w *= 2
			}
			twoM += w
			tot[comm[v]] += w
			if comm[x] == comm[v] {
				in += w
			}
		}
	}
	if twoM == 0 {
		return 0, nil
	}
	q := in / twoM
	for _, t := range tot {
		q -= resolution * (t / twoM) * (t / twoM)
	}
	return q, nil
}
