package features

import "fmt"

// Directed motif roles. For every node v of a directed graph, Motifs counts
//
//   - 2-node roles: neighbours u with v->u only (m2_payer: v pays u), u->v only (m2_payee), and
//     both ways (m2_mutual);
//   - 3-node roles: unordered pairs {a, b} of other nodes such that the subgraph induced on
//     {v, a, b} is weakly connected, classified by the automorphism orbit v occupies in it. The
//     13 connected 3-node directed graphs (triad census classes 021D, 021U, 021C, 111D, 111U,
//     030T, 030C, 201, 120D, 120U, 120C, 210, 300) have 30 such orbits.
//
// A 3-node situation is written (x, y, z): x is the pair code of (v, a), y of (v, b), z of (a, b),
// each DirNone, DirOut (first -> second), DirIn (second -> first) or DirMutual. Swapping a and b
// gives (y, x, rev z), the same orbit. The roles, each with one representative (x, y, z) and a
// picture (-> one way, <-> both ways, v the counted node):
//
//	open triads (one pair unjoined)         closed triads (all three pairs joined)
//	fanout_center    a<-v->b                 ffl_source      v->a, v->b, a->b   (feed-forward loop)
//	fanout_leaf      v<-a->b                 ffl_mid         a->v, v->b, a->b
//	funnel_center    a->v<-b                 ffl_sink        a->v, b->v, a->b
//	funnel_leaf      v->a<-b                 cycle           v->a, a->b, b->v
//	chain_head       v->a->b                 fanpair_source  v->a, v->b, a<->b
//	chain_mid        b->v->a                 fanpair_member  v<->a, b->v, b->a
//	chain_tail       b->a->v                 funpair_sink    a->v, b->v, a<->b
//	mutout_center    a<->v->b                funpair_member  v<->a, v->b, a->b
//	mutout_mutleaf   v<->a->b                mutchain_head   v<->a, v->b, b->a
//	mutout_outleaf   v<-a<->b                mutchain_mid    a->v, v->b, a<->b
//	mutin_center     a<->v<-b                mutchain_tail   v<->a, b->v, a->b
//	mutin_mutleaf    v<->a<-b                near_clique_src v<->a, v->b, a<->b
//	mutin_inleaf     v->a<->b                near_clique_mid v<->a, v<->b, a->b
//	mut2_center      a<->v<->b               near_clique_dst a->v, v<->b, a<->b
//	mut2_leaf        v<->a<->b               clique          v<->a, v<->b, a<->b
//
// (motifRoles below is the authoritative table; a test checks that it names every one of the 54
// connected situations and that it has exactly 30 orbits.) Columns are named "m3_" + role.
//
// Counting avoids enumerating neighbour pairs, which would be quadratic at hubs: closed triads are
// enumerated as triangles (each at v by intersecting sorted lists, galloping when lengths differ,
// O(m^1.5) in all); open triads with v in the centre are pair counts by neighbour code minus the
// closed ones, and open triads with v at an end are sums over v's neighbours a of a's per-code
// neighbour counts minus the closed ones, O(deg v). Source: P. Holland and S. Leinhardt, "Local
// structure in social networks", Sociological Methodology 1976 (triad census); orbit counting by
// combinatorial correction in the spirit of T. Hocevar and J. Demsar, "A combinatorial approach
// to graphlet counting", Bioinformatics 2014 (ORCA); used as payment-network features by
// Angel Graph-style risk systems.
var motifRoles = [...]struct {
	name    string
	x, y, z uint8
}{
	{"fanout_center", 1, 1, 0}, {"funnel_center", 2, 2, 0}, {"chain_mid", 1, 2, 0},
	{"mutout_center", 3, 1, 0}, {"mutin_center", 3, 2, 0}, {"mut2_center", 3, 3, 0},
	{"fanout_leaf", 2, 0, 1}, {"funnel_leaf", 1, 0, 2}, {"chain_head", 1, 0, 1}, {"chain_tail", 2, 0, 2},
	{"mutout_mutleaf", 3, 0, 1}, {"mutout_outleaf", 2, 0, 3}, {"mutin_mutleaf", 3, 0, 2},
	{"mutin_inleaf", 1, 0, 3}, {"mut2_leaf", 3, 0, 3},
	{"ffl_source", 1, 1, 1}, {"ffl_mid", 2, 1, 1}, {"ffl_sink", 2, 2, 1}, {"cycle", 1, 2, 1},
	{"fanpair_source", 1, 1, 3}, {"fanpair_member", 3, 2, 2}, {"funpair_sink", 2, 2, 3},
	{"funpair_member", 3, 1, 1}, {"mutchain_head", 3, 1, 2}, {"mutchain_mid", 2, 1, 3},
	{"mutchain_tail", 3, 2, 1}, {"near_clique_src", 3, 1, 3}, {"near_clique_mid", 3, 3, 1},
	{"near_clique_dst", 2, 3, 3}, {"clique", 3, 3, 3},
}

