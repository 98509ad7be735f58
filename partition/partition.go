// Package partition splits a graph into R parts, one per MPI rank of the distributed trainer:
// Louvain communities packed into parts balanced by edges, boundary nodes replicated, written to a
// .rwp file (see file.go for the layout) that each rank opens to find what it owns and which ghost
// nodes it must mirror.
//
// # Using a partition on a rank
//
// A rank maps the graph and the partition and checks that they belong together before using
// either; CheckGraph is the one check to call (it compares the checksum and node count recorded by
// riskwalk partition with the graph the rank mapped):
//
//	g, err := graph.Open("graph.rwg")        // the same .rwg riskwalk partition was given
//	pf, err := partition.Open("parts.rwp")
//	if err := pf.CheckGraph(g.Checksum(), g.N); err != nil { ... } // wrong or re-ingested graph
//	loc := pf.Local(uint32(rank))            // owned nodes, then replicas (ghosts)
//
// The partition refers to the graph's dense node ids; nodes, edges and degrees are those of the
// undirected view (community.Undirected) even when the graph file is directed.
//
// # Definitions (all on the graph's undirected view, community.Undirected)
//
//   - Owner(v): the one part that owns node v. Every node is owned exactly once.
//   - Load of a part: Σ deg(v) over its owned nodes, deg counting stored arcs of the undirected view
//     (an edge counts at both endpoints, a self-loop once). Balance = max load / mean load.
//   - Boundary node: a node with at least one neighbour u ≠ v owned by another part.
//   - Replicas(p), the ghosts of part p: every node v with Owner(v) ≠ p that is adjacent to some
//     node owned by p, plus, when SupernodeDegree > 0, every node of degree ≥ SupernodeDegree not
//     owned by p. Without supernodes the union of all Replicas(p) is exactly the boundary set, and
//     a rank holding Owned(p) ∪ Replicas(p) has both endpoints of every edge that touches a node it
//     owns (the one-hop edges of its boundary).
//   - Edge cut: the share of undirected edges {u,v}, u ≠ v, whose endpoints have different owners.
//   - Replication factor: (N + Σ_p |Replicas(p)|) / N, nodes held over all ranks per node.
//
// # Louvain packing
//
// Nodes are ordered by their Louvain hierarchy: by final community, then by the community of each
// lower level, then, inside a first-level community, in breadth-first order from its lowest id
// (so that any split keeps neighbours together). Final communities are laid out by bins of load
// E/R (see lptRank): one heavier than (1+Slack)·E/R takes whole bins of its own and leads the next
// with its remainder, the rest are packed largest first into the least-loaded bin. The order is
// cut into R consecutive ranges of load E/R each; each cut may move within ±Slack·E/R of its ideal
// place and goes to the boundary between the coarsest communities in that window (a boundary
// between final communities if there is one, else between next-lower-level ones, ..., else between
// BFS-ordered nodes). Where a cut still falls inside a final community, that community is
// refined (refine.go): Louvain runs again on its induced subgraph, recursively until pieces weigh
// at most Slack·E/R, the pieces are laid out each next to those it is most connected to, and the
// cuts are placed again. Balance stays within about 1 + 2·Slack + (largest degree)/(E/R).
package partition

import (
	"cmp"
	"container/heap"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/bits-and-blooms/bitset"

	"riskwalk/community"
	"riskwalk/graph"
)

// Method says how a partition's owners were chosen.
type Method uint32

const (
	MethodLouvain Method = 1 // Louvain communities packed by hierarchy order (Louvain)
	MethodHash    Method = 2 // owner = hash(v) mod R (Hash)
	MethodGiven   Method = 3 // owners supplied by the caller, e.g. from METIS (FromOwner)
)

func (m Method) String() string {
	switch m {
	case MethodLouvain:
		return "louvain"
	case MethodHash:
		return "hash"
	case MethodGiven:
		return "given"
	}
	return fmt.Sprintf("method(%d)", uint32(m))
}

// Options tune Louvain partitioning.
type Options struct {
	Community community.Options // Louvain's own options (seed, resolution, threads, progress)
	// Slack is how far a cut may move from its ideal place, as a fraction of E/R; 0 means 0.02.
	Slack float64
	// SupernodeDegree > 0 replicates nodes of at least this degree to every part.
	SupernodeDegree uint32
	// Balance is what parts are balanced by; the zero value is BalanceEdges.
	Balance Balance
}

