package spmd

import (
	"encoding/binary"
	"fmt"

	"riskwalk/internal/secfile"
)

// Manifest is the content of the checkpoint manifest (see the package doc for its layout):
// which sync round every rank's checkpoint file of slot Slot holds.
type Manifest struct {
	Round, Rounds uint64
	Ranks         uint32
	Slot          uint32
	GraphSum      uint64
	PartitionSum  uint64
	ParamHash     uint64
	Units         []uint64 // units done by each rank at Round
}

var manifestMagic = secfile.Magic("RWSPMD")

// ManifestVersion is the manifest format version.
type ManifestVersion uint32

const (
	// ManifestV1: meta and units.
	ManifestV1 ManifestVersion = 1
)

// RankCheckpoint is the path of rank r's checkpoint in slot s next to the manifest at base.
func RankCheckpoint(base string, r int, slot uint32) string {
	return fmt.Sprintf("%s.rank%d.%d", base, r, slot)
}

// WriteManifest stores m at path atomically.
func WriteManifest(path string, m *Manifest) error {
	meta := make([]byte, 64)
	le := binary.LittleEndian
	le.PutUint64(meta[0:], m.Round)
	le.PutUint64(meta[8:], m.Rounds)
	le.PutUint32(meta[16:], m.Ranks)
	le.PutUint32(meta[20:], m.Slot)
	le.PutUint64(meta[24:], m.GraphSum)
	le.PutUint64(meta[32:], m.PartitionSum)
	le.PutUint64(meta[40:], m.ParamHash)
	w, err := secfile.Create(path, manifestMagic, uint32(ManifestV1), 2)
	if err != nil {
		return err
	}
	defer w.Abort()
	if err := w.Bytes("meta", meta); err != nil {
		return err
	}
	if err := secfile.Slice(w, "units", m.Units); err != nil {
		return err
	}
	return w.Commit()
}

// ReadManifest loads a manifest; damage yields an error wrapping secfile.ErrCorrupt.
func ReadManifest(path string) (*Manifest, error) {
	f, err := secfile.Open(path, manifestMagic, uint32(ManifestV1), uint32(ManifestV1), secfile.Options{})
	if err != nil {
		return nil, err
	}
	defer f.Close()
	meta, ok := f.Section("meta")
	if !ok || len(meta) != 64 {
		return nil, fmt.Errorf("%s: %w: no 64-byte meta section", path, secfile.ErrCorrupt)
	}
	le := binary.LittleEndian
	m := &Manifest{Round: le.Uint64(meta[0:]), Rounds: le.Uint64(meta[8:]), Ranks: le.Uint32(meta[16:]),
		Slot: le.Uint32(meta[20:]), GraphSum: le.Uint64(meta[24:]), PartitionSum: le.Uint64(meta[32:]),
		ParamHash: le.Uint64(meta[40:])}
	b, _ := f.Section("units")
	u, err := secfile.View[uint64](b)
	if err != nil || len(u) != int(m.Ranks) || m.Slot > 1 || m.Round > m.Rounds {
		return nil, fmt.Errorf("%s: %w: %d unit counts for %d ranks, slot %d, round %d of %d", path, secfile.ErrCorrupt, len(u), m.Ranks, m.Slot, m.Round, m.Rounds)
	}
	m.Units = append([]uint64(nil), u...)
	return m, nil
}
