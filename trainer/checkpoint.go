package trainer

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	"riskwalk/internal/secfile"
)

// Checkpoint file (.rwc): a secfile container (see package secfile for the header, section table,
// alignment and CRC32C) with magic "RWCKPT\0\0" and four sections:
//
//	"state"  64 bytes, little-endian:
//	           0  8  units done (the next unit to run)
//	           8  8  total units of the job
//	          16  8  rows
//	          24  4  dim
//	          28  4  stride (floats per row)
//	          32  8  seed
//	          40  8  graph checksum (0 if unknown)
//	          48  8  first global node id of the row block (0 for a whole model; for ranks)
//	          56  8  reserved, zero
//	"config" the Config as JSON (what must match to resume)
//	"in"     rows*stride float32, Model.In
//	"out"    rows*stride float32, Model.Out
//
// Resuming needs the same graph, Config, start set and row map; the walks and the vocabulary are
// recomputed from the seed.
const (
	ckptMagic = "RWCKPT"
	// CheckpointV1 is the first checkpoint version.
	CheckpointV1 uint32 = 1
)

// Checkpoint is a loaded checkpoint.
type Checkpoint struct {
	UnitsDone, TotalUnits uint64
	GraphSum              uint64
	Config                Config
	Model                 *Model
}

// WriteCheckpoint saves j's model and progress (unitsDone) to path atomically.
func WriteCheckpoint(path string, j *Job, unitsDone, graphSum uint64) error {
	m := j.Model
	cfg, err := json.Marshal(j.Config)
	if err != nil {
		return err
	}
	st := make([]byte, 64)
	binary.LittleEndian.PutUint64(st[0:], unitsDone)
	binary.LittleEndian.PutUint64(st[8:], j.Units())
	binary.LittleEndian.PutUint64(st[16:], uint64(m.Rows))
	binary.LittleEndian.PutUint32(st[24:], uint32(m.Dim))
	binary.LittleEndian.PutUint32(st[28:], uint32(m.Stride))
	binary.LittleEndian.PutUint64(st[32:], j.Seed)
	binary.LittleEndian.PutUint64(st[40:], graphSum)
	w, err := secfile.Create(path, secfile.Magic(ckptMagic), CheckpointV1, 4)
	if err != nil {
		return err
	}
	defer w.Abort()
	w.Bytes("state", st)
	w.Bytes("config", cfg)
	secfile.Slice(w, "in", m.In)
	secfile.Slice(w, "out", m.Out)
	return w.Commit()
}

// ReadCheckpoint loads a checkpoint into a fresh Model (copied out of the file).
func ReadCheckpoint(path string) (*Checkpoint, error) {
	f, err := secfile.Open(path, secfile.Magic(ckptMagic), CheckpointV1, CheckpointV1, secfile.Options{})
	if err != nil {
		return nil, err
	}
	defer f.Close()
	bad := func(what string) error { return fmt.Errorf("%s: %w: %s", path, secfile.ErrCorrupt, what) }
	st, ok := f.Section("state")
	if !ok || len(st) != 64 {
		return nil, bad("no 64-byte state section")
	}
	c := &Checkpoint{UnitsDone: binary.LittleEndian.Uint64(st[0:]), TotalUnits: binary.LittleEndian.Uint64(st[8:]),
		GraphSum: binary.LittleEndian.Uint64(st[40:])}
	rows, dim, stride := binary.LittleEndian.Uint64(st[16:]), int(binary.LittleEndian.Uint32(st[24:])), int(binary.LittleEndian.Uint32(st[28:]))
	cfg, _ := f.Section("config")
	if err := json.Unmarshal(cfg, &c.Config); err != nil {
		return nil, bad("config: " + err.Error())
	}
	if stride != StrideFor(dim) || rows == 0 || rows > 1<<40 {
		return nil, bad(fmt.Sprintf("rows %d dim %d stride %d", rows, dim, stride))
	}
	m, err := NewModel(int(rows), dim)
	if err != nil {
		return nil, bad(err.Error())
	}
	for _, s := range []struct {
		name string
		dst  []float32
	}{{"in", m.In}, {"out", m.Out}} {
		b, ok := f.Section(s.name)
		v, err := secfile.View[float32](b)
		if !ok || err != nil || len(v) != len(s.dst) {
			return nil, bad("section " + s.name + " missing or of the wrong size")
		}
		copy(s.dst, v)
	}
	c.Model = m
	return c, nil
}

// Matches says why a checkpoint cannot resume job j (nil if it can).
func (c *Checkpoint) Matches(j *Job, graphSum uint64) error {
	a, _ := json.Marshal(c.Config)
	b, _ := json.Marshal(j.Config)
	switch {
	case string(a) != string(b):
		return fmt.Errorf("checkpoint was made with other parameters:\n  checkpoint %s\n  this run   %s\n(rerun with the checkpoint's parameters or start without --resume)", a, b)
	case c.GraphSum != graphSum:
		return fmt.Errorf("checkpoint was made on another graph (checksum %016x, this graph %016x)", c.GraphSum, graphSum)
	case c.TotalUnits != j.Units():
		return fmt.Errorf("checkpoint job has %d work units, this job %d (other start nodes?)", c.TotalUnits, j.Units())
	case c.Model.Rows != j.Model.Rows:
		return fmt.Errorf("checkpoint has %d rows, this job %d", c.Model.Rows, j.Model.Rows)
	}
	return nil
}
