package features

import (
	"encoding/binary"
	"fmt"
	"strings"

	"riskwalk/internal/secfile"
)

// Magic opens every feature file.
var Magic = secfile.Magic("RWFEAT")

// Version is the feature-file format version.
type Version uint32

const (
	// V1: meta, columns, params and one section per column (float32 or uint32).
	V1 Version = 1
	// CurrentVersion is what Write produces.
	CurrentVersion = V1
)

// ColType is a column's element type.
type ColType uint8

const (
	// Float32 columns hold scores and ratios (little-endian IEEE 754 binary32).
	Float32 ColType = 1
	// Uint32 columns hold counts and ids, exact (counts saturate at 2^32-1).
	Uint32 ColType = 2
)

func (t ColType) String() string {
	switch t {
	case Float32:
		return "float32"
	case Uint32:
		return "uint32"
	}
	return fmt.Sprintf("type%d", uint8(t))
}

// MaxNameLen bounds column names (they live in fixed 32-byte entries).
const MaxNameLen = 30

// Column is one named feature column in memory: F for Float32, U for Uint32.
type Column struct {
	Name string
	Type ColType
	F    []float32
	U    []uint32
}

// F32 and U32 make columns.
func F32(name string, x []float32) Column { return Column{Name: name, Type: Float32, F: x} }

// U32 makes a uint32 column.
func U32(name string, x []uint32) Column { return Column{Name: name, Type: Uint32, U: x} }

func (c Column) len() int {
	if c.Type == Float32 {
		return len(c.F)
	}
	return len(c.U)
}

// Param is one recorded parameter (damping, labels file, modularity reached, ...).
type Param struct{ Key, Value string }

// Meta is what a feature file records besides its columns.
type Meta struct {
	// GraphChecksum is the Checksum() of the graph the features were computed on; readers
	// refuse a feature file whose checksum differs from their graph's (CheckGraph).
	GraphChecksum uint64
	// LabelsChecksum is Labels.Checksum of the labels file used, 0 when none.
	LabelsChecksum uint64
	Params         []Param
}