// Balance says what a part's load counts when Louvain packing balances parts.
type Balance uint8

const (
	BalanceEdges Balance = iota // Σ degree of owned nodes (the work of a rank's walks and updates)
	BalanceNodes                // owned nodes (memory for per-node state)
	BalanceMixed                // degree + ⌈E/N⌉ per node: edges and nodes weigh half each
)

// ParseBalance reads "edges", "nodes" or "mixed".
func ParseBalance(s string) (Balance, error) {
	switch s {
	case "edges":
		return BalanceEdges, nil
	case "nodes":
		return BalanceNodes, nil
	case "mixed":
		return BalanceMixed, nil
	}
	return 0, fmt.Errorf("partition: balance %q: want edges, nodes or mixed", s)
}

func (b Balance) String() string {
	return [...]string{"edges", "nodes", "mixed"}[min(int(b), 2)]
}

// nodeWeights is each node's load under b on undirected u.
func nodeWeights(u *graph.Graph, b Balance) []uint32 {
	w := make([]uint32, u.N)
	extra := uint32(0)
	if b == BalanceMixed && u.N > 0 {
		extra = uint32(min((u.NumArcs()+uint64(u.N)-1)/uint64(u.N), 1<<31))
	}
	for v := range w {
		switch b {
		case BalanceNodes:
			w[v] = 1
		default:
			w[v] = min(u.Degree(uint32(v)), 1<<31) + extra
		}
	}
	return w
}

// Partition is an owner per node and, per part, its sorted owned nodes and replicas. Built by
// Louvain, Hash or FromOwner, or read by Open (then its slices alias the file's mapping).
type Partition struct {
	N, R       uint32
	Method     Method
	Seed       uint64
	Resolution float64
	// SupernodeDegree is the degree from which nodes were replicated everywhere (0: none).
	SupernodeDegree uint32
	owner16         []uint16 // one of owner16/owner32 is set (16 bits when R ≤ 65536)
	owner32         []uint32
	ownedOff        []uint64 // R+1
	owned           []uint32 // N
	replOff         []uint64 // R+1
	repl            []uint32
	replOwner       []uint32
}

// Owner is the part owning v.
func (p *Partition) Owner(v uint32) uint32 {
	if p.owner16 != nil {
		return uint32(p.owner16[v])
	}
	return p.owner32[v]
}

// Owned is part's owned nodes in increasing order (read-only).
func (p *Partition) Owned(part uint32) []uint32 { return p.owned[p.ownedOff[part]:p.ownedOff[part+1]] }

// Replicas is part's ghost nodes in increasing order (read-only); see the package doc.
func (p *Partition) Replicas(part uint32) []uint32 { return p.repl[p.replOff[part]:p.replOff[part+1]] }

// ReplicaOwners is the owner of each node of Replicas(part), parallel to it (read-only).
func (p *Partition) ReplicaOwners(part uint32) []uint32 {
	return p.replOwner[p.replOff[part]:p.replOff[part+1]]
}

// NumReplicas is Σ_p |Replicas(p)|.
func (p *Partition) NumReplicas() uint64 { return uint64(len(p.repl)) }

// NoLocal marks a node a part does not hold in DenseMap.
const NoLocal = ^uint32(0)

// Local is the node set one rank holds: Nodes[i] is the global id of local node i; the first
// NumOwned are Owned(part), the rest Replicas(part), each run sorted.
type Local struct {
	Part     uint32
	Nodes    []uint32
	NumOwned int
}

// Local returns the nodes part needs, owned then replicas, in a new slice.
func (p *Partition) Local(part uint32) *Local {
	o, r := p.Owned(part), p.Replicas(part)
	nodes := make([]uint32, 0, len(o)+len(r))
	return &Local{Part: part, Nodes: append(append(nodes, o...), r...), NumOwned: len(o)}
}

// ID maps a global id to its local id by binary search in the two sorted runs (no allocation).
func (l *Local) ID(global uint32) (uint32, bool) {
	if i, ok := slices.BinarySearch(l.Nodes[:l.NumOwned], global); ok {
		return uint32(i), true
	}
	if i, ok := slices.BinarySearch(l.Nodes[l.NumOwned:], global); ok {
		return uint32(l.NumOwned + i), true
	}
	return NoLocal, false
}

