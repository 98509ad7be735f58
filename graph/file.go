package graph

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"runtime"
	"strings"
	"sync"

	"riskwalk/internal/secfile"
)

// GraphMagic identifies a .rwg file.
var GraphMagic = secfile.Magic("RWGRAPH")

// GraphVersion enumerates .rwg format versions; each value says what it adds.
type GraphVersion uint32

const (
	// GraphV1: meta, offsets, adj, optional weights, times, types.
	GraphV1 GraphVersion = 1
	// GraphCurrent is the version written by this build.
	GraphCurrent = GraphV1
)

// Meta describes a graph file: what was ingested and how. It is stored as JSON in the "meta"
// section.
type Meta struct {
	Format    string   `json:"format"` // always "riskwalk-graph"
	Directed  bool     `json:"directed"`
	Nodes     uint32   `json:"nodes"`
	Arcs      uint64   `json:"arcs"`       // stored adjacency entries (M)
	Edges     uint64   `json:"edges"`      // undirected: each edge once (self-loops once); directed: arcs
	SelfLoops uint64   `json:"self_loops"` // stored self-loop arcs
	Weighted  bool     `json:"weighted"`
	Timed     bool     `json:"timed"`
	TypeNames []string `json:"type_names,omitempty"`
	// IDKind says how external ids are kept in the id index: "identity", "int" or "string".
	IDKind    string            `json:"id_kind"`
	Sources   []string          `json:"sources,omitempty"` // input files as given
	Flags     map[string]string `json:"flags,omitempty"`   // ingest flags that shaped the graph
	CreatedAt string            `json:"created_at,omitempty"`
	// Input counters from ingest (informational).
	InputLines   uint64 `json:"input_lines,omitempty"`
	InputEdges   uint64 `json:"input_edges,omitempty"`
	BadLines     uint64 `json:"bad_lines,omitempty"`
	DroppedLoops uint64 `json:"dropped_self_loops,omitempty"`
	MergedDups   uint64 `json:"merged_duplicates,omitempty"`
}

// File is an opened graph file. The embedded Graph's slices alias the read-only mapping: valid
// until Close, never to be written.
type File struct {
	*Graph
	Meta Meta
	Path string
	sf   *secfile.File
	sum  uint64
}

// OpenOptions tune Open.
type OpenOptions struct {
	// Trusted skips the per-section CRCs and the O(M) structure check (offsets monotone, neighbour
	// ids < N, rows sorted). Only for files this process (or a checked run) verified before; a
	// corrupt trusted file can make later reads panic or return garbage.
	Trusted bool
}

// Open maps a .rwg file and checks it once: the container (header, table, section CRCs), the
// meta, section sizes, and the CSR structure (O(M), in parallel), so later reads need no bounds
// beyond Go's own. Errors wrap secfile.ErrCorrupt for damaged files.
func Open(path string) (*File, error) { return OpenWith(path, OpenOptions{}) }

// OpenWith is Open with options.
func OpenWith(path string, opt OpenOptions) (*File, error) {
	sf, err := secfile.Open(path, GraphMagic, uint32(GraphV1), uint32(GraphCurrent), secfile.Options{SkipSectionCRC: opt.Trusted})
	if err != nil {
		return nil, err
	}
	f, err := fromSecfile(path, sf, opt)
	if err != nil {
		sf.Close()
		return nil, err
	}
	return f, nil
}

