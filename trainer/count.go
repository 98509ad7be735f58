package trainer

import (
	"sync"
	"sync/atomic"

	"riskwalk/walk"
)

// CountVisits runs the walks of one epoch of the job (exactly the walks training will see: same
// seeds, same chunks) without training and returns how often each local row occurs, the corpus
// counts word2vec would compute from a walk file. Only Walker, Starts, Rows, Model.Rows and the
// Config fields are used. A rank calls it on its own job; summing the counts over ranks (an
// allreduce) gives the global counts if the negative distribution is to be global.
func CountVisits(j *Job) ([]float64, error) {
	j.Config.Defaults() // Threads fixed before the per-goroutine counts are sized
	var local []int32
	if j.Rows != nil {
		local = j.Rows.Local
	}
	rows := j.Model.Rows
	parts := make([][]uint64, max(0, j.Threads)) // (EachWalk refuses Threads < 1)
	err := EachWalk(j, func(t int, walk []uint32) {
		cnt := parts[t]
		if cnt == nil {
			cnt = make([]uint64, rows)
			parts[t] = cnt
		}
		for _, v := range walk {
			if local == nil {
				cnt[v]++
			} else if l := local[v]; l >= 0 {
				cnt[l]++
			}
		}
	})
	if err != nil {
		return nil, err
	}
	out := make([]float64, rows)
	for _, p := range parts {
		for i, c := range p {
			out[i] += float64(c)
		}
	}
	return out, nil
}

// EachWalk runs the walks of one epoch of the job (those training will see, as CountVisits)
// in j.Threads goroutines and calls fn(t, walk) for each, t in [0, Threads) naming the
// goroutine (calls with the same t never overlap). walk holds the walk's nodes in the Walker's
// graph ids (before Rows) and is valid only during the call. Only Walker, Starts and the
// Config fields are used.
func EachWalk(j *Job, fn func(t int, walk []uint32)) error {
	j.Config.Defaults()
	if err := j.Config.Validate(); err != nil {
		return err
	}
	perEpoch := j.Units() / uint64(j.Epochs)
	var next atomic.Uint64
	var wg sync.WaitGroup
	for t := range j.Threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, L := j.ChunkWalks, j.WalkLength
			w := &worker{j: j, starts: make([]uint32, b), buf: make([]uint32, b*L), lens: make([]int32, b)}
			for {
				u := next.Add(1) - 1
				if u >= perEpoch {
					break
				}
				n := w.walks(u)
				for k := 0; k < n; k++ {
					fn(t, w.buf[k*L:k*L+int(w.lens[k])])
				}
			}
		}()
	}
	wg.Wait()
	return nil
}

// walks generates the walks of unit u into w.buf/w.lens and returns how many there are.
func (w *worker) walks(u uint64) int {
	j := w.j
	c := &j.Config
	_, round, lo, hi, _ := j.unitInfo(u)
	n := int(hi - lo)
	perm := walk.NewPerm(j.startCount(), walk.Stream(c.Seed, streamPerm, round))
	for p := lo; p < hi; p++ {
		i := perm.At(p)
		if j.Starts != nil {
			w.starts[p-lo] = j.Starts[i]
		} else {
			w.starts[p-lo] = uint32(i)
		}
	}
	// The walks of a (round, chunk) are the same in every epoch, as word2vec's epochs re-read
	// one corpus.
	wr := walk.NewRand(walk.Stream(c.Seed, streamWalk, round<<32|lo/uint64(c.ChunkWalks)))
	w.st.Steps += j.Walker.Fill(w.buf, w.lens, w.starts[:n], &wr)
	w.st.Walks += int64(n)
	return n
}
