// Package testenv finds the things tests need outside the repository: the shared data sets beside
// the checkout (../shared) and tools such as mpirun. A test that needs something missing fails with
// what to install; it never skips silently.
package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// RepoRoot is the directory holding go.mod, found by walking up from the working directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testenv: go.mod not found above the working directory")
		}
		dir = parent
	}
}

// SharedDir is the shared/ folder beside the checkout (RISKWALK_SHARED overrides it).
func SharedDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("RISKWALK_SHARED"); d != "" {
		return d
	}
	d := filepath.Join(RepoRoot(t), "..", "shared")
	if _, err := os.Stat(filepath.Join(d, "data")); err != nil {
		t.Fatalf("testenv: shared data not found at %s (set RISKWALK_SHARED to the folder holding data/ and eval/)", d)
	}
	return d
}

// DataFile is a file under shared/data, e.g. DataFile(t, "karate", "edges.tsv").
func DataFile(t testing.TB, parts ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{SharedDir(t), "data"}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return p
}

// Tool returns the path of an executable on PATH, failing the test with an install hint if absent.
func Tool(t testing.TB, name, debianPackage string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("testenv: %s not found on PATH; run `make setup` (Debian package %s)", name, debianPackage)
	}
	return p
}
