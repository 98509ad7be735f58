package spmd

import (
	"fmt"
	"time"

	"riskwalk/internal/mpi"
	"riskwalk/partition"
	"riskwalk/trainer"
	"riskwalk/vecfile"
	"riskwalk/walk"
)

// tagRows is the message tag of the final gather.
const tagRows = 7

// gatherRows is the number of rows per gather message: about 4M floats (16 MiB).
func gatherRows(dim int) int { return max(1, (1<<22)/dim) }

// gatherWrite sends every rank's owned In rows to rank 0, which places them at their global ids
// and writes the vector file with vecfile.Write (the same format as one-process training). Ranks
// send their rows in Owned order in messages of gatherRows rows; rank 0 takes rank 1's, then rank
// 2's, ... (messages from one sender arrive in order, so no ids travel). Rank 0 holds the whole
// N x Dim matrix once.
func gatherWrite(o *Options, p *partition.Partition, pt *Part, m *trainer.Model, gsum uint64, res *Result) error {
	me, P := mpi.Rank(), mpi.Size()
	d, st := m.Dim, m.Stride
	C := gatherRows(d)
	buf := make([]float32, C*d)
	if me != 0 {
		for lo := 0; lo < pt.Owned; lo += C {
			n := min(C, pt.Owned-lo)
			for i := 0; i < n; i++ {
				r := (lo + i) * st
				copy(buf[i*d:(i+1)*d], m.In[r:r+d])
			}
			if err := mpi.Send(buf[:n*d], 0, tagRows); err != nil {
				return err
			}
		}
		return agree("writing "+o.Out, nil)
	}
	t0 := time.Now()
	all := make([]float32, uint64(p.N)*uint64(d))
	for i, v := range pt.Nodes[:pt.Owned] {
		copy(all[int(v)*d:int(v+1)*d], m.In[i*st:i*st+d])
	}
	for q := 1; q < P; q++ {
		owned := p.Owned(uint32(q))
		for lo := 0; lo < len(owned); lo += C {
			n := min(C, len(owned)-lo)
			got, err := mpi.Recv(buf[:n*d], q, tagRows)
			if err != nil {
				return err
			}
			if got != n*d {
				return fmt.Errorf("rank %d sent %d floats, want %d (bug)", q, got, n*d)
			}
			for i, v := range owned[lo : lo+n] {
				copy(all[int(v)*d:int(v+1)*d], buf[i*d:(i+1)*d])
			}
		}
	}
	c := &o.Train
	params := map[string]any{"graph": o.Graph, "partition": o.Partition, "ranks": P, "walks": c.WalksPerNode,
		"length": c.WalkLength, "dim": c.Dim, "window": c.Window, "negative": c.Negative, "epochs": c.Epochs,
		"lr": c.Alpha, "min_lr": c.MinAlpha, "sample": max(0, c.Sample), "seed": c.Seed, "threads_rank0": c.Threads,
		"weighted": o.Walk.Weighted, "half_life_s": o.Walk.HalfLife, "hub_cap": o.Walk.HubCap,
		"sync_every": o.SyncEvery, "halo": o.Halo.String(), "merge": o.Merge.String(), "neg_owned": o.NegOwned, "loss": res.Loss,
		"sync_bytes_per_epoch": res.SyncBytesPerEpoch}
	h := vecfile.Header{Dim: d, Count: uint64(p.N), DType: o.DType, ModelID: walk.Mix(uint64(time.Now().UnixNano()) ^ c.Seed),
		GraphSum: gsum, Params: params}
	err := vecfile.Write(o.Out, h, all, d)
	if err == nil && !o.Quiet {
		fmt.Fprintf(o.logw(), "wrote %s: %d rows of %d (%s)\n", o.Out, p.N, d, time.Since(t0).Round(time.Millisecond))
	}
	return agree("writing "+o.Out, err)
}
