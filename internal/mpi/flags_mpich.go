//go:build cgo && mpich

package mpi

// Build with `-tags mpich` to link MPICH (Debian mpich libmpich-dev) instead of OpenMPI; launch with
// mpiexec.mpich. See flags_openmpi.go for why the flags live in their own file.

// #cgo pkg-config: mpich
import "C"

// libraryName names the MPI library this build links, for error messages.
const libraryName = "MPICH (launch with mpiexec.mpich)"
