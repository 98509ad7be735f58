package graph

import (
	"math"
	"runtime"
	"slices"
)

// ProfileOptions tune Profile. Zero values take the defaults in brackets.
type ProfileOptions struct {
	Dim        int   // embedding dimension d for the memory estimate [128]
	Ranks      []int // rank counts R to estimate [1 2 4 8]
	TopHubs    int   // hubs to list [10]
	Threads    int   // trainer threads per rank for scratch [GOMAXPROCS]
	Walks      int   // walks per node for the token count [10]
	WalkLength int   // walk length [80]
	// TokensPerCoreSec is the assumed training rate, tokens (walk positions) per second per core at
	// d = 128 (scaled by 128/d) [300000]. Calibrate it with a riskwalk-train run on your hardware.
	TokensPerCoreSec float64
	TargetHours      float64 // training time the core estimate aims at [1]
}

func (o *ProfileOptions) defaults() {
	if o.Dim <= 0 {
		o.Dim = 128
	}
	if len(o.Ranks) == 0 {
		o.Ranks = []int{1, 2, 4, 8}
	}
	if o.TopHubs <= 0 {
		o.TopHubs = 10
	}
	if o.Threads <= 0 {
		o.Threads = runtime.GOMAXPROCS(0)
	}
	if o.Walks <= 0 {
		o.Walks = 10
	}
	if o.WalkLength <= 0 {
		o.WalkLength = 80
	}
	if o.TokensPerCoreSec <= 0 {
		o.TokensPerCoreSec = 300000
	}
	if o.TargetHours <= 0 {
		o.TargetHours = 1
	}
}

// Profile is what `riskwalk profile` reports (its JSON form is the --json output).
type Profile struct {
	Name      string `json:"name"`
	Nodes     uint32 `json:"nodes"`
	Edges     uint64 `json:"edges"` // undirected edges once; directed: arcs
	Arcs      uint64 `json:"arcs"`
	Directed  bool   `json:"directed"`
	Weighted  bool   `json:"weighted"`
	Timed     bool   `json:"timed"`
	SelfLoops uint64 `json:"self_loops"`
	// Isolated nodes have no arc at all (directed: neither in nor out).
	Isolated uint64      `json:"isolated"`
	Degree   DegreeStats `json:"degree"` // out-degree when directed
	// InDegree is set for directed graphs.
	InDegree   *DegreeStats `json:"in_degree,omitempty"`
	DegreeBins []DegreeBin  `json:"degree_bins"` // log2 bins of Degree
	Hubs       []Hub        `json:"hubs"`
	Types      []TypeCount  `json:"types,omitempty"`
	Components Components   `json:"components"`
	CSRBytes   uint64       `json:"csr_bytes"`
	Memory     Memory       `json:"memory"`
}

// DegreeStats summarises a degree sequence.
type DegreeStats struct {
	Min    uint64  `json:"min"`
	Max    uint64  `json:"max"`
	Mean   float64 `json:"mean"`
	Median uint64  `json:"median"`
	P90    uint64  `json:"p90"`
	P99    uint64  `json:"p99"`
	P999   uint64  `json:"p999"`
}

// DegreeBin counts nodes with Lo <= degree <= Hi (bins 0, 1, 2-3, 4-7, ...).
type DegreeBin struct {
	Lo    uint64 `json:"lo"`
	Hi    uint64 `json:"hi"`
	Nodes uint64 `json:"nodes"`
}

// Hub is one of the highest-degree nodes (supernodes).
type Hub struct {
	Node     uint32 `json:"node"`
	ID       string `json:"id"` // external id ("" without an id index)
	Type     string `json:"type,omitempty"`
	Degree   uint64 `json:"degree"`
	InDegree uint64 `json:"in_degree,omitempty"`
}

// TypeCount is the number of nodes of one type.
type TypeCount struct {
	Name  string `json:"name"`
	Nodes uint64 `json:"nodes"`
}

// Components are the weakly connected components.
type Components struct {
	Count           uint64  `json:"count"`
	Largest         uint64  `json:"largest"`
	LargestFraction float64 `json:"largest_fraction"`
	Singletons      uint64  `json:"singletons"`
}

