package graph

// Ingest pipeline (all cores):
//
//  1. A reader goroutine streams each input (gunzipping when the file starts with the gzip magic) in
//     large chunks cut at newlines, counting lines so each chunk knows its first line number.
//  2. Workers parse chunks without per-line allocations. A chunk is first parsed as integer ids; if
//     a token is not a canonical integer the chunk is re-parsed interning its ids into a per-chunk
//     table (local ids in order of first appearance).
//  3. Relabel, in chunk order: if every id in every input is an integer, dense ids follow numeric
//     order (ids 0..n-1 keep their values); otherwise ids get dense numbers in order of first
//     appearance in the input (file order, then line, src before dst), whatever the thread count.
//  4. CSR by counting sort: degree count, prefix sum, parallel scatter, per-row sort and merge of
//     duplicates (see buildCSR).

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"riskwalk/internal/progress"
)

// MergeMode says how duplicate arcs combine their weights (timestamps always keep the latest).
type MergeMode uint8

const (
	MergeSum MergeMode = iota // weights add up (the default; matches FromEdges)
	MergeMax                  // the largest weight is kept
)

// IngestOptions control Ingest. The zero value ingests an undirected graph, keeps self-loops, sums
// duplicate weights and fails on the first bad line.
type IngestOptions struct {
	Directed      bool
	SkipBad       bool // count bad lines (and keep the first few) instead of failing
	Merge         MergeMode
	DropSelfLoops bool
	// NodeTypes is an optional file of "id<TAB>type" lines ('#' comments); ids it names that no
	// edge mentions become isolated nodes.
	NodeTypes string
	// TypePrefix is an optional rule "u=user,d=device": a node whose external id starts with a
	// prefix gets that type (longest prefix wins; NodeTypes entries take precedence).
	TypePrefix string
	Workers    int    // parsing and building goroutines; 0 means GOMAXPROCS
	ChunkSize  int    // bytes per parse chunk; 0 means 4 MiB
	MaxNodes   uint64 // most distinct ids allowed; 0 means 2^32-1 (tests lower it)
	Progress   io.Writer
}

// BadLine is one rejected input line.
type BadLine struct {
	File string
	Line uint64
	Msg  string
	Text string
}

func (b BadLine) String() string {
	return fmt.Sprintf("%s:%d: %s: %q", b.File, b.Line, b.Msg, b.Text)
}

// Ingested is the result of Ingest: the graph, its id index (in memory) and the meta to store.
type Ingested struct {
	Graph       *Graph
	IDs         *IDIndex
	Meta        Meta
	BadExamples []BadLine // first few bad lines when SkipBad
}

// ErrBadInput marks input-data errors (as opposed to I/O errors).
var ErrBadInput = errors.New("bad input")

const maxBadExamples = 5

// chunk is a piece of one input holding whole lines.
type chunk struct {
	seq   int
	file  int
	line0 uint64 // line number of the chunk's first line, 1-based
	data  []byte
	buf   *[]byte // returned to the pool after parsing
}

// chunkResult is a parsed chunk. src/dst hold integer ids that fit in 32 bits (intMode, wide
// false), 64-bit integer ids in src64/dst64 (intMode, wide), or local ids into strs (string mode).
type chunkResult struct {
	seq, file    int
	lines        uint64
	edges        uint64
	intMode      bool
	wide         bool
	src, dst     []uint32
	src64, dst64 []uint64
	strBlob      []byte
	strOffs      []uint64
	strHash      []uint64
	w            []float32 // nil when no line of the chunk has a weight
	t            []int64   // nil when no line of the chunk has a timestamp
	loops        uint64    // self-loops dropped
	bad          uint64
	badEx        []BadLine
}

