package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"riskwalk/graph"
	"riskwalk/vecfile"
)

// TestExportNamesRowsByRecordedIDs: a vector file trained on X.rwg exports with X.rwi's external
// ids by default, with dense ids under --ids dense, and refuses an id index of another graph.
func TestExportNamesRowsByRecordedIDs(t *testing.T) {
	dir := t.TempDir()
	edges := filepath.Join(dir, "e.tsv")
	if err := os.WriteFile(edges, []byte("u7\tdev-x\nu7\tu9\ndev-x\tu9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	in, err := graph.Ingest([]string{edges}, graph.IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	gpath := filepath.Join(dir, "g.rwg")
	if err := in.WriteFiles(gpath); err != nil {
		t.Fatal(err)
	}
	f, err := graph.Open(gpath)
	if err != nil {
		t.Fatal(err)
	}
	sum := f.Checksum()
	f.Close()
	n := int(in.Graph.N)
	rows := make([]float32, n*16)
	for i := 0; i < n; i++ {
		rows[i*16] = float32(i)
	}
	vec := filepath.Join(dir, "v.rwv")
	h := vecfile.Header{Dim: 2, Count: uint64(n), DType: vecfile.Float32, GraphSum: sum, Params: map[string]any{"graph": gpath}}
	if err := vecfile.Write(vec, h, rows, 16); err != nil {
		t.Fatal(err)
	}
	read := func(args ...string) []string {
		t.Helper()
		out := filepath.Join(dir, "v.emb")
		if err := runExport(append([]string{"-o", out}, append(args, vec)...)); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(out)
		return strings.Split(strings.TrimSpace(string(b)), "\n")[1:]
	}
	for i, line := range read() {
		f := strings.Fields(line)
		if want := in.IDs.Ext(uint32(i)); f[0] != want || f[1] != strconv.Itoa(i) {
			t.Fatalf("row %d exported as %q, want name %s and first value %d", i, line, want, i)
		}
	}
	for i, line := range read("--ids", "dense") {
		if f := strings.Fields(line); f[0] != strconv.Itoa(i) {
			t.Fatalf("--ids dense: row %d named %s", i, f[0])
		}
	}
	// An id index of another graph is refused.
	h.GraphSum = sum ^ 1
	if err := vecfile.Write(vec, h, rows, 16); err != nil {
		t.Fatal(err)
	}
	if err := runExport([]string{"-o", filepath.Join(dir, "x.emb"), vec}); err == nil || !strings.Contains(err.Error(), "another graph") {
		t.Fatalf("export with a mismatched id index: %v, want an error", err)
	}
}
