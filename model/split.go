package model

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Split is one train/validation/test partition of row ids (each sorted ascending, disjoint).
// Validation rows choose the model and its thresholds; test rows are only ever scored.
type Split struct {
	Train, Val, Test []int
}

// StratifiedKFold returns k splits over n = len(labels) rows. Rows of each class are shuffled with
// the seed and dealt round-robin into k folds, so every fold holds the class ratio to within one
// row. Split i tests on fold i, validates on fold (i+1) mod k and trains on the rest; each row is
// tested exactly once. k must be >= 3 and each class must have at least k rows.
func StratifiedKFold(labels []bool, k int, seed uint64) ([]Split, error) {
	if k < 3 {
		return nil, fmt.Errorf("model: k-fold needs k >= 3 (test, validation and training folds), got %d", k)
	}
	var pos, neg []int
	for i, y := range labels {
		if y {
			pos = append(pos, i)
		} else {
			neg = append(neg, i)
		}
	}
	if len(pos) < k || len(neg) < k {
		return nil, fmt.Errorf("model: %d-fold split needs at least %d rows of each class, have %d positive and %d negative", k, k, len(pos), len(neg))
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))
	fold := make([]int, len(labels))
	deal := func(rows []int, start int) {
		rng.Shuffle(len(rows), func(a, b int) { rows[a], rows[b] = rows[b], rows[a] })
		for r, i := range rows {
			fold[i] = (start + r) % k
		}
	}
	deal(pos, 0)
	deal(neg, len(pos)) // continue the rotation so fold sizes stay balanced overall
	splits := make([]Split, k)
	for s := range splits {
		for i, f := range fold {
			switch f {
			case s:
				splits[s].Test = append(splits[s].Test, i)
			case (s + 1) % k:
				splits[s].Val = append(splits[s].Val, i)
			default:
				splits[s].Train = append(splits[s].Train, i)
			}
		}
	}
	return splits, nil
}

// ReadMaskFile reads a split file: one line per split, each listing row ids separated by tabs or
// spaces (Tolokers' train_masks.tsv). Ids must be < n and not repeat within a line.
func ReadMaskFile(path string, n int) ([][]int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	var out [][]int
	seen := make([]int, n) // line number (1-based) that last listed the id
	for line := 1; sc.Scan(); line++ {
		var ids []int
		for _, tok := range strings.Fields(sc.Text()) {
			v, err := strconv.Atoi(tok)
			if err != nil || v < 0 || v >= n {
				return nil, fmt.Errorf("%s:%d: %q is not a row id in 0..%d", path, line, tok, n-1)
			}
			if seen[v] == line {
				return nil, fmt.Errorf("%s:%d: id %d listed twice", path, line, v)
			}
			seen[v] = line
			ids = append(ids, v)
		}
		slices.Sort(ids)
		out = append(out, ids)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no splits", path)
	}
	return out, nil
}

// ReadSplits reads given splits from three mask files (same number of lines) and checks that in
// every split train, validation and test are disjoint and non-empty (train and test).
func ReadSplits(trainPath, valPath, testPath string, n int) ([]Split, error) {
	var masks [3][][]int
	for k, p := range []string{trainPath, valPath, testPath} {
		m, err := ReadMaskFile(p, n)
		if err != nil {
			return nil, err
		}
		masks[k] = m
	}
	if len(masks[0]) != len(masks[1]) || len(masks[0]) != len(masks[2]) {
		return nil, fmt.Errorf("model: split files disagree on the number of splits: %s %d, %s %d, %s %d",
			trainPath, len(masks[0]), valPath, len(masks[1]), testPath, len(masks[2]))
	}
	splits := make([]Split, len(masks[0]))
	owner := make([]int8, n)
	for s := range splits {
		splits[s] = Split{Train: masks[0][s], Val: masks[1][s], Test: masks[2][s]}
		if len(splits[s].Train) == 0 || len(splits[s].Test) == 0 {
			return nil, fmt.Errorf("model: split %d has an empty training or test set", s+1)
		}
		clear(owner)
		for k, ids := range [][]int{splits[s].Train, splits[s].Val, splits[s].Test} {
			for _, i := range ids {
				if owner[i] != 0 {
					return nil, fmt.Errorf("model: split %d: id %d is in both %s and %s", s+1, i,
						[]string{"train", "val", "test"}[owner[i]-1], []string{"train", "val", "test"}[k])
				}
				owner[i] = int8(k + 1)
			}
		}
	}
	return splits, nil
}