// Ingest reads edge-list files and builds the graph and id index. Lines hold "src dst [weight
// [timestamp]]" separated by tabs, commas or spaces; blank lines and lines starting with '#' or '%'
// are skipped; a file whose first bytes are the gzip magic is decompressed. Weights are finite,
// non-negative decimals (missing ones count 1); timestamps are integers (missing ones count 0).
// Errors from bad lines wrap ErrBadInput and name file:line and the text.
func Ingest(files []string, opt IngestOptions) (*Ingested, error) {
	if len(files) == 0 {
		return nil, fmt.Errorf("no input files")
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	if opt.ChunkSize <= 0 {
		opt.ChunkSize = 4 << 20
	}
	if opt.MaxNodes == 0 || opt.MaxNodes > 1<<32-1 {
		opt.MaxNodes = 1<<32 - 1
	}
	prefixRules, err := parsePrefixRules(opt.TypePrefix)
	if err != nil {
		return nil, err
	}
	var nt *nodeTypes
	if opt.NodeTypes != "" {
		if nt, err = readNodeTypes(opt.NodeTypes); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	results, sm, err := parseAll(files, opt)
	if err != nil {
		return nil, err
	}
	in := &Ingested{}
	m := &in.Meta
	var badAll []BadLine
	weighted, timed, allInt := false, false, true
	for _, r := range results {
		m.InputLines += r.lines
		m.InputEdges += r.edges
		m.BadLines += r.bad
		m.DroppedLoops += r.loops
		badAll = append(badAll, r.badEx...)
		weighted = weighted || r.w != nil
		timed = timed || r.t != nil
		allInt = allInt && r.intMode
	}
	if nt != nil && !nt.allInt {
		allInt = false
	}
	if len(badAll) > maxBadExamples {
		badAll = badAll[:maxBadExamples]
	}
	in.BadExamples = badAll
	if !opt.SkipBad && m.BadLines > 0 {
		return nil, fmt.Errorf("%w: %s (fix the line, or pass --skip-bad to skip bad lines)", ErrBadInput, badAll[0])
	}
	if m.InputEdges == 0 && (nt == nil || nt.ids.len() == 0) {
		return nil, fmt.Errorf("%w: %s: no edges (only blank or comment lines, or all skipped)", ErrBadInput, strings.Join(files, ", "))
	}
	// Relabel to dense ids.
	var parts []edgeSlice
	if allInt {
		parts, in.IDs, err = relabelInts(results, nt, opt)
	} else {
		parts, in.IDs, err = relabelStrings(results, nt, opt, sm)
	}
	if err != nil {
		return nil, err
	}
	results = nil
	n := uint32(in.IDs.Len())
	g, dups := buildCSR(n, parts, opt.Directed, weighted, timed, opt.Merge, opt.Workers)
	parts = nil
	m.MergedDups = dups
	if nt != nil || len(prefixRules) > 0 {
		g.Types, g.TypeNames = assignTypes(in.IDs, nt, prefixRules)
	}
	in.Graph = g
	if err := m.fill(g); err != nil {
		return nil, err
	}
	m.IDKind = in.IDs.Kind.String()
	m.Sources = files
	m.CreatedAt = time.Now().UTC().Format(time.RFC3339)
	m.Flags = map[string]string{
		"directed":   strconv.FormatBool(opt.Directed),
		"merge":      map[MergeMode]string{MergeSum: "sum", MergeMax: "max"}[opt.Merge],
		"self_loops": map[bool]string{false: "keep", true: "drop"}[opt.DropSelfLoops],
		"skip_bad":   strconv.FormatBool(opt.SkipBad),
	}
	if opt.NodeTypes != "" {
		m.Flags["node_types"] = opt.NodeTypes
	}
	if opt.TypePrefix != "" {
		m.Flags["type_prefix"] = opt.TypePrefix
	}
	if opt.Progress != nil {
		fmt.Fprintf(opt.Progress, "ingest: %d nodes, %d arcs from %d lines in %s\n", g.N, g.NumArcs(), m.InputLines, time.Since(start).Round(time.Millisecond))
	}
	return in, nil
}

// WriteFiles writes the graph to graphPath and the id index to IDPath(graphPath), each atomically.
// If the index cannot be written the new graph file is removed, so no mismatched pair is left (the
// index also records the graph's checksum).
func (in *Ingested) WriteFiles(graphPath string) error {
	if err := Write(graphPath, in.Graph, in.Meta); err != nil {
		return err
	}
	f, err := OpenWith(graphPath, OpenOptions{Trusted: true})
	if err != nil {
		os.Remove(graphPath)
		return err
	}
	sum := f.Checksum()
	f.Close()
	if err := in.IDs.Write(IDPath(graphPath), sum); err != nil {
		os.Remove(graphPath)
		return err
	}
	return nil
}

// countingReader counts bytes read from the underlying file (for progress on compressed input).
type countingReader struct {
	r io.Reader
	m *progress.Meter
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.m != nil {
		c.m.Add(int64(n))
	}
	return n, err
}

// parseAll runs the reader and the parse workers and returns chunk results in input order.
func parseAll(files []string, opt IngestOptions) ([]*chunkResult, *stringMerger, error) {
	var total int64
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			return nil, nil, err
		}
		if st.IsDir() {
			return nil, nil, fmt.Errorf("%s is a directory, want an edge-list file", f)
		}
		total += st.Size()
	}
	var meter *progress.Meter
	if opt.Progress != nil {
		meter = progress.StartTo(opt.Progress, "ingest: read", "B", total, 0, nil)
	}
	nbuf := 2*opt.Workers + 2
	pool := make(chan *[]byte, nbuf)
	for i := 0; i < nbuf; i++ {
		b := make([]byte, 0, opt.ChunkSize)
		pool <- &b
	}
	chunks := make(chan chunk, nbuf)
	out := make(chan *chunkResult, nbuf)
	var stop atomic.Bool // set on the first bad line when not skipping
	var readErr error
	go func() {
		defer close(chunks)
		readErr = readChunks(files, opt.ChunkSize, pool, chunks, &stop, meter)
	}()
	var wg sync.WaitGroup
	for w := 0; w < opt.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := newParser(opt)
			for c := range chunks {
				r := p.parse(c, files[c.file])
				c.data = nil
				pool <- c.buf
				if r.bad > 0 && !opt.SkipBad {
					stop.Store(true)
				}
				out <- r
			}
		}()
	}
	go func() { wg.Wait(); close(out) }()
	var results []*chunkResult
	var sm *stringMerger
	var mergeErr error
	for r := range out {
		for len(results) <= r.seq {
			results = append(results, nil)
		}
		results[r.seq] = r
		if !r.intMode && sm == nil {
			sm = newStringMerger(opt)
		}
		for sm != nil && mergeErr == nil && !stop.Load() && sm.merged < len(results) && results[sm.merged] != nil {
			if mergeErr = sm.add(results[sm.merged]); mergeErr != nil {
				stop.Store(true)
			}
		}
	}
	if meter != nil {
		meter.Finish()
	}
	if readErr != nil {
		return nil, nil, readErr
	}
	if mergeErr != nil {
		return nil, nil, mergeErr
	}
	// On a stop, later chunks may be missing: keep the prefix parsed so far (the first bad line is
	// in it because chunks are read in order).
	for i, r := range results {
		if r == nil {
			results = results[:i]
			break
		}
	}
	if sm != nil && sm.merged > len(results) {
		sm.merged = len(results)
	}
	return results, sm, nil
}

