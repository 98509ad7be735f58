package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"riskwalk/community"
	"riskwalk/graph"
	"riskwalk/internal/secfile"
	"riskwalk/internal/tsvgraph"
	"riskwalk/partition"
)

func init() {
	register("partition", "split a graph into one part per MPI rank by Louvain communities", runPartition)
}

func runPartition(args []string) error {
	fs := flag.NewFlagSet("partition", flag.ContinueOnError)
	ranks := fs.Int("ranks", 0, "number of parts R, one per MPI rank (required)")
	out := fs.String("o", "", "output partition file, e.g. parts.rwp (required)")
	seed := fs.Uint64("seed", 1, "Louvain seed (equal seeds give equal partitions on any thread count)")
	res := fs.Float64("resolution", 1, "Louvain resolution γ")
	threads := fs.Int("threads", 0, "threads (0: all cores)")
	slack := fs.Float64("slack", 0.02, "how far a cut may move from its ideal place, as a fraction of E/R")
	super := fs.Uint("supernode-degree", 0, "replicate nodes of at least this degree to every part (0: off)")
	directed := fs.Bool("directed", false, "edge-list input: arcs are directed (the undirected view is partitioned)")
	compare := fs.Bool("compare", true, "report a hash partition (and METIS, if gpmetis is installed) beside Louvain")
	metisMax := fs.Uint64("metis-max-edges", 50_000_000, "skip METIS above this many edges")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: riskwalk partition --ranks R -o parts.rwp [flags] GRAPH\n\nGRAPH is an integer edge list (u<TAB>v per line, .gz allowed) until the .rwg reader lands.\nPrints a report: edge cut, replication factor, balance, per-part sizes, time.\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *ranks < 1 || *out == "" {
		fs.Usage()
		return errors.New("need --ranks R ≥ 1, -o FILE and one GRAPH")
	}
	t0 := time.Now()
	g, sum, err := loadPartitionInput(fs.Arg(0), *directed)
	if err != nil {
		return err
	}
	u := community.Undirected(g)
	fmt.Fprintf(os.Stderr, "partition: %s: %d nodes, %d arcs, loaded in %s\n", fs.Arg(0), g.N, g.NumArcs(), time.Since(t0).Round(time.Millisecond))
	t1 := time.Now()
	p, cr, err := partition.Louvain(u, *ranks, partition.Options{
		Community:       community.Options{Seed: *seed, Resolution: *res, Threads: *threads, Progress: u.NumArcs() > 20_000_000},
		Slack:           *slack,
		SupernodeDegree: uint32(*super),
	})
	if err != nil {
		return err
	}
	st := partition.Evaluate(u, p)
	st.Elapsed = time.Since(t1)
	if err := partition.Write(*out, p, sum); err != nil {
		return err
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	fmt.Fprintf(w, "partition of %s into %d parts -> %s\n", fs.Arg(0), *ranks, *out)
	fmt.Fprintf(w, "graph: %d nodes, %d undirected edges (undirected view); Louvain: %d communities, modularity %.4f, %d levels\n\n",
		u.N, st.Edges, cr.NumCommunities, cr.Modularity, len(cr.Levels))
	rows := []partition.Stats{st}
	var notes []string
	if *compare {
		t2 := time.Now()
		h, err := partition.Hash(u, *ranks, *seed, uint32(*super))
		if err != nil {
			return err
		}
		hs := partition.Evaluate(u, h)
		hs.Elapsed = time.Since(t2)
		rows = append(rows, hs)
		ms, note := metisStats(u, *ranks, uint32(*super), st.Edges, *metisMax)
		if ms != nil {
			rows = append(rows, *ms)
		}
		notes = append(notes, note)
	}
	fmt.Fprintln(w, "method   edge cut %   replication   balance (edges)   balance (nodes)   time")
	for _, s := range rows {
		name := s.Method.String()
		if s.Method == partition.MethodGiven {
			name = "metis"
		}
		fmt.Fprintf(w, "%-8s %10.2f   %11.3f   %15.3f   %15.3f   %s\n", name, s.CutPct, s.ReplicationFactor, s.Balance, s.NodeBalance, s.Elapsed.Round(time.Millisecond))
	}
	for _, n := range notes {
		fmt.Fprintln(w, n)
	}
	fmt.Fprintln(w, "\nLouvain parts: part   nodes   arcs (load)   replicas")
	for i := range st.PartNodes {
		fmt.Fprintf(w, "  %4d %10d %13d %10d\n", i, st.PartNodes[i], st.PartArcs[i], st.PartReplicas[i])
	}
	return nil
}

// loadPartitionInput reads the graph to partition and the checksum the .rwp records. Until
// graph.Open (the .rwg reader) is merged this takes an integer edge list, and the checksum is
// CRC32C of the CSR offsets (high word) and adjacency (low word); switch both to graph.Open and
// graph.File.Checksum() when it lands.
func loadPartitionInput(path string, directed bool) (*graph.Graph, uint64, error) {
	if strings.HasSuffix(path, ".rwg") {
		return nil, 0, fmt.Errorf("%s: reading .rwg files needs graph.Open, which is not in this build yet; pass the edge list", path)
	}
	g, err := tsvgraph.Load(path, tsvgraph.Options{Directed: directed})
	if err != nil {
		return nil, 0, err
	}
	sum := uint64(secfile.CRC32C(secfile.AsBytes(g.Offsets)))<<32 | uint64(secfile.CRC32C(secfile.AsBytes(g.Adj)))
	return g, sum, nil
}

// metisStats partitions undirected u with gpmetis (Debian package metis), node weights = degree so
// that it balances edges as riskwalk does, and returns its figures and a line for the report. It
// returns nil and says why when gpmetis is missing or fails.
func metisStats(u *graph.Graph, r int, super uint32, edges, maxEdges uint64) (*partition.Stats, string) {
	bin, err := exec.LookPath("gpmetis")
	if err != nil {
		return nil, "METIS: skipped, gpmetis not installed (apt-get install metis, or make setup-bench)"
	}
	if edges > maxEdges {
		return nil, fmt.Sprintf("METIS: skipped, %d edges > --metis-max-edges %d", edges, maxEdges)
	}
	if r < 2 {
		return nil, "METIS: skipped for one part"
	}
	dir, err := os.MkdirTemp("", "riskwalk-metis")
	if err != nil {
		return nil, "METIS: skipped: " + err.Error()
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "g.metis")
	t0 := time.Now()
	if err := writeMetis(path, u, edges); err != nil {
		return nil, "METIS: skipped: " + err.Error()
	}
	cmd := exec.Command(bin, path, strconv.Itoa(r))
	if outb, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Sprintf("METIS: gpmetis failed: %v: %s", err, lastLine(string(outb)))
	}
	parts, err := os.ReadFile(fmt.Sprintf("%s.part.%d", path, r))
	if err != nil {
		return nil, "METIS: " + err.Error()
	}
	owner := make([]uint32, 0, u.N)
	for _, f := range strings.Fields(string(parts)) {
		x, _ := strconv.Atoi(f)
		owner = append(owner, uint32(x))
	}
	p, err := partition.FromOwner(u, owner, r, super)
	if err != nil {
		return nil, "METIS: " + err.Error()
	}
	s := partition.Evaluate(u, p)
	s.Elapsed = time.Since(t0)
	return &s, "METIS: gpmetis (" + bin + "), vertex weights = degree; its time includes writing its input file"
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// writeMetis writes METIS's graph format: "n m 010", then per vertex its weight and its 1-based
// neighbours (self-loops left out; METIS refuses them).
func writeMetis(path string, u *graph.Graph, edges uint64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintf(w, "%d %d 010\n", u.N, edges)
	var buf []byte
	for v := uint32(0); v < u.N; v++ {
		buf = strconv.AppendUint(buf[:0], uint64(max(u.Degree(v), 1)), 10)
		for _, x := range u.Neighbors(v) {
			if x != v {
				buf = append(buf, ' ')
				buf = strconv.AppendUint(buf, uint64(x)+1, 10)
			}
		}
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return w.Flush()
}