// Memory is the hardware estimate; every figure in bytes. Formulas (d = Dim, N nodes, 4-byte
// floats):
//
//	train, one process:  2·N·d·4 (input and output vectors) + CSRBytes + threads·(2·d·4 + L·4)
//	                     (per-thread gradient and walk buffers, L = walk length)
//	train, R ranks:      per rank (owned + replicas)·d·4·2 + its CSR share (CSRBytes/R) +
//	                     scratch; owned and replicas are the largest part of a contiguous dense-id
//	                     split into R parts, replicas being out-of-part neighbours (a Louvain
//	                     partition usually replicates fewer)
//	serve float32:       N·d·4
//	serve int8:          N·(d + 4) (one float32 scale per row)
//	cores:               tokens = N·walks·L; core-seconds = tokens / (rate·128/d);
//	                     cores = ceil(core-seconds / (3600·target hours))
type Memory struct {
	Dim               int          `json:"dim"`
	TrainOneProcess   uint64       `json:"train_one_process"`
	PerRank           []RankMemory `json:"per_rank"`
	ServeFloat32      uint64       `json:"serve_float32"`
	ServeInt8         uint64       `json:"serve_int8"`
	TrainTokens       uint64       `json:"train_tokens"`
	TokensPerCoreSec  float64      `json:"tokens_per_core_sec"`
	CoresForTarget    uint64       `json:"cores_for_target"`
	TargetHours       float64      `json:"target_hours"`
	ThreadsAssumed    int          `json:"threads_assumed"`
	WalksPerNode      int          `json:"walks_per_node"`
	WalkLength        int          `json:"walk_length"`
	ContiguousReplica bool         `json:"contiguous_split"` // replicas from a contiguous id split
}

// RankMemory is the estimate for R ranks (the largest rank).
type RankMemory struct {
	Ranks    int    `json:"ranks"`
	Owned    uint64 `json:"owned"`
	Replicas uint64 `json:"replicas"`
	Bytes    uint64 `json:"bytes"`
}

// CSRBytes is the in-memory size of g's arrays.
func (g *Graph) CSRBytes() uint64 {
	m := g.NumArcs()
	b := 8*(uint64(g.N)+1) + 4*m + uint64(len(g.Types))
	if g.Weights != nil {
		b += 4 * m
	}
	if g.Times != nil {
		b += 8 * m
	}
	return b
}

// ProfileGraph computes the profile of g; ids (may be nil) names the hubs.
func ProfileGraph(name string, g *Graph, ids *IDIndex, opt ProfileOptions) *Profile {
	opt.defaults()
	p := &Profile{Name: name, Nodes: g.N, Arcs: g.NumArcs(), Directed: g.Directed,
		Weighted: g.Weights != nil, Timed: g.Times != nil, SelfLoops: g.SelfLoops(), CSRBytes: g.CSRBytes()}
	p.Edges = p.Arcs
	if !g.Directed {
		p.Edges = (p.Arcs-p.SelfLoops)/2 + p.SelfLoops
	}
	n := int(g.N)
	deg := make([]uint64, n)
	for v := range deg {
		deg[v] = g.Offsets[v+1] - g.Offsets[v]
	}
	var indeg []uint64
	if g.Directed {
		indeg = make([]uint64, n)
		for _, u := range g.Adj {
			indeg[u]++
		}
	}
	for v := range deg {
		if deg[v] == 0 && (indeg == nil || indeg[v] == 0) {
			p.Isolated++
		}
	}
	p.Degree = degreeStats(deg)
	if indeg != nil {
		s := degreeStats(indeg)
		p.InDegree = &s
	}
	p.DegreeBins = degreeBins(deg)
	// Hubs: the top degrees (total degree when directed).
	order := make([]uint32, n)
	for v := range order {
		order[v] = uint32(v)
	}
	total := func(v uint32) uint64 {
		if indeg != nil {
			return deg[v] + indeg[v]
		}
		return deg[v]
	}
	k := min(opt.TopHubs, n)
	top := topK(order, k, total)
	for _, v := range top {
		h := Hub{Node: v, Degree: deg[v]}
		if indeg != nil {
			h.InDegree = indeg[v]
		}
		if ids != nil && int(v) < ids.Len() {
			h.ID = ids.Ext(v)
		}
		if g.Types != nil {
			h.Type = g.TypeNames[g.Types[v]]
		}
		p.Hubs = append(p.Hubs, h)
	}
	if g.Types != nil {
		counts := make([]uint64, len(g.TypeNames))
		for _, t := range g.Types {
			counts[t]++
		}
		for i, c := range counts {
			p.Types = append(p.Types, TypeCount{g.TypeNames[i], c})
		}
	}
	p.Components = wcc(g)
	p.Memory = estimateMemory(g, p.CSRBytes, opt)
	return p
}

func degreeStats(deg []uint64) DegreeStats {
	if len(deg) == 0 {
		return DegreeStats{}
	}
	s := slices.Clone(deg)
	slices.Sort(s)
	var sum float64
	for _, d := range s {
		sum += float64(d)
	}
	q := func(f float64) uint64 { return s[min(len(s)-1, int(f*float64(len(s))))] }
	return DegreeStats{Min: s[0], Max: s[len(s)-1], Mean: sum / float64(len(s)), Median: q(0.5), P90: q(0.9), P99: q(0.99), P999: q(0.999)}
}

