package pipeline

import (
	"fmt"
	"slices"
	"strings"

	"riskwalk/features"
	"riskwalk/model"
)

// Block names: the column groups a model can use.
const (
	BlockAttributes = "attributes" // node attribute table, columns "attr.<name>"
	BlockNeighbour  = "neighbour"  // attributes' means over neighbours and log degrees (NeighbourMeans)
	BlockGraph      = "graph"      // feature file columns, minus ids and label-derived ones
	BlockLabels     = "labels"     // label-derived graph columns, recomputed from training labels
	BlockEmbedding  = "embedding"  // vector file, columns "emb.<k>"
)

// idColumns are feature-file columns that hold ids, not measurements.
var idColumns = []string{"wcc_id", "louvain_id"}

// Block is one column group: Fill writes its len(Names) values for node v into dst.
type Block struct {
	Name  string
	Names []string
	Fill  func(dst []float64, v uint32)
}

// Table is the model's input row for any node: its blocks' columns side by side.
type Table struct {
	Blocks []Block
}

// Names are the column names in row order.
func (t *Table) Names() []string {
	var out []string
	for _, b := range t.Blocks {
		out = append(out, b.Names...)
	}
	return out
}

// BlockNames lists the blocks in order.
func (t *Table) BlockNames() []string {
	var out []string
	for _, b := range t.Blocks {
		out = append(out, b.Name)
	}
	return out
}

// Row fills dst (len = len(Names())) with node v's row. It does not allocate.
func (t *Table) Row(dst []float64, v uint32) {
	o := 0
	for _, b := range t.Blocks {
		b.Fill(dst[o:o+len(b.Names)], v)
		o += len(b.Names)
	}
}

// Matrix returns the rows of the given nodes as a dense matrix (row i = node rows[i]).
func (t *Table) Matrix(rows []uint32) *model.Matrix {
	m := model.NewMatrix(len(rows), t.Names())
	for i, v := range rows {
		t.Row(m.Row(i), v)
	}
	return m
}

// Select returns a table with the named blocks only, in t's order.
func (t *Table) Select(names ...string) *Table {
	out := &Table{}
	for _, b := range t.Blocks {
		if slices.Contains(names, b.Name) {
			out.Blocks = append(out.Blocks, b)
		}
	}
	return out
}

// BaseBlocks are the blocks that do not depend on labels, in the order attributes, neighbour
// (with Paths.AttrNeighbourMeans), graph, embedding, for whichever inputs are open.
func (in *Inputs) BaseBlocks() []Block {
	var bs []Block
	if in.Attr != nil {
		a := in.Attr
		bs = append(bs, Block{Name: BlockAttributes, Names: a.Names, Fill: func(dst []float64, v uint32) { copy(dst, a.Row(int(v))) }})
	}
	if in.NbAttr != nil {
		a := in.NbAttr
		bs = append(bs, Block{Name: BlockNeighbour, Names: a.Names, Fill: func(dst []float64, v uint32) { copy(dst, a.Row(int(v))) }})
	}
	if in.Feat != nil {
		var names []string
		var cols [][]float32
		for _, c := range in.Feat.Columns() {
			// A feature file may hold label-derived columns (computed from whatever labels it
			// was given): they are always recomputed from the training labels instead.
			if slices.Contains(idColumns, c) || features.IsLabelDerived(c) {
				continue
			}
			x, err := in.Feat.Column(c)
			if err != nil {
				continue // Open checked every column; a failure here cannot happen
			}
			names = append(names, c)
			cols = append(cols, x)
		}
		if len(names) > 0 {
			bs = append(bs, Block{Name: BlockGraph, Names: names, Fill: colsFill(cols)})
		}
	}
	if in.vec != nil {
		x := in.vec
		names := make([]string, x.dim)
		for k := range names {
			names[k] = fmt.Sprintf("emb.%d", k)
		}
		var buf []float32
		if rows, ok := x.f32rows(); ok {
			stride := x.stride()
			bs = append(bs, Block{Name: BlockEmbedding, Names: names, Fill: func(dst []float64, v uint32) {
				for k, f := range rows[int(v)*stride : int(v)*stride+len(dst)] {
					dst[k] = float64(f)
				}
			}})
		} else {
			bs = append(bs, Block{Name: BlockEmbedding, Names: names, Fill: func(dst []float64, v uint32) {
				buf = x.row(buf[:0], v) // int8 files: not safe for concurrent use
				for k, f := range buf {
					dst[k] = float64(f)
				}
			}})
		}
	}
	return bs
}

func colsFill(cols [][]float32) func(dst []float64, v uint32) {
	return func(dst []float64, v uint32) {
		for j, c := range cols {
			dst[j] = float64(c[v])
		}
	}
}

