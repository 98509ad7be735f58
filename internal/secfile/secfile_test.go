package secfile

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var testMagic = Magic("RWTEST")

func writeTest(t *testing.T, p string) {
	t.Helper()
	w, err := Create(p, testMagic, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := Slice(w, "u64", []uint64{1, 2, 1 << 40}); err != nil {
		t.Fatal(err)
	}
	if err := w.Bytes("odd", []byte("abc")); err != nil {
		t.Fatal(err)
	}
	if err := Slice(w, "f32", []float32{0.5, -1}); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
}

func TestRoundTrip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.bin")
	writeTest(t, p)
	f, err := Open(p, testMagic, 1, 2, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !slices.Equal(f.Names(), []string{"u64", "odd", "f32"}) {
		t.Fatalf("names %v", f.Names())
	}
	b, _ := f.Section("u64")
	u, err := View[uint64](b)
	if err != nil || !slices.Equal(u, []uint64{1, 2, 1 << 40}) {
		t.Fatalf("u64 %v %v", u, err)
	}
	b, _ = f.Section("f32")
	if v, _ := View[float32](b); !slices.Equal(v, []float32{0.5, -1}) {
		t.Fatalf("f32 %v", v)
	}
	if b, _ := f.Section("odd"); string(b) != "abc" {
		t.Fatalf("odd %q", b)
	}
	if _, ok := f.Section("nope"); ok {
		t.Fatal("missing section found")
	}
	if f.Version != 2 {
		t.Fatalf("version %d", f.Version)
	}
}

// Every single-byte change and every truncation must be refused with an error, never a panic.
func TestCorruptionDetected(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.bin")
	writeTest(t, p)
	orig, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	q := filepath.Join(dir, "bad.bin")
	for i := range orig {
		b := slices.Clone(orig)
		b[i] ^= 0x5a
		os.WriteFile(q, b, 0o644)
		f, err := Open(q, testMagic, 1, 2, Options{})
		if err == nil {
			// Only bytes in padding may change without notice.
			f.Close()
			if inSection(orig, i) {
				t.Fatalf("flip at byte %d not detected", i)
			}
		}
	}
	for _, n := range []int{0, 10, 31, len(orig) / 2, len(orig) - 1} {
		os.WriteFile(q, orig[:n], 0o644)
		if _, err := Open(q, testMagic, 1, 2, Options{}); err == nil {
			t.Fatalf("truncation to %d bytes not detected", n)
		}
	}
	os.WriteFile(q, orig, 0o644)
	if _, err := Open(q, Magic("OTHER"), 1, 2, Options{}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("wrong magic: %v", err)
	}
	if _, err := Open(q, testMagic, 3, 4, Options{}); err == nil || !strings.Contains(err.Error(), "version 2") {
		t.Fatalf("version outside range: %v", err)
	}
}

// inSection reports whether byte i of a file is header, table or section data (not padding).
func inSection(b []byte, i int) bool {
	f, err := FromBytes("x", b, testMagic, 0, 99, Options{})
	if err != nil {
		panic(err)
	}
	if i < headerSize+entrySize*len(f.entries) {
		return true
	}
	for _, e := range f.entries {
		if uint64(i) >= e.off && uint64(i) < e.off+e.length {
			return true
		}
	}
	return false
}

func TestWrongSectionCountAborts(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.bin")
	w, err := Create(p, testMagic, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	w.Bytes("one", []byte{1})
	if err := w.Commit(); err == nil {
		t.Fatal("commit with a missing section succeeded")
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatal("failed write left a file behind")
	}
}
