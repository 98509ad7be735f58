//go:build cgo && !mpich

package mpi

// The cgo flags of each MPI library live in a file of their own, chosen by build tag: with both
// libraries' lines in one file Go's build cache mixed them up (golang/go#73033).

// #cgo pkg-config: ompi-c
import "C"

// libraryName names the MPI library this build links, for error messages.
const libraryName = "OpenMPI (launch with OpenMPI's mpirun)"
