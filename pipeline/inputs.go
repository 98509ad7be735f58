package pipeline

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"riskwalk/features"
	"riskwalk/graph"
	"riskwalk/model"
)

// Paths name the input files of fit, eval and bundle. Graph is required; the others are optional
// here (each command says which it needs).
type Paths struct {
	Graph      string // graph.rwg; its id index is graph.IDPath(Graph)
	Vectors    string // vectors.rwv (embedding block)
	Features   string // features.rwf (graph block; its louvain_id column gives communities)
	Attributes string // node attribute table (attribute block)
	Labels     string // id<TAB>label (1 = bad), ids as in the edge lists
	// AttrByLine: the attribute table has no id column; data line k belongs to external id k.
	AttrByLine bool
	// AttrNeighbourMeans adds the neighbour block (NeighbourMeans of the attribute table: each
	// attribute's mean over the node's neighbours, log degree, neighbours' mean log degree).
	AttrNeighbourMeans bool
	// SkipBad counts and skips bad label and attribute lines (unknown ids, duplicates, bad or
	// non-finite values, which become NaN and are imputed) instead of failing on the first.
	SkipBad bool
	// UserType names the account node type of a typed graph (default "user").
	UserType string
}

// Inputs are the opened inputs, all indexed by the graph's dense node ids.
type Inputs struct {
	Paths
	G   *graph.File
	IDs *graph.IDIndex
	// Feat is the feature file (nil without one) and Comm its louvain_id column (nil without).
	Feat *features.File
	Comm []uint32
	vec  *vectors
	// Attr is the attribute matrix, one row per dense node (nil without).
	Attr       *model.Matrix
	AttrReport model.InputReport
	// NbAttr is the neighbour block's matrix (nil without attributes or AttrNeighbourMeans).
	NbAttr *model.Matrix
	// Labels (nil without a labels file) and what reading them skipped.
	Labels      *model.Labels
	LabelReport model.InputReport
	// User is the user type code of a typed graph; Users[v] says whether v is a user (all true for
	// an untyped graph).
	User  uint8
	Users []bool
}

// Open opens every named input and checks that each was made for this graph: a feature or vector
// file recording another graph's checksum is an error naming both checksums.
func Open(p Paths, log io.Writer) (*Inputs, error) {
	in := &Inputs{Paths: p}
	if err := in.open(log); err != nil {
		in.Close()
		return nil, err
	}
	return in, nil
}

