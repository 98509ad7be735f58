package main

// Graph-derived features for the Tolokers experiment, computed from the edge list. They stand in
// for the features package until its feature file lands. Label-derived columns read labels of the
// split's training rows only (the contract tested in features_test.go).

import (
	"math"
	"math/bits"
	"runtime"
	"sync"

	"riskwalk/graph"
	"riskwalk/model"
)

// parallelNodes runs body(lo, hi, worker) over node ranges on all cores; worker < workers().
func parallelNodes(n int, body func(lo, hi, worker int)) {
	p := workers()
	chunk := (n + p*8 - 1) / (p * 8)
	var wg sync.WaitGroup
	next := make(chan int, p*8+1)
	for lo := 0; lo < n; lo += chunk {
		next <- lo
	}
	close(next)
	for w := 0; w < p; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for lo := range next {
				body(lo, min(lo+chunk, n), w)
			}
		}(w)
	}
	wg.Wait()
}

func workers() int { return runtime.GOMAXPROCS(0) }

// BaseFeatures are the label-free columns: the node attributes, their means over neighbours, the
// log degree, and the neighbours' mean log degree.
func BaseFeatures(g *graph.Graph, attr *model.Matrix) *model.Matrix {
	names := append([]string(nil), attr.Names...)
	for _, n := range attr.Names {
		names = append(names, "nbmean."+n)
	}
	names = append(names, "log_degree", "nbmean.log_degree")
	m := model.NewMatrix(attr.Rows, names)
	d := attr.Cols
	parallelNodes(attr.Rows, func(lo, hi, _ int) {
		for v := lo; v < hi; v++ {
			row := m.Row(v)
			copy(row, attr.Row(v))
			nb := g.Neighbors(uint32(v))
			var ld float64
			for _, u := range nb {
				for j, x := range attr.Row(int(u)) {
					row[d+j] += x
				}
				ld += math.Log1p(float64(g.Degree(u)))
			}
			if k := float64(len(nb)); k > 0 {
				for j := 0; j < d; j++ {
					row[d+j] /= k
				}
				ld /= k
			}
			row[2*d] = math.Log1p(float64(len(nb)))
			row[2*d+1] = ld
		}
	})
	return m
}

// shareSmoothing is α in the smoothed share (bad + α·prior)/(labelled + α), so nodes with few
// labelled neighbours sit near the training prior instead of at 0 or 1.
const shareSmoothing = 2

