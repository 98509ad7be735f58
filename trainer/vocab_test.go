package trainer

import (
	"math"
	"testing"

	"riskwalk/walk"
)

// Negatives follow count^0.75 and subsampling keeps gensim's fraction.
func TestVocabDistributions(t *testing.T) {
	r := walk.NewRand(5)
	counts := make([]float64, 3000)
	for i := range counts {
		counts[i] = math.Floor(1e5 / float64(i+1)) // Zipf-like, as degrees are
	}
	v, err := NewVocab(counts, nil, 1e-3)
	if err != nil {
		t.Fatal(err)
	}
	var z float64
	for _, c := range counts {
		z += math.Pow(c, 0.75)
	}
	const draws = 2_000_000
	hist := make([]float64, len(counts))
	for i := 0; i < draws; i++ {
		hist[v.negative(r.Uint64())]++
	}
	for _, i := range []int{0, 1, 2, 10, 100, 1000, 2999} {
		p := math.Pow(counts[i], 0.75) / z
		se := math.Sqrt(p * (1 - p) / draws)
		if got := hist[i] / draws; math.Abs(got-p) > 5*se {
			t.Errorf("row %d drawn with frequency %.5f, want %.5f", i, got, p)
		}
	}
	var total float64
	for _, c := range counts {
		total += c
	}
	th := 1e-3 * total
	want := (math.Sqrt(counts[0]/th) + 1) * th / counts[0]
	if got := float64(v.keep[0]) / math.MaxUint32; math.Abs(got-want) > 1e-6 || v.keep[2999] != math.MaxUint32 {
		t.Errorf("keep[0] = %.6f want %.6f; keep[2999] = %d", got, want, v.keep[2999])
	}
}
