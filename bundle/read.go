package bundle

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"

	"riskwalk/graph"
	"riskwalk/internal/secfile"
	"riskwalk/vecfile"
)

func newCRC() hash.Hash32 { return crc32.New(crc32.MakeTable(crc32.Castagnoli)) }

// Bundle is an opened, fully verified bundle. Its slices alias read-only memory maps: they are
// valid until Close and must never be written. All methods are safe for concurrent use and
// allocate nothing.
type Bundle struct {
	Dir      string
	Manifest Manifest
	Meta     Meta
	// N is the number of users, D the vector dimension.
	N uint32
	D int

	ids    *graph.IDIndex
	vec    *vecfile.File
	f32    []float32 // float32 rows (stride vstride), or nil for int8
	vstr   int
	rows   []UserRow
	comms  []CommRow
	nbrOff []uint64
	nbr    []uint32
	files  []*secfile.File
	page   int
}

// Open maps and verifies the bundle in dir: manifest, every file's size and CRC32C, every
// section's CRC32C, and the consistency of every id and count stored. On any failure it maps
// nothing and returns an error wrapping ErrBadBundle that names the file and what to do.
func Open(dir string) (*Bundle, error) {
	b := &Bundle{Dir: dir, page: os.Getpagesize()}
	if err := b.open(); err != nil {
		b.Close()
		return nil, fmt.Errorf("bundle %s: %w: %w (rebuild it with `riskwalk bundle`; the scorer keeps the bundle it has)", dir, ErrBadBundle, err)
	}
	return b, nil
}

