package features

import (
	"fmt"
	"strconv"

	"riskwalk/graph"
)

// RecomputeLabelDerived recomputes the label-derived columns that f holds (see LabelDerived) on
// g, the graph f was computed on, from trainBad alone, with the parameters f records (PPR
// damping and tolerance, two-hop restriction, purify thresholds, degree cap, user type) and f's
// louvain_id column as the communities. It is how a summary judges those columns on held-out
// labels. Only the columns f has are returned.
func RecomputeLabelDerived(f *File, g *graph.Graph, trainBad []bool) ([]Column, error) {
	if g.N != f.N() {
		return nil, fmt.Errorf("%s has %d rows, the graph %d nodes", f.Path, f.N(), g.N)
	}
	want := map[string]bool{}
	for _, name := range f.Columns() {
		if IsLabelDerived(name) {
			want[name] = true
		}
	}
	if len(want) == 0 {
		return nil, nil
	}
	var perr error
	num := func(key string, def float64) float64 {
		s, ok := f.Param(key)
		if !ok {
			return def
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil && perr == nil {
			perr = fmt.Errorf("%s: parameter %s=%q is not a number", f.Path, key, s)
		}
		return x
	}
	opt := LabelOptions{
		PageRank: PageRankOptions{Damping: num("ppr_damping", 0), Tol: num("ppr_tol", 0)},
		Purify: PurifyOptions{TopFrac: num("purify_top", 0), MinLift: num("purify_lift", 0),
			MinBad: int(num("purify_min_bad", 0))},
		DegreeCap: uint32(num("twohop_degree_cap", 0)),
	}
	opt.TwoHopPPR, _ = strconv.ParseBool(paramOr(f, "ppr_two_hop", "false"))
	if perr != nil {
		return nil, perr
	}
	if g.Types != nil {
		u, err := UserType(g, paramOr(f, "user_type", "user"))
		if err != nil {
			return nil, err
		}
		opt.User = u
	}
	var comm []uint32
	if want["louvain_bad"] || want["ppr_purified"] {
		c, err := f.ColumnUint32("louvain_id")
		if err != nil {
			return nil, fmt.Errorf("%s: the community columns need louvain_id: %w", f.Path, err)
		}
		comm = c
	}
	cols, err := LabelDerived(g, comm, trainBad, opt)
	if err != nil {
		return nil, err
	}
	out := cols[:0]
	for _, c := range cols {
		if want[c.Name] {
			out = append(out, c)
		}
	}
	return out, nil
}

func paramOr(f *File, key, def string) string {
	if s, ok := f.Param(key); ok {
		return s
	}
	return def
}
