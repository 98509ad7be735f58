// Package secfile is the container shared by riskwalk's binary files (graph .rwg, vectors .rwv,
// features .rwf, partitions .rwp): a fixed header, a table of named sections, and the sections
// themselves, each 64-byte aligned and CRC32C-checksummed, so that a file can be mapped with mmap
// and its arrays used in place.
//
// Layout (all integers little-endian):
//
//	offset  size  field
//	0       8     magic, chosen by the format (e.g. "RWGRAPH\x00")
//	8       4     format version (the format's own enum)
//	12      4     section count S
//	16      8     total file size in bytes
//	24      4     reserved, zero
//	28      4     CRC32C (Castagnoli) of bytes 0..27 followed by the section table
//	32      40*S  section table, one entry per section:
//	                0   16  name, ASCII, NUL-padded
//	                16  8   offset of the section from the start of the file (multiple of 64)
//	                24  8   length in bytes
//	                32  4   CRC32C of the section's bytes
//	                36  4   reserved, zero
//	...           zero padding up to the first section; sections follow in table order, each
//	              starting at a multiple of 64 and separated by zero padding.
//
// A reader checks, once, at open: magic, version range, that the size matches, the header CRC,
// that every section lies inside the file and is aligned, and (unless told not to) every
// section's CRC. After that, section bytes are used without re-checking.
package secfile

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"unsafe"

	"github.com/edsrzf/mmap-go"

	"riskwalk/internal/atomicfile"
)

