package pipeline

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"riskwalk/features"
	"riskwalk/graph"
	"riskwalk/model"
)

// NeighbourMeans is the neighbour block of attribute table attr (one row per dense node of g):
// for each attribute column "attr.x" the column "nbmean.attr.x", the mean of x over v's
// neighbours (the undirected view: out- and in-neighbours of a directed graph, self-loops left
// out, non-finite values skipped; 0 when no neighbour has a finite value), then "log_degree",
// ln(1 + number of such neighbours), and "nbmean.log_degree", the neighbours' mean log_degree.
// Label-free. Cost O(arcs · columns), spread over GOMAXPROCS goroutines.
func NeighbourMeans(g *graph.Graph, attr *model.Matrix) *model.Matrix {
	n, d := int(g.N), attr.Cols
	off, adj := g.Offsets, g.Adj
	if g.Directed {
		s := features.SymView(g)
		off, adj = s.Off, s.Adj
	}
	names := make([]string, 0, d+2)
	for _, c := range attr.Names {
		names = append(names, "nbmean."+c)
	}
	names = append(names, "log_degree", "nbmean.log_degree")
	m := model.NewMatrix(n, names)
	deg := make([]float64, n)
	for v := range n {
		k := 0
		for a := off[v]; a < off[v+1]; a++ {
			if int(adj[a]) != v {
				k++
			}
		}
		deg[v] = math.Log1p(float64(k))
	}
	eachRange(n, func(lo, hi int) { neighbourMeanRows(m, attr, deg, off, adj, lo, hi) })
	return m
}

// neighbourMeanRows fills rows [lo, hi) of NeighbourMeans' matrix m.
func neighbourMeanRows(m, attr *model.Matrix, deg []float64, off []uint64, adj []uint32, lo, hi int) {
	d := attr.Cols
	cnt := make([]int, d)
	for v := lo; v < hi; v++ {
		row := m.Row(v)
		clear(cnt)
		var ld float64
		k := 0
		for a := off[v]; a < off[v+1]; a++ {
			u := int(adj[a])
			if u == v {
				continue
			}
			for j, x := range attr.Row(u) {
				if !math.IsNaN(x) && !math.IsInf(x, 0) {
					row[j] += x
					cnt[j]++
				}
			}
			ld += deg[u]
			k++
		}
		for j := range d {
			if cnt[j] > 0 {
				row[j] /= float64(cnt[j])
			}
		}
		if k > 0 {
			ld /= float64(k)
		}
		row[d], row[d+1] = deg[v], ld
	}
}

// eachRange calls body over [0, n) split into chunks of 4096, on GOMAXPROCS goroutines, and
// returns when all are done.
func eachRange(n int, body func(lo, hi int)) {
	const grain = 4096
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(1, min(runtime.GOMAXPROCS(0), (n+grain-1)/grain)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo := int(next.Add(grain)) - grain
				if lo >= n {
					return
				}
				body(lo, min(lo+grain, n))
			}
		}()
	}
	wg.Wait()
}
