package partition

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"riskwalk/community"
	"riskwalk/graph"
	"riskwalk/internal/secfile"
	"riskwalk/internal/testenv"
)

func loadShared(t *testing.T, name, file string, directed bool) *graph.Graph {
	t.Helper()
	in, err := graph.Ingest([]string{testenv.DataFile(t, name, file)}, graph.IngestOptions{Directed: directed})
	if err != nil {
		t.Fatal(err)
	}
	return in.Graph
}

// planted is a planted-partition graph: blocks of bs nodes, din arcs inside the block and dout to
// random nodes per node.
func planted(n, bs, din, dout int, seed uint64) *graph.Graph {
	r := rand.New(rand.NewPCG(seed, 1))
	var edges []graph.Edge
	for v := 0; v < n; v++ {
		b := v / bs * bs
		for i := 0; i < din; i++ {
			edges = append(edges, graph.Edge{U: uint32(v), V: uint32(b + r.IntN(min(bs, n-b))), W: 1})
		}
		for i := 0; i < dout; i++ {
			edges = append(edges, graph.Edge{U: uint32(v), V: uint32(r.IntN(n)), W: 1})
		}
	}
	g, err := graph.FromEdges(uint32(n), edges, false, false, false)
	if err != nil {
		panic(err)
	}
	return g
}

// checkInvariants verifies p against g from the definitions in the package doc, by brute force.
func checkInvariants(t *testing.T, g *graph.Graph, p *Partition) {
	t.Helper()
	u := community.Undirected(g)
	n := u.N
	count := make([]int, n)
	for part := uint32(0); part < p.R; part++ {
		o := p.Owned(part)
		if !slices.IsSorted(o) {
			t.Fatalf("part %d: owned not sorted", part)
		}
		for _, v := range o {
			count[v]++
			if p.Owner(v) != part {
				t.Fatalf("node %d in part %d's list but Owner says %d", v, part, p.Owner(v))
			}
		}
	}
	for v, c := range count {
		if c != 1 {
			t.Fatalf("node %d owned %d times", v, c)
		}
	}
	boundary := Boundary(u, ownerSlice(p))
	union := make([]bool, n)
	for part := uint32(0); part < p.R; part++ {
		want := map[uint32]bool{}
		for v := uint32(0); v < n; v++ {
			if p.Owner(v) != part {
				continue
			}
			for _, x := range u.Neighbors(v) {
				if p.Owner(x) != part {
					want[x] = true
				}
			}
		}
		if p.SupernodeDegree > 0 {
			for v := uint32(0); v < n; v++ {
				if u.Degree(v) >= p.SupernodeDegree && p.Owner(v) != part {
					want[v] = true
				}
			}
		}
		got := p.Replicas(part)
		if len(got) != len(want) || !slices.IsSorted(got) {
			t.Fatalf("part %d: %d replicas (sorted %v), want %d", part, len(got), slices.IsSorted(got), len(want))
		}
		for i, v := range got {
			if !want[v] || p.ReplicaOwners(part)[i] != p.Owner(v) {
				t.Fatalf("part %d: replica %d not adjacent or wrong owner", part, v)
			}
			union[v] = true
		}
		l := p.Local(part)
		dense := l.DenseMap(n)
		for v := uint32(0); v < n; v++ {
			id, ok := l.ID(v)
			held := p.Owner(v) == part || want[v]
			if ok != held || dense[v] != id || (ok && l.Nodes[id] != v) || (ok && (int(id) < l.NumOwned) != (p.Owner(v) == part)) {
				t.Fatalf("part %d: local id of %d is %d,%v (dense %d), held %v", part, v, id, ok, dense[v], held)
			}
		}
	}
	if p.SupernodeDegree == 0 {
		for v := uint32(0); v < n; v++ {
			if union[v] != boundary.Test(uint(v)) {
				t.Fatalf("node %d: in some replica set %v, boundary %v", v, union[v], boundary.Test(uint(v)))
			}
		}
	}
}

func ownerSlice(p *Partition) []uint32 {
	o := make([]uint32, p.N)
	for v := range o {
		o[v] = p.Owner(uint32(v))
	}
	return o
}