const (
	headerSize = 32
	entrySize  = 40
	// Align is the alignment of every section's start.
	Align = 64
	// MaxSections bounds the table so that a corrupt count cannot make a reader allocate wildly.
	MaxSections = 1 << 12
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// CRC32C returns the Castagnoli CRC of b (hardware-accelerated on amd64 and arm64).
func CRC32C(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// Magic makes an 8-byte magic from a string of at most 8 bytes, NUL-padded.
func Magic(s string) [8]byte {
	var m [8]byte
	if len(s) > 8 {
		panic("secfile: magic longer than 8 bytes: " + s) // a bug in the caller
	}
	copy(m[:], s)
	return m
}

type entry struct {
	name        string
	off, length uint64
	crc         uint32
}

// Writer writes a container to a temporary file beside its target; Commit makes it visible
// atomically. The number of sections is fixed at Create so the header can be reserved up front
// and sections streamed.
type Writer struct {
	f       *atomicfile.File
	magic   [8]byte
	version uint32
	n       int
	entries []entry
	pos     uint64
	bw      *bufio.Writer
	err     error
}

// Create starts a container of exactly nSections sections at path.
func Create(path string, magic [8]byte, version uint32, nSections int) (*Writer, error) {
	if nSections < 0 || nSections > MaxSections {
		return nil, fmt.Errorf("secfile: %d sections (at most %d)", nSections, MaxSections)
	}
	f, err := atomicfile.Create(path)
	if err != nil {
		return nil, err
	}
	w := &Writer{f: f, magic: magic, version: version, n: nSections, bw: f.W}
	tableEnd := uint64(headerSize + entrySize*nSections)
	w.pad(tableEnd) // placeholder for header and table, rewritten at Commit
	return w, w.err
}

func (w *Writer) pad(n uint64) {
	var zero [Align]byte
	for n > 0 && w.err == nil {
		k := min(n, Align)
		_, w.err = w.bw.Write(zero[:k])
		w.pos += k
		n -= k
	}
}

// sectionWriter counts and checksums what a section writes.
type sectionWriter struct {
	w   *Writer
	crc hash.Hash32
	n   uint64
}

func (s *sectionWriter) Write(p []byte) (int, error) {
	if s.w.err != nil {
		return 0, s.w.err
	}
	n, err := s.w.bw.Write(p)
	s.crc.Write(p[:n])
	s.n += uint64(n)
	s.w.pos += uint64(n)
	if err != nil {
		s.w.err = err
	}
	return n, err
}

// Section appends a section named name whose bytes are whatever fill writes.
func (w *Writer) Section(name string, fill func(io.Writer) error) error {
	if w.err != nil {
		return w.err
	}
	if len(name) == 0 || len(name) > 16 {
		return fmt.Errorf("secfile: section name %q must be 1-16 bytes", name)
	}
	if len(w.entries) == w.n {
		return fmt.Errorf("secfile: more than the %d sections declared", w.n)
	}
	if r := w.pos % Align; r != 0 {
		w.pad(Align - r)
	}
	e := entry{name: name, off: w.pos}
	sw := &sectionWriter{w: w, crc: crc32.New(castagnoli)}
	if err := fill(sw); err != nil {
		if w.err == nil {
			w.err = fmt.Errorf("section %s: %w", name, err)
		}
		return w.err
	}
	e.length, e.crc = sw.n, sw.crc.Sum32()
	w.entries = append(w.entries, e)
	return w.err
}

// Bytes appends a section holding b.
func (w *Writer) Bytes(name string, b []byte) error {
	return w.Section(name, func(o io.Writer) error { _, err := o.Write(b); return err })
}

// Slice appends a section holding the raw little-endian bytes of a slice of fixed-size numbers.
func Slice[T uint8 | uint16 | uint32 | uint64 | int32 | int64 | float32 | float64 | int8](w *Writer, name string, s []T) error {
	return w.Bytes(name, AsBytes(s))
}

// Commit writes the header and table, syncs and renames the file into place.
func (w *Writer) Commit() error {
	if w.err == nil && len(w.entries) != w.n {
		w.err = fmt.Errorf("secfile: %d sections written, %d declared", len(w.entries), w.n)
	}
	if w.err == nil {
		w.err = w.bw.Flush()
	}
	if w.err != nil {
		w.f.Abort()
		return w.err
	}
	hdr := encodeHeader(w.magic, w.version, w.pos, w.entries)
	if _, err := w.f.File.WriteAt(hdr, 0); err != nil {
		w.f.Abort()
		return err
	}
	return w.f.Commit()
}

// Abort discards the file being written; it does nothing after Commit.
func (w *Writer) Abort() { w.f.Abort() }

func encodeHeader(magic [8]byte, version uint32, size uint64, es []entry) []byte {
	b := make([]byte, headerSize+entrySize*len(es))
	copy(b[0:8], magic[:])
	binary.LittleEndian.PutUint32(b[8:], version)
	binary.LittleEndian.PutUint32(b[12:], uint32(len(es)))
	binary.LittleEndian.PutUint64(b[16:], size)
	for i, e := range es {
		t := b[headerSize+entrySize*i:]
		copy(t[0:16], e.name)
		binary.LittleEndian.PutUint64(t[16:], e.off)
		binary.LittleEndian.PutUint64(t[24:], e.length)
		binary.LittleEndian.PutUint32(t[32:], e.crc)
	}
	crc := crc32.Update(CRC32C(b[:28]), castagnoli, b[headerSize:])
	binary.LittleEndian.PutUint32(b[28:], crc)
	return b
}

// File is an opened, checked container. Section bytes alias the mapping: read-only, valid until
// Close.
type File struct {
	Path    string
	Version uint32
	data    []byte
	mm      mmap.MMap
	entries []entry
}

// Options tune Open.
type Options struct {
	// SkipSectionCRC skips the per-section checksums (the header and table are still checked);
	// for callers that verified the file earlier and want an O(1) open.
	SkipSectionCRC bool
}

// ErrCorrupt marks every structural or checksum failure.
var ErrCorrupt = errors.New("corrupt file")

// Open maps path and checks it against magic and the accepted version range [minV, maxV].
func Open(path string, magic [8]byte, minV, maxV uint32, opt Options) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() < headerSize {
		return nil, fmt.Errorf("%s: %w: %d bytes is shorter than the %d-byte header (truncated?)", path, ErrCorrupt, st.Size(), headerSize)
	}
	mm, err := mmap.Map(f, mmap.RDONLY, 0)
	if err != nil {
		return nil, fmt.Errorf("mmap %s: %w", path, err)
	}
	sf, err := parse(path, []byte(mm), magic, minV, maxV, opt)
	if err != nil {
		mm.Unmap()
		return nil, err
	}
	sf.mm = mm
	return sf, nil
}

// FromBytes checks a container held in memory (b must be 8-byte aligned for typed views).
func FromBytes(name string, b []byte, magic [8]byte, minV, maxV uint32, opt Options) (*File, error) {
	return parse(name, b, magic, minV, maxV, opt)
}

func parse(path string, b []byte, magic [8]byte, minV, maxV uint32, opt Options) (*File, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%s: %w: %s", path, ErrCorrupt, fmt.Sprintf(format, args...))
	}
	if len(b) < headerSize {
		return nil, bad("%d bytes is shorter than the header", len(b))
	}
	if [8]byte(b[0:8]) != magic {
		return nil, bad("magic %q, want %q (not this kind of file?)", b[0:8], magic[:])
	}
	v := binary.LittleEndian.Uint32(b[8:])
	if v < minV || v > maxV {
		return nil, fmt.Errorf("%s: format version %d, this build reads %d..%d (re-create the file or upgrade riskwalk)", path, v, minV, maxV)
	}
	n := binary.LittleEndian.Uint32(b[12:])
	if n > MaxSections {
		return nil, bad("section count %d", n)
	}
	if size := binary.LittleEndian.Uint64(b[16:]); size != uint64(len(b)) {
		return nil, bad("header says %d bytes, file has %d (truncated or appended to)", size, len(b))
	}
	tableEnd := headerSize + entrySize*int(n)
	if tableEnd > len(b) {
		return nil, bad("section table runs past the end")
	}
	crc := crc32.Update(CRC32C(b[:28]), castagnoli, b[headerSize:tableEnd])
	if crc != binary.LittleEndian.Uint32(b[28:]) {
		return nil, bad("header checksum mismatch")
	}
	f := &File{Path: path, Version: v, data: b}
	for i := 0; i < int(n); i++ {
		t := b[headerSize+entrySize*i:]
		name := string(t[:16])
		for len(name) > 0 && name[len(name)-1] == 0 {
			name = name[:len(name)-1]
		}
		e := entry{name: name, off: binary.LittleEndian.Uint64(t[16:]), length: binary.LittleEndian.Uint64(t[24:]), crc: binary.LittleEndian.Uint32(t[32:])}
		if e.off%Align != 0 || e.off < uint64(tableEnd) || e.off > uint64(len(b)) || e.length > uint64(len(b))-e.off {
			return nil, bad("section %q at %d+%d lies outside the file or is misaligned", name, e.off, e.length)
		}
		if !opt.SkipSectionCRC && CRC32C(b[e.off:e.off+e.length]) != e.crc {
			return nil, bad("section %q checksum mismatch", name)
		}
		f.entries = append(f.entries, e)
	}
	return f, nil
}

