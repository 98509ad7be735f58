// Package mpi is riskwalk's thin binding to MPI: one world communicator (MPI_COMM_WORLD), blocking
// collectives and point-to-point messages on flat slices, and a pure-Go single-rank world with the
// same API for processes that were not started by mpirun.
//
// # Worlds
//
// A process is Launched when any of OMPI_COMM_WORLD_SIZE, PMI_SIZE or PMIX_RANK is set (mpirun,
// mpiexec, srun). Init then calls MPI_Init_thread and the process is one rank of an MPI job. When it
// was not launched, Init does not touch MPI at all (an OpenMPI singleton init costs 110-320 ms and
// forks a helper) and the process is rank 0 of a world of size 1, served in pure Go. Builds with
// CGO_ENABLED=0 always use the single-rank world; launched into a job of more than one rank they fail
// in Init. Every function below behaves the same in both worlds; in the single-rank world:
//   - Barrier does nothing; Bcast needs root 0 and does nothing;
//   - Allreduce, Allgather(v), Alltoall(v) copy send to recv (after the same argument checks);
//   - Send to rank 0 (yourself) copies the message into a local FIFO queue, Recv from rank 0 takes the
//     oldest queued message with that tag, and returns an error when none is queued (a real MPI Recv
//     would block forever);
//   - Abort exits the process with the code.
//
// Messages to yourself use that same local queue in a real MPI job too, so Send(buf, Rank(), tag)
// never deadlocks on a large message.
//
// # Threads
//
// MPI runs at MPI_THREAD_SERIALIZED: any goroutine may call this package, and a mutex lets one call
// into MPI at a time. A blocking call (a collective, Send, Recv) holds the mutex until it returns, so
// do not make progress on one goroutine depend on an MPI call made from another (a Recv waiting for a
// message that this process sends from a second goroutine deadlocks). The usual shape is one
// goroutine that does all communication while worker goroutines compute. Rank, Size, Launched and
// Active never wait for the mutex. Abort does not wait for it either, so a watchdog can end the job
// while another goroutine is blocked in MPI.
//
// # Buffers and blocking
//
// Every call but the nonblocking barrier (Fence) is blocking: it returns when the caller's buffers
// may be reused (MPI's blocking semantics; for collectives, when this rank's part is done). The
// caller owns every slice; the package keeps no reference after the call returns and allocates
// nothing on the success path once its scratch for count arrays has grown to Size() entries
// (except Send to yourself, which copies the message into the local queue, and StartFence).
// Collectives must be called by every rank in the same order with matching arguments (same root,
// same op, consistent counts).
//
// # Errors
//
// MPI_ERRORS_RETURN is set on MPI_COMM_WORLD right after init, so MPI failures come back as *Error
// naming the MPI call. Arguments are checked before any communication; a rank that gets an argument
// error has not entered the collective and its peers will wait for it, so treat any error from a
// collective as fatal to the job: report it and call Abort. When a rank dies (killed, crashed,
// Abort), mpirun tears down the whole job within about a second; survivors do not hang.
//
// # Counts
//
// MPI counts and displacements are C ints. Allreduce and Bcast split longer buffers into pieces of
// at most 2^31-1 elements. The other calls refuse, with an error saying so, any count, total or
// displacement over 2^31-1 elements of the element type; split such exchanges into several calls.
package mpi

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Elem is an element type that can travel in messages. Each maps to its MPI datatype (MPI_BYTE,
// MPI_INT32_T, MPI_UINT32_T, MPI_INT64_T, MPI_UINT64_T, MPI_FLOAT, MPI_DOUBLE), so counts are in
// elements, not bytes.
type Elem interface {
	byte | int32 | uint32 | int64 | uint64 | float32 | float64
}

// Num is an element type Allreduce can reduce.
type Num interface {
	int32 | uint32 | int64 | uint64 | float32 | float64
}

// Op is a reduction operation for Allreduce.
type Op int

const (
	Sum Op = iota // elementwise sum (floating-point sums may differ in the last bits between runs of different sizes)
	Max           // elementwise maximum
	Min           // elementwise minimum
)

func (o Op) String() string {
	switch o {
	case Sum:
		return "sum"
	case Max:
		return "max"
	case Min:
		return "min"
	}
	return "Op(" + strconv.Itoa(int(o)) + ")"
}

// MaxTag is the largest message tag Send and Recv accept (the least MPI_TAG_UB the standard allows).
const MaxTag = 32767

// Error is an error returned by the MPI library, naming the call that failed.
type Error struct {
	Call string // MPI function, e.g. "MPI_Allreduce"
	Code int    // MPI error code
	Msg  string // MPI_Error_string of Code
}

func (e *Error) Error() string {
	return fmt.Sprintf("mpi: %s failed: %s (MPI error code %d)", e.Call, e.Msg, e.Code)
}

// ErrNotInitialized is returned by communication calls made before Init or after Finalize.
var ErrNotInitialized = errors.New("mpi: not initialized: call mpi.Init first (and not after mpi.Finalize)")

// dtype codes, shared with the C helpers in mpi_cgo.go.
const (
	tByte = iota
	tInt32
	tUint32
	tInt64
	tUint64
	tFloat32
	tFloat64
)

// dtypeOf is the dtype code of T. Switching on a zero value does not allocate.
func dtypeOf[T Elem]() int {
	var z T
	switch any(z).(type) {
	case byte:
		return tByte
	case int32:
		return tInt32
	case uint32:
		return tUint32
	case int64:
		return tInt64
	case uint64:
		return tUint64
	case float32:
		return tFloat32
	case float64:
		return tFloat64
	}
	panic("mpi: unreachable: Elem type without a dtype code (bug)")
}

// state of this process's world. rank and size are atomics so Rank and Size never wait for mu.
var (
	mu        sync.Mutex   // serializes calls into MPI and guards the fields below
	active    atomic.Bool  // MPI_Init done and MPI_Finalize not yet: calls go to MPI
	inited    atomic.Bool  // Init returned nil (either world)
	finalized atomic.Bool  // Finalize was called
	rank      atomic.Int32 // this process's rank (0 in the single-rank world)
	size      atomic.Int32 // world size (1 in the single-rank world)
	selfq     []selfMsg    // messages sent to this rank, oldest first
	cints     []int32      // scratch for count and displacement arrays passed to C (4 * Size())
)

// chunk is the largest count passed to one MPI call: 2^31-1 (C INT_MAX). Tests lower it to exercise
// splitting and refusals with small buffers.
var chunk atomic.Int64

func init() {
	size.Store(1)
	chunk.Store(math.MaxInt32)
}

type selfMsg struct {
	tag  int
	data []byte
}

// launchVars are the environment variables whose presence means a launcher started this process.
var launchVars = []string{"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"}

// Launched reports whether a launcher (mpirun, mpiexec, srun) started this process: any of
// OMPI_COMM_WORLD_SIZE, PMI_SIZE, PMIX_RANK is set. Init uses MPI only when it is.
func Launched() bool {
	for _, v := range launchVars {
		if _, ok := os.LookupEnv(v); ok {
			return true
		}
	}
	return false
}

// launcherSize is the world size the launcher announced in the environment (OMPI_COMM_WORLD_SIZE,
// else PMI_SIZE), with the variable's name; ok is false when neither is set to a number.
func launcherSize() (n int, name string, ok bool) {
	for _, v := range []string{"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"} {
		if s, set := os.LookupEnv(v); set {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 {
				return 0, v, false
			}
			return n, v, true
		}
	}
	return 0, "", false
}

// checkLauncher fails when the launcher announced more ranks than MPI gave this process: the binary
// was started by a launcher of another MPI library (e.g. mpiexec.mpich for an OpenMPI build), or
// by hand with launcher variables set, and every rank would run alone.
func checkLauncher(got int) error {
	want, name, ok := launcherSize()
	if !ok || want == got {
		return nil
	}
	return fmt.Errorf("mpi: launcher mismatch: %s=%d but MPI reports a world of %d rank(s); "+
		"the process was started by a launcher that does not match the MPI library it is linked to "+
		"(this build uses %s; start it with that library's mpirun), or %s was set by hand "+
		"(unset OMPI_*, PMI_* and PMIX_* to run as one process)", name, want, got, libraryName, name)
}

// Init joins the MPI job when Launched, at MPI_THREAD_SERIALIZED with MPI_ERRORS_RETURN, and checks
// that the world size matches what the launcher announced; otherwise it sets up the single-rank
// world without calling MPI. Init is a no-op once it has succeeded; it fails after Finalize (MPI
// cannot be initialized twice).
func Init() error {
	mu.Lock()
	defer mu.Unlock()
	if finalized.Load() {
		return errors.New("mpi: Init called after Finalize; MPI cannot be initialized twice in one process")
	}
	if inited.Load() {
		return nil
	}
	if !Launched() {
		rank.Store(0)
		size.Store(1)
		inited.Store(true)
		return nil
	}
	r, s, err := cInit()
	if err != nil {
		return err
	}
	rank.Store(int32(r))
	size.Store(int32(s))
	active.Store(haveMPI)
	inited.Store(true)
	if err := checkLauncher(s); err != nil {
		return err
	}
	return nil
}

// Finalize leaves MPI (MPI_Finalize, which waits for the other ranks' pending traffic). Every rank
// should call it once before exiting normally. Later calls of this package return ErrNotInitialized;
// Rank and Size keep their values. Finalize without a successful Init, or twice, returns nil.
func Finalize() error {
	mu.Lock()
	defer mu.Unlock()
	if finalized.Load() {
		return nil
	}
	finalized.Store(true)
	inited.Store(false)
	selfq = nil
	if active.Load() {
		active.Store(false)
		return cFinalize()
	}
	return nil
}

// Active reports whether calls go to a real MPI library (Init joined an MPI job and Finalize has not
// been called). It is false in the single-rank world.
func Active() bool { return active.Load() }

// Rank is this process's rank in [0, Size()); 0 before Init and in the single-rank world.
func Rank() int { return int(rank.Load()) }

// Size is the number of ranks in the world; 1 before Init and in the single-rank world.
func Size() int { return int(size.Load()) }

// Abort ends every rank of the job with the exit code (MPI_Abort on MPI_COMM_WORLD; os.Exit(code) in
// the single-rank world). It does not return and does not wait for another goroutine's MPI call.
func Abort(code int) {
	if active.Load() {
		cAbort(code)
	}
	os.Exit(code)
}

// lock takes mu and checks that the world is initialized. The caller must unlock.
func lock() error {
	mu.Lock()
	if !inited.Load() {
		mu.Unlock()
		return ErrNotInitialized
	}
	return nil
}

func checkRank(call, what string, r int) error {
	if r < 0 || r >= Size() {
		return fmt.Errorf("mpi: %s: %s %d out of range [0, %d)", call, what, r, Size())
	}
	return nil
}

// fits checks that an element count or displacement fits one MPI call.
func fits(call, what string, n int) error {
	if int64(n) > chunk.Load() {
		return fmt.Errorf("mpi: %s: %s is %d elements, over the %d an MPI count (C int) can hold; split the exchange into several calls", call, what, n, chunk.Load())
	}
	return nil
}

// overlap reports whether a and b share memory (but are not the same slice start).
func overlap[T Elem](a, b []T) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	pa, pb := uintptr(unsafe.Pointer(&a[0])), uintptr(unsafe.Pointer(&b[0]))
	sz := unsafe.Sizeof(a[0])
	return pa < pb+uintptr(len(b))*sz && pb < pa+uintptr(len(a))*sz
}

