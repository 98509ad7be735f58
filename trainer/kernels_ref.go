package trainer

// The vector kernels of the inner loop. Each is defined by its plain-Go reference below; the
// dispatching versions (dot, axpy, axpyPair) use AVX-512 or AVX2 when built with GOEXPERIMENT=simd
// on amd64 (kernels_simd.go) and these loops otherwise (kernels_plain.go). Results may differ from
// the reference in the last bits because the SIMD versions sum in a different order; the tests bound
// that difference. All slices must have the same length (the caller passes rows of one stride).

// dotRef returns sum_i x[i]*y[i].
func dotRef(x, y []float32) float32 {
	y = y[:len(x)]
	var s float32
	for i, a := range x {
		s += a * y[i]
	}
	return s
}

// axpyRef sets y[i] += a*x[i].
func axpyRef(a float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += a * v
	}
}

// axpyPairRef is the fused negative-sampling update of one (input row l1, output row l2) pair with
// gradient step g: e[i] += g*l2[i] (accumulating the input row's update) then l2[i] += g*l1[i].
// Fusing reads l2 once instead of twice.
func axpyPairRef(g float32, l1, l2, e []float32) {
	l2 = l2[:len(l1)]
	e = e[:len(l1)]
	for i, x := range l1 {
		o := l2[i]
		e[i] += g * o
		l2[i] = o + g*x
	}
}
