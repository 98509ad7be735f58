// Command riskwalk-train trains DeepWalk embeddings, as one process or as SPMD ranks under mpirun;
// it is the only binary that links MPI.
//
//	riskwalk-train [training flags]   train (see runTrain)
//	mpirun -np R riskwalk-train --partition P.rwp [training flags]   train as R SPMD ranks (dist.go)
//	riskwalk-train --mpi-selftest     check the MPI setup: run every collective on every rank
//
// --mpi-selftest works as one process (no mpirun) and under `mpirun -np N --bind-to none`. Each
// rank prints `rank R/S ok: <checks>` and the exit status is 0 when every rank passed; a failing rank
// prints `rank R/S FAILED: <why>` and aborts the job with status 1.
//
// RISKWALK_CPUPROFILE=PREFIX writes a Go CPU profile of the whole run to PREFIX.PID.prof (one file
// per rank under mpirun), for `go tool pprof`.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/pprof"

	"riskwalk/internal/mpi"
)

func main() {
	if len(os.Args) > 1 && (os.Args[1] == "--mpi-selftest" || os.Args[1] == "-mpi-selftest") {
		os.Exit(mpiSelfTest(os.Stdout, os.Stderr))
	}
	if prefix := os.Getenv("RISKWALK_CPUPROFILE"); prefix != "" {
		stop, err := startProfile(fmt.Sprintf("%s.%d.prof", prefix, os.Getpid()))
		if err != nil {
			fmt.Fprintf(os.Stderr, "riskwalk-train: RISKWALK_CPUPROFILE: %v\n", err)
			os.Exit(1)
		}
		code := train()
		stop()
		os.Exit(code)
	}
	os.Exit(train())
}

// startProfile starts a CPU profile into path; stop ends it and closes the file.
func startProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// train runs the trainer the arguments ask for and returns the exit status.
func train() int {
	run := runTrain
	if distRequested(os.Args[1:]) {
		run = runDist // under mpirun, or with --partition: the SPMD trainer (dist.go)
	}
	if err := run(os.Args[1:]); err != nil {
		if !errors.As(err, new(reported)) {
			fmt.Fprintf(os.Stderr, "riskwalk-train: %v\n", err)
		}
		return 1
	}
	return 0
}

// mpiSelfTest runs mpi.SelfTest on this rank and returns the exit status.
func mpiSelfTest(stdout, stderr io.Writer) int {
	if err := mpi.Init(); err != nil {
		fmt.Fprintf(stderr, "riskwalk-train --mpi-selftest: %v\n", err)
		return 1
	}
	r, s := mpi.Rank(), mpi.Size()
	world := "single process, MPI not used"
	if mpi.Active() {
		world = "MPI"
	}
	sum, err := mpi.SelfTest()
	if err != nil {
		fmt.Fprintf(stderr, "rank %d/%d FAILED: %v\n", r, s, err)
		if s > 1 {
			mpi.Abort(1) // the other ranks may be waiting in a collective this rank will not enter
		}
		return 1
	}
	fmt.Fprintf(stdout, "rank %d/%d ok: %s (%s)\n", r, s, sum, world)
	if err := mpi.Finalize(); err != nil {
		fmt.Fprintf(stderr, "rank %d/%d: %v\n", r, s, err)
		return 1
	}
	return 0
}

// reported is an error already printed (by a rank, before it left MPI): main only sets the exit
// status.
type reported struct{ error }
