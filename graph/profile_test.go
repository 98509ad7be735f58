package graph

import (
	"math/rand/v2"
	"testing"
)

func TestProfileSmall(t *testing.T) {
	// Two triangles {0,1,2} {3,4,5} joined by 2-3, a self-loop on 5, node 6 isolated.
	es := []Edge{{0, 1, 1, 0}, {1, 2, 1, 0}, {0, 2, 1, 0}, {3, 4, 1, 0}, {4, 5, 1, 0}, {3, 5, 1, 0}, {2, 3, 1, 0}, {5, 5, 1, 0}}
	g, _ := FromEdges(7, es, false, false, false)
	p := ProfileGraph("t", g, nil, ProfileOptions{Dim: 16, Ranks: []int{1, 2}, Threads: 1, TopHubs: 2})
	if p.Nodes != 7 || p.Edges != 8 || p.Arcs != 15 || p.SelfLoops != 1 || p.Isolated != 1 {
		t.Fatalf("counts %+v", p)
	}
	if p.Components.Count != 2 || p.Components.Largest != 6 || p.Components.Singletons != 1 {
		t.Fatalf("components %+v", p.Components)
	}
	// Degrees: 2,2,3,3,2,3(2 + loop),0 -> max 3, min 0, median 2.
	if p.Degree.Max != 3 || p.Degree.Min != 0 || p.Degree.Median != 2 {
		t.Fatalf("degree %+v", p.Degree)
	}
	if len(p.Hubs) != 2 || p.Hubs[0].Node != 2 || p.Hubs[1].Node != 3 {
		t.Fatalf("hubs %+v (want 2 then 3: ties go to the smaller id)", p.Hubs)
	}
	var binned uint64
	for _, b := range p.DegreeBins {
		binned += b.Nodes
		if b.Lo == 2 && b.Nodes != 6 {
			t.Fatalf("bin 2-3 has %d nodes, want 6", b.Nodes)
		}
	}
	if binned != 7 {
		t.Fatalf("bins hold %d nodes", binned)
	}
	m := p.Memory
	scratch := uint64(1 * (2*16*4 + 80*4))
	if m.TrainOneProcess != 2*7*16*4+g.CSRBytes()+scratch || m.ServeFloat32 != 7*16*4 || m.ServeInt8 != 7*20 {
		t.Fatalf("memory %+v", m)
	}
	// Two ranks: parts {0,1,2,3} (replicas 4, 5) and {4,5,6} (replica 3); the first is larger.
	r := m.PerRank[1]
	if r.Ranks != 2 || r.Owned != 4 || r.Replicas != 2 {
		t.Fatalf("per rank %+v", m.PerRank)
	}
}

// TestWCCAgainstBFS checks the union-find against a plain BFS on random sparse graphs.
func TestWCCAgainstBFS(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for trial := 0; trial < 20; trial++ {
		n := uint32(1 + r.IntN(500))
		var es []Edge
		for i := 0; i < r.IntN(int(n)); i++ {
			es = append(es, Edge{U: r.Uint32N(n), V: r.Uint32N(n), W: 1})
		}
		directed := trial%2 == 0
		g, _ := FromEdges(n, es, directed, false, false)
		und, _ := FromEdges(n, es, false, false, false)
		seen := make([]bool, n)
		var count, largest uint64
		for s := uint32(0); s < n; s++ {
			if seen[s] {
				continue
			}
			count++
			size := uint64(0)
			q := []uint32{s}
			seen[s] = true
			for len(q) > 0 {
				v := q[0]
				q = q[1:]
				size++
				for _, u := range und.Neighbors(v) {
					if !seen[u] {
						seen[u] = true
						q = append(q, u)
					}
				}
			}
			largest = max(largest, size)
		}
		c := wcc(g)
		if c.Count != count || c.Largest != largest {
			t.Fatalf("trial %d: wcc %+v, BFS count %d largest %d", trial, c, count, largest)
		}
	}
}
