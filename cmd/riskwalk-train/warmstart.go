package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"

	"riskwalk/graph"
	"riskwalk/trainer"
	"riskwalk/vecfile"
)

// recordIDs returns the absolute path of the id index naming the rows of the vectors written to
// out, for the vector file's "ids" parameter: the graph's own .rwi, or, for an edge list ingested
// in memory, its index written to vecfile.IDsBeside(out) now (recording the graph's checksum).
// "" when the nodes have no external ids (a .rwg without its .rwi).
func recordIDs(src *source, out string) (string, error) {
	p := src.idsPath
	if src.ids == nil {
		return "", nil
	}
	if p == "" {
		p = vecfile.IDsBeside(out)
		if err := src.ids.Write(p, src.sum); err != nil {
			return "", fmt.Errorf("writing the id index of the vectors: %w", err)
		}
	}
	return filepath.Abs(p)
}

// warmStart fills m's input rows from an older vector file (incremental training): a node whose
// external id the old file has gets its old row; any other node the mean of its neighbours' old
// rows (trainer.WarmStart). Rows are matched through the old file's id index (idsPath, or the one
// the file records); vectors of the very same graph are matched by dense id.
func warmStart(m *trainer.Model, src *source, path, idsPath string) error {
	f, err := vecfile.Open(path)
	if err != nil {
		return fmt.Errorf("--init: %w", err)
	}
	defer f.Close()
	if f.Dim != m.Dim {
		return fmt.Errorf("--init %s: dimension %d, training %d (pass --dim %d)", path, f.Dim, m.Dim, f.Dim)
	}
	oldRow := func(v uint32) (uint64, bool) { return uint64(v), uint64(v) < f.Count }
	how := "dense id (same graph)"
	if idsPath != "" || f.GraphSum != src.sum {
		if idsPath == "" {
			p, ok := f.IDsPath()
			if !ok {
				return fmt.Errorf("--init %s records no id index to match its rows by external id: pass --init-ids OLD.rwi (the id index of the graph it was trained on)", path)
			}
			idsPath = p
		}
		old, err := graph.OpenIDs(idsPath)
		if err != nil {
			return fmt.Errorf("--init %s: its id index: %w (pass --init-ids OLD.rwi)", path, err)
		}
		defer old.Close()
		if s := old.GraphChecksum(); s != 0 && f.GraphSum != 0 && s != f.GraphSum {
			return fmt.Errorf("--init %s: id index %s belongs to another graph (checksum %016x, the vectors' %016x): pass --init-ids with the right one", path, idsPath, s, f.GraphSum)
		}
		if uint64(old.Len()) != f.Count {
			return fmt.Errorf("--init %s: id index %s names %d nodes, the file has %d rows", path, idsPath, old.Len(), f.Count)
		}
		var key []byte
		oldRow = func(v uint32) (uint64, bool) {
			key = src.name(key[:0], v)
			r, ok := old.LookupBytes(key)
			return uint64(r), ok
		}
		how = "external id via " + idsPath
	}
	row := make([]float32, 0, f.Dim)
	c, a := trainer.WarmStart(m, src.g, nil, func(v uint32, dst []float32) bool {
		r, ok := oldRow(v)
		if !ok {
			return false
		}
		row = f.Row(row[:0], r)
		for _, x := range row {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return false
			}
		}
		copy(dst, row)
		return true
	})
	fmt.Fprintf(os.Stderr, "warm start from %s by %s: %d rows copied, %d from neighbours, %d random\n", path, how, c, a, m.Rows-c-a)
	return nil
}
