package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"riskwalk/internal/testenv"
)

// stdout runs fn with os.Stdout captured.
func stdout(t *testing.T, fn func() error) (string, error) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() { b, _ := io.ReadAll(r); done <- string(b) }()
	ferr := fn()
	w.Close()
	os.Stdout = old
	return <-done, ferr
}

func TestIngestProfileCLI(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "karate.rwg")
	if _, err := stdout(t, func() error {
		return runIngest([]string{"-q", "-o", out, testenv.DataFile(t, "karate", "edges.tsv")})
	}); err != nil {
		t.Fatal(err)
	}
	plotPath := filepath.Join(dir, "deg.svg")
	js, err := stdout(t, func() error { return runProfile([]string{"--json", "--plot", plotPath, out}) })
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Nodes, Edges uint64
		Hubs         []struct{ ID string }
	}
	if err := json.Unmarshal([]byte(js), &p); err != nil {
		t.Fatalf("profile --json: %v\n%s", err, js)
	}
	// Karate: 34 nodes, 78 edges; the top hub is node 33 (degree 17).
	if p.Nodes != 34 || p.Edges != 78 || len(p.Hubs) == 0 || p.Hubs[0].ID != "33" {
		t.Fatalf("profile: %+v", p)
	}
	if b, err := os.ReadFile(plotPath); err != nil || !strings.Contains(string(b), "<svg") {
		t.Fatalf("plot: %v", err)
	}
	// A failed run leaves neither output nor temporary files.
	bad := filepath.Join(dir, "bad.tsv")
	os.WriteFile(bad, []byte("a b\nc\n"), 0o644)
	out2 := filepath.Join(dir, "sub", "bad.rwg")
	os.Mkdir(filepath.Dir(out2), 0o755)
	_, err = stdout(t, func() error { return runIngest([]string{"-q", "-o", out2, bad}) })
	if err == nil || !strings.Contains(err.Error(), bad+":2:") {
		t.Fatalf("bad input: %v", err)
	}
	if ents, _ := os.ReadDir(filepath.Dir(out2)); len(ents) != 0 {
		t.Fatalf("failed run left %v", ents)
	}
	if err := runIngest([]string{"-o", out}); err == nil {
		t.Fatal("ingest without inputs accepted")
	}
}
