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
	BlockGraph      = "graph"      // feature file columns, minus ids and label-derived ones
	BlockLabels     = "labels"     // label-derived graph columns, recomputed from training labels
	BlockEmbedding  = "embedding"  // vector file, columns "emb.<k>"
)

// idColumns are feature-file columns that hold ids, not measurements.
var idColumns = []string{"wcc_id", "louvain_id"}

// labelColumns are the columns features.LabelDerived computes; a feature file may hold them
// (computed from whatever labels it was given), so they are always recomputed here instead.
var labelColumns = []string{"louvain_bad", "louvain_bad_share", "ppr", "ppr_purified", "th_bad"}

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

// BaseBlocks are the blocks that do not depend on labels, in the order attributes, graph,
// embedding, for whichever inputs are open.
func (in *Inputs) BaseBlocks() []Block {
	var bs []Block
	if in.Attr != nil {
		a := in.Attr
		bs = append(bs, Block{Name: BlockAttributes, Names: a.Names, Fill: func(dst []float64, v uint32) { copy(dst, a.Row(int(v))) }})
	}
	if in.Feat != nil {
		var names []string
		var cols [][]float32
		for _, c := range in.Feat.Columns() {
			if slices.Contains(idColumns, c) || slices.Contains(labelColumns, c) {
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
	// seeds' worth of visits" and keep their scale when the set of training labels grows (as it
	// does from fit to bundle).
	PPRScale string `json:"ppr_scale"`
}

// DefaultLabelOptions are used by fit and eval.
var DefaultLabelOptions = LabelOptions{Damping: 0.85, PPRScale: "seeds"}

// LabelBlock computes the label-derived columns (features.LabelDerived) from trainBad alone:
// trainBad[v] is true only for nodes labelled bad in the training labels.
func (in *Inputs) LabelBlock(trainBad []bool, opt LabelOptions) (Block, error) {
	lo := features.LabelOptions{PageRank: features.PageRankOptions{Damping: opt.Damping, Tol: 1e-9, MaxIter: 1000}, TwoHopPPR: opt.TwoHopPPR, User: in.User}
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
// features with their label-derived columns), everything but the embedding (when there is an
// embedding and something else), and everything.
func AblationGroups(present []string) []Group {
	has := func(b string) bool { return slices.Contains(present, b) }
	var gs []Group
	if has(BlockAttributes) {
		gs = append(gs, Group{"node attributes only", []string{BlockAttributes}})
	}
	if has(BlockGraph) || has(BlockLabels) {
		gs = append(gs, Group{"graph features only", []string{BlockGraph, BlockLabels}})
	}
	if has(BlockEmbedding) {
		gs = append(gs, Group{"embedding only", []string{BlockEmbedding}})
	}
	if has(BlockEmbedding) && len(gs) > 2 {
		gs = append(gs, Group{"all but embedding", []string{BlockAttributes, BlockGraph, BlockLabels}})
	}
	if len(gs) > 1 {
		gs = append(gs, Group{"all", []string{BlockAttributes, BlockGraph, BlockLabels, BlockEmbedding}})
	}
	return gs
}
