//go:build cgo

package mpi

/*
#include <mpi.h>
#include <string.h>

// MPI handle types (MPI_Comm, MPI_Datatype, MPI_Op) stay in C: Go passes plain int codes, so the
// same Go code works with OpenMPI (pointer handles) and MPICH (int handles). Datatype codes match
// the t* constants in mpi.go, op codes the Op constants.

static MPI_Datatype rw_type(int t) {
	switch (t) {
	case 0: return MPI_BYTE;
	case 1: return MPI_INT32_T;
	case 2: return MPI_UINT32_T;
	case 3: return MPI_INT64_T;
	case 4: return MPI_UINT64_T;
	case 5: return MPI_FLOAT;
	case 6: return MPI_DOUBLE;
	}
	return MPI_DATATYPE_NULL;
}

static MPI_Op rw_op(int op) {
	switch (op) {
	case 0: return MPI_SUM;
	case 1: return MPI_MAX;
	case 2: return MPI_MIN;
	}
	return MPI_OP_NULL;
}

// rw_init returns 0 or an MPI error code; *which names the failing step (0 init, 1 errhandler,
// 2 rank, 3 size, 4 thread level too low).
static int rw_init(int *rank, int *size, int *provided, int *which) {
	int rc;
	*which = 0;
	rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, provided);
	if (rc != MPI_SUCCESS) return rc;
	*which = 1;
	rc = MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
	if (rc != MPI_SUCCESS) return rc;
	*which = 2;
	rc = MPI_Comm_rank(MPI_COMM_WORLD, rank);
	if (rc != MPI_SUCCESS) return rc;
	*which = 3;
	rc = MPI_Comm_size(MPI_COMM_WORLD, size);
	if (rc != MPI_SUCCESS) return rc;
	*which = 4;
	return *provided < MPI_THREAD_SERIALIZED ? MPI_ERR_OTHER : MPI_SUCCESS;
}

static int rw_finalize(void) { return MPI_Finalize(); }
static int rw_abort(int code) { return MPI_Abort(MPI_COMM_WORLD, code); }
static int rw_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }

// The one nonblocking barrier a process may have outstanding (from StartFence until Done or Wait
// sees it complete).
static MPI_Request rw_breq = MPI_REQUEST_NULL;
static int rw_ibarrier(void) { return MPI_Ibarrier(MPI_COMM_WORLD, &rw_breq); }
static int rw_test_barrier(int *done) { return MPI_Test(&rw_breq, done, MPI_STATUS_IGNORE); }
static int rw_wait_barrier(void) { return MPI_Wait(&rw_breq, MPI_STATUS_IGNORE); }

static int rw_bcast(void *buf, int n, int t, int root) {
	return MPI_Bcast(buf, n, rw_type(t), root, MPI_COMM_WORLD);
}

static int rw_allreduce(void *send, void *recv, int n, int t, int op) {
	return MPI_Allreduce(send == recv ? MPI_IN_PLACE : send, recv, n, rw_type(t), rw_op(op), MPI_COMM_WORLD);
}

static int rw_allgather(void *send, int n, void *recv, int t) {
	return MPI_Allgather(send, n, rw_type(t), recv, n, rw_type(t), MPI_COMM_WORLD);
}

static int rw_allgatherv(void *send, int n, void *recv, int *counts, int *displs, int t) {
	return MPI_Allgatherv(send, n, rw_type(t), recv, counts, displs, rw_type(t), MPI_COMM_WORLD);
}

static int rw_alltoall(void *send, int n, void *recv, int t) {
	return MPI_Alltoall(send, n, rw_type(t), recv, n, rw_type(t), MPI_COMM_WORLD);
}

static int rw_alltoallv(void *send, int *sc, int *sd, void *recv, int *rc, int *rd, int t) {
	return MPI_Alltoallv(send, sc, sd, rw_type(t), recv, rc, rd, rw_type(t), MPI_COMM_WORLD);
}

static int rw_send(void *buf, int n, int t, int dest, int tag) {
	return MPI_Send(buf, n, rw_type(t), dest, tag, MPI_COMM_WORLD);
}

static int rw_recv(void *buf, int n, int t, int src, int tag, int *got) {
	MPI_Status st;
	int rc = MPI_Recv(buf, n, rw_type(t), src, tag, MPI_COMM_WORLD, &st);
	if (rc != MPI_SUCCESS) return rc;
	return MPI_Get_count(&st, rw_type(t), got);
}

// rw_errstr writes MPI's description of code into buf (n bytes, NUL-terminated).
static void rw_errstr(int code, char *buf, int n) {
	char s[MPI_MAX_ERROR_STRING + 1];
	int len = 0;
	if (MPI_Error_string(code, s, &len) != MPI_SUCCESS) len = 0;
	s[len] = 0;
	strncpy(buf, s, n - 1);
	buf[n - 1] = 0;
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// mpiErr turns an MPI return code into nil or an *Error naming call.
func mpiErr(call string, rc C.int) error {
	if rc == C.MPI_SUCCESS {
		return nil
	}
	var buf [512]byte
	C.rw_errstr(rc, (*C.char)(unsafe.Pointer(&buf[0])), C.int(len(buf)))
	return &Error{Call: call, Code: int(rc), Msg: C.GoString((*C.char)(unsafe.Pointer(&buf[0])))}
}

func cInit() (rank, size int, err error) {
	var r, s, provided, which C.int
	rc := C.rw_init(&r, &s, &provided, &which)
	if rc != C.MPI_SUCCESS {
		switch which {
		case 0:
			return 0, 0, mpiErr("MPI_Init_thread", rc)
		case 1:
			return 0, 0, mpiErr("MPI_Comm_set_errhandler", rc)
		case 2:
			return 0, 0, mpiErr("MPI_Comm_rank", rc)
		case 3:
			return 0, 0, mpiErr("MPI_Comm_size", rc)
		default:
			return 0, 0, fmt.Errorf("mpi: MPI_Init_thread: library provides thread level %d, below MPI_THREAD_SERIALIZED; use an MPI built with thread support", int(provided))
		}
	}
	return int(r), int(s), nil
}

func cFinalize() error { return mpiErr("MPI_Finalize", C.rw_finalize()) }
func cAbort(code int)  { C.rw_abort(C.int(code)) }
func cBarrier() error  { return mpiErr("MPI_Barrier", C.rw_barrier()) }
func cIbarrier() error { return mpiErr("MPI_Ibarrier", C.rw_ibarrier()) }
func cWaitBarrier() error {
	return mpiErr("MPI_Wait", C.rw_wait_barrier())
}
func cTestBarrier() (bool, error) {
	var done C.int
	err := mpiErr("MPI_Test", C.rw_test_barrier(&done))
	return done != 0, err
}

func cBcast(buf unsafe.Pointer, n, dt, root int) error {
	return mpiErr("MPI_Bcast", C.rw_bcast(buf, C.int(n), C.int(dt), C.int(root)))
}

func cAllreduce(send, recv unsafe.Pointer, n, dt, op int) error {
	return mpiErr("MPI_Allreduce", C.rw_allreduce(send, recv, C.int(n), C.int(dt), C.int(op)))
}

func cAllgather(send unsafe.Pointer, n int, recv unsafe.Pointer, dt int) error {
	return mpiErr("MPI_Allgather", C.rw_allgather(send, C.int(n), recv, C.int(dt)))
}

func cints32(s []int32) *C.int { return (*C.int)(unsafe.Pointer(unsafe.SliceData(s))) }

func cAllgatherv(send unsafe.Pointer, n int, recv unsafe.Pointer, counts, displs []int32, dt int) error {
	return mpiErr("MPI_Allgatherv", C.rw_allgatherv(send, C.int(n), recv, cints32(counts), cints32(displs), C.int(dt)))
}

func cAlltoall(send unsafe.Pointer, n int, recv unsafe.Pointer, dt int) error {
	return mpiErr("MPI_Alltoall", C.rw_alltoall(send, C.int(n), recv, C.int(dt)))
}

func cAlltoallv(send unsafe.Pointer, sc, sd []int32, recv unsafe.Pointer, rc, rd []int32, dt int) error {
	return mpiErr("MPI_Alltoallv", C.rw_alltoallv(send, cints32(sc), cints32(sd), recv, cints32(rc), cints32(rd), C.int(dt)))
}

func cSend(buf unsafe.Pointer, n, dt, dest, tag int) error {
	return mpiErr("MPI_Send", C.rw_send(buf, C.int(n), C.int(dt), C.int(dest), C.int(tag)))
}

func cRecv(buf unsafe.Pointer, n, dt, src, tag int) (int, error) {
	var got C.int
	if err := mpiErr("MPI_Recv", C.rw_recv(buf, C.int(n), C.int(dt), C.int(src), C.int(tag), &got)); err != nil {
		return 0, err
	}
	return int(got), nil
}

// haveMPI reports whether this build links an MPI library.
const haveMPI = true
