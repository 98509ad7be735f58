package features

import (
	"math"
	"slices"
	"unsafe"

	"riskwalk/graph"
)

// sccLayout is g's nodes renumbered so that every strongly connected component is a contiguous
// range and the components come in a topological order grouped by level (a component's height is
// 0 when no arc leaves it for another component, else one more than the greatest height of the
// components its arcs lead to; its level is the greatest height minus its own): so all arcs
// between components go from a lower to a higher level, and the components of one level are
// independent of each other.
type sccLayout struct {
	order      []uint32 // order[i] = original id of new node i
	pos        []uint32 // pos[v] = new id of original node v
	compStart  []uint32 // component c is new nodes [compStart[c], compStart[c+1])
	levelStart []uint32 // level l is components [levelStart[l], levelStart[l+1])
}

// tarjanSCC labels each node of g with its strongly connected component, numbered in the order
// Tarjan's algorithm completes them: if an arc leads from component a to component b != a, then
// b < a (sinks first). Iterative (explicit call stack), O(N+M). It also returns each component's
// height (see sccLayout), found on the same pass over the arcs: when a component completes, every
// component its arcs lead to has completed before it.
//
// It is Pearce's variant, which keeps one word per node (rindex) where Tarjan's keeps three (index,
// lowlink, component): a visited node's rindex is its lowlink while it is on the stack and, once
// its component completes, a number counted down from N, above every index in use (at most the
// nodes not yet in a completed component), so a single comparison tells both cases apart. A
// node's height contribution lives in its call frame and, once the node is left on the stack,
// beside it there; heights of completed components are kept by rindex (up), so that an arc
// updates the height and the low-link with no data-dependent branch. 8 bytes per node where the
// textbook version with heights keeps 16. Each call scans its arcs with its state in locals until
// it descends. On cnr-2000 (325k nodes, 3.2M arcs, one core) this took 18-19 ms where the
// three-array version took 25-26.
//
// Sources: R. Tarjan, "Depth-first search and linear graph algorithms", SIAM J. Comput. 1(2),
// 1972; D. J. Pearce, "A space-efficient algorithm for finding strongly connected components",
// Information Processing Letters 116(1), 2016 (PEA_FIND_SCC2/3).
func tarjanSCC(g *graph.Graph) (comp []uint32, count uint32, height []uint32) {
	n := g.N                    // below MaxUint32 (graph.Graph's node ids are uint32 and n itself is used)
	rindex := make([]uint32, n) // 0 = not visited
	type frame struct {
		v    uint32
		root bool
		h    uint32 // one more than the greatest height of completed components v leads to
		k    uint64
	}
	type held struct{ v, h uint32 }
	var calls []frame
	var stack []held
	// up[r] is one more than the height of the completed component with rindex r, and 0 for
	// every r not (yet) given to a component, which covers all rindex values of nodes still on
	// the stack (they are at most c): so an arc's contribution to the height is max(h, up[r])
	// whatever r is, and the low-link update rv = min(rv, r) needs no test either (completed
	// values are above every index in use), which keeps both off the branch predictor.
	up := make([]uint32, n+1)
	index := uint32(1)
	c := n // the rindex the next completed component gets (n, n-1, ...): above every index in use
	off, adj := g.Offsets, g.Adj
	// complete ends the call of f: a root pops its component off the stack.
	complete := func(f *frame) {
		v := f.v
		if !f.root {
			stack = append(stack, held{v, f.h})
			return
		}
		index--
		hc := f.h
		for len(stack) > 0 && rindex[v] <= rindex[stack[len(stack)-1].v] {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			rindex[w.v] = c
			hc = max(hc, w.h)
			index--
		}
		rindex[v] = c
		c--
		up[rindex[v]] = hc + 1
	}
	for s := uint32(0); s < n; s++ {
		if rindex[s] != 0 {
			continue
		}
		rindex[s] = index
		index++
		calls = append(calls, frame{v: s, root: true, k: off[s]})
		for len(calls) > 0 {
			// Scan v's remaining arcs with the frame's state in locals, until a tree arc (then
			// descend) or the end of the list.
			f := &calls[len(calls)-1]
			v := f.v
			k, end, h, rv, root := f.k, off[v+1], f.h, rindex[v], f.root
			var w uint32
			descend := false
			for ; k < end; k++ {
				w = adj[k]
				rw := rindex[w]
				if rw == 0 {
					descend = true
					break
				}
				h = max(h, up[rw])
				root = root && rw >= rv
				rv = min(rv, rw)
			}
			rindex[v] = rv
			if descend {
				f.k, f.h, f.root = k+1, h, root
				rindex[w] = index
				index++
				calls = append(calls, frame{v: w, root: true, k: off[w]})
				continue
			}
			f.k, f.h, f.root = k, h, root
			// v is done: pop its frame, then fold what it found into its caller's.
			done := *f
			calls = calls[:len(calls)-1]
			complete(&done)
			if len(calls) > 0 {
				p := &calls[len(calls)-1]
				rv := rindex[v] // v's component's number if it completed, else its low-link
				p.h = max(p.h, up[rv])
				if rv < rindex[p.v] {
					rindex[p.v] = rv
					p.root = false
				}
			}
		}
	}
	count = n - c
	height = make([]uint32, count) // by completion number n - rindex
	for i := range height {
		height[i] = up[n-uint32(i)] - 1
	}
	comp = rindex
	parallelChunks(int(n), 1<<15, func(_, lo, hi int) {
		for v := lo; v < hi; v++ {
			comp[v] = n - comp[v]
		}
	})
	return comp, count, height
}

