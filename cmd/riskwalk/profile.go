package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"riskwalk/graph"
	"riskwalk/internal/progress"
	"riskwalk/plot"
)

func init() {
	register("profile", "sizes, degrees, hubs, components and hardware estimate of a graph file", runProfile)
}

func runProfile(args []string) error {
	fs := flag.NewFlagSet("profile", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `usage: riskwalk profile [flags] graph.rwg

Prints nodes, edges, self-loops, isolated nodes, degree statistics and a log-binned degree
distribution, the top hubs (with external ids from graph.rwi and node types), weakly connected
components, and the memory and cores needed to train at dimension d on R ranks and to serve.

flags:`)
		fs.PrintDefaults()
	}
	asJSON := fs.Bool("json", false, "print the profile as JSON (fields nodes, edges, ...)")
	plotPath := fs.String("plot", "", "write the degree distribution plot to `file` (.svg or .png)")
	dim := fs.Int("dim", 128, "embedding dimension d for the memory estimate")
	ranks := fs.String("ranks", "1,2,4,8", "comma-separated rank counts R for the per-rank estimate")
	top := fs.Int("top", 10, "hubs to list")
	rate := fs.Float64("rate", 300000, "assumed training tokens per second per core at d=128 (calibrate with riskwalk-train)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("need exactly one graph file")
	}
	path := fs.Arg(0)
	opt := graph.ProfileOptions{Dim: *dim, TopHubs: *top, TokensPerCoreSec: *rate}
	for _, s := range strings.Split(*ranks, ",") {
		r, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || r <= 0 {
			return fmt.Errorf("--ranks %q: want positive integers separated by commas", *ranks)
		}
		opt.Ranks = append(opt.Ranks, r)
	}
	f, err := graph.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var ids *graph.IDIndex
	if _, err := os.Stat(graph.IDPath(path)); err == nil {
		if ids, err = graph.OpenIDs(graph.IDPath(path)); err != nil {
			return err
		}
		defer ids.Close()
		if s := ids.GraphChecksum(); s != 0 && s != f.Checksum() {
			return fmt.Errorf("%s belongs to another graph (checksum %016x, %s has %016x): re-run riskwalk ingest", graph.IDPath(path), s, path, f.Checksum())
		}
	}
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	p := graph.ProfileGraph(name, f.Graph, ids, opt)
	if *plotPath != "" {
		if err := degreeChart(p, f.Graph).Save(*plotPath); err != nil {
			return err
		}
	}
	if *asJSON {
		e := json.NewEncoder(os.Stdout)
		e.SetIndent("", "  ")
		return e.Encode(p)
	}
	printProfile(p, f)
	if *plotPath != "" {
		fmt.Printf("\ndegree plot: %s\n", *plotPath)
	}
	return nil
}

func human(b uint64) string {
	const unit = 1024
	if b < unit {
		return fmt.Sprintf("%d B", b)
	}
	v, i := float64(b), -1
	for v >= unit && i < 4 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGTP"[i])
}

