package mpi

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// SelfTest runs every call of this package with rank-dependent data and checks the results on this
// rank against values computed locally: Barrier; Bcast from the last rank; Allreduce for every Num
// type and op, in place and not; Allgather; Allgatherv with uneven counts including zero; Alltoall;
// Alltoallv with uneven per-pair counts including zeros; a Send/Recv ring with a message above
// the eager limit and a short message into a longer buffer; the same Allreduce and Bcast split into
// 7-element pieces; that a nil-pointer panic is still recoverable after MPI_Init (OpenMPI did not
// take over Go's signal handlers); and a nonblocking barrier (Fence). Every rank must call it at
// the same point, after Init, and no other goroutine may use this package meanwhile. It returns a
// one-line summary of what passed, or an error naming the first failing check; after an error the
// ranks are out of step, so the caller should report it and Abort.
func SelfTest() (string, error) {
	if !inited.Load() {
		return "", ErrNotInitialized
	}
	r, p := Rank(), Size()
	var done []string
	step := func(name string, err error) error {
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		done = append(done, name)
		return nil
	}
	steps := []struct {
		name string
		f    func(r, p int) error
	}{
		{"barrier", func(int, int) error { return Barrier() }},
		{fmt.Sprintf("bcast(root=%d)", p-1), func(r, p int) error { return testBcast(r, p, 1000) }},
		{"allreduce(6 types x sum,max,min)", testAllreduce},
		{"allgather", testAllgather},
		{"allgatherv(uneven)", testAllgatherv},
		{"alltoallv(uneven, zeros)", testAlltoallv},
		{"send/recv ring", testRing},
		{"chunked(7)", testChunked},
		{"go signals", testSignals},
		{"fence", testFence},
		{"barrier", func(int, int) error { return Barrier() }},
	}
	for _, s := range steps {
		if err := step(s.name, s.f(r, p)); err != nil {
			return "", err
		}
	}
	return strings.Join(done, " "), nil
}

// mismatch describes the first index where got differs from want, or is nil.
func mismatch[T comparable](got, want []T) error {
	if len(got) != len(want) {
		return fmt.Errorf("got %d elements, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			return fmt.Errorf("element %d = %v, want %v", i, got[i], want[i])
		}
	}
	return nil
}

func testBcast(r, p, n int) error {
	root := p - 1
	f := make([]float64, n)
	b := make([]byte, n+3)
	wf := make([]float64, n)
	wb := make([]byte, n+3)
	for i := range wf {
		wf[i] = float64(root*1000+i) + 0.25
	}
	for i := range wb {
		wb[i] = byte(root*7 + i)
	}
	if r == root {
		copy(f, wf)
		copy(b, wb)
	} else {
		for i := range f {
			f[i] = -1
		}
	}
	if err := Bcast(f, root); err != nil {
		return err
	}
	if err := Bcast(b, root); err != nil {
		return err
	}
	if err := mismatch(f, wf); err != nil {
		return fmt.Errorf("float64: %w", err)
	}
	return mismatch(b, wb)
}

// val is rank r's i-th input to the Allreduce checks: integers small enough that float sums are
// exact, negative for some ranks so that Min and Max differ from the first and last rank.
func val(r, i int) int { return (r*37+i*11)%23 - 9 }

func checkAllreduce[T Num](r, p, n int) error {
	send := make([]T, n)
	recv := make([]T, n)
	want := make([]T, n)
	for _, op := range []Op{Sum, Max, Min} {
		for i := range send {
			send[i] = T(val(r, i) + 9) // non-negative: unsigned types too
			w := T(val(0, i) + 9)
			for q := 1; q < p; q++ {
				v := T(val(q, i) + 9)
				switch op {
				case Sum:
					w += v
				case Max:
					w = max(w, v)
				case Min:
					w = min(w, v)
				}
			}
			want[i] = w
		}
		if err := Allreduce(send, recv, op); err != nil {
			return err
		}
		if err := mismatch(recv, want); err != nil {
			return fmt.Errorf("%T %v: %w", send[0], op, err)
		}
		if err := Allreduce(send, send, op); err != nil { // in place
			return err
		}
		if err := mismatch(send, want); err != nil {
			return fmt.Errorf("%T %v in place: %w", send[0], op, err)
		}
	}
	return nil
}

