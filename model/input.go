package model

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// Labels holds one optional label per node: Has[v] says whether v is labelled, Bad[v] its label.
type Labels struct {
	Has, Bad []bool
}

// Count returns the numbers of labelled and bad nodes.
func (l *Labels) Count() (labelled, bad int) {
	for v, h := range l.Has {
		if h {
			labelled++
			if l.Bad[v] {
				bad++
			}
		}
	}
	return
}

// InputOptions control the table readers.
type InputOptions struct {
	// ID maps an id token to a dense node id; nil parses integers in 0..n-1.
	ID func(tok string) (uint32, bool)
	// Skip counts and skips bad lines (unknown ids, duplicates, bad values, NaN/Inf) instead of
	// failing on the first; the counts come back in the InputReport.
	Skip bool
}

// InputReport counts what a reader skipped (only with InputOptions.Skip) and lists the first few.
type InputReport struct {
	Lines, UnknownIDs, Duplicates, BadValues, NonFinite int
	Examples                                            []string // up to 5 "file:line: reason"
}

// Skipped is the total number of skipped lines or values.
func (r *InputReport) Skipped() int { return r.UnknownIDs + r.Duplicates + r.BadValues + r.NonFinite }

func (r *InputReport) note(counter *int, msg string) {
	*counter++
	if len(r.Examples) < 5 {
		r.Examples = append(r.Examples, msg)
	}
}

func (o *InputOptions) id(tok string, n int) (int, bool) {
	if o.ID != nil {
		v, ok := o.ID(tok)
		return int(v), ok && int(v) < n
	}
	v, err := strconv.Atoi(tok)
	return v, err == nil && v >= 0 && v < n
}

// ReadLabels reads "id<TAB>label" lines (label 0/1 or false/true; '#' lines and blank lines are
// ignored) for n nodes. Unknown ids, repeated ids and bad labels are errors naming file:line, or
// counted skips with opt.Skip (a repeated id keeps its first label).
func ReadLabels(path string, n int, opt InputOptions) (*Labels, InputReport, error) {
	var rep InputReport
	f, err := os.Open(path)
	if err != nil {
		return nil, rep, err
	}
	defer f.Close()
	l := &Labels{Has: make([]bool, n), Bad: make([]bool, n)}
	firstLine := make([]int, n)
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || text[0] == '#' {
			continue
		}
		rep.Lines++
		fields := strings.Fields(strings.ReplaceAll(text, ",", " "))
		where := fmt.Sprintf("%s:%d", path, line)
		if len(fields) != 2 {
			if !opt.Skip {
				return nil, rep, fmt.Errorf("%s: want 2 fields (id, label), got %d", where, len(fields))
			}
			rep.note(&rep.BadValues, where+": wrong field count")
			continue
		}
		v, ok := opt.id(fields[0], n)
		if !ok {
			if !opt.Skip {
				return nil, rep, fmt.Errorf("%s: unknown node id %q (the graph has %d nodes); drop the line or rerun with the skip option", where, fields[0], n)
			}
			rep.note(&rep.UnknownIDs, where+": unknown id "+fields[0])
			continue
		}
		var bad bool
		switch fields[1] {
		case "1", "true", "TRUE", "True":
			bad = true
		case "0", "false", "FALSE", "False":
		default:
			if !opt.Skip {
				return nil, rep, fmt.Errorf("%s: label %q is not 0/1", where, fields[1])
			}
			rep.note(&rep.BadValues, where+": bad label "+fields[1])
			continue
		}
		if l.Has[v] {
			if !opt.Skip {
				return nil, rep, fmt.Errorf("%s: id %s labelled again (first at line %d); keep one label per id", where, fields[0], firstLine[v])
			}
			rep.note(&rep.Duplicates, fmt.Sprintf("%s: duplicate of line %d", where, firstLine[v]))
			continue
		}
		l.Has[v], l.Bad[v], firstLine[v] = true, bad, line
	}
	if err := sc.Err(); err != nil {
		return nil, rep, fmt.Errorf("%s: %w", path, err)
	}
	return l, rep, nil
}

// AttributeOptions control ReadAttributes.
type AttributeOptions struct {
	InputOptions
	// IDColumn says the first column is the node id; otherwise line k (after any header) is node k
	// and the file must have exactly n data lines.
	IDColumn bool
	// Prefix is put before column names (header names, or attr0, attr1, ... without a header).
	Prefix string
}

