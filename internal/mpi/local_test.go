package mpi

import (
	"strings"
	"testing"
)

// The single-rank world: what every build gives a process that no launcher started (the test
// binary itself, unless someone runs it under mpirun).

func needSingle(t *testing.T) {
	t.Helper()
	if Active() {
		t.Skip("this test binary runs as a rank of an MPI job; the single-rank world is not in use")
	}
	if Rank() != 0 || Size() != 1 {
		t.Fatalf("single-rank world: Rank()=%d Size()=%d, want 0 and 1", Rank(), Size())
	}
}

func TestSingleRankSelfTest(t *testing.T) {
	needSingle(t)
	sum, err := SelfTest()
	if err != nil {
		t.Fatal(err)
	}
	t.Log(sum)
}

func wantErr(t *testing.T, err error, sub string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), sub) {
		t.Fatalf("err = %v, want one containing %q", err, sub)
	}
}

func TestSingleRankCopies(t *testing.T) {
	needSingle(t)
	send := []float32{1, 2, 3}
	recv := make([]float32, 3)
	if err := Allreduce(send, recv, Max); err != nil {
		t.Fatal(err)
	}
	if err := mismatch(recv, send); err != nil {
		t.Fatal(err)
	}
	b := []byte("abcde")
	out := make([]byte, 5)
	if err := Alltoallv(b, []int{5}, out, []int{5}); err != nil {
		t.Fatal(err)
	}
	if string(out) != "abcde" {
		t.Fatalf("Alltoallv copied %q", out)
	}
	wantErr(t, Alltoallv(b, []int{5}, out[:4], []int{5}), "counts sum")
	wantErr(t, Alltoallv(b[:4], []int{4}, out[:3], []int{3}), "sends 4 elements to itself but expects 3")
	wantErr(t, Bcast(b, 1), "root 1 out of range [0, 1)")
	if err := Bcast(b, 0); err != nil || string(b) != "abcde" {
		t.Fatalf("Bcast(root 0) = %v, buf %q", err, b)
	}
}

func TestArgumentErrors(t *testing.T) {
	needSingle(t)
	f := make([]float64, 10)
	wantErr(t, Allreduce(f[:3], f[:4], Sum), "len(send)=3 != len(recv)=4")
	wantErr(t, Allreduce(f[0:5], f[2:7], Sum), "overlap")
	wantErr(t, Allreduce(f[:2], f[2:4], Op(9)), "unknown op")
	wantErr(t, Allgather(f[:3], f[3:5]), "want Size()*len(send)")
	wantErr(t, Allgatherv(f[:3], f[3:6], []int{2}), "counts[0]=2 but len(send)=3")
	wantErr(t, Allgatherv(f[:3], f[3:6], []int{3, 0}), "len(counts)=2")
	wantErr(t, Alltoallv(f[:2], []int{-1}, f[2:4], []int{2}), "sendCounts[0]=-1 is negative")
	wantErr(t, Send(f, 0, MaxTag+1), "tag 32768 out of range")
	wantErr(t, Send(f, 1, 0), "dest 1 out of range")
	_, err := Recv(f, -1, 0)
	wantErr(t, err, "src -1 out of range")
}

func TestSendRecvSelfQueue(t *testing.T) {
	needSingle(t)
	if err := Send([]int64{1, 2}, 0, 4); err != nil {
		t.Fatal(err)
	}
	if err := Send([]int64{3}, 0, 9); err != nil {
		t.Fatal(err)
	}
	if err := Send([]int64{5, 6, 7}, 0, 4); err != nil {
		t.Fatal(err)
	}
	buf := make([]int64, 3)
	// Tag 9 first although it was queued second; then tag 4 in FIFO order.
	for _, want := range [][]int64{{3}, {1, 2}, {5, 6, 7}} {
		tag := 4
		if len(want) == 1 {
			tag = 9
		}
		n, err := Recv(buf, 0, tag)
		if err != nil {
			t.Fatal(err)
		}
		if err := mismatch(buf[:n], want); err != nil {
			t.Fatalf("tag %d: %v", tag, err)
		}
	}
	_, err := Recv(buf, 0, 4)
	wantErr(t, err, "would block forever")
	if err := Send([]int64{1, 2, 3, 4}, 0, 1); err != nil {
		t.Fatal(err)
	}
	_, err = Recv(buf, 0, 1)
	wantErr(t, err, "has 4 elements, buf holds 3")
	if err := Send([]byte{1, 2, 3}, 0, 2); err != nil {
		t.Fatal(err)
	}
	_, err = Recv(buf, 0, 2)
	wantErr(t, err, "not a whole number of 8-byte elements")
}

// The success paths allocate nothing once the count scratch has grown.
func TestZeroAllocs(t *testing.T) {
	needSingle(t)
	f := make([]float32, 64)
	g := make([]float32, 64)
	counts := []int{64}
	allocs := testing.AllocsPerRun(100, func() {
		if err := Allreduce(f, g, Sum); err != nil {
			t.Fatal(err)
		}
		if err := Allreduce(g, g, Max); err != nil {
			t.Fatal(err)
		}
		if err := Alltoallv(f, counts, g, counts); err != nil {
			t.Fatal(err)
		}
		if err := Allgatherv(f, g, counts); err != nil {
			t.Fatal(err)
		}
		if err := Bcast(f, 0); err != nil {
			t.Fatal(err)
		}
		if err := Barrier(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per round of collectives, want 0", allocs)
	}
}
