package spmd

import (
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
func NewSync(pl *Plan, m *trainer.Model, owned int) *Sync {
	nr := pl.Replicas()
	s := &Sync{plan: pl, m: m, owned: owned, snapIn: make([]float32, nr*m.Dim), snapOut: make([]float32, nr*m.Dim)}
	s.x.Plan = pl
	s.snapshot()
	return s
}

func (s *Sync) snapshot() {
	d, st := s.m.Dim, s.m.Stride
	for i := 0; i < s.plan.Replicas(); i++ {
		r := s.owned + i
		copy(s.snapIn[i*d:(i+1)*d], s.m.In[r*st:r*st+d])
		copy(s.snapOut[i*d:(i+1)*d], s.m.Out[r*st:r*st+d])
	}
}

// Run does one push and one pull. It is a collective: every rank calls it at the same point.
func (s *Sync) Run() error {
	m, d, st, own := s.m, s.m.Dim, s.m.Stride, s.owned
	pl := s.plan
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
		})
	s.Bytes += n
	if err != nil {
		return err
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
