package bundle

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"riskwalk/graph"
	"riskwalk/vecfile"
)

// pipelineFiles writes in's ids and vectors as ingest and the trainer would: a .rwi and a
// float32 .rwv, both recording graph checksum sum.
func pipelineFiles(t *testing.T, in *Input, sum uint64) (rwi, rwv string) {
	t.Helper()
	d := t.TempDir()
	rwi, rwv = filepath.Join(d, "graph.rwi"), filepath.Join(d, "vec.rwv")
	x, err := graph.NewIDIndex(in.IDs)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Write(rwi, sum); err != nil {
		t.Fatal(err)
	}
	h := vecfile.Header{Dim: in.Dim, Count: uint64(len(in.IDs)), DType: vecfile.Float32, ModelID: 42, GraphSum: sum}
	if err := vecfile.Write(rwv, h, in.Vectors, in.Dim); err != nil {
		t.Fatal(err)
	}
	return rwi, rwv
}

// TestWriteCopiesPipelineFiles: given the pipeline's .rwi and .rwv, the bundle holds them byte
// for byte (float32), or the vectors re-written by vecfile as int8, and answers the same lookups
// and cosines as a bundle built from the slices.
func TestWriteCopiesPipelineFiles(t *testing.T) {
	in := Synthetic(400, 20, 5) // dim 20: float32 stride 32, int8 stride 64 (padding exercised)
	const sum = 0xfeedface12345678
	rwi, rwv := pipelineFiles(t, in, sum)
	ref := filepath.Join(t.TempDir(), "ref")
	if err := Write(ref, in); err != nil {
		t.Fatal(err)
	}
	rb, err := Open(ref)
	if err != nil {
		t.Fatal(err)
	}
	defer rb.Close()
	for _, int8 := range []bool{false, true} {
		t.Run("int8="+strconv.FormatBool(int8), func(t *testing.T) {
			c := *in
			ids := c.IDs
			c.IDs, c.Vectors, c.Dim, c.Int8 = nil, nil, 0, int8
			c.IDIndexPath, c.VectorPath, c.GraphChecksum = rwi, rwv, sum
			dir := filepath.Join(t.TempDir(), "b")
			if err := Write(dir, &c); err != nil {
				t.Fatal(err)
			}
			same := func(a, b string) bool {
				x, _ := os.ReadFile(a)
				y, _ := os.ReadFile(b)
				return len(x) > 0 && bytes.Equal(x, y)
			}
			if !same(rwi, filepath.Join(dir, IDsFile)) {
				t.Fatal("ids.rwi is not a copy of the pipeline's .rwi")
			}
			if same(rwv, filepath.Join(dir, VectorsFile)) == int8 {
				t.Fatalf("vectors.rwv copied=%v with int8=%v", !int8, int8)
			}
			b, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			if b.Int8() != int8 || b.D != in.Dim || b.Manifest.GraphChecksum != "feedface12345678" {
				t.Fatalf("int8 %v dim %d graph %s", b.Int8(), b.D, b.Manifest.GraphChecksum)
			}
			for v, id := range ids {
				if w, ok := b.Lookup([]byte(id)); !ok || w != uint32(v) || b.ExtID(w) != id {
					t.Fatalf("lookup %q: %d %v", id, w, ok)
				}
			}
			tol := 1e-6
			if int8 {
				tol = 0.03
			}
			for u := uint32(0); u < b.N; u += 7 {
				v := (u*31 + 5) % b.N
				if d := float64(b.Cosine(u, v) - rb.Cosine(u, v)); d > tol || d < -tol {
					t.Fatalf("cos(%d,%d) %g, from slices %g", u, v, b.Cosine(u, v), rb.Cosine(u, v))
				}
				if !int8 && *b.Row(u) != *rb.Row(u) {
					t.Fatalf("row %d differs from the bundle built from slices", u)
				}
			}
		})
	}
	// Files that do not belong together are refused, naming the file.
	for name, mod := range map[string]func(*Input){
		"graph checksum": func(c *Input) { c.GraphChecksum = 1 },
		"ids disagree":   func(c *Input) { c.IDs = append([]string{}, in.IDs...); c.IDs[0], c.IDs[1] = c.IDs[1], c.IDs[0] },
		"vector count":   func(c *Input) { c.VectorPath = writeRWV(t, in, 399) },
		"both vectors":   func(c *Input) { c.Vectors = in.Vectors },
		"missing ids":    func(c *Input) { c.IDIndexPath = filepath.Join(t.TempDir(), "none.rwi") },
	} {
		c := *in
		c.IDs, c.Vectors, c.Dim = nil, nil, 0
		c.IDIndexPath, c.VectorPath, c.GraphChecksum = rwi, rwv, sum
		mod(&c)
		dir := filepath.Join(t.TempDir(), "b")
		err := Write(dir, &c)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if _, serr := os.Stat(dir); serr == nil {
			t.Errorf("%s: a bundle was left", name)
		}
		if name != "both vectors" && name != "ids disagree" && !strings.Contains(err.Error(), ".rw") {
			t.Errorf("%s: error does not name the file: %v", name, err)
		}
	}
}

func writeRWV(t *testing.T, in *Input, rows int) string {
	p := filepath.Join(t.TempDir(), "short.rwv")
	h := vecfile.Header{Dim: in.Dim, Count: uint64(rows), DType: vecfile.Float32}
	if err := vecfile.Write(p, h, in.Vectors, in.Dim); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestIntegerIDs: ids that are the integers 0..N-1 (or ascending integers) get graph's compact
// id kinds and still look up exactly (no leading zeros, no signs).
func TestIntegerIDs(t *testing.T) {
	for name, idOf := range map[string]func(v int) string{
		"identity": func(v int) string { return strconv.Itoa(v) },
		"int":      func(v int) string { return strconv.Itoa(1000 + 3*v) },
	} {
		in := Synthetic(300, 4, 3)
		for v := range in.IDs {
			in.IDs[v] = idOf(v)
		}
		dir := filepath.Join(t.TempDir(), name)
		if err := Write(dir, in); err != nil {
			t.Fatal(err)
		}
		b, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		for v, id := range in.IDs {
			if w, ok := b.Lookup([]byte(id)); !ok || w != uint32(v) || b.ExtID(w) != id {
				t.Fatalf("%s: lookup %q = %d %v", name, id, w, ok)
			}
		}
		for _, id := range []string{"0" + in.IDs[5], "-1", "+7", "999999", "u1", ""} {
			if w, ok := b.Lookup([]byte(id)); ok {
				t.Fatalf("%s: %q found as %d", name, id, w)
			}
		}
		b.Close()
	}
}
