//go:build cgo

package mpi

import (
	"fmt"
	"os"
	"strings"
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
// mpirun with 2 ranks and with 4 ranks on this 2-core machine.
func TestMPIRun(t *testing.T) {
	mpirun := testenv.Tool(t, "mpirun", "openmpi-bin")
	for _, np := range []int{2, 4} {
		t.Run(fmt.Sprintf("np%d", np), func(t *testing.T) {
			out, code, took := runChild(t, 120*time.Second, childEnv("selftest"), mpirun, mpirunArgs(np, np > 2)...)
			if code != 0 {
				t.Fatalf("mpirun -np %d: exit code %d, output:\n%s", np, code, out)
			}
			for r := 0; r < np; r++ {
				prefix := fmt.Sprintf("rank %d/%d ok: ", r, np)
				line := firstLine(out, prefix)
				if line == "" {
					t.Fatalf("no %q line from rank %d; output:\n%s", prefix, r, out)
				}
				for _, step := range []string{"bcast(root=" + fmt.Sprint(np-1) + ")", "allreduce", "allgatherv", "alltoallv", "send/recv ring", "chunked(7)", "allocs 0"} {
					if !strings.Contains(line, step) {
						t.Fatalf("rank %d did not report %q: %s", r, step, line)
					}
				}
			}
			t.Logf("np %d: %v; %s", np, took.Round(time.Millisecond), firstLine(out, "rank 0/"))
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

// TestMPIKill: rank 1 sends itself SIGKILL while the others block in Recv (what issue 4's
// kill-and-resume test does from outside); mpirun must notice and end the job, non-zero.
func TestMPIKill(t *testing.T) {
	mpirun := testenv.Tool(t, "mpirun", "openmpi-bin")
	out, code, took := runChild(t, 60*time.Second, childEnv("kill"), mpirun, mpirunArgs(3, true)...)
	if code == 0 || !strings.Contains(out, "rank 1/3: kill now") {
		t.Fatalf("mpirun with rank 1 killed: exit code %d, output:\n%s", code, out)
	}
	t.Logf("mpirun exit code %d after %v", code, took.Round(time.Millisecond))
}
