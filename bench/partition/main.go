// Command partition is bench/partition's synthetic part: it generates a planted-partition graph
// (blocks of -block nodes; per node -in arcs to random nodes of its block and -out arcs to random
// nodes anywhere, seeded) and prints, for each R, the Louvain partition's and the hash partition's
// edge cut, replication factor, balance and time as TSV.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"

	"riskwalk/community"
	"riskwalk/graph"
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
	g, err := plantedGraph(*n, *block, *in, *out, *seed)
	if err != nil {
		fmt.Fprintln(os.Stderr, "partition:", err)
		os.Exit(1)
	}
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

// plantedGraph writes the planted-partition edge list to a temporary file and loads it with
// graph.Ingest, the project's one edge-list loader. Nodes are relabelled randomly so that ids carry
// no block information (a hash of ids then is as good as any id-based split, and Louvain must find
// the blocks itself).
func plantedGraph(n, block, in, out int, seed uint64) (*graph.Graph, error) {
	r := rand.New(rand.NewPCG(seed, 7))
	perm := r.Perm(n)
	f, err := os.CreateTemp("", "riskwalk-planted-*.tsv")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	var line []byte
	emit := func(u, v int) {
		line = strconv.AppendInt(line[:0], int64(perm[u]), 10)
		line = append(line, '\t')
		line = strconv.AppendInt(line, int64(perm[v]), 10)
		line = append(line, '\n')
		w.Write(line)
	}
	for v := 0; v < n; v++ {
		b := v / block * block
		for i := 0; i < in; i++ {
			emit(v, b+r.IntN(min(block, n-b)))
		}
		for i := 0; i < out; i++ {
			emit(v, r.IntN(n))
		}
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	res, err := graph.Ingest([]string{f.Name()}, graph.IngestOptions{})
	if err != nil {
		return nil, err
	}
	return res.Graph, nil
}
