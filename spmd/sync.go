package spmd

import (
	"fmt"

	"riskwalk/trainer"
)

// Sync reconciles replica rows (In and Out) with their owners, owner-wins with summed deltas:
//
//	push: every holder of a replica of v sends δ = row − snapshot (In and Out) to Owner(v);
//	      the owner adds Σ δ to its own row, which already carries its own updates;
//	pull: the owner sends its row back; every holder overwrites its replica and its snapshot.
//
// Afterwards every copy of v equals the owner's row, which holds the sum of all ranks' updates
// since the last sync, as one shared-memory Hogwild process would have applied them (only later).
// Model rows [0, Owned) are owned, [Owned, Owned+Replicas) replicas, as in Part.
type Sync struct {
	plan    *Plan
	merge   Merge
	exp     []int32   // owned row -> exported slot (rows some rank replicates), -1 if none (MergeAvg)
	expRows []uint32  // exported slot -> owned row
	expSnap []float32 // In then Out (2*Dim floats) of each exported row as of the last pull
	nz      []uint16  // per exported slot: copies (owner's and replicas') that changed the row
	m       *trainer.Model
	owned   int
	snapIn  []float32 // replica rows' In as of the last pull, Dim floats per replica
	snapOut []float32
	x       Exchanger[float32]
	// Bytes is what this rank has sent in syncs so far (both directions, row values only).
	Bytes int64
}

// NewSync starts reconciliation of m's replica rows; the current replica rows must equal their
// owners' rows (true after InitRows by global id, and after a checkpoint taken right after a sync).
func NewSync(pl *Plan, m *trainer.Model, owned int, merge Merge) *Sync {
	nr := pl.Replicas()
	s := &Sync{plan: pl, m: m, owned: owned, merge: merge, snapIn: make([]float32, nr*m.Dim), snapOut: make([]float32, nr*m.Dim)}
	s.x.Plan = pl
	if merge == MergeAvg {
		s.exp = make([]int32, owned)
		for i := range s.exp {
			s.exp[i] = -1
		}
		for _, l := range pl.FromReplica {
			for _, r := range l {
				if s.exp[r] < 0 {
					s.exp[r] = int32(len(s.expRows))
					s.expRows = append(s.expRows, r)
				}
			}
		}
		s.expSnap = make([]float32, 2*m.Dim*len(s.expRows))
		s.nz = make([]uint16, len(s.expRows))
	}
	s.snapshot()
	return s
}

// Merge says how an owner combines the copies of a row at a sync.
type Merge uint8

const (
	// MergeSum adds every copy's change since the last sync (the updates all ranks made, as one
	// Hogwild process would apply them).
	MergeSum Merge = iota
	// MergeAvg adds the mean of the changes of the copies that changed: the sum for a row only
	// one rank touched, the average for rows every rank trained (hubs), whose copies otherwise
	// overshoot together (each copy saturates its own SGNS updates).
	MergeAvg
)

func (m Merge) String() string {
	if m == MergeAvg {
		return "avg"
	}
	return "sum"
}

// ParseMerge reads "sum" or "avg".
func ParseMerge(s string) (Merge, error) {
	switch s {
	case "sum":
		return MergeSum, nil
	case "avg":
		return MergeAvg, nil
	}
	return 0, fmt.Errorf("--merge %q: want sum or avg", s)
}

func (s *Sync) snapshot() {
	d, st := s.m.Dim, s.m.Stride
	for i := 0; i < s.plan.Replicas(); i++ {
		r := s.owned + i
		copy(s.snapIn[i*d:(i+1)*d], s.m.In[r*st:r*st+d])
		copy(s.snapOut[i*d:(i+1)*d], s.m.Out[r*st:r*st+d])
	}
	for i, r := range s.expRows {
		copy(s.expSnap[2*i*d:(2*i+1)*d], s.m.In[int(r)*st:int(r)*st+d])
		copy(s.expSnap[(2*i+1)*d:(2*i+2)*d], s.m.Out[int(r)*st:int(r)*st+d])
	}
}

// changed reports whether any of the 2*Dim floats of a delta is non-zero.
func changed(delta []float32) bool {
	for _, x := range delta {
		if x != 0 {
			return true
		}
	}
	return false
}

