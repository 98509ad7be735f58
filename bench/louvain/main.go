// Command louvain times riskwalk's Louvain on edge-list files for bench/louvain/run.sh: it loads
// each file's undirected simple view (reciprocal arcs collapsed, self-loops dropped, the view
// igraph gets from the same script) and prints one TSV line per run: graph, threads, seed,
// seconds, modularity, communities, levels.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"riskwalk/community"
	"riskwalk/graph"
)

func main() {
	repeats := flag.Int("repeats", 5, "runs per graph and thread count (seeds 0..repeats-1)")
	threads := flag.String("threads", "1,2", "comma-separated thread counts")
	batch := flag.Int("batch", 0, "Options.BatchSize (0: default)")
	minGain := flag.Float64("mingain", 0, "Options.MinGain (0: default)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: louvain [flags] EDGES.tsv[.gz]...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	for _, path := range flag.Args() {
		in, err := graph.Ingest([]string{path}, graph.IngestOptions{DropSelfLoops: true})
		if err != nil {
			fmt.Fprintln(os.Stderr, "louvain:", err)
			os.Exit(1)
		}
		g := in.Graph
		name := filepath.Base(filepath.Dir(path))
		fmt.Fprintf(os.Stderr, "%s: %d nodes, %d edges\n", name, g.N, g.NumArcs()/2)
		for _, ts := range strings.Split(*threads, ",") {
			var th int
			fmt.Sscan(ts, &th)
			for seed := 0; seed < *repeats; seed++ {
				t0 := time.Now()
				r, err := community.Louvain(g, community.Options{Seed: uint64(seed), Threads: th, BatchSize: *batch, MinGain: *minGain})
				el := time.Since(t0).Seconds()
				if err != nil {
					fmt.Fprintln(os.Stderr, "louvain:", err)
					os.Exit(1)
				}
				fmt.Printf("%s\triskwalk-%dt\t%d\t%.4f\t%.6f\t%d\t%d\n", name, th, seed, el, r.Modularity, r.NumCommunities, len(r.Levels))
			}
		}
	}
}
