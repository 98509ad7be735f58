package graph

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"riskwalk/internal/secfile"
	"riskwalk/internal/testenv"
)

func writeFile(t *testing.T, name, body string, gz bool) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	data := []byte(body)
	if gz {
		var b bytes.Buffer
		z := gzip.NewWriter(&b)
		z.Write(data)
		z.Close()
		data = b.Bytes()
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// equalGraphs compares two graphs field by field.
func equalGraphs(t *testing.T, what string, got, want *Graph) {
	t.Helper()
	if got.N != want.N || got.Directed != want.Directed {
		t.Fatalf("%s: N %d/%d directed %v/%v", what, got.N, want.N, got.Directed, want.Directed)
	}
	if !slices.Equal(got.Offsets, want.Offsets) {
		t.Fatalf("%s: offsets differ", what)
	}
	if !slices.Equal(got.Adj, want.Adj) {
		t.Fatalf("%s: adjacency differs", what)
	}
	if (got.Weights == nil) != (want.Weights == nil) || !slices.Equal(got.Weights, want.Weights) {
		t.Fatalf("%s: weights differ (nil %v/%v)", what, got.Weights == nil, want.Weights == nil)
	}
	if (got.Times == nil) != (want.Times == nil) || !slices.Equal(got.Times, want.Times) {
		t.Fatalf("%s: times differ", what)
	}
}

type rawEdge struct {
	u, v string
	w    int
	t    int64
}

// randomEdgeList makes a text edge list with string ids, duplicates, self-loops, comments, blank
// lines, CRLF and mixed separators. Weights are small integers so sums are exact in float32.
func randomEdgeList(r *rand.Rand, n, m int, weighted, timed bool) (string, []rawEdge) {
	prefixes := []string{"u", "d", "p", "i"}
	id := func() string {
		k := r.IntN(n)
		return prefixes[k%4] + strconv.Itoa(k*7919%100003)
	}
	var b strings.Builder
	b.WriteString("# src dst weight time\n")
	var es []rawEdge
	for i := 0; i < m; i++ {
		e := rawEdge{u: id(), v: id(), w: 1}
		if r.IntN(20) == 0 {
			e.v = e.u
		}
		if r.IntN(10) == 0 && len(es) > 0 {
			p := es[r.IntN(len(es))]
			e.u, e.v = p.u, p.v
		}
		sep := []string{"\t", ",", " ", "  ", " , "}[r.IntN(5)]
		b.WriteString(e.u + sep + e.v)
		if weighted {
			e.w = 1 + r.IntN(9)
			fmt.Fprintf(&b, "%s%d", sep, e.w)
		}
		if timed {
			e.t = int64(1_600_000_000 + r.IntN(1000))
			fmt.Fprintf(&b, "%s%d", sep, e.t)
		}
		switch r.IntN(12) {
		case 0:
			b.WriteString("\r\n")
		case 1:
			b.WriteString("\n\n# a comment\n")
		default:
			b.WriteString("\n")
		}
		es = append(es, e)
	}
	return b.String(), es
}

func TestIngestRoundTripStringIDs(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		directed, weighted, timed, gz bool
	}{{false, true, true, false}, {true, true, false, true}, {false, false, false, true}, {true, true, true, false}} {
		name := fmt.Sprintf("directed=%v,weighted=%v,timed=%v,gz=%v", c.directed, c.weighted, c.timed, c.gz)
		text, es := randomEdgeList(r, 300, 3000, c.weighted, c.timed)
		p := writeFile(t, "edges.tsv", text, c.gz)
		var ref *Ingested
		for _, opt := range []IngestOptions{{Workers: 1}, {Workers: 4, ChunkSize: 97}, {Workers: 3, ChunkSize: 1 << 10}} {
			opt.Directed = c.directed
			in, err := Ingest([]string{p}, opt)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if in.IDs.Kind != IDString {
				t.Fatalf("%s: id kind %v", name, in.IDs.Kind)
			}
			// Dense ids follow first appearance.
			var order []string
			seen := map[string]bool{}
			for _, e := range es {
				for _, s := range []string{e.u, e.v} {
					if !seen[s] {
						seen[s] = true
						order = append(order, s)
					}
				}
			}
			if in.IDs.Len() != len(order) {
				t.Fatalf("%s: %d ids, want %d", name, in.IDs.Len(), len(order))
			}
			for v, s := range order {
				if in.IDs.Ext(uint32(v)) != s {
					t.Fatalf("%s: Ext(%d) = %q, want %q (first-appearance order)", name, v, in.IDs.Ext(uint32(v)), s)
				}
				if got, ok := in.IDs.Lookup(s); !ok || got != uint32(v) {
					t.Fatalf("%s: Lookup(%q) = %d %v", name, s, got, ok)
				}
			}
			if _, ok := in.IDs.Lookup("nope"); ok {
				t.Fatalf("%s: Lookup of an absent id succeeded", name)
			}
			// The CSR matches FromEdges on the same edge set.
			var edges []Edge
			for _, e := range es {
				u, _ := in.IDs.Lookup(e.u)
				v, _ := in.IDs.Lookup(e.v)
				edges = append(edges, Edge{U: u, V: v, W: float32(e.w), T: e.t})
			}
			want, err := FromEdges(uint32(len(order)), edges, c.directed, c.weighted, c.timed)
			if err != nil {
				t.Fatal(err)
			}
			equalGraphs(t, name, in.Graph, want)
			if ref == nil {
				ref = in
			}
			// Through the files and back.
			out := filepath.Join(t.TempDir(), "g.rwg")
			if err := in.WriteFiles(out); err != nil {
				t.Fatal(err)
			}
			f, err := Open(out)
			if err != nil {
				t.Fatal(err)
			}
			equalGraphs(t, name+" (file)", f.Graph, want)
			ids, err := OpenIDs(IDPath(out))
			if err != nil {
				t.Fatal(err)
			}
			if ids.GraphChecksum() != f.Checksum() || f.Checksum() == 0 {
				t.Fatalf("%s: index records graph checksum %x, graph has %x", name, ids.GraphChecksum(), f.Checksum())
			}
			for v, s := range order {
				if got, ok := ids.Lookup(s); !ok || got != uint32(v) || ids.Ext(uint32(v)) != s {
					t.Fatalf("%s: file index: Lookup(%q) = %d %v, Ext = %q", name, s, got, ok, ids.Ext(uint32(v)))
				}
			}
			if f.Meta.Edges != want.NumEdges() || f.Meta.Nodes != want.N || f.Meta.Directed != c.directed {
				t.Fatalf("%s: meta %+v", name, f.Meta)
			}
			f.Close()
			ids.Close()
		}
	}
}

