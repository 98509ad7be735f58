package features

import (
	"bufio"
	"bytes"
	"fmt"
	"hash/crc64"
	"os"
	"strconv"
	"strings"
)

// Labels are the labels read from one file, the only source of every label-derived feature (so
// that an evaluation can keep its test labels out).
type Labels struct {
	Path     string
	Checksum uint64 // CRC-64/ECMA of the file's bytes, recorded in the feature file
	Known    []bool // Known[v]: the file labels v
	Bad      []bool // Bad[v]: the file labels v bad (non-zero)
	NKnown   int
	NBad     int
	// Unknown counts the lines skipped because their node is not in the graph (ReadOptions.SkipUnknown).
	Unknown int
	// FirstUnknown is the file:line of the first such line, for the message that reports them.
	FirstUnknown string
}

// ReadOptions tune ReadLabelsWith.
type ReadOptions struct {
	// Lookup maps an external node id to its dense id (e.g. (*graph.IDIndex).Lookup); nil means the
	// ids are dense integers already.
	Lookup func(string) (uint32, bool)
	// SkipUnknown counts labels of nodes that are not in the graph (Labels.Unknown) instead of
	// failing on the first.
	SkipUnknown bool
}

var crcTable = crc64.MakeTable(crc64.ECMA)

// ReadLabels reads a labels file of lines `node<TAB>label` (label 0 = normal, 1 = bad; any
// non-zero integer counts as bad). Lines starting with '#' and a first line whose label is not a
// number (a header such as `user<TAB>isbad`) are skipped. lookup maps an external node id to its
// dense id; nil means the ids are dense integers already. Nodes not in the graph are an error, as
// are repeated nodes.
func ReadLabels(path string, n uint32, lookup func(string) (uint32, bool)) (*Labels, error) {
	return ReadLabelsWith(path, n, ReadOptions{Lookup: lookup})
}

// ReadLabelsWith is ReadLabels with options. Repeated nodes are always an error.
func ReadLabelsWith(path string, n uint32, opt ReadOptions) (*Labels, error) {
	lookup := opt.Lookup
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	l := &Labels{Path: path, Checksum: crc64.Checksum(data, crcTable), Known: make([]bool, n), Bad: make([]bool, n)}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<16), 1<<24)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimRight(sc.Text(), "\r")
		if s == "" || s[0] == '#' {
			continue
		}
		fs := strings.Split(s, "\t")
		if len(fs) < 2 {
			fs = strings.Fields(s)
		}
		if len(fs) < 2 {
			return nil, fmt.Errorf("%s:%d: want `node<TAB>label`, got %q", path, line, s)
		}
		lab, err := strconv.ParseInt(strings.TrimSpace(fs[1]), 10, 64)
		if err != nil {
			if l.NKnown == 0 && line == firstDataLine(data) {
				continue // header
			}
			return nil, fmt.Errorf("%s:%d: label %q is not an integer (0 = normal, 1 = bad)", path, line, fs[1])
		}
		id := strings.TrimSpace(fs[0])
		var v uint32
		if lookup != nil {
			var ok bool
			if v, ok = lookup(id); !ok {
				if opt.SkipUnknown {
					if l.Unknown == 0 {
						l.FirstUnknown = fmt.Sprintf("%s:%d: node %q", path, line, id)
					}
					l.Unknown++
					continue
				}
				return nil, fmt.Errorf("%s:%d: node %q is not in the graph (labels from another data set? --skip-unknown counts and skips such lines)", path, line, id)
			}
		} else {
			x, err := strconv.ParseUint(id, 10, 32)
			if err != nil || x >= uint64(n) {
				return nil, fmt.Errorf("%s:%d: node %q is not a node id in 0..%d", path, line, id, n-1)
			}
			v = uint32(x)
		}
		if l.Known[v] {
			return nil, fmt.Errorf("%s:%d: node %s labelled twice", path, line, id)
		}
		l.Known[v] = true
		l.NKnown++
		if lab != 0 {
			l.Bad[v] = true
			l.NBad++
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", path, line, err)
	}
	if l.NKnown == 0 {
		return nil, fmt.Errorf("%s: no labels found (want lines `node<TAB>label`)", path)
	}
	return l, nil
}

// firstDataLine is the 1-based number of the first line that is neither empty nor a comment.
func firstDataLine(data []byte) int {
	for i, s := range strings.Split(string(data), "\n") {
		s = strings.TrimSpace(s)
		if s != "" && s[0] != '#' {
			return i + 1
		}
	}
	return 0
}