func fromSecfile(path string, sf *secfile.File, opt OpenOptions) (*File, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%s: %w: %s (re-run riskwalk ingest)", path, secfile.ErrCorrupt, fmt.Sprintf(format, args...))
	}
	mb, ok := sf.Section("meta")
	if !ok {
		return nil, bad("no meta section")
	}
	f := &File{Path: path, sf: sf}
	if err := json.Unmarshal(mb, &f.Meta); err != nil {
		return nil, bad("meta: %v", err)
	}
	m := &f.Meta
	g := &Graph{N: m.Nodes, Directed: m.Directed, TypeNames: m.TypeNames}
	var err error
	section := func(name string, required bool) []byte {
		b, ok := sf.Section(name)
		if !ok {
			if required && err == nil {
				err = bad("no %s section", name)
			}
			return nil
		}
		return b
	}
	ob := section("offsets", true)
	ab := section("adj", true)
	if err != nil {
		return nil, err
	}
	if g.Offsets, err = secfile.View[uint64](ob); err != nil {
		return nil, bad("offsets: %v", err)
	}
	if g.Adj, err = secfile.View[uint32](ab); err != nil {
		return nil, bad("adj: %v", err)
	}
	if uint64(len(g.Offsets)) != uint64(m.Nodes)+1 {
		return nil, bad("offsets has %d entries, meta says %d nodes", len(g.Offsets), m.Nodes)
	}
	if uint64(len(g.Adj)) != m.Arcs {
		return nil, bad("adj has %d entries, meta says %d arcs", len(g.Adj), m.Arcs)
	}
	if m.Weighted {
		if g.Weights, err = secfile.View[float32](section("weights", true)); err == nil && len(g.Weights) != len(g.Adj) {
			err = bad("weights has %d entries, want %d", len(g.Weights), len(g.Adj))
		}
	}
	if err == nil && m.Timed {
		if g.Times, err = secfile.View[int64](section("times", true)); err == nil && len(g.Times) != len(g.Adj) {
			err = bad("times has %d entries, want %d", len(g.Times), len(g.Adj))
		}
	}
	if err == nil && len(m.TypeNames) > 0 {
		if g.Types, err = secfile.View[uint8](section("types", true)); err == nil && len(g.Types) != int(m.Nodes) {
			err = bad("types has %d entries, want %d", len(g.Types), m.Nodes)
		}
		if len(m.TypeNames) > 256 {
			err = bad("%d type names (at most 256)", len(m.TypeNames))
		}
	}
	if err != nil {
		if !errors.Is(err, secfile.ErrCorrupt) {
			err = bad("%v", err)
		}
		return nil, err
	}
	if !opt.Trusted {
		if err := g.Validate(); err != nil {
			return nil, bad("%v", err)
		}
	}
	f.Graph = g
	h := fnv.New64a()
	var buf [12]byte
	for _, name := range sf.Names() {
		crc, _ := sf.SectionCRC(name)
		b, _ := sf.Section(name)
		binary.LittleEndian.PutUint32(buf[0:], crc)
		binary.LittleEndian.PutUint64(buf[4:], uint64(len(b)))
		h.Write([]byte(name))
		h.Write(buf[:])
	}
	f.sum = h.Sum64()
	return f, nil
}

// Checksum identifies the file's content: an FNV-1a 64 hash of every section's name, length and
// CRC32C. Two files with equal checksums hold the same graph (up to CRC collisions); other files
// (vectors, features, partitions) record it to detect a mismatched graph.
func (f *File) Checksum() uint64 { return f.sum }

// Close unmaps the file; the Graph's slices must not be used afterwards.
func (f *File) Close() error {
	if f.sf == nil {
		return nil
	}
	err := f.sf.Close()
	f.sf = nil
	return err
}

// Validate checks the CSR invariants that make reads safe: len(Offsets) = N+1, Offsets[0] = 0,
// non-decreasing, Offsets[N] = len(Adj), every neighbour < N and rows strictly ascending, weights
// and times parallel to Adj, types (if any) < len(TypeNames). It runs in O(N+M) on all cores.
func (g *Graph) Validate() error {
	if uint64(len(g.Offsets)) != uint64(g.N)+1 {
		return fmt.Errorf("offsets has %d entries, want N+1 = %d", len(g.Offsets), uint64(g.N)+1)
	}
	if g.Offsets[0] != 0 || g.Offsets[g.N] != uint64(len(g.Adj)) {
		return fmt.Errorf("offsets run from %d to %d, want 0 to %d", g.Offsets[0], g.Offsets[g.N], len(g.Adj))
	}
	if g.Weights != nil && len(g.Weights) != len(g.Adj) || g.Times != nil && len(g.Times) != len(g.Adj) {
		return fmt.Errorf("weights/times not parallel to adj")
	}
	// Monotone offsets first (cheap), so that row slices below are in range.
	for v := uint32(0); v < g.N; v++ {
		if g.Offsets[v+1] < g.Offsets[v] {
			return fmt.Errorf("offsets decrease at node %d", v)
		}
	}
	var firstErr error
	var mu sync.Mutex
	parallelRange(int(g.N), func(lo, hi int) {
		for v := lo; v < hi; v++ {
			row := g.Adj[g.Offsets[v]:g.Offsets[v+1]]
			prev := int64(-1)
			for _, u := range row {
				if u >= g.N || int64(u) <= prev {
					mu.Lock()
					if firstErr == nil {
						if u >= g.N {
							firstErr = fmt.Errorf("node %d has neighbour %d >= N = %d", v, u, g.N)
						} else {
							firstErr = fmt.Errorf("neighbours of node %d not strictly ascending", v)
						}
					}
					mu.Unlock()
					return
				}
				prev = int64(u)
			}
		}
	})
	if firstErr != nil {
		return firstErr
	}
	if g.Types != nil {
		if len(g.Types) != int(g.N) {
			return fmt.Errorf("types has %d entries, want %d", len(g.Types), g.N)
		}
		for v, t := range g.Types {
			if int(t) >= len(g.TypeNames) {
				return fmt.Errorf("node %d has type code %d, only %d type names", v, t, len(g.TypeNames))
			}
		}
	}
	return nil
}

