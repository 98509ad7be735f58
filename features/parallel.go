package features

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// workers is the number of goroutines the kernels use: GOMAXPROCS, so that GOMAXPROCS=1 measures
// the single-thread figure.
func workers() int { return max(1, runtime.GOMAXPROCS(0)) }

// parallelChunks calls body(w, lo, hi) over [0, n) in chunks of grain handed out dynamically from
// a shared counter (hubs make per-node work uneven), with w the worker index in [0, workers()).
// It returns when every chunk is done. With one worker it runs on the caller's goroutine.
func parallelChunks(n, grain int, body func(w, lo, hi int)) {
	if grain < 1 {
		grain = 1
	}
	nw := min(workers(), (n+grain-1)/grain)
	if nw <= 1 {
		if n > 0 {
			body(0, 0, n)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < nw; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				lo := int(next.Add(int64(grain))) - grain
				if lo >= n {
					return
				}
				body(w, lo, min(lo+grain, n))
			}
		}(w)
	}
	wg.Wait()
}

// parallelRanges splits [0, n) into one contiguous range per worker, balanced by the prefix sums
// in cost (len n+1, nondecreasing: cost[i+1]-cost[i] is item i's work, e.g. CSR offsets plus one
// per node), and calls body(w, lo, hi) for each. Static ranges suit iterative kernels such as
// PageRank whose per-node work is the same every sweep.
func parallelRanges(n int, cost func(i int) uint64, body func(w, lo, hi int)) {
	if n > 0 {
		runRanges(workRanges(n, cost), body)
	}
}

// workRanges is parallelRanges' split of [0, n): one range per worker, or the single range [0, n)
// with one worker or fewer than 1024 items. Iterative kernels split once and runRanges per sweep.
func workRanges(n int, cost func(i int) uint64) []int {
	if nw := workers(); nw > 1 && n >= 1024 {
		return splitRanges(n, nw, cost)
	}
	return []int{0, n}
}

// runRanges calls body(w, bounds[w], bounds[w+1]) for every range, worker 0 on the calling
// goroutine, and returns when all are done. Kernels that sweep many times split once
// (splitRanges) and call this per sweep.
func runRanges(bounds []int, body func(w, lo, hi int)) {
	var wg sync.WaitGroup
	for w := 1; w < len(bounds)-1; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			body(w, bounds[w], bounds[w+1])
		}(w)
	}
	if len(bounds) > 1 {
		body(0, bounds[0], bounds[1])
	}
	wg.Wait()
}

// splitRanges returns nw+1 boundaries cutting [0, n) into nw ranges of about equal cost.
func splitRanges(n, nw int, cost func(i int) uint64) []int {
	total := cost(n)
	b := make([]int, nw+1)
	b[nw] = n
	for w := 1; w < nw; w++ {
		target := total * uint64(w) / uint64(nw)
		lo, hi := b[w-1], n
		for lo < hi { // first i with cost(i) >= target
			mid := int(uint(lo+hi) >> 1)
			if cost(mid) < target {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		b[w] = lo
	}
	return b
}
