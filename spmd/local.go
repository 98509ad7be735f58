package spmd

import (
	"container/heap"
	"fmt"
	"math"
	"slices"

	"riskwalk/graph"
	"riskwalk/partition"
	"riskwalk/trainer"
	"riskwalk/walk"
)

// Halo says what a walk does at a replica (a node this rank holds but does not own) when it steps
// towards a node the rank does not hold at all.
type Halo uint8

const (
	// HaloStop keeps every arc of a replica; arcs to nodes not held lead to one sentinel node with
	// no arcs, so a walk that leaves the held set ends there (its tokens up to the replica are
	// trained). Transition probabilities at replicas are the graph's own.
	HaloStop Halo = iota
	// HaloStay drops the arcs of replicas to nodes not held: a walk stays inside owned ∪ replicas
	// and keeps its full length, but at a replica it picks among the held neighbours only. Walks
	// turn back at the part's edge, so boundary nodes appear more often than in the global walk
	// (on a 1M-node graph their rows came out 7-10% longer, cosine link-prediction AUC 1 point
	// lower than one process: bench/RESULTS.md, dist round 3).
	HaloStay
	// HaloThrough walks the whole graph, which every rank maps anyway: a walk that leaves the held
	// set goes on through nodes the rank does not hold, whose tokens are dropped (as word2vec drops
	// out-of-vocabulary words), and may come back. Walks started at owned nodes then follow the
	// graph's own transition probabilities everywhere, so a rank trains exactly the held-row part
	// of the single process's corpus. The price: walk steps spent outside the part (counted, not
	// trained) and page-cache traffic over the whole graph file instead of the part's share.
	// Dropping tokens lost 15% of the corpus on a 1M-node graph and every AUC fell (dist round 4).
	HaloThrough
	// HaloVisit walks the whole graph as HaloThrough does, and drops no token: the nodes outside
	// owned ∪ replicas that the rank's walks visit (found by replaying them before training,
	// FindVisited: walks are deterministic from the seed) are held as extra rows (the first
	// Part.Visited of Part.Extra), trained like replicas and reconciled with their owners by the
	// same Sync. A rank then trains, every token of them, exactly the one-process corpus's walks
	// that start at its owned nodes. The price is memory and sync traffic for the rows the walks
	// reach beyond the part (bench/RESULTS.md, dist round 5).
	HaloVisit
)

func (h Halo) String() string {
	switch h {
	case HaloStop:
		return "stop"
	case HaloStay:
		return "stay"
	case HaloThrough:
		return "through"
	case HaloVisit:
		return "visit"
	}
	return fmt.Sprintf("halo(%d)", uint8(h))
}

// ParseHalo reads "stop", "stay", "through" or "visit".
func ParseHalo(s string) (Halo, error) {
	switch s {
	case "stop":
		return HaloStop, nil
	case "stay":
		return HaloStay, nil
	case "through":
		return HaloThrough, nil
	case "visit":
		return HaloVisit, nil
	}
	return 0, fmt.Errorf("--halo %q: want stop, stay, through or visit", s)
}

// global reports whether the rank walks the global graph (Part.G is the mapped graph itself).
func (h Halo) global() bool { return h == HaloThrough || h == HaloVisit }

// Part is what one rank holds of the graph, in local ids: local node i < Owned is the rank's
// i-th owned node, Owned <= i < len(Nodes) its replicas, both runs in increasing global id (the
// order of partition.Local). Model row i is local node i; the trainer sees only local ids.
type Part struct {
	Rank  uint32
	Nodes []uint32 // global id of each local node
	Owned int      // number of owned nodes (the first Owned of Nodes)
	// G is the graph the rank walks. Under HaloStop and HaloStay it is the local graph: owned
	// nodes with all their arcs, replicas with the arcs the Halo keeps; under HaloStop it has one
	// more node, the sentinel (id len(Nodes)), with no arcs. Weights and Times are carried when
	// the global graph has them; Types are not. Under HaloThrough and HaloVisit G is the global
	// graph itself.
	G *graph.Graph
	// Rows maps G's node ids to model rows: under HaloStop the identity on held nodes and -1 for
	// the sentinel; under HaloThrough and HaloVisit global id -> local row (Nodes, then Extra
	// after AddExtra), -1 for nodes not held; nil under HaloStay (the identity).
	Rows *trainer.RowMap
	// Starts are the owned nodes' ids in G: local 0..Owned-1, or their global ids under
	// HaloThrough and HaloVisit. Walks start only at owned nodes.
	Starts []uint32
	Halo   Halo
	// Extra are remote nodes (neither owned nor replicated) held as rows after the replicas
	// (AddExtra): first Visited nodes the rank's walks visit (HaloVisit only, FindVisited,
	// sorted by global id), trained as replicas are; then nodes held only as negative samples
	// (SampleRemote, sorted). They have no arcs of their own in a local G.
	Extra   []uint32
	Visited int
	// Arcs counts the local arcs by kind, for the start-up report.
	OwnedArcs, ReplicaArcs, SentinelArcs uint64
}