// Section returns the bytes of the named section, or ok=false if the file has none.
func (f *File) Section(name string) (b []byte, ok bool) {
	for _, e := range f.entries {
		if e.name == name {
			return f.data[e.off : e.off+e.length : e.off+e.length], true
		}
	}
	return nil, false
}

// SectionCRC returns the CRC32C recorded in the table for the named section (as checked at Open
// unless Options.SkipSectionCRC), so formats can derive a content fingerprint without rereading.
func (f *File) SectionCRC(name string) (crc uint32, ok bool) {
	for _, e := range f.entries {
		if e.name == name {
			return e.crc, true
		}
	}
	return 0, false
}

// Names lists the sections in file order.
func (f *File) Names() []string {
	s := make([]string, len(f.entries))
	for i, e := range f.entries {
		s[i] = e.name
	}
	return s
}

// Size is the file's size in bytes.
func (f *File) Size() int { return len(f.data) }

// Close unmaps the file; slices obtained from it must not be used afterwards.
func (f *File) Close() error {
	if f.mm != nil {
		err := f.mm.Unmap()
		f.mm = nil
		return err
	}
	return nil
}

// View reinterprets section bytes as a slice of T without copying. It fails if the length is not
// a multiple of T's size or the start is misaligned (sections are 64-byte aligned, so this only
// happens for corrupt files or sub-slices). Requires a little-endian host (all riskwalk targets).
func View[T uint8 | uint16 | uint32 | uint64 | int32 | int64 | float32 | float64 | int8](b []byte) ([]T, error) {
	var z T
	sz := int(unsafe.Sizeof(z))
	if len(b)%sz != 0 {
		return nil, fmt.Errorf("%w: %d bytes is not a whole number of %d-byte values", ErrCorrupt, len(b), sz)
	}
	if len(b) == 0 {
		return []T{}, nil
	}
	if uintptr(unsafe.Pointer(&b[0]))%uintptr(sz) != 0 {
		return nil, fmt.Errorf("%w: misaligned section", ErrCorrupt)
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), len(b)/sz), nil
}

// AsBytes is the inverse of View: the raw bytes of s, aliasing it.
func AsBytes[T uint8 | uint16 | uint32 | uint64 | int32 | int64 | float32 | float64 | int8](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	var z T
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*int(unsafe.Sizeof(z)))
}
