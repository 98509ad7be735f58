package features

// KCore returns the core number of every node of the undirected simple view s: the largest k
// such that the node belongs to a subgraph whose nodes all have degree >= k in it.
//
// Method: the O(m) bucket-peeling algorithm of V. Batagelj and M. Zaversnik, "An O(m) algorithm
// for cores decomposition of networks", arXiv:cs/0310049 (2003), the one igraph's coreness uses,
// run over the flat CSR: nodes sorted by degree into bins (vert, pos, bin), then peeled in order,
// each peel moving the neighbours of higher degree one bin down in O(1).
func KCore(s *Sym) []uint32 {
	n := int(s.N)
	deg := make([]uint32, n)
	var maxDeg uint32
	for v := 0; v < n; v++ {
		deg[v] = uint32(s.Off[v+1] - s.Off[v])
		maxDeg = max(maxDeg, deg[v])
	}
	bin := make([]uint32, maxDeg+2) // bin[d] = first position of degree d in vert
	for _, d := range deg {
		bin[d+1]++
	}
	for d := uint32(1); d <= maxDeg+1; d++ {
		bin[d] += bin[d-1]
	}
	pos := make([]uint32, n)
	vert := make([]uint32, n)
	next := make([]uint32, maxDeg+1)
	copy(next, bin[:maxDeg+1])
	for v := 0; v < n; v++ {
		d := deg[v]
		pos[v] = next[d]
		vert[pos[v]] = uint32(v)
		next[d]++
	}
	for i := 0; i < n; i++ {
		v := vert[i]
		dv := deg[v]
		for _, u := range s.Adj[s.Off[v]:s.Off[v+1]] {
			du := deg[u]
			if du > dv {
				// Swap u with the first node of its bin, then shrink the bin by one.
				pu, pw := pos[u], bin[du]
				w := vert[pw]
				if u != w {
					pos[u], pos[w] = pw, pu
					vert[pu], vert[pw] = w, u
				}
				bin[du]++
				deg[u] = du - 1
			}
		}
	}
	return deg
}
