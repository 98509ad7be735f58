package graph

import (
	"cmp"
	"slices"
	"sync/atomic"
)

// buildCSR is the parallel builder behind Ingest; it must agree with FromEdges (tests compare
// them). Counting sort:
//
//  1. degree count: Offsets[u+1] += 1 per arc, atomically, over all parts in parallel;
//  2. prefix sum: Offsets becomes the row starts;
//  3. scatter: each arc claims the next slot of its row with an atomic cursor (rows end up in
//     arbitrary order);
//  4. per row, in parallel: sort by (neighbour, weight, time) and merge equal neighbours (weights
//     by merge, times by max). Sorting by weight too makes the merged sum independent of the
//     scatter order, so output is deterministic;
//  5. if merging shortened rows, compact them left into place (sequential memmove).
//
// Memory: the parts (8 bytes per input edge, plus weights/times) and the arc arrays (4 bytes per
// arc, plus 4/8 for weights/times), plus two uint64 arrays of N+1 (offsets and cursors). Parts
// are released by the caller after the build.
func buildCSR(n uint32, parts []edgeSlice, directed, weighted, timed bool, merge MergeMode, workers int) (*Graph, uint64) {
	g := &Graph{N: n, Directed: directed, Offsets: make([]uint64, uint64(n)+1)}
	off := g.Offsets
	parallelEach(len(parts), workers, func(i int) {
		p := parts[i]
		for k, u := range p.src {
			v := p.dst[k]
			atomic.AddUint64(&off[u+1], 1)
			if !directed && u != v {
				atomic.AddUint64(&off[v+1], 1)
			}
		}
	})
	for v := uint32(0); v < n; v++ {
		off[v+1] += off[v]
	}
	m := off[n]
	g.Adj = make([]uint32, m)
	if weighted {
		g.Weights = make([]float32, m)
	}
	if timed {
		g.Times = make([]int64, m)
	}
	cur := slices.Clone(off[:n])
	parallelEach(len(parts), workers, func(i int) {
		p := parts[i]
		put := func(u, v uint32, k int) {
			j := atomic.AddUint64(&cur[u], 1) - 1
			g.Adj[j] = v
			if weighted {
				if p.w != nil {
					g.Weights[j] = p.w[k]
				} else {
					g.Weights[j] = 1
				}
			}
			if timed && p.t != nil {
				g.Times[j] = p.t[k]
			}
		}
		for k, u := range p.src {
			v := p.dst[k]
			put(u, v, k)
			if !directed && u != v {
				put(v, u, k)
			}
		}
	})
	// Sort and merge each row; cur[v] becomes the merged length.
	type arc struct {
		v uint32
		w float32
		t int64
	}
	parallelRangeW(int(n), workers, func(lo, hi int) {
		var scratch []arc
		for v := lo; v < hi; v++ {
			a, b := off[v], off[v+1]
			row := g.Adj[a:b]
			if len(row) < 2 {
				cur[v] = uint64(len(row))
				continue
			}
			if !weighted && !timed {
				slices.Sort(row)
				cur[v] = uint64(len(slices.Compact(row)))
				continue
			}
			scratch = scratch[:0]
			for k, u := range row {
				e := arc{v: u, w: 1}
				if weighted {
					e.w = g.Weights[a+uint64(k)]
				}
				if timed {
					e.t = g.Times[a+uint64(k)]
				}
				scratch = append(scratch, e)
			}
			slices.SortFunc(scratch, func(x, y arc) int {
				if c := cmp.Compare(x.v, y.v); c != 0 {
					return c
				}
				if c := cmp.Compare(x.w, y.w); c != 0 {
					return c
				}
				return cmp.Compare(x.t, y.t)
			})
			k := -1
			for i, e := range scratch {
				if i > 0 && e.v == scratch[i-1].v {
					if weighted {
						if merge == MergeMax {
							g.Weights[a+uint64(k)] = max(g.Weights[a+uint64(k)], e.w)
						} else {
							g.Weights[a+uint64(k)] += e.w
						}
					}
					if timed {
						g.Times[a+uint64(k)] = max(g.Times[a+uint64(k)], e.t)
					}
					continue
				}
				k++
				row[k] = e.v
				if weighted {
					g.Weights[a+uint64(k)] = e.w
				}
				if timed {
					g.Times[a+uint64(k)] = e.t
				}
			}
			cur[v] = uint64(k + 1)
		}
	})
	var kept uint64
	for v := uint32(0); v < n; v++ {
		kept += cur[v]
	}
	if kept == m {
		return g, 0
	}
	// Compact left: row v moves from off[v] to its new start, which is <= off[v].
	var w uint64
	for v := uint32(0); v < n; v++ {
		a, l := off[v], cur[v]
		if w != a {
			copy(g.Adj[w:w+l], g.Adj[a:a+l])
			if weighted {
				copy(g.Weights[w:w+l], g.Weights[a:a+l])
			}
			if timed {
				copy(g.Times[w:w+l], g.Times[a:a+l])
			}
		}
		off[v] = w
		w += l
	}
	off[n] = w
	g.Adj = g.Adj[:w:w]
	if weighted {
		g.Weights = g.Weights[:w:w]
	}
	if timed {
		g.Times = g.Times[:w:w]
	}
	return g, m - w
}

// parallelRangeW is parallelRange with an explicit worker count.
func parallelRangeW(n, workers int, fn func(lo, hi int)) {
	if n < 1<<12 || workers <= 1 {
		fn(0, n)
		return
	}
	blocks := workers * 16
	step := (n + blocks - 1) / blocks
	parallelEach((n+step-1)/step, workers, func(i int) {
		fn(i*step, min((i+1)*step, n))
	})
}