// readChunks streams files into chunks of whole lines.
func readChunks(files []string, size int, pool chan *[]byte, chunks chan<- chunk, stop *atomic.Bool, meter *progress.Meter) error {
	seq := 0
	for fi, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		var r io.Reader = &countingReader{r: f, m: meter}
		br := bufio.NewReaderSize(r, 1<<16)
		if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
			zr, err := gzip.NewReader(br)
			if err != nil {
				f.Close()
				return fmt.Errorf("%s: %w", name, err)
			}
			r = zr
		} else {
			r = br
		}
		line := uint64(1)
		var carry []byte
		eof := false
		for !eof {
			if stop.Load() {
				f.Close()
				return nil
			}
			bp := <-pool
			buf := append((*bp)[:0], carry...)
			for len(buf) < cap(buf) {
				n, err := r.Read(buf[len(buf):cap(buf)])
				buf = buf[:len(buf)+n]
				if err == io.EOF {
					eof = true
					break
				}
				if err != nil {
					f.Close()
					return fmt.Errorf("read %s: %w", name, err)
				}
			}
			cut := len(buf)
			if !eof {
				i := bytes.LastIndexByte(buf, '\n')
				if i < 0 {
					f.Close()
					return fmt.Errorf("%w: %s:%d: line longer than %d bytes (not an edge list?)", ErrBadInput, name, line, cap(buf))
				}
				cut = i + 1
			}
			// carry must not alias buf, which goes to a worker.
			carry = append(carry[:0], buf[cut:]...)
			*bp = buf
			chunks <- chunk{seq: seq, file: fi, line0: line, data: buf[:cut], buf: bp}
			line += uint64(bytes.Count(buf[:cut], []byte{'\n'}))
			seq++
		}
		f.Close()
	}
	return nil
}

