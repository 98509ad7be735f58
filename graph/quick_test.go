package graph

import (
	"path/filepath"
	"testing"

	"riskwalk/internal/testenv"
)

func TestIngestKarateOpen(t *testing.T) {
	in, err := Ingest([]string{testenv.DataFile(t, "karate", "edges.tsv")}, IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "k.rwg")
	if err := in.WriteFiles(p); err != nil {
		t.Fatal(err)
	}
	f, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ids, err := OpenIDs(IDPath(p))
	if err != nil {
		t.Fatal(err)
	}
	defer ids.Close()
	if f.N != 34 || f.NumEdges() != 78 || ids.Len() != 34 || ids.Ext(17) != "17" {
		t.Fatalf("N=%d edges=%d ids=%d ext(17)=%s", f.N, f.NumEdges(), ids.Len(), ids.Ext(17))
	}
	if v, ok := ids.Lookup("33"); !ok || v != 33 {
		t.Fatalf("Lookup(33) = %d %v", v, ok)
	}
}
