package spmd

import (
	"cmp"
	"math"
	"slices"

	"riskwalk/partition"
	"riskwalk/trainer"
	"riskwalk/walk"
)

// Adaptive rounds (Options.Adaptive)
//
// With fixed unit bounds every rank trains its share of a round and waits at the sync for the
// slowest: on shared or uneven cores (a VM's vCPUs, a busy node) the job runs at the speed of its
// slowest rank, while one Hogwild process hands its units to whichever thread is free. Two things
// make ranks adapt, without changing which walks are trained:
//
//   - Lookahead: a rank that reaches a sync first opens a nonblocking barrier (mpi.Fence) and
//     trains its next round's units, one per thread at a time, until every rank has arrived
//     (at most one round ahead). Its next round then starts partly done.
//   - Shares: after each sync the ranks know every rank's units left in the next round and its
//     recent speed (units per second of training); planShares moves the last units of ranks that
//     would finish late to ranks that would finish early, so that all reach the next sync
//     together. A rank trains a share with the owner's start nodes and seed (the same walks and
//     draws, trained into the receiver's rows and synced like its own updates). Shares need walks
//     that follow the whole graph (HaloVisit); under other halos only lookahead runs. A share's
//     tokens on nodes the receiver does not hold (possible under --visit-rows, or where the
//     owner's walks reach nodes the receiver's never do) are dropped, as under HaloThrough.
//
// At every sync each rank's done units are still a prefix [0, cursor) of its own units (shares
// are the tail of the round they are made for, and done within it), so checkpoints and --resume
// are unchanged but for the cursor, which may be up to one round past the round's bound. What
// changes is reproducibility: which units a rank has done at a sync depends on timing, so one
// thread per rank no longer gives bit-identical vectors run to run.

// share is a run of units of rank from, [first, end), that rank to trains in the coming round.
type share struct {
	from, to   int
	first, end uint64
}

// planShares plans the shares of one round. rem[r] is rank r's units left in the round (its own,
// ending at ends[r]), rate[r] its speed in units per second (0 if not yet measured: no shares).
// One unit at a time, it moves a unit from the rank that would finish last (rem/rate) to the
// rank that would finish first with one more unit, as long as that one then finishes before
// the giver would have; a rank that gave does not receive and one that received does not give.
// The units a giver hands out are its last ones, a run per receiver in rank order. Every rank
// computes the same plan from the same inputs, and the plan never makes the round longer.
func planShares(rem []uint64, rate []float64, ends []uint64) []share {
	P := len(rem)
	for r := range P {
		if !(rate[r] > 0) || math.IsInf(rate[r], 0) {
			return nil
		}
	}
	left := slices.Clone(rem)
	role := make([]int8, P) // -1 gave, +1 received
	var pairs map[[2]int]uint64
	for {
		slow, fast := -1, -1
		for r := range P {
			if role[r] <= 0 && left[r] > 0 && (slow < 0 || float64(left[r])/rate[r] > float64(left[slow])/rate[slow]) {
				slow = r
			}
		}
		if slow < 0 {
			break
		}
		for r := range P {
			if r != slow && role[r] >= 0 && (fast < 0 || float64(left[r]+1)/rate[r] < float64(left[fast]+1)/rate[fast]) {
				fast = r
			}
		}
		// The round ends with the latest rank, whichever; moving must shorten the giver's part
		// and leave the receiver earlier than the giver was.
		if fast < 0 || float64(left[fast]+1)/rate[fast] >= float64(left[slow])/rate[slow] {
			break
		}
		if pairs == nil {
			pairs = map[[2]int]uint64{}
		}
		left[slow]--
		left[fast]++
		role[slow], role[fast] = -1, 1
		pairs[[2]int{slow, fast}]++
	}
	if len(pairs) == 0 {
		return nil
	}
	// Each giver's last units, a run per receiver in rank order (the pairs sorted, not a scan of
	// all P² pairs: a plan moves few units, and every rank computes it every round).
	keys := make([][2]int, 0, len(pairs))
	for k := range pairs {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]int) int { return cmp.Or(a[0]-b[0], a[1]-b[1]) })
	out := make([]share, 0, len(keys))
	end := uint64(0)
	for i, k := range keys {
		if i == 0 || k[0] != keys[i-1][0] {
			end = ends[k[0]]
		}
		n := pairs[k]
		out = append(out, share{from: k[0], to: k[1], first: end - n, end: end})
		end -= n
	}
	return out
}

// rankSeed is the seed of rank r's walks and SGD draws (rank 0 keeps the user's).
func rankSeed(seed uint64, r int) uint64 {
	if r == 0 {
		return seed
	}
	return walk.Stream(seed, 0x53504d44, uint64(r))
}

// peers gives a rank what it needs to train another rank's units: every rank's unit count and
// a Job that draws a rank's walks into this rank's model.
type peers struct {
	base   *trainer.Job
	part   *partition.Partition
	seed   uint64
	units  []uint64 // per rank
	rounds uint64   // sync rounds of the job
}

// bound is the first unit of rank r's round k (its units split evenly over the rounds; k =
// rounds gives its unit count).
func (p *peers) bound(r int, k uint64) uint64 { return p.units[r] * k / p.rounds }

// job returns a Job for rank r's units: r's start nodes and seed, and everything else (model,
// rows, vocabulary, dirty-row bitsets, threads) as base is now.
func (p *peers) job(r int) *trainer.Job {
	j := *p.base
	j.Starts = p.part.Owned(uint32(r))
	j.Seed = rankSeed(p.seed, r)
	j.FirstUnit, j.EndUnit = 0, 0
	return &j
}
