package bundle

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"riskwalk/internal/secfile"
)

func writeSynthetic(t testing.TB, n, dim int, int8 bool) (string, *Input) {
	t.Helper()
	in := Synthetic(n, dim, 7)
	in.Int8 = int8
	dir := filepath.Join(t.TempDir(), "bundle")
	if err := Write(dir, in); err != nil {
		t.Fatal(err)
	}
	return dir, in
}

func TestRoundTrip(t *testing.T) {
	dir, in := writeSynthetic(t, 3000, 16, false)
	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.N != 3000 || b.D != 16 || b.Meta.ModelVersion != in.ModelVersion {
		t.Fatalf("N=%d D=%d model=%q", b.N, b.D, b.Meta.ModelVersion)
	}
	for v, id := range in.IDs {
		w, ok := b.Lookup([]byte(id))
		if !ok || w != uint32(v) || string(b.ExtID(w)) != id {
			t.Fatalf("lookup %q = %d,%v; want %d", id, w, ok, v)
		}
	}
	for _, id := range []string{"", "u", "u3000", "x1", "u-1"} {
		if _, ok := b.Lookup([]byte(id)); ok {
			t.Fatalf("lookup %q found a user", id)
		}
	}
	isBad := func(v uint32) bool { return in.Labels[v] == 1 }
	f := len(in.ReasonNames)
	for v := uint32(0); v < b.N; v++ {
		r := b.Row(v)
		if r.Score != in.Scores[v] || r.Decision != in.Thresholds.Decide(in.Scores[v]) {
			t.Fatalf("user %d: score %g decision %v", v, r.Score, r.Decision)
		}
		if r.Degree != in.Graph.Degree(v) || r.Community != in.Community[v] {
			t.Fatalf("user %d: degree %d community %d", v, r.Degree, r.Community)
		}
		// Reasons: the top contributions by magnitude, in order.
		mags := make([]float64, f)
		for j := 0; j < f; j++ {
			mags[j] = math.Abs(float64(in.Contrib[int(v)*f+j]))
		}
		sort.Sort(sort.Reverse(sort.Float64Slice(mags)))
		for i := 0; i < int(r.NReasons); i++ {
			if got := math.Abs(float64(r.ReasonContrib[i])); got != mags[i] || r.ReasonContrib[i] != in.Contrib[int(v)*f+int(r.ReasonCode[i])] {
				t.Fatalf("user %d reason %d: %g, want magnitude %g", v, i, got, mags[i])
			}
		}
		// Verifier: labelled-bad users within two hops, by sets.
		seen := map[uint32]bool{v: true}
		one := map[uint32]bool{}
		for _, u := range in.Graph.Neighbors(v) {
			seen[u] = true
			one[u] = true
		}
		for _, u := range in.Graph.Neighbors(v) {
			for _, x := range in.Graph.Neighbors(u) {
				seen[x] = true
			}
		}
		want := 0
		for u := range seen {
			if u != v && isBad(u) {
				want++
			}
		}
		if r.Flags&FlagTwoHopCap == 0 && int(r.BadTwoHop) != want {
			t.Fatalf("user %d: %d bad within two hops, verifier says %d", v, r.BadTwoHop, want)
		}
		nb := b.Neighbors(v)
		if len(nb) > b.Meta.NbrCap {
			t.Fatalf("user %d: neighbourhood of %d over the cap", v, len(nb))
		}
		for _, e := range nb {
			u := e &^ HopTwoBit
			if u == v || !seen[u] || (e&HopTwoBit == 0) != one[u] {
				t.Fatalf("user %d: neighbour entry %x wrong", v, e)
			}
		}
		if r.Flags&FlagNbrCapped == 0 && len(nb) != len(seen)-1 {
			t.Fatalf("user %d: %d neighbours stored, %d within two hops", v, len(nb), len(seen)-1)
		}
		if (in.Labels[v] == 1) != (r.Flags&FlagBad != 0) {
			t.Fatalf("user %d: bad flag", v)
		}
	}
	// Nearest bad: every labelled-bad user is a candidate here (fewer than 1024), so the first is
	// the exact nearest by brute force.
	for v := uint32(0); v < b.N; v += 97 {
		best, bestSim := uint32(0), float32(-2)
		for u := uint32(0); u < b.N; u++ {
			if u != v && isBad(u) {
				if s := b.Cosine(u, v); s > bestSim {
					best, bestSim = u, s
				}
			}
		}
		r := b.Row(v)
		if r.NNear == 0 || math.Abs(float64(r.NearSim[0]-bestSim)) > 1e-5 || b.Cosine(v, r.NearID[0]) < bestSim-1e-5 {
			t.Fatalf("user %d: nearest bad %d (%g), brute force %d (%g)", v, r.NearID[0], r.NearSim[0], best, bestSim)
		}
	}
}