// newSCCLayout computes the layout of g (see sccLayout). An undirected graph's components are its
// connected components, all at level 0.
func newSCCLayout(g *graph.Graph) *sccLayout {
	n := g.N
	comp, nc, height := tarjanSCC(g)
	// Topological number of a component: t = nc-1-comp (sources first).
	cstart := make([]uint32, nc+1)
	for _, c := range comp {
		cstart[nc-c]++ // t+1 = nc-c
	}
	for t := uint32(0); t < nc; t++ {
		cstart[t+1] += cstart[t]
	}
	byT := make([]uint32, n) // nodes grouped by topological component number, ascending ids
	cur := make([]uint32, nc)
	copy(cur, cstart[:nc])
	for v := uint32(0); v < n; v++ {
		t := nc - 1 - comp[v]
		byT[cur[t]] = v
		cur[t]++
	}
	// Levels from the heights (an undirected graph's components never meet: all at level 0).
	level := cur // reuse: level[t]
	clear(level)
	var maxLevel uint32
	if g.Directed {
		for _, hc := range height {
			maxLevel = max(maxLevel, hc)
		}
		for t := uint32(0); t < nc; t++ {
			level[t] = maxLevel - height[nc-1-t]
		}
	}
	// Components by (level, t): counting sort by level, stable in t.
	lstart := make([]uint32, maxLevel+2)
	for _, l := range level {
		lstart[l+1]++
	}
	for l := uint32(0); l <= maxLevel; l++ {
		lstart[l+1] += lstart[l]
	}
	lcur := make([]uint32, maxLevel+1)
	copy(lcur, lstart[:maxLevel+1])
	tOrder := make([]uint32, nc) // tOrder[i] = topological number of the i-th component laid out
	for t := uint32(0); t < nc; t++ {
		tOrder[lcur[level[t]]] = t
		lcur[level[t]]++
	}
	lay := &sccLayout{order: make([]uint32, 0, n), pos: make([]uint32, n), compStart: make([]uint32, nc+1), levelStart: lstart}
	for i, t := range tOrder {
		lay.compStart[i] = uint32(len(lay.order))
		lay.order = append(lay.order, byT[cstart[t]:cstart[t+1]]...)
	}
	lay.compStart[nc] = n
	parallelChunks(int(n), 1<<15, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			lay.pos[lay.order[i]] = uint32(i)
		}
	})
	return lay
}

// transposeOf is Transpose(g) with the weights only when weighted. Serial, so that it can run
// beside tarjanSCC (which needs no transpose) on another worker.
func transposeOf(g *graph.Graph, weighted bool) (tOff []uint64, tAdj []uint32, tW []float32) {
	tOff, tAdj, tW = Transpose(g)
	if !weighted {
		tW = nil
	}
	return tOff, tAdj, tW
}