// ReadAttributes reads a numeric node attribute table (tab, comma or space separated) into an
// n-row matrix. A first line holding any non-numeric field is a header of column names. Nodes
// missing from an id-keyed table, and NaN/Inf values (with Skip), are NaN in the matrix, which the
// standardizer imputes with the training mean and the trees send right; they are counted in the
// report. Without Skip, NaN/Inf, unknown ids, duplicates and ragged lines are errors with file:line.
func ReadAttributes(path string, n int, opt AttributeOptions) (*Matrix, InputReport, error) {
	var rep InputReport
	f, err := os.Open(path)
	if err != nil {
		return nil, rep, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	var m *Matrix
	seen := make([]bool, n)
	next := 0 // next node for tables without an id column
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || text[0] == '#' {
			continue
		}
		fields := strings.FieldsFunc(text, func(r rune) bool { return r == '\t' || r == ',' || r == ' ' })
		where := fmt.Sprintf("%s:%d", path, line)
		if m == nil {
			first := 0
			if opt.IDColumn {
				first = 1
			}
			if len(fields) <= first {
				return nil, rep, fmt.Errorf("%s: no attribute columns", where)
			}
			header := false
			for _, t := range fields[first:] {
				if _, err := strconv.ParseFloat(t, 64); err != nil {
					header = true
				}
			}
			names := make([]string, len(fields)-first)
			for j := range names {
				names[j] = fmt.Sprintf("%sattr%d", opt.Prefix, j)
				if header {
					names[j] = opt.Prefix + fields[first+j]
				}
			}
			m = NewMatrix(n, names)
			if opt.IDColumn { // rows never listed stay NaN
				for i := range m.Data {
					m.Data[i] = math.NaN()
				}
			}
			if err := m.Validate(); err != nil {
				return nil, rep, fmt.Errorf("%s: header: %v", where, err)
			}
			if header {
				continue
			}
		}
		rep.Lines++
		vals := fields
		v := next
		if opt.IDColumn {
			var ok bool
			if v, ok = opt.id(fields[0], n); !ok {
				if !opt.Skip {
					return nil, rep, fmt.Errorf("%s: unknown node id %q (the graph has %d nodes)", where, fields[0], n)
				}
				rep.note(&rep.UnknownIDs, where+": unknown id "+fields[0])
				continue
			}
			if seen[v] {
				if !opt.Skip {
					return nil, rep, fmt.Errorf("%s: node %s listed twice", where, fields[0])
				}
				rep.note(&rep.Duplicates, where+": duplicate id "+fields[0])
				continue
			}
			vals = fields[1:]
		} else if next >= n {
			return nil, rep, fmt.Errorf("%s: more data lines than the %d nodes", where, n)
		}
		if len(vals) != m.Cols {
			return nil, rep, fmt.Errorf("%s: %d values, want %d (as on the first line)", where, len(vals), m.Cols)
		}
		seen[v] = true
		next++
		row := m.Row(v)
		for j, t := range vals {
			x, err := strconv.ParseFloat(t, 64)
			switch {
			case err != nil:
				if !opt.Skip {
					return nil, rep, fmt.Errorf("%s: column %d (%s): %q is not a number", where, j+1, m.Names[j], t)
				}
				rep.note(&rep.BadValues, fmt.Sprintf("%s: column %s not a number", where, m.Names[j]))
				x = math.NaN()
			case !finite(x):
				if !opt.Skip {
					return nil, rep, fmt.Errorf("%s: column %d (%s) is %s; fix the value or rerun with the skip option to impute it", where, j+1, m.Names[j], t)
				}
				rep.note(&rep.NonFinite, fmt.Sprintf("%s: column %s is %s", where, m.Names[j], t))
				x = math.NaN()
			}
			row[j] = x
		}
	}
	if err := sc.Err(); err != nil {
		return nil, rep, fmt.Errorf("%s: %w", path, err)
	}
	if m == nil {
		return nil, rep, fmt.Errorf("%s: empty attribute table", path)
	}
	if !opt.IDColumn && next != n {
		return nil, rep, fmt.Errorf("%s: %d data lines for %d nodes; without an id column line k must be node k", path, next, n)
	}
	return m, rep, nil
}
