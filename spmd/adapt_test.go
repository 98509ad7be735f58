package spmd

import (
	"slices"
	"testing"

	"riskwalk/trainer"
	"riskwalk/walk"
)

// TestPlanShares checks planShares on random rounds: every share is a run of its giver's last
// units, the runs of one giver are disjoint and within its remaining units, nobody gives and
// receives, and the plan never makes the round longer (max over ranks of units/rate) and makes
// it shorter whenever moving one unit from the slowest-finishing rank to the earliest would.
func TestPlanShares(t *testing.T) {
	rng := walk.NewRand(5)
	for it := 0; it < 3000; it++ {
		P := 2 + int(rng.Uint32n(7))
		rem, rate, ends := make([]uint64, P), make([]float64, P), make([]uint64, P)
		for r := range P {
			rem[r] = uint64(rng.Uint32n(30))
			rate[r] = 0.2 + 3*float64(rng.Uint32n(1<<20))/(1<<20)
			ends[r] = rem[r] + uint64(rng.Uint32n(1000))
		}
		plan := planShares(rem, rate, ends)
		got := slices.Clone(rem)
		low := slices.Clone(ends) // lowest first unit given so far, per giver
		gives, takes := make([]bool, P), make([]bool, P)
		for _, s := range plan {
			if s.from == s.to || s.first >= s.end || s.end != low[s.from] || s.first < ends[s.from]-rem[s.from] {
				t.Fatalf("it %d: share %+v of rem %v ends %v: want a non-empty run ending where the giver's previous share starts, inside its remaining units", it, s, rem, ends)
			}
			low[s.from] = s.first
			n := s.end - s.first
			got[s.from] -= n
			got[s.to] += n
			gives[s.from], takes[s.to] = true, true
		}
		var before, after float64
		for r := range P {
			if gives[r] && takes[r] {
				t.Fatalf("it %d: rank %d both gives and takes: %+v", it, r, plan)
			}
			before = max(before, float64(rem[r])/rate[r])
			after = max(after, float64(got[r])/rate[r])
		}
		if after > before+1e-9 {
			t.Fatalf("it %d: rem %v rate %v: plan %+v makes the round longer (%.3f -> %.3f)", it, rem, rate, plan, before, after)
		}
		// If one unit from the latest to the earliest finisher would shorten the round by more
		// than a unit's time at the receiver, the plan must move something.
		slow, fast := 0, 0
		for r := range P {
			if float64(rem[r])/rate[r] > float64(rem[slow])/rate[slow] {
				slow = r
			}
			if float64(rem[r]+1)/rate[r] < float64(rem[fast]+1)/rate[fast] {
				fast = r
			}
		}
		if slow != fast && float64(rem[fast]+2)/rate[fast] < float64(rem[slow])/rate[slow] && len(plan) == 0 {
			t.Fatalf("it %d: rem %v rate %v: rank %d finishes at %.2f, rank %d at %.2f, but no shares", it, rem, rate,
				slow, float64(rem[slow])/rate[slow], fast, float64(rem[fast])/rate[fast])
		}
	}
	// Unmeasured speeds (0) or nothing left: no plan.
	if p := planShares([]uint64{10, 0}, []float64{1, 0}, []uint64{10, 10}); p != nil {
		t.Fatalf("unmeasured rate: got %+v, want no shares", p)
	}
	if p := planShares([]uint64{0, 0}, []float64{1, 2}, []uint64{10, 10}); p != nil {
		t.Fatalf("nothing left: got %+v, want no shares", p)
	}
	// Two ranks, one twice as fast with nothing left: the slow one hands over its last 8 units
	// (both then end after 4 units' time of the slow rank).
	p := planShares([]uint64{0, 12}, []float64{2, 1}, []uint64{40, 60})
	if len(p) != 1 || p[0] != (share{from: 1, to: 0, first: 52, end: 60}) {
		t.Fatalf("rem [0 12], rate [2 1]: got %+v, want rank 1's units [52, 60) to rank 0", p)
	}
}

// TestPeerJob checks that a share trains its giver's walks: the Job peers builds for part r
// draws, unit for unit, the walks that part r's own Job (its starts, its rank seed) draws.
func TestPeerJob(t *testing.T) {
	g := planted(t, 500, 100, 8, 2, 4)
	const R = 3
	p := louvainParts(t, g, R)
	cfg := trainer.Config{WalksPerNode: 3, WalkLength: 10, Threads: 1, ChunkWalks: 8}
	cfg.Defaults()
	walks := func(j *trainer.Job) [][]uint32 {
		var out [][]uint32
		if err := trainer.EachWalk(j, func(_ int, w []uint32) { out = append(out, slices.Clone(w)) }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	var base *trainer.Job
	for r := range R {
		pt, err := BuildPart(g, p, uint32(r), HaloVisit)
		if err != nil {
			t.Fatal(err)
		}
		wk, err := walk.New(pt.G, walk.Config{Length: cfg.WalkLength})
		if err != nil {
			t.Fatal(err)
		}
		c := cfg
		c.Seed = rankSeed(7, r)
		j := &trainer.Job{Config: c, Walker: wk, Starts: pt.Starts, Rows: pt.Rows}
		if r == 0 {
			base = j
			continue
		}
		ps := &peers{base: base, part: p, seed: 7}
		pj := ps.job(r)
		if pj.Units() != j.Units() || pj.Rows != base.Rows {
			t.Fatalf("part %d: peer job has %d units and rows %p; want the owner's %d units and this rank's rows %p", r, pj.Units(), pj.Rows, j.Units(), base.Rows)
		}
		a, b := walks(j), walks(pj)
		if len(a) == 0 || !slices.EqualFunc(a, b, slices.Equal) {
			t.Fatalf("part %d: the peer job's %d walks differ from the owner's %d", r, len(b), len(a))
		}
		if c0 := walks(base); slices.EqualFunc(c0[:min(len(c0), len(a))], a[:min(len(c0), len(a))], slices.Equal) {
			t.Fatalf("part %d draws the same walks as part 0: the test cannot tell jobs apart", r)
		}
	}
}
