package spmd

import (
	"fmt"
	"math/bits"
	"time"

	"riskwalk/internal/mpi"
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
	// Dirty-row sync (UseDirty): the trainer's row bitset, per-peer row selections of the
	// current exchange, and the bitmaps that announce them.
	dirtyIn        []uint64
	dirtyOut       []uint64
	selOut, selIn  [][]uint32
	bmSend, bmRecv []uint64
	bsc, brc, offs []int
	pushIdx        *listIndex // replica rows -> their place in ToOwner
	pullIdx        *listIndex // owned rows -> their places in FromReplica
	// Bytes is what this rank has sent in syncs so far (both directions: row values, and the
	// bitmaps of a dirty-row sync).
	Bytes int64
	// MPI is the time spent in MPI calls (waits for peers included).
	MPI time.Duration
	// Rows counts the row halves (In or Out, Dim floats) this rank has sent in syncs so far,
	// both directions; a full sync sends both halves of every row.
	Rows int64
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

// UseDirty makes Run move only the rows marked in dirtyIn (for their In halves) and dirtyOut
// (Out halves), bitsets over model rows that the trainer fills (trainer.Job.DirtyIn, DirtyOut)
// and Run clears after each sync. They must be clear when UseDirty is called (the replicas
// equal their owners' rows, as NewSync requires). Every half-row that changed since the last
// sync must be marked; then the vectors equal a full sync's: a half no copy changed is equal
// everywhere already (a full sync would move a zero delta and its own value). It applies to
// MergeSum only; with MergeAvg Run keeps moving every row. Every rank must call it, or none:
// the exchanges differ.
//
// A dirty-row push sends each owner, per pair list, a bitmap of the list positions it carries
// (ceil(len/64) uint64 words, the list order being the Plan's), then the marked halves'
// deltas; the owner adds them and marks those halves, and the pull sends every exported half
// marked at the owner, again behind a bitmap. In and Out halves go in separate exchanges: the
// In half changes only for rows in the rank's walks, the Out half also for every negative, so
// most rows held only as negatives (Part.Extra) move half a row or nothing. One Allreduce per
// exchange agrees on the longest selection, which fixes how many pieces the values take.
func (s *Sync) UseDirty(dirtyIn, dirtyOut []uint64) {
	if s.merge != MergeSum {
		return
	}
	P := s.plan.Size
	s.dirtyIn, s.dirtyOut = dirtyIn, dirtyOut
	s.selOut, s.selIn = make([][]uint32, P), make([][]uint32, P)
	s.bsc, s.brc, s.offs = make([]int, P), make([]int, P), make([]int, P)
	s.pushIdx = newListIndex(s.plan.ToOwner, s.owned, s.plan.Replicas())
	s.pullIdx = newListIndex(s.plan.FromReplica, 0, s.owned)
}

// listIndex maps rows [lo, lo+n) to their places in per-peer lists (a CSR: row lo+i has entries
// start[i] to start[i+1]), so that a sync finds the list positions of its dirty rows without
// scanning the lists.
type listIndex struct {
	lo    int
	start []int32
	peer  []int32
	pos   []uint32
}

func newListIndex(lists [][]uint32, lo, n int) *listIndex {
	x := &listIndex{lo: lo, start: make([]int32, n+1)}
	for _, l := range lists {
		for _, r := range l {
			x.start[int(r)-lo+1]++
		}
	}
	for i := 0; i < n; i++ {
		x.start[i+1] += x.start[i]
	}
	x.peer, x.pos = make([]int32, x.start[n]), make([]uint32, x.start[n])
	next := append([]int32(nil), x.start[:n]...)
	for q, l := range lists {
		for p, r := range l {
			k := next[int(r)-lo]
			next[int(r)-lo]++
			x.peer[k], x.pos[k] = int32(q), uint32(p)
		}
	}
	return x
}

// decodeItems appends, for each set bit b of a pair's bitmap (in list order), the item
// list[b/2]<<1 | b%2 (the row and its half).
func decodeItems(dst []uint32, words []uint64, list []uint32) []uint32 {
	for wi, w := range words {
		for w != 0 {
			b := wi<<6 + bits.TrailingZeros64(w)
			w &= w - 1
			dst = append(dst, list[b>>1]<<1|uint32(b&1))
		}
	}
	return dst
}

func isSet(b []uint64, r uint32) bool { return b[r>>6]>>(r&63)&1 != 0 }

// sparse is Exchanger.Exchange over the marked halves of the rows of out: bitmaps first (bits
// 2i and 2i+1 for the In and Out halves of list position i), then the values, Dim floats per
// half, each half an item row<<1|h (h = 0 In, 1 Out) for fill and apply. idx locates the rows
// of out in their lists; the work is proportional to the marked rows and the bitmaps' words,
// not to the lists' lengths.
func (s *Sync) sparse(out, in [][]uint32, idx *listIndex, fill func(dst []float32, item uint32), apply func(item uint32, src []float32)) (int64, error) {
	pl := s.plan
	P := pl.Size
	ns, nr := 0, 0
	for q := 0; q < P; q++ {
		s.bsc[q], s.brc[q] = (2*len(out[q])+63)/64, (2*len(in[q])+63)/64
		s.offs[q] = ns
		ns += s.bsc[q]
		nr += s.brc[q]
	}
	if cap(s.bmSend) < ns {
		s.bmSend = make([]uint64, ns)
	}
	if cap(s.bmRecv) < nr {
		s.bmRecv = make([]uint64, nr)
	}
	bs, br := s.bmSend[:ns], s.bmRecv[:nr]
	clear(bs)
	lo, hi := idx.lo, idx.lo+len(idx.start)-1
	for w := lo >> 6; w < (hi+63)>>6; w++ {
		for m := s.dirtyIn[w] | s.dirtyOut[w]; m != 0; m &= m - 1 {
			r := w<<6 + bits.TrailingZeros64(m)
			if r < lo || r >= hi {
				continue
			}
			hin, hout := isSet(s.dirtyIn, uint32(r)), isSet(s.dirtyOut, uint32(r))
			for k := idx.start[r-lo]; k < idx.start[r-lo+1]; k++ {
				b := s.offs[idx.peer[k]]<<6 + 2*int(idx.pos[k])
				if hin {
					bs[b>>6] |= 1 << (b & 63)
				}
				if hout {
					bs[(b+1)>>6] |= 1 << ((b + 1) & 63)
				}
			}
		}
	}
	most := 0
	for q := 0; q < P; q++ {
		s.selOut[q] = decodeItems(s.selOut[q][:0], bs[s.offs[q]:s.offs[q]+s.bsc[q]], out[q])
		most = max(most, len(s.selOut[q]))
	}
	t0 := time.Now()
	err := mpi.Alltoallv(bs, s.bsc, br, s.brc)
	s.MPI += time.Since(t0)
	if err != nil {
		return 0, err
	}
	sent := int64(ns-s.bsc[pl.Rank]) * 8
	o := 0
	for q := 0; q < P; q++ {
		s.selIn[q] = decodeItems(s.selIn[q][:0], br[o:o+s.brc[q]], in[q])
		most = max(most, len(s.selIn[q]))
		o += s.brc[q]
	}
	// The number of pieces must be the same on every rank. When even the longest list of the
	// plan, with both halves, fits in one piece, it is 1; otherwise agree on the longest
	// selection.
	mp := []int64{int64(2 * pl.MaxPair)}
	if s.x.pieces(s.m.Dim, 2*pl.MaxPair) > 1 {
		mp[0] = int64(most)
		t0 = time.Now()
		err = mpi.Allreduce(mp, mp, mpi.Max)
		s.MPI += time.Since(t0)
		if err != nil {
			return sent, err
		}
	}
	n, err := s.x.exchange(s.m.Dim, s.selOut, s.selIn, int(mp[0]), fill, apply)
	s.MPI += s.x.mpiTime
	s.x.mpiTime = 0
	for q := 0; q < P; q++ {
		if q != pl.Rank {
			s.Rows += int64(len(s.selOut[q]))
		}
	}
	return sent + n, err
}

// Run does one push and one pull. It is a collective: every rank calls it at the same point.
func (s *Sync) Run() error {
	if s.dirtyIn != nil {
		return s.runDirty()
	}
	pl := s.plan
	xch := func(out, in [][]uint32, fill func([]float32, uint32), apply func(uint32, []float32)) error {
		n, err := s.x.Exchange(2*s.m.Dim, out, in, fill, apply)
		s.Bytes += n
		s.MPI += s.x.mpiTime
		s.x.mpiTime = 0
		for q, l := range out {
			if q != pl.Rank {
				s.Rows += 2 * int64(len(l))
			}
		}
		return err
	}
	if s.merge == MergeAvg {
		s.beforePush()
	}
	if err := xch(pl.ToOwner, pl.FromReplica, s.pushFill, s.pushApply); err != nil {
		return err
	}
	if s.merge == MergeAvg {
		s.afterPush()
	}
	return xch(pl.FromReplica, pl.ToOwner, s.pullFill, s.pullApply)
}

// runDirty is Run after UseDirty: push and pull of the marked In and Out halves.
func (s *Sync) runDirty() error {
	pl, d, st, own := s.plan, s.m.Dim, s.m.Stride, s.owned
	mats, snaps, dirty := [2][]float32{s.m.In, s.m.Out}, [2][]float32{s.snapIn, s.snapOut}, [2][]uint64{s.dirtyIn, s.dirtyOut}
	n, err := s.sparse(pl.ToOwner, pl.FromReplica, s.pushIdx,
		func(dst []float32, item uint32) {
			row, h := int(item>>1), item&1
			r, i := row*st, (row-own)*d
			copy(dst, mats[h][r:r+d])
			trainer.AddScaled(-1, snaps[h][i:i+d], dst)
		},
		func(item uint32, src []float32) {
			row, h := item>>1, item&1
			r := int(row) * st
			trainer.AddScaled(1, src[:d], mats[h][r:r+d])
			dirty[h][row>>6] |= 1 << (row & 63) // the owner's half changed: pull it to every holder
		})
	s.Bytes += n
	if err != nil {
		return err
	}
	n, err = s.sparse(pl.FromReplica, pl.ToOwner, s.pullIdx,
		func(dst []float32, item uint32) {
			r := int(item>>1) * st
			copy(dst, mats[item&1][r:r+d])
		},
		func(item uint32, src []float32) {
			row, h := int(item>>1), item&1
			r, i := row*st, (row-own)*d
			copy(mats[h][r:r+d], src)
			copy(snaps[h][i:i+d], src)
		})
	s.Bytes += n
	clear(s.dirtyIn)
	clear(s.dirtyOut)
	return err
}

// pushFill writes replica row's δ (In then Out) since the last pull.
func (s *Sync) pushFill(dst []float32, row uint32) {
	d, st := s.m.Dim, s.m.Stride
	r, i := int(row)*st, (int(row)-s.owned)*d
	in, out, si, so := s.m.In[r:r+d], s.m.Out[r:r+d], s.snapIn[i:i+d], s.snapOut[i:i+d]
	for k := range d {
		dst[k] = in[k] - si[k]
		dst[d+k] = out[k] - so[k]
	}
}

// pushApply adds a replica's δ to the owned row.
func (s *Sync) pushApply(row uint32, src []float32) {
	d := s.m.Dim
	r := int(row) * s.m.Stride
	in, out := s.m.In[r:r+d], s.m.Out[r:r+d]
	for k := range d {
		in[k] += src[k]
		out[k] += src[d+k]
	}
	if s.exp != nil && changed(src) {
		s.nz[s.exp[row]]++
	}
}

// pullFill writes the owned row (In then Out).
func (s *Sync) pullFill(dst []float32, row uint32) {
	d := s.m.Dim
	r := int(row) * s.m.Stride
	copy(dst[:d], s.m.In[r:r+d])
	copy(dst[d:], s.m.Out[r:r+d])
}

// pullApply overwrites a replica row and its snapshot with the owner's row.
func (s *Sync) pullApply(row uint32, src []float32) {
	d := s.m.Dim
	r, i := int(row)*s.m.Stride, (int(row)-s.owned)*d
	copy(s.m.In[r:r+d], src[:d])
	copy(s.m.Out[r:r+d], src[d:])
	copy(s.snapIn[i:i+d], src[:d])
	copy(s.snapOut[i:i+d], src[d:])
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
