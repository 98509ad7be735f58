package spmd

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"riskwalk/graph"
	"riskwalk/internal/mpi"
	"riskwalk/internal/testenv"
	"riskwalk/partition"
	"riskwalk/trainer"
	"riskwalk/walk"
)

// planted is a graph of blocks of size bs with about din edges per node inside its block and
// dout to other blocks, weighted (weight = 1 + (u+v)%3) so that tests see weights carried.
func planted(t testing.TB, n, bs, din, dout int, seed uint64) *graph.Graph {
	g, err := plantedGraph(n, bs, din, dout, seed)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func plantedGraph(n, bs, din, dout int, seed uint64) (*graph.Graph, error) {
	r := walk.NewRand(seed)
	var es []graph.Edge
	for u := 0; u < n; u++ {
		b := u / bs * bs
		for k := 0; k < din/2; k++ {
			v := b + int(r.Uint32n(uint32(min(bs, n-b))))
			if v != u {
				es = append(es, graph.Edge{U: uint32(u), V: uint32(v), W: float32(1 + (u+v)%3)})
			}
		}
		for k := 0; k < (dout+1)/2; k++ {
			if r.Uint32n(2) == 0 {
				continue
			}
			v := int(r.Uint32n(uint32(n)))
			if v != u {
				es = append(es, graph.Edge{U: uint32(u), V: uint32(v), W: float32(1 + (u+v)%3)})
			}
		}
	}
	return graph.FromEdges(uint32(n), es, false, true, false)
}

func louvainParts(t testing.TB, g *graph.Graph, r int) *partition.Partition {
	p, _, err := partition.Louvain(g, r, partition.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBuildPart checks every local arc against the global graph, for both halo rules.
func TestBuildPart(t *testing.T) {
	g := planted(t, 600, 100, 8, 2, 1)
	p := louvainParts(t, g, 3)
	for _, halo := range []Halo{HaloStop, HaloStay} {
		var owned int
		for part := uint32(0); part < 3; part++ {
			pt, err := BuildPart(g, p, part, halo)
			if err != nil {
				t.Fatal(err)
			}
			owned += pt.Owned
			if !slices.Equal(pt.Nodes[:pt.Owned], p.Owned(part)) || !slices.Equal(pt.Nodes[pt.Owned:], p.Replicas(part)) {
				t.Fatalf("part %d: local nodes are not Owned then Replicas", part)
			}
			L := len(pt.Nodes)
			if want := L + int(map[Halo]int{HaloStop: 1}[halo]); int(pt.G.N) != want {
				t.Fatalf("%v part %d: local graph has %d nodes, want %d", halo, part, pt.G.N, want)
			}
			held := func(v uint32) bool {
				_, ok1 := slices.BinarySearch(p.Owned(part), v)
				_, ok2 := slices.BinarySearch(p.Replicas(part), v)
				return ok1 || ok2
			}
			for i, v := range pt.Nodes {
				var want []uint32
				var wantW []float32
				for a, u := range g.Neighbors(v) {
					switch {
					case held(u):
						want = append(want, u)
					case i < pt.Owned:
						t.Fatalf("part %d: owned node %d has neighbour %d that is not held", part, v, u)
					case halo == HaloStop:
						want = append(want, ^uint32(0)) // the sentinel
					default:
						continue
					}
					wantW = append(wantW, g.NeighborWeights(v)[a])
				}
				var got []uint32
				for _, l := range pt.G.Neighbors(uint32(i)) {
					if int(l) == L {
						got = append(got, ^uint32(0))
					} else {
						got = append(got, pt.Nodes[l])
					}
				}
				if !slices.Equal(got, want) || !slices.Equal(pt.G.NeighborWeights(uint32(i)), wantW) {
					t.Fatalf("%v part %d local node %d (global %d): arcs %v weights %v, want %v %v", halo, part, i, v, got, pt.G.NeighborWeights(uint32(i)), want, wantW)
				}
			}
			if halo == HaloStop && (pt.G.Degree(uint32(L)) != 0 || pt.Rows.Local[L] != -1 || pt.Rows.Local[0] != 0) {
				t.Fatalf("part %d: sentinel has arcs or a row", part)
			}
			if len(pt.Starts) != pt.Owned || pt.Starts[pt.Owned-1] != uint32(pt.Owned-1) {
				t.Fatalf("part %d: starts are not the owned nodes", part)
			}
		}
		if owned != int(g.N) {
			t.Fatalf("parts own %d nodes, graph has %d", owned, g.N)
		}
	}
}

// TestBuildPartThrough: under HaloThrough the rank walks the global graph, rows map exactly the
// held nodes, and walks start at the owned nodes' global ids.
func TestBuildPartThrough(t *testing.T) {
	g := planted(t, 600, 100, 8, 2, 1)
	p := louvainParts(t, g, 3)
	for part := uint32(0); part < 3; part++ {
		pt, err := BuildPart(g, p, part, HaloThrough)
		if err != nil {
			t.Fatal(err)
		}
		if pt.G != g || !slices.Equal(pt.Nodes[:pt.Owned], p.Owned(part)) || !slices.Equal(pt.Nodes[pt.Owned:], p.Replicas(part)) {
			t.Fatalf("part %d: not the global graph, or local nodes are not Owned then Replicas", part)
		}
		if !slices.Equal(pt.Starts, p.Owned(part)) {
			t.Fatalf("part %d: starts are not the owned nodes' global ids", part)
		}
		held := 0
		for v, r := range pt.Rows.Local {
			if r < 0 {
				continue
			}
			held++
			if pt.Nodes[r] != uint32(v) {
				t.Fatalf("part %d: node %d maps to row %d, which holds node %d", part, v, r, pt.Nodes[r])
			}
		}
		if held != len(pt.Nodes) || pt.OwnedArcs == 0 || pt.SentinelArcs == 0 {
			t.Fatalf("part %d: %d rows mapped for %d held nodes; arcs owned %d leaving %d", part, held, len(pt.Nodes), pt.OwnedArcs, pt.SentinelArcs)
		}
	}
}

// TestPlanPairs checks that what rank q sends to owner p lines up, row by row, with what p
// expects from q: the same global nodes in the same order.
func TestPlanPairs(t *testing.T) {
	g := planted(t, 600, 100, 8, 2, 2)
	const R = 3
	p := louvainParts(t, g, R)
	pts := make([]*Part, R)
	pls := make([]*Plan, R)
	extra := make([][]uint32, R)
	nextra := 0
	for r := range pts {
		var err error
		if pts[r], err = BuildPart(g, p, uint32(r), HaloStop); err != nil {
			t.Fatal(err)
		}
		extra[r] = SampleRemote(g, p, uint32(r), 30, 1, nil)
		for _, v := range extra[r] {
			if held(p, uint32(r), v) {
				t.Fatalf("part %d samples node %d, which it holds", r, v)
			}
		}
		if len(extra[r]) != 30 {
			t.Fatalf("part %d: %d remote samples, want 30", r, len(extra[r]))
		}
		pts[r].Extra = extra[r]
		nextra += len(extra[r])
	}
	for r := range pts {
		var err error
		if pls[r], err = NewPlan(p, pts[r], r, R, extra); err != nil {
			t.Fatal(err)
		}
	}
	pairs := 0
	for q := 0; q < R; q++ {
		if pls[q].MaxPair != pls[0].MaxPair {
			t.Fatalf("MaxPair differs between ranks: %d vs %d", pls[q].MaxPair, pls[0].MaxPair)
		}
		for o := 0; o < R; o++ {
			send, recv := pls[q].ToOwner[o], pls[o].FromReplica[q]
			if len(send) != len(recv) || len(send) > pls[0].MaxPair {
				t.Fatalf("rank %d sends %d rows to %d, which expects %d (max pair %d)", q, len(send), o, len(recv), pls[0].MaxPair)
			}
			for i := range send {
				if a, b := globalOf(pts[q], send[i]), pts[o].Nodes[recv[i]]; a != b || int(send[i]) < pts[q].Owned || int(recv[i]) >= pts[o].Owned {
					t.Fatalf("pair %d->%d row %d: node %d vs %d", q, o, i, a, b)
				}
			}
			pairs += len(send)
		}
	}
	if pairs == 0 || uint64(pairs) != p.NumReplicas()+uint64(nextra) {
		t.Fatalf("%d rows in pairs, partition has %d replicas and %d remote samples", pairs, p.NumReplicas(), nextra)
	}
}

// globalOf is the global id of a local row: held nodes, then remote samples.
func globalOf(pt *Part, row uint32) uint32 {
	if int(row) < len(pt.Nodes) {
		return pt.Nodes[row]
	}
	return pt.Extra[int(row)-len(pt.Nodes)]
}

func held(p *partition.Partition, part, v uint32) bool {
	_, ok1 := slices.BinarySearch(p.Owned(part), v)
	_, ok2 := slices.BinarySearch(p.Replicas(part), v)
	return ok1 || ok2
}

// TestMain runs the rank side of the MPI tests when started by mpirun from TestSyncMPI.
func TestMain(m *testing.M) {
	if os.Getenv("RW_SPMD_RANK") != "" {
		os.Exit(rankMain())
	}
	os.Exit(m.Run())
}

// cleanEnv drops launcher variables (the test may itself run as a rank) and adds what mpirun needs
// as root in a container.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OMPI_") && !strings.HasPrefix(kv, "PMIX_") && !strings.HasPrefix(kv, "PMI_") {
			env = append(env, kv)
		}
	}
	return append(env, "OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1", "OMPI_MCA_pml=ob1",
		"OMPI_MCA_btl_vader_single_copy_mechanism=none")
}

