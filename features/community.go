package features

import (
	"fmt"
	"slices"

	"riskwalk/graph"
)

// CommunitySizes returns, for a community assignment comm (one id per node, ids below N), the size
// of each node's community.
func CommunitySizes(comm []uint32) ([]uint32, error) {
	n := len(comm)
	count := make([]uint32, n)
	for v, c := range comm {
		if int(c) >= n {
			return nil, fmt.Errorf("community id %d of node %d is not below the node count %d", c, v, n)
		}
		count[c]++
	}
	size := make([]uint32, n)
	for v, c := range comm {
		size[v] = count[c]
	}
	return size, nil
}

// CommunityBad returns, for every node, the number of labelled-bad nodes among the OTHER members
// of its community and their share of those other members (0 for a singleton). Leaving the node
// itself out means a training node's own label never feeds its own feature ("a community of 27
// with 19 known bad" reads, for a normal member, bad = 19 and share = 19/26).
func CommunityBad(comm []uint32, bad []bool) (nbad []uint32, share []float32, err error) {
	n := len(comm)
	if len(bad) != n {
		return nil, nil, fmt.Errorf("labels cover %d nodes, the community assignment %d", len(bad), n)
	}
	count := make([]uint32, n)
	badc := make([]uint32, n)
	for v, c := range comm {
		if int(c) >= n {
			return nil, nil, fmt.Errorf("community id %d of node %d is not below the node count %d", c, v, n)
		}
		count[c]++
		if bad[v] {
			badc[c]++
		}
	}
	nbad = make([]uint32, n)
	share = make([]float32, n)
	for v, c := range comm {
		b := badc[c]
		if bad[v] {
			b--
		}
		nbad[v] = b
		if others := count[c] - 1; others > 0 {
			share[v] = float32(float64(b) / float64(others))
		}
	}
	return nbad, share, nil
}

// PurifyOptions tune Purify.
type PurifyOptions struct {
	// TopFrac keeps only nodes whose PPR score is among the highest TopFrac of nodes with a
	// positive score (default 0.05).
	TopFrac float64
	// MinLift and MinBad: the node's community must hold at least MinBad labelled-bad members,
	// and its labelled-bad share must be at least MinLift times the base rate B/N of the whole
	// graph (B labelled-bad nodes among its N nodes) (defaults 3 and 2).
	MinLift float64
	MinBad  int
}

func (o PurifyOptions) withDefaults() PurifyOptions {
	if o.TopFrac == 0 {
		o.TopFrac = 0.05
	}
	if o.MinLift == 0 {
		o.MinLift = 3
	}
	if o.MinBad == 0 {
		o.MinBad = 2
	}
	return o
}

// Purify is the second half of the seed propagation the project calls Risk-alike (its first
// half is PersonalizedPageRank from the labelled-bad seeds): PPR from bad seeds also reaches
// innocent hubs and bystanders, so keep a node's score only if it is high (top TopFrac of the
// positive scores) and its community is rich in seeds; every other node gets 0.
//
// "Rich in seeds" is relative to the graph, not an absolute share: community C (from Louvain)
// qualifies when it holds bad(C) >= MinBad labelled-bad members and its bad share is at least
// MinLift times the base rate,
//
//	bad(C) / |C| >= MinLift * B / N      (lift = (bad(C)/|C|) / (B/N), the enrichment of C in seeds)
//
// with B the labelled-bad nodes among all N nodes (the node itself counted: this is a
// community-level test; |C| and N count every node, labelled or not, of any type). Why
// relative: labelled fraud is rare (1% of the users of the demo graph, 0.35% of its nodes with
// 70% of the labels) and modularity communities are large (about 860 members on the demo
// graph), so an absolute threshold such as 20% is met by no community at all, while a
// community holding 3x its expected share of known-bad nodes is exactly the collusive cluster
// the seeds point to. MinBad keeps one or two stray labels in a small community from
// qualifying it by chance.
func Purify(ppr []float64, comm []uint32, bad []bool, opt PurifyOptions) ([]float32, error) {
	opt = opt.withDefaults()
	n := len(ppr)
	if len(comm) != n || len(bad) != n {
		return nil, fmt.Errorf("purify: %d scores, %d community ids, %d labels", n, len(comm), len(bad))
	}
	if !(opt.TopFrac > 0 && opt.TopFrac <= 1) || !(opt.MinLift > 0) || opt.MinBad < 1 {
		return nil, fmt.Errorf("purify: top fraction %g must be in (0, 1], lift %g > 0, minimum bad %d >= 1", opt.TopFrac, opt.MinLift, opt.MinBad)
	}
	count := make([]uint32, n)
	badc := make([]uint32, n)
	var total float64 // B
	for v, c := range comm {
		if int(c) >= n {
			return nil, fmt.Errorf("purify: community id %d of node %d is not below the node count %d", c, v, n)
		}
		count[c]++
		if bad[v] {
			badc[c]++
			total++
		}
	}
	rich := func(c uint32) bool {
		// bad(C)/|C| >= MinLift*B/N, multiplied out.
		return int(badc[c]) >= opt.MinBad && float64(badc[c])*float64(n) >= opt.MinLift*total*float64(count[c])
	}
	var pos []float64
	for _, x := range ppr {
		if x > 0 {
			pos = append(pos, x)
		}
	}
	out := make([]float32, n)
	if len(pos) == 0 {
		return out, nil
	}
	slices.Sort(pos)
	k := max(1, int(opt.TopFrac*float64(len(pos))))
	threshold := pos[len(pos)-k]
	for v, x := range ppr {
		c := comm[v]
		if x >= threshold && x > 0 && rich(c) {
			out[v] = float32(x)
		}
	}
	return out, nil
}

