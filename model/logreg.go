package model

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
)

// LogReg is an L2-regularised logistic regression on standardised features:
//
//	score(x) = σ(B + Σ_j W_j z_j),   z = Scale.Transform(x),   σ(s) = 1/(1+e^-s).
//
// Every score splits exactly into per-feature contributions W_j z_j plus the bias B (log-odds).
type LogReg struct {
	Scale *Standardizer
	W     []float64
	B     float64
}

// LogRegOptions control FitLogReg. Zero values select the defaults noted.
type LogRegOptions struct {
	// Lambda is the L2 penalty on W (not B) in the mean weighted log-loss objective
	// (1/Σc_i) Σ c_i ℓ_i + λ/2 ||W||². Default 1e-3; set NoPenalty for exactly 0.
	Lambda    float64
	NoPenalty bool
	// PosWeight and NegWeight are the class weights c_i. Both zero: balanced, n/(2P) and n/(2N).
	PosWeight, NegWeight float64
	// Tol stops when the gradient's max-norm is below Tol (default 1e-6). MaxIter caps L-BFGS
	// iterations (default 500).
	Tol     float64
	MaxIter int
	// Standardize is passed to FitStandardizer.
	Standardize StandardizeOptions
}

// FitInfo reports how a solver ended.
type FitInfo struct {
	Iterations  int     `json:"iterations"`
	Evaluations int     `json:"evaluations"` // objective+gradient evaluations
	Converged   bool    `json:"converged"`
	GradNorm    float64 `json:"grad_norm"` // max-norm of the final gradient
	Objective   float64 `json:"objective"`
	PosWeight   float64 `json:"pos_weight"`
	NegWeight   float64 `json:"neg_weight"`
	Lambda      float64 `json:"lambda"`
	StandardizeReport
}

// FitLogReg fits on the given rows of m (all when rows is nil) with labels y indexed by row of m.
// The standardizer is fitted on the same rows. It fails if the rows hold only one class.
func FitLogReg(m *Matrix, y []bool, rows []int, opt LogRegOptions) (*LogReg, FitInfo, error) {
	var info FitInfo
	if len(y) != m.Rows {
		return nil, info, fmt.Errorf("model: %d labels for %d rows", len(y), m.Rows)
	}
	if rows == nil {
		rows = make([]int, m.Rows)
		for i := range rows {
			rows[i] = i
		}
	}
	sc, rep, err := FitStandardizer(m, rows, opt.Standardize)
	info.StandardizeReport = rep
	if err != nil {
		return nil, info, err
	}
	n, d := len(rows), m.Cols
	var P int
	for _, i := range rows {
		if y[i] {
			P++
		}
	}
	if P == 0 || P == n {
		return nil, info, fmt.Errorf("model: training rows hold only one class (%d of %d positive); logistic regression needs both", P, n)
	}
	cp, cn := opt.PosWeight, opt.NegWeight
	if cp == 0 && cn == 0 {
		cp, cn = float64(n)/(2*float64(P)), float64(n)/(2*float64(n-P))
	}
	if !(cp > 0 && cn > 0) || math.IsInf(cp+cn, 0) {
		return nil, info, fmt.Errorf("model: class weights must be positive and finite, got pos %v neg %v", cp, cn)
	}
	lambda := opt.Lambda
	if lambda == 0 && !opt.NoPenalty {
		lambda = 1e-3
	}
	if lambda < 0 || !finite(lambda) {
		return nil, info, fmt.Errorf("model: lambda %v must be a finite number >= 0", lambda)
	}
	info.PosWeight, info.NegWeight, info.Lambda = cp, cn, lambda
	// Standardised training block, with per-row weight and target.
	z := make([]float64, n*d)
	c := make([]float64, n)
	t := make([]float64, n)
	var csum float64
	for k, i := range rows {
		sc.Transform(z[k*d:(k+1)*d], m.Row(i))
		if y[i] {
			c[k], t[k] = cp, 1
		} else {
			c[k] = cn
		}
		csum += c[k]
	}
	obj := &logregObjective{z: z, c: c, t: t, n: n, d: d, lambda: lambda, invC: 1 / csum}
	tol, maxIter := opt.Tol, opt.MaxIter
	if tol == 0 {
		tol = 1e-6
	}
	if maxIter == 0 {
		maxIter = 500
	}
	theta := make([]float64, d+1) // W then B
	res := lbfgs(obj.eval, theta, tol, maxIter, 10)
	info.Iterations, info.Evaluations, info.Converged = res.iters, res.evals, res.converged
	info.GradNorm, info.Objective = res.gnorm, res.f
	if !finite(res.f) {
		return nil, info, fmt.Errorf("model: logistic regression diverged (objective %v)", res.f)
	}
	return &LogReg{Scale: sc, W: theta[:d:d], B: theta[d]}, info, nil
}