func validName(s string) bool {
	if len(s) == 0 || len(s) > MaxNameLen {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Write stores n rows of cols and meta at path, atomically (temporary name, fsync, rename).
func Write(path string, n uint32, cols []Column, meta Meta) error {
	seen := map[string]bool{}
	for _, c := range cols {
		if !validName(c.Name) {
			return fmt.Errorf("feature column name %q: want 1-%d characters of a-z, 0-9, _", c.Name, MaxNameLen)
		}
		if seen[c.Name] {
			return fmt.Errorf("feature column %q twice", c.Name)
		}
		seen[c.Name] = true
		if c.Type != Float32 && c.Type != Uint32 {
			return fmt.Errorf("feature column %q: unknown type %d", c.Name, c.Type)
		}
		if c.len() != int(n) {
			return fmt.Errorf("feature column %q has %d rows, want %d", c.Name, c.len(), n)
		}
	}
	for _, p := range meta.Params {
		if strings.ContainsAny(p.Key, "=\n") || strings.Contains(p.Value, "\n") || p.Key == "" {
			return fmt.Errorf("feature parameter %q=%q: keys must not hold '=' or newlines, values no newlines", p.Key, p.Value)
		}
	}
	w, err := secfile.Create(path, Magic, uint32(CurrentVersion), 3+len(cols))
	if err != nil {
		return err
	}
	hdr := make([]byte, 32)
	binary.LittleEndian.PutUint32(hdr[0:], n)
	binary.LittleEndian.PutUint32(hdr[4:], uint32(len(cols)))
	binary.LittleEndian.PutUint64(hdr[8:], meta.GraphChecksum)
	binary.LittleEndian.PutUint64(hdr[16:], meta.LabelsChecksum)
	w.Bytes("meta", hdr)
	table := make([]byte, 32*len(cols))
	for i, c := range cols {
		e := table[32*i:]
		e[0], e[1] = byte(c.Type), byte(len(c.Name))
		copy(e[2:32], c.Name)
	}
	w.Bytes("columns", table)
	var sb strings.Builder
	for _, p := range meta.Params {
		sb.WriteString(p.Key + "=" + p.Value + "\n")
	}
	w.Bytes("params", []byte(sb.String()))
	for i, c := range cols {
		name := fmt.Sprintf("c%d", i)
		if c.Type == Float32 {
			secfile.Slice(w, name, c.F)
		} else {
			secfile.Slice(w, name, c.U)
		}
	}
	if err := w.Commit(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// File is an opened feature file; its columns alias the read-only memory map until Close.
type File struct {
	Path   string
	sf     *secfile.File
	n      uint32
	names  []string
	types  []ColType
	f32    [][]float32 // per column, nil unless Float32
	u32    [][]uint32  // per column, nil unless Uint32
	index  map[string]int
	meta   Meta
	params map[string]string
}

// Open maps a feature file and checks it once (structure, every section's CRC, column table,
// lengths); rows are then read without re-checking.
func Open(path string) (*File, error) {
	sf, err := secfile.Open(path, Magic, uint32(V1), uint32(CurrentVersion), secfile.Options{})
	if err != nil {
		return nil, err
	}
	f, err := parseFile(path, sf)
	if err != nil {
		sf.Close()
		return nil, err
	}
	return f, nil
}

func parseFile(path string, sf *secfile.File) (*File, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%s: %w: %s", path, secfile.ErrCorrupt, fmt.Sprintf(format, a...))
	}
	hdr, ok := sf.Section("meta")
	if !ok || len(hdr) != 32 {
		return nil, bad("meta section missing or not 32 bytes")
	}
	f := &File{Path: path, sf: sf, index: map[string]int{}, params: map[string]string{}}
	f.n = binary.LittleEndian.Uint32(hdr[0:])
	nc := int(binary.LittleEndian.Uint32(hdr[4:]))
	f.meta.GraphChecksum = binary.LittleEndian.Uint64(hdr[8:])
	f.meta.LabelsChecksum = binary.LittleEndian.Uint64(hdr[16:])
	table, ok := sf.Section("columns")
	if !ok || len(table) != 32*nc {
		return nil, bad("column table missing or not %d entries", nc)
	}
	for i := 0; i < nc; i++ {
		e := table[32*i:]
		t, l := ColType(e[0]), int(e[1])
		if l < 1 || l > MaxNameLen || !validName(string(e[2:2+l])) {
			return nil, bad("column %d has an invalid name", i)
		}
		name := string(e[2 : 2+l])
		if _, dup := f.index[name]; dup {
			return nil, bad("column %q twice", name)
		}
		b, ok := sf.Section(fmt.Sprintf("c%d", i))
		if !ok || len(b) != 4*int(f.n) {
			return nil, bad("column %q: section missing or not %d rows", name, f.n)
		}
		var fx []float32
		var ux []uint32
		var err error
		switch t {
		case Float32:
			fx, err = secfile.View[float32](b)
		case Uint32:
			ux, err = secfile.View[uint32](b)
		default:
			return nil, bad("column %q has unknown type %d (newer riskwalk?)", name, t)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: column %q: %w", path, name, err)
		}
		f.index[name] = i
		f.names = append(f.names, name)
		f.types = append(f.types, t)
		f.f32 = append(f.f32, fx)
		f.u32 = append(f.u32, ux)
	}
	ptext, ok := sf.Section("params")
	if !ok {
		return nil, bad("params section missing")
	}
	for _, line := range strings.Split(string(ptext), "\n") {
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, bad("params line %q has no '='", line)
		}
		f.meta.Params = append(f.meta.Params, Param{k, v})
		f.params[k] = v
	}
	return f, nil
}

// N is the number of rows (the graph's node count).
func (f *File) N() uint32 { return f.n }

// Columns lists the column names in file order (the order of Row). The slice is shared: do not
// modify it.
func (f *File) Columns() []string { return f.names }

// Type returns a column's element type.
func (f *File) Type(name string) (ColType, bool) {
	i, ok := f.index[name]
	if !ok {
		return 0, false
	}
	return f.types[i], true
}

// Column returns a column as float32. For a Float32 column the slice aliases the mapping
// (zero-copy, read-only, valid until Close); a Uint32 column is converted into a new slice
// (exact below 2^24; use ColumnUint32 for exact ids and large counts).
func (f *File) Column(name string) ([]float32, error) {
	i, ok := f.index[name]
	if !ok {
		return nil, fmt.Errorf("%s: no feature column %q (columns: %s)", f.Path, name, strings.Join(f.names, ","))
	}
	if f.f32[i] != nil {
		return f.f32[i], nil
	}
	out := make([]float32, f.n)
	for v, x := range f.u32[i] {
		out[v] = float32(x)
	}
	return out, nil
}

// ColumnUint32 returns a Uint32 column, zero-copy (read-only, valid until Close).
func (f *File) ColumnUint32(name string) ([]uint32, error) {
	i, ok := f.index[name]
	if !ok {
		return nil, fmt.Errorf("%s: no feature column %q (columns: %s)", f.Path, name, strings.Join(f.names, ","))
	}
	if f.u32[i] == nil {
		return nil, fmt.Errorf("%s: feature column %q is %s, not uint32", f.Path, name, f.types[i])
	}
	return f.u32[i], nil
}

// Row appends node v's values, one per column in Columns order, to dst (uint32 values converted
// to float32) and returns it. It allocates nothing when dst has room. v must be below N (a bug
// otherwise: it panics with an index error).
func (f *File) Row(v uint32, dst []float32) []float32 {
	for i := range f.names {
		if c := f.f32[i]; c != nil {
			dst = append(dst, c[v])
		} else {
			dst = append(dst, float32(f.u32[i][v]))
		}
	}
	return dst
}

// Meta returns the recorded checksums and parameters.
func (f *File) Meta() Meta { return f.meta }

// Param returns one recorded parameter.
func (f *File) Param(key string) (string, bool) { v, ok := f.params[key]; return v, ok }

// CheckGraph fails unless the file was computed on the graph whose Checksum() is sum.
func (f *File) CheckGraph(sum uint64) error {
	if f.meta.GraphChecksum != sum {
		return fmt.Errorf("%s was computed on another graph (checksum %016x, this graph %016x): recompute the features on this graph", f.Path, f.meta.GraphChecksum, sum)
	}
	return nil
}

// Close unmaps the file; columns obtained from it must not be used afterwards.
func (f *File) Close() error { return f.sf.Close() }