func TestInt8Cosine(t *testing.T) {
	dir, in := writeSynthetic(t, 500, 32, true)
	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if !b.Int8() || b.Manifest.VectorKind != "i8" {
		t.Fatal("not int8")
	}
	d := in.Dim
	for u := uint32(0); u < 50; u++ {
		for v := uint32(0); v < b.N; v += 37 {
			var s, nu, nv float64
			for j := 0; j < d; j++ {
				x, y := float64(in.Vectors[int(u)*d+j]), float64(in.Vectors[int(v)*d+j])
				s, nu, nv = s+x*y, nu+x*x, nv+y*y
			}
			exact := s / math.Sqrt(nu*nv)
			if got := b.Cosine(u, v); math.Abs(float64(got)-exact) > 0.02 {
				t.Fatalf("cos(%d,%d) int8 %g, float %g", u, v, got, exact)
			}
		}
	}
	vec := b.Vector(nil, 3)
	for j, x := range vec {
		if math.Abs(float64(x-in.Vectors[3*d+j])) > 0.05 {
			t.Fatalf("dequantised %g vs %g", x, in.Vectors[3*d+j])
		}
	}
}

// TestUserRowLayout checks the drawn byte layout against raw section bytes.
func TestUserRowLayout(t *testing.T) {
	dir, _ := writeSynthetic(t, 200, 4, false)
	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	f, err := secfile.Open(filepath.Join(dir, ScoresFile), secfile.Magic("RWBSCORE"), 1, 1, secfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	raw, _ := f.Section("users")
	le := binary.LittleEndian
	for v := uint32(0); v < b.N; v++ {
		p, r := raw[80*v:80*v+80], b.Row(v)
		if math.Float32frombits(le.Uint32(p[0:])) != r.Score || Decision(p[4]) != r.Decision || p[5] != r.Flags ||
			p[6] != r.NReasons || p[7] != r.NNear || le.Uint32(p[8:]) != r.Community || le.Uint32(p[12:]) != r.Degree ||
			le.Uint32(p[16:]) != r.BadTwoHop || le.Uint16(p[24:]) != r.ReasonCode[0] ||
			math.Float32frombits(le.Uint32(p[32:])) != r.ReasonContrib[0] || le.Uint32(p[48:]) != r.NearID[0] ||
			math.Float32frombits(le.Uint32(p[64:])) != r.NearSim[0] {
			t.Fatalf("row %d bytes disagree with the drawn layout", v)
		}
	}
}

func TestCorruptBundleRefused(t *testing.T) {
	dir, _ := writeSynthetic(t, 300, 8, true)
	files := []string{ManifestFile, IDsFile, VectorsFile, ScoresFile}
	copyDir := func(t *testing.T) string {
		d := filepath.Join(t.TempDir(), "b")
		os.Mkdir(d, 0o755)
		for _, f := range files {
			data, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(d, f), data, 0o644)
		}
		return d
	}
	for _, f := range files {
		for _, how := range []string{"flip", "truncate", "remove"} {
			t.Run(f+"/"+how, func(t *testing.T) {
				d := copyDir(t)
				p := filepath.Join(d, f)
				data, _ := os.ReadFile(p)
				switch how {
				case "flip":
					data[len(data)/2] ^= 0x40
					os.WriteFile(p, data, 0o644)
				case "truncate":
					os.WriteFile(p, data[:len(data)-len(data)/3], 0o644)
				case "remove":
					os.Remove(p)
				}
				b, err := Open(d)
				if err == nil {
					b.Close()
					t.Fatalf("%s %s: bundle accepted", how, f)
				}
				if !errors.Is(err, ErrBadBundle) {
					t.Fatalf("error does not wrap ErrBadBundle: %v", err)
				}
			})
		}
	}
	// Checksums that match over contents that do not: a nearest-bad id out of range, rewritten
	// with valid section CRCs and a matching manifest. The consistency check must refuse it.
	t.Run("scores/near-id-out-of-range", func(t *testing.T) {
		d := copyDir(t)
		p := filepath.Join(d, ScoresFile)
		f, err := secfile.Open(p, scoresMagic, 1, 1, secfile.Options{})
		if err != nil {
			t.Fatal(err)
		}
		names := f.Names()
		secs := map[string][]byte{}
		for _, n := range names {
			b, _ := f.Section(n)
			secs[n] = append([]byte(nil), b...)
		}
		f.Close()
		users := secs["users"]
		users[6] = 0 // no reasons
		users[7] = 1 // one nearest
		binary.LittleEndian.PutUint32(users[48:], 1<<20)
		w, err := secfile.Create(p, scoresMagic, 1, len(names))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			w.Bytes(n, secs[n])
		}
		if err := w.Commit(); err != nil {
			t.Fatal(err)
		}
		var man Manifest
		mb, _ := os.ReadFile(filepath.Join(d, ManifestFile))
		json.Unmarshal(mb, &man)
		if man.Files[ScoresFile], err = sumFile(p); err != nil {
			t.Fatal(err)
		}
		mb, _ = json.Marshal(&man)
		os.WriteFile(filepath.Join(d, ManifestFile), mb, 0o644)
		b, err := Open(d)
		if err == nil {
			b.Close()
			t.Fatal("out-of-range nearest id accepted")
		}
		if !errors.Is(err, secfile.ErrCorrupt) || !strings.Contains(err.Error(), "nearest id") {
			t.Fatalf("wrong error: %v", err)
		}
	})
}

