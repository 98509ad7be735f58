package mpi

import (
	"fmt"
	"testing"
)

// Allreduce latency and bandwidth. In an ordinary `go test -bench` these measure the single-rank
// world (a copy). For MPI figures run the test binary under mpirun with a fixed iteration count, so
// every rank runs the same b.N (`make bench-mpi`):
//
//	go test -c -o bin/mpi.test ./internal/mpi/
//	mpirun -np 2 --bind-to none bin/mpi.test -test.run='^$' -test.bench=. -test.benchtime=100x
//
// BenchmarkCopy is the anchor: a plain copy of the same bytes within one process, in the same run.

var benchSizes = []int{1, 1 << 10, 1 << 20, 4 << 20} // float32 elements

func BenchmarkAllreduce(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("float32-sum-%d", n), func(b *testing.B) {
			buf := make([]float32, n)
			for i := range buf {
				buf[i] = float32(i % 7)
			}
			b.SetBytes(int64(4 * n))
			if err := Barrier(); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				if err := Allreduce(buf, buf, Sum); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCopy(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("float32-%d", n), func(b *testing.B) {
			src, dst := make([]float32, n), make([]float32, n)
			b.SetBytes(int64(4 * n))
			for range b.N {
				copy(dst, src)
			}
		})
	}
}