// DenseMap returns a flat global→local map of n entries (NoLocal where the part holds nothing),
// for ranks that can spend 4 bytes per graph node to replace the binary search by one load.
func (l *Local) DenseMap(n uint32) []uint32 {
	m := make([]uint32, n)
	for i := range m {
		m[i] = NoLocal
	}
	for i, v := range l.Nodes {
		m[v] = uint32(i)
	}
	return m
}

// Louvain partitions g into r parts by Louvain communities (see the package doc) and also returns
// the Louvain result it packed.
func Louvain(g *graph.Graph, r int, opt Options) (*Partition, *community.Result, error) {
	if err := checkR(r); err != nil {
		return nil, nil, err
	}
	if opt.Slack == 0 {
		opt.Slack = 0.02
	}
	if opt.Slack < 0 || opt.Slack >= 0.5 {
		return nil, nil, fmt.Errorf("partition: slack %v must be in (0, 0.5)", opt.Slack)
	}
	u := community.Undirected(g)
	res, err := community.Louvain(u, opt.Community)
	if err != nil {
		return nil, nil, err
	}
	p := build(u, pack(u, res, r, opt), r, opt.SupernodeDegree)
	p.Method, p.Seed, p.Resolution = MethodLouvain, opt.Community.Seed, opt.Community.Resolution
	if p.Resolution == 0 {
		p.Resolution = 1
	}
	return p, res, nil
}

// Hash partitions g by owner = splitmix64(v ^ seed) mod r, the baseline Louvain must beat.
func Hash(g *graph.Graph, r int, seed uint64, supernodeDegree uint32) (*Partition, error) {
	if err := checkR(r); err != nil {
		return nil, err
	}
	owner := make([]uint32, g.N)
	for v := range owner {
		owner[v] = uint32(splitmix64(uint64(v)^seed) % uint64(r))
	}
	p := build(community.Undirected(g), owner, r, supernodeDegree)
	p.Method, p.Seed = MethodHash, seed
	return p, nil
}

// FromOwner builds the partition given an owner per node (values < r), e.g. from METIS.
func FromOwner(g *graph.Graph, owner []uint32, r int, supernodeDegree uint32) (*Partition, error) {
	if err := checkR(r); err != nil {
		return nil, err
	}
	if len(owner) != int(g.N) {
		return nil, fmt.Errorf("partition: %d owners for %d nodes", len(owner), g.N)
	}
	for v, o := range owner {
		if o >= uint32(r) {
			return nil, fmt.Errorf("partition: node %d owned by part %d, but there are %d parts", v, o, r)
		}
	}
	p := build(community.Undirected(g), owner, r, supernodeDegree)
	p.Method = MethodGiven
	return p, nil
}

