//go:build !(goexperiment.simd && amd64)

package trainer

// KernelName says which kernel implementation this build uses.
func KernelName() string { return "go" }

func dot(x, y []float32) float32              { return dotRef(x, y) }
func axpy(a float32, x, y []float32)          { axpyRef(a, x, y) }
func axpyPair(g float32, l1, l2, e []float32) { axpyPairRef(g, l1, l2, e) }
