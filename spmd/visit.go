package spmd

import (
	"cmp"
	"fmt"
	"slices"
	"sync/atomic"

	"riskwalk/trainer"
)

// FindVisited replays one epoch of the rank's walks (trainer.EachWalk: the walks training will
// see, every epoch re-reading the same corpus) and returns, sorted, the nodes they visit that
// the rank does not hold (pt.Rows.Local < 0): under HaloVisit, the rows AddExtra adds so that
// no token is dropped. With limit > 0 it keeps the limit most visited of them (ties to the
// lower id) and also returns the visits to the others, tokens that will be dropped as under
// HaloThrough. It also returns visits, how often the epoch's walks visit each node of G, held or
// not: the corpus counts, so that the caller need not replay the walks again to count them (see
// rowCounts). pt must walk the global graph (HaloThrough or HaloVisit). Memory: one counter per
// node of G (8 bytes), shared by the walking threads.
func FindVisited(j *trainer.Job, pt *Part, limit int) (visited []uint32, dropped uint64, visits []uint64, err error) {
	if !pt.Halo.global() || pt.Rows == nil {
		return nil, 0, nil, fmt.Errorf("FindVisited needs a part that walks the global graph (halo through or visit), have %v", pt.Halo)
	}
	local := pt.Rows.Local
	cnt := make([]uint64, pt.G.N)
	err = trainer.EachWalk(j, func(_ int, walk []uint32) {
		for _, v := range walk {
			atomic.AddUint64(&cnt[v], 1)
		}
	})
	if err != nil {
		return nil, 0, nil, err
	}
	for v, c := range cnt {
		if c > 0 && local[v] < 0 {
			visited = append(visited, uint32(v))
		}
	}
	if limit <= 0 || len(visited) <= limit {
		return visited, 0, cnt, nil
	}
	slices.SortStableFunc(visited, func(a, b uint32) int { return cmp.Compare(cnt[b], cnt[a]) })
	for _, v := range visited[limit:] {
		dropped += cnt[v]
	}
	visited = visited[:limit]
	slices.Sort(visited)
	return visited, dropped, cnt, nil
}

// rowCounts turns FindVisited's per-node visits into the corpus count of each row that walks
// train (owned, replicas, visited: pt.Rows.Nodes after AddExtra), what trainer.CountVisits would
// count by replaying the same walks once more.
func rowCounts(pt *Part, visits []uint64) []float64 {
	nodes := pt.Rows.Nodes
	c := make([]float64, len(nodes))
	for i, v := range nodes {
		c[i] = float64(visits[v])
	}
	return c
}

// AddExtra sets the part's extra rows: visited (HaloVisit's walked-to remote nodes, sorted),
// then sampled (negatives only, sorted, none of them held or visited). Under HaloVisit the
// visited nodes join Rows, so their tokens train rows Len(Nodes)+i; under the other halos
// visited must be empty and Rows is unchanged (sampled rows are never in a walk's tokens).
func (pt *Part) AddExtra(visited, sampled []uint32) error {
	if len(visited) > 0 && pt.Halo != HaloVisit {
		return fmt.Errorf("part %d: %d visited rows under halo %v (only visit holds them)", pt.Rank, len(visited), pt.Halo)
	}
	pt.Extra = slices.Concat(visited, sampled)
	pt.Visited = len(visited)
	if len(visited) == 0 {
		return nil
	}
	rm := pt.Rows
	base := len(pt.Nodes)
	for i, v := range visited {
		if v >= uint32(len(rm.Local)) || rm.Local[v] >= 0 {
			return fmt.Errorf("part %d: visited node %d is out of range or held already (bug)", pt.Rank, v)
		}
		rm.Local[v] = int32(base + i)
	}
	rm.Nodes = slices.Concat(pt.Nodes, visited)
	return nil
}
