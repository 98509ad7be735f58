// Package tsvgraph loads small integer-id edge lists (`u<TAB>v[<TAB>w]`, '#' comments, optional
// gzip) into a graph.Graph with graph.FromEdges. It is the stand-in loader the features tests,
// benchmarks and (until the graph file reader lands) the features command use for the shared data
// sets; ingest is the real reader.
package tsvgraph

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"riskwalk/graph"
)

// Load reads path (gzip when it ends in .gz). Node ids must be dense non-negative integers; the
// graph has max id + 1 nodes (at least minN). A third column, when present on every line, is the
// weight and makes the graph weighted.
func Load(path string, directed bool, minN uint32) (*graph.Graph, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	sc := bufio.NewScanner(bufio.NewReaderSize(r, 1<<20))
	sc.Buffer(make([]byte, 1<<16), 1<<24)
	var edges []graph.Edge
	n := minN
	weighted, line := true, 0
	for sc.Scan() {
		line++
		s := sc.Text()
		if s == "" || s[0] == '#' {
			continue
		}
		fs := strings.Fields(s)
		if len(fs) < 2 {
			return nil, fmt.Errorf("%s:%d: want `u<TAB>v[<TAB>w]`, got %q", path, line, s)
		}
		u, err1 := strconv.ParseUint(fs[0], 10, 32)
		v, err2 := strconv.ParseUint(fs[1], 10, 32)
		if err1 != nil || err2 != nil || u == 1<<32-1 || v == 1<<32-1 {
			return nil, fmt.Errorf("%s:%d: node ids must be integers in 0..2^32-2, got %q", path, line, s)
		}
		e := graph.Edge{U: uint32(u), V: uint32(v), W: 1}
		if len(fs) >= 3 {
			w, err := strconv.ParseFloat(fs[2], 32)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: weight %q: %v", path, line, fs[2], err)
			}
			e.W = float32(w)
		} else {
			weighted = false
		}
		n = max(n, e.U+1, e.V+1)
		edges = append(edges, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", path, line, err)
	}
	return graph.FromEdges(n, edges, directed, weighted && len(edges) > 0, false)
}