func TestInvariants(t *testing.T) {
	email := loadShared(t, "email-eu-core", "edges.tsv", true) // directed, with self-loops
	pl := planted(3000, 50, 5, 1, 1)
	for _, g := range []*graph.Graph{email, pl} {
		for _, r := range []int{1, 3, 8} {
			p, _, err := Louvain(g, r, Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, g, p)
			h, _ := Hash(g, r, 1, 0)
			checkInvariants(t, g, h)
		}
	}
	p, _, _ := Louvain(email, 4, Options{SupernodeDegree: 100})
	checkInvariants(t, email, p)
	if _, err := FromOwner(pl, make([]uint32, 5), 2, 0); err == nil {
		t.Fatal("short owner slice accepted")
	}
	if _, err := FromOwner(pl, slices.Repeat([]uint32{2}, 3000), 2, 0); err == nil {
		t.Fatal("owner ≥ R accepted")
	}
	if _, err := Hash(pl, 0, 0, 0); err == nil {
		t.Fatal("R = 0 accepted")
	}
}

// On the small shared graphs and a planted-partition graph, Louvain packing keeps max/mean load
// within the package doc's bound (1.05 unless single nodes are heavy) and cuts fewer edges than hashing (the large graphs are in big_test.go, without -race).
func TestBalanceAndCut(t *testing.T) {
	checkBalanceAndCut(t, []namedGraph{
		{"email-eu-core", loadShared(t, "email-eu-core", "edges.tsv", true)},
		{"blogcatalog", loadShared(t, "blogcatalog", "edges.tsv", false)},
		{"ppi", loadShared(t, "ppi", "edges.tsv", false)},
		{"pos", loadShared(t, "pos", "edges.tsv", false)},
		{"planted", planted(20000, 200, 8, 2, 2)},
	})
}

type namedGraph struct {
	name string
	g    *graph.Graph
}

// checkBalanceAndCut partitions each graph into 2, 4 and 8 parts with Louvain and checks the
// balance bound and a cut below hashing's.
func checkBalanceAndCut(t *testing.T, graphs []namedGraph) {
	t.Helper()
	for _, tc := range graphs {
		u := community.Undirected(tc.g)
		res, err := community.Louvain(u, community.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []int{2, 4, 8} {
			p := build(u, pack(u, res, r, Options{Slack: 0.02}), r, 0)
			s := Evaluate(u, p)
			h, _ := Hash(u, r, 0, 0)
			hs := Evaluate(u, h)
			t.Logf("%s R=%d: balance %.3f (nodes %.3f) cut %.1f%% (hash %.1f%%) replication %.2f (hash %.2f)", tc.name, r, s.Balance, s.NodeBalance, s.CutPct, hs.CutPct, s.ReplicationFactor, hs.ReplicationFactor)
			// The package doc's bound: 1 + 2·Slack + (largest degree)/(E/R); 1.05 when no node
			// weighs more than 1% of a part (pos at R=8 has a node of 16%).
			var maxDeg uint32
			for v := uint32(0); v < u.N; v++ {
				maxDeg = max(maxDeg, u.Degree(v))
			}
			bound := max(1.05, 1+2*0.02+float64(maxDeg)*float64(r)/float64(u.NumArcs()))
			if s.Balance > bound {
				t.Errorf("%s R=%d: balance %.4f > %.4f", tc.name, r, s.Balance, bound)
			}
			if s.CutPct >= hs.CutPct {
				t.Errorf("%s R=%d: Louvain cut %.2f%% not below hash %.2f%%", tc.name, r, s.CutPct, hs.CutPct)
			}
		}
	}
}

func TestDeterministic(t *testing.T) {
	g := planted(6000, 100, 6, 2, 5)
	a, _, _ := Louvain(g, 5, Options{Community: community.Options{Seed: 3, Threads: 1}})
	b, _, _ := Louvain(g, 5, Options{Community: community.Options{Seed: 3, Threads: 4}})
	if !slices.Equal(ownerSlice(a), ownerSlice(b)) || !slices.Equal(a.repl, b.repl) {
		t.Fatal("same seed, different thread counts: different partitions")
	}
}

func writeOpen(t *testing.T, p *Partition, sum uint64) (*File, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "p.rwp")
	if err := Write(path, p, sum); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, path
}

