package model

import (
	"fmt"
	"math"
)

// Standardizer maps a raw feature vector x to z with z_j = (x_j - Mean_j) / Std_j. It is fitted on
// training rows only, so no statistic of validation or test rows reaches the model.
//
// Contracts: a constant column (Std_j == 0 on the training rows) maps to z_j = 0 always; a NaN or
// infinite x_j maps to z_j = 0 (the training mean). Callers that must reject non-finite input check
// it first (Matrix.CheckFinite); FitStandardizer does so unless told to impute.
type Standardizer struct {
	Names []string  `json:"names"`
	Mean  []float64 `json:"mean"`
	// Std is the population standard deviation on the training rows; 0 marks a constant column.
	Std []float64 `json:"std"`
	inv []float64 // 1/Std_j, or 0 for a constant column; rebuilt by init
}

// StandardizeOptions control FitStandardizer.
type StandardizeOptions struct {
	// SkipNonFinite imputes NaN/±Inf training values with the column's finite mean and counts them
	// in the report, instead of failing on the first one.
	SkipNonFinite bool
}

// StandardizeReport says what FitStandardizer met on the training rows.
type StandardizeReport struct {
	NonFinite []int    // per column: NaN/±Inf values imputed (all zero unless SkipNonFinite)
	Constant  []string // names of columns constant on the training rows (they contribute nothing)
}

// TotalNonFinite is the number of imputed values over all columns.
func (r *StandardizeReport) TotalNonFinite() int {
	s := 0
	for _, c := range r.NonFinite {
		s += c
	}
	return s
}

// FitStandardizer computes per-column mean and standard deviation over the given rows of m (all
// rows when rows is nil). Without SkipNonFinite the first NaN or ±Inf is an error naming its row
// and column.
func FitStandardizer(m *Matrix, rows []int, opt StandardizeOptions) (*Standardizer, StandardizeReport, error) {
	rep := StandardizeReport{NonFinite: make([]int, m.Cols)}
	if err := m.Validate(); err != nil {
		return nil, rep, err
	}
	if !opt.SkipNonFinite {
		if err := m.CheckFinite(rows); err != nil {
			return nil, rep, err
		}
	}
	n := len(rows)
	if rows == nil {
		n = m.Rows
	}
	if n == 0 {
		return nil, rep, fmt.Errorf("model: cannot fit a standardizer on zero training rows")
	}
	row := func(k int) []float64 {
		if rows == nil {
			return m.Row(k)
		}
		return m.Row(rows[k])
	}
	// Two passes (mean, then centred squares) for accuracy.
	sum := make([]float64, m.Cols)
	cnt := make([]int, m.Cols)
	for k := 0; k < n; k++ {
		for j, v := range row(k) {
			if finite(v) {
				sum[j] += v
				cnt[j]++
			} else {
				rep.NonFinite[j]++
			}
		}
	}
	s := &Standardizer{Names: append([]string(nil), m.Names...), Mean: make([]float64, m.Cols), Std: make([]float64, m.Cols)}
	for j := range sum {
		if cnt[j] > 0 {
			s.Mean[j] = sum[j] / float64(cnt[j])
		}
	}
	ss := make([]float64, m.Cols)
	for k := 0; k < n; k++ {
		for j, v := range row(k) {
			if finite(v) {
				d := v - s.Mean[j]
				ss[j] += d * d
			}
		}
	}
	for j := range ss {
		// Imputed values sit at the mean, so they add nothing to ss but count in n.
		sd := math.Sqrt(ss[j] / float64(n))
		if sd <= 1e-12*math.Max(1, math.Abs(s.Mean[j])) {
			sd = 0
			rep.Constant = append(rep.Constant, m.Names[j])
		}
		s.Std[j] = sd
	}
	s.init()
	return s, rep, nil
}

func (s *Standardizer) init() {
	s.inv = make([]float64, len(s.Std))
	for j, sd := range s.Std {
		if sd > 0 {
			s.inv[j] = 1 / sd
		}
	}
}

// Len is the number of features.
func (s *Standardizer) Len() int { return len(s.Mean) }

// Z is the standardised value of feature j.
func (s *Standardizer) Z(j int, x float64) float64 {
	if !finite(x) {
		return 0
	}
	return (x - s.Mean[j]) * s.inv[j]
}

// Transform writes z for x into dst (len(dst) >= Len()) and returns dst[:Len()]. x and dst may alias.
func (s *Standardizer) Transform(dst, x []float64) []float64 {
	dst = dst[:len(s.Mean)]
	for j := range dst {
		dst[j] = s.Z(j, x[j])
	}
	return dst
}

// TransformMatrix returns a standardised copy of m (columns must match the standardizer's).
func (s *Standardizer) TransformMatrix(m *Matrix) (*Matrix, error) {
	if m.Cols != s.Len() {
		return nil, fmt.Errorf("model: matrix has %d columns, standardizer %d", m.Cols, s.Len())
	}
	out := NewMatrix(m.Rows, m.Names)
	for i := 0; i < m.Rows; i++ {
		s.Transform(out.Row(i), m.Row(i))
	}
	return out, nil
}