// NumMotifRoles is the number of motif columns: 3 two-node roles and 30 three-node roles.
const NumMotifRoles = 3 + len(motifRoles)

// motifOrbit[x<<4|y<<2|z] is the index in motifRoles of the orbit of (x, y, z), or -1 when the
// three nodes are not weakly connected.
var motifOrbit [64]int8

func motifKey(x, y, z uint8) uint8 {
	a, b := x<<4|y<<2|z, y<<4|x<<2|revDir(z)
	return min(a, b)
}

func init() {
	byKey := map[uint8]int{}
	for i, r := range motifRoles {
		k := motifKey(r.x, r.y, r.z)
		if j, dup := byKey[k]; dup {
			panic(fmt.Sprintf("features: motif roles %s and %s are the same orbit", motifRoles[j].name, r.name)) // a bug in the table
		}
		byKey[k] = i
	}
	for c := 0; c < 64; c++ {
		x, y, z := uint8(c>>4), uint8(c>>2&3), uint8(c&3)
		motifOrbit[c] = -1
		zeros := 0
		for _, e := range []uint8{x, y, z} {
			if e == 0 {
				zeros++
			}
		}
		if zeros > 1 {
			continue
		}
		i, ok := byKey[motifKey(x, y, z)]
		if !ok {
			panic(fmt.Sprintf("features: no motif role for (%d,%d,%d)", x, y, z)) // a bug in the table
		}
		motifOrbit[c] = int8(i)
	}
}

// MotifRoleNames lists the motif column names in the order of Motifs' result.
func MotifRoleNames() []string {
	names := []string{"m2_payer", "m2_payee", "m2_mutual"}
	for _, r := range motifRoles {
		names = append(names, "m3_"+r.name)
	}
	return names
}