// logregObjective evaluates the weighted, penalised log-loss and its gradient. Rows are summed in
// fixed blocks whose partial sums are added in block order, so results do not depend on the number
// of cores.
type logregObjective struct {
	z, c, t      []float64
	n, d         int
	lambda, invC float64
	part         [][]float64 // per block: grad (d+1) then loss
}

const logregBlock = 2048

func (o *logregObjective) eval(theta, grad []float64) float64 {
	d := o.d
	nb := (o.n + logregBlock - 1) / logregBlock
	if o.part == nil {
		o.part = make([][]float64, nb)
		for b := range o.part {
			o.part[b] = make([]float64, d+2)
		}
	}
	w, b0 := theta[:d], theta[d]
	work := func(b int) {
		p := o.part[b]
		clear(p)
		for k := b * logregBlock; k < min(o.n, (b+1)*logregBlock); k++ {
			zk := o.z[k*d : (k+1)*d]
			s := b0
			for j, v := range zk {
				s += w[j] * v
			}
			// ℓ = log(1+e^s) - t s; dℓ/ds = σ(s) - t.
			p[d+1] += o.c[k] * (softplus(s) - o.t[k]*s)
			r := o.c[k] * (sigmoid(s) - o.t[k])
			for j, v := range zk {
				p[j] += r * v
			}
			p[d] += r
		}
	}
	parallelFor(nb, work)
	clear(grad)
	var f float64
	for _, p := range o.part {
		for j := 0; j <= d; j++ {
			grad[j] += p[j]
		}
		f += p[d+1]
	}
	f *= o.invC
	for j := 0; j <= d; j++ {
		grad[j] *= o.invC
	}
	for j := 0; j < d; j++ {
		f += 0.5 * o.lambda * w[j] * w[j]
		grad[j] += o.lambda * w[j]
	}
	return f
}

// parallelFor runs work(0..n-1) on up to GOMAXPROCS goroutines; each index runs exactly once.
func parallelFor(n int, work func(i int)) {
	p := min(runtime.GOMAXPROCS(0), n)
	if p <= 1 {
		for i := 0; i < n; i++ {
			work(i)
		}
		return
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	next := 0
	for g := 0; g < p; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				work(i)
			}
		}()
	}
	wg.Wait()
}

func sigmoid(s float64) float64 {
	if s >= 0 {
		return 1 / (1 + math.Exp(-s))
	}
	e := math.Exp(s)
	return e / (1 + e)
}

// softplus is log(1+e^s) without overflow.
func softplus(s float64) float64 {
	if s > 0 {
		return s + math.Log1p(math.Exp(-s))
	}
	return math.Log1p(math.Exp(s))
}

type lbfgsResult struct {
	f            float64
	gnorm        float64
	iters, evals int
	converged    bool
}

