package features

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"riskwalk/internal/secfile"
)

func testColumns() []Column {
	return []Column{
		F32("pagerank", []float32{0.5, 0.25, 0.25}),
		U32("wcc_id", []uint32{0, 0, 1 << 30}),
		F32("clustering", []float32{0, 1, float32(math.Inf(1))}),
	}
}

func TestFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.rwf")
	meta := Meta{GraphChecksum: 0xfeedbeef12345678, LabelsChecksum: 42, Params: []Param{{"damping", "0.85"}, {"note", "a b=c"}}}
	if err := Write(path, 3, testColumns(), meta); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.N() != 3 || len(f.Columns()) != 3 || f.Columns()[1] != "wcc_id" {
		t.Fatalf("N %d, columns %v", f.N(), f.Columns())
	}
	if f.Meta().GraphChecksum != meta.GraphChecksum || f.Meta().LabelsChecksum != 42 {
		t.Fatalf("meta %+v", f.Meta())
	}
	if v, _ := f.Param("note"); v != "a b=c" {
		t.Fatalf("param note = %q", v)
	}
	if f.CheckGraph(meta.GraphChecksum) != nil || f.CheckGraph(1) == nil {
		t.Fatal("CheckGraph does not tell graphs apart")
	}
	pr, err := f.Column("pagerank")
	if err != nil || pr[1] != 0.25 {
		t.Fatalf("pagerank column %v %v", pr, err)
	}
	ids, err := f.ColumnUint32("wcc_id")
	if err != nil || ids[2] != 1<<30 {
		t.Fatalf("wcc_id %v %v", ids, err)
	}
	if _, err := f.ColumnUint32("pagerank"); err == nil {
		t.Fatal("ColumnUint32 of a float32 column succeeded")
	}
	if _, err := f.Column("nope"); err == nil {
		t.Fatal("missing column found")
	}
	conv, _ := f.Column("wcc_id")
	if conv[2] != float32(1<<30) {
		t.Fatalf("converted id %v", conv[2])
	}
	row := f.Row(2, nil)
	if len(row) != 3 || row[0] != 0.25 || row[1] != float32(1<<30) || !math.IsInf(float64(row[2]), 1) {
		t.Fatalf("row 2 = %v", row)
	}
	dst := make([]float32, 0, 3)
	if a := testing.AllocsPerRun(100, func() { dst = f.Row(1, dst[:0]) }); a != 0 {
		t.Fatalf("Row allocates %v times", a)
	}
}

func TestFileRejects(t *testing.T) {
	dir := t.TempDir()
	for _, c := range [][]Column{
		{F32("Bad Name", []float32{1})},
		{F32("x", []float32{1}), U32("x", []uint32{1})},
		{F32("short", nil)},
		{F32("this_name_is_far_too_long_for_the_table", []float32{1})},
	} {
		if err := Write(filepath.Join(dir, "x.rwf"), 1, c, Meta{}); err == nil {
			t.Fatalf("Write accepted %v", c[0].Name)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x.rwf")); err == nil {
		t.Fatal("a rejected write left a file")
	}
	// Corrupt one byte of a column: Open must fail with ErrCorrupt.
	path := filepath.Join(dir, "ok.rwf")
	if err := Write(path, 3, testColumns(), Meta{}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	b[len(b)-1] ^= 0xff
	os.WriteFile(path, b, 0o644)
	if _, err := Open(path); !errors.Is(err, secfile.ErrCorrupt) {
		t.Fatalf("corrupt file: %v", err)
	}
	// Truncated.
	os.WriteFile(path, b[:len(b)/2], 0o644)
	if _, err := Open(path); err == nil {
		t.Fatal("truncated file opened")
	}
}
