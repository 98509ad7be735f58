package graph

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"strconv"
	"unsafe"

	"riskwalk/internal/secfile"
)

// IDMagic identifies a .rwi file.
var IDMagic = secfile.Magic("RWIDS")

// IDVersion enumerates .rwi format versions.
type IDVersion uint32

const (
	// IDV1: idmeta, and ints or blob/offs/table by kind.
	IDV1 IDVersion = 1
	// IDCurrent is the version written by this build.
	IDCurrent = IDV1
)

// IDKind says how an index stores external ids.
type IDKind uint32

const (
	IDIdentity IDKind = 1 // external id of v is the decimal text of v
	IDInt      IDKind = 2 // sorted canonical integers
	IDString   IDKind = 3 // arbitrary strings with a hash table
)

func (k IDKind) String() string {
	switch k {
	case IDIdentity:
		return "identity"
	case IDInt:
		return "int"
	case IDString:
		return "string"
	}
	return fmt.Sprintf("IDKind(%d)", uint32(k))
}

// Hash64 is the fixed 64-bit hash of the id index (part of the .rwi format: changing it needs a
// new version). Words of 8 bytes, little-endian, then the 0-7 byte tail packed low-first, are each
// mixed as h = rotl(h ^ (w * P2), 31) * P1, starting from h = len * P1 ^ P3; the result goes
// through the murmur3 64-bit finaliser.
func Hash64(b []byte) uint64 {
	const (
		p1 = 0x9E3779B97F4A7C15
		p2 = 0xC2B2AE3D27D4EB4F
		p3 = 0x165667B19E3779F9
	)
	h := uint64(len(b))*p1 ^ p3
	for len(b) >= 8 {
		w := binary.LittleEndian.Uint64(b)
		h = bits.RotateLeft64(h^(w*p2), 31) * p1
		b = b[8:]
	}
	if len(b) > 0 {
		var w uint64
		for i := len(b) - 1; i >= 0; i-- {
			w = w<<8 | uint64(b[i])
		}
		h = bits.RotateLeft64(h^(w*p2), 31) * p1
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// IDIndex maps external ids to dense ids and back. Its slices alias the mapping of the .rwi file
// when opened with OpenIDs (then Close releases it); methods are safe for concurrent use.
type IDIndex struct {
	Kind  IDKind
	n     uint32
	graph uint64
	ints  []uint64
	blob  []byte
	offs  []uint64
	table []uint32
	mask  uint64
	sf    *secfile.File
}

// Len is the number of nodes (dense ids 0..Len()-1).
func (x *IDIndex) Len() int { return int(x.n) }

// GraphChecksum is the checksum of the graph file the index was written with (0 if unknown).
func (x *IDIndex) GraphChecksum() uint64 { return x.graph }

// Ext returns the external id of dense id v (allocates the string; see AppendExt). v must be <
// Len(): out-of-range v panics (a caller bug).
func (x *IDIndex) Ext(v uint32) string { return string(x.AppendExt(nil, v)) }

// AppendExt appends the external id of v to dst without other allocation.
func (x *IDIndex) AppendExt(dst []byte, v uint32) []byte {
	if v >= x.n {
		panic(fmt.Sprintf("graph: IDIndex.AppendExt(%d) with %d ids", v, x.n)) // caller bug
	}
	switch x.Kind {
	case IDIdentity:
		return strconv.AppendUint(dst, uint64(v), 10)
	case IDInt:
		return strconv.AppendUint(dst, x.ints[v], 10)
	default:
		return append(dst, x.blob[x.offs[v]:x.offs[v+1]]...)
	}
}

// Lookup returns the dense id of external id ext; zero allocations.
func (x *IDIndex) Lookup(ext string) (uint32, bool) {
	return x.LookupBytes(unsafe.Slice(unsafe.StringData(ext), len(ext)))
}

// LookupBytes is Lookup for a byte-slice key (not retained); zero allocations.
func (x *IDIndex) LookupBytes(key []byte) (uint32, bool) {
	switch x.Kind {
	case IDIdentity, IDInt:
		v, ok := parseCanonicalUint(key)
		if !ok {
			return 0, false
		}
		if x.Kind == IDIdentity {
			return uint32(v), v < uint64(x.n)
		}
		lo, hi := 0, len(x.ints)
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if x.ints[m] < v {
				lo = m + 1
			} else {
				hi = m
			}
		}
		return uint32(lo), lo < len(x.ints) && x.ints[lo] == v
	}
	i := Hash64(key) & x.mask
	for probes := uint64(0); probes <= x.mask; probes++ {
		e := x.table[i]
		if e == 0 {
			return 0, false
		}
		id := e - 1
		if string(x.blob[x.offs[id]:x.offs[id+1]]) == string(key) {
			return id, true
		}
		i = (i + 1) & x.mask
	}
	return 0, false
}

// parseCanonicalUint parses b if it is the canonical decimal text of a uint64 below 2^63 (digits
// only, no leading zero unless "0"). These are the ids ingest treats as integers.
func parseCanonicalUint(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 19 || (b[0] == '0' && len(b) > 1) {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		d := c - '0'
		if d > 9 {
			return 0, false
		}
		v = v*10 + uint64(d)
	}
	return v, v < 1<<63
}

// Close releases the mapping; ids obtained from it as slices must not be used afterwards.
func (x *IDIndex) Close() error {
	if x.sf == nil {
		return nil
	}
	err := x.sf.Close()
	x.sf = nil
	return err
}

// OpenIDs maps a .rwi file and checks it (CRCs, sizes, offsets monotone, table entries in range,
// ints ascending): O(N + table), after which lookups need no further checks.
func OpenIDs(path string) (*IDIndex, error) {
	sf, err := secfile.Open(path, IDMagic, uint32(IDV1), uint32(IDCurrent), secfile.Options{})
	if err != nil {
		return nil, err
	}
	x, err := idsFromSecfile(path, sf)
	if err != nil {
		sf.Close()
		return nil, err
	}
	x.sf = sf
	return x, nil
}

func idsFromSecfile(path string, sf *secfile.File) (*IDIndex, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%s: %w: %s (re-run riskwalk ingest)", path, secfile.ErrCorrupt, fmt.Sprintf(format, args...))
	}
	mb, ok := sf.Section("idmeta")
	if !ok || len(mb) != 32 {
		return nil, bad("missing or short idmeta section")
	}
	x := &IDIndex{Kind: IDKind(binary.LittleEndian.Uint32(mb)), graph: binary.LittleEndian.Uint64(mb[16:])}
	tbits := binary.LittleEndian.Uint32(mb[4:])
	n := binary.LittleEndian.Uint64(mb[8:])
	if n > 1<<32-1 {
		return nil, bad("%d ids (at most 2^32-1)", n)
	}
	x.n = uint32(n)
	view64 := func(name string) []uint64 {
		b, _ := sf.Section(name)
		s, _ := secfile.View[uint64](b)
		return s
	}
	switch x.Kind {
	case IDIdentity:
	case IDInt:
		x.ints = view64("ints")
		if uint64(len(x.ints)) != n {
			return nil, bad("ints has %d entries, want %d", len(x.ints), n)
		}
		for i := 1; i < len(x.ints); i++ {
			if x.ints[i] <= x.ints[i-1] {
				return nil, bad("ints not ascending at %d", i)
			}
		}
	case IDString:
		x.blob, _ = sf.Section("blob")
		x.offs = view64("offs")
		tb, _ := sf.Section("table")
		x.table, _ = secfile.View[uint32](tb)
		if uint64(len(x.offs)) != n+1 || x.offs[0] != 0 || x.offs[n] != uint64(len(x.blob)) {
			return nil, bad("offs has %d entries or does not span the blob", len(x.offs))
		}
		for i := uint64(0); i < n; i++ {
			if x.offs[i+1] < x.offs[i] {
				return nil, bad("offs decrease at %d", i)
			}
		}
		if tbits > 40 || uint64(len(x.table)) != 1<<tbits || n >= 1<<tbits {
			return nil, bad("hash table of %d slots for %d ids (bits %d)", len(x.table), n, tbits)
		}
		x.mask = 1<<tbits - 1
		for i, e := range x.table {
			if uint64(e) > n {
				return nil, bad("hash slot %d holds %d > N", i, e)
			}
		}
	default:
		return nil, bad("unknown id kind %d", x.Kind)
	}
	return x, nil
}

