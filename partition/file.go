package partition

import (
	"encoding/binary"
	"fmt"
	"math"

	"riskwalk/internal/secfile"
)

// The .rwp partition file is a secfile container (riskwalk/internal/secfile draws the header,
// section table, 64-byte alignment and CRC32C per section) with magic "RWPART\0\0" and these
// sections, in this order, all little-endian:
//
//	section        type            length      meaning
//	meta           (below)         64 bytes    sizes, parameters, the graph's checksum
//	owner          uint16|uint32   N           owner part of each node (width in meta)
//	owned_off      uint64          R+1         owned[owned_off[p]:owned_off[p+1]] are part p's nodes
//	owned          uint32          N           every node once, grouped by part, increasing in a part
//	replica_off    uint64          R+1         likewise for replicas
//	replica        uint32          Σ|Rep(p)|   ghosts of each part, increasing in a part
//	replica_owner  uint32          Σ|Rep(p)|   owner of each replica (parallel to replica)
//
// meta:
//
//	offset  size  field
//	0       8     N, nodes of the graph
//	8       4     R, parts
//	12      4     owner width in bytes: 2 (R ≤ 65536) or 4
//	16      8     graph checksum (graph.File.Checksum() of the partitioned graph)
//	24      4     method (1 louvain, 2 hash, 3 given)
//	28      4     supernode degree (0: none replicated everywhere)
//	32      8     seed
//	40      8     resolution γ, IEEE-754 float64 (0 unless louvain)
//	48      8     Σ|Replicas(p)|
//	56      8     reserved, zero
//
// Open checks everything once (CRCs, sizes, offsets monotone, lists sorted and in range, each node
// owned exactly once by the part owner says, replica owners right and never the part itself);
// afterwards reads are not re-checked.

// Magic is the .rwp magic.
var Magic = secfile.Magic("RWPART")

// Version is the .rwp format version.
type Version uint32

const (
	// V1: meta, owner, owned and replica lists with replica owners.
	V1 Version = 1
	// Current is what Write writes.
	Current = V1
)

const metaSize = 64

// File is an opened .rwp file; its Partition's slices alias the mapping (valid until Close).
type File struct {
	*Partition
	graphSum uint64
	f        *secfile.File
}

// GraphChecksum is the checksum of the graph this partition was computed for.
func (f *File) GraphChecksum() uint64 { return f.graphSum }

// CheckGraph fails unless the partition was made for a graph with this checksum and node count.
// Every rank calls it, with graph.File.Checksum() and N of the .rwg it mapped, before using the
// partition (see the package doc); the error says which graph the partition was made for.
func (f *File) CheckGraph(checksum uint64, n uint32) error {
	if checksum != f.graphSum || n != f.N {
		return fmt.Errorf("partition: file was made for graph checksum %016x with %d nodes, but the graph has checksum %016x and %d nodes; rerun riskwalk partition on this graph", f.graphSum, f.N, checksum, n)
	}
	return nil
}

// Close unmaps the file.
func (f *File) Close() error { return f.f.Close() }

// Write stores p, made for the graph with checksum graphSum, at path (atomically).
func Write(path string, p *Partition, graphSum uint64) error {
	w, err := secfile.Create(path, Magic, uint32(Current), 7)
	if err != nil {
		return err
	}
	meta := make([]byte, metaSize)
	le := binary.LittleEndian
	le.PutUint64(meta[0:], uint64(p.N))
	le.PutUint32(meta[8:], p.R)
	width := uint32(4)
	if p.owner16 != nil {
		width = 2
	}
	le.PutUint32(meta[12:], width)
	le.PutUint64(meta[16:], graphSum)
	le.PutUint32(meta[24:], uint32(p.Method))
	le.PutUint32(meta[28:], p.SupernodeDegree)
	le.PutUint64(meta[32:], p.Seed)
	le.PutUint64(meta[40:], math.Float64bits(p.Resolution))
	le.PutUint64(meta[48:], uint64(len(p.repl)))
	err = w.Bytes("meta", meta)
	if err == nil {
		if p.owner16 != nil {
			err = secfile.Slice(w, "owner", p.owner16)
		} else {
			err = secfile.Slice(w, "owner", p.owner32)
		}
	}
	for _, s := range []struct {
		name string
		u64  []uint64
		u32  []uint32
	}{{"owned_off", p.ownedOff, nil}, {"owned", nil, p.owned}, {"replica_off", p.replOff, nil}, {"replica", nil, p.repl}, {"replica_owner", nil, p.replOwner}} {
		if err != nil {
			break
		}
		if s.u64 != nil {
			err = secfile.Slice(w, s.name, s.u64)
		} else {
			err = secfile.Slice(w, s.name, s.u32)
		}
	}
	if err != nil {
		w.Abort()
		return fmt.Errorf("partition: writing %s: %w", path, err)
	}
	return w.Commit()
}

