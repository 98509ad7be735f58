package features

import (
	"math/rand/v2"
	"testing"

	"riskwalk/graph"
)

// TestTarjanSCC checks tarjanSCC (Pearce's one-word variant) against the transitive closure on
// small random directed graphs (self-loops, duplicate arcs, isolated nodes, long cycles): two
// nodes share a component exactly when each reaches the other; an arc between components goes to
// a lower number (sinks first); the numbers are 0..count-1; and a component's height is 0 when no
// arc leaves it, else one more than the greatest height of the components its arcs lead to.
func TestTarjanSCC(t *testing.T) {
	for seed := uint64(1); seed <= 300; seed++ {
		rng := rand.New(rand.NewPCG(seed, 5))
		n := uint32(1 + rng.IntN(40))
		var es []graph.Edge
		for range rng.IntN(3 * int(n)) {
			es = append(es, graph.Edge{U: rng.Uint32N(n), V: rng.Uint32N(n)})
		}
		if seed%7 == 0 { // one long cycle through every node
			for v := uint32(0); v < n; v++ {
				es = append(es, graph.Edge{U: v, V: (v + 1) % n})
			}
		}
		g, err := graph.FromEdges(n, es, true, false, false)
		if err != nil {
			t.Fatal(err)
		}
		reach := make([][]bool, n)
		for u := range reach {
			reach[u] = make([]bool, n)
			reach[u][u] = true
			for _, v := range g.Neighbors(uint32(u)) {
				reach[u][v] = true
			}
		}
		for k := range n {
			for i := range n {
				if reach[i][k] {
					for j := range n {
						reach[i][j] = reach[i][j] || reach[k][j]
					}
				}
			}
		}
		comp, count, height := tarjanSCC(g)
		if len(height) != int(count) {
			t.Fatalf("seed %d: %d heights for %d components", seed, len(height), count)
		}
		seen := make([]bool, count)
		for u := range n {
			if comp[u] >= count {
				t.Fatalf("seed %d: node %d in component %d of %d", seed, u, comp[u], count)
			}
			seen[comp[u]] = true
			for v := range n {
				if same := reach[u][v] && reach[v][u]; same != (comp[u] == comp[v]) {
					t.Fatalf("seed %d: nodes %d, %d: mutually reachable %v, components %d, %d", seed, u, v, same, comp[u], comp[v])
				}
			}
		}
		want := make([]uint32, count)
		for c := range count { // components in increasing number: successors first
			for u := range n {
				if comp[u] != c {
					continue
				}
				for _, v := range g.Neighbors(u) {
					if cv := comp[v]; cv != c {
						if cv > c {
							t.Fatalf("seed %d: arc %d->%d from component %d to later %d", seed, u, v, c, cv)
						}
						want[c] = max(want[c], want[cv]+1)
					}
				}
			}
			if !seen[c] || height[c] != want[c] {
				t.Fatalf("seed %d: component %d (used %v) height %d, want %d", seed, c, seen[c], height[c], want[c])
			}
		}
	}
}

// TestGatherSum checks the unchecked gather kernel against its checked reference, every length
// 0..40 (all remainders of the four-way unrolling).
func TestGatherSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	c := make([]float64, 1000)
	for i := range c {
		c[i] = rng.Float64()
	}
	for n := 0; n <= 40; n++ {
		us := make([]uint32, n)
		for i := range us {
			us[i] = rng.Uint32N(uint32(len(c)))
		}
		got, want := gatherSum(c, us), gatherSumRef(c, us)
		if d := got - want; d > 1e-12 || d < -1e-12 {
			t.Fatalf("n=%d: gatherSum %v, reference %v", n, got, want)
		}
	}
}
