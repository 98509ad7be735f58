package vecfile

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"riskwalk/internal/secfile"
)

func randRows(n, dim, stride int, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 1))
	v := make([]float32, n*stride)
	for i := 0; i < n; i++ {
		for k := 0; k < dim; k++ {
			v[i*stride+k] = float32(r.NormFloat64())
		}
	}
	return v
}

func TestRoundTripFloat32(t *testing.T) {
	for _, dim := range []int{1, 13, 16, 128, 200} {
		src := randRows(37, dim, dim+3, 5)
		path := filepath.Join(t.TempDir(), "v.rwv")
		h := Header{Dim: dim, Count: 37, DType: Float32, ModelID: 99, GraphSum: 0xabc, Params: map[string]any{"walks": 80.0}}
		if err := Write(path, h, src, dim+3); err != nil {
			t.Fatal(err)
		}
		f, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if f.Dim != dim || f.Count != 37 || f.ModelID != 99 || f.GraphSum != 0xabc || f.Params["walks"] != 80.0 || f.Stride%16 != 0 {
			t.Fatalf("header %+v", f.Header)
		}
		var row []float32
		for i := uint64(0); i < 37; i++ {
			row = f.Row(row[:0], i)
			for k, v := range row {
				if math.Float32bits(v) != math.Float32bits(src[int(i)*(dim+3)+k]) {
					t.Fatalf("dim %d row %d[%d]: %v, wrote %v", dim, i, k, v, src[int(i)*(dim+3)+k])
				}
			}
		}
		all, err := f.Float32Rows()
		if err != nil || len(all) != 37*f.Stride || all[f.Stride-1] != 0 && dim < f.Stride {
			t.Fatalf("Float32Rows: %d floats, err %v", len(all), err)
		}
		f.Close()
	}
}

// int8 rows: each element within s/2 of the original, and cosine similarities within the bound
// that follows from it: |cos(a',b') - cos(a,b)| <= 2(|ea|/|a| + |eb|/|b|) with |e| <= sqrt(d)*s/2.
func TestInt8CosineBound(t *testing.T) {
	const n, dim = 200, 128
	src := randRows(n, dim, dim, 7)
	path := filepath.Join(t.TempDir(), "q.rwv")
	if err := Write(path, Header{Dim: dim, Count: n, DType: Int8}, src, dim); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Stride%64 != 0 {
		t.Fatalf("int8 stride %d not a multiple of 64", f.Stride)
	}
	q := make([][]float32, n)
	relErr := make([]float64, n)
	for i := range q {
		q[i] = f.Row(nil, uint64(i))
		_, s := f.Int8Row(uint64(i))
		a := src[i*dim : (i+1)*dim]
		for k := range a {
			if math.Abs(float64(q[i][k]-a[k])) > float64(s)/2*1.0001 {
				t.Fatalf("row %d[%d]: %v vs %v exceeds s/2 = %v", i, k, q[i][k], a[k], s/2)
			}
		}
		relErr[i] = math.Sqrt(dim) * float64(s) / 2 / norm(a)
	}
	worst := 0.0
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			d := math.Abs(cos(q[i], q[j]) - cos(src[i*dim:(i+1)*dim], src[j*dim:(j+1)*dim]))
			if bound := 2 * (relErr[i] + relErr[j]); d > bound {
				t.Fatalf("rows %d,%d: cosine error %.5f above bound %.5f", i, j, d, bound)
			}
			worst = max(worst, d)
		}
	}
	if worst > 0.02 {
		t.Errorf("worst int8 cosine error %.4f, want < 0.02 at dim 128", worst)
	}
	t.Logf("worst int8 cosine error %.5f", worst)
}

func norm(a []float32) float64 {
	s := 0.0
	for _, v := range a {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s)
}

func cos(a, b []float32) float64 {
	s := 0.0
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s / norm(a) / norm(b)
}

func TestCorruptionDetected(t *testing.T) {
	src := randRows(10, 16, 16, 1)
	path := filepath.Join(t.TempDir(), "c.rwv")
	if err := Write(path, Header{Dim: 16, Count: 10, DType: Int8}, src, 16); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(path)
	for _, off := range []int{3, 20, 200, len(good) - 30, len(good) - 1} {
		b := append([]byte(nil), good...)
		b[off] ^= 0x10
		os.WriteFile(path, b, 0o644)
		if _, err := Open(path); err == nil {
			t.Errorf("flipped byte %d of %d: opened without error", off, len(b))
		} else if off != 3 && !errors.Is(err, secfile.ErrCorrupt) {
			t.Errorf("flipped byte %d: error %v does not wrap ErrCorrupt", off, err)
		}
	}
	os.WriteFile(path, good[:len(good)-8], 0o644)
	if _, err := Open(path); err == nil {
		t.Error("truncated file opened")
	}
}

func TestWord2VecExport(t *testing.T) {
	src := randRows(3, 5, 5, 2)
	path := filepath.Join(t.TempDir(), "w.rwv")
	if err := Write(path, Header{Dim: 5, Count: 3, DType: Float32}, src, 5); err != nil {
		t.Fatal(err)
	}
	f, _ := Open(path)
	defer f.Close()
	var b bytes.Buffer
	err := WriteWord2Vec(&b, f, func(dst []byte, i uint64) []byte { return append(dst, "n"+strconv.Itoa(int(i)*10)...) })
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if lines[0] != "3 5" || len(lines) != 4 {
		t.Fatalf("export:\n%s", b.String())
	}
	for i, l := range lines[1:] {
		fs := strings.Split(l, " ")
		if fs[0] != "n"+strconv.Itoa(i*10) || len(fs) != 6 {
			t.Fatalf("line %q", l)
		}
		for k, s := range fs[1:] {
			v, err := strconv.ParseFloat(s, 32)
			if err != nil || float32(v) != src[i*5+k] {
				t.Fatalf("row %d[%d]: %q, want %v", i, k, s, src[i*5+k])
			}
		}
	}
}
