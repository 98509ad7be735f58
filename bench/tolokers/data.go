package main

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"riskwalk/graph"
	"riskwalk/model"
)

// Data is the Tolokers set: the undirected graph, node attributes, ban labels and 10 given splits.
type Data struct {
	N      int
	G      *graph.Graph
	Attr   *model.Matrix
	Bad    []bool
	Splits []model.Split
	hop2   *Hop2
}

// Hop2 returns the graph's two-hop sets, built on first use.
func (d *Data) Hop2() *Hop2 {
	if d.hop2 == nil {
		d.hop2 = NewHop2(d.G)
	}
	return d.hop2
}

// Load reads the Tolokers files from dir (../shared/data/tolokers).
func Load(dir string) (*Data, error) {
	// node_features.tsv has one line per node, so it fixes n.
	n, err := countLines(filepath.Join(dir, "node_features.tsv"))
	if err != nil {
		return nil, err
	}
	labels, _, err := model.ReadLabels(filepath.Join(dir, "labels.tsv"), n, model.InputOptions{})
	if err != nil {
		return nil, err
	}
	for v := 0; v < n; v++ {
		if !labels.Has[v] {
			return nil, fmt.Errorf("%s: node %d has no label", filepath.Join(dir, "labels.tsv"), v)
		}
	}
	attr, _, err := model.ReadAttributes(filepath.Join(dir, "node_features.tsv"), n, model.AttributeOptions{Prefix: "node."})
	if err != nil {
		return nil, err
	}
	edges, err := readEdges(filepath.Join(dir, "edges.tsv.gz"), n)
	if err != nil {
		return nil, err
	}
	g, err := graph.FromEdges(uint32(n), edges, false, false, false)
	if err != nil {
		return nil, err
	}
	splits, err := model.ReadSplits(filepath.Join(dir, "train_masks.tsv"), filepath.Join(dir, "val_masks.tsv"), filepath.Join(dir, "test_masks.tsv"), n)
	if err != nil {
		return nil, err
	}
	return &Data{N: n, G: g, Attr: attr, Bad: labels.Bad[:n], Splits: splits}, nil
}

func readEdges(path string, n int) ([]graph.Edge, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	sc := bufio.NewScanner(zr)
	var edges []graph.Edge
	for line := 1; sc.Scan(); line++ {
		fs := strings.Fields(sc.Text())
		if len(fs) == 0 || fs[0][0] == '#' {
			continue
		}
		if len(fs) < 2 {
			return nil, fmt.Errorf("%s:%d: want two node ids", path, line)
		}
		u, e1 := strconv.ParseUint(fs[0], 10, 32)
		v, e2 := strconv.ParseUint(fs[1], 10, 32)
		if e1 != nil || e2 != nil || int(u) >= n || int(v) >= n {
			return nil, fmt.Errorf("%s:%d: %q is not an edge between ids in 0..%d", path, line, sc.Text(), n-1)
		}
		edges = append(edges, graph.Edge{U: uint32(u), V: uint32(v), W: 1})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return edges, nil
}

func countLines(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		if t := strings.TrimSpace(sc.Text()); t != "" && t[0] != '#' {
			n++
		}
	}
	return n, sc.Err()
}