// Motifs counts every node's 2- and 3-node directed motif roles on the view s of a directed graph
// (s.Dir must be set). The result has NumMotifRoles slices of s.N counts, in MotifRoleNames order;
// counts saturate at 2^32-1.
func Motifs(s *Sym) ([][]uint32, error) {
	if s.Dir == nil {
		return nil, fmt.Errorf("motif roles need a directed graph (this one is undirected: use triangles and clustering)")
	}
	n := int(s.N)
	out := make([][]uint32, NumMotifRoles)
	for i := range out {
		out[i] = make([]uint32, n)
	}
	// cnt[3v+c-1] = number of v's neighbours with pair code c.
	cnt := make([]uint32, 3*n)
	parallelChunks(n, 4096, func(_, lo, hi int) {
		for v := lo; v < hi; v++ {
			for _, c := range s.Dir[s.Off[v]:s.Off[v+1]] {
				cnt[3*v+int(c)-1]++
			}
		}
	})
	parallelChunks(n, 64, func(_, lo, hi int) {
		var closed [len(motifRoles)]uint64
		var closedEnd [4][4]uint64 // [x][z]: closed triads seen with v-a code x and a-b code z
		for v := lo; v < hi; v++ {
			closed = [len(motifRoles)]uint64{}
			closedEnd = [4][4]uint64{}
			nv, dv := s.Neighbors(uint32(v)), s.Dir[s.Off[v]:s.Off[v+1]]
			for i, a := range nv {
				x := dv[i]
				na, da := s.Neighbors(a), s.Dir[s.Off[a]:s.Off[a+1]]
				// b ranges over common neighbours greater than a.
				rv, rvd := nv[i+1:], dv[i+1:]
				j0, _ := searchU32(na, a+1)
				ra, rad := na[j0:], da[j0:]
				visit := func(jv, ja int) {
					y, z := rvd[jv], rad[ja]
					closed[motifOrbit[x<<4|y<<2|z]]++
					closedEnd[x][z]++
					closedEnd[y][revDir(z)]++
				}
				intersectVisit(rv, ra, visit)
			}
			// Two-node roles.
			no, ni, nm := uint64(cnt[3*v]), uint64(cnt[3*v+1]), uint64(cnt[3*v+2])
			put(out[0], v, no)
			put(out[1], v, ni)
			put(out[2], v, nm)
			// Open triads, v in the centre: pairs of neighbours by code, minus the closed pairs.
			nc := [4]uint64{0, no, ni, nm}
			var closedPair [4][4]uint64
			for r := range motifRoles {
				if rr := motifRoles[r]; rr.z != 0 && rr.y != 0 {
					// closed[r] counts situations whose canonical form is r; recover the
					// unordered code pair {x,y} of v's two edges, which the orbit determines.
					p, q := min(rr.x, rr.y), max(rr.x, rr.y)
					closedPair[p][q] += closed[r]
				}
			}
			var center [4][4]uint64
			for p := uint8(1); p <= 3; p++ {
				for q := p; q <= 3; q++ {
					pairs := nc[p] * nc[q]
					if p == q {
						pairs = nc[p] * (nc[p] - 1) / 2
					}
					center[p][q] = pairs - closedPair[p][q]
				}
			}
			// Open triads, v at an end: for each neighbour a (code x), a's neighbours b != v by
			// code z, minus those closing a triangle with v.
			var end [4][4]uint64
			for i, a := range nv {
				x := dv[i]
				for z := uint8(1); z <= 3; z++ {
					c := uint64(cnt[3*int(a)+int(z)-1])
					if z == revDir(x) {
						c-- // v itself, seen from a
					}
					end[x][z] += c
				}
			}
			var open [len(motifRoles)]uint64
			for p := uint8(1); p <= 3; p++ {
				for q := p; q <= 3; q++ {
					open[motifOrbit[p<<4|q<<2]] += center[p][q]
				}
				for z := uint8(1); z <= 3; z++ {
					open[motifOrbit[p<<4|z]] += end[p][z] - closedEnd[p][z]
				}
			}
			for r := range motifRoles {
				put(out[3+r], v, closed[r]+open[r])
			}
		}
	})
	return out, nil
}

func put(col []uint32, v int, x uint64) { col[v] = uint32(min(x, 1<<32-1)) }

// intersectVisit calls visit(i, j) for every a[i] == b[j] of two sorted lists, galloping through
// the longer one when the lengths differ a lot.
func intersectVisit(a, b []uint32, visit func(i, j int)) {
	if len(a) == 0 || len(b) == 0 {
		return
	}
	if len(a) > 32*len(b) {
		lo := 0
		for j, x := range b {
			i, ok := searchU32(a[lo:], x)
			lo += i
			if ok {
				visit(lo, j)
			}
			if lo >= len(a) {
				return
			}
		}
		return
	}
	if len(b) > 32*len(a) {
		lo := 0
		for i, x := range a {
			j, ok := searchU32(b[lo:], x)
			lo += j
			if ok {
				visit(i, lo)
			}
			if lo >= len(b) {
				return
			}
		}
		return
	}
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if a[i] < b[j] {
			i++
		} else if a[i] > b[j] {
			j++
		} else {
			visit(i, j)
			i++
			j++
		}
	}
}
