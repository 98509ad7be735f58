package pipeline

import (
	"fmt"

	"riskwalk/vecfile"
)

// This file is the only one that knows the vector file's API (package vecfile).

// vectors is an opened vector file seen as N rows of Dim float32.
type vectors struct {
	path  string
	f     *vecfile.File
	dim   int
	graph uint64 // checksum of the graph trained on, 0 when unknown
	count uint64
}

func openVectors(path string) (*vectors, error) {
	f, err := vecfile.Open(path)
	if err != nil {
		return nil, err
	}
	return &vectors{path: path, f: f, dim: f.Dim, graph: f.GraphSum, count: f.Count}, nil
}

// row appends node v's vector (dequantised for int8 files) to dst.
func (x *vectors) row(dst []float32, v uint32) []float32 { return x.f.Row(dst, uint64(v)) }

// dense returns all rows as one row-major Count*Dim slice (a copy).
func (x *vectors) dense() []float32 {
	out := make([]float32, 0, int(x.count)*x.dim)
	for v := uint64(0); v < x.count; v++ {
		out = x.f.Row(out, v)
	}
	return out
}

func (x *vectors) describe() string {
	return fmt.Sprintf("%s: %d vectors of dimension %d (%s)", x.path, x.count, x.dim, x.f.DType)
}

func (x *vectors) close() error { return x.f.Close() }

// f32rows returns the stored float32 rows in place (row v at v*stride()), false for int8 files.
func (x *vectors) f32rows() ([]float32, bool) {
	r, err := x.f.Float32Rows()
	return r, err == nil
}

func (x *vectors) stride() int { return x.f.Stride }
