package partition

import (
	"cmp"
	"container/heap"
	"slices"

	"riskwalk/community"
	"riskwalk/graph"
)

// Boundary strengths in the brk array that cutOrder prefers (larger is preferred): topBrk between
// final (top-level) Louvain communities; subBrk-d between the sub-communities that refinement finds
// at depth d inside an oversized community; the Louvain levels' own values 1..L-1 inside other
// communities; 0 inside a first-level community (or a refinement leaf).
const (
	topBrk = 255
	subBrk = 254
)

// pack assigns an owner to each node of undirected u from its Louvain result (opt.Slack set).
//
// It orders nodes by the Louvain hierarchy (hierarchyOrder) and cuts the order (cutOrder). Wherever
// a cut then falls inside a top-level community, that community is refined: its induced subgraph
// is split by Louvain again, recursively until the pieces weigh at most Slack·E/R, and the pieces
// are laid out greedily, each next to the ones it is most connected to, so that every prefix of the
// community — what a cut inside it gives one part — has few edges leaving it. Louvain's own lower
// levels do not serve for this: they are ordered by id, and in a graph like cnr-2000 (one community
// with a fifth of the edges) a cut between them severs much of the community. The cuts are then
// recomputed, until no cut falls inside an unrefined community.
func pack(u *graph.Graph, res *community.Result, r int, opt Options) []uint32 {
	w := nodeWeights(u, opt.Balance)
	order, brk := hierarchyOrder(u, w, res, r, opt.Slack)
	L := len(res.Levels)
	for i := range brk {
		if int(brk[i]) >= L {
			brk[i] = topBrk
		}
	}
	n := len(order)
	var total uint64
	for _, x := range w {
		total += uint64(x)
	}
	rf := &refiner{g: u, w: w, tau: max(opt.Slack*float64(total)/float64(r), 1), opt: opt.Community, loc: make([]uint32, u.N)}
	rf.opt.Progress = false
	refined := make(map[uint32]bool)
	var cuts []int
	for iter := 0; ; iter++ {
		cuts = cutPositions(w, order, brk, r, opt.Slack)
		if iter == 8 { // each round refines at least one community; r-1 cuts bound the useful rounds
			break
		}
		changed := false
		for _, c := range cuts[1:r] {
			if c <= 0 || c >= n || brk[c] == topBrk || refined[res.Community[order[c]]] {
				continue
			}
			refined[res.Community[order[c]]] = true
			lo, hi := c, c+1
			for lo > 0 && brk[lo] != topBrk {
				lo--
			}
			for hi < n && brk[hi] != topBrk {
				hi++
			}
			rf.refine(order[lo:hi], brk[lo:hi])
			changed = true
		}
		if !changed {
			break
		}
	}
	owner := make([]uint32, u.N)
	for p := 0; p < r; p++ {
		for _, v := range order[cuts[p]:cuts[p+1]] {
			owner[v] = uint32(p)
		}
	}
	return owner
}

// refiner reorders oversized communities by recursive Louvain.
type refiner struct {
	g   *graph.Graph
	w   []uint32          // node loads
	tau float64           // pieces of at most this load are not split further
	opt community.Options // for the sub-Louvain runs
	loc []uint32          // global -> local id + 1 of the set being worked on, else 0
	out []uint32
	ob  []uint8
}

// refine rewrites nodes (one community's run of the order) and its brk, keeping brk[0], the
// boundary before the run.
func (rf *refiner) refine(nodes []uint32, brk []uint8) {
	s := slices.Clone(nodes)
	slices.Sort(s)
	rf.out, rf.ob = rf.out[:0], rf.ob[:0]
	rf.rec(s, 0, brk[0])
	copy(nodes, rf.out)
	copy(brk, rf.ob)
}

func (rf *refiner) load(s []uint32) float64 {
	var l uint64
	for _, v := range s {
		l += uint64(rf.w[v])
	}
	return float64(l)
}

// rec appends set s (sorted) to the output: split by Louvain on its induced subgraph and laid out
// piece by piece, or, when small or unsplittable, in breadth-first order.
func (rf *refiner) rec(s []uint32, depth int, first uint8) {
	if len(s) < 2 || depth >= 16 || rf.load(s) <= rf.tau {
		rf.bfs(s, first)
		return
	}
	sub := rf.induced(s)
	res, err := community.Louvain(sub, rf.opt)
	if err != nil || res.NumCommunities < 2 {
		rf.bfs(s, first)
		return
	}
	k := res.NumCommunities
	// Members of each piece, ascending (s is ascending).
	off := make([]int, k+1)
	for _, c := range res.Community {
		off[c+1]++
	}
	for c := 0; c < k; c++ {
		off[c+1] += off[c]
	}
	members := make([]uint32, len(s))
	pos := slices.Clone(off[:k])
	for i, c := range res.Community {
		members[pos[c]] = s[i]
		pos[c]++
	}
	for j, c := range greedyOrder(sub, res.Community, k) {
		b := uint8(subBrk - depth)
		if j == 0 {
			b = first
		}
		rf.rec(members[off[c]:off[c+1]], depth+1, b)
	}
}