// parser holds one worker's scratch, reused across chunks.
type parser struct {
	opt      IngestOptions
	s64, d64 []uint64
	s32, d32 []uint32
	w        []float32
	t        []int64
	local    *strTab
	hashes   []uint64
}

func newParser(opt IngestOptions) *parser {
	return &parser{opt: opt, local: newStrTab(1 << 12)}
}

// fields splits a line into at most 4 fields; it returns the count, or -1 if there are more.
// Separators are tabs, commas and spaces; runs of spaces/tabs count once, and a comma may be
// surrounded by spaces. A trailing '\r' is ignored.
func splitFields(line []byte, f *[4][]byte) int {
	n := 0
	i := 0
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	for i < len(line) {
		j := i
		for j < len(line) {
			c := line[j]
			if c == '\t' || c == ',' || c == ' ' || c == '\r' {
				break
			}
			j++
		}
		if n == 4 {
			return -1
		}
		f[n] = line[i:j]
		n++
		comma := false
		for j < len(line) {
			c := line[j]
			if c == ' ' || c == '\t' || c == '\r' {
				j++
			} else if c == ',' && !comma {
				comma = true
				j++
			} else {
				break
			}
		}
		if comma && j == len(line) {
			// trailing comma: an empty last field
			if n == 4 {
				return -1
			}
			f[n] = line[j:j]
			n++
		}
		i = j
	}
	return n
}

const maxIDLen = 4096

// parse parses one chunk: as integers first, as strings if a token is not an integer.
func (p *parser) parse(c chunk, name string) *chunkResult {
	r := &chunkResult{seq: c.seq, file: c.file}
	if !p.parseChunk(c, name, r, true) {
		*r = chunkResult{seq: c.seq, file: c.file}
		p.parseChunk(c, name, r, false)
	}
	return r
}