func testAllreduce(r, p int) error {
	return errors.Join(
		checkAllreduce[float32](r, p, 333),
		checkAllreduce[float64](r, p, 333),
		checkAllreduce[int64](r, p, 333),
		checkAllreduce[int32](r, p, 5),
		checkAllreduce[uint64](r, p, 5),
		checkAllreduce[uint32](r, p, 1),
	)
}

func testAllgather(r, p int) error {
	send := []int64{int64(r) * 100, int64(r)*100 + 1, -int64(r)}
	recv := make([]int64, 3*p)
	if err := Allgather(send, recv); err != nil {
		return err
	}
	want := make([]int64, 0, 3*p)
	for q := 0; q < p; q++ {
		want = append(want, int64(q)*100, int64(q)*100+1, -int64(q))
	}
	return mismatch(recv, want)
}

// gcount is how many elements rank q contributes to the Allgatherv check: 1, 0, 3, 2, 1, ...
func gcount(q int) int { return (q*3 + 1) % 4 }

func testAllgatherv(r, p int) error {
	send := make([]float32, gcount(r))
	for i := range send {
		send[i] = float32(r*10+i) + 0.5
	}
	counts := make([]int64, p)
	if err := Allgather([]int64{int64(len(send))}, counts); err != nil {
		return err
	}
	cs := make([]int, p)
	var want []float32
	for q := range cs {
		cs[q] = int(counts[q])
		if cs[q] != gcount(q) {
			return fmt.Errorf("gathered count of rank %d = %d, want %d", q, cs[q], gcount(q))
		}
		for i := 0; i < gcount(q); i++ {
			want = append(want, float32(q*10+i)+0.5)
		}
	}
	recv := make([]float32, len(want))
	if err := Allgatherv(send, recv, cs); err != nil {
		return err
	}
	return mismatch(recv, want)
}

// pcount is how many bytes rank src sends to rank dst in the Alltoallv check: uneven, with zeros
// (including some ranks' messages to themselves).
func pcount(src, dst int) int { return (src + 2*dst) % 3 * (src + 1) }

func pbyte(src, dst, i int) byte { return byte(src*31 + dst*7 + i) }

func testAlltoallv(r, p int) error {
	sc := make([]int, p)
	var send []byte
	for d := 0; d < p; d++ {
		sc[d] = pcount(r, d)
		for i := 0; i < sc[d]; i++ {
			send = append(send, pbyte(r, d, i))
		}
	}
	// Exchange counts as the trainer will: Alltoall of int64.
	sc64 := make([]int64, p)
	rc64 := make([]int64, p)
	for d := range sc {
		sc64[d] = int64(sc[d])
	}
	if err := Alltoall(sc64, rc64); err != nil {
		return err
	}
	rc := make([]int, p)
	var want []byte
	for s := 0; s < p; s++ {
		rc[s] = int(rc64[s])
		if rc[s] != pcount(s, r) {
			return fmt.Errorf("alltoall: count from rank %d = %d, want %d", s, rc[s], pcount(s, r))
		}
		for i := 0; i < rc[s]; i++ {
			want = append(want, pbyte(s, r, i))
		}
	}
	recv := make([]byte, len(want))
	if err := Alltoallv(send, sc, recv, rc); err != nil {
		return err
	}
	return mismatch(recv, want)
}

