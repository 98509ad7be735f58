package features

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"riskwalk/graph"
)

func writeFile(t *testing.T, body string) string {
	p := filepath.Join(t.TempDir(), "labels.tsv")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadLabels(t *testing.T) {
	l, err := ReadLabels(writeFile(t, "user\tisbad\n0\t1\n# c\n2\t0\n3\t1\n"), 5, nil)
	if err != nil {
		t.Fatal(err)
	}
	if l.NKnown != 3 || l.NBad != 2 || !l.Bad[3] || l.Bad[2] || !l.Known[2] || l.Known[1] || l.Checksum == 0 {
		t.Fatalf("%+v", l)
	}
	for body, want := range map[string]string{
		"0\t1\n1\tx\n": "labels.tsv:2",
		"0\t1\n9\t0\n": "labels.tsv:2",
		"0\t1\n0\t0\n": "labelled twice",
		"0\n":          "labels.tsv:1",
		"# only\n":     "no labels",
	} {
		_, err := ReadLabels(writeFile(t, body), 5, nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want one saying %q", body, err, want)
		}
	}
}

func TestCommunityBadLeavesSelfOut(t *testing.T) {
	comm := []uint32{0, 0, 0, 0, 1, 1}
	bad := []bool{true, true, false, false, true, false}
	nb, share, err := CommunityBad(comm, bad)
	if err != nil {
		t.Fatal(err)
	}
	want := []uint32{1, 1, 2, 2, 0, 1}
	for v := range want {
		if nb[v] != want[v] {
			t.Fatalf("node %d: %d bad others, want %d", v, nb[v], want[v])
		}
	}
	if share[2] != float32(2.0/3) || share[4] != 0 || share[5] != 1 {
		t.Fatalf("shares %v", share)
	}
	size, _ := CommunitySizes(comm)
	if size[0] != 4 || size[5] != 2 {
		t.Fatalf("sizes %v", size)
	}
	if _, _, err := CommunityBad([]uint32{7}, []bool{false}); err == nil {
		t.Fatal("out-of-range community id accepted")
	}
}

func TestPurify(t *testing.T) {
	ppr := []float64{0.4, 0.3, 0.2, 0.05, 0.05, 0}
	comm := []uint32{0, 0, 1, 1, 0, 1}
	bad := []bool{true, true, false, false, false, false}
	// Base rate 2/6; community 0 has 2 bad of 3 (lift 2), community 1 none.
	out, err := Purify(ppr, comm, bad, PurifyOptions{TopFrac: 0.8, MinLift: 1.5, MinBad: 2})
	if err != nil {
		t.Fatal(err)
	}
	// Top 80% of the 5 positive scores: >= 0.05.
	want := []float32{0.4, 0.3, 0, 0, 0.05, 0}
	for v := range want {
		if out[v] != want[v] {
			t.Fatalf("purified %v, want %v", out, want)
		}
	}
	// Lift 2 is below 2.5: nothing kept.
	if out, _ = Purify(ppr, comm, bad, PurifyOptions{TopFrac: 0.8, MinLift: 2.5, MinBad: 2}); slices.ContainsFunc(out, func(x float32) bool { return x != 0 }) {
		t.Fatalf("lift 2 community kept at MinLift 2.5: %v", out)
	}
	if _, err := Purify(ppr, comm, bad, PurifyOptions{TopFrac: 1.5}); err == nil {
		t.Fatal("top fraction 1.5 accepted")
	}
}

// TestPurifyRareFraud: at a realistic base rate (20 bad among 4000 nodes, 0.5%) no community
// reaches a 20% absolute bad share, yet the ring's community (8 bad of 100: lift 16) is the one
// to keep; a large community with a share near the base rate (5 of 1000: lift 1) and a small one
// holding a single bad node (lift 8 but one stray label, below MinBad) are not.
func TestPurifyRareFraud(t *testing.T) {
	const n = 4000
	comm := make([]uint32, n)
	bad := make([]bool, n)
	ppr := make([]float64, n)
	for v := range n {
		switch {
		case v < 100:
			comm[v] = 0 // ring community
		case v < 1100:
			comm[v] = 1 // big ordinary community
		case v < 1125:
			comm[v] = 2 // small community with one bad node
		default:
			comm[v] = 3 // the rest: 6 bad among 2875
		}
		ppr[v] = 1 / float64(v+1)
	}
	mark := func(from, k int) {
		for v := from; v < from+k; v++ {
			bad[v] = true
		}
	}
	mark(0, 8)
	mark(100, 5)
	mark(1100, 1)
	mark(1125, 6)
	for v := 1100; v < 1125; v++ {
		ppr[v] = 0.4 // the small community scores high too: the top 200 are nodes 0..174 and 1100..1124
	}
	out, err := Purify(ppr, comm, bad, PurifyOptions{TopFrac: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	for v := range n {
		if top := v < 175 || (v >= 1100 && v < 1125); !top && out[v] != 0 {
			t.Fatalf("node %d outside the top 5%% kept", v)
		}
		keep := comm[v] == 0
		if (out[v] != 0) != keep {
			t.Fatalf("node %d of community %d: purified %g, want kept=%v", v, comm[v], out[v], keep)
		}
	}
	_, share, _ := CommunityBad(comm, bad)
	if share[50] >= 0.2 {
		t.Fatalf("the ring community's share %g: the test wants it under an absolute 20%%", share[50])
	}
}

// typedGraph: users 0..4, devices 5, 6 and a public Wi-Fi 7 shared by every user.
func typedGraph(t *testing.T) *graph.Graph {
	es := []graph.Edge{
		{U: 0, V: 5, W: 2}, {U: 1, V: 5, W: 3}, {U: 2, V: 5, W: 1},
		{U: 2, V: 6, W: 1}, {U: 3, V: 6, W: 4},
		{U: 0, V: 7, W: 1}, {U: 1, V: 7, W: 1}, {U: 2, V: 7, W: 1}, {U: 3, V: 7, W: 1}, {U: 4, V: 7, W: 1},
		{U: 0, V: 1, W: 1}, // user-user arc: not a medium path
	}
	g, err := graph.FromEdges(8, es, false, true, false)
	if err != nil {
		t.Fatal(err)
	}
	g.Types = []uint8{0, 0, 0, 0, 0, 1, 1, 2}
	g.TypeNames = []string{"user", "device", "wifi"}
	return g
}

func TestTwoHopUsers(t *testing.T) {
	g := typedGraph(t)
	bad := []bool{false, true, false, true, false, false, false, false}
	th := TwoHopUsers(g, SymView(g), 0, 4, bad) // cap 4: the Wi-Fi (degree 5) is not expanded
	// User 2: via device 5 reaches 0 (1*2) and 1 (1*3); via 6 reaches 3 (1*4).
	if th.Users[2] != 3 || th.Weight[2] != 9 || th.Bad[2] != 2 || th.MaxMediaDeg[2] != 5 || th.Capped[2] != 1 {
		t.Fatalf("user 2: users %d weight %v bad %d maxdeg %d capped %d", th.Users[2], th.Weight[2], th.Bad[2], th.MaxMediaDeg[2], th.Capped[2])
	}
	if th.Users[4] != 0 || th.Capped[4] != 1 || th.Users[5] != 0 {
		t.Fatalf("user 4 or medium 5 wrong: %+v", th)
	}
	all := TwoHopUsers(g, SymView(g), 0, 100, nil)
	if all.Users[4] != 4 || all.Bad != nil {
		t.Fatalf("uncapped user 4 reaches %d users", all.Users[4])
	}
	media := DistinctMedia(SymView(g), g.Types, 0)
	if media[2] != 3 || media[0] != 2 || media[5] != 0 {
		t.Fatalf("distinct media %v", media)
	}
}

func TestAUC(t *testing.T) {
	x := []float64{0.1, 0.4, 0.35, 0.8, 0.4, 0.4}
	pos := []bool{false, false, true, true, true, false}
	// Brute force over pairs, ties 1/2.
	var num, den float64
	for i := range x {
		for j := range x {
			if pos[i] && !pos[j] {
				den++
				if x[i] > x[j] {
					num++
				} else if x[i] == x[j] {
					num += 0.5
				}
			}
		}
	}
	if got := AUC(x, pos); math.Abs(got-num/den) > 1e-12 {
		t.Fatalf("AUC %v, brute force %v", got, num/den)
	}
	if !math.IsNaN(AUC([]float64{1}, []bool{true})) {
		t.Fatal("AUC with one class is not NaN")
	}
}

// TestLabelDerivedUsesOnlyGivenLabels: Compute with a labels file and LabelDerived with the same
// training labels agree, so the model's per-fold recomputation matches the command's columns.
func TestLabelDerivedUsesOnlyGivenLabels(t *testing.T) {
	g := karate(t)
	comm, _, _ := WCC(g) // any assignment will do: one component here
	for v := range comm {
		comm[v] = uint32(v % 3)
	}
	path := writeFile(t, "0\t1\n33\t1\n5\t0\n16\t1\n")
	l, err := ReadLabels(path, g.N, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Compute(g, Options{Groups: []string{"louvain", "ppr"}, Labels: l,
		Communities: func(*graph.Graph) ([]uint32, float64, error) { return comm, 0.25, nil }})
	if err != nil {
		t.Fatal(err)
	}
	cols, err := LabelDerived(g, comm, l.Bad, LabelOptions{})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Column{}
	for _, c := range res.Columns {
		byName[c.Name] = c
	}
	for _, c := range cols {
		r, ok := byName[c.Name]
		if !ok {
			t.Fatalf("Compute lacks %s", c.Name)
		}
		for v := 0; v < int(g.N); v++ {
			if (c.Type == Float32 && c.F[v] != r.F[v]) || (c.Type == Uint32 && c.U[v] != r.U[v]) {
				t.Fatalf("%s differs at %d between Compute and LabelDerived", c.Name, v)
			}
		}
	}
	// The PPR seeds are the bad nodes: a seed outranks node 5, labelled normal.
	if byName["ppr"].F[0] <= byName["ppr"].F[5] {
		t.Fatal("a seed ranks below a non-seed in PPR")
	}
}
