// Package walk generates random walks over a graph.Graph for DeepWalk-style training: uniform
// walks (DeepWalk), weighted walks (an alias table per node, O(1) per step), time-aware walks that
// prefer recent edges (arc weight decayed by 2^(-age/half-life)), and supernode control (arcs into
// hubs down-weighted by degree).
//
// Walks are produced a batch at a time into a caller's buffer (Fill) so that they stream straight
// into training; nothing holds the whole corpus. Fill advances every walk of a batch one step before
// advancing any walk a second step, so a core has many independent memory reads in flight instead
// of one dependent chain (the idea of ThunderRW, Sun et al., VLDB 2021: interleave walks to hide
// the latency of the random Offsets/Adj reads).
//
// Transition probabilities. At node v with out-arcs a = (v, u_i) of weight w_i:
//
//	p(u_i | v) = w'_i / sum_j w'_j,   w'_i = w_i * decay_i * hub_i
//	w_i     = 1 unless Config.Weighted (then the arc weight from the graph, which must be >= 0)
//	decay_i = 2^(-(Now - t_i) / HalfLife) if HalfLife > 0 (t_i the arc's timestamp), else 1
//	hub_i   = min(1, HubCap / deg(u_i))  if HubCap > 0, else 1
//
// With every factor 1 the walk is uniform and needs no table. A node with no out-arcs (or whose
// arcs all have weight 0) ends the walk early; undirected graphs have none except isolated nodes.
package walk

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"

	"riskwalk/graph"
)

// Config chooses the kind of walk.
type Config struct {
	// Length is the number of nodes in a walk, start included (DeepWalk's t; >= 1).
	Length int
	// Weighted follows arc weights (g.Weights must be present).
	Weighted bool
	// HalfLife > 0 makes walks time-aware: an arc's weight halves for every HalfLife units (the
	// graph's time unit, unix seconds) that its timestamp lies before Now. g.Times must be present.
	HalfLife float64
	// Now is the reference time for HalfLife; 0 means the latest timestamp in the graph.
	Now int64
	// HubCap > 0 down-weights arcs into nodes of degree above HubCap by HubCap/degree, so that a
	// hub (a public device, a call-centre number) is entered about as often as a node of degree
	// HubCap instead of in proportion to its 10^5 users.
	HubCap uint32
}

// Walker generates walks of one Config over one graph. It is read-only after New and safe for
// concurrent use; each goroutine brings its own Rand and buffers.
type Walker struct {
	g      *graph.Graph
	length int
	// tab, parallel to g.Adj, is the alias table of each node's out-arcs (nil for uniform walks):
	// draw i uniform in [0, deg), keep i with probability tab[off+i].Prob, else take tab[off+i].Alias.
	tab []AliasEntry
}

// AliasEntry is one slot of an alias table (Walker's per-node tables, the trainer's negative table).
type AliasEntry struct {
	Prob  float32 // keep this slot with probability Prob
	Alias uint32  // otherwise take this index
}

// SampleAlias draws an index from an alias table with 64 random bits: the low 32 pick the slot,
// the top 24 the coin.
func SampleAlias(tab []AliasEntry, x uint64) uint32 {
	i := uint32((uint64(uint32(x)) * uint64(len(tab))) >> 32)
	e := tab[i]
	if float32(x>>40)*(1.0/(1<<24)) >= e.Prob {
		return e.Alias
	}
	return i
}

// New checks cfg against g and builds the alias tables the walk needs (8 bytes per arc, built in
// parallel), or none for uniform walks.
func New(g *graph.Graph, cfg Config) (*Walker, error) {
	if cfg.Length < 1 {
		return nil, fmt.Errorf("walk: length %d, want >= 1", cfg.Length)
	}
	if cfg.Weighted && g.Weights == nil {
		return nil, errors.New("walk: weighted walks asked for but the graph has no weights (ingest it with a weight column, or drop --weighted)")
	}
	if cfg.HalfLife < 0 || math.IsNaN(cfg.HalfLife) {
		return nil, fmt.Errorf("walk: half-life %v, want > 0 (or 0 for no time decay)", cfg.HalfLife)
	}
	if cfg.HalfLife > 0 && g.Times == nil {
		return nil, errors.New("walk: time-aware walks (half-life) asked for but the graph has no timestamps (ingest it with a time column)")
	}
	w := &Walker{g: g, length: cfg.Length}
	if !cfg.Weighted && cfg.HalfLife == 0 && cfg.HubCap == 0 {
		return w, nil
	}
	now := cfg.Now
	if cfg.HalfLife > 0 && now == 0 {
		now = math.MinInt64
		for _, t := range g.Times {
			now = max(now, t)
		}
	}
	if cfg.Weighted {
		for i, x := range g.Weights {
			if !(x >= 0) || math.IsInf(float64(x), 0) {
				return nil, fmt.Errorf("walk: arc %d has weight %v; weighted walks need finite weights >= 0", i, x)
			}
		}
	}
	w.tab = make([]AliasEntry, len(g.Adj))
	weight := func(arc uint64) float64 {
		x := 1.0
		if cfg.Weighted {
			x = float64(g.Weights[arc])
		}
		if cfg.HalfLife > 0 {
			x *= math.Exp2(-float64(now-g.Times[arc]) / cfg.HalfLife)
		}
		if cfg.HubCap > 0 {
			if d := g.Degree(g.Adj[arc]); d > cfg.HubCap {
				x *= float64(cfg.HubCap) / float64(d)
			}
		}
		return x
	}
	parallelNodes(g.N, func(lo, hi uint32) {
		var b AliasBuilder
		for v := lo; v < hi; v++ {
			off, end := g.Offsets[v], g.Offsets[v+1]
			b.Build(w.tab[off:end], func(i int) float64 { return weight(off + uint64(i)) })
		}
	})
	return w, nil
}

