package community

import (
	"sync"

	"riskwalk/graph"
)

// Undirected returns the undirected view of g that Louvain and Modularity work on: g itself when it
// is already undirected; otherwise a new graph with the edge {u,v} wherever g has u->v or v->u.
// Its weight is w(u,v)+w(v,u) when g is weighted (an arc missing one way counts 0 that way), and
// the graph is unweighted (every edge 1, reciprocal arcs collapsed) when g is not. A self-loop u->u
// stays a self-loop of weight w(u,u). Times and Types are not carried over.
func Undirected(g *graph.Graph) *graph.Graph {
	if !g.Directed {
		return g
	}
	n := g.N
	// Transpose by counting sort; rows come out sorted because u is visited in increasing order.
	toff := make([]uint64, n+1)
	for _, v := range g.Adj {
		toff[v+1]++
	}
	for v := uint32(0); v < n; v++ {
		toff[v+1] += toff[v]
	}
	tadj := make([]uint32, len(g.Adj))
	var tw []float32
	if g.Weights != nil {
		tw = make([]float32, len(g.Adj))
	}
	pos := make([]uint64, n)
	copy(pos, toff[:n])
	for u := uint32(0); u < n; u++ {
		for i := g.Offsets[u]; i < g.Offsets[u+1]; i++ {
			v := g.Adj[i]
			tadj[pos[v]] = u
			if tw != nil {
				tw[pos[v]] = g.Weights[i]
			}
			pos[v]++
		}
	}
	pos = nil
	// Merge out-row and in-row of every node: a counting pass, then a filling pass, both parallel
	// over node ranges.
	off := make([]uint64, n+1)
	parallelRange(int(n), func(lo, hi int) {
		for u := lo; u < hi; u++ {
			a := g.Adj[g.Offsets[u]:g.Offsets[u+1]]
			b := tadj[toff[u]:toff[u+1]]
			off[u+1] = uint64(mergeCount(a, b))
		}
	})
	for v := uint32(0); v < n; v++ {
		off[v+1] += off[v]
	}
	h := &graph.Graph{N: n, Offsets: off, Adj: make([]uint32, off[n])}
	if g.Weights != nil {
		h.Weights = make([]float32, off[n])
	}
	parallelRange(int(n), func(lo, hi int) {
		for u := lo; u < hi; u++ {
			i, j := g.Offsets[u], toff[u]
			ie, je := g.Offsets[u+1], toff[u+1]
			k := off[u]
			for i < ie || j < je {
				var v uint32
				var w float32
				switch {
				case j == je || (i < ie && g.Adj[i] < tadj[j]):
					v = g.Adj[i]
					if tw != nil {
						w = g.Weights[i]
					}
					i++
				case i == ie || tadj[j] < g.Adj[i]:
					v = tadj[j]
					if tw != nil {
						w = tw[j]
					}
					j++
				default: // both directions
					v = g.Adj[i]
					if tw != nil {
						w = g.Weights[i]
						if v != uint32(u) { // a self-loop is in both rows but is one arc
							w += tw[j]
						}
					}
					i++
					j++
				}
				h.Adj[k] = v
				if h.Weights != nil {
					h.Weights[k] = w
				}
				k++
			}
		}
	})
	return h
}

// mergeCount is the size of the union of two sorted duplicate-free lists.
func mergeCount(a, b []uint32) int {
	i, j, c := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			i++
			j++
		}
		c++
	}
	return c + len(a) - i + len(b) - j
}

// parallelRange splits [0,n) into contiguous chunks run on GOMAXPROCS goroutines.
func parallelRange(n int, f func(lo, hi int)) {
	parallelRangeT(n, 0, f)
}

func parallelRangeT(n, threads int, f func(lo, hi int)) {
	t := threadsOr(threads)
	if n < 4096 || t == 1 {
		f(0, n)
		return
	}
	chunk := (n + t - 1) / t
	var wg sync.WaitGroup
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(lo, hi)
		}()
	}
	wg.Wait()
}
