package spmd

import (
	"slices"
	"sync"
	"testing"

	"riskwalk/trainer"
	"riskwalk/walk"
)

// TestHaloVisitCorpus checks HaloVisit's invariant on a 3-part planted graph: a rank's walks are
// the global graph's walks (every step an arc of the graph) from its owned nodes, WalksPerNode
// from each, so the parts together start every node's walks, the one-process corpus split by the
// owner of the start node; after FindVisited and AddExtra every token of every walk maps to a
// row holding that node (none dropped: CountVisits sums to the walks' length), the visited rows
// are exactly the walked-to nodes outside owned ∪ replicas (and there are some: walks leave the
// part), and the sampled negatives avoid them. Under HaloThrough the same walks lose tokens. A
// limit on the visited rows keeps the most visited ones and counts the visits it drops.
func TestHaloVisitCorpus(t *testing.T) {
	g := planted(t, 600, 100, 8, 2, 3)
	const R, walks, length = 3, 4, 12
	p := louvainParts(t, g, R)
	started := make([]int, g.N)
	for part := uint32(0); part < R; part++ {
		pt, err := BuildPart(g, p, part, HaloVisit)
		if err != nil {
			t.Fatal(err)
		}
		if pt.G != g || !slices.Equal(pt.Starts, p.Owned(part)) {
			t.Fatalf("part %d: visit must walk the global graph from the owned nodes", part)
		}
		wk, err := walk.New(pt.G, walk.Config{Length: length})
		if err != nil {
			t.Fatal(err)
		}
		cfg := trainer.Config{WalksPerNode: walks, WalkLength: length, Threads: 2, Seed: 11 + uint64(part)}
		job := &trainer.Job{Config: cfg, Walker: wk, Starts: pt.Starts, Rows: pt.Rows}
		// Tokens the part does not hold before AddExtra: what HaloThrough drops.
		outside := map[uint32]int{}
		var mu sync.Mutex
		dropped, tokens := 0, 0
		if err := trainer.EachWalk(job, func(_ int, w []uint32) {
			mu.Lock()
			defer mu.Unlock()
			started[w[0]]++
			tokens += len(w)
			for i, v := range w {
				if i > 0 {
					if _, ok := slices.BinarySearch(g.Neighbors(w[i-1]), v); !ok {
						t.Errorf("part %d: step %d -> %d is not an arc of the graph", part, w[i-1], v)
					}
				}
				if pt.Rows.Local[v] < 0 {
					outside[v]++
					dropped++
				}
			}
		}); err != nil {
			t.Fatal(err)
		}
		visited, _, visits, err := FindVisited(job, pt, 0)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]uint32, 0, len(outside))
		for v := range outside {
			want = append(want, v)
		}
		slices.Sort(want)
		if len(visited) == 0 || !slices.Equal(visited, want) {
			t.Fatalf("part %d: FindVisited gave %d nodes, the walks reach %d outside the part (want the same, and some)", part, len(visited), len(want))
		}
		// A limit keeps the most visited nodes and counts the visits to the others.
		k := len(visited) / 3
		top, dropped2, _, err := FindVisited(job, pt, k)
		if err != nil {
			t.Fatal(err)
		}
		least, kept, rest := 1<<30, 0, 0
		for _, v := range top {
			least = min(least, outside[v])
			kept += outside[v]
		}
		for v, c := range outside {
			if _, ok := slices.BinarySearch(top, v); !ok && c > least {
				t.Fatalf("part %d: limit %d keeps a node visited %d times but drops node %d, visited %d", part, k, least, v, c)
			}
			if _, ok := slices.BinarySearch(top, v); !ok {
				rest += c
			}
		}
		if len(top) != k || !slices.IsSorted(top) || int(dropped2) != rest || kept+rest != dropped {
			t.Fatalf("part %d: limit %d gave %d nodes (sorted %v), %d dropped visits; want %d, sorted, %d", part, k, len(top), slices.IsSorted(top), dropped2, k, rest)
		}
		sampled := SampleRemote(g, p, part, 40, 1, visited)
		for _, v := range sampled {
			if _, ok := slices.BinarySearch(visited, v); ok || pt.Rows.Local[v] >= 0 {
				t.Fatalf("part %d: sampled negative %d is held or visited already", part, v)
			}
		}
		if err := pt.AddExtra(visited, sampled); err != nil {
			t.Fatal(err)
		}
		if pt.Visited != len(visited) || len(pt.Extra) != len(visited)+len(sampled) {
			t.Fatalf("part %d: %d visited of %d extra rows, want %d of %d", part, pt.Visited, len(pt.Extra), len(visited), len(visited)+len(sampled))
		}
		L := len(pt.Nodes)
		for i, v := range pt.Rows.Nodes {
			if pt.Rows.Local[v] != int32(i) || (i >= L && v != visited[i-L]) || (i < L && v != pt.Nodes[i]) {
				t.Fatalf("part %d: row %d holds node %d, which maps to row %d", part, i, v, pt.Rows.Local[v])
			}
		}
		for _, v := range sampled { // negatives only: never a token
			if pt.Rows.Local[v] >= 0 {
				t.Fatalf("part %d: sampled node %d joined the row map", part, v)
			}
		}
		job.Model = &trainer.Model{Rows: L + len(pt.Extra) + 1}
		counts, err := trainer.CountVisits(job)
		if err != nil {
			t.Fatal(err)
		}
		total := 0.0
		for _, c := range counts {
			total += c
		}
		if int(total) != tokens || dropped == 0 {
			t.Fatalf("part %d: rows count %.0f tokens of %d walked (through would drop %d): want all", part, total, tokens, dropped)
		}
		// The counts Run takes from FindVisited's replay are CountVisits's, row by row.
		if rc := rowCounts(pt, visits); !slices.Equal(rc, counts[:len(rc)]) {
			t.Fatalf("part %d: rowCounts differ from CountVisits over the %d walked rows", part, len(rc))
		}
		t.Logf("part %d: %d owned, %d replicas, %d visited rows; through drops %d of %d tokens", part, pt.Owned, L-pt.Owned, len(visited), dropped, tokens)
	}
	for v, n := range started {
		if n != walks {
			t.Fatalf("node %d starts %d walks over all parts, want %d", v, n, walks)
		}
	}
}