// BuildPart extracts rank part's piece of g. It fails if an owned node has a neighbour the part
// does not hold (a partition made for another graph, or damaged).
func BuildPart(g *graph.Graph, p *partition.Partition, part uint32, halo Halo) (*Part, error) {
	if p.N != g.N {
		return nil, fmt.Errorf("partition has %d nodes, graph %d: make the partition from this graph", p.N, g.N)
	}
	if part >= p.R {
		return nil, fmt.Errorf("rank %d has no part: the partition has %d parts (run with mpirun -np %d)", part, p.R, p.R)
	}
	loc := p.Local(part)
	if halo.global() {
		return buildThrough(g, loc, part, halo)
	}
	L := len(loc.Nodes)
	n := L
	if halo == HaloStop {
		n++
	}
	lg := &graph.Graph{N: uint32(n), Directed: g.Directed, Offsets: make([]uint64, n+1)}
	weighted, timed := g.Weights != nil, g.Times != nil
	// First pass: local degrees, so the arc arrays are allocated once.
	pt := &Part{Rank: part, Nodes: loc.Nodes, Owned: loc.NumOwned, Halo: halo}
	var total uint64
	for i, v := range loc.Nodes {
		d := uint64(0)
		if i < loc.NumOwned || halo == HaloStop {
			d = uint64(g.Degree(v))
		} else {
			for _, u := range g.Neighbors(v) {
				if _, ok := loc.ID(u); ok {
					d++
				}
			}
		}
		total += d
		lg.Offsets[i+1] = total
	}
	if halo == HaloStop {
		lg.Offsets[L+1] = total
	}
	lg.Adj = make([]uint32, total)
	if weighted {
		lg.Weights = make([]float32, total)
	}
	if timed {
		lg.Times = make([]int64, total)
	}
	sentinel := uint32(L)
	for i, v := range loc.Nodes {
		k := lg.Offsets[i]
		base := g.Offsets[v]
		owned := i < loc.NumOwned
		for a, u := range g.Neighbors(v) {
			id, ok := loc.ID(u)
			switch {
			case ok:
				if owned {
					pt.OwnedArcs++
				} else {
					pt.ReplicaArcs++
				}
			case owned:
				return nil, notHeld(part, v, u)
			case halo == HaloStop:
				id = sentinel
				pt.SentinelArcs++
			default:
				continue
			}
			lg.Adj[k] = id
			if weighted {
				lg.Weights[k] = g.Weights[base+uint64(a)]
			}
			if timed {
				lg.Times[k] = g.Times[base+uint64(a)]
			}
			k++
		}
	}
	pt.G = lg
	pt.Starts = make([]uint32, loc.NumOwned)
	for i := range pt.Starts {
		pt.Starts[i] = uint32(i)
	}
	if halo == HaloStop {
		ids := make([]uint32, L)
		for i := range ids {
			ids[i] = uint32(i)
		}
		rm, err := trainer.NewRowMap(uint32(n), ids)
		if err != nil {
			return nil, err
		}
		pt.Rows = rm
	}
	return pt, nil
}