// LabelFeatures are the columns derived from labels, reading bad[v] only for v in train:
//
//	nb_labelled, nb_bad, nb_bad_share: training-labelled neighbours, the banned ones, smoothed share
//	hop2_labelled, hop2_bad, hop2_bad_share: the same over distinct nodes within two hops
//	nbmean.nb_bad_share: the neighbours' shares, each leaving this node's own label out
//
// No column of node v depends on v's own label, so training rows see the same kind of value as test
// rows.
func LabelFeatures(g *graph.Graph, h2 *Hop2, bad []bool, train []int) *model.Matrix {
	n := int(g.N)
	lab := make([]bool, n)  // in train
	tbad := make([]bool, n) // in train and banned
	var P int
	for _, v := range train {
		lab[v] = true
		if bad[v] {
			tbad[v] = true
			P++
		}
	}
	// priorOf is the training ban rate leaving v out, so that not even the prior in v's smoothed
	// shares depends on v's own label.
	priorOf := func(v int) float64 {
		p, t := float64(P), float64(len(train))
		if lab[v] {
			t--
			if tbad[v] {
				p--
			}
		}
		return p / max(t, 1)
	}
	share := func(b, l, prior float64) float64 { return (b + shareSmoothing*prior) / (l + shareSmoothing) }
	m := model.NewMatrix(n, []string{"nb_labelled", "nb_bad", "nb_bad_share", "hop2_labelled", "hop2_bad", "hop2_bad_share", "nbmean.nb_bad_share"})
	nbl := make([]float64, n)
	nbb := make([]float64, n)
	labBits, badBits := make([]uint64, h2.words), make([]uint64, h2.words)
	for v := 0; v < n; v++ {
		if lab[v] {
			labBits[v>>6] |= 1 << (v & 63)
		}
		if tbad[v] {
			badBits[v>>6] |= 1 << (v & 63)
		}
	}
	parallelNodes(n, func(lo, hi, _ int) {
		for v := lo; v < hi; v++ {
			var l1, b1 float64
			for _, u := range g.Neighbors(uint32(v)) {
				if int(u) == v {
					continue // a self-loop must not reveal v's own label
				}
				if lab[u] {
					l1++
					if tbad[u] {
						b1++
					}
				}
			}
			var l2, b2 int
			for k, w := range h2.Row(v) {
				l2 += bits.OnesCount64(w & labBits[k])
				b2 += bits.OnesCount64(w & badBits[k])
			}
			nbl[v], nbb[v] = l1, b1
			row := m.Row(v)
			prior := priorOf(v)
			row[0], row[1], row[2] = l1, b1, share(b1, l1, prior)
			row[3], row[4], row[5] = float64(l2), float64(b2), share(float64(b2), float64(l2), prior)
		}
	})
	parallelNodes(n, func(lo, hi, _ int) {
		for v := lo; v < hi; v++ {
			nb := g.Neighbors(uint32(v))
			prior := priorOf(v)
			var s float64
			for _, u := range nb {
				if int(u) == v {
					continue
				}
				l, b := nbl[u], nbb[u]
				if lab[v] { // leave v's own label out of u's share
					l--
					if tbad[v] {
						b--
					}
				}
				s += share(b, l, prior)
			}
			if len(nb) > 0 {
				s /= float64(len(nb))
			} else {
				s = prior
			}
			m.Set(v, 6, s)
		}
	})
	return m
}

// Hop2 holds, per node, the set of distinct nodes within two hops (itself excluded) as a bitset
// row of n bits: n²/8 bytes in all (17 MB for Tolokers), built once and shared by every split.
type Hop2 struct {
	words int
	bits  []uint64
}

// Row is v's bitset (bit u set iff 1 <= dist(v, u) <= 2).
func (h *Hop2) Row(v int) []uint64 { return h.bits[v*h.words : (v+1)*h.words] }

// NewHop2 builds the two-hop sets of g.
func NewHop2(g *graph.Graph) *Hop2 {
	n := int(g.N)
	h := &Hop2{words: (n + 63) / 64}
	h.bits = make([]uint64, n*h.words)
	parallelNodes(n, func(lo, hi, _ int) {
		for v := lo; v < hi; v++ {
			row := h.Row(v)
			for _, u := range g.Neighbors(uint32(v)) {
				row[u>>6] |= 1 << (u & 63)
				for _, x := range g.Neighbors(u) {
					row[x>>6] |= 1 << (x & 63)
				}
			}
			row[v>>6] &^= 1 << (v & 63)
		}
	})
	return h
}

// NeighbourStd is the standard deviation of each attribute over a node's neighbours (0 without
// neighbours), columns "nbstd.<attr>". Label-free.
func NeighbourStd(g *graph.Graph, attr *model.Matrix) *model.Matrix {
	names := make([]string, attr.Cols)
	for j, n := range attr.Names {
		names[j] = "nbstd." + n
	}
	m := model.NewMatrix(attr.Rows, names)
	parallelNodes(attr.Rows, func(lo, hi, _ int) {
		for v := lo; v < hi; v++ {
			nb := g.Neighbors(uint32(v))
			if len(nb) == 0 {
				continue
			}
			row := m.Row(v)
			k := float64(len(nb))
			for j := range row {
				var s, ss float64
				for _, u := range nb {
					x := attr.At(int(u), j)
					s += x
					ss += x * x
				}
				mu := s / k
				row[j] = math.Sqrt(math.Max(ss/k-mu*mu, 0))
			}
		}
	})
	return m
}
