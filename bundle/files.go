package bundle

import (
	"fmt"
	"io"
	"os"

	"riskwalk/graph"
	"riskwalk/internal/atomicfile"
	"riskwalk/vecfile"
)

// writeIDs places the id index at path: a verified copy of in.IDIndexPath, or in.IDs written by
// the graph package. It returns the index opened from path (the caller closes it).
func writeIDs(path string, in *Input) (*graph.IDIndex, error) {
	if in.IDIndexPath != "" {
		if err := copyFile(in.IDIndexPath, path); err != nil {
			return nil, err
		}
	} else {
		x, err := graph.NewIDIndex(in.IDs)
		if err != nil {
			return nil, err
		}
		if err := x.Write(path, in.GraphChecksum); err != nil {
			return nil, err
		}
	}
	x, err := graph.OpenIDs(path)
	if err != nil {
		if in.IDIndexPath != "" {
			return nil, fmt.Errorf("id index %s: %w", in.IDIndexPath, err)
		}
		return nil, err
	}
	fail := func(err error) (*graph.IDIndex, error) {
		x.Close()
		return nil, err
	}
	if g := x.GraphChecksum(); g != 0 && in.GraphChecksum != 0 && g != in.GraphChecksum {
		return fail(fmt.Errorf("id index %s belongs to graph %016x, the input graph is %016x (use the .rwi written with the graph)", in.IDIndexPath, g, in.GraphChecksum))
	}
	if in.IDIndexPath != "" && in.IDs != nil {
		if len(in.IDs) != x.Len() {
			return fail(fmt.Errorf("%d ids given, the id index %s holds %d", len(in.IDs), in.IDIndexPath, x.Len()))
		}
		for v, id := range in.IDs {
			if w, ok := x.Lookup(id); !ok || w != uint32(v) {
				return fail(fmt.Errorf("id %q is dense id %d in the input but not in the id index %s", id, v, in.IDIndexPath))
			}
		}
	}
	return x, nil
}

// writeVectors places the vector file at path: in.Vectors written by vecfile, or a verified copy
// of in.VectorPath (re-written as int8 when in.Int8 asks for it and the file is float32). It
// returns the file opened from path, holding n rows (the caller closes it).
func writeVectors(path string, in *Input, n uint64) (*vecfile.File, error) {
	dt := vecfile.Float32
	if in.Int8 {
		dt = vecfile.Int8
	}
	src := in.VectorPath
	switch {
	case src == "":
		h := vecfile.Header{Dim: in.Dim, Count: n, DType: dt, GraphSum: in.GraphChecksum,
			Params: map[string]any{"written_by": "riskwalk bundle", "model_version": in.ModelVersion}}
		if err := vecfile.Write(path, h, in.Vectors, in.Dim); err != nil {
			return nil, err
		}
	default:
		f, err := vecfile.Open(src)
		if err != nil {
			return nil, fmt.Errorf("vectors: %w", err)
		}
		if f.Count != n {
			f.Close()
			return nil, fmt.Errorf("vectors %s hold %d rows for %d ids (train on the same graph)", src, f.Count, n)
		}
		if in.Int8 && f.DType == vecfile.Float32 {
			rows, _ := f.Float32Rows()
			h := f.Header
			h.DType = vecfile.Int8
			err = vecfile.Write(path, h, rows, f.Stride)
			f.Close()
		} else {
			f.Close()
			err = copyFile(src, path)
		}
		if err != nil {
			return nil, err
		}
	}
	f, err := vecfile.Open(path)
	if err != nil {
		return nil, fmt.Errorf("vectors %s: %w", src, err)
	}
	switch {
	case f.Count != n:
		err = fmt.Errorf("vectors %s hold %d rows for %d ids", src, f.Count, n)
	case f.GraphSum != 0 && in.GraphChecksum != 0 && f.GraphSum != in.GraphChecksum:
		err = fmt.Errorf("vectors %s were trained on graph %016x, the input graph is %016x (retrain, or give the matching graph)", src, f.GraphSum, in.GraphChecksum)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// storedRows returns the rows as stored in f, dequantised for int8: row v is
// vec[v*stride : v*stride+f.Dim]. For float32 files it aliases the mapping.
func storedRows(f *vecfile.File) (vec []float32, stride int) {
	if rows, err := f.Float32Rows(); err == nil {
		return rows, f.Stride
	}
	d := f.Dim
	vec = make([]float32, int(f.Count)*d)
	for i := uint64(0); i < f.Count; i++ {
		f.Row(vec[int(i)*d:int(i)*d], i)
	}
	return vec, d
}

// copyFile copies src to dst atomically (dst is synced before it appears).
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := atomicfile.Create(dst)
	if err != nil {
		return err
	}
	defer out.Abort()
	if _, err := io.Copy(out.W, in); err != nil {
		return fmt.Errorf("copy %s to %s: %w", src, dst, err)
	}
	return out.Commit()
}