// strTab interns byte strings: dense ids in order of first insertion, strings concatenated in
// blob, and an open-addressing table whose slots hold (hash>>32)<<32 | id+1, so that probing
// compares a 32-bit hash fragment before touching the blob. Its low halves are the .rwi table.
type strTab struct {
	blob  []byte
	offs  []uint64 // len n+1
	slots []uint64
	mask  uint64
}

func newStrTab(sizeHint int) *strTab {
	t := &strTab{offs: make([]uint64, 1, sizeHint+1)}
	t.resize(tableBits(sizeHint))
	return t
}

// tableBits is log2 of the table size for n ids: load factor at most 2/3, at least 16 slots.
func tableBits(n int) uint {
	b := uint(4)
	for uint64(1)<<b < uint64(n)+uint64(n)/2+1 {
		b++
	}
	return b
}

func (t *strTab) len() int { return len(t.offs) - 1 }

func (t *strTab) reset() {
	t.blob = t.blob[:0]
	t.offs = t.offs[:1]
	clear(t.slots)
}

func (t *strTab) get(id uint32) []byte { return t.blob[t.offs[id]:t.offs[id+1]] }

// lookup returns the id of s if interned.
func (t *strTab) lookup(s []byte) (uint32, bool) {
	h := Hash64(s)
	tag := h >> 32 << 32
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		e := t.slots[i]
		if e == 0 {
			return 0, false
		}
		if e&^0xFFFFFFFF == tag && string(t.get(uint32(e)-1)) == string(s) {
			return uint32(e) - 1, true
		}
	}
}