// parseChunk parses c into r; in intMode it returns false at the first non-integer id.
func (p *parser) parseChunk(c chunk, name string, r *chunkResult, intMode bool) bool {
	p.s64, p.d64, p.w, p.t = p.s64[:0], p.d64[:0], p.w[:0], p.t[:0]
	p.s32, p.d32, p.hashes = p.s32[:0], p.d32[:0], p.hashes[:0]
	if !intMode {
		p.local.reset()
	}
	hasW, hasT := false, false
	var maxV uint64
	data := c.data
	lineNo := c.line0
	var f [4][]byte
	badLine := func(ln uint64, msg string, line []byte) {
		r.bad++
		if len(r.badEx) < maxBadExamples {
			if len(line) > 200 {
				line = line[:200]
			}
			r.badEx = append(r.badEx, BadLine{File: name, Line: ln, Msg: msg, Text: string(bytes.TrimRight(line, "\r"))})
		}
	}
	for len(data) > 0 {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		r.lines++
		ln := lineNo
		lineNo++
		nf := splitFields(line, &f)
		if nf == 0 || len(f[0]) > 0 && (f[0][0] == '#' || f[0][0] == '%') {
			continue
		}
		msg := ""
		switch {
		case nf < 0:
			msg = "more than 4 columns (want src dst [weight [timestamp]])"
		case nf < 2:
			msg = "fewer than 2 columns (want src dst [weight [timestamp]])"
		case len(f[0]) == 0 || len(f[1]) == 0:
			msg = "empty id"
		case len(f[0]) > maxIDLen || len(f[1]) > maxIDLen:
			msg = fmt.Sprintf("id longer than %d bytes", maxIDLen)
		}
		w := float32(1)
		if msg == "" && nf >= 3 {
			v, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(f[2]), len(f[2])), 32)
			switch {
			case err != nil && !errors.Is(err, strconv.ErrRange):
				msg = "weight is not a number"
			case err != nil || math.IsInf(v, 0) || math.IsNaN(v) || v < 0:
				msg = "weight must be finite and >= 0"
			default:
				w = float32(v)
			}
		}
		var ts int64
		if msg == "" && nf == 4 {
			v, err := strconv.ParseInt(unsafe.String(unsafe.SliceData(f[3]), len(f[3])), 10, 64)
			if err != nil {
				msg = "timestamp is not an integer (unix seconds)"
			}
			ts = v
		}
		if msg != "" {
			badLine(ln, msg, line)
			if !p.opt.SkipBad {
				break
			}
			continue
		}
		if p.opt.DropSelfLoops && bytes.Equal(f[0], f[1]) {
			r.loops++
			continue
		}
		if intMode {
			a, ok1 := parseCanonicalUint(f[0])
			b, ok2 := parseCanonicalUint(f[1])
			if !ok1 || !ok2 {
				return false
			}
			p.s64 = append(p.s64, a)
			p.d64 = append(p.d64, b)
			maxV = max(maxV, a, b)
		} else {
			for k := 0; k < 2; k++ {
				h := Hash64(f[k])
				id, added := p.local.intern(f[k], h)
				if added {
					p.hashes = append(p.hashes, h)
				}
				if k == 0 {
					p.s32 = append(p.s32, id)
				} else {
					p.d32 = append(p.d32, id)
				}
			}
		}
		if nf >= 3 && !hasW {
			hasW = true
			for len(p.w) < int(r.edges) {
				p.w = append(p.w, 1)
			}
		}
		if hasW {
			p.w = append(p.w, w)
		}
		if nf == 4 && !hasT {
			hasT = true
			for len(p.t) < int(r.edges) {
				p.t = append(p.t, 0)
			}
		}
		if hasT {
			p.t = append(p.t, ts)
		}
		r.edges++
	}
	r.intMode = intMode
	if intMode {
		if maxV < 1<<32 {
			r.src, r.dst = make([]uint32, len(p.s64)), make([]uint32, len(p.d64))
			for i, v := range p.s64 {
				r.src[i] = uint32(v)
			}
			for i, v := range p.d64 {
				r.dst[i] = uint32(v)
			}
		} else {
			r.wide = true
			r.src64, r.dst64 = slices.Clone(p.s64), slices.Clone(p.d64)
		}
	} else {
		r.src, r.dst = slices.Clone(p.s32), slices.Clone(p.d32)
		r.strBlob = slices.Clone(p.local.blob)
		r.strOffs = slices.Clone(p.local.offs)
		r.strHash = slices.Clone(p.hashes)
	}
	if hasW {
		r.w = slices.Clone(p.w)
	}
	if hasT {
		r.t = slices.Clone(p.t)
	}
	return true
}

// edgeSlice is a run of edges between dense ids; w nil means weight 1, t nil means time 0.
type edgeSlice struct {
	src, dst []uint32
	w        []float32
	t        []int64
}

func tooMany(n uint64, opt IngestOptions) error {
	return fmt.Errorf("%w: %d distinct node ids, more than the %d this build supports (dense ids are uint32)", ErrBadInput, n, opt.MaxNodes)
}