// permutedIn returns the in-arcs of g in the layout's numbering, given g's transpose (see
// Transpose): for new node v, inAdj[inOff[v]:inOff[v+1]] are the new ids of the nodes with an
// arc into v, those from earlier components first (a prefix), then those from v's own component,
// each part in no particular order, with their weights when weighted. The nodes are
// spread over the workers, balanced by arcs.
func (lay *sccLayout) permutedIn(tOff []uint64, tAdj []uint32, tW []float32) (inOff []uint64, inAdj []uint32, inW []float32) {
	n := len(lay.order)
	inOff = make([]uint64, n+1)
	parallelChunks(n, 1<<14, func(_, lo, hi int) { // in-degrees (random reads of tOff), then a sequential prefix sum
		for i := lo; i < hi; i++ {
			v := lay.order[i]
			inOff[i+1] = tOff[v+1] - tOff[v]
		}
	})
	for i := 0; i < n; i++ {
		inOff[i+1] += inOff[i]
	}
	inAdj = make([]uint32, len(tAdj))
	if tW != nil {
		inW = make([]float32, len(tAdj))
	}
	cost := func(i int) uint64 { return inOff[i] + uint64(i) }
	cs := lay.compStart
	parallelRanges(n, cost, func(_, lo, hi int) {
		// c: the component of node i (components are contiguous ranges), found once and advanced.
		c, _ := slices.BinarySearch(cs, uint32(lo)+1)
		c--
		for i := lo; i < hi; i++ {
			for uint32(i) >= cs[c+1] {
				c++
			}
			clo := cs[c]
			v := lay.order[i]
			a, b := tOff[v], tOff[v+1]
			front, back := inOff[i], inOff[i+1]
			for k, u := range tAdj[a:b] {
				j := front
				if pu := lay.pos[u]; pu < clo {
					inAdj[front] = pu
					front++
				} else {
					back--
					j = back
					inAdj[back] = pu
				}
				if inW != nil {
					inW[j] = tW[a+uint64(k)]
				}
			}
		}
	})
	return inOff, inAdj, inW
}

// sccSolver solves y = base + d * sum_{u->v} y(u) w(u,v)/outw(u) component by component in the
// layout's numbering (see pagerankSCC).
type sccSolver struct {
	inOff       []uint64
	inAdj       []uint32
	inW         []float32
	invOut      []float64 // new numbering
	base        []float64 // new numbering; nil means uniformBase
	uniformBase float64
	skip        []bool // new numbering; nodes outside the restriction (nil: none)
	d, tol      float64
	budget      float64 // sum of the tolerance weights (see tolOf) of the components that iterate
	maxIter     int
	x, c        []float64
	ext         []float64 // b_v = base_v + d * (what arcs from earlier components bring), set by external
	snap, next  []float64 // solvePar: the previous sweep's values (read) and this sweep's copy (written)
	mid         []uint64  // first in-arc from inside v's component
	split       []uint64  // solvePar: first in-arc from another worker's range
	sweeps      int       // most sweeps any component took
}

func (s *sccSolver) baseOf(v int) float64 {
	if s.base == nil {
		return s.uniformBase
	}
	return s.base[v]
}

// external sets, for v in [vlo, vhi) of component [lo, hi), the constant term of v's equation:
// ext[v] = base_v + d * (what arcs from earlier components bring, their values final).
func (s *sccSolver) external(lo, hi, vlo, vhi int) {
	for v := vlo; v < vhi; v++ {
		k, end := s.inOff[v], s.inOff[v+1]
		var sum float64
		if s.inW != nil {
			for ; k < end && int(s.inAdj[k]) < lo; k++ {
				sum += s.c[s.inAdj[k]] * float64(s.inW[k])
			}
		} else {
			for ; k < end && int(s.inAdj[k]) < lo; k++ {
				sum += s.c[s.inAdj[k]]
			}
		}
		s.ext[v], s.mid[v] = s.baseOf(v)+s.d*sum, k
	}
}

// splitOwn reorders the in-arcs from inside the component of each v in [vlo, vhi): first those
// from [vlo, vhi) (the calling worker's range), then the others, and records the boundary in
// s.split[v], so that sweep needs no test per arc.
func (s *sccSolver) splitOwn(vlo, vhi int) {
	for v := vlo; v < vhi; v++ {
		front, back := s.mid[v], s.inOff[v+1]
		for front < back {
			if u := int(s.inAdj[front]); u >= vlo && u < vhi {
				front++
				continue
			}
			back--
			s.inAdj[front], s.inAdj[back] = s.inAdj[back], s.inAdj[front]
			if s.inW != nil {
				s.inW[front], s.inW[back] = s.inW[back], s.inW[front]
			}
		}
		s.split[v] = front
	}
}