// intern returns the id of s (hash h = Hash64(s)), adding it if new.
func (t *strTab) intern(s []byte, h uint64) (id uint32, added bool) {
	tag := h >> 32 << 32
	i := h & t.mask
	for {
		e := t.slots[i]
		if e == 0 {
			break
		}
		if e&^0xFFFFFFFF == tag {
			id := uint32(e) - 1
			if string(t.get(id)) == string(s) {
				return id, false
			}
		}
		i = (i + 1) & t.mask
	}
	id = uint32(t.len())
	t.blob = append(t.blob, s...)
	t.offs = append(t.offs, uint64(len(t.blob)))
	t.slots[i] = tag | uint64(id+1)
	if n := t.len(); uint64(n)+uint64(n)/2+1 > t.mask+1 {
		t.resize(tableBits(n) + 1)
	}
	return id, true
}

func (t *strTab) resize(b uint) {
	old := t.slots
	t.slots = make([]uint64, 1<<b)
	t.mask = 1<<b - 1
	for _, e := range old {
		if e == 0 {
			continue
		}
		id := uint32(e) - 1
		i := Hash64(t.get(id)) & t.mask
		for t.slots[i] != 0 {
			i = (i + 1) & t.mask
		}
		t.slots[i] = e
	}
}

// indexFromTab turns an interner into an in-memory string IDIndex (the table keeps the low 32
// bits of each slot); tab must not be used afterwards.
func indexFromTab(tab *strTab) *IDIndex {
	x := &IDIndex{Kind: IDString, n: uint32(tab.len()), blob: tab.blob, offs: tab.offs, mask: tab.mask}
	x.table = make([]uint32, len(tab.slots))
	for i, e := range tab.slots {
		x.table[i] = uint32(e)
	}
	tab.slots = nil
	return x
}

// NewIDIndex builds an in-memory index whose dense id v has external id ids[v], of the kind
// ingest would choose: identity when ids are "0".."N-1", int when they are canonical integers in
// ascending order, string otherwise. It fails on an empty or duplicate id. Write stores it.
func NewIDIndex(ids []string) (*IDIndex, error) {
	if uint64(len(ids)) > 1<<32-1 {
		return nil, fmt.Errorf("graph: %d ids (at most 2^32-1)", len(ids))
	}
	ints := make([]uint64, 0, len(ids))
	for _, s := range ids {
		v, ok := parseCanonicalUint(unsafe.Slice(unsafe.StringData(s), len(s)))
		if !ok || (len(ints) > 0 && v <= ints[len(ints)-1]) {
			ints = nil
			break
		}
		ints = append(ints, v)
	}
	if ints != nil {
		identity := true
		for v, x := range ints {
			identity = identity && x == uint64(v)
		}
		if identity {
			return &IDIndex{Kind: IDIdentity, n: uint32(len(ids))}, nil
		}
		return &IDIndex{Kind: IDInt, n: uint32(len(ids)), ints: ints}, nil
	}
	tab := newStrTab(len(ids))
	for v, s := range ids {
		b := unsafe.Slice(unsafe.StringData(s), len(s))
		if len(b) == 0 {
			return nil, fmt.Errorf("graph: id of dense id %d is empty", v)
		}
		if w, added := tab.intern(b, Hash64(b)); !added {
			return nil, fmt.Errorf("graph: id %q appears twice (dense ids %d and %d)", s, w, v)
		}
	}
	return indexFromTab(tab), nil
}

// Write stores the index at path (.rwi) atomically, recording graphSum (the Checksum of the graph
// file it belongs to, 0 if none).
func (x *IDIndex) Write(path string, graphSum uint64) error {
	sections := map[IDKind]int{IDIdentity: 1, IDInt: 2, IDString: 4}[x.Kind]
	if sections == 0 {
		return fmt.Errorf("graph: write id index of unknown kind %v", x.Kind)
	}
	w, err := secfile.Create(path, IDMagic, uint32(IDCurrent), sections)
	if err != nil {
		return err
	}
	defer w.Abort()
	meta := make([]byte, 32)
	binary.LittleEndian.PutUint32(meta, uint32(x.Kind))
	binary.LittleEndian.PutUint64(meta[8:], uint64(x.n))
	binary.LittleEndian.PutUint64(meta[16:], graphSum)
	if x.Kind == IDString {
		binary.LittleEndian.PutUint32(meta[4:], uint32(bits.TrailingZeros64(x.mask+1)))
	}
	w.Bytes("idmeta", meta)
	switch x.Kind {
	case IDInt:
		secfile.Slice(w, "ints", x.ints)
	case IDString:
		w.Bytes("blob", x.blob)
		secfile.Slice(w, "offs", x.offs)
		secfile.Slice(w, "table", x.table)
	}
	if err := w.Commit(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