// parallelRange splits [0,n) into blocks and runs fn on them on all cores.
func parallelRange(n int, fn func(lo, hi int)) { parallelRangeW(n, runtime.GOMAXPROCS(0), fn) }

// Write stores g with meta at path (.rwg) atomically. Counts in meta (Nodes, Arcs, Edges,
// SelfLoops, Directed, Weighted, Timed, TypeNames) are filled from g; the rest is kept as given.
func Write(path string, g *Graph, meta Meta) error {
	if err := g.Validate(); err != nil {
		return fmt.Errorf("graph: refusing to write an invalid graph to %s: %w", path, err)
	}
	if err := meta.fill(g); err != nil {
		return err
	}
	return writeSections(path, g, meta)
}

// writeSections writes g and meta as they are (tests use it to make damaged files).
func writeSections(path string, g *Graph, meta Meta) error {
	if meta.IDKind == "" {
		meta.IDKind = "identity"
	}
	mb, err := json.MarshalIndent(meta, "", " ")
	if err != nil {
		return err
	}
	n := 3
	for _, b := range []bool{meta.Weighted, meta.Timed, len(meta.TypeNames) > 0} {
		if b {
			n++
		}
	}
	w, err := secfile.Create(path, GraphMagic, uint32(GraphCurrent), n)
	if err != nil {
		return err
	}
	defer w.Abort()
	w.Bytes("meta", mb)
	secfile.Slice(w, "offsets", g.Offsets)
	secfile.Slice(w, "adj", g.Adj)
	if meta.Weighted {
		secfile.Slice(w, "weights", g.Weights)
	}
	if meta.Timed {
		secfile.Slice(w, "times", g.Times)
	}
	if len(meta.TypeNames) > 0 {
		secfile.Slice(w, "types", g.Types)
	}
	if err := w.Commit(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// fill sets the counts and flags of m from g.
func (meta *Meta) fill(g *Graph) error {
	meta.Format = "riskwalk-graph"
	meta.Directed = g.Directed
	meta.Nodes = g.N
	meta.Arcs = g.NumArcs()
	meta.SelfLoops = g.SelfLoops()
	meta.Edges = meta.Arcs
	if !g.Directed {
		meta.Edges = (meta.Arcs-meta.SelfLoops)/2 + meta.SelfLoops
	}
	meta.Weighted = g.Weights != nil
	meta.Timed = g.Times != nil
	meta.TypeNames = nil
	if g.Types != nil {
		meta.TypeNames = g.TypeNames
		if len(meta.TypeNames) == 0 {
			return fmt.Errorf("graph: types without type names")
		}
	}
	return nil
}

// SelfLoops counts stored self-loop arcs (v in its own row); O(N log deg).
func (g *Graph) SelfLoops() uint64 {
	var n uint64
	for v := uint32(0); v < g.N; v++ {
		row := g.Neighbors(v)
		// rows are sorted: binary search for v
		lo, hi := 0, len(row)
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if row[m] < v {
				lo = m + 1
			} else {
				hi = m
			}
		}
		if lo < len(row) && row[lo] == v {
			n++
		}
	}
	return n
}

// NumEdges is the number of edges: arcs when directed; for undirected graphs each edge once
// (self-loops once).
func (g *Graph) NumEdges() uint64 {
	if g.Directed {
		return g.NumArcs()
	}
	s := g.SelfLoops()
	return (g.NumArcs()-s)/2 + s
}

// IDPath returns the id-index path for a graph path: X.rwg -> X.rwi (any other name gets .rwi
// appended).
func IDPath(graphPath string) string {
	if s, ok := strings.CutSuffix(graphPath, ".rwg"); ok {
		return s + ".rwi"
	}
	return graphPath + ".rwi"
}