// TestSyncMPI runs Sync and GlobalCounts on 3 real MPI ranks (this test binary under mpirun)
// with exchanges split into many pieces, and checks every copy of every row on every rank.
func TestSyncMPI(t *testing.T) {
	mpirun := testenv.Tool(t, "mpirun", "openmpi-bin")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // hang guard only
	defer cancel()
	cmd := exec.CommandContext(ctx, mpirun, "-np", "3", "--oversubscribe", "--bind-to", "none", os.Args[0], "-test.run=^$")
	cmd.Env = append(cleanEnv(), "RW_SPMD_RANK=sync")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("mpirun: %v\n%s", err, out)
	}
	for r := 0; r < 3; r++ {
		if !strings.Contains(string(out), fmt.Sprintf("rank %d/3 sync ok", r)) {
			t.Fatalf("rank %d did not report success:\n%s", r, out)
		}
	}
	t.Log(strings.TrimSpace(string(out)))
}

func rankMain() int {
	if err := mpi.Init(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	me, P := mpi.Rank(), mpi.Size()
	if err := syncCheck(me, P); err != nil {
		fmt.Printf("rank %d/%d FAILED: %v\n", me, P, err)
		mpi.Abort(1)
	}
	fmt.Printf("rank %d/%d sync ok\n", me, P)
	mpi.Finalize()
	return 0
}

// syncCheck: every rank sets row v of its copy to base(v) + delta(rank, v) (small integers, so
// float sums are exact); after a sync every copy must be base(v) + Σ over holders of delta.
func syncCheck(me, P int) error {
	g, err := plantedGraph(300, 50, 8, 3, 3)
	if err != nil {
		return err
	}
	p, _, err := partition.Louvain(g, P, partition.Options{})
	if err != nil {
		return err
	}
	pt, err := BuildPart(g, p, uint32(me), HaloStop)
	if err != nil {
		return err
	}
	pt.Extra = SampleRemote(g, p, uint32(me), 10+me, 1, nil)
	extra, err := gatherLists(pt.Extra)
	if err != nil {
		return err
	}
	pl, err := NewPlan(p, pt, me, P, extra)
	if err != nil {
		return err
	}
	nodes := append(append([]uint32(nil), pt.Nodes...), pt.Extra...)
	const dim = 5
	m, err := trainer.NewModel(len(nodes)+1, dim)
	if err != nil {
		return err
	}
	base := func(v uint32, k int) float32 { return float32(int(v)*7 + k) }
	delta := func(r int, v uint32, k int) float32 {
		if (int(v)+r)%4 == 0 {
			return 0 // some copies do not change
		}
		return float32((r+1)*100 + int(v)%13 + k)
	}
	set := func() {
		for i, v := range nodes {
			for k := 0; k < dim; k++ {
				m.In[i*m.Stride+k] = base(v, k)
				m.Out[i*m.Stride+k] = -base(v, k)
			}
		}
	}
	set()
	s := NewSync(pl, m, pt.Owned, MergeSum)
	s.x.PieceElems = 3 * 2 * dim // 1 row per pair per piece: many pieces
	for i, v := range nodes {
		for k := 0; k < dim; k++ {
			m.In[i*m.Stride+k] += delta(me, v, k)
			m.Out[i*m.Stride+k] -= delta(me, v, k)
		}
	}
	if err := s.Run(); err != nil {
		return err
	}
	holders := func(v uint32) []int {
		var h []int
		for r := 0; r < P; r++ {
			_, ok := slices.BinarySearch(extra[r], v)
			if ok || held(p, uint32(r), v) {
				h = append(h, r)
			}
		}
		return h
	}
	// summed: every copy of v must be base(v) + Σ over holders of delta.
	summed := func(what string) error {
		for i, v := range nodes {
			for k := 0; k < dim; k++ {
				want := base(v, k)
				for _, r := range holders(v) {
					want += delta(r, v, k)
				}
				if got := m.In[i*m.Stride+k]; got != want || m.Out[i*m.Stride+k] != -want {
					return fmt.Errorf("%s: node %d (local %d, owned %v) elem %d: In %v Out %v, want %v", what, v, i, i < pt.Owned, k, got, m.Out[i*m.Stride+k], want)
				}
			}
		}
		return nil
	}
	if err := summed("full sync"); err != nil {
		return err
	}
	if s.Bytes != int64(pl.Replicas()+pl.Exported())*2*dim*4 {
		return fmt.Errorf("sync sent %d bytes, want %d", s.Bytes, (pl.Replicas()+pl.Exported())*2*dim*4)
	}
	// A second round with no changes must leave everything as it is.
	before := append([]float32(nil), m.In...)
	if err := s.Run(); err != nil {
		return err
	}
	if !slices.Equal(before, m.In) {
		return fmt.Errorf("a sync without updates changed rows")
	}
	full := s.Bytes
	// Dirty rows only: each rank marks the halves it changed (the In half of a third of the
	// rows stays as it was); the copies must end as above, with fewer bytes sent, and the
	// bitsets cleared.
	set()
	s = NewSync(pl, m, pt.Owned, MergeSum)
	s.x.PieceElems = 3 * dim
	dIn, dOut := make([]uint64, (m.Rows+63)/64), make([]uint64, (m.Rows+63)/64)
	s.UseDirty(dIn, dOut)
	inMoves := func(v uint32) bool { return v%3 != 0 }
	for i, v := range nodes {
		if delta(me, v, 0) == 0 {
			continue
		}
		dOut[i/64] |= 1 << (i % 64)
		if inMoves(v) {
			dIn[i/64] |= 1 << (i % 64)
		}
		for k := 0; k < dim; k++ {
			if inMoves(v) {
				m.In[i*m.Stride+k] += delta(me, v, k)
			}
			m.Out[i*m.Stride+k] -= delta(me, v, k)
		}
	}
	if err := s.Run(); err != nil {
		return err
	}
	for i, v := range nodes {
		for k := 0; k < dim; k++ {
			want := base(v, k)
			for _, r := range holders(v) {
				want += delta(r, v, k)
			}
			wantIn := base(v, k)
			if inMoves(v) {
				wantIn = want
			}
			if got := m.In[i*m.Stride+k]; got != wantIn || m.Out[i*m.Stride+k] != -want {
				return fmt.Errorf("dirty sync: node %d (local %d, owned %v) elem %d: In %v Out %v, want %v and %v", v, i, i < pt.Owned, k, got, m.Out[i*m.Stride+k], wantIn, -want)
			}
		}
	}
	if s.Bytes >= full || s.Rows >= int64(2*(pl.Replicas()+pl.Exported())) || slices.Max(dIn) != 0 || slices.Max(dOut) != 0 {
		return fmt.Errorf("dirty sync sent %d bytes (%d half rows), a full sync %d (%d); bitsets max words %x %x, want 0", s.Bytes, s.Rows, full, 2*(pl.Replicas()+pl.Exported()), slices.Max(dIn), slices.Max(dOut))
	}
	// Nothing marked: nothing moves but the bitmaps, and nothing changes.
	b0 := s.Bytes
	before = append(before[:0], m.In...)
	if err := s.Run(); err != nil {
		return err
	}
	if !slices.Equal(before, m.In) || s.Bytes-b0 > int64(2*8*(pl.Replicas()+pl.Exported()+128*P)/64) {
		return fmt.Errorf("dirty sync with nothing marked: rows changed, or %d bytes sent", s.Bytes-b0)
	}
	// Averaging: with MergeAvg, a row changed by c copies moves by the mean of their changes.
	set()
	s = NewSync(pl, m, pt.Owned, MergeAvg)
	for i, v := range nodes {
		for k := 0; k < dim; k++ {
			m.In[i*m.Stride+k] += delta(me, v, k)
		}
	}
	if err := s.Run(); err != nil {
		return err
	}
	for i, v := range nodes {
		for k := 0; k < dim; k++ {
			sum, c := float32(0), 0
			for _, r := range holders(v) {
				if d := delta(r, v, 0); d != 0 {
					sum += delta(r, v, k)
					c++
				}
			}
			want := base(v, k)
			if c > 0 {
				want += sum / float32(c)
			}
			if got := m.In[i*m.Stride+k]; got != want {
				return fmt.Errorf("avg: node %d elem %d: %v, want %v (%d copies changed)", v, k, got, want, c)
			}
		}
	}
	// Counts: every holder ends with the sum over all ranks' counts.
	counts := make([]float64, len(nodes)+1)
	for i, v := range nodes {
		counts[i] = float64(int(v)*10 + me)
	}
	if _, err := GlobalCounts(pl, counts); err != nil {
		return err
	}
	for i, v := range nodes {
		want := 0.0
		for _, r := range holders(v) {
			want += float64(int(v)*10 + r)
		}
		if counts[i] != want {
			return fmt.Errorf("count of node %d: %v, want %v", v, counts[i], want)
		}
	}
	return nil
}

// TestAutoSyncEvery pins the default interval where it was measured: BlogCatalog (about 11k rows
// held per rank, 64 walks of 40 per unit) keeps 12 units on 2 ranks and 1 on 4; a 1M-node part
// (805k rows, walks of 20) syncs every 157 units on 2 ranks; more rows never sync more often.
func TestAutoSyncEvery(t *testing.T) {
	for _, c := range []struct {
		ranks        int
		held, tokens uint64
		want         uint64
	}{{2, 11114, 2560, 12}, {4, 10500, 2560, 1}, {8, 3000, 2560, 1}, {2, 805000, 1280, 157}, {4, 460000, 1280, 11}} {
		if got := AutoSyncEvery(c.ranks, c.held, c.tokens); got != c.want {
			t.Errorf("AutoSyncEvery(%d ranks, %d rows, %d tokens/unit) = %d, want %d", c.ranks, c.held, c.tokens, got, c.want)
		}
	}
	prev := uint64(0)
	for held := uint64(1000); held < 1e8; held *= 3 {
		got := AutoSyncEvery(2, held, 1280)
		if got < prev {
			t.Fatalf("AutoSyncEvery falls from %d to %d as held rows grow to %d", prev, got, held)
		}
		prev = got
	}
}