func checkR(r int) error {
	if r < 1 || r > 1<<31 {
		return fmt.Errorf("partition: %d parts; need 1 to 2^31", r)
	}
	return nil
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// hierarchyOrder orders nodes by (final community, ..., first-level community, BFS order) by stable
// counting sorts from the finest level up, and returns with it brk[i], the number of levels whose
// community differs between order[i-1] and order[i] (0: same first-level community).
func hierarchyOrder(g *graph.Graph, w []uint32, res *community.Result, r int, slack float64) ([]uint32, []uint8) {
	n := int(g.N)
	order := make([]uint32, n)
	for i := range order {
		order[i] = uint32(i)
	}
	tmp := make([]uint32, n)
	cur := slices.Clone(res.LevelMap(0)) // community of each node at the level being sorted
	L := len(res.Levels)
	for l := 0; l < L; l++ {
		if l > 0 {
			m := res.LevelMap(l)
			for v := range cur {
				cur[v] = m[cur[v]]
			}
		}
		k := res.Levels[l].Communities
		key := cur
		if l == L-1 { // top level: order communities by their LPT bin, not by id
			key = make([]uint32, n)
			rank := lptRank(w, cur, k, r, slack)
			for v := range key {
				key[v] = rank[cur[v]]
			}
		}
		cnt := make([]int, k+1)
		for _, v := range order {
			cnt[key[v]+1]++
		}
		for c := 0; c < k; c++ {
			cnt[c+1] += cnt[c]
		}
		for _, v := range order {
			tmp[cnt[key[v]]] = v
			cnt[key[v]]++
		}
		order, tmp = tmp, order
	}
	// BFS order inside each first-level community (a run of equal LevelMap(0)).
	c0 := res.LevelMap(0)
	seen := bitset.New(uint(n))
	for lo := 0; lo < n; {
		hi := lo + 1
		for hi < n && c0[order[hi]] == c0[order[lo]] {
			hi++
		}
		q := tmp[lo:lo]
		for _, s := range order[lo:hi] { // roots in increasing id order (the run is id-sorted)
			if seen.Test(uint(s)) {
				continue
			}
			seen.Set(uint(s))
			q = append(q, s)
			for h := len(q) - 1; h < len(q); h++ {
				for _, x := range g.Neighbors(q[h]) {
					if c0[x] == c0[s] && !seen.Test(uint(x)) {
						seen.Set(uint(x))
						q = append(q, x)
					}
				}
			}
		}
		copy(order[lo:hi], q)
		lo = hi
	}
	// brk: highest differing level + 1, filling from the finest level up.
	brk := make([]uint8, n)
	copy(cur, c0)
	for l := 0; l < L; l++ {
		if l > 0 {
			m := res.LevelMap(l)
			for v := range cur {
				cur[v] = m[cur[v]]
			}
		}
		for i := 1; i < n; i++ {
			if cur[order[i]] != cur[order[i-1]] {
				brk[i] = uint8(min(l+1, 255))
			}
		}
	}
	return order, brk
}

// lptRank orders the k top-level communities (comm per node) for packing into r bins of load
// T = E/r, and rank[c] is community c's position. A community heavier than (1+slack)·T cannot fit
// one part: it takes ⌊load/T⌋ bins of its own and leads a further bin with its remainder, so that
// it is cut only where it must be (at multiples of T from its start) rather than pushing every
// later cut into the next large community. The other communities go, largest first, into the
// least-loaded bin (Graham's LPT rule); bins are laid out in turn, each led by its remainder. Where
// the bins come out balanced, the cuts of cutOrder fall between whole communities.
func lptRank(w []uint32, comm []uint32, k, r int, slack float64) []uint32 {
	load := make([]uint64, k)
	var total uint64
	for v, c := range comm {
		d := uint64(w[v])
		load[c] += d
		total += d
	}
	T := float64(total) / float64(r)
	ids := make([]uint32, k)
	for i := range ids {
		ids[i] = uint32(i)
	}
	slices.SortStableFunc(ids, func(a, b uint32) int { return cmp.Compare(load[b], load[a]) })
	type bin struct {
		lead    int64 // community whose remainder leads the bin, or -1
		full    int   // bins it fills wholly before this one
		members []uint32
	}
	nb := r
	var big []uint32
	for _, c := range ids {
		if float64(load[c]) > (1+slack)*T {
			big = append(big, c)
			nb -= int(float64(load[c]) / T)
		}
	}
	nb = max(nb, 1)
	bins := make([]bin, nb)
	h := make(binHeap, nb)
	for i := range bins {
		bins[i].lead = -1
		h[i].part = i
	}
	for i, c := range big { // remainders first, each leading its own bin while bins last
		b := i % nb
		full := int(float64(load[c]) / T)
		if bins[b].lead < 0 {
			bins[b].lead, bins[b].full = int64(c), full
		} else {
			bins[b].members = append(bins[b].members, c)
		}
		h[b].load += load[c] - uint64(float64(full)*T)
	}
	heap.Init(&h)
	for _, c := range ids {
		if float64(load[c]) > (1+slack)*T {
			continue
		}
		bins[h[0].part].members = append(bins[h[0].part].members, c)
		h[0].load += load[c]
		heap.Fix(&h, 0)
	}
	rank := make([]uint32, k)
	i := uint32(0)
	for _, b := range bins {
		if b.lead >= 0 {
			rank[b.lead] = i
			i++
		}
		for _, c := range b.members {
			rank[c] = i
			i++
		}
	}
	return rank
}

type binLoad struct {
	load uint64
	part int
}

// binHeap is a min-heap of bins by load, ties by part.
type binHeap []binLoad

func (h binHeap) Len() int { return len(h) }
func (h binHeap) Less(i, j int) bool {
	return h[i].load < h[j].load || (h[i].load == h[j].load && h[i].part < h[j].part)
}
func (h binHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *binHeap) Push(x any)   { *h = append(*h, x.(binLoad)) }
func (h *binHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// cutPositions places the cuts of order: part p gets order[cuts[p]:cuts[p+1]], load counted by
// node weights w (E = Σw). Cuts are placed left to right; part p aims at the remaining load over
// the remaining parts, Tp, and its end may fall anywhere that keeps its load in [Tp(1-slack),
// min(Tp, E/r)(1+slack)]; within that window the cut goes to the largest brk, ties to the position
// nearest Tp; a window with only brk-0 positions is widened to 2·slack once. Where no node
// boundary falls in the window (a node of huge weight), the part ends at the last boundary keeping
// its load ≤ (1+2·slack)·E/r, or after one node.
func cutPositions(w []uint32, order []uint32, brk []uint8, r int, slack float64) []int {
	n := len(order)
	prefix := make([]uint64, n+1)
	for i, v := range order {
		prefix[i+1] = prefix[i] + uint64(w[v])
	}
	total := float64(prefix[n])
	T := total / float64(r)
	cuts := make([]int, r+1)
	cuts[r] = n
	for p := 1; p < r; p++ {
		start := cuts[p-1]
		base := float64(prefix[start])
		tp := (total - base) / float64(r-p+1)
		ideal := base + tp
		// Search the window; if it holds only boundaries inside first-level communities, widen it
		// once to twice the slack (a cut inside a first-level community is the costly kind).
		best, bestB := -1, -1
		for _, s := range []float64{slack, 2 * slack} {
			lo := searchLoad(prefix, base+tp*(1-s))
			hi := searchLoad(prefix, base+min(tp, T)*(1+s)+1)
			lo, hi = max(lo, start+1), min(hi, n)
			bestD := 0.0
			best, bestB = -1, -1
			for i := lo; i < hi; i++ { // cut before order[i]
				b := int(brk[i])
				d := abs(float64(prefix[i]) - ideal)
				if b > bestB || (b == bestB && d < bestD) {
					best, bestB, bestD = i, b, d
				}
			}
			if bestB > 0 {
				break
			}
		}
		if best < 0 {
			best = searchLoad(prefix, base+T*(1+2*slack)+1) - 1
			best = max(min(best, n), min(start+1, n))
		}
		cuts[p] = best
	}
	return cuts
}

// searchLoad is the first index i with prefix[i] ≥ x.
func searchLoad(prefix []uint64, x float64) int {
	i, _ := slices.BinarySearch(prefix, uint64(max(math.Ceil(x), 0)))
	return i
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// build derives owned lists, the boundary set and replicas from owner, on undirected g.
func build(g *graph.Graph, owner []uint32, r int, superDeg uint32) *Partition {
	n := g.N
	p := &Partition{N: n, R: uint32(r), SupernodeDegree: superDeg, ownedOff: make([]uint64, r+1), owned: make([]uint32, n)}
	if r <= 1<<16 {
		p.owner16 = make([]uint16, n)
		for v, o := range owner {
			p.owner16[v] = uint16(o)
		}
	} else {
		p.owner32 = slices.Clone(owner)
	}
	for _, o := range owner {
		p.ownedOff[o+1]++
	}
	for i := 0; i < r; i++ {
		p.ownedOff[i+1] += p.ownedOff[i]
	}
	pos := slices.Clone(p.ownedOff[:r])
	for v, o := range owner { // increasing v: each part's list comes out sorted
		p.owned[pos[o]] = uint32(v)
		pos[o]++
	}
	boundary := Boundary(g, owner)
	var supers []uint32
	if superDeg > 0 {
		for v := uint32(0); v < n; v++ {
			if g.Degree(v) >= superDeg {
				supers = append(supers, v)
			}
		}
	}
	// Replicas per part, in parallel over parts: neighbours owned elsewhere of owned boundary nodes.
	lists := make([][]uint32, r)
	var next sync.Mutex
	np := 0
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), r); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				next.Lock()
				part := np
				np++
				next.Unlock()
				if part >= r {
					return
				}
				var l []uint32
				for _, v := range p.Owned(uint32(part)) {
					if !boundary.Test(uint(v)) {
						continue
					}
					for _, x := range g.Neighbors(v) {
						if owner[x] != uint32(part) {
							l = append(l, x)
						}
					}
				}
				for _, s := range supers {
					if owner[s] != uint32(part) {
						l = append(l, s)
					}
				}
				slices.Sort(l)
				lists[part] = slices.Compact(l)
			}
		}()
	}
	wg.Wait()
	p.replOff = make([]uint64, r+1)
	for i, l := range lists {
		p.replOff[i+1] = p.replOff[i] + uint64(len(l))
	}
	p.repl = make([]uint32, 0, p.replOff[r])
	p.replOwner = make([]uint32, 0, p.replOff[r])
	for _, l := range lists {
		p.repl = append(p.repl, l...)
		for _, v := range l {
			p.replOwner = append(p.replOwner, owner[v])
		}
	}
	return p
}

