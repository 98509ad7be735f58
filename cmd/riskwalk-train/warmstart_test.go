package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"riskwalk/trainer"
	"riskwalk/vecfile"
)

func writeEdges(t *testing.T, path string, edges [][2]string) {
	t.Helper()
	var b strings.Builder
	for _, e := range edges {
		fmt.Fprintf(&b, "%s\t%s\n", e[0], e[1])
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// oldVec is the test's "trained" vector of external id ext: distinct per node.
func oldVec(ext string, dim int) []float32 {
	v := make([]float32, dim)
	for i := range v {
		v[i] = float32(len(ext)*31+int(ext[len(ext)-1])) + float32(i)/8
	}
	return v
}

// TestWarmStartByExternalID trains nothing: it writes "old" vectors for a graph with string ids,
// adds nodes whose ids sort between the old ones (so every later dense id shifts), and checks that
// --init's warm start gives each old node its own old row (by external id), each new node the mean
// of its old neighbours' rows, and a new node with no old neighbour its random initialisation.
func TestWarmStartByExternalID(t *testing.T) {
	dir := t.TempDir()
	const dim = 8
	var old [][2]string
	for _, c := range []string{"a", "b"} {
		for i := 0; i < 5; i++ {
			for j := i + 1; j < 5; j++ {
				old = append(old, [2]string{fmt.Sprint(c, i), fmt.Sprint(c, j)})
			}
		}
	}
	old = append(old, [2]string{"a0", "b0"})
	oldPath := filepath.Join(dir, "old.tsv")
	writeEdges(t, oldPath, old)
	src, err := loadGraph(oldPath, false)
	if err != nil {
		t.Fatal(err)
	}
	m, err := trainer.NewModel(int(src.g.N), dim)
	if err != nil {
		t.Fatal(err)
	}
	for v := uint32(0); v < src.g.N; v++ {
		copy(m.In[int(v)*m.Stride:], oldVec(string(src.name(nil, v)), dim))
	}
	vecPath := filepath.Join(dir, "old.rwv")
	ids, err := recordIDs(src, vecPath)
	if err != nil || ids != filepath.Join(dir, "old.ids.rwi") {
		t.Fatalf("recordIDs = %q, %v; want %s", ids, err, filepath.Join(dir, "old.ids.rwi"))
	}
	h := vecfile.Header{Dim: dim, Count: uint64(src.g.N), DType: vecfile.Float32, GraphSum: src.sum,
		Params: map[string]any{"graph": oldPath, "ids": ids}}
	if err := vecfile.Write(vecPath, h, m.In, m.Stride); err != nil {
		t.Fatal(err)
	}

	// The new graph: a11 joins a0 and a1; zz joins a11 only (new). The new edges come first in the
	// file, so the dense ids of the old nodes change (string ids are numbered as they appear).
	newEdges := append([][2]string{{"zz", "a11"}, {"a11", "a0"}, {"a11", "a1"}}, old...)
	newPath := filepath.Join(dir, "new.tsv")
	writeEdges(t, newPath, newEdges)
	nsrc, err := loadGraph(newPath, false)
	if err != nil {
		t.Fatal(err)
	}
	nm, _ := trainer.NewModel(int(nsrc.g.N), dim)
	nm.InitRandom(7)
	rnd, _ := trainer.NewModel(int(nsrc.g.N), dim)
	rnd.InitRandom(7)
	if err := warmStart(nm, nsrc, vecPath, ""); err != nil {
		t.Fatal(err)
	}
	shifted := 0
	for v := uint32(0); v < nsrc.g.N; v++ {
		ext := string(nsrc.name(nil, v))
		got := nm.In[int(v)*nm.Stride : int(v)*nm.Stride+dim]
		var want []float32
		switch ext {
		case "a11":
			want = make([]float32, dim)
			a, b := oldVec("a0", dim), oldVec("a1", dim)
			for i := range want {
				want[i] = (a[i] + b[i]) / 2
			}
		case "zz":
			want = rnd.In[int(v)*rnd.Stride : int(v)*rnd.Stride+dim]
		default:
			want = oldVec(ext, dim)
			if o, _ := src.ids.Lookup(ext); o != v {
				shifted++
			}
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("node %s (dense %d): row %v, want %v", ext, v, got, want)
			}
		}
	}
	if shifted == 0 {
		t.Fatal("test graph does not shift dense ids; it would not tell dense from external matching")
	}

	// A file that records no id index cannot be matched to another graph: the error says what to pass.
	h.Params = map[string]any{"graph": oldPath}
	bare := filepath.Join(dir, "bare.rwv")
	if err := vecfile.Write(bare, h, m.In, m.Stride); err != nil {
		t.Fatal(err)
	}
	if err := warmStart(nm, nsrc, bare, ""); err == nil || !strings.Contains(err.Error(), "--init-ids") {
		t.Fatalf("warm start from a file without ids: %v, want an error naming --init-ids", err)
	}
	if err := warmStart(nm, nsrc, bare, ids); err != nil {
		t.Fatalf("with --init-ids: %v", err)
	}
}