// Open maps and checks a .rwp file. Errors about damaged files wrap secfile.ErrCorrupt.
func Open(path string) (*File, error) {
	sf, err := secfile.Open(path, Magic, uint32(V1), uint32(Current), secfile.Options{})
	if err != nil {
		return nil, err
	}
	f := &File{f: sf, Partition: &Partition{}}
	if err := f.load(path); err != nil {
		sf.Close()
		return nil, err
	}
	return f, nil
}

func corrupt(path, format string, a ...any) error {
	return fmt.Errorf("%s: %w: %s (rewrite it with riskwalk partition)", path, secfile.ErrCorrupt, fmt.Sprintf(format, a...))
}

func section[T uint16 | uint32 | uint64](f *secfile.File, path, name string, want uint64) ([]T, error) {
	b, ok := f.Section(name)
	if !ok {
		return nil, corrupt(path, "section %q missing", name)
	}
	s, err := secfile.View[T](b)
	if err != nil {
		return nil, corrupt(path, "section %q: %v", name, err)
	}
	if uint64(len(s)) != want {
		return nil, corrupt(path, "section %q has %d entries, want %d", name, len(s), want)
	}
	return s, nil
}

func (f *File) load(path string) error {
	meta, ok := f.f.Section("meta")
	if !ok || len(meta) != metaSize {
		return corrupt(path, "meta section missing or not %d bytes", metaSize)
	}
	le := binary.LittleEndian
	n64, r := le.Uint64(meta[0:]), le.Uint32(meta[8:])
	width := le.Uint32(meta[12:])
	if n64 > math.MaxUint32 || r == 0 || (width != 2 && width != 4) || (width == 2 && r > 1<<16) {
		return corrupt(path, "meta: N=%d R=%d owner width %d", n64, r, width)
	}
	p := f.Partition
	p.N, p.R = uint32(n64), r
	f.graphSum = le.Uint64(meta[16:])
	p.Method = Method(le.Uint32(meta[24:]))
	p.SupernodeDegree = le.Uint32(meta[28:])
	p.Seed = le.Uint64(meta[32:])
	p.Resolution = math.Float64frombits(le.Uint64(meta[40:]))
	nrep := le.Uint64(meta[48:])
	var err error
	if width == 2 {
		p.owner16, err = section[uint16](f.f, path, "owner", n64)
	} else {
		p.owner32, err = section[uint32](f.f, path, "owner", n64)
	}
	if err != nil {
		return err
	}
	if p.ownedOff, err = section[uint64](f.f, path, "owned_off", uint64(r)+1); err != nil {
		return err
	}
	if p.owned, err = section[uint32](f.f, path, "owned", n64); err != nil {
		return err
	}
	if p.replOff, err = section[uint64](f.f, path, "replica_off", uint64(r)+1); err != nil {
		return err
	}
	if p.repl, err = section[uint32](f.f, path, "replica", nrep); err != nil {
		return err
	}
	if p.replOwner, err = section[uint32](f.f, path, "replica_owner", nrep); err != nil {
		return err
	}
	return p.validate(path, n64, nrep)
}

// validate checks the invariants listed in the layout comment.
func (p *Partition) validate(path string, n, nrep uint64) error {
	for _, o := range []struct {
		name string
		off  []uint64
		end  uint64
	}{{"owned_off", p.ownedOff, n}, {"replica_off", p.replOff, nrep}} {
		if o.off[0] != 0 || o.off[p.R] != o.end {
			return corrupt(path, "%s runs from %d to %d, want 0 to %d", o.name, o.off[0], o.off[p.R], o.end)
		}
		for i := uint32(0); i < p.R; i++ {
			if o.off[i] > o.off[i+1] {
				return corrupt(path, "%s decreases at part %d", o.name, i)
			}
		}
	}
	for part := uint32(0); part < p.R; part++ {
		prev := int64(-1)
		for _, v := range p.Owned(part) {
			if int64(v) <= prev || uint64(v) >= n || p.Owner(v) != part {
				return corrupt(path, "part %d's owned list has node %d out of order, out of range or owned by another part", part, v)
			}
			prev = int64(v)
		}
		prev = -1
		owners := p.ReplicaOwners(part)
		for i, v := range p.Replicas(part) {
			if int64(v) <= prev || uint64(v) >= n || owners[i] != p.Owner(v) || owners[i] == part {
				return corrupt(path, "part %d's replica %d is out of order, out of range, or has a wrong owner", part, v)
			}
			prev = int64(v)
		}
	}
	// Owned lists hold N entries, each owned by its part and strictly increasing within a part, so
	// each node appears at most once per part and only in its owner's list: exactly once overall.
	return nil
}
