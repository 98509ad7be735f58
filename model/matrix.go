package model

import (
	"fmt"
	"math"
)

// Matrix is a dense row-major design matrix: Data[i*Cols+j] is feature j of row i. Names holds one
// name per column. A Matrix owns Data; Row returns a view into it.
type Matrix struct {
	Rows, Cols int
	Data       []float64
	Names      []string
}

// NewMatrix allocates a zeroed rows x len(names) matrix; names are copied.
func NewMatrix(rows int, names []string) *Matrix {
	return &Matrix{Rows: rows, Cols: len(names), Data: make([]float64, rows*len(names)),
		Names: append([]string(nil), names...)}
}

// Row is row i as a slice aliasing Data (writes go into the matrix).
func (m *Matrix) Row(i int) []float64 { return m.Data[i*m.Cols : (i+1)*m.Cols : (i+1)*m.Cols] }

// At is element (i, j).
func (m *Matrix) At(i, j int) float64 { return m.Data[i*m.Cols+j] }

// Set stores v at (i, j).
func (m *Matrix) Set(i, j int, v float64) { m.Data[i*m.Cols+j] = v }

// Col appends column j (all rows) to dst and returns it.
func (m *Matrix) Col(dst []float64, j int) []float64 {
	for i := 0; i < m.Rows; i++ {
		dst = append(dst, m.Data[i*m.Cols+j])
	}
	return dst
}

// Validate checks the shape (len(Data) == Rows*Cols, len(Names) == Cols, names unique and non-empty).
func (m *Matrix) Validate() error {
	if m.Rows < 0 || m.Cols < 0 || len(m.Data) != m.Rows*m.Cols {
		return fmt.Errorf("model: matrix %dx%d holds %d values, want %d", m.Rows, m.Cols, len(m.Data), m.Rows*m.Cols)
	}
	if len(m.Names) != m.Cols {
		return fmt.Errorf("model: matrix has %d columns but %d names", m.Cols, len(m.Names))
	}
	seen := make(map[string]int, len(m.Names))
	for j, n := range m.Names {
		if n == "" {
			return fmt.Errorf("model: column %d has an empty name", j)
		}
		if k, dup := seen[n]; dup {
			return fmt.Errorf("model: columns %d and %d are both named %q; give every feature a unique name", k, j, n)
		}
		seen[n] = j
	}
	return nil
}

// HStack returns a new matrix with the columns of ms side by side (all must have the same Rows).
// It is how extra feature blocks (embeddings, graph features) join node attributes.
func HStack(ms ...*Matrix) (*Matrix, error) {
	if len(ms) == 0 {
		return nil, fmt.Errorf("model: HStack of nothing")
	}
	rows := ms[0].Rows
	var names []string
	for k, m := range ms {
		if m.Rows != rows {
			return nil, fmt.Errorf("model: HStack block %d has %d rows, block 0 has %d", k, m.Rows, rows)
		}
		names = append(names, m.Names...)
	}
	out := NewMatrix(rows, names)
	for i := 0; i < rows; i++ {
		dst := out.Row(i)[:0]
		for _, m := range ms {
			dst = append(dst, m.Row(i)...)
		}
	}
	return out, out.Validate()
}

// SelectCols returns a new matrix holding the named columns in the given order.
func (m *Matrix) SelectCols(names []string) (*Matrix, error) {
	idx := make([]int, len(names))
	for k, n := range names {
		idx[k] = -1
		for j, mn := range m.Names {
			if mn == n {
				idx[k] = j
				break
			}
		}
		if idx[k] < 0 {
			return nil, fmt.Errorf("model: no column named %q", n)
		}
	}
	out := NewMatrix(m.Rows, names)
	for i := 0; i < m.Rows; i++ {
		src, dst := m.Row(i), out.Row(i)
		for k, j := range idx {
			dst[k] = src[j]
		}
	}
	return out, nil
}

// NonFinite describes one NaN or infinite value found in a matrix.
type NonFinite struct {
	Row, Col int
	Name     string
	Value    float64
}

func (e *NonFinite) Error() string {
	return fmt.Sprintf("model: row %d column %d (%s) is %v; fix or drop the input value, or pass the skip-non-finite option to impute it with the training mean",
		e.Row, e.Col, e.Name, e.Value)
}

// CheckFinite returns a *NonFinite error for the first NaN or ±Inf among rows (all rows when nil).
func (m *Matrix) CheckFinite(rows []int) error {
	check := func(i int) error {
		for j, v := range m.Row(i) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return &NonFinite{Row: i, Col: j, Name: m.Names[j], Value: v}
			}
		}
		return nil
	}
	if rows == nil {
		for i := 0; i < m.Rows; i++ {
			if err := check(i); err != nil {
				return err
			}
		}
		return nil
	}
	for _, i := range rows {
		if err := check(i); err != nil {
			return err
		}
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