// Barrier blocks until every rank has called Barrier.
func Barrier() error {
	if err := lock(); err != nil {
		return err
	}
	defer mu.Unlock()
	if !active.Load() {
		return nil
	}
	return cBarrier()
}

// Fence is a nonblocking barrier (MPI_Ibarrier): a rank that has reached a synchronisation point
// starts one, keeps working while it polls Done, and knows, once Done reports true, that every
// rank has started it. A process has at most one Fence outstanding (StartFence refuses a second
// until the first is done); like any collective, every rank must start its fences in the same
// order relative to the other collectives. In the single-rank world a fence is done at once.
type Fence struct{ done bool }

var fenceOut bool // guarded by mu: a Fence is outstanding

// StartFence starts a nonblocking barrier.
func StartFence() (*Fence, error) {
	if err := lock(); err != nil {
		return nil, err
	}
	defer mu.Unlock()
	if !active.Load() {
		return &Fence{done: true}, nil
	}
	if fenceOut {
		return nil, errors.New("mpi: StartFence: a fence is already outstanding (finish it with Done or Wait first)")
	}
	if err := cIbarrier(); err != nil {
		return nil, err
	}
	fenceOut = true
	return &Fence{}, nil
}

// Done reports whether every rank has started the fence, without blocking; each call also
// lets MPI make progress on it.
func (f *Fence) Done() (bool, error) {
	if f.done {
		return true, nil
	}
	if err := lock(); err != nil {
		return false, err
	}
	defer mu.Unlock()
	ok, err := cTestBarrier()
	if ok || err != nil {
		f.done, fenceOut = true, false
	}
	return ok, err
}

