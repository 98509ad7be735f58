package trainer

import (
	"fmt"

	"riskwalk/walk"
)

// Model holds the two embedding matrices of skip-gram as flat row-major slices: In (the node
// vectors that are the embedding; word2vec's syn0) and Out (the context vectors; syn1neg). Row r
// occupies [r*Stride, r*Stride+Dim); Stride is Dim rounded up to a multiple of 16 floats (64 bytes)
// so that every row is SIMD- and cache-line-aligned relative to the slice start, and the padding
// floats are zero and stay zero under training (every update is a multiple of an In or Out row).
//
// A Model's rows are "local rows": in a one-process run row r is node r; a rank of the distributed
// trainer holds only some nodes and maps them with a RowMap.
type Model struct {
	Dim, Stride, Rows int
	In, Out           []float32
}

// StrideFor is the row stride used for dimension dim.
func StrideFor(dim int) int { return (dim + 15) &^ 15 }

// NewModel allocates a zeroed model of rows x dim.
func NewModel(rows, dim int) (*Model, error) {
	if dim < 1 || dim > 1<<16 {
		return nil, fmt.Errorf("trainer: dimension %d, want 1..65536", dim)
	}
	if rows < 1 {
		return nil, fmt.Errorf("trainer: %d rows, want >= 1", rows)
	}
	s := StrideFor(dim)
	return &Model{Dim: dim, Stride: s, Rows: rows, In: make([]float32, rows*s), Out: make([]float32, rows*s)}, nil
}

// InitRandom sets In uniform in [-1/Dim, 1/Dim) (gensim 4's range; word2vec.c uses half of it,
// which trains measurably slower on graphs) and Out to zero.
// Row r's values depend only on (seed, r), so a rank that holds a block of rows initialises them
// exactly as a single process would if it passes each row's global id through InitRows.
func (m *Model) InitRandom(seed uint64) { m.InitRows(seed, nil) }

// InitRows is InitRandom where local row r is seeded by nodes[r] (nil: by r); nodes, if not nil,
// has one entry per row.
func (m *Model) InitRows(seed uint64, nodes []uint32) {
	for r := 0; r < m.Rows; r++ {
		id := uint64(r)
		if nodes != nil {
			id = uint64(nodes[r])
		}
		m.initRow(r, seed, id)
		clear(m.Out[r*m.Stride : (r+1)*m.Stride])
	}
}

func (m *Model) initRow(r int, seed, id uint64) {
	rng := walk.NewRand(walk.Stream(seed, streamInit, id))
	row := m.In[r*m.Stride : (r+1)*m.Stride]
	scale := 2 / float32(m.Dim)
	for i := 0; i < m.Dim; i++ {
		row[i] = (rng.Float32() - 0.5) * scale
	}
	clear(row[m.Dim:])
}

// Vec returns row r of In (the embedding of the row's node), Dim floats, aliasing the model.
func (m *Model) Vec(r int) []float32 { return m.In[r*m.Stride : r*m.Stride+m.Dim] }

// RowMap maps global node ids to local model rows for a process that holds only some nodes.
// Local[v] is v's row or -1 (tokens of such nodes are dropped from walks, like out-of-vocabulary
// words); Nodes[r] is row r's global id. A nil *RowMap means the identity (row = node id).
type RowMap struct {
	Local []int32
	Nodes []uint32
}

// NewRowMap builds the map for the given global nodes (each once) in a graph of n nodes.
func NewRowMap(n uint32, nodes []uint32) (*RowMap, error) {
	m := &RowMap{Local: make([]int32, n), Nodes: nodes}
	for i := range m.Local {
		m.Local[i] = -1
	}
	for r, v := range nodes {
		if v >= n || m.Local[v] >= 0 {
			return nil, fmt.Errorf("trainer: row map node %d out of range or repeated", v)
		}
		m.Local[v] = int32(r)
	}
	return m, nil
}

// Stream ids that keep the random sequences of different uses apart.
const (
	streamInit  = 1
	streamPerm  = 2
	streamWalk  = 3
	streamTrain = 4
)

// AddScaled sets y[i] += a·x[i] for i < len(x) (len(y) >= len(x)) with the build's axpy kernel
// (AVX-512 or AVX2 where the CPU has them). With a = 1 or -1 every element is exact before its
// one rounding, so the result equals the plain loop's bit for bit; package spmd adds and
// subtracts replica deltas with it.
func AddScaled(a float32, x, y []float32) { axpy(a, x, y) }
