package spmd

import (
	"fmt"
	"slices"
	"time"

	"riskwalk/internal/mpi"
	"riskwalk/partition"
)

// Plan is one rank's side of the replica exchange, computed from the partition alone, so that
// messages carry only row values, never ids: both ends know the order.
//
// For each peer q, ToOwner[q] lists the local rows of this rank's replicas owned by q, in
// increasing global id; FromReplica[q] lists the local rows of this rank's owned nodes that q
// replicates, in the same order as q's ToOwner[this rank]. A push (replica holders to owners)
// sends rows ToOwner and receives into FromReplica; a pull (owners to replica holders) is the
// same exchange the other way round.
type Plan struct {
	Rank, Size  int
	ToOwner     [][]uint32
	FromReplica [][]uint32
	// MaxPair is the longest list between any two ranks in the whole job (the same on every
	// rank): it fixes how many pieces every rank takes part in when an exchange is split.
	MaxPair int
}

// NewPlan builds rank me's plan from the partition and me's Part. extra[q] is rank q's
// Part.Extra (every rank's, gathered); their rows follow the partition's replicas in each list.
func NewPlan(p *partition.Partition, pt *Part, me, size int, extra [][]uint32) (*Plan, error) {
	if int(p.R) != size || len(extra) != size {
		return nil, fmt.Errorf("partition has %d parts, %d extra lists, for %d ranks", p.R, len(extra), size)
	}
	pl := &Plan{Rank: me, Size: size, ToOwner: make([][]uint32, size), FromReplica: make([][]uint32, size)}
	owners := p.ReplicaOwners(uint32(me))
	for i, o := range owners {
		pl.ToOwner[o] = append(pl.ToOwner[o], uint32(pt.Owned+i))
	}
	for j, v := range extra[me] {
		o := p.Owner(v)
		pl.ToOwner[o] = append(pl.ToOwner[o], uint32(pt.Owned+len(owners)+j))
	}
	owned := pt.Nodes[:pt.Owned]
	pair := make([]int, size)
	for q := 0; q < size; q++ {
		clear(pair)
		reps, ows := p.Replicas(uint32(q)), p.ReplicaOwners(uint32(q))
		add := func(v uint32, o uint32) error {
			pair[o]++
			if q == me || int(o) != me {
				return nil
			}
			r, ok := slices.BinarySearch(owned, v)
			if !ok {
				return fmt.Errorf("partition: part %d holds node %d as owned by %d, but part %d does not own it (damaged partition file)", q, v, me, me)
			}
			pl.FromReplica[q] = append(pl.FromReplica[q], uint32(r))
			return nil
		}
		for i, o := range ows {
			if err := add(reps[i], o); err != nil {
				return nil, err
			}
		}
		for _, v := range extra[q] {
			if v >= p.N || p.Owner(v) == uint32(q) {
				return nil, fmt.Errorf("rank %d samples node %d, which it owns or which is not in the graph (bug)", q, v)
			}
			if err := add(v, p.Owner(v)); err != nil {
				return nil, err
			}
		}
		pl.MaxPair = max(pl.MaxPair, slices.Max(pair))
	}
	return pl, nil
}

// Replicas is the number of replica rows this rank holds (partition replicas and sampled remote
// nodes).
func (pl *Plan) Replicas() int {
	n := 0
	for _, l := range pl.ToOwner {
		n += len(l)
	}
	return n
}

// Exported is the number of (owned row, replicating rank) pairs: rows this rank sends on a pull.
func (pl *Plan) Exported() int {
	n := 0
	for _, l := range pl.FromReplica {
		n += len(l)
	}
	return n
}

// maxPieceElems bounds one Alltoallv's send buffer (elements, summed over peers): 16M elements is
// 64 MiB of float32, far under MPI's 2^31 count limit.
const maxPieceElems = 1 << 24