func printProfile(p *graph.Profile, f *graph.File) {
	kind := "undirected"
	if p.Directed {
		kind = "directed"
	}
	fmt.Printf("graph %s (%s%s%s)\n", p.Name, kind, map[bool]string{true: ", weighted"}[p.Weighted], map[bool]string{true: ", timed"}[p.Timed])
	fmt.Printf("  nodes       %d\n  edges       %d (%d stored arcs)\n  self-loops  %d\n  isolated    %d\n", p.Nodes, p.Edges, p.Arcs, p.SelfLoops, p.Isolated)
	fmt.Printf("  CSR size    %s (file checksum %016x)\n", human(p.CSRBytes), f.Checksum())
	ds := func(label string, d graph.DegreeStats) {
		fmt.Printf("  %-11s min %d, median %d, mean %.2f, p90 %d, p99 %d, p99.9 %d, max %d\n", label, d.Min, d.Median, d.Mean, d.P90, d.P99, d.P999, d.Max)
	}
	if p.Directed {
		ds("out-degree", p.Degree)
		ds("in-degree", *p.InDegree)
	} else {
		ds("degree", p.Degree)
	}
	fmt.Println("\ndegree distribution (log2 bins):")
	maxN := uint64(1)
	for _, b := range p.DegreeBins {
		maxN = max(maxN, b.Nodes)
	}
	for _, b := range p.DegreeBins {
		bar := strings.Repeat("#", int((b.Nodes*40+maxN-1)/maxN))
		fmt.Printf("  %9s  %10d  %s\n", fmt.Sprintf("%d-%d", b.Lo, b.Hi), b.Nodes, bar)
	}
	if len(p.Types) > 0 {
		fmt.Println("\nnode types:")
		for _, t := range p.Types {
			fmt.Printf("  %-12s %d\n", t.Name, t.Nodes)
		}
	}
	fmt.Println("\ntop hubs:")
	tw := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  node\texternal id\ttype\tdegree\tin-degree")
	for _, h := range p.Hubs {
		in := "-"
		if p.Directed {
			in = strconv.FormatUint(h.InDegree, 10)
		}
		fmt.Fprintf(tw, "  %d\t%s\t%s\t%d\t%s\n", h.Node, orDash(h.ID), orDash(h.Type), h.Degree, in)
	}
	tw.Flush()
	c := p.Components
	fmt.Printf("\nweakly connected components: %d (largest %d nodes = %.1f%%, %d singletons)\n", c.Count, c.Largest, 100*c.LargestFraction, c.Singletons)
	m := p.Memory
	fmt.Printf("\nhardware estimate at d=%d (formulas: README, graph.Memory):\n", m.Dim)
	fmt.Printf("  train, one process   %s (vectors 2*N*d*4 + CSR + scratch for %d threads)\n", human(m.TrainOneProcess), m.ThreadsAssumed)
	for _, r := range m.PerRank {
		fmt.Printf("  train, %2d ranks      %s per rank (largest part: %d owned + %d replicas, contiguous split)\n", r.Ranks, human(r.Bytes), r.Owned, r.Replicas)
	}
	fmt.Printf("  serve float32        %s\n  serve int8           %s\n", human(m.ServeFloat32), human(m.ServeInt8))
	fmt.Printf("  cores                %d for %.3g h (%s tokens = %d walks x %d steps per node, at %s tokens/s/core at d=128)\n",
		m.CoresForTarget, m.TargetHours, progress.Human(float64(m.TrainTokens)), m.WalksPerNode, m.WalkLength, progress.Human(m.TokensPerCoreSec))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// degreeChart is the log-log degree distribution: log-binned density (nodes per unit degree in
// each 2^k bin) and the complementary cumulative count (nodes with degree >= k).
func degreeChart(p *graph.Profile, g *graph.Graph) *plot.Chart {
	var bx, by []float64
	for _, b := range p.DegreeBins {
		if b.Lo == 0 || b.Nodes == 0 {
			continue
		}
		bx = append(bx, (float64(b.Lo)+float64(b.Hi))/2)
		by = append(by, float64(b.Nodes)/float64(b.Hi-b.Lo+1))
	}
	deg := make([]uint64, g.N)
	for v := range deg {
		deg[v] = uint64(g.Degree(uint32(v)))
	}
	slices.Sort(deg)
	var cx, cy []float64
	for i := 0; i < len(deg); {
		j := i
		for j < len(deg) && deg[j] == deg[i] {
			j++
		}
		if deg[i] > 0 {
			cx = append(cx, float64(deg[i]))
			cy = append(cy, float64(len(deg)-i))
		}
		i = j
	}
	what := "degree"
	if p.Directed {
		what = "out-degree"
	}
	return &plot.Chart{
		Title: fmt.Sprintf("%s: %s distribution (%d nodes, %d edges)", p.Name, what, p.Nodes, p.Edges),
		X:     plot.Axis{Label: what + " k", Log: true},
		Y:     plot.Axis{Label: "nodes", Log: true},
		Series: []plot.Series{
			{Name: "nodes with degree >= k", X: cx, Y: cy, Kind: plot.Line},
			{Name: "nodes per degree (log2 bins)", X: bx, Y: by, Kind: plot.LineDot},
		},
	}
}