// Wait blocks until every rank has started the fence.
func (f *Fence) Wait() error {
	if f.done {
		return nil
	}
	if err := lock(); err != nil {
		return err
	}
	defer mu.Unlock()
	err := cWaitBarrier()
	f.done, fenceOut = true, false
	return err
}

// Bcast copies root's buf into buf on every other rank. Every rank passes a buf of the same length.
// Buffers over 2^31-1 elements are sent in pieces.
func Bcast[T Elem](buf []T, root int) error {
	if err := lock(); err != nil {
		return err
	}
	defer mu.Unlock()
	if err := checkRank("Bcast", "root", root); err != nil {
		return err
	}
	if !active.Load() {
		return nil
	}
	dt, c := dtypeOf[T](), int(chunk.Load())
	for off := 0; off < len(buf); off += c {
		n := min(c, len(buf)-off)
		if err := cBcast(unsafe.Pointer(&buf[off]), n, dt, root); err != nil {
			return err
		}
	}
	return nil
}

// Allreduce combines send elementwise over all ranks with op and stores the result in recv on every
// rank. len(recv) must equal len(send), the same on every rank. recv may be send itself (the same
// slice: reduced in place, MPI_IN_PLACE) but must not overlap it otherwise. Buffers over 2^31-1
// elements are reduced in pieces.
func Allreduce[T Num](send, recv []T, op Op) error {
	if err := lock(); err != nil {
		return err
	}
	defer mu.Unlock()
	if len(send) != len(recv) {
		return fmt.Errorf("mpi: Allreduce: len(send)=%d != len(recv)=%d", len(send), len(recv))
	}
	if op != Sum && op != Max && op != Min {
		return fmt.Errorf("mpi: Allreduce: unknown op %v", op)
	}
	inPlace := len(send) > 0 && &send[0] == &recv[0]
	if !inPlace && overlap(send, recv) {
		return errors.New("mpi: Allreduce: send and recv overlap; pass the same slice twice to reduce in place")
	}
	if !active.Load() {
		copy(recv, send)
		return nil
	}
	dt, c := dtypeOf[T](), int(chunk.Load())
	for off := 0; off < len(send); off += c {
		n := min(c, len(send)-off)
		if err := cAllreduce(unsafe.Pointer(&send[off]), unsafe.Pointer(&recv[off]), n, dt, int(op)); err != nil {
			return err
		}
	}
	return nil
}

