package features

// Triangles counts, for every node of the undirected simple view s, the triangles it lies on, and
// returns them with the local clustering coefficient tri(v) / (deg(v)(deg(v)-1)/2) (0 when
// deg(v) < 2, igraph's transitivity_local_undirected(mode="zero")).
//
// Method: orient every edge from the endpoint of lower (degree, id) rank to the higher one, so
// that each node keeps at most O(sqrt(m)) out-neighbours N+; each triangle u<v<x (in rank) is
// then found exactly once: mark N+(u), and for each v in N+(u) scan N+(v) for marked x (marking
// beat sorted-list merging by about 30% on cnr-2000 and dblp-2010). Nodes are handed out in small
// chunks from a shared counter (dynamic scheduling, as hubs make work uneven) and each worker
// counts into its own array, summed at the end (memory: workers x N x 12 bytes). Work O(m^1.5).
// Source: N. Chiba and T. Nishizeki, "Arboricity and subgraph listing algorithms", SIAM J.
// Comput. 1985 (marking); T. Schank and D. Wagner, "Finding, counting and listing all triangles
// in large graphs", WEA 2005 (degree orientation, "forward"); orientation as in GAPBS tc.cc.
func Triangles(s *Sym) (tri []uint64, cc []float64) {
	n := int(s.N)
	oOff, oAdj := orient(s)
	nw := workers()
	local := make([][]uint64, nw)
	for w := range local {
		local[w] = make([]uint64, n)
	}
	marks := make([][]uint32, nw)
	parallelChunks(n, 256, func(w, lo, hi int) {
		t := local[w]
		mark := marks[w]
		if mark == nil {
			mark = make([]uint32, n) // mark[x] == u+1: x is in N+(u)
			marks[w] = mark
		}
		for u := lo; u < hi; u++ {
			nu := oAdj[oOff[u]:oOff[u+1]]
			if len(nu) < 2 {
				continue
			}
			stamp := uint32(u) + 1
			for _, v := range nu {
				mark[v] = stamp
			}
			var tu uint64
			for _, v := range nu {
				var tv uint64
				for _, x := range oAdj[oOff[v]:oOff[v+1]] {
					if mark[x] == stamp { // triangle u, v, x
						t[x]++
						tv++
					}
				}
				t[v] += tv
				tu += tv
			}
			t[u] += tu
		}
	})
	tri = local[0]
	for w := 1; w < nw; w++ {
		lw := local[w]
		parallelChunks(n, 1<<15, func(_, lo, hi int) {
			for v := lo; v < hi; v++ {
				tri[v] += lw[v]
			}
		})
	}
	cc = make([]float64, n)
	for v := 0; v < n; v++ {
		d := float64(s.Off[v+1] - s.Off[v])
		if d >= 2 && tri[v] > 0 {
			cc[v] = float64(tri[v]) / (d * (d - 1) / 2)
		}
	}
	return tri, cc
}

// orient keeps, for each node, its neighbours of higher (degree, id) rank, in id order.
func orient(s *Sym) (off []uint64, adj []uint32) {
	n := int(s.N)
	higher := func(u, v uint32) bool { // rank(v) > rank(u)
		du, dv := s.Off[u+1]-s.Off[u], s.Off[v+1]-s.Off[v]
		return dv > du || (dv == du && v > u)
	}
	off = make([]uint64, n+1)
	parallelChunks(n, 4096, func(_, lo, hi int) {
		for u := uint32(lo); u < uint32(hi); u++ {
			c := uint64(0)
			for _, v := range s.Adj[s.Off[u]:s.Off[u+1]] {
				if higher(u, v) {
					c++
				}
			}
			off[u+1] = c
		}
	})
	for u := 0; u < n; u++ {
		off[u+1] += off[u]
	}
	adj = make([]uint32, off[n])
	parallelChunks(n, 4096, func(_, lo, hi int) {
		for u := uint32(lo); u < uint32(hi); u++ {
			k := off[u]
			for _, v := range s.Adj[s.Off[u]:s.Off[u+1]] {
				if higher(u, v) {
					adj[k] = v
					k++
				}
			}
		}
	})
	return off, adj
}