func TestFileRoundTrip(t *testing.T) {
	g := planted(5000, 40, 5, 1, 9)
	p, _, _ := Louvain(g, 6, Options{Community: community.Options{Seed: 4, Resolution: 1.5}, SupernodeDegree: 30})
	f, _ := writeOpen(t, p, 0xfeedbeef12345678)
	if f.N != p.N || f.R != p.R || f.Method != MethodLouvain || f.Seed != 4 || f.Resolution != 1.5 || f.SupernodeDegree != 30 || f.GraphChecksum() != 0xfeedbeef12345678 {
		t.Fatalf("meta: %+v sum %x", f.Partition, f.GraphChecksum())
	}
	for part := uint32(0); part < p.R; part++ {
		if !slices.Equal(f.Owned(part), p.Owned(part)) || !slices.Equal(f.Replicas(part), p.Replicas(part)) || !slices.Equal(f.ReplicaOwners(part), p.ReplicaOwners(part)) {
			t.Fatalf("part %d differs after round trip", part)
		}
	}
	if !slices.Equal(ownerSlice(f.Partition), ownerSlice(p)) {
		t.Fatal("owners differ after round trip")
	}
	checkInvariants(t, g, f.Partition)
	if err := f.CheckGraph(0xfeedbeef12345678, p.N); err != nil {
		t.Fatal(err)
	}
	if err := f.CheckGraph(0xfeedbeef12345679, p.N); err == nil {
		t.Fatal("graph checksum mismatch accepted")
	}
	if err := f.CheckGraph(0xfeedbeef12345678, p.N+1); err == nil {
		t.Fatal("node count mismatch accepted")
	}
	// 32-bit owners when R > 65536.
	h, _ := Hash(g, 70000, 0, 0)
	f32, _ := writeOpen(t, h, 1)
	if f32.owner32 == nil || !slices.Equal(ownerSlice(f32.Partition), ownerSlice(h)) {
		t.Fatal("32-bit owners lost")
	}
}

func TestCorruptRefused(t *testing.T) {
	g := planted(2000, 40, 5, 1, 9)
	p, _, _ := Louvain(g, 4, Options{})
	f, path := writeOpen(t, p, 7)
	f.Close()
	data, _ := os.ReadFile(path)
	for _, off := range []int{3, 20, len(data) / 2, len(data) - 1} {
		bad := slices.Clone(data)
		bad[off] ^= 0x40
		bp := filepath.Join(t.TempDir(), "bad.rwp")
		os.WriteFile(bp, bad, 0o644)
		if _, err := Open(bp); err == nil || (off != 3 && !errors.Is(err, secfile.ErrCorrupt)) {
			t.Fatalf("flipped byte %d: err %v", off, err)
		}
	}
	tp := filepath.Join(t.TempDir(), "trunc.rwp")
	os.WriteFile(tp, data[:len(data)-100], 0o644)
	if _, err := Open(tp); !errors.Is(err, secfile.ErrCorrupt) {
		t.Fatalf("truncated file: %v", err)
	}
	// Well-formed container, wrong content: a node moved to another part's list only in owner.
	q := *p
	q.owner16 = slices.Clone(p.owner16)
	q.owner16[p.Owned(0)[0]] = 1
	bp := filepath.Join(t.TempDir(), "inconsistent.rwp")
	if err := Write(bp, &q, 7); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(bp); !errors.Is(err, secfile.ErrCorrupt) {
		t.Fatalf("inconsistent owner accepted: %v", err)
	}
}

// Balancing by nodes keeps owned node counts within 5%; mixed keeps the mixed load within its
// bound; both keep the invariants.
func TestBalanceModes(t *testing.T) {
	for _, g := range []*graph.Graph{loadShared(t, "email-eu-core", "edges.tsv", true), planted(5000, 50, 5, 1, 3)} {
		u := community.Undirected(g)
		for _, r := range []int{3, 8} {
			p, _, err := Louvain(g, r, Options{Balance: BalanceNodes})
			if err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, g, p)
			if s := Evaluate(g, p); s.NodeBalance > 1.05 {
				t.Errorf("balance nodes, R=%d: node balance %.3f > 1.05", r, s.NodeBalance)
			}
			p, _, _ = Louvain(g, r, Options{Balance: BalanceMixed})
			checkInvariants(t, g, p)
			w := nodeWeights(u, BalanceMixed)
			load := make([]uint64, r)
			var maxW, tot uint64
			for v, x := range w {
				load[p.Owner(uint32(v))] += uint64(x)
				maxW, tot = max(maxW, uint64(x)), tot+uint64(x)
			}
			if b, bound := maxOverMean(load), 1.05+float64(maxW)*float64(r)/float64(tot); b > bound {
				t.Errorf("balance mixed, R=%d: mixed-load balance %.3f > %.3f", r, b, bound)
			}
		}
	}
	if _, err := ParseBalance("arcs"); err == nil {
		t.Fatal("ParseBalance accepted arcs")
	}
}