// lbfgs minimises a smooth function from x (updated in place) with limited-memory BFGS
// (Nocedal & Wright, Numerical Optimization, 2nd ed., Alg. 7.4 two-loop recursion and Alg. 7.5),
// m correction pairs, and a backtracking line search on the Armijo condition (c1 = 1e-4) that
// keeps a pair only when the curvature s·y > 0. It stops when ||g||_∞ <= tol or after maxIter.
func lbfgs(fg func(x, g []float64) float64, x []float64, tol float64, maxIter, m int) lbfgsResult {
	n := len(x)
	g := make([]float64, n)
	f := fg(x, g)
	res := lbfgsResult{evals: 1}
	S := make([][]float64, 0, m)
	Y := make([][]float64, 0, m)
	rho := make([]float64, 0, m)
	alpha := make([]float64, m)
	dir := make([]float64, n)
	xn := make([]float64, n)
	gn := make([]float64, n)
	normInf := func(v []float64) float64 {
		var r float64
		for _, a := range v {
			r = math.Max(r, math.Abs(a))
		}
		return r
	}
	for res.iters < maxIter {
		if normInf(g) <= tol {
			res.converged = true
			break
		}
		// Two-loop recursion: dir = -H g.
		for i := range dir {
			dir[i] = -g[i]
		}
		for k := len(S) - 1; k >= 0; k-- {
			alpha[k] = rho[k] * dot(S[k], dir)
			axpy(dir, -alpha[k], Y[k])
		}
		if k := len(S) - 1; k >= 0 {
			gamma := dot(S[k], Y[k]) / dot(Y[k], Y[k])
			for i := range dir {
				dir[i] *= gamma
			}
		}
		for k := range S {
			beta := rho[k] * dot(Y[k], dir)
			axpy(dir, alpha[k]-beta, S[k])
		}
		slope := dot(g, dir)
		if slope >= 0 { // not a descent direction: restart from steepest descent
			S, Y, rho = S[:0], Y[:0], rho[:0]
			for i := range dir {
				dir[i] = -g[i]
			}
			slope = dot(g, dir)
		}
		step := 1.0
		if len(S) == 0 {
			step = math.Min(1, 1/normInf(g))
		}
		var fn float64
		ok := false
		for ls := 0; ls < 60; ls++ {
			for i := range xn {
				xn[i] = x[i] + step*dir[i]
			}
			fn = fg(xn, gn)
			res.evals++
			if finite(fn) && fn <= f+1e-4*step*slope {
				ok = true
				break
			}
			step *= 0.5
		}
		res.iters++
		if !ok { // no decrease possible at machine precision: we are at the minimum we can reach
			res.converged = normInf(g) <= math.Sqrt(tol)
			break
		}
		var s, yv []float64
		if len(S) == m {
			s, yv = S[0], Y[0]
			S, Y, rho = S[1:], Y[1:], rho[1:]
		} else {
			s, yv = make([]float64, n), make([]float64, n)
		}
		for i := range s {
			s[i] = xn[i] - x[i]
			yv[i] = gn[i] - g[i]
		}
		copy(x, xn)
		copy(g, gn)
		fOld := f
		f = fn
		if sy := dot(s, yv); sy > 1e-12*math.Sqrt(dot(s, s)*dot(yv, yv)) {
			S, Y, rho = append(S, s), append(Y, yv), append(rho, 1/sy)
		}
		if math.Abs(fOld-f) <= 1e-15*math.Max(1, math.Abs(f)) && normInf(g) <= math.Sqrt(tol) {
			res.converged = true
			break
		}
	}
	res.f, res.gnorm = f, normInf(g)
	if res.gnorm <= tol {
		res.converged = true
	}
	return res
}

func dot(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

func axpy(y []float64, a float64, x []float64) {
	for i, v := range x {
		y[i] += a * v
	}
}

// Raw is the log-odds B + Σ W_j z_j of raw feature vector x (len(x) == len(W)). No allocations.
func (m *LogReg) Raw(x []float64) float64 {
	s := m.B
	for j, w := range m.W {
		s += w * m.Scale.Z(j, x[j])
	}
	return s
}

// Score is the probability σ(Raw(x)). No allocations.
func (m *LogReg) Score(x []float64) float64 { return sigmoid(m.Raw(x)) }

// Contribution is one feature's share of a score, in log-odds.
type Contribution struct {
	Feature      int     `json:"feature"`
	Name         string  `json:"name"`
	Value        float64 `json:"value"`        // the raw input value x_j
	Contribution float64 `json:"contribution"` // log-odds added by this feature
}

// Explain appends to dst one Contribution per feature, W_j z_j, sorted by |contribution|
// descending (ties by feature index), and returns it; Σ contributions + B == Raw(x). With a dst of
// sufficient capacity it does not allocate.
func (m *LogReg) Explain(dst []Contribution, x []float64) []Contribution {
	start := len(dst)
	for j, w := range m.W {
		dst = append(dst, Contribution{Feature: j, Name: m.Scale.Names[j], Value: x[j], Contribution: w * m.Scale.Z(j, x[j])})
	}
	sortContributions(dst[start:])
	return dst
}

func sortContributions(cs []Contribution) {
	slices.SortFunc(cs, func(a, b Contribution) int {
		aa, ab := math.Abs(a.Contribution), math.Abs(b.Contribution)
		switch {
		case aa > ab:
			return -1
		case aa < ab:
			return 1
		}
		return a.Feature - b.Feature
	})
}
