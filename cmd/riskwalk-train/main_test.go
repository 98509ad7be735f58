//go:build cgo

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"riskwalk/internal/testenv"
)

// buildTrain builds riskwalk-train (with cgo, so with OpenMPI) into a temporary directory.
func buildTrain(t *testing.T) string {
	t.Helper()
	gobin := testenv.Tool(t, "go", "golang (or Go 1.26 from https://go.dev/dl)")
	bin := filepath.Join(t.TempDir(), "riskwalk-train")
	cmd := exec.Command(gobin, "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build riskwalk-train: %v\n%s", err, out)
	}
	return bin
}

// cleanEnv drops launcher variables (the test may itself run as a rank) and adds what mpirun
// needs as root in this container.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OMPI_") && !strings.HasPrefix(kv, "PMIX_") && !strings.HasPrefix(kv, "PMI_") {
			env = append(env, kv)
		}
	}
	return append(env, "OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1", "OMPI_MCA_pml=ob1",
		"OMPI_MCA_btl_vader_single_copy_mechanism=none")
}

func run(t *testing.T, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // hang guard only
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("%s %v hung; output:\n%s", name, args, out)
	}
	return string(out), err
}

// TestMPISelfTest runs `riskwalk-train --mpi-selftest` as one process and under mpirun -np 2.
func TestMPISelfTest(t *testing.T) {
	mpirun := testenv.Tool(t, "mpirun", "openmpi-bin")
	bin := buildTrain(t)

	out, err := run(t, bin, "--mpi-selftest")
	if err != nil || !strings.Contains(out, "rank 0/1 ok: ") || !strings.Contains(out, "MPI not used") {
		t.Fatalf("riskwalk-train --mpi-selftest without mpirun: %v\n%s", err, out)
	}

	out, err = run(t, mpirun, "-np", "2", "--bind-to", "none", bin, "--mpi-selftest")
	if err != nil {
		t.Fatalf("mpirun -np 2 riskwalk-train --mpi-selftest: %v\n%s", err, out)
	}
	for r := 0; r < 2; r++ {
		if want := fmt.Sprintf("rank %d/2 ok: ", r); !strings.Contains(out, want) || !strings.Contains(out, "(MPI)") {
			t.Fatalf("no %q line from an MPI world; output:\n%s", want, out)
		}
	}
	t.Log(strings.TrimSpace(out))
}