func TestBuildCSRMatchesFromEdges(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 40; trial++ {
		n := uint32(1 + r.IntN(3000))
		m := r.IntN(20000)
		directed, weighted, timed := r.IntN(2) == 0, r.IntN(2) == 0, r.IntN(2) == 0
		var edges []Edge
		var parts []edgeSlice
		var cur edgeSlice
		for i := 0; i < m; i++ {
			e := Edge{U: r.Uint32N(n), V: r.Uint32N(n), W: float32(1 + r.IntN(5)), T: int64(r.IntN(100))}
			if r.IntN(5) == 0 && i > 0 { // duplicate
				e.U, e.V = edges[i-1].U, edges[i-1].V
			}
			edges = append(edges, e)
			cur.src = append(cur.src, e.U)
			cur.dst = append(cur.dst, e.V)
			if weighted {
				cur.w = append(cur.w, e.W)
			}
			if timed {
				cur.t = append(cur.t, e.T)
			}
			if r.IntN(1000) == 0 {
				parts = append(parts, cur)
				cur = edgeSlice{}
			}
		}
		parts = append(parts, cur)
		if !weighted {
			for i := range edges {
				edges[i].W = 1
			}
		}
		want, _ := FromEdges(n, edges, directed, weighted, timed)
		got, dups := buildCSR(n, parts, directed, weighted, timed, MergeSum, 1+r.IntN(4))
		equalGraphs(t, fmt.Sprintf("trial %d (n=%d m=%d dir=%v w=%v t=%v)", trial, n, m, directed, weighted, timed), got, want)
		arcs := uint64(0)
		for _, e := range edges {
			arcs++
			if !directed && e.U != e.V {
				arcs++
			}
		}
		if arcs-dups != want.NumArcs() {
			t.Fatalf("trial %d: %d arcs - %d merged != %d", trial, arcs, dups, want.NumArcs())
		}
		if err := got.Validate(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestIngestIntegerIDs(t *testing.T) {
	// Numeric order, external ids kept; not 0..n-1, so the index stores the values.
	p := writeFile(t, "e.tsv", "100 5\n5 7\n7\t100\n3000000000 5\n", false)
	in, err := Ingest([]string{p}, IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if in.IDs.Kind != IDInt || in.IDs.Len() != 4 {
		t.Fatalf("kind %v len %d", in.IDs.Kind, in.IDs.Len())
	}
	for v, s := range []string{"5", "7", "100", "3000000000"} {
		if in.IDs.Ext(uint32(v)) != s {
			t.Fatalf("Ext(%d) = %s, want %s", v, in.IDs.Ext(uint32(v)), s)
		}
		if got, ok := in.IDs.Lookup(s); !ok || got != uint32(v) {
			t.Fatalf("Lookup(%s) = %d %v", s, got, ok)
		}
	}
	for _, absent := range []string{"6", "05", "", "x", "99999999999999999999"} {
		if _, ok := in.IDs.Lookup(absent); ok {
			t.Fatalf("Lookup(%q) found", absent)
		}
	}
	if !slices.Equal(in.Graph.Neighbors(0), []uint32{1, 2, 3}) {
		t.Fatalf("neighbours of id 5: %v", in.Graph.Neighbors(0))
	}
	// Ids beyond 2^63 or with leading zeros are strings, kept verbatim; the whole input then uses
	// first-appearance order.
	p = writeFile(t, "e.tsv", "2 1\n007 99999999999999999999\n1 7\n", false)
	in, err = Ingest([]string{p}, IngestOptions{Workers: 2, ChunkSize: 32})
	if err != nil {
		t.Fatal(err)
	}
	if in.IDs.Kind != IDString {
		t.Fatalf("kind %v", in.IDs.Kind)
	}
	for v, s := range []string{"2", "1", "007", "99999999999999999999", "7"} {
		if in.IDs.Ext(uint32(v)) != s {
			t.Fatalf("Ext(%d) = %q, want %q", v, in.IDs.Ext(uint32(v)), s)
		}
	}
	// 0..n-1 is the identity.
	p = writeFile(t, "e.tsv", "0 2\n1 2\n", false)
	in, err = Ingest([]string{p}, IngestOptions{})
	if err != nil || in.IDs.Kind != IDIdentity || in.IDs.Ext(2) != "2" {
		t.Fatalf("identity: %v %v", err, in.IDs.Kind)
	}
}

func TestIngestMergeAndSelfLoops(t *testing.T) {
	p := writeFile(t, "e.tsv", "a b 2 10\nb a 5 30\na b 1 20\na a 4 1\n", false)
	in, err := Ingest([]string{p}, IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	g := in.Graph
	if g.NumArcs() != 3 || g.NumEdges() != 2 || in.Meta.SelfLoops != 1 || in.Meta.MergedDups != 4 {
		t.Fatalf("arcs %d edges %d loops %d merged %d", g.NumArcs(), g.NumEdges(), in.Meta.SelfLoops, in.Meta.MergedDups)
	}
	// Row of a (id 0): [a b] with weights [4, 2+5+1], latest time 30.
	if !slices.Equal(g.NeighborWeights(0), []float32{4, 8}) || g.Times[g.Offsets[0]+1] != 30 {
		t.Fatalf("sum merge: weights %v times %v", g.NeighborWeights(0), g.Times)
	}
	in, err = Ingest([]string{p}, IngestOptions{Merge: MergeMax, DropSelfLoops: true, Directed: true})
	if err != nil {
		t.Fatal(err)
	}
	g = in.Graph
	if g.NumArcs() != 2 || in.Meta.DroppedLoops != 1 || in.Meta.SelfLoops != 0 {
		t.Fatalf("drop: arcs %d dropped %d", g.NumArcs(), in.Meta.DroppedLoops)
	}
	if !slices.Equal(g.NeighborWeights(0), []float32{2}) || !slices.Equal(g.NeighborWeights(1), []float32{5}) {
		t.Fatalf("max merge: %v %v", g.NeighborWeights(0), g.NeighborWeights(1))
	}
}

func TestIngestBadLines(t *testing.T) {
	long := strings.Repeat("x", maxIDLen+1)
	cases := []struct{ line, msg string }{
		{"onlyone", "fewer than 2 columns"},
		{"a b 1 2 3", "more than 4 columns"},
		{"a b heavy", "weight is not a number"},
		{"a b -1", "weight must be finite"},
		{"a b NaN", "weight must be finite"},
		{"a b 1e999", "weight must be finite"},
		{"a b 1 yesterday", "timestamp is not an integer"},
		{",b", "empty id"},
		{"a " + long, "id longer than"},
	}
	for _, c := range cases {
		body := "# header\nx y\nx z 1\n" + c.line + "\nz y\n"
		p := writeFile(t, "bad.tsv", body, false)
		_, err := Ingest([]string{p}, IngestOptions{})
		if err == nil {
			t.Fatalf("%q accepted", c.line)
		}
		want := p + ":4: " + c.msg
		if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "--skip-bad") {
			t.Fatalf("%q: error %q, want it to contain %q", c.line, err, want)
		}
		if len(c.line) < 100 && !strings.Contains(err.Error(), strconv.Quote(c.line)) {
			t.Fatalf("%q: error %q does not quote the line", c.line, err)
		}
		in, err := Ingest([]string{p}, IngestOptions{SkipBad: true})
		if err != nil {
			t.Fatalf("%q with SkipBad: %v", c.line, err)
		}
		if in.Meta.BadLines != 1 || len(in.BadExamples) != 1 || in.BadExamples[0].Line != 4 || in.Graph.NumEdges() != 3 {
			t.Fatalf("%q with SkipBad: %d bad, examples %v, %d edges", c.line, in.Meta.BadLines, in.BadExamples, in.Graph.NumEdges())
		}
	}
	// Line numbers stay right across chunks and files, and the first bad line is reported.
	var b strings.Builder
	for i := 1; i <= 5000; i++ {
		if i == 3777 || i == 4000 {
			b.WriteString("broken\n")
		} else {
			fmt.Fprintf(&b, "%d %d\n", i, i+1)
		}
	}
	ok := writeFile(t, "ok.tsv", "1 2\n2 3\n", true)
	p := writeFile(t, "many.tsv", b.String(), true)
	_, err := Ingest([]string{ok, p}, IngestOptions{Workers: 4, ChunkSize: 512})
	if err == nil || !strings.Contains(err.Error(), p+":3777:") {
		t.Fatalf("error %v, want %s:3777", err, p)
	}
	in, err := Ingest([]string{ok, p}, IngestOptions{Workers: 4, ChunkSize: 512, SkipBad: true})
	if err != nil || in.Meta.BadLines != 2 || in.BadExamples[1].Line != 4000 {
		t.Fatalf("skip: %v %+v", err, in.BadExamples)
	}
}

func TestIngestEmptyAndLimits(t *testing.T) {
	for _, body := range []string{"", "# only a comment\n\n", "\n\n"} {
		p := writeFile(t, "empty.tsv", body, false)
		if _, err := Ingest([]string{p}, IngestOptions{}); err == nil || !strings.Contains(err.Error(), "no edges") {
			t.Fatalf("%q: error %v, want no edges", body, err)
		}
	}
	p := writeFile(t, "e.tsv", "a b\nc d\ne f\n", false)
	if _, err := Ingest([]string{p}, IngestOptions{MaxNodes: 5}); err == nil || !strings.Contains(err.Error(), "6 distinct node ids") {
		t.Fatalf("MaxNodes: %v", err)
	}
	p = writeFile(t, "e.tsv", "1 2\n3 4\n5 6\n", false)
	if _, err := Ingest([]string{p}, IngestOptions{MaxNodes: 5}); err == nil || !strings.Contains(err.Error(), "distinct node ids") {
		t.Fatalf("MaxNodes ints: %v", err)
	}
	if _, err := Ingest([]string{filepath.Join(t.TempDir(), "missing.tsv")}, IngestOptions{}); err == nil {
		t.Fatal("missing file accepted")
	}
	// A line longer than a chunk.
	p = writeFile(t, "e.tsv", "a "+strings.Repeat("b", 300)+"\nc d\n", false)
	if _, err := Ingest([]string{p}, IngestOptions{ChunkSize: 128}); err == nil || !strings.Contains(err.Error(), ":1: line longer") {
		t.Fatalf("long line: %v", err)
	}
}

func TestIngestNodeTypes(t *testing.T) {
	edges := writeFile(t, "edges.tsv", "# src dst w t\nu1\td1\t1\t5\nu2\td1\t1\t6\nu2\tp9\t2\t7\nx5\tu1\t1\t8\n", true)
	nodes := writeFile(t, "nodes.tsv", "# id type\nu1\tuser\nu2\tuser\nd1\tdevice\nu3\tuser\n", false)
	in, err := Ingest([]string{edges}, IngestOptions{NodeTypes: nodes, TypePrefix: "p=phone,u=user"})
	if err != nil {
		t.Fatal(err)
	}
	g := in.Graph
	want := map[string]string{"u1": "user", "d1": "device", "u2": "user", "p9": "phone", "x5": "unknown", "u3": "user"}
	if g.N != 6 {
		t.Fatalf("N = %d, want 6 (u3 from nodes.tsv as an isolated node)", g.N)
	}
	for ext, typ := range want {
		v, ok := in.IDs.Lookup(ext)
		if !ok || g.TypeNames[g.Types[v]] != typ {
			t.Fatalf("%s: found %v, type %q, want %q", ext, ok, g.TypeNames[g.Types[v]], typ)
		}
	}
	if v, _ := in.IDs.Lookup("u3"); g.Degree(v) != 0 {
		t.Fatal("u3 should be isolated")
	}
	out := filepath.Join(t.TempDir(), "g.rwg")
	if err := in.WriteFiles(out); err != nil {
		t.Fatal(err)
	}
	f, err := Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !slices.Equal(f.Types, g.Types) || !slices.Equal(f.TypeNames, g.TypeNames) || f.Times == nil || f.Weights == nil {
		t.Fatalf("types/times/weights lost in the file: %v %v", f.TypeNames, f.Types)
	}
	bad := writeFile(t, "nodes.tsv", "u1\tuser\nu1\tdevice\n", false)
	if _, err := Ingest([]string{edges}, IngestOptions{NodeTypes: bad}); err == nil || !strings.Contains(err.Error(), ":2:") {
		t.Fatalf("conflicting types: %v", err)
	}
	if _, err := Ingest([]string{edges}, IngestOptions{TypePrefix: "u:user"}); err == nil {
		t.Fatal("bad prefix rule accepted")
	}
}

func TestLookupBytesZeroAlloc(t *testing.T) {
	p := writeFile(t, "e.tsv", "alice bob\nbob carol\n", false)
	in, err := Ingest([]string{p}, IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "g.rwg")
	if err := in.WriteFiles(out); err != nil {
		t.Fatal(err)
	}
	ids, err := OpenIDs(IDPath(out))
	if err != nil {
		t.Fatal(err)
	}
	defer ids.Close()
	key := []byte("carol")
	var buf []byte
	allocs := testing.AllocsPerRun(100, func() {
		v, ok := ids.LookupBytes(key)
		if !ok || v != 2 {
			t.Fatal("carol not found")
		}
		if _, ok := ids.Lookup("bob"); !ok {
			t.Fatal("bob not found")
		}
		buf = ids.AppendExt(buf[:0], 0)
	})
	if allocs != 0 || string(buf) != "alice" {
		t.Fatalf("%v allocations per lookup, AppendExt %q", allocs, buf)
	}
}

// TestCorruptFiles damages valid files in many ways; every open must fail with a clear error
// wrapping secfile.ErrCorrupt, never panic.
func TestCorruptFiles(t *testing.T) {
	p := writeFile(t, "e.tsv", "u1 d1 1 5\nu2 d1 2 6\nu2 p9 3 7\n", false)
	in, err := Ingest([]string{p}, IngestOptions{TypePrefix: "u=user"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "g.rwg")
	if err := in.WriteFiles(out); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{out, IDPath(out)} {
		good, _ := os.ReadFile(file)
		open := func(b []byte) error {
			q := filepath.Join(dir, "bad"+filepath.Ext(file))
			os.WriteFile(q, b, 0o644)
			if file == out {
				f, err := Open(q)
				if err == nil {
					f.Close()
				}
				return err
			}
			x, err := OpenIDs(q)
			if err == nil {
				x.Close()
			}
			return err
		}
		if err := open(good); err != nil {
			t.Fatalf("%s: good copy rejected: %v", file, err)
		}
		for _, n := range []int{0, 10, 31, 100, len(good) / 2, len(good) - 1} {
			if err := open(good[:n]); err == nil || !errors.Is(err, secfile.ErrCorrupt) {
				t.Fatalf("%s truncated to %d: %v", file, n, err)
			}
		}
		// Every byte of the header and table, then a few hundred spread over the rest.
		stride := max(1, len(good)/300)
		for i := 0; i < len(good); i += map[bool]int{true: 1, false: stride}[i < 512] {
			b := slices.Clone(good)
			b[i] ^= 0x5a
			err := open(b)
			if err == nil {
				// Only bytes that nothing covers (padding) may change unnoticed.
				if good[i] != 0 {
					t.Fatalf("%s: flipping byte %d (0x%02x) went unnoticed", file, i, good[i])
				}
				continue
			}
			if !errors.Is(err, secfile.ErrCorrupt) && !strings.Contains(err.Error(), "format version") {
				t.Fatalf("%s: byte %d: error %v does not say corrupt", file, i, err)
			}
		}
	}
	// Structurally wrong but checksummed files: the O(M) check at Open catches them.
	for _, g := range []*Graph{
		{N: 2, Offsets: []uint64{0, 1, 2}, Adj: []uint32{1, 7}},
		{N: 2, Offsets: []uint64{0, 2, 2}, Adj: []uint32{1, 0}},
		{N: 2, Offsets: []uint64{0, 2, 1}, Adj: []uint32{1}},
		{N: 2, Offsets: []uint64{0, 1, 2}, Adj: []uint32{1, 0}, Types: []uint8{0, 3}, TypeNames: []string{"a"}},
	} {
		q := filepath.Join(dir, "s.rwg")
		if err := Write(q, g, Meta{}); err == nil {
			t.Fatalf("Write accepted %+v", g)
		}
		if err := writeSections(q, g, Meta{Nodes: g.N, Arcs: uint64(len(g.Adj)), TypeNames: g.TypeNames}); err != nil {
			t.Fatal(err)
		}
		if f, err := Open(q); err == nil || !errors.Is(err, secfile.ErrCorrupt) {
			t.Fatalf("%+v accepted: %v", g, err)
		} else if f != nil {
			f.Close()
		}
		if f, err := OpenWith(q, OpenOptions{Trusted: true}); err == nil {
			f.Close() // trusted skips the structure check by contract
		}
	}
}

// TestIngestSharedData ingests every shared data set as-is and checks the counts their READMEs
// state.
func TestIngestSharedData(t *testing.T) {
	cases := []struct {
		dir, file        string
		directed         bool
		nodes, edges, sl uint64
		weighted         bool
		kind             IDKind
	}{
		{"karate", "edges.tsv", false, 34, 78, 0, false, IDIdentity},
		{"blogcatalog", "edges.tsv", false, 10312, 333983, 0, false, IDIdentity},
		{"email-eu-core", "edges.tsv", true, 1005, 25571, 642, false, IDIdentity},
		{"pos", "edges.tsv", false, 4777, 92517, 222, true, IDIdentity},
		{"ppi", "edges.tsv", false, 3890, 38739, 894, true, IDIdentity},
		{"tolokers", "edges.tsv.gz", false, 11758, 519000, 0, false, IDIdentity},
		// dblp-2010's BVGraph has 326,186 nodes, 25,539 of them without arcs: absent from arcs.tsv.
		{"dblp-2010", "arcs.tsv.gz", false, 300647, 807700, 0, false, IDInt},
		{"cnr-2000", "arcs.tsv.gz", true, 325557, 3216152, 87442, false, IDIdentity},
	}
	for _, c := range cases {
		in, err := Ingest([]string{testenv.DataFile(t, c.dir, c.file)}, IngestOptions{Directed: c.directed})
		if err != nil {
			t.Fatalf("%s: %v", c.dir, err)
		}
		m := in.Meta
		if uint64(m.Nodes) != c.nodes || m.Edges != c.edges || m.SelfLoops != c.sl || m.Weighted != c.weighted || in.IDs.Kind != c.kind {
			t.Fatalf("%s: nodes %d edges %d self-loops %d weighted %v kind %v; want %d %d %d %v %v", c.dir, m.Nodes, m.Edges, m.SelfLoops, m.Weighted, in.IDs.Kind, c.nodes, c.edges, c.sl, c.weighted, c.kind)
		}
		if err := in.Graph.Validate(); err != nil {
			t.Fatalf("%s: %v", c.dir, err)
		}
	}
}

// BenchmarkIngestCNR ingests cnr-2000 (3.2M arcs, gzip) in memory: parse, relabel, build.
func BenchmarkIngestCNR(b *testing.B) {
	p := testenv.DataFile(b, "cnr-2000", "arcs.tsv.gz")
	for b.Loop() {
		if _, err := Ingest([]string{p}, IngestOptions{Directed: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(3216152*float64(b.N)/b.Elapsed().Seconds()/1e6, "Marcs/s")
}