// TwoHopSet marks the nodes within two hops of any seed in the undirected view s (seeds included).
// Each node is expanded at most once, so a hub costs its degree once.
func TwoHopSet(s *Sym, seeds []uint32) []bool {
	in := make([]bool, s.N)
	var frontier []uint32
	for _, v := range seeds {
		if !in[v] {
			in[v] = true
			frontier = append(frontier, v)
		}
	}
	for hop := 0; hop < 2; hop++ {
		var next []uint32
		for _, u := range frontier {
			for _, v := range s.Neighbors(u) {
				if !in[v] {
					in[v] = true
					next = append(next, v)
				}
			}
		}
		frontier = next
	}
	return in
}

// LabelOptions tune LabelDerived.
type LabelOptions struct {
	PageRank PageRankOptions
	// TwoHopPPR restricts the personalised PageRank to the two-hop neighbourhood of the seeds.
	TwoHopPPR bool
	Purify    PurifyOptions
	// User is the user type code of a typed graph (see UserType); ignored when g is untyped.
	User uint8
	// DegreeCap bounds the media expanded by the two-hop features (default 1000).
	DegreeCap uint32
	// View is the undirected view of g if the caller has it (built when nil and needed).
	View *Sym
	// Known, when not nil, marks the nodes labelled in the training labels (good or bad): the
	// rows that PPRFolds treats out of fold, and NeighbourLabels' labelled nodes.
	Known []bool
	// Neighbour, when not nil, adds the NeighbourLabels columns (needs Known).
	Neighbour *NeighbourLabelOptions
	// Folds > 1 computes the columns that aggregate over a set holding the row's own node
	// (ppr, ppr_purified, louvain_bad, louvain_bad_share, nb_mean_bad_share) out of fold for the
	// training-labelled rows (Known, or the bad nodes when Known is nil): those rows fall into
	// Folds folds by a hash of their id (foldOf), and a row in fold f gets the values computed
	// from the labels outside fold f, counts scaled by |labels| / |labels outside f| so that they
	// keep the scale of the other rows. Without it a bad training node is one of its own PPR
	// seeds (its ppr holds its own label), and leaving it out of its own community count makes
	// a bad row's count one less than a good row's in the same community: either way a model
	// learns a gap between training rows that held-out rows never show (on Tolokers GBDT fell to
	// a validation ROC-AUC of 0.72 from it). Unlabelled and held-out rows get the values from
	// every training label. Costs Folds extra PageRank runs. louvain_bad is float32 with Folds.
	Folds int
}

// LabelDerived computes every feature that depends on labels, from trainBad only (true = a node
// labelled bad in the training labels): it is what the model recomputes per fold so that no test
// label leaks into training features. comm is the community assignment (Louvain), or nil to leave
// out the community columns. Columns, in order:
//
//	louvain_bad        uint32   bad members of v's community other than v      (needs comm)
//	louvain_bad_share  float32  louvain_bad / (community size - 1)             (needs comm)
//	ppr                float32  personalised PageRank from the bad nodes
//	ppr_purified       float32  ppr kept only in seed-rich communities (Purify) (needs comm)
//	th_bad             uint32   distinct bad users two hops away via media     (typed graphs)
//	nb_labelled ... nb_mean_bad_share  float32  see NeighbourLabels              (needs Neighbour)
//
// With no bad node at all the PPR columns are all zero.
func LabelDerived(g *graph.Graph, comm []uint32, trainBad []bool, opt LabelOptions) ([]Column, error) {
	n := int(g.N)
	if len(trainBad) != n {
		return nil, fmt.Errorf("label-derived features: %d labels for %d nodes", len(trainBad), n)
	}
	if comm != nil && len(comm) != n {
		return nil, fmt.Errorf("label-derived features: %d community ids for %d nodes", len(comm), n)
	}
	var cols []Column
	if comm != nil {
		nb, share, err := CommunityBad(comm, trainBad)
		if err != nil {
			return nil, err
		}
		if opt.Folds > 1 {
			nbf := make([]float32, n)
			for v, b := range nb {
				nbf[v] = float32(b)
			}
			err := outOfFold(trainBad, &opt, func(f int, fbad []bool, scale float64, rows []int) error {
				fb, fs, err := CommunityBad(comm, fbad)
				for _, v := range rows {
					nbf[v], share[v] = float32(float64(fb[v])*scale), float32(float64(fs[v])*scale)
				}
				return err
			})
			if err != nil {
				return nil, err
			}
			cols = append(cols, F32("louvain_bad", nbf), F32("louvain_bad_share", share))
		} else {
			cols = append(cols, U32("louvain_bad", nb), F32("louvain_bad_share", share))
		}
	}
	pc, err := pprColumns(g, comm, trainBad, &opt)
	if err != nil {
		return nil, err
	}
	cols = append(cols, pc...)
	if g.Types != nil {
		dc := opt.DegreeCap
		if dc == 0 {
			dc = 1000
		}
		s := opt.View
		if s == nil && g.Directed {
			s = SymView(g)
		}
		th := TwoHopUsers(g, s, opt.User, dc, trainBad)
		cols = append(cols, U32("th_bad", th.Bad))
	}
	if opt.Neighbour != nil {
		if opt.Known == nil {
			return nil, fmt.Errorf("label-derived features: the neighbour label columns need the known (training-labelled) nodes")
		}
		no := *opt.Neighbour
		if no.View == nil {
			no.View = opt.View
		}
		no.Folds = opt.Folds
		nc, err := NeighbourLabels(g, opt.Known, trainBad, no)
		if err != nil {
			return nil, err
		}
		cols = append(cols, nc...)
	}
	return cols, nil
}