// Boundary returns the set of nodes of undirected g with a neighbour owned by another part,
// computed in parallel over 64-node-aligned ranges (each goroutine writes its own words).
func Boundary(g *graph.Graph, owner []uint32) *bitset.BitSet {
	n := int(g.N)
	b := bitset.New(uint(n))
	t := runtime.GOMAXPROCS(0)
	chunk := ((n+t-1)/t + 63) &^ 63
	var wg sync.WaitGroup
	for lo := 0; lo < n; lo += max(chunk, 64) {
		hi := min(lo+max(chunk, 64), n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := lo; v < hi; v++ {
				for _, x := range g.Neighbors(uint32(v)) {
					if owner[x] != owner[v] {
						b.Set(uint(v))
						break
					}
				}
			}
		}()
	}
	wg.Wait()
	return b
}

// Stats describe a partition of a graph.
type Stats struct {
	Method            Method
	Parts             int
	Nodes             uint64
	Edges             uint64  // undirected edges u ≠ v
	CutEdges          uint64  // of which with endpoints in different parts
	CutPct            float64 // 100·CutEdges/Edges
	Replicas          uint64  // Σ_p |Replicas(p)|
	ReplicationFactor float64 // (N + Replicas)/N
	Balance           float64 // max/mean part load (arcs of owned nodes)
	NodeBalance       float64 // max/mean owned nodes
	PartNodes         []uint64
	PartArcs          []uint64 // load: Σ deg of owned nodes
	PartReplicas      []uint64
	Elapsed           time.Duration // time to compute the partition (set by the caller)
}