// degreeBins counts degrees in bins 0, 1, 2-3, 4-7, ... up to the maximum.
func degreeBins(deg []uint64) []DegreeBin {
	var counts [66]uint64
	top := 0
	for _, d := range deg {
		b := 0
		if d > 0 {
			b = 1 + int(math.Floor(math.Log2(float64(d))))
			for b > 1 && uint64(1)<<(b-1) > d { // guard float rounding
				b--
			}
			for b < 64 && uint64(1)<<b <= d {
				b++
			}
		}
		counts[b]++
		top = max(top, b)
	}
	var bins []DegreeBin
	for b := 0; b <= top && len(deg) > 0; b++ {
		bin := DegreeBin{Nodes: counts[b]}
		if b > 0 {
			bin.Lo, bin.Hi = 1<<(b-1), 1<<b-1
		}
		bins = append(bins, bin)
	}
	return bins
}

// topK returns the k items with the largest key, largest first (ties: smaller id first).
func topK(items []uint32, k int, key func(uint32) uint64) []uint32 {
	if k <= 0 {
		return nil
	}
	// A small sorted buffer is enough for k in the tens.
	var buf []uint32
	less := func(a, b uint32) bool { // a ranks below b
		ka, kb := key(a), key(b)
		return ka < kb || ka == kb && a > b
	}
	for _, v := range items {
		if len(buf) == k && !less(buf[k-1], v) {
			continue
		}
		i := len(buf)
		if len(buf) < k {
			buf = append(buf, v)
		} else {
			i = k - 1
		}
		for i > 0 && less(buf[i-1], v) {
			buf[i] = buf[i-1]
			i--
		}
		buf[i] = v
	}
	return buf
}

// wcc finds weakly connected components with a union-find (path halving, union by size).
func wcc(g *Graph) Components {
	n := g.N
	parent := make([]uint32, n)
	size := make([]uint32, n)
	for v := range parent {
		parent[v] = uint32(v)
		size[v] = 1
	}
	find := func(x uint32) uint32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for v := uint32(0); v < n; v++ {
		for _, u := range g.Neighbors(v) {
			a, b := find(v), find(u)
			if a == b {
				continue
			}
			if size[a] < size[b] {
				a, b = b, a
			}
			parent[b] = a
			size[a] += size[b]
		}
	}
	var c Components
	for v := uint32(0); v < n; v++ {
		if parent[v] == v {
			c.Count++
			c.Largest = max(c.Largest, uint64(size[v]))
			if size[v] == 1 {
				c.Singletons++
			}
		}
	}
	if n > 0 {
		c.LargestFraction = float64(c.Largest) / float64(n)
	}
	return c
}

func estimateMemory(g *Graph, csr uint64, opt ProfileOptions) Memory {
	d := uint64(opt.Dim)
	n := uint64(g.N)
	scratch := uint64(opt.Threads) * (2*d*4 + uint64(opt.WalkLength)*4)
	m := Memory{Dim: opt.Dim, ThreadsAssumed: opt.Threads, WalksPerNode: opt.Walks, WalkLength: opt.WalkLength,
		TokensPerCoreSec: opt.TokensPerCoreSec, TargetHours: opt.TargetHours, ContiguousReplica: true}
	m.TrainOneProcess = 2*n*d*4 + csr + scratch
	m.ServeFloat32 = n * d * 4
	m.ServeInt8 = n * (d + 4)
	m.TrainTokens = n * uint64(opt.Walks) * uint64(opt.WalkLength)
	rate := opt.TokensPerCoreSec * 128 / float64(opt.Dim)
	m.CoresForTarget = uint64(math.Ceil(float64(m.TrainTokens) / rate / (3600 * opt.TargetHours)))
	stamp := make([]uint32, n)
	for _, r := range opt.Ranks {
		if r <= 0 {
			continue
		}
		rm := RankMemory{Ranks: r}
		part := func(v uint64) uint64 { return v * uint64(r) / max(n, 1) }
		// Parts are contiguous id ranges; scan each and count distinct neighbours outside it.
		lo := uint64(0)
		for p := uint64(0); p < uint64(r); p++ {
			hi := lo
			for hi < n && part(hi) == p {
				hi++
			}
			var replicas uint64
			mark := uint32(p) + 1
			for v := lo; v < hi; v++ {
				for _, u := range g.Neighbors(uint32(v)) {
					if (uint64(u) < lo || uint64(u) >= hi) && stamp[u] != mark {
						stamp[u] = mark
						replicas++
					}
				}
			}
			owned := hi - lo
			if b := (owned+replicas)*d*4*2 + csr/uint64(r) + scratch; b > rm.Bytes {
				rm = RankMemory{Ranks: r, Owned: owned, Replicas: replicas, Bytes: b}
			}
			lo = hi
		}
		clear(stamp)
		m.PerRank = append(m.PerRank, rm)
	}
	return m
}
