package trainer

import (
	"fmt"
	"math"

	"riskwalk/walk"
)

// Vocab holds what skip-gram needs about each local row's corpus frequency: the negative-sampling
// distribution (count^0.75, word2vec's unigram^(3/4)) as an alias table, and word2vec's
// subsampling of frequent tokens.
//
// Counts are corpus counts: how often each row occurs in the walks (CountVisits measures them
// exactly by running the walks once without training, which costs a few percent of training). This
// is what word2vec and gensim use, so both sides of a comparison see the same distributions. For
// undirected uniform walks the count is close to proportional to degree; a caller that cannot run a
// counting pass may pass degrees instead.
type Vocab struct {
	neg     []walk.AliasEntry
	negRows []uint32 // alias index -> local row; nil when the table covers all rows in order
	// keep[r]: keep a token of row r when a uniform uint32 is <= keep[r] (gensim's sample_int);
	// nil keeps every token.
	keep []uint32
}

// NewVocab builds a Vocab from counts (one per local row). negRows, if not nil, restricts negatives
// to those rows (a rank's own nodes, say); otherwise every row with a positive count can be drawn.
// sample is word2vec's subsampling threshold (1e-3 in gensim; <= 0 turns subsampling off).
func NewVocab(counts []float64, negRows []uint32, sample float64) (*Vocab, error) {
	if math.IsNaN(sample) {
		return nil, fmt.Errorf("trainer: sample is NaN")
	}
	v := &Vocab{negRows: negRows}
	total := 0.0
	for _, c := range counts {
		if !(c >= 0) || math.IsInf(c, 0) {
			return nil, fmt.Errorf("trainer: corpus count %v, want finite >= 0", c)
		}
		total += c
	}
	if total == 0 {
		return nil, fmt.Errorf("trainer: the walks visit no node (empty graph or start set?)")
	}
	n := len(counts)
	if negRows != nil {
		n = len(negRows)
		for _, r := range negRows {
			if int(r) >= len(counts) {
				return nil, fmt.Errorf("trainer: negative row %d outside %d rows", r, len(counts))
			}
		}
	}
	if n == 0 {
		return nil, fmt.Errorf("trainer: empty negative set")
	}
	v.neg = make([]walk.AliasEntry, n)
	var b walk.AliasBuilder
	b.Build(v.neg, func(i int) float64 {
		if negRows != nil {
			return math.Pow(counts[negRows[i]], 0.75)
		}
		return math.Pow(counts[i], 0.75)
	})
	if sample > 0 {
		// gensim's Word2Vec.prepare_vocab: p(keep) = (sqrt(c/t)+1) * t/c with t = sample*total.
		t := sample * total
		v.keep = make([]uint32, len(counts))
		for r, c := range counts {
			p := 1.0
			if c > 0 {
				p = min(1, (math.Sqrt(c/t)+1)*t/c)
			}
			v.keep[r] = uint32(math.Round(p * math.MaxUint32))
		}
	}
	return v, nil
}

// negative draws a local row from the negative distribution.
func (v *Vocab) negative(x uint64) uint32 {
	i := walk.SampleAlias(v.neg, x)
	if v.negRows != nil {
		return v.negRows[i]
	}
	return i
}
