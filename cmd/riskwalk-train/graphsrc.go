package main

import (
	"bufio"
	"fmt"
	"hash/fnv"
	"os"
	"strconv"
	"strings"

	"riskwalk/graph"
	"riskwalk/internal/secfile"
)

// source is the graph being trained on, with what the vector file records about it.
type source struct {
	g     *graph.Graph
	sum   uint64                            // identifies the graph's content
	name  func(dst []byte, v uint32) []byte // external id of dense node v
	close func() error
}

// loadGraph opens the training graph. Until the .rwg reader (graph.Open) is merged, it reads an
// edge list `u<TAB>v[<TAB>weight[<TAB>unix time]]` with integer ids used as dense ids (as in
// ../shared/data/*/edges.tsv) and names nodes by those ids.
// TODO(trainer): switch .rwg paths to graph.Open/graph.OpenIDs when ingest lands in main.
func loadGraph(path string, directed bool) (*source, error) {
	if strings.HasSuffix(path, ".rwg") {
		return nil, fmt.Errorf("%s: the .rwg reader is not in this build yet; pass an edge list (u<TAB>v[<TAB>w[<TAB>t]]) instead", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var es []graph.Edge
	var n uint32
	weighted, timed := false, false
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for line := 1; sc.Scan(); line++ {
		s := sc.Text()
		if s == "" || s[0] == '#' {
			continue
		}
		fs := strings.Fields(s)
		if len(fs) < 2 {
			return nil, fmt.Errorf("%s:%d: want `u<TAB>v[<TAB>weight[<TAB>time]]`, got %q", path, line, s)
		}
		u, err1 := strconv.ParseUint(fs[0], 10, 32)
		v, err2 := strconv.ParseUint(fs[1], 10, 32)
		if err1 != nil || err2 != nil || u == 1<<32-1 || v == 1<<32-1 {
			return nil, fmt.Errorf("%s:%d: node ids must be integers below 2^32-1 (use `riskwalk ingest` for other ids): %q", path, line, s)
		}
		e := graph.Edge{U: uint32(u), V: uint32(v), W: 1}
		if len(fs) > 2 {
			w, err := strconv.ParseFloat(fs[2], 32)
			if err != nil || w < 0 {
				return nil, fmt.Errorf("%s:%d: weight %q is not a number >= 0", path, line, fs[2])
			}
			e.W, weighted = float32(w), true
		}
		if len(fs) > 3 {
			t, err := strconv.ParseInt(fs[3], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: time %q is not an integer (unix seconds)", path, line, fs[3])
			}
			e.T, timed = t, true
		}
		es = append(es, e)
		n = max(n, e.U+1, e.V+1)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(es) == 0 {
		return nil, fmt.Errorf("%s: no edges", path)
	}
	g, err := graph.FromEdges(n, es, directed, weighted, timed)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	h := fnv.New64a()
	h.Write(secfile.AsBytes(g.Offsets))
	h.Write(secfile.AsBytes(g.Adj))
	return &source{g: g, sum: h.Sum64(), close: func() error { return nil },
		name: func(dst []byte, v uint32) []byte { return strconv.AppendUint(dst, uint64(v), 10) }}, nil
}
