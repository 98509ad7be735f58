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
	j.Config.Defaults()
	if err := j.Config.Validate(); err != nil {
		return nil, err
	}
	rows := j.Model.Rows
	var local []int32
	if j.Rows != nil {
		local = j.Rows.Local
	}
	perEpoch := j.Units() / uint64(j.Epochs)
	var next atomic.Uint64
	parts := make([][]uint64, j.Threads)
	var wg sync.WaitGroup
	for t := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cnt := make([]uint64, rows)
			w := newWorker(j, nil)
			for {
				u := next.Add(1) - 1
				if u >= perEpoch {
					break
				}
				n := w.walks(u)
				L := j.WalkLength
				for k := 0; k < n; k++ {
					for _, v := range w.buf[k*L : k*L+int(w.lens[k])] {
						if local == nil {
							cnt[v]++
						} else if l := local[v]; l >= 0 {
							cnt[l]++
						}
					}
				}
			}
			parts[t] = cnt
		}()
	}
	wg.Wait()
	out := make([]float64, rows)
	for _, p := range parts {
		for i, c := range p {
			out[i] += float64(c)
		}
	}
	return out, nil
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
