// Command partition is bench/partition's synthetic part: it generates a planted-partition graph
// (blocks of -block nodes; per node -in arcs to random nodes of its block and -out arcs to random
// nodes anywhere, seeded) and prints, for each R, the Louvain partition's and the hash partition's
// edge cut, replication factor, balance and time as TSV.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"

	"riskwalk/community"
	"riskwalk/internal/tsvgraph"
	"riskwalk/partition"
)

func main() {
	n := flag.Int("n", 1_000_000, "nodes")
	block := flag.Int("block", 1000, "planted block size")
	in := flag.Int("in", 8, "arcs per node inside its block")
	out := flag.Int("out", 2, "arcs per node to uniformly random nodes")
	ranks := flag.String("ranks", "4,16,64", "comma-separated part counts")
	seed := flag.Uint64("seed", 1, "generator and Louvain seed")
	flag.Parse()
	r := rand.New(rand.NewPCG(*seed, 7))
	src := make([]uint32, 0, *n*(*in+*out))
	dst := make([]uint32, 0, *n*(*in+*out))
	for v := 0; v < *n; v++ {
		b := v / *block * *block
		for i := 0; i < *in; i++ {
			src, dst = append(src, uint32(v)), append(dst, uint32(b+r.IntN(min(*block, *n-b))))
		}
		for i := 0; i < *out; i++ {
			src, dst = append(src, uint32(v)), append(dst, uint32(r.IntN(*n)))
		}
	}
	// Relabel nodes randomly so that ids carry no block information (a hash of ids then is as good
	// as any id-based split, and Louvain must find the blocks itself).
	perm := r.Perm(*n)
	for i := range src {
		src[i], dst[i] = uint32(perm[src[i]]), uint32(perm[dst[i]])
	}
	g := tsvgraph.FromArcs(uint32(*n), src, dst, false)
	src, dst = nil, nil
	fmt.Fprintf(os.Stderr, "planted: %d nodes, %d undirected edges, blocks of %d, in/out arcs %d/%d\n", g.N, g.NumArcs()/2, *block, *in, *out)
	fmt.Println("graph\tR\tmethod\tseconds\tcut_pct\treplication\tbalance\tnode_balance")
	for _, rs := range strings.Split(*ranks, ",") {
		R, _ := strconv.Atoi(rs)
		t0 := time.Now()
		p, _, err := partition.Louvain(g, R, partition.Options{Community: community.Options{Seed: *seed}})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		el := time.Since(t0)
		s := partition.Evaluate(g, p)
		fmt.Printf("planted-%d\t%d\tlouvain\t%.3f\t%.2f\t%.3f\t%.3f\t%.3f\n", *n, R, el.Seconds(), s.CutPct, s.ReplicationFactor, s.Balance, s.NodeBalance)
		t0 = time.Now()
		h, _ := partition.Hash(g, R, *seed, 0)
		el = time.Since(t0)
		s = partition.Evaluate(g, h)
		fmt.Printf("planted-%d\t%d\thash\t%.3f\t%.2f\t%.3f\t%.3f\t%.3f\n", *n, R, el.Seconds(), s.CutPct, s.ReplicationFactor, s.Balance, s.NodeBalance)
	}
}