func TestWriteReplacesAtomically(t *testing.T) {
	in := Synthetic(100, 4, 1)
	dir := filepath.Join(t.TempDir(), "bundle")
	if err := Write(dir, in); err != nil {
		t.Fatal(err)
	}
	old, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	in.ModelVersion = "second"
	if err := Write(dir, in); err != nil {
		t.Fatal(err)
	}
	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.Meta.ModelVersion != "second" || old.Meta.ModelVersion == "second" {
		t.Fatalf("versions: new %q old %q", b.Meta.ModelVersion, old.Meta.ModelVersion)
	}
	// The old mapping stays readable after its files were replaced and deleted.
	if _, ok := old.Lookup([]byte("u5")); !ok || old.Row(5).Score != in.Scores[5] {
		t.Fatal("old bundle unreadable after replacement")
	}
	ents, _ := os.ReadDir(filepath.Dir(dir))
	if len(ents) != 1 {
		t.Fatalf("left behind: %v", ents)
	}
}

func TestWriteRejectsBadInput(t *testing.T) {
	for name, mod := range map[string]func(*Input){
		"duplicate id": func(in *Input) { in.IDs[3] = in.IDs[4] },
		"empty id":     func(in *Input) { in.IDs[0] = "" },
		"nan score":    func(in *Input) { in.Scores[2] = float32(math.NaN()) },
		"short vecs":   func(in *Input) { in.Vectors = in.Vectors[:10] },
		"community":    func(in *Input) { in.Community[1] = 1 << 30 },
		"no model":     func(in *Input) { in.ModelVersion = "" },
		"thresholds":   func(in *Input) { in.Thresholds = Thresholds{Review: 0.9, Reject: 0.1} },
	} {
		in := Synthetic(50, 4, 2)
		mod(in)
		dir := filepath.Join(t.TempDir(), "b")
		if err := Write(dir, in); err == nil {
			t.Errorf("%s: accepted", name)
		} else if _, serr := os.Stat(dir); serr == nil {
			t.Errorf("%s: a bundle was left at %s", name, dir)
		}
	}
}

func BenchmarkLookupRow(b *testing.B) {
	dir, in := writeSynthetic(b, 100000, 32, false)
	bu, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer bu.Close()
	keys := make([][]byte, 4096)
	for i := range keys {
		keys[i] = []byte(in.IDs[(i*7919)%len(in.IDs)])
	}
	b.ReportAllocs()
	b.ResetTimer()
	var s float32
	for i := 0; i < b.N; i++ {
		v, _ := bu.Lookup(keys[i&4095])
		s += bu.Row(v).Score
	}
	_ = s
}
