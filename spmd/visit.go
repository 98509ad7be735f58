package spmd

import (
	"fmt"
	"math/bits"
	"slices"

	"riskwalk/trainer"
)

// FindVisited replays one epoch of the rank's walks (trainer.EachWalk: the walks training will
// see, every epoch re-reading the same corpus) and returns, sorted, the nodes they visit that
// the rank does not hold (pt.Rows.Local < 0): under HaloVisit, the rows AddExtra adds so that
// no token is dropped. pt must walk the global graph (HaloThrough or HaloVisit). Memory: one
// bitset of G.N bits per walking thread.
func FindVisited(j *trainer.Job, pt *Part) ([]uint32, error) {
	if !pt.Halo.global() || pt.Rows == nil {
		return nil, fmt.Errorf("FindVisited needs a part that walks the global graph (halo through or visit), have %v", pt.Halo)
	}
	j.Config.Defaults()
	local := pt.Rows.Local
	words := (int(pt.G.N) + 63) / 64
	sets := make([][]uint64, max(0, j.Threads)) // (EachWalk refuses Threads < 1)
	err := trainer.EachWalk(j, func(t int, walk []uint32) {
		s := sets[t]
		if s == nil {
			s = make([]uint64, words)
			sets[t] = s
		}
		for _, v := range walk {
			if local[v] < 0 {
				s[v>>6] |= 1 << (v & 63)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	var all []uint64
	for _, s := range sets {
		if all == nil {
			all = s
			continue
		}
		for i, w := range s {
			all[i] |= w
		}
	}
	var out []uint32
	for i, w := range all {
		for ; w != 0; w &= w - 1 {
			out = append(out, uint32(i<<6+bits.TrailingZeros64(w)))
		}
	}
	return out, nil
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
