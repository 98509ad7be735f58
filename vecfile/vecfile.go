// Package vecfile reads and writes riskwalk's vector file (.rwv): one embedding row per dense node
// id, mmap-able, checksummed, in float32 or in int8 with a per-row scale (4x less memory for
// serving), and exports it to word2vec's text format.
//
// # Layout
//
// A secfile container (package internal/secfile: 32-byte header, section table, every section
// 64-byte aligned and CRC32C-checked) with magic "RWVEC\0\0\0" and these sections in order:
//
//	"meta"    64 bytes, little-endian:
//	            0  4  dim (floats per vector)
//	            4  4  stride (elements per stored row: dim rounded up to 16 for float32,
//	                  to 64 for int8, so every row starts 64-byte aligned; padding is zero)
//	            8  8  count (rows; row i is dense node id i)
//	           16  1  dtype: 1 = float32, 2 = int8
//	           17  7  zero
//	           24  8  model version id (chosen by the writer; identifies this training run)
//	           32  8  graph checksum (graph.File.Checksum of the graph trained on; 0 if unknown)
//	           40 24  zero
//	"params"  JSON object: training parameters and the graph's path, for people and tools;
//	          "graph" is the graph trained on as given, "ids" (if present) the absolute path of
//	          the id index that names the rows (see IDsPath)
//	"rows"    count*stride elements: float32 (4 bytes) or int8 (1 byte)
//	"scales"  int8 only: count float32; element k of row i is scales[i] * rows[i*stride+k]
//
// A row's int8 values are round(x/s) with s = max|x|/127, so each element is off by at most s/2.
package vecfile

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"riskwalk/internal/secfile"
)

// Version is the .rwv format version.
type Version uint32

const (
	// V1: meta, params, rows, and scales for int8.
	V1 Version = 1
)

// DType is how rows are stored.
type DType uint8

const (
	Float32 DType = 1 // 4 bytes per element
	Int8    DType = 2 // 1 byte per element plus one float32 scale per row
)

func (d DType) String() string {
	switch d {
	case Float32:
		return "float32"
	case Int8:
		return "int8"
	}
	return fmt.Sprintf("dtype(%d)", uint8(d))
}

// ParseDType reads "float32" or "int8".
func ParseDType(s string) (DType, error) {
	switch s {
	case "float32", "f32":
		return Float32, nil
	case "int8", "i8":
		return Int8, nil
	}
	return 0, fmt.Errorf("dtype %q: want float32 or int8", s)
}

var magic = secfile.Magic("RWVEC")

// Header describes a vector file.
type Header struct {
	Dim      int
	Count    uint64
	DType    DType
	ModelID  uint64
	GraphSum uint64
	// Params holds the training parameters and anything else worth recording (the graph's path
	// under "graph"); written as JSON.
	Params map[string]any
}

// Stride is the stored row length in elements for dim and dtype.
func Stride(dim int, dt DType) int {
	if dt == Int8 {
		return (dim + 63) &^ 63
	}
	return (dim + 15) &^ 15
}

// Write stores count rows of h.Dim floats, row i read from src[i*srcStride:], at path
// (atomically), converting to h.DType.
func Write(path string, h Header, src []float32, srcStride int) error {
	if h.Dim < 1 || srcStride < h.Dim || (h.Count > 0 && uint64(len(src)) < (h.Count-1)*uint64(srcStride)+uint64(h.Dim)) {
		return fmt.Errorf("vecfile: %d floats with stride %d do not hold %d rows of %d", len(src), srcStride, h.Count, h.Dim)
	}
	if h.DType != Float32 && h.DType != Int8 {
		return fmt.Errorf("vecfile: unknown dtype %v", h.DType)
	}
	params, err := json.Marshal(h.Params)
	if err != nil {
		return fmt.Errorf("vecfile: params: %w", err)
	}
	stride := Stride(h.Dim, h.DType)
	meta := make([]byte, 64)
	binary.LittleEndian.PutUint32(meta[0:], uint32(h.Dim))
	binary.LittleEndian.PutUint32(meta[4:], uint32(stride))
	binary.LittleEndian.PutUint64(meta[8:], h.Count)
	meta[16] = byte(h.DType)
	binary.LittleEndian.PutUint64(meta[24:], h.ModelID)
	binary.LittleEndian.PutUint64(meta[32:], h.GraphSum)
	n := 3
	if h.DType == Int8 {
		n = 4
	}
	w, err := secfile.Create(path, magic, uint32(V1), n)
	if err != nil {
		return err
	}
	defer w.Abort()
	w.Bytes("meta", meta)
	w.Bytes("params", params)
	row := func(i uint64) []float32 { return src[i*uint64(srcStride) : i*uint64(srcStride)+uint64(h.Dim)] }
	switch h.DType {
	case Float32:
		w.Section("rows", func(o io.Writer) error {
			pad := make([]float32, stride-h.Dim)
			for i := uint64(0); i < h.Count; i++ {
				if _, err := o.Write(secfile.AsBytes(row(i))); err != nil {
					return err
				}
				if len(pad) > 0 {
					if _, err := o.Write(secfile.AsBytes(pad)); err != nil {
						return err
					}
				}
			}
			return nil
		})
	case Int8:
		scales := make([]float32, h.Count)
		w.Section("rows", func(o io.Writer) error {
			q := make([]int8, stride)
			for i := uint64(0); i < h.Count; i++ {
				scales[i] = Quantize(q, row(i))
				if _, err := o.Write(secfile.AsBytes(q)); err != nil {
					return err
				}
			}
			return nil
		})
		secfile.Slice(w, "scales", scales)
	}
	return w.Commit()
}