// SampleRemote draws up to k distinct nodes that part neither owns nor replicates, with
// probability growing with deg^0.75 (weighted sampling without replacement, Efraimidis and
// Spirakis 2006: keep the k largest u^(1/w), u uniform), seeded by (seed, part), and returns them
// sorted. They stand for the rest of the graph in the rank's negative table (see countsVocab):
// without them a rank of a community partition never draws a negative from another part, and
// the parts' vectors are not pushed apart. Nodes in skip (sorted; the part's visited nodes under
// HaloVisit, held already) are not drawn. One O(N log k) pass over the mapped degrees.
func SampleRemote(g *graph.Graph, p *partition.Partition, part uint32, k int, seed uint64, skip []uint32) []uint32 {
	if k <= 0 {
		return nil
	}
	reps := p.Replicas(part)
	rng := walk.NewRand(walk.Stream(seed, 0x4e4547, uint64(part)))
	h := &keyHeap{}
	for v := uint32(0); v < g.N; v++ {
		d := g.Degree(v)
		if d == 0 || p.Owner(v) == part {
			continue
		}
		if _, ok := slices.BinarySearch(reps, v); ok {
			continue
		}
		if _, ok := slices.BinarySearch(skip, v); ok {
			continue
		}
		// log(u)/w, compared instead of u^(1/w): the same order, no underflow.
		key := math.Log(float64(rng.Uint64()>>11+1)/(1<<53)) / math.Pow(float64(d), 0.75)
		if h.Len() < k {
			heap.Push(h, keyed{key, v})
		} else if key > (*h)[0].key {
			(*h)[0] = keyed{key, v}
			heap.Fix(h, 0)
		}
	}
	out := make([]uint32, h.Len())
	for i, e := range *h {
		out[i] = e.v
	}
	slices.Sort(out)
	return out
}

type keyed struct {
	key float64
	v   uint32
}

// keyHeap is a min-heap of keys (the smallest of the k kept on top).
type keyHeap []keyed

func (h keyHeap) Len() int           { return len(h) }
func (h keyHeap) Less(i, j int) bool { return h[i].key < h[j].key }
func (h keyHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *keyHeap) Push(x any)        { *h = append(*h, x.(keyed)) }
func (h *keyHeap) Pop() any {
	x := (*h)[len(*h)-1]
	*h = (*h)[:len(*h)-1]
	return x
}

// notHeld is BuildPart's error for an owned node with a neighbour the part does not hold.
func notHeld(part, v, u uint32) error {
	return fmt.Errorf("part %d owns node %d whose neighbour %d it neither owns nor replicates: the partition does not belong to this graph (rerun riskwalk partition)", part, v, u)
}

// buildThrough is BuildPart under HaloThrough and HaloVisit: G is g, Rows maps global ids to the
// held rows, and the partition is checked as BuildPart checks it (every neighbour of an owned
// node held).
func buildThrough(g *graph.Graph, loc *partition.Local, part uint32, halo Halo) (*Part, error) {
	pt := &Part{Rank: part, Nodes: loc.Nodes, Owned: loc.NumOwned, Halo: halo, G: g}
	rm, err := trainer.NewRowMap(g.N, loc.Nodes)
	if err != nil {
		return nil, err
	}
	pt.Rows = rm
	for i, v := range loc.Nodes {
		owned := i < loc.NumOwned
		for _, u := range g.Neighbors(v) {
			switch {
			case rm.Local[u] >= 0 && owned:
				pt.OwnedArcs++
			case rm.Local[u] >= 0:
				pt.ReplicaArcs++
			case owned:
				return nil, notHeld(part, v, u)
			default:
				pt.SentinelArcs++ // arcs leaving the held set: walked through, not trained
			}
		}
	}
	pt.Starts = slices.Clone(loc.Nodes[:loc.NumOwned])
	return pt, nil
}

// LatestTime is the latest arc timestamp of the owned nodes' arcs (math.MinInt64 if none); the
// maximum over ranks is the graph's latest timestamp, since every arc leaves an owned node.
func (pt *Part) LatestTime() int64 {
	t := int64(-1 << 63)
	if pt.G.Times == nil || pt.Owned == 0 {
		return t
	}
	if pt.Halo.global() { // G is the global graph: the owned nodes are not its first ids
		for _, v := range pt.Starts {
			for _, x := range pt.G.Times[pt.G.Offsets[v]:pt.G.Offsets[v+1]] {
				t = max(t, x)
			}
		}
		return t
	}
	for _, x := range pt.G.Times[:pt.G.Offsets[pt.Owned]] {
		t = max(t, x)
	}
	return t
}