// Evaluate measures p on g (any view; the undirected one is used).
func Evaluate(g *graph.Graph, p *Partition) Stats {
	u := community.Undirected(g)
	r := int(p.R)
	s := Stats{Method: p.Method, Parts: r, Nodes: uint64(u.N), PartNodes: make([]uint64, r), PartArcs: make([]uint64, r), PartReplicas: make([]uint64, r)}
	for v := uint32(0); v < u.N; v++ {
		o := p.Owner(v)
		s.PartNodes[o]++
		s.PartArcs[o] += uint64(u.Degree(v))
		for _, x := range u.Neighbors(v) {
			if x > v {
				s.Edges++
				if p.Owner(x) != o {
					s.CutEdges++
				}
			}
		}
	}
	for i := 0; i < r; i++ {
		s.PartReplicas[i] = uint64(len(p.Replicas(uint32(i))))
		s.Replicas += s.PartReplicas[i]
	}
	if s.Edges > 0 {
		s.CutPct = 100 * float64(s.CutEdges) / float64(s.Edges)
	}
	if u.N > 0 {
		s.ReplicationFactor = float64(uint64(u.N)+s.Replicas) / float64(u.N)
	}
	s.Balance, s.NodeBalance = maxOverMean(s.PartArcs), maxOverMean(s.PartNodes)
	return s
}

func maxOverMean(x []uint64) float64 {
	var m, t uint64
	for _, v := range x {
		m = max(m, v)
		t += v
	}
	if t == 0 {
		return 1
	}
	return float64(m) * float64(len(x)) / float64(t)
}