// sweep runs one Gauss-Seidel sweep over [vlo, vhi), a worker's range of a component whose
// in-arcs splitOwn has ordered: in-arcs from [vlo, vhi) read this sweep's values in s.c, those from
// the rest of the component read src (the snapshot of the previous sweep). Each new value is
// also written to dst, the next sweep's snapshot. It returns the L1 change.
func (s *sccSolver) sweep(vlo, vhi int, src, dst []float64) float64 {
	if s.inW == nil && s.skip == nil {
		return s.sweepPlain(vlo, vhi, src, dst, s.split)
	}
	var diff float64
	c, x, inAdj, inOff, mid, split, ext, invOut := s.c, s.x, s.inAdj, s.inOff, s.mid, s.split, s.ext, s.invOut
	for v := vlo; v < vhi; v++ {
		if s.skip != nil && s.skip[v] {
			continue
		}
		var sum float64
		a, m, b := mid[v], split[v], inOff[v+1]
		if s.inW != nil {
			ws := s.inW
			for k := a; k < m; k++ {
				sum += c[inAdj[k]] * float64(ws[k])
			}
			for k := m; k < b; k++ {
				sum += src[inAdj[k]] * float64(ws[k])
			}
		} else {
			sum = gatherSum(c, inAdj[a:m]) + gatherSum(src, inAdj[m:b])
		}
		xv := ext[v] + s.d*sum
		diff += math.Abs(xv - x[v])
		x[v] = xv
		c[v] = xv * invOut[v]
		dst[v] = c[v]
	}
	return diff
}

// sweepPlain is sweep (split != nil) or sweepSeq (split == nil: every in-arc reads s.c) for an
// unweighted, unrestricted system, the common case: no per-node tests, and slices bounded once
// so that the per-node loads are not checked one by one.
func (s *sccSolver) sweepPlain(vlo, vhi int, src, dst []float64, split []uint64) float64 {
	var diff float64
	d, c, inAdj := s.d, s.c, s.inAdj
	x, ext, invOut, mid := s.x[vlo:vhi], s.ext[vlo:vhi], s.invOut[vlo:vhi], s.mid[vlo:vhi]
	end := s.inOff[vlo+1 : vhi+1]
	cs := c[vlo:vhi]
	// sweepSeq's case is the split one with every in-arc in the own range (split = end) and the
	// new values stored twice into c.
	var sp []uint64
	ds := cs
	if split == nil {
		sp, src = end, c
	} else {
		sp, ds = split[vlo:vhi], dst[vlo:vhi]
	}
	// gatherSum inlined by hand (the compiler does not inline it): a call per node cost more than
	// the loads of the many nodes with one to three in-arcs (three in four of cnr-2000's giant
	// component).
	cp, sp2, ap := unsafe.Pointer(unsafe.SliceData(c)), unsafe.Pointer(unsafe.SliceData(src)), unsafe.Pointer(unsafe.SliceData(inAdj))
	at := func(base unsafe.Pointer, k uint64) float64 {
		return *(*float64)(unsafe.Add(base, uintptr(*(*uint32)(unsafe.Add(ap, uintptr(k)*4)))*8))
	}
	for i := range x {
		k, m, e := mid[i], sp[i], end[i]
		var s0, s1, s2, s3 float64
		for ; k+4 <= m; k += 4 { // in-arcs from this worker's range: this sweep's values
			s0 += at(cp, k)
			s1 += at(cp, k+1)
			s2 += at(cp, k+2)
			s3 += at(cp, k+3)
		}
		if k+2 <= m {
			s0 += at(cp, k)
			s1 += at(cp, k+1)
			k += 2
		}
		if k < m {
			s0 += at(cp, k)
		}
		for k = m; k+2 <= e; k += 2 { // from the other workers' ranges: the snapshot
			s2 += at(sp2, k)
			s3 += at(sp2, k+1)
		}
		if k < e {
			s2 += at(sp2, k)
		}
		sum := (s0 + s1) + (s2 + s3)
		xv := ext[i] + d*sum
		diff += math.Abs(xv - x[i])
		x[i] = xv
		cv := xv * invOut[i]
		cs[i], ds[i] = cv, cv
	}
	return diff
}