// pprColumns computes ppr and, when comm is given, ppr_purified; out of fold for the training
// rows when opt.Folds > 1.
func pprColumns(g *graph.Graph, comm []uint32, trainBad []bool, opt *LabelOptions) ([]Column, error) {
	n := int(g.N)
	if opt.Known != nil && len(opt.Known) != n {
		return nil, fmt.Errorf("label-derived features: %d known flags for %d nodes", len(opt.Known), n)
	}
	var within []bool
	if opt.TwoHopPPR {
		var seeds []uint32
		for v, b := range trainBad {
			if b {
				seeds = append(seeds, uint32(v))
			}
		}
		s := opt.View
		if s == nil {
			s = SymView(g)
		}
		within = TwoHopSet(s, seeds) // the full seed set's neighbourhood holds every fold's
	}
	// columns from the seeds trainBad[v] && keep(v).
	columns := func(keep func(v int) bool) ([]float64, []float32, error) {
		var seeds []uint32
		bad := trainBad
		if keep != nil {
			bad = make([]bool, n)
		}
		for v, b := range trainBad {
			if b && (keep == nil || keep(v)) {
				seeds = append(seeds, uint32(v))
				if keep != nil {
					bad[v] = true
				}
			}
		}
		ppr := make([]float64, n)
		if len(seeds) > 0 {
			var err error
			if ppr, _, err = PersonalizedPageRank(g, seeds, within, opt.PageRank); err != nil {
				return nil, nil, err
			}
		}
		if comm == nil {
			return ppr, nil, nil
		}
		pur, err := Purify(ppr, comm, bad, opt.Purify)
		return ppr, pur, err
	}
	ppr, pur, err := columns(nil)
	if err != nil {
		return nil, err
	}
	if opt.Folds > 1 {
		ppr32 := toF32(ppr)
		err := outOfFold(trainBad, opt, func(f int, fbad []bool, _ float64, rows []int) error {
			fp, fpur, err := columns(func(v int) bool { return fbad[v] })
			for _, v := range rows {
				ppr32[v] = float32(fp[v])
				if pur != nil {
					pur[v] = fpur[v]
				}
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		return pprCols(ppr32, pur), nil
	}
	return pprCols(toF32(ppr), pur), nil
}

func pprCols(ppr, pur []float32) []Column {
	cols := []Column{F32("ppr", ppr)}
	if pur != nil {
		cols = append(cols, F32("ppr_purified", pur))
	}
	return cols
}

// outOfFold calls each(f, fbad, scale, rows) for each fold f of opt.Folds: fbad are the bad
// nodes outside fold f, scale = |training labels| / |training labels outside f| (counted over
// opt.Known, or the bad nodes without it), rows the training rows in fold f, whose values each
// must set from fbad.
func outOfFold(trainBad []bool, opt *LabelOptions, each func(f int, fbad []bool, scale float64, rows []int) error) error {
	k := opt.Folds
	rowOf := opt.Known
	if rowOf == nil {
		rowOf = trainBad
	}
	rows := make([][]int, k)
	total := 0
	for v, r := range rowOf {
		if r {
			f := foldOf(v, k)
			rows[f] = append(rows[f], v)
			total++
		}
	}
	fbad := make([]bool, len(trainBad))
	for f := range k {
		for v, b := range trainBad {
			fbad[v] = b && foldOf(v, k) != f
		}
		scale := float64(total) / float64(max(1, total-len(rows[f])))
		if err := each(f, fbad, scale, rows[f]); err != nil {
			return err
		}
	}
	return nil
}

// foldOf is node v's fold among k, by a fixed hash of its dense id (splitmix64's finaliser), so
// that the folds do not follow any order of the ids.
func foldOf(v, k int) int {
	z := uint64(v) + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return int(z % uint64(k))
}

func toF32(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}