// Allgather concatenates every rank's send, in rank order, into recv on every rank. All ranks pass
// sends of the same length; len(recv) must be Size()*len(send). recv must not overlap send.
func Allgather[T Elem](send, recv []T) error {
	if err := lock(); err != nil {
		return err
	}
	defer mu.Unlock()
	p := Size()
	if len(recv) != p*len(send) {
		return fmt.Errorf("mpi: Allgather: len(recv)=%d, want Size()*len(send) = %d*%d", len(recv), p, len(send))
	}
	if overlap(send, recv) {
		return errors.New("mpi: Allgather: send and recv overlap")
	}
	if err := fits("Allgather", "len(recv)", len(recv)); err != nil {
		return err
	}
	if !active.Load() {
		copy(recv, send)
		return nil
	}
	return cAllgather(ptr(send), len(send), ptr(recv), dtypeOf[T]())
}

// Allgatherv concatenates every rank's send, in rank order and packed without gaps, into recv on
// every rank. counts[r] is the number of elements rank r sends (len(counts) == Size(), the same on
// every rank, counts[Rank()] == len(send)); len(recv) must be the sum of counts. To learn the counts,
// Allgather each rank's len(send) first. recv must not overlap send.
func Allgatherv[T Elem](send, recv []T, counts []int) error {
	if err := lock(); err != nil {
		return err
	}
	defer mu.Unlock()
	p := Size()
	if len(counts) != p {
		return fmt.Errorf("mpi: Allgatherv: len(counts)=%d, want Size()=%d", len(counts), p)
	}
	if counts[Rank()] != len(send) {
		return fmt.Errorf("mpi: Allgatherv: counts[%d]=%d but len(send)=%d", Rank(), counts[Rank()], len(send))
	}
	cs, ds := scratch(p, 0)
	total, err := packed("Allgatherv", "counts", counts, cs, ds)
	if err != nil {
		return err
	}
	if total != len(recv) {
		return fmt.Errorf("mpi: Allgatherv: len(recv)=%d but counts sum to %d", len(recv), total)
	}
	if overlap(send, recv) {
		return errors.New("mpi: Allgatherv: send and recv overlap")
	}
	if !active.Load() {
		copy(recv, send)
		return nil
	}
	return cAllgatherv(ptr(send), len(send), ptr(recv), cs, ds, dtypeOf[T]())
}

