// Package tsvgraph is a tiny edge-list reader for tests, benchmarks and tools that need a graph
// before the real graph file (graph.Open, .rwg) is available. It reads integer `u<TAB>v` lines
// (any further columns are ignored; '#' lines are comments; a .gz suffix means gzip) and builds a
// graph.Graph with counting sorts, so that multi-million-arc test graphs load in a second or two.
//
// It is not ingest: ids must be non-negative integers that fit in uint32, there are no weights,
// and duplicate arcs are merged. For an undirected result every edge {u,v}, u != v, is stored both
// ways and a self-loop once, exactly as graph.FromEdges does.
package tsvgraph

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"riskwalk/graph"
)

// Options choose the view built from the file.
type Options struct {
	// Directed keeps arcs as given; otherwise each arc u->v becomes the undirected edge {u,v}.
	Directed bool
	// NoSelfLoops drops u->u arcs.
	NoSelfLoops bool
}

// Load reads path and builds the graph. N is one more than the largest id seen.
func Load(path string, opt Options) (*graph.Graph, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		defer zr.Close()
		r = zr
	}
	var src, dst []uint32
	sc := bufio.NewScanner(bufio.NewReaderSize(r, 1<<20))
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	line := 0
	maxID := int64(-1)
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if len(b) == 0 || b[0] == '#' {
			continue
		}
		u, rest, ok := parseUint(b)
		if !ok || len(rest) == 0 || (rest[0] != '\t' && rest[0] != ' ') {
			return nil, fmt.Errorf("%s:%d: expected `u<TAB>v` with integer ids, got %q", path, line, b)
		}
		v, rest, ok := parseUint(rest[1:])
		if !ok || (len(rest) > 0 && rest[0] != '\t' && rest[0] != ' ' && rest[0] != '\r') {
			return nil, fmt.Errorf("%s:%d: expected `u<TAB>v` with integer ids, got %q", path, line, b)
		}
		if u == v && opt.NoSelfLoops {
			continue
		}
		src = append(src, uint32(u))
		dst = append(dst, uint32(v))
		maxID = max(maxID, int64(u), int64(v))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %v", path, line, err)
	}
	return FromArcs(uint32(maxID+1), src, dst, opt.Directed), nil
}

func parseUint(b []byte) (uint64, []byte, bool) {
	i := 0
	var x uint64
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		x = x*10 + uint64(b[i]-'0')
		if x > 1<<32-2 {
			return 0, nil, false
		}
		i++
	}
	return x, b[i:], i > 0
}

// FromArcs builds a graph over n nodes from parallel arc arrays by counting sort; duplicates are
// merged. With directed false each arc also adds its reverse (a self-loop is stored once).
func FromArcs(n uint32, src, dst []uint32, directed bool) *graph.Graph {
	off := make([]uint64, n+1)
	for i := range src {
		off[src[i]+1]++
		if !directed && src[i] != dst[i] {
			off[dst[i]+1]++
		}
	}
	for v := uint32(0); v < n; v++ {
		off[v+1] += off[v]
	}
	adj := make([]uint32, off[n])
	pos := slices.Clone(off[:n])
	for i := range src {
		u, v := src[i], dst[i]
		adj[pos[u]] = v
		pos[u]++
		if !directed && u != v {
			adj[pos[v]] = u
			pos[v]++
		}
	}
	// Sort and deduplicate each row, compacting in place.
	w := uint64(0)
	start := uint64(0)
	for v := uint32(0); v < n; v++ {
		row := adj[start:off[v+1]]
		start = off[v+1]
		slices.Sort(row)
		off[v] = w
		for i, x := range row {
			if i > 0 && x == row[i-1] {
				continue
			}
			adj[w] = x
			w++
		}
	}
	off[n] = w
	return &graph.Graph{N: n, Directed: directed, Offsets: off, Adj: adj[:w:w]}
}