// Length is the configured walk length.
func (w *Walker) Length() int { return w.length }

// Graph is the graph walked.
func (w *Walker) Graph() *graph.Graph { return w.g }

// Fill runs one walk from each of starts (global node ids) and writes walk j to
// buf[j*L : j*L+lens[j]], L = w.Length(); buf must hold len(starts)*L ids and lens len(starts)
// entries. A walk shorter than L ended at a node with no usable out-arc. Fill returns the number of
// steps taken (sum of lens minus len(starts)) and does not allocate.
func (w *Walker) Fill(buf []uint32, lens []int32, starts []uint32, r *Rand) int64 {
	L := w.length
	n := len(starts)
	buf = buf[:n*L]
	lens = lens[:n]
	for j, s := range starts {
		buf[j*L] = s
		lens[j] = 1
	}
	g := w.g
	off, adj, tab := g.Offsets, g.Adj, w.tab
	var steps int64
	// Step t of every live walk before step t+1 of any: the reads of different walks are
	// independent, so the core overlaps their cache misses.
	for t := 1; t < L; t++ {
		live := 0
		for j := 0; j < n; j++ {
			if lens[j] != int32(t) {
				continue
			}
			cur := buf[j*L+t-1]
			o := off[cur]
			d := uint32(off[cur+1] - o)
			if d == 0 {
				continue
			}
			x := r.Uint64()
			i := uint32((uint64(uint32(x)) * uint64(d)) >> 32)
			if tab != nil {
				e := tab[o+uint64(i)]
				if float32(x>>40)*(1.0/(1<<24)) >= e.Prob {
					i = e.Alias
				}
			}
			buf[j*L+t] = adj[o+uint64(i)]
			lens[j]++
			live++
		}
		steps += int64(live)
		if live == 0 {
			break
		}
	}
	return steps
}

// Probabilities returns the transition probabilities out of v as the walker realises them
// (parallel to g.Neighbors(v)), for tests and for explaining a walk; it allocates.
func (w *Walker) Probabilities(v uint32) []float64 {
	o, e := w.g.Offsets[v], w.g.Offsets[v+1]
	d := int(e - o)
	p := make([]float64, d)
	if d == 0 {
		return p
	}
	if w.tab == nil {
		for i := range p {
			p[i] = 1 / float64(d)
		}
		return p
	}
	for i, a := range w.tab[o:e] {
		p[i] += float64(a.Prob) / float64(d)
		p[a.Alias] += (1 - float64(a.Prob)) / float64(d)
	}
	return p
}

// AliasBuilder builds alias tables (Vose's method, Vose 1991), keeping its scratch between calls.
type AliasBuilder struct {
	p            []float64
	small, large []int32
}

// Build fills tab (one entry per outcome) from weights wt(i) >= 0. If all weights are 0 every entry
// points to itself with probability 1 (uniform): such a node is rare and a uniform step is a
// harmless fallback; callers that need "stop here" must remove the arcs.
func (b *AliasBuilder) Build(tab []AliasEntry, wt func(i int) float64) {
	d := len(tab)
	if d == 0 {
		return
	}
	b.p = b.p[:0]
	sum := 0.0
	for i := 0; i < d; i++ {
		x := wt(i)
		b.p = append(b.p, x)
		sum += x
	}
	if !(sum > 0) {
		for i := range tab {
			tab[i] = AliasEntry{1, uint32(i)}
		}
		return
	}
	b.small, b.large = b.small[:0], b.large[:0]
	for i := range b.p {
		b.p[i] *= float64(d) / sum
		if b.p[i] < 1 {
			b.small = append(b.small, int32(i))
		} else {
			b.large = append(b.large, int32(i))
		}
	}
	for len(b.small) > 0 && len(b.large) > 0 {
		s := b.small[len(b.small)-1]
		b.small = b.small[:len(b.small)-1]
		l := b.large[len(b.large)-1]
		tab[s] = AliasEntry{float32(b.p[s]), uint32(l)}
		b.p[l] -= 1 - b.p[s]
		if b.p[l] < 1 {
			b.large = b.large[:len(b.large)-1]
			b.small = append(b.small, l)
		}
	}
	// Leftovers are 1 up to rounding.
	for _, i := range b.large {
		tab[i] = AliasEntry{1, uint32(i)}
	}
	for _, i := range b.small {
		tab[i] = AliasEntry{1, uint32(i)}
	}
}

// parallelNodes splits [0, n) into blocks over GOMAXPROCS goroutines.
func parallelNodes(n uint32, f func(lo, hi uint32)) {
	const block = 4096
	workers := runtime.GOMAXPROCS(0)
	var next uint32
	var mu sync.Mutex
	var wg sync.WaitGroup
	for k := 0; k < workers; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				lo := next
				next = min(n, next+block)
				mu.Unlock()
				if lo >= n {
					return
				}
				f(lo, min(n, lo+block))
			}
		}()
	}
	wg.Wait()
}