// gatherSum is the sum of c[u] over us, in four partial sums: one dependent chain of additions
// would bound the loop by the floating-point add latency rather than by the loads. Every u must
// be below len(c) (the solver's in-arcs are node ids of the layout, so they are): the loads are
// not bounds-checked, which the profile showed at a third of the loop (gatherSumRef is the
// checked reference the tests compare it with).
func gatherSum(c []float64, us []uint32) float64 {
	var s0, s1, s2, s3 float64
	n := len(us)
	if n == 0 {
		return 0
	}
	cp := unsafe.Pointer(unsafe.SliceData(c))
	up := unsafe.Pointer(unsafe.SliceData(us))
	at := func(k int) float64 {
		u := *(*uint32)(unsafe.Add(up, uintptr(k)*4))
		return *(*float64)(unsafe.Add(cp, uintptr(u)*8))
	}
	k := 0
	for ; k+4 <= n; k += 4 {
		s0 += at(k)
		s1 += at(k + 1)
		s2 += at(k + 2)
		s3 += at(k + 3)
	}
	switch n - k {
	case 3:
		s2 += at(k + 2)
		fallthrough
	case 2:
		s1 += at(k + 1)
		fallthrough
	case 1:
		s0 += at(k)
	}
	return (s0 + s1) + (s2 + s3)
}

// gatherSumRef is gatherSum with checked loads, one chain: the reference.
func gatherSumRef(c []float64, us []uint32) float64 {
	var s float64
	for _, u := range us {
		s += c[u]
	}
	return s
}

// sweepSeq is sweep for a component owned by the calling goroutine: every in-arc reads s.c.
func (s *sccSolver) sweepSeq(lo, hi int) float64 {
	if s.inW == nil && s.skip == nil {
		return s.sweepPlain(lo, hi, nil, nil, nil)
	}
	var diff float64
	c, x, inAdj, inOff, mid, ext, invOut := s.c, s.x, s.inAdj, s.inOff, s.mid, s.ext, s.invOut
	for v := lo; v < hi; v++ {
		if s.skip != nil && s.skip[v] {
			continue
		}
		var sum float64
		a, b := mid[v], inOff[v+1]
		if s.inW != nil {
			ws := s.inW[a:b]
			for k, u := range inAdj[a:b] {
				sum += c[u] * float64(ws[k])
			}
		} else {
			sum = gatherSum(c, inAdj[a:b])
		}
		xv := ext[v] + s.d*sum
		diff += math.Abs(xv - x[v])
		x[v] = xv
		c[v] = xv * invOut[v]
	}
	return diff
}

// tolOf is the share of the tolerance given to component [lo, hi), which stops when the L1
// change of a sweep is below it: shares are in proportion to in-arcs plus nodes (the work of a
// sweep) and add up to s.tol over the components of more than one node (a single node is solved
// exactly, with nothing left over). So the residuals add up to at most d*s.tol.
func (s *sccSolver) tolOf(lo, hi int) float64 {
	return s.tol * (float64(s.inOff[hi]-s.inOff[lo]) + float64(hi-lo)) / s.budget
}

// guess sets the first iterate of component [lo, hi) (external inflow summed): y = b/(1 - d*f),
// b = base + d*ext, with f the share of the component's out-weight that stays inside it (its
// in-arcs from inside over its out-weight). That is the exact solution when every node keeps
// the same share f inside, and it gets the component's total mass about right otherwise, where
// y = 0 starts with all of it missing: on cnr-2000 at Tol 1e-8 the giant component then takes 47
// sweeps instead of 52 (1 worker; 48 instead of 54 with 2), its two runners-up 23 and 27 instead
// of 29 and 29. Gauss-Seidel's stopping test does not depend on the start, so neither does the
// error bound. Not used under a restriction (within), whose excluded nodes would count.
func (s *sccSolver) guess(lo, hi int) {
	if s.skip != nil {
		return
	}
	var stay, out float64
	if s.inW == nil {
		for v := lo; v < hi; v++ {
			stay += float64(s.inOff[v+1] - s.mid[v])
		}
	} else {
		for v := lo; v < hi; v++ {
			for _, w := range s.inW[s.mid[v]:s.inOff[v+1]] {
				stay += float64(w)
			}
		}
	}
	for v := lo; v < hi; v++ {
		if iv := s.invOut[v]; iv > 0 {
			out += 1 / iv
		}
	}
	f := stay / out
	if !(f >= 0 && f <= 1) { // no out-weight (zero weights): start from y = b
		f = 0
	}
	scale := 1 / (1 - s.d*f)
	for v := lo; v < hi; v++ {
		xv := s.ext[v] * scale
		s.x[v], s.c[v] = xv, xv*s.invOut[v]
	}
}