// Quantize writes x as int8 into q (len(q) >= len(x); the rest of q is zeroed) and returns the
// scale s = max|x|/127 with x[k] ≈ s*q[k]. A zero row gets scale 0.
func Quantize(q []int8, x []float32) float32 {
	var m float32
	for _, v := range x {
		m = max(m, float32(math.Abs(float64(v))))
	}
	clear(q)
	if m == 0 || math.IsNaN(float64(m)) {
		return 0
	}
	s := m / 127
	for k, v := range x {
		q[k] = int8(math.Round(float64(v / s)))
	}
	return s
}

// File is an opened vector file; its rows alias the memory map until Close.
type File struct {
	Header
	Stride int
	sf     *secfile.File
	f32    []float32
	i8     []int8
	scales []float32
}

// Open maps and checks a vector file (every checksum once; rows are then read without checks).
func Open(path string) (*File, error) {
	sf, err := secfile.Open(path, magic, uint32(V1), uint32(V1), secfile.Options{})
	if err != nil {
		return nil, err
	}
	f, err := parse(sf)
	if err != nil {
		sf.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

var errCorrupt = secfile.ErrCorrupt

func parse(sf *secfile.File) (*File, error) {
	meta, ok := sf.Section("meta")
	if !ok || len(meta) != 64 {
		return nil, fmt.Errorf("%w: no 64-byte meta section", errCorrupt)
	}
	f := &File{sf: sf}
	f.Dim = int(binary.LittleEndian.Uint32(meta[0:]))
	f.Stride = int(binary.LittleEndian.Uint32(meta[4:]))
	f.Count = binary.LittleEndian.Uint64(meta[8:])
	f.DType = DType(meta[16])
	f.ModelID = binary.LittleEndian.Uint64(meta[24:])
	f.GraphSum = binary.LittleEndian.Uint64(meta[32:])
	if f.DType != Float32 && f.DType != Int8 {
		return nil, fmt.Errorf("%w: unknown dtype %d", errCorrupt, meta[16])
	}
	if f.Dim < 1 || f.Stride != Stride(f.Dim, f.DType) {
		return nil, fmt.Errorf("%w: dim %d with stride %d", errCorrupt, f.Dim, f.Stride)
	}
	if p, ok := sf.Section("params"); ok && len(p) > 0 {
		if err := json.Unmarshal(p, &f.Params); err != nil {
			return nil, fmt.Errorf("%w: params: %v", errCorrupt, err)
		}
	}
	rows, ok := sf.Section("rows")
	if !ok {
		return nil, fmt.Errorf("%w: no rows section", errCorrupt)
	}
	want := f.Count * uint64(f.Stride)
	var err error
	switch f.DType {
	case Float32:
		f.f32, err = secfile.View[float32](rows)
		if err == nil && uint64(len(f.f32)) != want {
			err = fmt.Errorf("%w: %d floats for %d rows of stride %d", errCorrupt, len(f.f32), f.Count, f.Stride)
		}
	case Int8:
		f.i8, err = secfile.View[int8](rows)
		if err == nil && uint64(len(f.i8)) != want {
			err = fmt.Errorf("%w: %d bytes for %d rows of stride %d", errCorrupt, len(f.i8), f.Count, f.Stride)
		}
		if err == nil {
			sc, ok := sf.Section("scales")
			if f.scales, err = secfile.View[float32](sc); err == nil && (!ok || uint64(len(f.scales)) != f.Count) {
				err = fmt.Errorf("%w: scales section missing or of the wrong size", errCorrupt)
			}
		}
	}
	return f, err
}

// Row appends row i (Dim floats, dequantised for int8) to dst. i must be < Count.
func (f *File) Row(dst []float32, i uint64) []float32 {
	o := i * uint64(f.Stride)
	if f.DType == Float32 {
		return append(dst, f.f32[o:o+uint64(f.Dim)]...)
	}
	s := f.scales[i]
	for _, q := range f.i8[o : o+uint64(f.Dim)] {
		dst = append(dst, s*float32(q))
	}
	return dst
}

// Float32Rows returns the float32 rows in place (Count*Stride floats, row i at i*Stride) or an
// error for an int8 file.
func (f *File) Float32Rows() ([]float32, error) {
	if f.DType != Float32 {
		return nil, errors.New("vecfile: rows are int8; use Row")
	}
	return f.f32, nil
}

// Int8Row returns row i's quantised values (Stride bytes, aliasing the file) and its scale.
func (f *File) Int8Row(i uint64) ([]int8, float32) {
	o := i * uint64(f.Stride)
	return f.i8[o : o+uint64(f.Stride)], f.scales[i]
}

// Close unmaps the file.
func (f *File) Close() error { return f.sf.Close() }

// IDsPath returns the id index (.rwi) that gives the external ids of the file's rows: the "ids"
// parameter recorded at training, or else, for vectors trained on a .rwg graph, the .rwi beside
// it (graph.IDPath's rule). ok is false when the file records neither (its rows are then named
// by dense id only). The path is not checked: open it with graph.OpenIDs and compare its
// GraphChecksum with GraphSum.
func (f *File) IDsPath() (path string, ok bool) {
	if p, ok := f.Params["ids"].(string); ok && p != "" {
		return p, true
	}
	if g, ok := f.Params["graph"].(string); ok {
		if s, ok := strings.CutSuffix(g, ".rwg"); ok {
			return s + ".rwi", true
		}
	}
	return "", false
}

// IDsBeside is where riskwalk-train writes the id index for vectors at vecPath when the graph
// has no id index file of its own (an edge list ingested in memory): X.rwv -> X.ids.rwi.
func IDsBeside(vecPath string) string {
	return strings.TrimSuffix(vecPath, ".rwv") + ".ids.rwi"
}