func (b *Bundle) open() error {
	mpath := filepath.Join(b.Dir, ManifestFile)
	mf, err := os.Open(mpath)
	if err != nil {
		return err
	}
	mb, err := io.ReadAll(io.LimitReader(mf, 1<<20))
	mf.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", mpath, err)
	}
	if err := json.Unmarshal(mb, &b.Manifest); err != nil {
		return fmt.Errorf("%s: %w", mpath, err)
	}
	m := &b.Manifest
	if m.Format != manifestFormat {
		return fmt.Errorf("%s: format %q, want %q", mpath, m.Format, manifestFormat)
	}
	if m.Version < V2 || m.Version > FormatVersion {
		return fmt.Errorf("%s: bundle version %d, this scorer reads %d..%d (upgrade riskwalk-scorer, or rebuild the bundle with this riskwalk)", mpath, m.Version, V2, FormatVersion)
	}
	for _, name := range []string{IDsFile, VectorsFile, ScoresFile} {
		want, ok := m.Files[name]
		if !ok {
			return fmt.Errorf("%s: no entry for %s", mpath, name)
		}
		got, err := sumFile(filepath.Join(b.Dir, name))
		if err != nil {
			return err
		}
		if got != want {
			return fmt.Errorf("%s: size %d crc32c %s, manifest says size %d crc32c %s (truncated or corrupted)", name, got.Size, got.CRC32C, want.Size, want.CRC32C)
		}
	}
	open := func(name string, magic [8]byte, v uint32) (*secfile.File, error) {
		f, err := secfile.Open(filepath.Join(b.Dir, name), magic, v, v, secfile.Options{})
		if err != nil {
			return nil, err
		}
		b.files = append(b.files, f)
		return f, nil
	}
	sec := func(f *secfile.File, name string) ([]byte, error) {
		s, ok := f.Section(name)
		if !ok {
			return nil, fmt.Errorf("%s: %w: no section %q", f.Path, secfile.ErrCorrupt, name)
		}
		return s, nil
	}

	// ids.rwi (graph's id index)
	if b.ids, err = graph.OpenIDs(filepath.Join(b.Dir, IDsFile)); err != nil {
		return err
	}
	n := uint64(b.ids.Len())
	if n == 0 || n > uint64(maxDenseID) || n != uint64(m.Users) {
		return fmt.Errorf("%s: %d users, manifest says %d", IDsFile, n, m.Users)
	}
	b.N = uint32(n)

	// vectors.rwv (vecfile)
	if b.vec, err = vecfile.Open(filepath.Join(b.Dir, VectorsFile)); err != nil {
		return err
	}
	kind := map[vecfile.DType]string{vecfile.Float32: "f32", vecfile.Int8: "i8"}[b.vec.DType]
	if b.vec.Count != n || b.vec.Dim != m.Dim || kind != m.VectorKind {
		return fmt.Errorf("%s: %d rows of dimension %d (%s), manifest says %d of %d (%s)", VectorsFile, b.vec.Count, b.vec.Dim, kind, n, m.Dim, m.VectorKind)
	}
	b.D, b.vstr = b.vec.Dim, b.vec.Stride
	if b.vec.DType == vecfile.Float32 {
		b.f32, _ = b.vec.Float32Rows()
	}
	// Every graph checksum recorded must name the same graph (0: unknown).
	mg, err := strconv.ParseUint(m.GraphChecksum, 16, 64)
	if err != nil {
		return fmt.Errorf("%s: graph checksum %q is not hex", mpath, m.GraphChecksum)
	}
	for _, g := range []struct {
		file string
		sum  uint64
	}{{IDsFile, b.ids.GraphChecksum()}, {VectorsFile, b.vec.GraphSum}} {
		if g.sum != 0 && mg != 0 && g.sum != mg {
			return fmt.Errorf("%s: graph checksum %016x, manifest says %s", g.file, g.sum, m.GraphChecksum)
		}
	}

	// scores.rws
	fs, err := open(ScoresFile, scoresMagic, scoreVersion)
	if err != nil {
		return err
	}
	s, err := sec(fs, "meta")
	if err != nil {
		return err
	}
	if err := json.Unmarshal(s, &b.Meta); err != nil {
		return fmt.Errorf("%s: %w: meta: %w", fs.Path, secfile.ErrCorrupt, err)
	}
	if b.Meta.Users != b.N || b.Meta.ModelVersion != m.ModelVersion {
		return fmt.Errorf("%s: meta (users %d, model %q) disagrees with the manifest (users %d, model %q)", fs.Path, b.Meta.Users, b.Meta.ModelVersion, b.N, m.ModelVersion)
	}
	if s, err = sec(fs, "users"); err != nil {
		return err
	}
	if len(s) != int(n)*userRowSize {
		return fmt.Errorf("%s: %w: users section is %d bytes, want %d", fs.Path, secfile.ErrCorrupt, len(s), int(n)*userRowSize)
	}
	b.rows = unsafe.Slice((*UserRow)(unsafe.Pointer(unsafe.SliceData(s))), n)
	if s, err = sec(fs, "comms"); err != nil {
		return err
	}
	if len(s) != int(b.Meta.Communities)*commRowSize {
		return fmt.Errorf("%s: %w: comms section is %d bytes for %d communities", fs.Path, secfile.ErrCorrupt, len(s), b.Meta.Communities)
	}
	if len(s) > 0 {
		b.comms = unsafe.Slice((*CommRow)(unsafe.Pointer(unsafe.SliceData(s))), b.Meta.Communities)
	}
	if s, err = sec(fs, "nbr_off"); err != nil {
		return err
	}
	if b.nbrOff, err = secfile.View[uint64](s); err != nil || uint64(len(b.nbrOff)) != n+1 {
		return fmt.Errorf("%s: %w: nbr_off", fs.Path, secfile.ErrCorrupt)
	}
	if s, err = sec(fs, "nbr"); err != nil {
		return err
	}
	if b.nbr, err = secfile.View[uint32](s); err != nil {
		return fmt.Errorf("%s: %w: nbr", fs.Path, err)
	}
	return b.checkScores(fs.Path)
}

// checkScores validates every id, count and code in scores.rws so that the request path can
// index with them unchecked.
func (b *Bundle) checkScores(path string) error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%s: %w: %s", path, secfile.ErrCorrupt, fmt.Sprintf(format, a...))
	}
	t := b.Meta.Thresholds
	if !(t.Review >= 0 && t.Review <= t.Reject && t.Reject <= 1) || !(b.Meta.ColdScore >= 0 && b.Meta.ColdScore <= 1) {
		return bad("thresholds or cold score out of range")
	}
	nr := len(b.Meta.ReasonNames)
	for v := range b.rows {
		r := &b.rows[v]
		if !(r.Score >= 0 && r.Score <= 1) || r.Decision > Reject || r.NReasons > MaxReasons || r.NNear > MaxNear {
			return bad("user row %d: score %g decision %d reasons %d near %d", v, r.Score, r.Decision, r.NReasons, r.NNear)
		}
		if r.Community != NoCommunity && r.Community >= b.Meta.Communities {
			return bad("user row %d: community %d >= %d", v, r.Community, b.Meta.Communities)
		}
		for i := 0; i < int(r.NReasons); i++ {
			if int(r.ReasonCode[i]) >= nr || math.IsNaN(float64(r.ReasonContrib[i])) {
				return bad("user row %d: reason code %d of %d names", v, r.ReasonCode[i], nr)
			}
		}
		for i := 0; i < int(r.NNear); i++ {
			if r.NearID[i] >= b.N {
				return bad("user row %d: nearest id %d >= N", v, r.NearID[i])
			}
		}
		if !(r.InvNorm >= 0) || math.IsInf(float64(r.InvNorm), 0) {
			return bad("user row %d: inverse norm %g", v, r.InvNorm)
		}
	}
	if b.nbrOff[0] != 0 || b.nbrOff[b.N] != uint64(len(b.nbr)) {
		return bad("neighbourhood offsets do not span the list")
	}
	for v := uint32(0); v < b.N; v++ {
		if b.nbrOff[v+1] < b.nbrOff[v] {
			return bad("neighbourhood offsets decrease at %d", v)
		}
	}
	for _, e := range b.nbr {
		if e&^HopTwoBit >= b.N {
			return bad("neighbour id %d >= N", e&^HopTwoBit)
		}
	}
	return nil
}

