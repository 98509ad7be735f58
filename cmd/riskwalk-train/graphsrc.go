package main

import (
	"fmt"
	"hash/fnv"
	"os"
	"strings"

	"riskwalk/graph"
	"riskwalk/internal/secfile"
)

// source is the graph being trained on, with what the vector file records about it.
type source struct {
	g    *graph.Graph
	sum  uint64                            // identifies the graph's content (graph.File.Checksum)
	name func(dst []byte, v uint32) []byte // external id of dense node v
	// ids is the id index naming the nodes (nil: named by dense id); idsPath is its file, or ""
	// when the index exists only in memory (an ingested edge list: written beside the vectors).
	ids     *graph.IDIndex
	idsPath string
	close   func() error
}

// loadGraph opens the training graph: a .rwg written by `riskwalk ingest` (mapped, with the id
// index beside it naming the nodes), or any edge list ingest accepts, ingested in memory (the
// same parser and the same dense ids as `riskwalk ingest` would give).
func loadGraph(path string, directed bool) (*source, error) {
	if strings.HasSuffix(path, ".rwg") {
		f, err := graph.Open(path)
		if err != nil {
			return nil, err
		}
		src := &source{g: f.Graph, sum: f.Checksum(), close: f.Close}
		ids, err := graph.OpenIDs(graph.IDPath(path))
		switch {
		case err == nil && ids.GraphChecksum() == f.Checksum():
			src.name, src.ids, src.idsPath = ids.AppendExt, ids, graph.IDPath(path)
			src.close = func() error { ids.Close(); return f.Close() }
		case err == nil:
			ids.Close()
			return nil, fmt.Errorf("%s belongs to another graph than %s (checksums differ): re-run riskwalk ingest", graph.IDPath(path), path)
		case os.IsNotExist(err):
			fmt.Fprintf(os.Stderr, "riskwalk-train: %s not found; vectors will be named by dense id\n", graph.IDPath(path))
			src.name = appendDense
		default:
			return nil, err
		}
		return src, nil
	}
	in, err := graph.Ingest([]string{path}, graph.IngestOptions{Directed: directed})
	if err != nil {
		return nil, err
	}
	// An in-memory graph has no file checksum: identify it by its CSR arrays (for --resume).
	h := fnv.New64a()
	h.Write(secfile.AsBytes(in.Graph.Offsets))
	h.Write(secfile.AsBytes(in.Graph.Adj))
	return &source{g: in.Graph, sum: h.Sum64(), name: in.IDs.AppendExt, ids: in.IDs, close: func() error { return nil }}, nil
}

func appendDense(dst []byte, v uint32) []byte { return fmt.Appendf(dst, "%d", v) }
