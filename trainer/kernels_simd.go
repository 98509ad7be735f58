//go:build goexperiment.simd && amd64

package trainer

import "simd/archsimd"

var (
	hasAVX512 = archsimd.X86.AVX512()
	hasAVX2   = archsimd.X86.AVX2() && archsimd.X86.FMA()
)

// KernelName says which kernel implementation this build and CPU use.
func KernelName() string {
	switch {
	case hasAVX512:
		return "avx512"
	case hasAVX2:
		return "avx2"
	}
	return "go"
}

func dot(x, y []float32) float32 {
	switch {
	case hasAVX512:
		return dot16(x, y)
	case hasAVX2:
		return dot8(x, y)
	}
	return dotRef(x, y)
}

func axpy(a float32, x, y []float32) {
	switch {
	case hasAVX512:
		axpy16(a, x, y)
	case hasAVX2:
		axpy8(a, x, y)
	default:
		axpyRef(a, x, y)
	}
}

func axpyPair(g float32, l1, l2, e []float32) {
	switch {
	case hasAVX512:
		axpyPair16(g, l1, l2, e)
	case hasAVX2:
		axpyPair8(g, l1, l2, e)
	default:
		axpyPairRef(g, l1, l2, e)
	}
}

func dot16(x, y []float32) float32 {
	n := len(x)
	y = y[:n]
	var a0, a1 archsimd.Float32x16
	i := 0
	for ; i+32 <= n; i += 32 {
		a0 = archsimd.LoadFloat32x16((*[16]float32)(x[i:])).MulAdd(archsimd.LoadFloat32x16((*[16]float32)(y[i:])), a0)
		a1 = archsimd.LoadFloat32x16((*[16]float32)(x[i+16:])).MulAdd(archsimd.LoadFloat32x16((*[16]float32)(y[i+16:])), a1)
	}
	if i+16 <= n {
		a0 = archsimd.LoadFloat32x16((*[16]float32)(x[i:])).MulAdd(archsimd.LoadFloat32x16((*[16]float32)(y[i:])), a0)
		i += 16
	}
	a0 = a0.Add(a1)
	h := a0.GetLo().Add(a0.GetHi())
	q := h.GetLo().Add(h.GetHi())
	q = q.AddPairs(q)
	q = q.AddPairs(q)
	s := q.GetElem(0)
	for ; i < n; i++ {
		s += x[i] * y[i]
	}
	return s
}

func dot8(x, y []float32) float32 {
	n := len(x)
	y = y[:n]
	var a0, a1 archsimd.Float32x8
	i := 0
	for ; i+16 <= n; i += 16 {
		a0 = archsimd.LoadFloat32x8((*[8]float32)(x[i:])).MulAdd(archsimd.LoadFloat32x8((*[8]float32)(y[i:])), a0)
		a1 = archsimd.LoadFloat32x8((*[8]float32)(x[i+8:])).MulAdd(archsimd.LoadFloat32x8((*[8]float32)(y[i+8:])), a1)
	}
	if i+8 <= n {
		a0 = archsimd.LoadFloat32x8((*[8]float32)(x[i:])).MulAdd(archsimd.LoadFloat32x8((*[8]float32)(y[i:])), a0)
		i += 8
	}
	a0 = a0.Add(a1)
	q := a0.GetLo().Add(a0.GetHi())
	q = q.AddPairs(q)
	q = q.AddPairs(q)
	s := q.GetElem(0)
	for ; i < n; i++ {
		s += x[i] * y[i]
	}
	return s
}

func axpy16(a float32, x, y []float32) {
	n := len(x)
	y = y[:n]
	va := archsimd.BroadcastFloat32x16(a)
	i := 0
	for ; i+16 <= n; i += 16 {
		py := (*[16]float32)(y[i:])
		archsimd.LoadFloat32x16((*[16]float32)(x[i:])).MulAdd(va, archsimd.LoadFloat32x16(py)).Store(py)
	}
	for ; i < n; i++ {
		y[i] += a * x[i]
	}
}

func axpy8(a float32, x, y []float32) {
	n := len(x)
	y = y[:n]
	va := archsimd.BroadcastFloat32x8(a)
	i := 0
	for ; i+8 <= n; i += 8 {
		py := (*[8]float32)(y[i:])
		archsimd.LoadFloat32x8((*[8]float32)(x[i:])).MulAdd(va, archsimd.LoadFloat32x8(py)).Store(py)
	}
	for ; i < n; i++ {
		y[i] += a * x[i]
	}
}

func axpyPair16(g float32, l1, l2, e []float32) {
	n := len(l1)
	l2 = l2[:n]
	e = e[:n]
	vg := archsimd.BroadcastFloat32x16(g)
	i := 0
	for ; i+16 <= n; i += 16 {
		p2, pe := (*[16]float32)(l2[i:]), (*[16]float32)(e[i:])
		o := archsimd.LoadFloat32x16(p2)
		o.MulAdd(vg, archsimd.LoadFloat32x16(pe)).Store(pe)
		archsimd.LoadFloat32x16((*[16]float32)(l1[i:])).MulAdd(vg, o).Store(p2)
	}
	for ; i < n; i++ {
		o := l2[i]
		e[i] += g * o
		l2[i] = o + g*l1[i]
	}
}

func axpyPair8(g float32, l1, l2, e []float32) {
	n := len(l1)
	l2 = l2[:n]
	e = e[:n]
	vg := archsimd.BroadcastFloat32x8(g)
	i := 0
	for ; i+8 <= n; i += 8 {
		p2, pe := (*[8]float32)(l2[i:]), (*[8]float32)(e[i:])
		o := archsimd.LoadFloat32x8(p2)
		o.MulAdd(vg, archsimd.LoadFloat32x8(pe)).Store(pe)
		archsimd.LoadFloat32x8((*[8]float32)(l1[i:])).MulAdd(vg, o).Store(p2)
	}
	for ; i < n; i++ {
		o := l2[i]
		e[i] += g * o
		l2[i] = o + g*l1[i]
	}
}
