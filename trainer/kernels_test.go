package trainer

import (
	"math"
	"testing"

	"riskwalk/walk"
)

func randVec(r *walk.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = r.Float32()*2 - 1
	}
	return v
}

// The dispatching kernels must match the reference loops up to summation order, at the
// dimensions riskwalk trains (64..512) and at odd sizes that exercise the tails.
func TestKernelsMatchReference(t *testing.T) {
	r := walk.NewRand(3)
	for _, n := range []int{1, 7, 8, 15, 16, 17, 31, 33, 64, 100, 128, 200, 256, 300, 512} {
		x, y := randVec(&r, n), randVec(&r, n)
		got, want := dot(x, y), dotRef(x, y)
		// Reordered float32 sums differ by at most about n*eps*sum|x_i y_i|.
		var mag float64
		for i := range x {
			mag += math.Abs(float64(x[i] * y[i]))
		}
		if d := math.Abs(float64(got - want)); d > float64(n)*1.2e-7*mag+1e-6 {
			t.Errorf("n=%d: dot %v, reference %v", n, got, want)
		}
		a := r.Float32() - 0.5
		y1, y2 := append([]float32(nil), y...), append([]float32(nil), y...)
		axpy(a, x, y1)
		axpyRef(a, x, y2)
		for i := range y1 {
			if math.Abs(float64(y1[i]-y2[i])) > 1e-6 {
				t.Fatalf("n=%d: axpy[%d] %v, reference %v", n, i, y1[i], y2[i])
			}
		}
		e := randVec(&r, n)
		l2a, l2b := append([]float32(nil), y...), append([]float32(nil), y...)
		ea, eb := append([]float32(nil), e...), append([]float32(nil), e...)
		axpyPair(a, x, l2a, ea)
		axpyPairRef(a, x, l2b, eb)
		for i := range l2a {
			if math.Abs(float64(l2a[i]-l2b[i])) > 1e-6 || math.Abs(float64(ea[i]-eb[i])) > 1e-6 {
				t.Fatalf("n=%d: axpyPair[%d] (%v,%v), reference (%v,%v)", n, i, l2a[i], ea[i], l2b[i], eb[i])
			}
		}
	}
	t.Logf("kernels: %s", KernelName())
}

func TestKernelsDoNotAllocate(t *testing.T) {
	r := walk.NewRand(1)
	x, y, e := randVec(&r, 128), randVec(&r, 128), randVec(&r, 128)
	if a := testing.AllocsPerRun(100, func() { dot(x, y); axpy(0.1, x, y); axpyPair(0.01, x, y, e) }); a != 0 {
		t.Errorf("kernels allocate %v times per call", a)
	}
}

func benchKernel(b *testing.B, n int, f func(x, y, e []float32)) {
	r := walk.NewRand(1)
	x, y, e := randVec(&r, n), randVec(&r, n), randVec(&r, n)
	b.SetBytes(int64(4 * n))
	for b.Loop() {
		f(x, y, e)
	}
}

var sink float32

func BenchmarkDot128(b *testing.B) {
	benchKernel(b, 128, func(x, y, _ []float32) { sink += dot(x, y) })
}
func BenchmarkDotRef128(b *testing.B) {
	benchKernel(b, 128, func(x, y, _ []float32) { sink += dotRef(x, y) })
}
func BenchmarkAxpyPair128(b *testing.B) {
	benchKernel(b, 128, func(x, y, e []float32) { axpyPair(1e-9, x, y, e) })
}
func BenchmarkAxpyPairRef128(b *testing.B) {
	benchKernel(b, 128, func(x, y, e []float32) { axpyPairRef(1e-9, x, y, e) })
}
