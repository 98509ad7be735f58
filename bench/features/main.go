// Command features-bench times riskwalk's graph features (PageRank, weakly connected components,
// k-core, triangles) on one graph, median of -repeat runs, timing only the algorithm (loading and
// the undirected simple view, which the igraph side also builds before its clock starts, are not
// timed; PageRank's transpose is, since igraph's PRPACK builds its own inside the call). It writes
// each result as raw little-endian arrays under -out so that igraph.py can compare them with
// igraph's. Each line's note ends with cpu=S, the median CPU time (user+system, all threads) of
// the timed calls, which the load of a shared machine inflates less than wall time. Run by
// run.sh; see bench/RESULTS.md.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"syscall"
	"time"

	"riskwalk/features"
	"riskwalk/graph"
	"riskwalk/internal/secfile"
)

func main() {
	path := flag.String("graph", "", "arcs TSV (.gz) with integer ids")
	name := flag.String("name", "", "data set name for the output lines and files")
	directed := flag.Bool("directed", false, "read the arcs as directed")
	nodes := flag.Uint("n", 0, "node count (ids 0..n-1; default max id + 1)")
	repeat := flag.Int("repeat", 5, "runs per algorithm (median reported)")
	out := flag.String("out", "", "folder for the result arrays (none when empty)")
	tol := flag.Float64("tol", 1e-8, "PageRank tolerance (L1 change per sweep; the result must stay within 1e-6 L1 of igraph's)")
	algos := flag.String("algos", "pagerank,wcc,kcore,triangles", "algorithms to run")
	flag.Parse()
	if *path == "" || *name == "" {
		fmt.Fprintln(os.Stderr, "usage: features-bench -graph ARCS.tsv.gz -name NAME [-directed] [-repeat 5] [-out DIR]")
		os.Exit(2)
	}
	g, err := load(*path, *directed, uint32(*nodes))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	s := features.SymView(g)
	procs := runtime.GOMAXPROCS(0)
	fmt.Fprintf(os.Stderr, "%s: %d nodes, %d arcs, %d undirected simple edges, GOMAXPROCS=%d\n", *name, g.N, g.NumArcs(), s.NumEdges(), procs)
	dump := func(algo string, b []byte) {
		if *out == "" {
			return
		}
		if err := os.WriteFile(filepath.Join(*out, *name+"."+algo+".bin"), b, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	run := func(algo string, f func() string) {
		ts := make([]float64, *repeat)
		cs := make([]float64, *repeat)
		var note string
		for i := range ts {
			runtime.GC()
			c := cpuSeconds()
			t := time.Now()
			note = f()
			ts[i] = time.Since(t).Seconds()
			cs[i] = cpuSeconds() - c
		}
		slices.Sort(ts)
		slices.Sort(cs)
		if note != "" {
			note += " "
		}
		fmt.Printf("%s\t%s\triskwalk\t%d\t%.6f\t%scpu=%.4f\n", *name, algo, procs, ts[len(ts)/2], note, cs[len(cs)/2])
	}
	for _, a := range splitComma(*algos) {
		switch a {
		case "pagerank":
			var r []float64
			run(a, func() string {
				var it int
				r, it, err = features.PageRank(g, features.PageRankOptions{Damping: 0.85, Tol: *tol})
				if err != nil {
					panic(err)
				}
				return fmt.Sprintf("iterations=%d", it)
			})
			dump(a, secfile.AsBytes(r))
		case "wcc":
			var id []uint32
			run(a, func() string {
				var c int
				id, _, c = features.WCC(g)
				return fmt.Sprintf("components=%d", c)
			})
			dump(a, secfile.AsBytes(id))
		case "kcore":
			var k []uint32
			run(a, func() string { k = features.KCore(s); return "" })
			dump(a, secfile.AsBytes(k))
		case "triangles":
			var t []uint64
			run(a, func() string {
				t, _ = features.Triangles(s)
				var sum uint64
				for _, x := range t {
					sum += x
				}
				return fmt.Sprintf("triangles=%d", sum/3)
			})
			dump(a, secfile.AsBytes(t))
		default:
			fmt.Fprintf(os.Stderr, "unknown algorithm %q\n", a)
			os.Exit(2)
		}
	}
}

// cpuSeconds is the user+system CPU time of this process so far (all threads): with the machine
// shared, it shows what a timed call cost apart from waiting for a core.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}

// load reads an integer-id arc list with graph.Ingest and renumbers the nodes by their external
// ids (node v = id v; n = max(minN, max id + 1), so isolated ids exist as nodes), which is how
// igraph_anchor.py reads the same file.
func load(path string, directed bool, minN uint32) (*graph.Graph, error) {
	in, err := graph.Ingest([]string{path}, graph.IngestOptions{Directed: directed})
	if err != nil {
		return nil, err
	}
	g, ids := in.Graph, in.IDs
	ext := make([]uint32, g.N)
	n := minN
	identity := true
	for v := range ext {
		x, err := strconv.ParseUint(ids.Ext(uint32(v)), 10, 32)
		if err != nil {
			return nil, fmt.Errorf("%s: node %q is not a 32-bit integer id", path, ids.Ext(uint32(v)))
		}
		ext[v] = uint32(x)
		n = max(n, uint32(x)+1)
		identity = identity && x == uint64(v)
	}
	if identity && n == g.N {
		return g, nil
	}
	var edges []graph.Edge
	for u := uint32(0); u < g.N; u++ {
		for _, v := range g.Neighbors(u) {
			if directed || v >= u {
				edges = append(edges, graph.Edge{U: ext[u], V: ext[v], W: 1})
			}
		}
	}
	return graph.FromEdges(n, edges, directed, false, false)
}