// solveSeq solves component [lo, hi) on the calling goroutine.
func (s *sccSolver) solveSeq(lo, hi int) int {
	s.external(lo, hi, lo, hi)
	if hi-lo == 1 { // a single node, with or without a self-loop: y = b + d*(ext + loop*y)
		if s.skip == nil || !s.skip[lo] {
			var loop float64
			for k := s.mid[lo]; k < s.inOff[hi]; k++ { // the self-loop arc(s)
				if s.inW != nil {
					loop += float64(s.inW[k])
				} else {
					loop++
				}
			}
			xv := s.ext[lo] / (1 - s.d*loop*s.invOut[lo])
			s.x[lo], s.c[lo] = xv, xv*s.invOut[lo]
		}
		return 1
	}
	s.guess(lo, hi)
	tol := s.tolOf(lo, hi)
	for it := 1; ; it++ {
		if s.sweepSeq(lo, hi) < tol || it >= s.maxIter {
			return it
		}
	}
}

// solvePar solves a large component [lo, hi) with one contiguous range per worker (balanced by
// arcs): Gauss-Seidel within a range, Jacobi across ranges through a snapshot, so that no slot is
// written while another worker reads it. The snapshot is double-buffered: a sweep reads one
// buffer and writes its new values to the other, which the next sweep reads (no copy pass).
func (s *sccSolver) solvePar(lo, hi int) int {
	cost := func(i int) uint64 { return s.inOff[lo+i] - s.inOff[lo] + uint64(i) }
	bounds := workRanges(hi-lo, cost) // the sweeps' ranges must be the ones splitOwn partitioned by
	runRanges(bounds, func(_, a, b int) {
		s.external(lo, hi, lo+a, lo+b)
		s.splitOwn(lo+a, lo+b)
	})
	s.guess(lo, hi)
	copy(s.snap[lo:hi], s.c[lo:hi])
	copy(s.next[lo:hi], s.c[lo:hi]) // nodes a sweep skips (restriction) keep their value in both
	src, dst := s.snap, s.next
	nw := workers()
	diffs := make([]float64, nw)
	tol := s.tolOf(lo, hi)
	for it := 1; ; it++ {
		runRanges(bounds, func(w, a, b int) { diffs[w] = s.sweep(lo+a, lo+b, src, dst) })
		var diff float64
		for w := range diffs {
			diff += diffs[w]
			diffs[w] = 0
		}
		if diff < tol || it >= s.maxIter {
			return it
		}
		src, dst = dst, src
	}
}

// bigComponent is the arc count above which a component is solved by all workers together.

var bigComponent uint64 = 1 << 16 // a variable so that tests can exercise the parallel path on small graphs