// LabelOptions are the settings of the label-derived block, recorded in model.json so that
// bundle recomputes the same columns.
type LabelOptions struct {
	Damping   float64 `json:"damping"`
	TwoHopPPR bool    `json:"two_hop_ppr"`
	// PPRScale "seeds": PPR columns are multiplied by the number of seeds, so they read as "bad
	// seeds' worth of visits".
	PPRScale string `json:"ppr_scale"`
	// Neighbour adds features.NeighbourLabels' columns (training-labelled and bad neighbours,
	// their smoothed share, the same within two hops, the neighbours' shares).
	Neighbour bool `json:"neighbour_labels"`
	// Folds > 1: the training rows' columns that aggregate over a set holding the row itself
	// (PPR, community counts, neighbours' shares) are computed out of fold (see
	// features.LabelOptions.Folds), so that no row's own label shifts its own columns.
	Folds         int     `json:"folds,omitempty"`
	Smoothing     float64 `json:"smoothing,omitempty"`       // α of the smoothed shares (0: features' default 2)
	Hop2DegreeCap uint32  `json:"hop2_degree_cap,omitempty"` // hubs not expanded at two hops (0: default 5000)
}

// DefaultLabelOptions are used by fit and eval.
var DefaultLabelOptions = LabelOptions{Damping: 0.85, PPRScale: "seeds", Neighbour: true, Folds: 5}

// LabelBlock computes the label-derived columns (features.LabelDerived) from the training labels
// alone: trainKnown[v] is true only for nodes labelled in the training labels, trainBad[v] only
// for those labelled bad there. The community columns need a feature file with louvain_id.
func (in *Inputs) LabelBlock(trainKnown, trainBad []bool, opt LabelOptions) (Block, error) {
	lo := features.LabelOptions{PageRank: features.PageRankOptions{Damping: opt.Damping, Tol: 1e-9, MaxIter: 1000}, TwoHopPPR: opt.TwoHopPPR, User: in.User,
		Known: trainKnown, Folds: opt.Folds}
	if opt.Neighbour {
		lo.Neighbour = &features.NeighbourLabelOptions{Smoothing: opt.Smoothing, Hop2DegreeCap: opt.Hop2DegreeCap}
	}
	nSeeds := 0
	for _, b := range trainBad {
		if b {
			nSeeds++
		}
	}
	if nSeeds == 0 {
		return Block{}, fmt.Errorf("label-derived features: no bad node among the training labels")
	}
	cols, err := features.LabelDerived(in.G.Graph, in.Comm, trainBad, lo)
	if err != nil {
		return Block{}, err
	}
	var names []string
	var xs [][]float32
	for _, c := range cols {
		x := c.F
		if c.Type == features.Uint32 {
			x = make([]float32, len(c.U))
			for i, u := range c.U {
				x[i] = float32(u)
			}
		} else if strings.HasPrefix(c.Name, "ppr") && opt.PPRScale == "seeds" {
			for i := range x {
				x[i] *= float32(nSeeds)
			}
		}
		names = append(names, c.Name)
		xs = append(xs, x)
	}
	return Block{Name: BlockLabels, Names: names, Fill: colsFill(xs)}, nil
}

// Groups for the ablation: which blocks each row of the table uses.
type Group struct {
	Name   string
	Blocks []string
}

// AblationGroups lists the ablation rows that the present blocks allow: each input alone (graph
// features with their label-derived columns), attributes with their neighbour means, everything
// but the neighbour means and everything but the embedding (when those blocks and something else
// are present), and everything.
func AblationGroups(present []string) []Group {
	has := func(b string) bool { return slices.Contains(present, b) }
	all := []string{BlockAttributes, BlockNeighbour, BlockGraph, BlockLabels, BlockEmbedding}
	but := func(b string) []string {
		return slices.DeleteFunc(slices.Clone(all), func(x string) bool { return x == b })
	}
	var gs []Group
	if has(BlockAttributes) {
		gs = append(gs, Group{"node attributes only", []string{BlockAttributes}})
	}
	if has(BlockNeighbour) {
		gs = append(gs, Group{"attributes + neighbour means", []string{BlockAttributes, BlockNeighbour}})
	}
	if has(BlockGraph) || has(BlockLabels) {
		gs = append(gs, Group{"graph features only", []string{BlockGraph, BlockLabels}})
	}
	if has(BlockEmbedding) {
		gs = append(gs, Group{"embedding only", []string{BlockEmbedding}})
	}
	n := len(gs)
	if has(BlockNeighbour) && n > 2 {
		gs = append(gs, Group{"all but neighbour means", but(BlockNeighbour)})
	}
	if has(BlockEmbedding) && n > 2 {
		gs = append(gs, Group{"all but embedding", but(BlockEmbedding)})
	}
	if len(gs) > 1 {
		gs = append(gs, Group{"all", all})
	}
	return gs
}
