package features

import (
	"riskwalk/graph"
)

// Sym is the undirected simple view of a graph that k-core, triangles, motifs, components and the
// typed two-hop features work on: for each node v, Adj[Off[v]:Off[v+1]] lists, sorted and without
// duplicates, every u != v joined to v by an arc in either direction. Self-loops are dropped.
//
// Dir is nil when the input is undirected; for a directed input Dir[k] says how the pair
// (v, Adj[k]) is joined: DirOut (v->u only), DirIn (u->v only) or DirMutual (both). Off and Adj may
// alias the graph's own slices (undirected input without self-loops): never write to them.
type Sym struct {
	N   uint32
	Off []uint64
	Adj []uint32
	Dir []uint8
	// InOff/InAdj is the transpose (in-neighbours, sorted) of a directed graph, kept because
	// building Sym computed it; nil for undirected input.
	InOff []uint64
	InAdj []uint32
}

// Pair codes in Sym.Dir. The two low bits are "v->u" and "u->v".
const (
	DirNone   uint8 = 0
	DirOut    uint8 = 1
	DirIn     uint8 = 2
	DirMutual uint8 = 3
)

// revDir is the code of the same pair seen from the other end.
func revDir(c uint8) uint8 { return (c&1)<<1 | (c>>1)&1 }

// Degree is v's number of distinct neighbours in the view.
func (s *Sym) Degree(v uint32) uint32 { return uint32(s.Off[v+1] - s.Off[v]) }

// Neighbors is v's sorted neighbour list; read-only.
func (s *Sym) Neighbors(v uint32) []uint32 { return s.Adj[s.Off[v]:s.Off[v+1]] }

// NumEdges is the number of undirected edges (each stored twice).
func (s *Sym) NumEdges() uint64 { return s.Off[s.N] / 2 }

// Transpose returns the in-neighbour CSR of g: off (N+1) and adj, with each in-list sorted by
// source, and the weights parallel to adj when g is weighted (nil otherwise). O(N + arcs).
func Transpose(g *graph.Graph) (off []uint64, adj []uint32, w []float32) {
	n := g.N
	off = make([]uint64, n+1)
	for _, v := range g.Adj {
		off[v+1]++
	}
	for v := uint32(0); v < n; v++ {
		off[v+1] += off[v]
	}
	adj = make([]uint32, len(g.Adj))
	if g.Weights != nil {
		w = make([]float32, len(g.Adj))
	}
	pos := make([]uint64, n)
	copy(pos, off[:n])
	for u := uint32(0); u < n; u++ {
		for k := g.Offsets[u]; k < g.Offsets[u+1]; k++ {
			v := g.Adj[k]
			adj[pos[v]] = u
			if w != nil {
				w[pos[v]] = g.Weights[k]
			}
			pos[v]++
		}
	}
	return off, adj, w
}

// SymView builds the undirected simple view of g (see Sym). For an undirected graph without
// self-loops it aliases g's slices and allocates nothing but the struct.
func SymView(g *graph.Graph) *Sym {
	n := g.N
	if !g.Directed {
		loops := false
		for v := uint32(0); v < n && !loops; v++ {
			nb := g.Neighbors(v)
			// sorted: a self-loop, if any, sits where v would be inserted
			i, _ := searchU32(nb, v)
			loops = i < len(nb) && nb[i] == v
		}
		if !loops {
			return &Sym{N: n, Off: g.Offsets, Adj: g.Adj}
		}
		off := make([]uint64, n+1)
		adj := make([]uint32, 0, len(g.Adj))
		for v := uint32(0); v < n; v++ {
			for _, u := range g.Neighbors(v) {
				if u != v {
					adj = append(adj, u)
				}
			}
			off[v+1] = uint64(len(adj))
		}
		return &Sym{N: n, Off: off, Adj: adj}
	}
	inOff, inAdj, _ := Transpose(g)
	s := &Sym{N: n, InOff: inOff, InAdj: inAdj, Off: make([]uint64, n+1)}
	// Pass 1: size of each merged list; pass 2: fill. Both parallel over nodes.
	parallelChunks(int(n), 4096, func(_, lo, hi int) {
		for v := uint32(lo); v < uint32(hi); v++ {
			s.Off[v+1] = uint64(mergeCount(g.Neighbors(v), inAdj[inOff[v]:inOff[v+1]], v))
		}
	})
	for v := uint32(0); v < n; v++ {
		s.Off[v+1] += s.Off[v]
	}
	s.Adj = make([]uint32, s.Off[n])
	s.Dir = make([]uint8, s.Off[n])
	parallelChunks(int(n), 4096, func(_, lo, hi int) {
		for v := uint32(lo); v < uint32(hi); v++ {
			mergeFill(g.Neighbors(v), inAdj[inOff[v]:inOff[v+1]], v, s.Adj[s.Off[v]:s.Off[v+1]], s.Dir[s.Off[v]:s.Off[v+1]])
		}
	})
	return s
}

// mergeCount is the size of the union of two sorted lists, leaving out self.
func mergeCount(a, b []uint32, self uint32) int {
	i, j, c := 0, 0, 0
	for i < len(a) || j < len(b) {
		var x uint32
		switch {
		case j == len(b) || (i < len(a) && a[i] < b[j]):
			x = a[i]
			i++
		case i == len(a) || b[j] < a[i]:
			x = b[j]
			j++
		default:
			x = a[i]
			i++
			j++
		}
		if x != self {
			c++
		}
	}
	return c
}

// mergeFill writes the union of out-list a and in-list b (self left out) to adj with pair codes.
func mergeFill(a, b []uint32, self uint32, adj []uint32, dir []uint8) {
	i, j, k := 0, 0, 0
	for i < len(a) || j < len(b) {
		var x uint32
		var d uint8
		switch {
		case j == len(b) || (i < len(a) && a[i] < b[j]):
			x, d = a[i], DirOut
			i++
		case i == len(a) || b[j] < a[i]:
			x, d = b[j], DirIn
			j++
		default:
			x, d = a[i], DirMutual
			i++
			j++
		}
		if x != self {
			adj[k], dir[k] = x, d
			k++
		}
	}
}

// searchU32 returns the first index i with s[i] >= x, and whether s[i] == x.
func searchU32(s []uint32, x uint32) (int, bool) {
	lo, hi := 0, len(s)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s[m] < x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(s) && s[lo] == x
}