// pagerankSCC is the kernel of PageRank and PersonalizedPageRank. With dangling mass returned
// along the teleport distribution p, the PageRank vector is proportional to the solution y of the
// linear system y = (1-d) p + d P'^T y, where P' drops the dangling nodes' (zero) rows; so the
// dangling mass needs no global coupling and y can be solved one strongly connected component at
// a time in topological order, each by Gauss-Seidel to its share of the tolerance (tolOf), with the
// components feeding it already final. Components of one level are independent and run in
// parallel; a large one is solved by all workers. The result is y / sum(y).
//
// Source: the linear-system formulation and the SCC ordering are those of PRPACK (D. Gleich,
// prpack, "prpack_solver::solve_via_scc_gs"; D. Gleich, "PageRank beyond the Web", SIAM Review
// 57(3), 2015, sec. 2.3 on dangling nodes; P. Berkhin, "A survey on PageRank computing", Internet
// Mathematics 2(1), 2005, on block-triangular orderings).
func pagerankSCC(g *graph.Graph, d, tol float64, maxIter int, weighted bool, invOut, p []float64, within []bool, active int) ([]float64, int, error) {
	n := int(g.N)
	var lay *sccLayout
	var inOff []uint64
	var inAdj []uint32
	var inW []float32
	if g.Directed {
		// The transpose needs no layout: build it on another worker while Tarjan runs.
		var tOff []uint64
		var tAdj []uint32
		var tW []float32
		if workers() > 1 {
			done := make(chan struct{})
			go func() {
				defer close(done)
				tOff, tAdj, tW = transposeOf(g, weighted)
			}()
			lay = newSCCLayout(g)
			<-done
		} else {
			lay = newSCCLayout(g)
			tOff, tAdj, tW = transposeOf(g, weighted)
		}
		inOff, inAdj, inW = lay.permutedIn(tOff, tAdj, tW)
	} else {
		// An undirected graph is its own transpose, and its components never feed each other:
		// solve it as one block in its own numbering (no reordering to pay for). The arcs are
		// copied because solvePar reorders in-lists (g's may be a read-only mapping).
		lay = &sccLayout{compStart: []uint32{0, g.N}, levelStart: []uint32{0, 1}}
		inOff, inAdj = g.Offsets, g.Adj
		if weighted {
			inW = g.Weights
		}
		if workers() > 1 {
			inAdj = append([]uint32(nil), g.Adj...)
			if inW != nil {
				inW = append([]float32(nil), inW...)
			}
		}
	}
	s := &sccSolver{inOff: inOff, inAdj: inAdj, inW: inW, d: d, tol: tol, maxIter: maxIter,
		uniformBase: (1 - d) / float64(active),
		invOut:      make([]float64, n), x: make([]float64, n), c: make([]float64, n), ext: make([]float64, n),
		mid: make([]uint64, n)}
	old := func(i int) int { return i }
	if lay.order != nil {
		old = func(i int) int { return int(lay.order[i]) }
	}
	if p != nil {
		s.base = make([]float64, n)
	}
	if within != nil {
		s.skip = make([]bool, n)
	}
	parallelChunks(n, 1<<15, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			o := old(i)
			s.invOut[i] = invOut[o]
			if p != nil {
				s.base[i] = (1 - d) * p[o]
			}
			if within != nil {
				s.skip[i] = !within[o]
			}
		}
	})
	cs := lay.compStart
	for c := 0; c+1 < len(cs); c++ {
		if lo, hi := int(cs[c]), int(cs[c+1]); hi-lo > 1 {
			s.budget += float64(inOff[hi]-inOff[lo]) + float64(hi-lo)
		}
	}
	nw := workers()
	if nw > 1 {
		s.snap, s.next = make([]float64, n), make([]float64, n)
		s.split = make([]uint64, n)
	}
	compArcs := func(c int) uint64 { return inOff[cs[c+1]] - inOff[cs[c]] }
	sweepsOf := make([]int, nw)
	for l := 0; l+1 < len(lay.levelStart); l++ {
		ca, cb := int(lay.levelStart[l]), int(lay.levelStart[l+1])
		if nw == 1 || inOff[cs[cb]]-inOff[cs[ca]] < bigComponent {
			for c := ca; c < cb; c++ {
				s.sweeps = max(s.sweeps, s.solveSeq(int(cs[c]), int(cs[c+1])))
			}
			continue
		}
		for c := ca; c < cb; c++ {
			if compArcs(c) >= bigComponent {
				s.sweeps = max(s.sweeps, s.solvePar(int(cs[c]), int(cs[c+1])))
			}
		}
		parallelChunks(cb-ca, 64, func(w, a, b int) {
			for c := ca + a; c < ca+b; c++ {
				if compArcs(c) < bigComponent {
					sweepsOf[w] = max(sweepsOf[w], s.solveSeq(int(cs[c]), int(cs[c+1])))
				}
			}
		})
	}
	for _, it := range sweepsOf {
		s.sweeps = max(s.sweeps, it)
	}
	var sum float64
	for _, xv := range s.x {
		sum += xv
	}
	out := make([]float64, n)
	parallelChunks(n, 1<<15, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			out[old(i)] = s.x[i] / sum
		}
	})
	return out, s.sweeps, nil
}