// Close unmaps the files. Nothing obtained from b may be used afterwards.
func (b *Bundle) Close() error {
	var errs []error
	for _, f := range b.files {
		errs = append(errs, f.Close())
	}
	b.files = nil
	if b.ids != nil {
		errs = append(errs, b.ids.Close())
		b.ids = nil
	}
	if b.vec != nil {
		errs = append(errs, b.vec.Close())
		b.vec = nil
	}
	return errors.Join(errs...)
}

// Lookup returns the dense id of an external id; zero allocations.
func (b *Bundle) Lookup(id []byte) (uint32, bool) { return b.ids.LookupBytes(id) }

// AppendExtID appends the external id of dense id v (< N) to dst; no other allocation.
func (b *Bundle) AppendExtID(dst []byte, v uint32) []byte { return b.ids.AppendExt(dst, v) }

// ExtID is the external id of dense id v (< N); it allocates (see AppendExtID).
func (b *Bundle) ExtID(v uint32) string { return b.ids.Ext(v) }

// Row is user v's precomputed row (aliasing the mapping). v < N.
func (b *Bundle) Row(v uint32) *UserRow { return &b.rows[v] }

// Comm is community c's size and labelled-bad count; c < Meta.Communities.
func (b *Bundle) Comm(c uint32) CommRow { return b.comms[c] }

// Neighbors is v's capped neighbourhood: dense ids, HopTwoBit set for two-hop users.
func (b *Bundle) Neighbors(v uint32) []uint32 { return b.nbr[b.nbrOff[v]:b.nbrOff[v+1]] }

// Int8 reports whether vectors are stored quantised.
func (b *Bundle) Int8() bool { return b.f32 == nil }

// Vector appends user v's (dequantised) vector to dst.
func (b *Bundle) Vector(dst []float32, v uint32) []float32 { return b.vec.Row(dst, uint64(v)) }

// Cosine is the cosine similarity of users u and v's stored vectors (0 if either is zero).
// For int8 rows it is computed in integers: scale_u*scale_v*sum(q_u*q_v) / (|x_u||x_v|).
// Zero allocations.
func (b *Bundle) Cosine(u, v uint32) float32 {
	inv := b.rows[u].InvNorm * b.rows[v].InvNorm
	if inv == 0 {
		return 0
	}
	d := b.D
	if b.f32 == nil {
		x, su := b.vec.Int8Row(uint64(u))
		y, sv := b.vec.Int8Row(uint64(v))
		x, y = x[:d], y[:d]
		var s int32
		for j := range x {
			s += int32(x[j]) * int32(y[j])
		}
		return float32(s) * su * sv * inv
	}
	x, y := b.f32[int(u)*b.vstr:int(u)*b.vstr+d], b.f32[int(v)*b.vstr:int(v)*b.vstr+d]
	var s float32
	for j := range x {
		s += x[j] * y[j]
	}
	return s * inv
}

// RowResident reports whether the page(s) holding user v's row are in the page cache (mincore),
// without touching them. vec is caller scratch of at least 2 bytes. On error it reports true
// (the caller then just reads the row).
func (b *Bundle) RowResident(v uint32, vec []byte) bool {
	p := unsafe.Pointer(&b.rows[v])
	off := int(uintptr(p) & uintptr(b.page-1))
	start := unsafe.Add(p, -off)
	_, _, errno := unix.RawSyscall(unix.SYS_MINCORE, uintptr(start), uintptr(off+userRowSize), uintptr(unsafe.Pointer(&vec[:2][0])))
	if errno != 0 {
		return true
	}
	if vec[0]&1 == 0 {
		return false
	}
	return off+userRowSize <= b.page || vec[1]&1 == 1
}
