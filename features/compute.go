package features

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"riskwalk/graph"
	"riskwalk/internal/progress"
)

// Groups are the names accepted by Options.Groups (and the command's --columns), in the order
// their columns appear. Each group yields the columns listed:
//
//	degree       degree [wdegree] (undirected) or deg_in deg_out [wdeg_in wdeg_out] (directed)
//	media        media_distinct                                          (typed graphs)
//	pagerank     pagerank
//	wcc          wcc_id wcc_size
//	kcore        kcore
//	louvain      louvain_id louvain_size [louvain_bad louvain_bad_share]  (needs Options.Communities)
//	triangles    triangles clustering
//	motifs       m2_* and m3_* (33 roles, see Motifs)                    (directed graphs)
//	betweenness  betweenness
//	twohop       th_users th_weight th_max_media_deg th_capped_media [th_bad] (typed graphs)
//	ppr          ppr [ppr_purified]                                      (needs labels)
//
// Bracketed columns appear when the graph is weighted, or labels (and, for ppr_purified,
// communities) are given.
var Groups = []string{"degree", "media", "pagerank", "wcc", "kcore", "louvain", "triangles", "motifs", "betweenness", "twohop", "ppr"}

// Options tune Compute.
type Options struct {
	// Groups to compute; empty means every group that applies to the graph.
	Groups   []string
	PageRank PageRankOptions
	// Samples is the number of betweenness sources (default 64); Seed picks them.
	Samples int
	Seed    uint64
	// DegreeCap bounds the media that the two-hop features expand (default 1000).
	DegreeCap uint32
	// UserTypeName names the account node type of a typed graph (default "user").
	UserTypeName string
	// Labels feed the label-derived columns; nil for none. Only the training labels belong here.
	Labels    *Labels
	TwoHopPPR bool
	Purify    PurifyOptions
	// Communities computes the community assignment (the shared Louvain) and the modularity it
	// reached; nil leaves the louvain group unavailable.
	Communities func(g *graph.Graph) (comm []uint32, modularity float64, err error)
	// Log receives one line per group (timing, iterations, modularity); nil for silence.
	Log io.Writer
}

// Result is Compute's output: the columns and the parameters to record in the file.
type Result struct {
	Columns    []Column
	Params     []Param
	Modularity float64 // the modularity Louvain reached (when computed)
}

func has(list []string, s string) bool { return slices.Contains(list, s) }

// applicable reports whether a group can run on g with opt, and why not.
func applicable(group string, g *graph.Graph, opt *Options) error {
	switch group {
	case "media", "twohop":
		if g.Types == nil {
			return fmt.Errorf("the %s features need a typed user-medium graph (this graph has no node types)", group)
		}
	case "motifs":
		if !g.Directed {
			return fmt.Errorf("motif roles need a directed graph (use triangles for undirected graphs)")
		}
	case "louvain":
		if opt.Communities == nil {
			return fmt.Errorf("louvain communities are not available in this build")
		}
	case "ppr":
		if opt.Labels == nil {
			return fmt.Errorf("ppr needs a labels file (--labels)")
		}
	case "degree", "pagerank", "wcc", "kcore", "triangles", "betweenness":
	default:
		return fmt.Errorf("unknown feature group %q (groups: %s)", group, strings.Join(Groups, ","))
	}
	return nil
}