// beforePush counts, for MergeAvg, whether the owner's copy of each exported row changed.
func (s *Sync) beforePush() {
	d, st := s.m.Dim, s.m.Stride
	for i, r := range s.expRows {
		s.nz[i] = 0
		in, out := s.m.In[int(r)*st:int(r)*st+d], s.m.Out[int(r)*st:int(r)*st+d]
		si, so := s.expSnap[2*i*d:(2*i+1)*d], s.expSnap[(2*i+1)*d:(2*i+2)*d]
		for k := range d {
			if in[k] != si[k] || out[k] != so[k] {
				s.nz[i] = 1
				break
			}
		}
	}
}

// afterPush turns, for MergeAvg, the summed changes of exported rows into their mean over the
// copies that changed, and takes the new snapshots.
func (s *Sync) afterPush() {
	d, st := s.m.Dim, s.m.Stride
	for i, r := range s.expRows {
		in, out := s.m.In[int(r)*st:int(r)*st+d], s.m.Out[int(r)*st:int(r)*st+d]
		si, so := s.expSnap[2*i*d:(2*i+1)*d], s.expSnap[(2*i+1)*d:(2*i+2)*d]
		if n := s.nz[i]; n > 1 {
			f := 1 / float32(n)
			for k := range d {
				in[k] = si[k] + (in[k]-si[k])*f
				out[k] = so[k] + (out[k]-so[k])*f
			}
		}
		copy(si, in)
		copy(so, out)
	}
}

// Run does one push and one pull. It is a collective: every rank calls it at the same point.
func (s *Sync) Run() error {
	m, d, st, own := s.m, s.m.Dim, s.m.Stride, s.owned
	pl := s.plan
	if s.merge == MergeAvg {
		s.beforePush()
	}
	n, err := s.x.Exchange(2*d, pl.ToOwner, pl.FromReplica,
		func(dst []float32, row uint32) {
			r, i := int(row)*st, (int(row)-own)*d
			in, out, si, so := m.In[r:r+d], m.Out[r:r+d], s.snapIn[i:i+d], s.snapOut[i:i+d]
			for k := range d {
				dst[k] = in[k] - si[k]
				dst[d+k] = out[k] - so[k]
			}
		},
		func(row uint32, src []float32) {
			r := int(row) * st
			in, out := m.In[r:r+d], m.Out[r:r+d]
			for k := range d {
				in[k] += src[k]
				out[k] += src[d+k]
			}
			if s.exp != nil && changed(src) {
				s.nz[s.exp[row]]++
			}
		})
	s.Bytes += n
	if err != nil {
		return err
	}
	if s.merge == MergeAvg {
		s.afterPush()
	}
	n, err = s.x.Exchange(2*d, pl.FromReplica, pl.ToOwner,
		func(dst []float32, row uint32) {
			r := int(row) * st
			copy(dst[:d], m.In[r:r+d])
			copy(dst[d:], m.Out[r:r+d])
		},
		func(row uint32, src []float32) {
			r, i := int(row)*st, (int(row)-own)*d
			copy(m.In[r:r+d], src[:d])
			copy(m.Out[r:r+d], src[d:])
			copy(s.snapIn[i:i+d], src[:d])
			copy(s.snapOut[i:i+d], src[d:])
		})
	s.Bytes += n
	return err
}

// GlobalCounts turns counts (one per held row, this rank's walks only) into every held row's
// count over all ranks' walks: replicas' counts are summed at their owners, then the totals are
// sent back. counts[:Owned+Replicas] is rewritten. It is a collective.
func GlobalCounts(pl *Plan, counts []float64) (int64, error) {
	x := Exchanger[float64]{Plan: pl}
	n1, err := x.Exchange(1, pl.ToOwner, pl.FromReplica,
		func(dst []float64, row uint32) { dst[0] = counts[row] },
		func(row uint32, src []float64) { counts[row] += src[0] })
	if err != nil {
		return n1, err
	}
	n2, err := x.Exchange(1, pl.FromReplica, pl.ToOwner,
		func(dst []float64, row uint32) { dst[0] = counts[row] },
		func(row uint32, src []float64) { counts[row] = src[0] })
	return n1 + n2, err
}
