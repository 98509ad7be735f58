package bundle

import (
	"math"
	"math/rand/v2"
	"strconv"

	"riskwalk/graph"
)

// Synthetic makes a deterministic bundle input of n users with dim-dimensional vectors, for
// tests, benchmarks and demos before the real pipeline's files exist. Users fall in communities
// of 20-80; about 5% of communities are fraud rings whose members are bad with probability 0.6
// (others 0.002); half the users carry their true label. Each user links to three members of its
// community and one user drawn with a heavy head (id floor(n*u^3)), which makes hubs of the
// low ids. Vectors are the community's centroid plus noise; ring centroids share a common
// direction. Five features feed a logistic model whose per-feature contributions are stored:
// score = sigmoid(b + sum_f w_f (x_f - mean_f)).
func Synthetic(n, dim int, seed uint64) *Input {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	in := &Input{
		IDs: make([]string, n), Scores: make([]float32, n), Labels: make([]int8, n),
		Community: make([]uint32, n), Dim: dim, Vectors: make([]float32, n*dim),
		ModelVersion: "synthetic-" + strconv.FormatUint(seed, 10),
		Thresholds:   Thresholds{Review: 0.5, Reject: 0.8},
		ReasonNames:  []string{"ring_bad_share", "bad_neighbours", "shared_devices", "account_age", "pagerank_from_bad"},
		ColdScore:    0.05,
	}
	truth := make([]bool, n)
	// Communities: consecutive id ranges.
	type comm struct{ lo, hi int }
	var comms []comm
	ring := map[int]bool{}
	for lo := 0; lo < n; {
		hi := min(n, lo+20+r.IntN(61))
		if r.Float64() < 0.05 {
			ring[len(comms)] = true
		}
		comms = append(comms, comm{lo, hi})
		lo = hi
	}
	fraudDir := make([]float32, dim)
	for j := range fraudDir {
		fraudDir[j] = float32(r.NormFloat64())
	}
	centroid := make([]float32, dim)
	for c, cm := range comms {
		for j := range centroid {
			centroid[j] = float32(r.NormFloat64())
			if ring[c] {
				centroid[j] = 0.5*centroid[j] + fraudDir[j]
			}
		}
		for v := cm.lo; v < cm.hi; v++ {
			in.Community[v] = uint32(c)
			p := 0.002
			if ring[c] {
				p = 0.6
			}
			truth[v] = r.Float64() < p
			for j := range centroid {
				in.Vectors[v*dim+j] = centroid[j] + 0.5*float32(r.NormFloat64())
			}
		}
	}
	for v := range in.IDs {
		in.IDs[v] = "u" + strconv.Itoa(v)
		in.Labels[v] = -1
		if r.Float64() < 0.5 {
			in.Labels[v] = 0
			if truth[v] {
				in.Labels[v] = 1
			}
		}
	}
	edges := make([]graph.Edge, 0, 4*n)
	for c, cm := range comms {
		_ = c
		size := cm.hi - cm.lo
		for v := cm.lo; v < cm.hi; v++ {
			for k := 0; k < 3 && size > 1; k++ {
				u := cm.lo + r.IntN(size)
				if u != v {
					edges = append(edges, graph.Edge{U: uint32(v), V: uint32(u), W: 1})
				}
			}
			x := r.Float64()
			if u := int(float64(n) * x * x * x); u != v && u < n {
				edges = append(edges, graph.Edge{U: uint32(v), V: uint32(u), W: 1})
			}
		}
	}
	g, err := graph.FromEdges(uint32(n), edges, false, false, false)
	if err != nil {
		panic("bundle: synthetic graph: " + err.Error()) // a bug: the edges are in range
	}
	in.Graph = g
	// Features and the logistic model.
	f := len(in.ReasonNames)
	x := make([]float64, n*f)
	for c, cm := range comms {
		nb := 0
		for v := cm.lo; v < cm.hi; v++ {
			if truth[v] {
				nb++
			}
		}
		share := float64(nb) / float64(cm.hi-cm.lo)
		_ = c
		for v := cm.lo; v < cm.hi; v++ {
			x[v*f+0] = share
			bn := 0
			for _, u := range g.Neighbors(uint32(v)) {
				if truth[u] {
					bn++
				}
			}
			x[v*f+1] = math.Log1p(float64(bn))
			x[v*f+2] = float64(r.IntN(3))
			if truth[v] {
				x[v*f+2] += float64(r.IntN(4))
			}
			x[v*f+3] = r.Float64() * 3
			if truth[v] {
				x[v*f+3] *= 0.3
			}
			x[v*f+4] = share*0.5 + 0.5*r.Float64()
		}
	}
	w := []float64{4, 1.5, 0.6, -0.8, 2}
	mean := make([]float64, f)
	for v := 0; v < n; v++ {
		for j := 0; j < f; j++ {
			mean[j] += x[v*f+j] / float64(n)
		}
	}
	in.Contrib = make([]float32, n*f)
	for v := 0; v < n; v++ {
		logit := -3.0
		for j := 0; j < f; j++ {
			c := w[j] * (x[v*f+j] - mean[j])
			in.Contrib[v*f+j] = float32(c)
			logit += c
		}
		in.Scores[v] = float32(1 / (1 + math.Exp(-logit)))
	}
	return in
}