// induced builds the subgraph of rf.g induced by sorted set s, local ids in s's order.
func (rf *refiner) induced(s []uint32) *graph.Graph {
	g := rf.g
	for i, v := range s {
		rf.loc[v] = uint32(i) + 1
	}
	sub := &graph.Graph{N: uint32(len(s)), Offsets: make([]uint64, len(s)+1)}
	for i, v := range s {
		ws := g.NeighborWeights(v)
		for j, x := range g.Neighbors(v) {
			if l := rf.loc[x]; l != 0 {
				sub.Adj = append(sub.Adj, l-1) // ascending: local ids follow global order
				if ws != nil {
					sub.Weights = append(sub.Weights, ws[j])
				}
			}
		}
		sub.Offsets[i+1] = uint64(len(sub.Adj))
	}
	for _, v := range s {
		rf.loc[v] = 0
	}
	return sub
}

// bfs appends s in breadth-first order over its induced subgraph (roots in increasing id order).
func (rf *refiner) bfs(s []uint32, first uint8) {
	for i, v := range s {
		rf.loc[v] = uint32(i) + 1
	}
	seen := make([]bool, len(s))
	start := len(rf.out)
	for i, root := range s {
		if seen[i] {
			continue
		}
		seen[i] = true
		q := len(rf.out)
		rf.out = append(rf.out, root)
		for ; q < len(rf.out); q++ {
			for _, x := range rf.g.Neighbors(rf.out[q]) {
				if l := rf.loc[x]; l != 0 && !seen[l-1] {
					seen[l-1] = true
					rf.out = append(rf.out, x)
				}
			}
		}
	}
	for _, v := range s {
		rf.loc[v] = 0
	}
	for i := start; i < len(rf.out); i++ {
		rf.ob = append(rf.ob, 0)
	}
	if len(s) > 0 {
		rf.ob[start] = first
	}
}

// greedyOrder lays out the k communities of g (comm per node): the heaviest first, then always the
// one with the most edge weight to those already laid out (ties: heavier, then lower id).
func greedyOrder(g *graph.Graph, comm []uint32, k int) []uint32 {
	load := make([]float64, k)
	type pair struct {
		a, b uint32
		w    float64
	}
	var pairs []pair
	for v := uint32(0); v < g.N; v++ {
		ws := g.NeighborWeights(v)
		for j, x := range g.Neighbors(v) {
			w := 1.0
			if ws != nil {
				w = float64(ws[j])
			}
			load[comm[v]] += w
			if comm[x] != comm[v] {
				pairs = append(pairs, pair{comm[v], comm[x], w})
			}
		}
	}
	slices.SortFunc(pairs, func(p, q pair) int {
		return cmp.Or(cmp.Compare(p.a, q.a), cmp.Compare(p.b, q.b))
	})
	// Quotient graph in CSR form (duplicates merged).
	qoff := make([]int, k+1)
	var qadj []uint32
	var qw []float64
	for i := 0; i < len(pairs); {
		j := i
		w := 0.0
		for j < len(pairs) && pairs[j].a == pairs[i].a && pairs[j].b == pairs[i].b {
			w += pairs[j].w
			j++
		}
		qadj, qw = append(qadj, pairs[i].b), append(qw, w)
		qoff[pairs[i].a+1]++
		i = j
	}
	for c := 0; c < k; c++ {
		qoff[c+1] += qoff[c]
	}
	conn := make([]float64, k)
	placed := make([]bool, k)
	h := &connHeap{}
	for c := 0; c < k; c++ {
		h.items = append(h.items, connItem{0, load[c], uint32(c)})
	}
	heap.Init(h)
	order := make([]uint32, 0, k)
	for len(order) < k {
		it := heap.Pop(h).(connItem)
		if placed[it.c] || it.conn != conn[it.c] {
			continue
		}
		placed[it.c] = true
		order = append(order, it.c)
		for i := qoff[it.c]; i < qoff[it.c+1]; i++ {
			if d := qadj[i]; !placed[d] {
				conn[d] += qw[i]
				heap.Push(h, connItem{conn[d], load[d], d})
			}
		}
	}
	return order
}

type connItem struct {
	conn, load float64
	c          uint32
}

// connHeap is a max-heap by (conn, load, -c).
type connHeap struct{ items []connItem }

func (h *connHeap) Len() int { return len(h.items) }
func (h *connHeap) Less(i, j int) bool {
	a, b := h.items[i], h.items[j]
	if a.conn != b.conn {
		return a.conn > b.conn
	}
	if a.load != b.load {
		return a.load > b.load
	}
	return a.c < b.c
}
func (h *connHeap) Swap(i, j int) { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *connHeap) Push(x any)    { h.items = append(h.items, x.(connItem)) }
func (h *connHeap) Pop() any {
	x := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return x
}
