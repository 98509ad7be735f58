//go:build cgo

package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"riskwalk/internal/testenv"
	"riskwalk/vecfile"
)

// TestCheckpointKillResume: a one-thread run with --checkpoint-every is killed (SIGKILL, as a
// crash) right after it reports its first checkpoint; --resume then finishes the job, and its
// vectors equal those of an uninterrupted run bit for bit (one thread and one seed are
// deterministic, and a checkpoint holds the matrices and the units done).
func TestCheckpointKillResume(t *testing.T) {
	bin := buildTrain(t)
	dir := t.TempDir()
	edges := testenv.DataFile(t, "karate", "edges.tsv")
	args := func(out string, extra ...string) []string {
		return append([]string{"--graph", edges, "--out", out, "--walks", "400", "--length", "20", "--dim", "16",
			"--threads", "1", "--seed", "3", "--chunk", "8"}, extra...)
	}
	full := filepath.Join(dir, "full.rwv")
	if out, err := run(t, bin, args(full)...); err != nil {
		t.Fatalf("uninterrupted run: %v\n%s", err, out)
	}

	cut := filepath.Join(dir, "cut.rwv")
	ck := cut + ".ckpt"
	cmd := exec.Command(bin, args(cut, "--checkpoint-every", "1ms")...)
	cmd.Env = cleanEnv()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	var seen []string
	for sc.Scan() {
		seen = append(seen, sc.Text())
		if strings.HasPrefix(sc.Text(), "checkpoint ") {
			break
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	if _, err := os.Stat(cut); err == nil {
		t.Fatalf("the run finished before it was killed (stderr %q); the test needs a longer job", seen)
	}
	if _, err := os.Stat(ck); err != nil {
		t.Fatalf("no checkpoint after %q: %v", seen, err)
	}
	out, err := run(t, bin, args(cut, "--resume", "--checkpoint-every", "1h")...)
	if err != nil || !strings.Contains(out, "resuming "+ck+" at unit ") {
		t.Fatalf("--resume: %v\n%s", err, out)
	}
	if _, err := os.Stat(ck); !os.IsNotExist(err) {
		t.Errorf("checkpoint %s left behind after the finished run (%v)", ck, err)
	}
	a, b := rows(t, full), rows(t, cut)
	if len(a) != len(b) || len(a) == 0 {
		t.Fatalf("%d and %d rows", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("resumed vectors differ from the uninterrupted run at element %d: %v vs %v", i, b[i], a[i])
		}
	}
	t.Logf("killed after %q; resumed: %s", seen[len(seen)-1], strings.TrimSpace(strings.SplitN(out, "\n", 2)[0]))
}

func rows(t *testing.T, path string) []float32 {
	t.Helper()
	f, err := vecfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var all []float32
	for i := uint64(0); i < f.Count; i++ {
		all = f.Row(all, i)
	}
	return all
}
