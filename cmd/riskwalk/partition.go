package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"riskwalk/community"
	"riskwalk/graph"
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
	balance := fs.String("balance", "edges", "what parts are balanced by: `edges` (Σ degree), nodes, or mixed (half each)")
	compare := fs.Bool("compare", true, "report a hash partition (and METIS, if gpmetis is installed) beside Louvain")
	metisMax := fs.Uint64("metis-max-edges", 50_000_000, "skip METIS above this many edges")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: riskwalk partition --ranks R -o parts.rwp [flags] GRAPH.rwg\n\nGRAPH.rwg is a graph file written by riskwalk ingest; a directed graph is partitioned by its\nundirected view. The .rwp records the graph's checksum, so each rank can check that it maps the\nsame graph (partition.File.CheckGraph). Prints a report: edge cut, replication factor, balance\nby edges and by nodes, per-part sizes, time.\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *ranks < 1 || *out == "" {
		fs.Usage()
		return errors.New("need --ranks R ≥ 1, -o FILE and one GRAPH")
	}
	bal, err := partition.ParseBalance(*balance)
	if err != nil {
		return err
	}
	t0 := time.Now()
	gf, err := openPartitionInput(fs.Arg(0))
	if err != nil {
		return err
	}
	defer gf.Close()
	g, sum := gf.Graph, gf.Checksum()
	u := community.Undirected(g)
	fmt.Fprintf(os.Stderr, "partition: %s: %d nodes, %d arcs, opened in %s\n", fs.Arg(0), g.N, g.NumArcs(), time.Since(t0).Round(time.Millisecond))
	t1 := time.Now()
	p, cr, err := partition.Louvain(u, *ranks, partition.Options{
		Community:       community.Options{Seed: *seed, Resolution: *res, Threads: *threads, Progress: u.NumArcs() > 20_000_000},
		Slack:           *slack,
		SupernodeDegree: uint32(*super),
		Balance:         bal,
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
	fmt.Fprintf(w, "partition of %s into %d parts -> %s (balanced by %s)\n", fs.Arg(0), *ranks, *out, bal)
	fmt.Fprintf(w, "graph checksum %016x (recorded in the .rwp; ranks compare it with partition.File.CheckGraph)\n", sum)
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
		ms, note := metisStats(u, *ranks, uint32(*super), st.Edges, *metisMax, bal)
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

// openPartitionInput maps the graph file to partition. Edge lists are refused with the ingest
// command that makes a graph file: the partition must record the checksum of the very .rwg the ranks
// will map.
func openPartitionInput(path string) (*graph.File, error) {
	if f, err := os.Open(path); err == nil {
		head := make([]byte, 8)
		n, _ := io.ReadFull(f, head)
		f.Close()
		if !bytes.HasPrefix(head[:n], []byte("RWGRAPH")) {
			base := strings.TrimSuffix(filepath.Base(path), ".gz")
			base = strings.TrimSuffix(base, filepath.Ext(base))
			return nil, fmt.Errorf("%s is not a riskwalk graph file; make one first with\n  riskwalk ingest -o %s.rwg %s   (add --directed for arcs)\nthen run riskwalk partition on the .rwg", path, base, path)
		}
	}
	return graph.Open(path)
}

// metisStats partitions undirected u with gpmetis (Debian package metis), node weights = degree so
// that it balances edges as riskwalk does, and returns its figures and a line for the report. It
// returns nil and says why when gpmetis is missing or fails.
func metisStats(u *graph.Graph, r int, super uint32, edges, maxEdges uint64, bal partition.Balance) (*partition.Stats, string) {
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
	if err := writeMetis(path, u, edges, bal); err != nil {
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
	return &s, "METIS: gpmetis (" + bin + "), vertex weights = the --balance load; its time includes writing its input file"
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// writeMetis writes METIS's graph format: "n m 010", then per vertex its weight (its load under
// bal, as partition.Options.Balance counts it; at least 1) and its 1-based neighbours (self-loops
// left out; METIS refuses them).
func writeMetis(path string, u *graph.Graph, edges uint64, bal partition.Balance) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintf(w, "%d %d 010\n", u.N, edges)
	var buf []byte
	extra := uint64(0)
	if bal == partition.BalanceMixed && u.N > 0 {
		extra = (u.NumArcs() + uint64(u.N) - 1) / uint64(u.N)
	}
	for v := uint32(0); v < u.N; v++ {
		wt := uint64(1)
		if bal != partition.BalanceNodes {
			wt = max(uint64(u.Degree(v))+extra, 1)
		}
		buf = strconv.AppendUint(buf[:0], wt, 10)
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