func (in *Inputs) open(log io.Writer) (err error) {
	p := in.Paths
	if log == nil {
		log = io.Discard
	}
	if p.Graph == "" {
		return errors.New("no graph given (--graph graph.rwg)")
	}
	if p.UserType == "" {
		p.UserType = "user"
	}
	in.UserType = p.UserType
	if in.G, err = graph.Open(p.Graph); err != nil {
		return err
	}
	if in.IDs, err = graph.OpenIDs(graph.IDPath(p.Graph)); err != nil {
		return fmt.Errorf("id index of %s: %w", p.Graph, err)
	}
	sum := in.G.Checksum()
	if gs := in.IDs.GraphChecksum(); gs != 0 && gs != sum {
		return fmt.Errorf("%s belongs to another graph (checksum %016x, %s has %016x): re-run ingest", graph.IDPath(p.Graph), gs, p.Graph, sum)
	}
	n := int(in.G.N)
	in.Users = make([]bool, n)
	if in.G.Types != nil {
		if in.User, err = features.UserType(in.G.Graph, p.UserType); err != nil {
			return fmt.Errorf("%s: %w", p.Graph, err)
		}
		for v, t := range in.G.Types {
			in.Users[v] = t == in.User
		}
	} else {
		for v := range in.Users {
			in.Users[v] = true
		}
	}
	if p.Features != "" {
		if in.Feat, err = features.Open(p.Features); err != nil {
			return err
		}
		if err = in.Feat.CheckGraph(sum); err != nil {
			return fmt.Errorf("%w (graph %s)", err, p.Graph)
		}
		if int(in.Feat.N()) != n {
			return fmt.Errorf("%s has %d rows, the graph %d nodes", p.Features, in.Feat.N(), n)
		}
		if t, ok := in.Feat.Type("louvain_id"); ok && t == features.Uint32 {
			if in.Comm, err = in.Feat.ColumnUint32("louvain_id"); err != nil {
				return err
			}
		}
	}
	if p.Vectors != "" {
		if in.vec, err = openVectors(p.Vectors); err != nil {
			return err
		}
		switch {
		case in.vec.graph != 0 && in.vec.graph != sum:
			return fmt.Errorf("%s was trained on another graph (checksum %016x, %s has %016x): retrain the vectors on this graph", p.Vectors, in.vec.graph, p.Graph, sum)
		case in.vec.count != uint64(n):
			return fmt.Errorf("%s holds %d vectors, the graph has %d nodes: retrain the vectors on this graph", p.Vectors, in.vec.count, n)
		case in.vec.graph == 0:
			fmt.Fprintf(log, "warning: %s records no graph checksum; only its row count (%d) could be checked\n", p.Vectors, n)
		}
	}
	lookup := func(tok string) (uint32, bool) { return in.IDs.Lookup(tok) }
	if p.Attributes != "" {
		if err = in.readAttributes(lookup); err != nil {
			return err
		}
		if s := in.AttrReport.Skipped(); s > 0 {
			fmt.Fprintf(log, "%s: skipped %d values or lines (%d unknown ids, %d duplicates, %d bad, %d NaN/Inf), e.g. %v\n",
				p.Attributes, s, in.AttrReport.UnknownIDs, in.AttrReport.Duplicates, in.AttrReport.BadValues, in.AttrReport.NonFinite, in.AttrReport.Examples)
		}
		if p.AttrNeighbourMeans {
			in.NbAttr = NeighbourMeans(in.G.Graph, in.Attr)
		}
	}
	if p.Labels != "" {
		if in.Labels, in.LabelReport, err = model.ReadLabels(p.Labels, n, model.InputOptions{ID: lookup, Skip: p.SkipBad}); err != nil {
			return err
		}
		if s := in.LabelReport.Skipped(); s > 0 {
			fmt.Fprintf(log, "%s: skipped %d lines (%d unknown ids, %d duplicates, %d bad labels), e.g. %v\n",
				p.Labels, s, in.LabelReport.UnknownIDs, in.LabelReport.Duplicates, in.LabelReport.BadValues, in.LabelReport.Examples)
		}
		l, b := in.Labels.Count()
		if l == 0 {
			return fmt.Errorf("%s: no labelled node of this graph", p.Labels)
		}
		fmt.Fprintf(log, "labels: %d labelled, %d bad (%.2f%%) from %s\n", l, b, 100*float64(b)/float64(l), p.Labels)
	}
	return nil
}

// readAttributes reads the attribute table keyed by external id, or by line (AttrByLine).
func (in *Inputs) readAttributes(lookup func(string) (uint32, bool)) error {
	n := int(in.G.N)
	opt := model.AttributeOptions{InputOptions: model.InputOptions{ID: lookup, Skip: in.SkipBad}, IDColumn: !in.AttrByLine, Prefix: "attr."}
	var err error
	if in.Attr, in.AttrReport, err = model.ReadAttributes(in.Attributes, n, opt); err != nil {
		return err
	}
	if !in.AttrByLine {
		return nil
	}
	// Line k is external id k: move it to its dense row.
	out := model.NewMatrix(n, in.Attr.Names)
	for i := range out.Data {
		out.Data[i] = math.NaN()
	}
	for k := 0; k < n; k++ {
		v, ok := in.IDs.Lookup(strconv.Itoa(k))
		if !ok {
			return fmt.Errorf("%s: data line %d is for external id %d, which the graph lacks; give the table an id column", in.Attributes, k+1, k)
		}
		copy(out.Row(int(v)), in.Attr.Row(k))
	}
	in.Attr = out
	return nil
}

// Close releases every opened file.
func (in *Inputs) Close() error {
	var errs []error
	if in.vec != nil {
		errs = append(errs, in.vec.close())
	}
	if in.Feat != nil {
		errs = append(errs, in.Feat.Close())
	}
	if in.IDs != nil {
		errs = append(errs, in.IDs.Close())
	}
	if in.G != nil {
		errs = append(errs, in.G.Close())
	}
	return errors.Join(errs...)
}

// Labelled returns the labelled nodes in id order and their labels (true = bad).
func (in *Inputs) Labelled() (rows []uint32, y []bool) {
	for v, h := range in.Labels.Has {
		if h {
			rows = append(rows, uint32(v))
			y = append(y, in.Labels.Bad[v])
		}
	}
	return
}