// Alltoall sends the r-th block of send to rank r and stores the block received from rank r as the
// r-th block of recv; blocks are len(send)/Size() elements. len(send) == len(recv), a multiple of
// Size(), the same on every rank. A typical use is exchanging per-peer counts before Alltoallv.
// recv must not overlap send.
func Alltoall[T Elem](send, recv []T) error {
	if err := lock(); err != nil {
		return err
	}
	defer mu.Unlock()
	p := Size()
	if len(send) != len(recv) || len(send)%p != 0 {
		return fmt.Errorf("mpi: Alltoall: len(send)=%d, len(recv)=%d: want equal lengths, a multiple of Size()=%d", len(send), len(recv), p)
	}
	if overlap(send, recv) {
		return errors.New("mpi: Alltoall: send and recv overlap")
	}
	if err := fits("Alltoall", "len(send)", len(send)); err != nil {
		return err
	}
	if !active.Load() {
		copy(recv, send)
		return nil
	}
	return cAlltoall(ptr(send), len(send)/p, ptr(recv), dtypeOf[T]())
}

// Alltoallv sends sendCounts[r] elements to rank r and receives recvCounts[r] elements from rank r.
// Blocks are packed in rank order: the block for rank r starts at the sum of sendCounts[:r] in send,
// and the block from rank r at the sum of recvCounts[:r] in recv. len(send) and len(recv) must equal
// the sums of their counts, both count slices have Size() entries, and sendCounts[r] on this rank
// must equal recvCounts[Rank()] on rank r (exchange counts with Alltoall first). Zero counts are
// fine. recv must not overlap send.
func Alltoallv[T Elem](send []T, sendCounts []int, recv []T, recvCounts []int) error {
	if err := lock(); err != nil {
		return err
	}
	defer mu.Unlock()
	p := Size()
	if len(sendCounts) != p || len(recvCounts) != p {
		return fmt.Errorf("mpi: Alltoallv: len(sendCounts)=%d, len(recvCounts)=%d, want Size()=%d", len(sendCounts), len(recvCounts), p)
	}
	sc, sd := scratch(p, 0)
	rc, rd := scratch(p, 2)
	st, err := packed("Alltoallv", "sendCounts", sendCounts, sc, sd)
	if err != nil {
		return err
	}
	rt, err := packed("Alltoallv", "recvCounts", recvCounts, rc, rd)
	if err != nil {
		return err
	}
	if st != len(send) || rt != len(recv) {
		return fmt.Errorf("mpi: Alltoallv: len(send)=%d, len(recv)=%d but the counts sum to %d and %d", len(send), len(recv), st, rt)
	}
	if overlap(send, recv) {
		return errors.New("mpi: Alltoallv: send and recv overlap")
	}
	if !active.Load() {
		if sendCounts[0] != recvCounts[0] {
			return fmt.Errorf("mpi: Alltoallv: single rank sends %d elements to itself but expects %d", sendCounts[0], recvCounts[0])
		}
		copy(recv, send)
		return nil
	}
	return cAlltoallv(ptr(send), sc, sd, ptr(recv), rc, rd, dtypeOf[T]())
}

// scratch returns two Size()-long int32 slices from the C count scratch, pair 0 (slots 0,1) or
// pair 2 (slots 2,3). Caller holds mu; the slices are valid until mu is released.
func scratch(p, slot int) (a, b []int32) {
	if len(cints) < 4*p {
		cints = make([]int32, 4*p)
	}
	return cints[slot*p : (slot+1)*p], cints[(slot+1)*p : (slot+2)*p]
}

