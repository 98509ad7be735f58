//go:build cgo

package mpi

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"riskwalk/internal/testenv"
)

// mpirunArgs starts np copies of this test binary running TestRankHelper. --bind-to none keeps
// every core visible to each rank (mpirun binds np <= 2 ranks to one core each otherwise).
func mpirunArgs(np int, oversubscribe bool) []string {
	args := []string{"-np", fmt.Sprint(np), "--bind-to", "none"}
	if oversubscribe {
		args = append(args, "--oversubscribe")
	}
	return append(args, os.Args[0], "-test.run=^TestRankHelper$")
}

// TestMPIRun runs SelfTest (every collective, rank-dependent data, checked on every rank) under real
// mpirun: 2 ranks, 4 ranks on this 2-core machine, and 2 ranks from hostfiles/one-machine.
func TestMPIRun(t *testing.T) {
	mpirun := testenv.Tool(t, "mpirun", "openmpi-bin")
	hostfile := filepath.Join(testenv.RepoRoot(t), "hostfiles", "one-machine")
	for _, c := range []struct {
		name string
		np   int
		args []string
	}{
		{"np2", 2, mpirunArgs(2, false)},
		{"np4-oversubscribe", 4, mpirunArgs(4, true)},
		{"hostfile-one-machine", 2, []string{"--hostfile", hostfile, "--bind-to", "none", os.Args[0], "-test.run=^TestRankHelper$"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, code, took := runChild(t, 120*time.Second, childEnv("selftest"), mpirun, c.args...)
			if code != 0 {
				t.Fatalf("mpirun %s: exit code %d, output:\n%s", strings.Join(c.args, " "), code, out)
			}
			for r := 0; r < c.np; r++ {
				prefix := fmt.Sprintf("rank %d/%d ok: ", r, c.np)
				line := firstLine(out, prefix)
				if line == "" {
					t.Fatalf("no %q line from rank %d; output:\n%s", prefix, r, out)
				}
				for _, step := range []string{"bcast(root=" + fmt.Sprint(c.np-1) + ")", "allreduce", "allgatherv", "alltoallv", "send/recv ring", "chunked(7)", "allocs 0"} {
					if !strings.Contains(line, step) {
						t.Fatalf("rank %d did not report %q: %s", r, step, line)
					}
				}
			}
			t.Logf("%v; %s", took.Round(time.Millisecond), firstLine(out, "rank 0/"))
		})
	}
}

// TestMPIAbort: rank 1 calls Abort(7) while the others block in Recv; mpirun must end the whole job
// with a non-zero status instead of leaving the survivors waiting.
func TestMPIAbort(t *testing.T) {
	mpirun := testenv.Tool(t, "mpirun", "openmpi-bin")
	out, code, took := runChild(t, 60*time.Second, childEnv("abort"), mpirun, mpirunArgs(3, true)...)
	if code == 0 || !strings.Contains(out, "rank 1/3: abort now") {
		t.Fatalf("mpirun with rank 1 calling Abort(7): exit code %d, output:\n%s", code, out)
	}
	if strings.Contains(out, "Recv returned") {
		t.Fatalf("a surviving rank's Recv returned instead of the job ending:\n%s", out)
	}
	t.Logf("mpirun exit code %d after %v", code, took.Round(time.Millisecond))
}

// TestMPIKillFromOutside: with every rank blocked in Recv, the test sends SIGKILL to rank 1's
// process (as issue 4's kill-and-resume test will); mpirun must end the job with a non-zero status
// and no rank may be left running.
func TestMPIKillFromOutside(t *testing.T) {
	mpirun := testenv.Tool(t, "mpirun", "openmpi-bin")
	const np = 3
	cmd := exec.Command(mpirun, mpirunArgs(np, true)...)
	cmd.Env = childEnv("hang")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	guard := time.AfterFunc(60*time.Second, func() { cmd.Process.Signal(syscall.SIGTERM) }) // hang guard
	defer guard.Stop()
	var out strings.Builder
	pids := map[int]int{}
	sc := bufio.NewScanner(stdout)
	var killed time.Time
	for sc.Scan() {
		line := sc.Text()
		out.WriteString(line + "\n")
		var r, p, pid int
		if n, _ := fmt.Sscanf(line, "rank %d/%d pid %d waiting", &r, &p, &pid); n == 3 {
			pids[r] = pid
			if len(pids) == np {
				killed = time.Now()
				if err := syscall.Kill(pids[1], syscall.SIGKILL); err != nil {
					t.Fatalf("kill -9 rank 1 (pid %d): %v", pids[1], err)
				}
			}
		}
	}
	err = cmd.Wait()
	took := time.Since(killed)
	if !guard.Stop() {
		t.Fatalf("mpirun still running 60 s after the start, %d ranks had reported; output:\n%s", len(pids), out.String())
	}
	if killed.IsZero() || err == nil {
		t.Fatalf("want all %d ranks waiting, rank 1 killed and mpirun failing; ranks seen %v, mpirun: %v; output:\n%s", np, pids, err, out.String())
	}
	// mpirun may return while a rank it signalled is still exiting; allow it a few seconds.
	for r, pid := range pids {
		for wait := 0; running(pid); wait++ {
			if wait == 100 {
				t.Errorf("rank %d (pid %d) still running 10 s after mpirun returned", r, pid)
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	t.Logf("mpirun ended %v after rank 1 was killed: %v", took.Round(time.Millisecond), err)
}

// running reports whether process pid exists and is not a zombie (a rank that mpirun left behind
// is reparented to init, which may not have reaped it yet).
func running(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the parenthesized command name: "pid (comm) S ...".
	i := strings.LastIndexByte(string(b), ')')
	return i < 0 || i+2 >= len(b) || b[i+2] != 'Z'
}
