package model

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"riskwalk/internal/testenv"
)

func TestStratifiedKFold(t *testing.T) {
	n := 1003
	y := make([]bool, n)
	for i := range y {
		y[i] = i%7 == 0
	}
	splits, err := StratifiedKFold(y, 5, 42)
	if err != nil {
		t.Fatal(err)
	}
	tested := make([]int, n)
	P, _ := countPos(y)
	for s, sp := range splits {
		if len(sp.Train)+len(sp.Val)+len(sp.Test) != n {
			t.Fatalf("split %d does not cover every row once", s)
		}
		owner := make([]int, n)
		for k, rows := range [][]int{sp.Train, sp.Val, sp.Test} {
			for _, i := range rows {
				if owner[i] != 0 {
					t.Fatalf("split %d: row %d in two parts", s, i)
				}
				owner[i] = k + 1
			}
		}
		for _, i := range sp.Test {
			tested[i]++
		}
		p, _ := countPos(labelsOf(y, sp.Test))
		if want := float64(P) / 5; math.Abs(float64(p)-want) > 1 {
			t.Errorf("split %d: %d positives in test, want %.1f ± 1", s, p, want)
		}
	}
	for i, c := range tested {
		if c != 1 {
			t.Fatalf("row %d tested %d times", i, c)
		}
	}
	again, _ := StratifiedKFold(y, 5, 42)
	other, _ := StratifiedKFold(y, 5, 43)
	if !equalInts(again[0].Test, splits[0].Test) || equalInts(other[0].Test, splits[0].Test) {
		t.Error("folds should depend on the seed and only on it")
	}
	if _, err := StratifiedKFold(y[:10], 5, 1); err == nil {
		t.Error("5 folds of 2 positives accepted")
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestReadSplitsTolokers(t *testing.T) {
	dir := filepath.Dir(testenv.DataFile(t, "tolokers", "train_masks.tsv"))
	splits, err := ReadSplits(filepath.Join(dir, "train_masks.tsv"), filepath.Join(dir, "val_masks.tsv"), filepath.Join(dir, "test_masks.tsv"), 11758)
	if err != nil {
		t.Fatal(err)
	}
	if len(splits) != 10 {
		t.Fatalf("%d splits, want 10", len(splits))
	}
	for s, sp := range splits {
		if len(sp.Train) != 5879 || len(sp.Val) != 2939 || len(sp.Test) != 2940 {
			t.Errorf("split %d sizes %d/%d/%d", s, len(sp.Train), len(sp.Val), len(sp.Test))
		}
	}
}

func TestReadSplitsErrors(t *testing.T) {
	dir := t.TempDir()
	w := func(name, s string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(s), 0o644)
		return p
	}
	tr, va, te := w("tr", "0 1 2\n3 4 5\n"), w("va", "3\n0\n"), w("te", "4 5\n1 2\n")
	if _, err := ReadSplits(tr, va, te, 6); err != nil {
		t.Fatalf("valid splits: %v", err)
	}
	for _, c := range []struct {
		tr, va, te, want string
	}{
		{"0 1 2\n", "3\n", "2 4\n", "in both train and test"},
		{"0 1 9\n", "3\n", "4\n", "tr:1: \"9\" is not a row id"},
		{"0 1 1\n", "3\n", "4\n", "listed twice"},
		{"0 1\n2 3\n", "4\n", "5\n", "disagree on the number"},
	} {
		_, err := ReadSplits(w("tr", c.tr), w("va", c.va), w("te", c.te), 6)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q/%q/%q: got %v, want %q", c.tr, c.va, c.te, err, c.want)
		}
	}
}