// packed converts counts to C ints in cs and their prefix sums (packed displacements) in ds, and
// returns the total; it refuses negative counts and any count, displacement or total over chunk.
func packed(call, what string, counts []int, cs, ds []int32) (int, error) {
	total := 0
	for r, c := range counts {
		if c < 0 {
			return 0, fmt.Errorf("mpi: %s: %s[%d]=%d is negative", call, what, r, c)
		}
		if int64(c) > chunk.Load() || int64(total+c) > chunk.Load() {
			return 0, fmt.Errorf("mpi: %s: %s[%d]=%d brings the total to %d elements, over the %d an MPI count or displacement (C int) can hold; split the exchange into several calls", call, what, r, c, total+c, chunk.Load())
		}
		cs[r], ds[r] = int32(c), int32(total)
		total += c
	}
	return total, nil
}

// Send sends buf to rank dest with tag (0..MaxTag) and returns when buf may be reused (which may be
// before dest has received it). A message to yourself is copied into the local queue (see package
// doc). Messages over 2^31-1 elements are refused.
func Send[T Elem](buf []T, dest, tag int) error {
	if err := lock(); err != nil {
		return err
	}
	defer mu.Unlock()
	if err := checkRank("Send", "dest", dest); err != nil {
		return err
	}
	if tag < 0 || tag > MaxTag {
		return fmt.Errorf("mpi: Send: tag %d out of range [0, %d]", tag, MaxTag)
	}
	if err := fits("Send", "len(buf)", len(buf)); err != nil {
		return err
	}
	if dest == Rank() {
		b := unsafe.Slice((*byte)(ptr(buf)), len(buf)*int(unsafe.Sizeof(*new(T))))
		selfq = append(selfq, selfMsg{tag: tag, data: append([]byte(nil), b...)})
		return nil
	}
	return cSend(ptr(buf), len(buf), dtypeOf[T](), dest, tag)
}

// Recv receives the next message from rank src with tag into buf and returns the number of elements
// received (at most len(buf); a longer message is an error, MPI_ERR_TRUNCATE). It blocks until the
// message arrives, except that Recv from yourself takes the oldest queued message with that tag and
// fails when there is none. Sender and receiver must use the same element type.
func Recv[T Elem](buf []T, src, tag int) (int, error) {
	if err := lock(); err != nil {
		return 0, err
	}
	defer mu.Unlock()
	if err := checkRank("Recv", "src", src); err != nil {
		return 0, err
	}
	if tag < 0 || tag > MaxTag {
		return 0, fmt.Errorf("mpi: Recv: tag %d out of range [0, %d]", tag, MaxTag)
	}
	if err := fits("Recv", "len(buf)", len(buf)); err != nil {
		return 0, err
	}
	if src == Rank() {
		for i, m := range selfq {
			if m.tag != tag {
				continue
			}
			selfq = append(selfq[:i], selfq[i+1:]...)
			es := int(unsafe.Sizeof(*new(T)))
			if len(m.data)%es != 0 {
				return 0, fmt.Errorf("mpi: Recv: message to self with tag %d has %d bytes, not a whole number of %d-byte elements; send and receive the same element type", tag, len(m.data), es)
			}
			if len(m.data) > len(buf)*es {
				return 0, fmt.Errorf("mpi: Recv: message to self with tag %d has %d elements, buf holds %d", tag, len(m.data)/es, len(buf))
			}
			b := unsafe.Slice((*byte)(ptr(buf)), len(buf)*es)
			return copy(b, m.data) / es, nil
		}
		return 0, fmt.Errorf("mpi: Recv: no message from self (rank %d) with tag %d is queued; receiving would block forever", src, tag)
	}
	return cRecv(ptr(buf), len(buf), dtypeOf[T](), src, tag)
}

// ptr is the address of s's first element, or nil for a nil slice; MPI reads no element when the
// count is zero. Passing it to a blocking C call is legal under the cgo pointer rules: the memory
// holds no Go pointers and C keeps no reference after the call.
func ptr[T Elem](s []T) unsafe.Pointer { return unsafe.Pointer(unsafe.SliceData(s)) }