// relabelInts maps integer ids to dense ids in numeric order.
func relabelInts(results []*chunkResult, nt *nodeTypes, opt IngestOptions) ([]edgeSlice, *IDIndex, error) {
	var maxV, endpoints uint64
	anyWide := false
	for _, r := range results {
		endpoints += 2 * uint64(len(r.src)+len(r.src64))
		anyWide = anyWide || r.wide
		for _, s := range [][]uint32{r.src, r.dst} {
			for _, v := range s {
				maxV = max(maxV, uint64(v))
			}
		}
		for _, s := range [][]uint64{r.src64, r.dst64} {
			for _, v := range s {
				maxV = max(maxV, v)
			}
		}
	}
	if nt != nil {
		for _, v := range nt.ints {
			maxV = max(maxV, v)
		}
	}
	parts := make([]edgeSlice, len(results))
	var ints []uint64
	x := &IDIndex{}
	if !anyWide && maxV < 1<<32-1 && maxV < 2*endpoints+1<<20 {
		// Dense table: mark, then rank.
		rank := make([]uint32, maxV+1)
		parallelEach(len(results), opt.Workers, func(i int) {
			r := results[i]
			for _, s := range [][]uint32{r.src, r.dst} {
				for _, v := range s {
					if atomic.LoadUint32(&rank[v]) == 0 {
						atomic.StoreUint32(&rank[v], 1)
					}
				}
			}
		})
		if nt != nil {
			for _, v := range nt.ints {
				rank[v] = 1
			}
		}
		var id uint64
		for v := range rank {
			if rank[v] != 0 {
				rank[v] = uint32(id)
				id++
				ints = append(ints, uint64(v))
			}
		}
		if id > opt.MaxNodes {
			return nil, nil, tooMany(id, opt)
		}
		parallelEach(len(results), opt.Workers, func(i int) {
			r := results[i]
			for _, s := range [][]uint32{r.src, r.dst} {
				for k, v := range s {
					s[k] = rank[v]
				}
			}
			parts[i] = edgeSlice{src: r.src, dst: r.dst, w: r.w, t: r.t}
		})
	} else {
		// Sparse ids: sort and deduplicate all values, then binary-search each endpoint.
		all := make([]uint64, 0, endpoints)
		for _, r := range results {
			for _, s := range [][]uint32{r.src, r.dst} {
				for _, v := range s {
					all = append(all, uint64(v))
				}
			}
			all = append(all, r.src64...)
			all = append(all, r.dst64...)
		}
		if nt != nil {
			all = append(all, nt.ints...)
		}
		slices.Sort(all)
		ints = slices.Compact(all)
		if uint64(len(ints)) > opt.MaxNodes {
			return nil, nil, tooMany(uint64(len(ints)), opt)
		}
		find := func(v uint64) uint32 { i, _ := slices.BinarySearch(ints, v); return uint32(i) }
		parallelEach(len(results), opt.Workers, func(i int) {
			r := results[i]
			if r.wide {
				r.src, r.dst = make([]uint32, len(r.src64)), make([]uint32, len(r.dst64))
				for k := range r.src64 {
					r.src[k], r.dst[k] = find(r.src64[k]), find(r.dst64[k])
				}
				r.src64, r.dst64 = nil, nil
			} else {
				for _, s := range [][]uint32{r.src, r.dst} {
					for k, v := range s {
						s[k] = find(uint64(v))
					}
				}
			}
			parts[i] = edgeSlice{src: r.src, dst: r.dst, w: r.w, t: r.t}
		})
	}
	x.n = uint32(len(ints))
	if maxV+1 == uint64(len(ints)) || len(ints) == 0 {
		x.Kind = IDIdentity
	} else {
		x.Kind = IDInt
		x.ints = ints
	}
	return parts, x, nil
}

