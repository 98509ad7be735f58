package features

import (
	"math/rand/v2"

	"riskwalk/graph"
)

// Supernode builds the supernode-safety test graph: node 0 (a medium, type "wifi") joined to
// every one of leaves user nodes 1..leaves, plus one device node per 10 users and 2*leaves random
// directed user-user and user-device arcs, directed, seeded. Every feature must run on it without
// quadratic work at node 0 (degree >= leaves).
func Supernode(leaves int, seed uint64) *graph.Graph {
	users := uint32(leaves)
	devices := users / 10
	n := 1 + users + devices
	rng := rand.New(rand.NewPCG(seed, 1))
	es := make([]graph.Edge, 0, 3*leaves)
	for u := uint32(1); u <= users; u++ {
		es = append(es, graph.Edge{U: u, V: 0, W: 1})
	}
	for i := 0; i < 2*leaves; i++ {
		u := 1 + rng.Uint32N(users)
		var v uint32
		if i%2 == 0 {
			v = 1 + rng.Uint32N(users)
		} else {
			v = 1 + users + rng.Uint32N(devices)
		}
		es = append(es, graph.Edge{U: u, V: v, W: 1})
	}
	g, err := graph.FromEdges(n, es, true, false, false)
	if err != nil {
		panic(err) // a bug: every id above is below n
	}
	g.Types = make([]uint8, n)
	g.TypeNames = []string{"user", "wifi", "device"}
	g.Types[0] = 1
	for v := 1 + users; v < n; v++ {
		g.Types[v] = 2
	}
	return g
}