// Exchanger runs exchanges along a Plan with reusable buffers (allocated on the first call).
// Width is the elements per row. Every rank must call Exchange the same number of times with the
// same width and direction: it is a collective.
type Exchanger[T float32 | float64] struct {
	Plan       *Plan
	send, recv []T
	sc, rc     []int
	// PieceElems overrides maxPieceElems (tests use it to force several pieces).
	PieceElems int
	mpiTime    time.Duration // time in Alltoallv since the owner last took it

}

// Exchange sends, for each peer q, width elements per row of out[q] (written by fill(dst, row))
// and hands each row of in[q] its width received elements (apply(row, src)). Push: out =
// ToOwner, in = FromReplica; pull: the reverse. It splits the lists into pieces so no call sends
// more than PieceElems elements, and returns the bytes this rank sent.
func (x *Exchanger[T]) Exchange(width int, out, in [][]uint32, fill func(dst []T, row uint32), apply func(row uint32, src []T)) (int64, error) {
	return x.exchange(width, out, in, x.Plan.MaxPair, fill, apply)
}

// exchange is Exchange over any lists whose longest, job-wide, is maxPair (the same on every
// rank: it fixes the number of pieces).
func (x *Exchanger[T]) exchange(width int, out, in [][]uint32, maxPair int, fill func(dst []T, row uint32), apply func(row uint32, src []T)) (int64, error) {
	pl := x.Plan
	P := pl.Size
	limit := x.limit()
	chunk := x.chunk(width) // rows per pair per piece
	pieces := (maxPair + chunk - 1) / chunk
	if x.sc == nil {
		x.sc, x.rc = make([]int, P), make([]int, P)
	}
	var sent int64
	var elem T
	esize := int64(4)
	if _, ok := any(elem).(float64); ok {
		esize = 8
	}
	for k := 0; k < pieces; k++ {
		lo := k * chunk
		ns, nr := 0, 0
		for q := 0; q < P; q++ {
			x.sc[q] = width * span(len(out[q]), lo, chunk)
			x.rc[q] = width * span(len(in[q]), lo, chunk)
			ns += x.sc[q]
			nr += x.rc[q]
		}
		if cap(x.send) < ns {
			x.send = make([]T, ns, max(ns, min(limit, P*width*chunk)))
		}
		if cap(x.recv) < nr {
			x.recv = make([]T, nr, max(nr, min(limit, P*width*chunk)))
		}
		s, r := x.send[:ns], x.recv[:nr]
		o := 0
		for q := 0; q < P; q++ {
			for _, row := range window(out[q], lo, chunk) {
				fill(s[o:o+width], row)
				o += width
			}
		}
		t0 := time.Now()
		err := mpi.Alltoallv(s, x.sc, r, x.rc)
		x.mpiTime += time.Since(t0)
		if err != nil {
			return sent, err
		}
		sent += int64(ns-x.sc[pl.Rank]) * esize
		o = 0
		for q := 0; q < P; q++ {
			for _, row := range window(in[q], lo, chunk) {
				apply(row, r[o:o+width])
				o += width
			}
		}
	}
	return sent, nil
}

func (x *Exchanger[T]) limit() int {
	if x.PieceElems > 0 {
		return x.PieceElems
	}
	return maxPieceElems
}

// chunk is how many rows of width elements each pair sends per piece.
func (x *Exchanger[T]) chunk(width int) int { return max(1, x.limit()/(x.Plan.Size*width)) }

// pieces is how many Alltoallv calls an exchange of lists of at most maxPair rows takes.
func (x *Exchanger[T]) pieces(width, maxPair int) int {
	c := x.chunk(width)
	return (maxPair + c - 1) / c
}

// span is how many of n items fall in [lo, lo+chunk).
func span(n, lo, chunk int) int { return max(0, min(n, lo+chunk)-lo) }

func window(l []uint32, lo, chunk int) []uint32 {
	if lo >= len(l) {
		return nil
	}
	return l[lo:min(len(l), lo+chunk)]
}