// testFence checks the nonblocking barrier: on rank 0 it is not done while the last rank has
// not started it (that rank waits for a message rank 0 sends only after looking), a second
// fence is refused while one is outstanding, and on every rank it completes once all started.
func testFence(r, p int) error {
	last := p - 1
	if r == last && p > 1 {
		var b [1]byte
		if _, err := Recv(b[:], 0, 9); err != nil {
			return err
		}
	}
	f, err := StartFence()
	if err != nil {
		return err
	}
	if p > 1 {
		if _, err := StartFence(); err == nil {
			return errors.New("a second fence was started while one is outstanding")
		}
	}
	if r == 0 && p > 1 {
		ok, err := f.Done()
		if err != nil {
			return err
		}
		if ok {
			return fmt.Errorf("fence done on rank 0 before rank %d started it", last)
		}
		if err := Send([]byte{1}, last, 9); err != nil {
			return err
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, err := f.Done()
		if err != nil {
			return err
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			return errors.New("fence not done 30 s after every rank started it")
		}
		time.Sleep(50 * time.Microsecond)
	}
	// Done again, and Wait on a done fence, return at once; a new fence may start and be waited.
	if ok, err := f.Done(); !ok || err != nil {
		return fmt.Errorf("a done fence reports %v, %v", ok, err)
	}
	g, err := StartFence()
	if err != nil {
		return err
	}
	return errors.Join(f.Wait(), g.Wait())
}

func testRing(r, p int) error {
	next, prev := (r+1)%p, (r+p-1)%p
	const n = 100_000 // 800 kB: above the eager limit, so the rendezvous path runs
	out := make([]float64, n)
	for i := range out {
		out[i] = float64(r*n + i)
	}
	short := []uint32{uint32(r), 7, 7, 7}
	in := make([]float64, n)
	inShort := make([]uint32, 10)
	var got, gotShort int
	var err error
	xfer := func(send bool) error {
		if send {
			return errors.Join(Send(out, next, 1), Send(short, next, 2))
		}
		got, err = Recv(in, prev, 1)
		if err != nil {
			return err
		}
		gotShort, err = Recv(inShort, prev, 2)
		return err
	}
	// Even ranks send first and odd ranks receive first, so blocking sends cannot all wait at once;
	// with one rank both go through the local queue.
	first := r%2 == 0
	if err := xfer(first); err != nil {
		return err
	}
	if err := xfer(!first); err != nil {
		return err
	}
	if got != n || gotShort != len(short) {
		return fmt.Errorf("received %d and %d elements, want %d and %d", got, gotShort, n, len(short))
	}
	for i := range in {
		if in[i] != float64(prev*n+i) {
			return fmt.Errorf("from rank %d: element %d = %v, want %v", prev, i, in[i], float64(prev*n+i))
		}
	}
	return mismatch(inShort[:gotShort], []uint32{uint32(prev), 7, 7, 7})
}

// testChunked lowers the per-call count limit to 7 so Allreduce and Bcast split their buffers, and
// checks that calls which cannot split refuse clearly.
func testChunked(r, p int) error {
	old := chunk.Load()
	chunk.Store(7)
	defer chunk.Store(old)
	if err := checkAllreduce[float64](r, p, 50); err != nil {
		return err
	}
	if err := testBcast(r, p, 50); err != nil {
		return err
	}
	err := Allgatherv(make([]byte, 8), make([]byte, 8*p), fill(p, 8))
	if err == nil || !strings.Contains(err.Error(), "over the 7 an MPI count") {
		return fmt.Errorf("Allgatherv of 8 elements per rank with a 7-element limit: err = %v, want a refusal", err)
	}
	return nil
}

func fill(n, v int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = v
	}
	return s
}

var sink int

// testSignals checks that a nil dereference still becomes a recoverable Go panic after MPI_Init.
func testSignals(int, int) (err error) {
	defer func() {
		if recover() == nil {
			err = errors.New("nil dereference did not panic")
		}
	}()
	var p *[4]int
	sink = p[1]
	return errors.New("unreachable: nil dereference returned")
}
