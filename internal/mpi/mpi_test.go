package mpi

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// helperEnv names the environment variable that makes TestRankHelper act; its value is the mode.
const helperEnv = "RISKWALK_MPI_HELPER"

func TestMain(m *testing.M) {
	if err := Init(); err != nil {
		fmt.Fprintf(os.Stderr, "rank ?: mpi.Init: %v\n", err)
		os.Exit(3)
	}
	flag.Parse()
	if Active() && Rank() != 0 && flag.Lookup("test.bench").Value.String() != "" {
		// Benchmarks under mpirun: rank 0 reports for all, so the output is not interleaved.
		if null, err := os.Open(os.DevNull); err == nil {
			os.Stdout = null
		}
	}
	code := m.Run()
	if err := Finalize(); err != nil {
		fmt.Fprintf(os.Stderr, "rank %d: mpi.Finalize: %v\n", Rank(), err)
		code = 1
	}
	os.Exit(code)
}

// TestRankHelper is the body each rank runs when another test starts this binary under mpirun
// (or by hand, for the launcher checks); it does nothing in an ordinary `go test`.
func TestRankHelper(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		t.Skip("helper for the mpirun tests; runs only when " + helperEnv + " is set")
	}
	r, p := Rank(), Size()
	switch mode {
	case "selftest":
		if !Active() {
			fmt.Printf("rank %d/%d FAILED: launched by mpirun but MPI is not active\n", r, p)
			os.Exit(1)
		}
		sum, err := SelfTest()
		if err != nil {
			fmt.Printf("rank %d/%d FAILED: %v\n", r, p, err)
			Abort(1)
		}
		// The success paths allocate nothing under real MPI either.
		f := make([]float32, 256)
		g, h := make([]float32, 256/p*p), make([]float32, 256/p*p)
		counts := fill(p, 256/p)
		var err2 error
		allocs := testing.AllocsPerRun(20, func() {
			if err := errors.Join(Allreduce(f, f, Sum), Alltoallv(g, counts, h, counts), Barrier()); err != nil {
				err2 = err
			}
		})
		if err2 != nil {
			fmt.Printf("rank %d/%d FAILED: %v\n", r, p, err2)
			Abort(1)
		}
		fmt.Printf("rank %d/%d ok: %s allocs %v\n", r, p, sum, allocs)
	case "abort":
		if err := Barrier(); err != nil {
			t.Fatal(err)
		}
		if r == 1 {
			fmt.Printf("rank 1/%d: abort now\n", p)
			Abort(7)
		}
		// Every other rank waits for a message rank 1 never sends: only the launcher can end it.
		buf := make([]byte, 1)
		_, err := Recv(buf, 1, 5)
		fmt.Printf("rank %d/%d: Recv returned %v\n", r, p, err)
		os.Exit(1)
	case "hang":
		// Every rank waits for a message nobody sends, until the test kills one rank from outside.
		if err := Barrier(); err != nil {
			t.Fatal(err)
		}
		fmt.Printf("rank %d/%d pid %d waiting\n", r, p, os.Getpid())
		buf := make([]byte, 1)
		_, err := Recv(buf, (r+1)%p, 5)
		fmt.Printf("rank %d/%d: Recv returned %v\n", r, p, err)
		os.Exit(1)
	case "init":
		fmt.Printf("rank %d/%d: init ok, active=%v\n", r, p, Active())
	default:
		t.Fatalf("unknown %s=%q", helperEnv, mode)
	}
}

// childEnv is this process's environment without any launcher variables (in case the test itself
// runs as a rank), plus what mpirun needs as root in this container and the helper mode.
func childEnv(mode string, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "OMPI_") || strings.HasPrefix(kv, "PMIX_") || strings.HasPrefix(kv, "PMI_") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1", "OMPI_MCA_pml=ob1",
		"OMPI_MCA_btl_vader_single_copy_mechanism=none", helperEnv+"="+mode)
	return append(env, extra...)
}

// runChild runs the command with a deadline that only guards against hangs (a failure, not a
// timing assertion) and returns its combined output, exit code and duration.
func runChild(t *testing.T, limit time.Duration, env []string, name string, args ...string) (string, int, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) } // mpirun forwards it to the ranks
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	if ctx.Err() != nil {
		t.Fatalf("%s %s did not end within %v (hang); output:\n%s", name, strings.Join(args, " "), limit, out)
	}
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("%s: %v", name, err)
		}
		code = ee.ExitCode()
	}
	return string(out), code, took
}

// TestLauncherMismatch starts this binary by hand with launcher variables announcing 2 ranks: with
// MPI linked, MPI gives it a world of 1 and Init must fail naming the mismatch; without cgo, Init
// must fail saying the build has no MPI.
func TestLauncherMismatch(t *testing.T) {
	want := "launcher mismatch"
	if !haveMPI {
		want = "CGO_ENABLED=0"
	}
	for _, v := range []string{"OMPI_COMM_WORLD_SIZE=2", "PMI_SIZE=2"} {
		t.Run(v, func(t *testing.T) {
			env := childEnv("init", v)
			out, code, _ := runChild(t, 60*time.Second, env, os.Args[0], "-test.run=^TestRankHelper$")
			if code == 0 || !strings.Contains(out, want) || !strings.Contains(out, strings.Split(v, "=")[0]) {
				t.Fatalf("with %s and no mpirun: exit code %d, output:\n%s\nwant a non-zero exit and an error containing %q and the variable's name", v, code, out, want)
			}
			t.Logf("exit %d: %s", code, firstLine(out, want))
		})
	}
	// Launched into a world of one: fine in both builds.
	out, code, _ := runChild(t, 60*time.Second, childEnv("init", "OMPI_COMM_WORLD_SIZE=1", "PMI_SIZE=1"), os.Args[0], "-test.run=^TestRankHelper$")
	if haveMPI {
		// OMPI_COMM_WORLD_SIZE=1 without mpirun makes OpenMPI init as a singleton: MPI is active.
		if code != 0 || !strings.Contains(out, "rank 0/1: init ok, active=true") {
			t.Fatalf("OMPI_COMM_WORLD_SIZE=1 without mpirun: exit %d, output:\n%s", code, out)
		}
	} else if code != 0 || !strings.Contains(out, "rank 0/1: init ok, active=false") {
		t.Fatalf("OMPI_COMM_WORLD_SIZE=1 in a CGO_ENABLED=0 build: exit %d, output:\n%s", code, out)
	}
}

func firstLine(out, sub string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

// TestLaunched checks the launcher detection on this process's own environment.
func TestLaunched(t *testing.T) {
	for _, v := range launchVars {
		t.Setenv(v, "") // t.Setenv restores the old value; unset for this test
		os.Unsetenv(v)
	}
	if Launched() {
		t.Fatal("Launched() with no launcher variables set")
	}
	for _, v := range launchVars {
		t.Setenv(v, "1")
		if !Launched() {
			t.Fatalf("Launched() false with %s set", v)
		}
		os.Unsetenv(v)
	}
	t.Setenv("PMI_SIZE", "4")
	if n, name, ok := launcherSize(); !ok || n != 4 || name != "PMI_SIZE" {
		t.Fatalf("launcherSize() = %d, %q, %v; want 4, PMI_SIZE, true", n, name, ok)
	}
	if err := checkLauncher(1); err == nil || !strings.Contains(err.Error(), "PMI_SIZE=4") {
		t.Fatalf("checkLauncher(1) with PMI_SIZE=4: %v", err)
	}
	if err := checkLauncher(4); err != nil {
		t.Fatalf("checkLauncher(4) with PMI_SIZE=4: %v", err)
	}
}