// Compute computes the requested feature groups for every node of g. Label-derived columns use
// opt.Labels and nothing else.
func Compute(g *graph.Graph, opt Options) (*Result, error) {
	groups := opt.Groups
	if len(groups) == 0 {
		for _, gr := range Groups {
			if applicable(gr, g, &opt) == nil {
				groups = append(groups, gr)
			}
		}
	} else {
		for _, gr := range groups {
			if err := applicable(gr, g, &opt); err != nil {
				return nil, err
			}
		}
		// Canonical order: louvain before ppr (purify needs the communities), columns stable.
		groups = slices.Clone(groups)
		slices.SortStableFunc(groups, func(a, b string) int { return slices.Index(Groups, a) - slices.Index(Groups, b) })
		groups = slices.Compact(groups)
	}
	if opt.Labels != nil && len(opt.Labels.Bad) != int(g.N) {
		return nil, fmt.Errorf("labels cover %d nodes, the graph has %d", len(opt.Labels.Bad), g.N)
	}
	if opt.Samples == 0 {
		opt.Samples = 64
	}
	if opt.DegreeCap == 0 {
		opt.DegreeCap = 1000
	}
	if opt.UserTypeName == "" {
		opt.UserTypeName = "user"
	}
	logf := func(format string, a ...any) {
		if opt.Log != nil {
			fmt.Fprintf(opt.Log, format+"\n", a...)
		}
	}
	res := &Result{}
	param := func(k string, v any) { res.Params = append(res.Params, Param{k, fmt.Sprint(v)}) }
	param("groups", strings.Join(groups, ","))
	param("nodes", g.N)
	param("directed", g.Directed)
	if opt.Labels != nil {
		param("labels", opt.Labels.Path)
		param("labels_crc64", fmt.Sprintf("%016x", opt.Labels.Checksum))
		param("labels_bad", opt.Labels.NBad)
	}
	var user uint8
	if g.Types != nil && (has(groups, "media") || has(groups, "twohop") || has(groups, "ppr")) {
		var err error
		if user, err = UserType(g, opt.UserTypeName); err != nil {
			return nil, err
		}
		param("user_type", opt.UserTypeName)
	}
	meter := progress.Start("features", "groups", int64(len(groups)), 0, nil)
	defer meter.Finish()
	var view *Sym
	sym := func() *Sym {
		if view == nil {
			view = SymView(g)
		}
		return view
	}
	var comm []uint32
	var bad []bool
	if opt.Labels != nil {
		bad = opt.Labels.Bad
	}
	add := func(c ...Column) { res.Columns = append(res.Columns, c...) }
	for _, gr := range groups {
		t0 := time.Now()
		switch gr {
		case "degree":
			d := ComputeDegrees(g)
			if g.Directed {
				add(U32("deg_in", d.In), U32("deg_out", d.Out))
				if d.WIn != nil {
					add(F32("wdeg_in", d.WIn), F32("wdeg_out", d.WOut))
				}
			} else {
				add(U32("degree", d.Out))
				if d.WOut != nil {
					add(F32("wdegree", d.WOut))
				}
			}
		case "media":
			add(U32("media_distinct", DistinctMedia(sym(), g.Types, user)))
		case "pagerank":
			pr, it, err := PageRank(g, opt.PageRank)
			if err != nil {
				return nil, err
			}
			po, _ := opt.PageRank.withDefaults()
			param("pagerank_damping", po.Damping)
			param("pagerank_tol", po.Tol)
			param("pagerank_iterations", it)
			logf("pagerank: %d iterations (damping %g, tolerance %g)", it, po.Damping, po.Tol)
			add(F32("pagerank", toF32(pr)))
		case "wcc":
			id, size, count := WCC(g)
			param("wcc_count", count)
			logf("wcc: %d components", count)
			add(U32("wcc_id", id), U32("wcc_size", size))
		case "kcore":
			add(U32("kcore", KCore(sym())))
		case "louvain":
			c, q, err := opt.Communities(g)
			if err != nil {
				return nil, fmt.Errorf("louvain: %w", err)
			}
			size, err := CommunitySizes(c)
			if err != nil {
				return nil, fmt.Errorf("louvain: %w", err)
			}
			comm = c
			res.Modularity = q
			param("louvain_modularity", strconv.FormatFloat(q, 'f', 6, 64))
			logf("modularity %.4f", q)
			add(U32("louvain_id", c), U32("louvain_size", size))
			if bad != nil {
				nb, share, err := CommunityBad(c, bad)
				if err != nil {
					return nil, err
				}
				add(U32("louvain_bad", nb), F32("louvain_bad_share", share))
			}
		case "triangles":
			tri, cc := Triangles(sym())
			t32 := make([]uint32, len(tri))
			for v, x := range tri {
				t32[v] = uint32(min(x, 1<<32-1))
			}
			add(U32("triangles", t32), F32("clustering", toF32(cc)))
		case "motifs":
			m, err := Motifs(sym())
			if err != nil {
				return nil, err
			}
			for i, name := range MotifRoleNames() {
				add(U32(name, m[i]))
			}
		case "betweenness":
			bc, err := Betweenness(g, opt.Samples, opt.Seed)
			if err != nil {
				return nil, err
			}
			param("betweenness_samples", min(opt.Samples, int(g.N)))
			param("betweenness_seed", opt.Seed)
			add(F32("betweenness", toF32(bc)))
		case "twohop":
			th := TwoHopUsers(g, sym(), user, opt.DegreeCap, bad)
			param("twohop_degree_cap", opt.DegreeCap)
			add(U32("th_users", th.Users), F32("th_weight", th.Weight), U32("th_max_media_deg", th.MaxMediaDeg), U32("th_capped_media", th.Capped))
			if bad != nil {
				add(U32("th_bad", th.Bad))
			}
		case "ppr":
			// The community columns, when wanted, were computed first (group order).
			cols, err := pprColumns(g, comm, bad, &LabelOptions{PageRank: opt.PageRank, TwoHopPPR: opt.TwoHopPPR,
				Purify: opt.Purify, View: view})
			if err != nil {
				return nil, err
			}
			param("ppr_two_hop", opt.TwoHopPPR)
			if po, err := opt.PageRank.withDefaults(); err == nil {
				param("ppr_damping", po.Damping)
				param("ppr_tol", po.Tol)
			}
			if comm != nil {
				po := opt.Purify.withDefaults()
				param("purify_top", po.TopFrac)
				param("purify_lift", po.MinLift)
				param("purify_min_bad", po.MinBad)
			}
			add(cols...)
		}
		logf("%s: %s", gr, time.Since(t0).Round(time.Millisecond))
		meter.Add(1)
	}
	return res, nil
}