// stringMerger gives string ids dense numbers in order of first appearance. Chunks must be added
// in input order; the collector in parseAll adds them as they arrive once any chunk has string
// ids, so interning overlaps parsing and each chunk's local strings are freed early.
type stringMerger struct {
	tab    *strTab
	num    []byte
	merged int // chunks added so far (a prefix of the input)
	max    uint64
}

func newStringMerger(opt IngestOptions) *stringMerger {
	return &stringMerger{tab: newStrTab(1 << 10), max: opt.MaxNodes}
}

// add rewrites r's ids to global dense ids (in place; src/dst hold them afterwards).
func (sm *stringMerger) add(r *chunkResult) error {
	tab := sm.tab
	if r.intMode {
		if !r.wide {
			for k := range r.src {
				sm.num = strconv.AppendUint(sm.num[:0], uint64(r.src[k]), 10)
				r.src[k], _ = tab.intern(sm.num, Hash64(sm.num))
				sm.num = strconv.AppendUint(sm.num[:0], uint64(r.dst[k]), 10)
				r.dst[k], _ = tab.intern(sm.num, Hash64(sm.num))
			}
		} else {
			r.src, r.dst = make([]uint32, len(r.src64)), make([]uint32, len(r.dst64))
			for k := range r.src64 {
				sm.num = strconv.AppendUint(sm.num[:0], r.src64[k], 10)
				r.src[k], _ = tab.intern(sm.num, Hash64(sm.num))
				sm.num = strconv.AppendUint(sm.num[:0], r.dst64[k], 10)
				r.dst[k], _ = tab.intern(sm.num, Hash64(sm.num))
			}
			r.src64, r.dst64 = nil, nil
		}
		r.intMode, r.wide = false, false
	} else {
		trans := make([]uint32, len(r.strOffs)-1)
		for k := range trans {
			trans[k], _ = tab.intern(r.strBlob[r.strOffs[k]:r.strOffs[k+1]], r.strHash[k])
		}
		for _, s := range [][]uint32{r.src, r.dst} {
			for k, v := range s {
				s[k] = trans[v]
			}
		}
		r.strBlob, r.strOffs, r.strHash = nil, nil, nil
	}
	sm.merged++
	if uint64(tab.len()) > sm.max {
		return fmt.Errorf("%w: %d distinct node ids, more than the %d this build supports (dense ids are uint32)", ErrBadInput, tab.len(), sm.max)
	}
	return nil
}

// relabelStrings finishes string relabelling: the chunks sm has not taken yet, then the ids of
// the node-types file that no edge mentioned (appended in file order).
func relabelStrings(results []*chunkResult, nt *nodeTypes, opt IngestOptions, sm *stringMerger) ([]edgeSlice, *IDIndex, error) {
	if sm == nil {
		sm = newStringMerger(opt)
	}
	parts := make([]edgeSlice, len(results))
	for i, r := range results {
		if i >= sm.merged {
			if err := sm.add(r); err != nil {
				return nil, nil, err
			}
		}
		parts[i] = edgeSlice{src: r.src, dst: r.dst, w: r.w, t: r.t}
	}
	if nt != nil {
		for k := 0; k < nt.ids.len(); k++ {
			s := nt.ids.get(uint32(k))
			sm.tab.intern(s, Hash64(s))
		}
		if uint64(sm.tab.len()) > opt.MaxNodes {
			return nil, nil, tooMany(uint64(sm.tab.len()), opt)
		}
	}
	return parts, indexFromTab(sm.tab), nil
}

