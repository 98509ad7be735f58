package pipeline

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"riskwalk/internal/atomicfile"
)

// ScoresHeader starts every .scores file.
const ScoresHeader = "# riskwalk-scores v1"

// A .scores file (version 1) is UTF-8 text with '\n' line ends:
//
//	# riskwalk-scores v1 <free text: what produced it>
//	<external id> TAB <score>
//	...
//
// Lines starting with '#' are comments. A score is a decimal number in [0, 1] (the model's
// probability of "bad"). Each id appears once. The order carries no meaning.

// WriteScores writes ids[i] with scores[i] to path atomically; note goes on the header line.
func WriteScores(path, note string, ids []string, scores []float64) error {
	if len(ids) != len(scores) {
		return fmt.Errorf("scores: %d ids for %d scores", len(ids), len(scores))
	}
	f, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	fmt.Fprintf(f.W, "%s %s\n", ScoresHeader, strings.ReplaceAll(note, "\n", " "))
	var b []byte
	for i, id := range ids {
		b = append(b[:0], id...)
		b = append(b, '\t')
		b = strconv.AppendFloat(b, scores[i], 'g', 7, 64)
		b = append(b, '\n')
		if _, err := f.W.Write(b); err != nil {
			return err
		}
	}
	return f.Commit()
}

// ReadScores reads a .scores file. Malformed lines, scores outside [0, 1] and repeated ids are
// errors naming file:line.
func ReadScores(path string) (ids []string, scores []float64, err error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	seen := map[string]int{}
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimRight(sc.Text(), "\r")
		if line == 1 && !strings.HasPrefix(text, ScoresHeader) {
			return nil, nil, fmt.Errorf("%s:1: not a .scores file (want a first line starting %q)", path, ScoresHeader)
		}
		if text == "" || text[0] == '#' {
			continue
		}
		id, val, ok := strings.Cut(text, "\t")
		if !ok || id == "" {
			return nil, nil, fmt.Errorf("%s:%d: want `id<TAB>score`, got %q", path, line, text)
		}
		s, err := strconv.ParseFloat(val, 64)
		if err != nil || !(s >= 0 && s <= 1) {
			return nil, nil, fmt.Errorf("%s:%d: score %q is not a number in [0, 1]", path, line, val)
		}
		if first, dup := seen[id]; dup {
			return nil, nil, fmt.Errorf("%s:%d: id %s scored again (first at line %d)", path, line, id, first)
		}
		seen[id] = line
		ids = append(ids, id)
		scores = append(scores, s)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(ids) == 0 {
		return nil, nil, fmt.Errorf("%s: no scores", path)
	}
	return ids, scores, nil
}
