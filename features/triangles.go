package features

// Triangles counts, for every node of the undirected simple view s, the triangles it lies on, and
// returns them with the local clustering coefficient tri(v) / (deg(v)(deg(v)-1)/2) (0 when
// deg(v) < 2, igraph's transitivity_local_undirected(mode="zero")).
//
// Method: orient every edge from the endpoint of lower (degree, id) rank to the higher one, so
// that each node keeps at most O(sqrt(m)) out-neighbours; each triangle u<v<w (in rank) is then
// found exactly once, as w in N+(u) ∩ N+(v) for v in N+(u), by merging the two sorted lists
// (galloping when one is much longer). Nodes are handed out in small chunks from a shared counter
// (dynamic scheduling, as hubs make work uneven) and each worker counts into its own array, summed
// at the end (memory: workers x N x 8 bytes). Work O(m^1.5).
// Source: T. Schank and D. Wagner, "Finding, counting and listing all triangles in large graphs",
// WEA 2005 (algorithm "forward"); M. Latapy, "Main-memory triangle computations for very large
// (sparse (power-law)) graphs", TCS 2008; orientation as in GAPBS tc.cc.
func Triangles(s *Sym) (tri []uint64, cc []float64) {
	n := int(s.N)
	oOff, oAdj := orient(s)
	nw := workers()
	local := make([][]uint64, nw)
	for w := range local {
		local[w] = make([]uint64, n)
	}
	parallelChunks(n, 256, func(w, lo, hi int) {
		t := local[w]
		for u := lo; u < hi; u++ {
			nu := oAdj[oOff[u]:oOff[u+1]]
			var tu uint64
			for _, v := range nu {
				nv := oAdj[oOff[v]:oOff[v+1]]
				tu += intersectCount(nu, nv, t, v)
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

// intersectCount counts the common elements of the sorted lists a and b, adding 1 to t[x] for
// each common x and to t[v] once per common element; it gallops through the longer list when
// the lengths differ a lot.
func intersectCount(a, b []uint32, t []uint64, v uint32) uint64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	var c uint64
	if len(a) > 32*len(b) || len(b) > 32*len(a) {
		if len(a) < len(b) {
			a, b = b, a
		}
		// b is short: binary-search each of its elements in a, narrowing the window.
		lo := 0
		for _, x := range b {
			i, ok := searchU32(a[lo:], x)
			lo += i
			if ok {
				t[x]++
				c++
			}
			if lo >= len(a) {
				break
			}
		}
	} else {
		i, j := 0, 0
		for i < len(a) && j < len(b) {
			x, y := a[i], b[j]
			if x < y {
				i++
			} else if x > y {
				j++
			} else {
				t[x]++
				c++
				i++
				j++
			}
		}
	}
	t[v] += c
	return c
}