// parallelEach runs fn(i) for i in [0,n) on up to workers goroutines.
func parallelEach(n, workers int, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < min(workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// nodeTypes is a parsed --node-types file: ids in file order with their type codes.
type nodeTypes struct {
	ids    *strTab
	codes  []uint8 // per ids entry
	names  []string
	allInt bool
	ints   []uint64 // values of ids when allInt
}

func readNodeTypes(path string) (*nodeTypes, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = bufio.NewReaderSize(f, 1<<20)
	br := r.(*bufio.Reader)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		if r, err = gzip.NewReader(br); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	nt := &nodeTypes{ids: newStrTab(1 << 10), allInt: true}
	codeOf := map[string]uint8{}
	var fs [4][]byte
	for line := uint64(1); sc.Scan(); line++ {
		nf := splitFields(sc.Bytes(), &fs)
		if nf == 0 || fs[0][0] == '#' || fs[0][0] == '%' {
			continue
		}
		if nf != 2 || len(fs[0]) == 0 || len(fs[1]) == 0 {
			return nil, fmt.Errorf("%w: %s:%d: want \"id<TAB>type\": %q", ErrBadInput, path, line, sc.Text())
		}
		code, ok := codeOf[string(fs[1])]
		if !ok {
			if len(nt.names) == 255 {
				return nil, fmt.Errorf("%w: %s:%d: more than 255 node types", ErrBadInput, path, line)
			}
			code = uint8(len(nt.names))
			nt.names = append(nt.names, string(fs[1]))
			codeOf[string(fs[1])] = code
		}
		id, added := nt.ids.intern(fs[0], Hash64(fs[0]))
		if !added {
			if nt.codes[id] != code {
				return nil, fmt.Errorf("%w: %s:%d: node %q typed twice (%s, %s)", ErrBadInput, path, line, fs[0], nt.names[nt.codes[id]], fs[1])
			}
			continue
		}
		nt.codes = append(nt.codes, code)
		if v, ok := parseCanonicalUint(fs[0]); ok && nt.allInt {
			nt.ints = append(nt.ints, v)
		} else {
			nt.allInt, nt.ints = false, nil
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return nt, nil
}

type prefixRule struct {
	prefix string
	name   string
}

// parsePrefixRules parses "u=user,d=device".
func parsePrefixRules(s string) ([]prefixRule, error) {
	if s == "" {
		return nil, nil
	}
	var rules []prefixRule
	for _, part := range strings.Split(s, ",") {
		p, name, ok := strings.Cut(part, "=")
		if !ok || p == "" || name == "" {
			return nil, fmt.Errorf("type prefix rule %q: want PREFIX=TYPE[,PREFIX=TYPE...], e.g. u=user,d=device", part)
		}
		rules = append(rules, prefixRule{p, name})
	}
	// Longest prefix first.
	slices.SortStableFunc(rules, func(a, b prefixRule) int { return len(b.prefix) - len(a.prefix) })
	return rules, nil
}

// assignTypes gives every node a type: from the node-types file, else the longest matching prefix
// rule, else "unknown" (added to the names only if needed).
func assignTypes(ids *IDIndex, nt *nodeTypes, rules []prefixRule) ([]uint8, []string) {
	var names []string
	code := map[string]uint8{}
	nameCode := func(n string) uint8 {
		c, ok := code[n]
		if !ok {
			c = uint8(len(names))
			names = append(names, n)
			code[n] = c
		}
		return c
	}
	var ntCode []uint8 // nt code -> final code
	if nt != nil {
		for _, n := range nt.names {
			ntCode = append(ntCode, nameCode(n))
		}
	}
	var ruleCode []uint8
	for _, r := range rules {
		if len(names) < 255 {
			ruleCode = append(ruleCode, nameCode(r.name))
		}
	}
	types := make([]uint8, ids.Len())
	const unset = 0xFF
	var buf []byte
	for v := range types {
		types[v] = unset
		buf = ids.AppendExt(buf[:0], uint32(v))
		if nt != nil {
			if k, ok := nt.ids.lookup(buf); ok {
				types[v] = ntCode[nt.codes[k]]
				continue
			}
		}
		for i, r := range rules[:len(ruleCode)] {
			if bytes.HasPrefix(buf, []byte(r.prefix)) {
				types[v] = ruleCode[i]
				break
			}
		}
	}
	if slices.Contains(types, unset) {
		u := nameCode("unknown")
		for v := range types {
			if types[v] == unset {
				types[v] = u
			}
		}
	}
	return types, names
}
