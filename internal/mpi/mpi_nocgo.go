//go:build !cgo

package mpi

// This build has no MPI library (CGO_ENABLED=0): every process is the single-rank world. The c*
// functions below are only reached when Launched() is true (cInit) or never (the rest, since
// active stays false); they exist so mpi.go compiles unchanged.

import (
	"errors"
	"fmt"
	"unsafe"
)

const libraryName = "no MPI library (built with CGO_ENABLED=0)"

var errNoMPI = errors.New("mpi: built with CGO_ENABLED=0: no MPI library linked (bug: an MPI call was reached)")

// cInit accepts a launch into a world of one rank (mpirun -np 1) and refuses anything larger.
func cInit() (rank, size int, err error) {
	if n, name, ok := launcherSize(); ok && n > 1 {
		return 0, 0, fmt.Errorf("mpi: %s=%d asks for a job of %d ranks, but this binary was built with CGO_ENABLED=0 and has no MPI library; rebuild it with CGO_ENABLED=1 (and libopenmpi-dev installed), or unset OMPI_*, PMI_* and PMIX_* to run as one process", name, n, n)
	}
	return 0, 1, nil
}

func cFinalize() error                                                         { return nil }
func cAbort(code int)                                                          {}
func cBarrier() error                                                          { return errNoMPI }
func cIbarrier() error                                                         { return errNoMPI }
func cWaitBarrier() error                                                      { return errNoMPI }
func cTestBarrier() (bool, error)                                              { return false, errNoMPI }
func cBcast(buf unsafe.Pointer, n, dt, root int) error                         { return errNoMPI }
func cAllreduce(send, recv unsafe.Pointer, n, dt, op int) error                { return errNoMPI }
func cAllgather(send unsafe.Pointer, n int, recv unsafe.Pointer, dt int) error { return errNoMPI }
func cAllgatherv(send unsafe.Pointer, n int, recv unsafe.Pointer, counts, displs []int32, dt int) error {
	return errNoMPI
}
func cAlltoall(send unsafe.Pointer, n int, recv unsafe.Pointer, dt int) error { return errNoMPI }
func cAlltoallv(send unsafe.Pointer, sc, sd []int32, recv unsafe.Pointer, rc, rd []int32, dt int) error {
	return errNoMPI
}
func cSend(buf unsafe.Pointer, n, dt, dest, tag int) error       { return errNoMPI }
func cRecv(buf unsafe.Pointer, n, dt, src, tag int) (int, error) { return 0, errNoMPI }

// haveMPI reports whether this build links an MPI library.
const haveMPI = false
