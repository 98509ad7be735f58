package model

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeTemp(t *testing.T, name, s string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadLabels(t *testing.T) {
	p := writeTemp(t, "labels.tsv", "#node\tbanned\n0\t1\n2\t0\n\n3\t1\n")
	l, rep, err := ReadLabels(p, 4, InputOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n, b := l.Count(); n != 3 || b != 2 || l.Has[1] || !l.Bad[3] || rep.Lines != 3 {
		t.Errorf("labels %+v report %+v", l, rep)
	}
	bad := writeTemp(t, "bad.tsv", "0\t1\n7\t0\n0\t0\n1\tmaybe\n2\t1\n")
	for _, c := range []struct {
		n    int
		want string
	}{{8, "bad.tsv:3: id 0 labelled again (first at line 1)"}, {4, "bad.tsv:2: unknown node id \"7\""}} {
		_, _, err := ReadLabels(bad, c.n, InputOptions{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
	l, rep, err = ReadLabels(bad, 4, InputOptions{Skip: true})
	if err != nil || rep.UnknownIDs != 1 || rep.Duplicates != 1 || rep.BadValues != 1 || rep.Skipped() != 3 || len(rep.Examples) != 3 {
		t.Fatalf("skip: %v %+v", err, rep)
	}
	if !l.Bad[0] || !l.Has[2] || l.Has[1] {
		t.Errorf("skip kept the wrong labels: %+v", l)
	}
	// String ids through a lookup (the id index later).
	ids := map[string]uint32{"alice": 0, "bob": 1}
	l, _, err = ReadLabels(writeTemp(t, "s.tsv", "bob,1\nalice,0\n"), 2, InputOptions{ID: func(s string) (uint32, bool) { v, ok := ids[s]; return v, ok }})
	if err != nil || !l.Bad[1] || l.Bad[0] || !l.Has[0] {
		t.Errorf("string ids: %v %+v", err, l)
	}
}

func TestReadAttributes(t *testing.T) {
	m, _, err := ReadAttributes(writeTemp(t, "a.tsv", "age\tscore\n1\t2.5\n3\t4\n"), 2, AttributeOptions{Prefix: "x."})
	if err != nil {
		t.Fatal(err)
	}
	if m.Names[1] != "x.score" || m.At(1, 0) != 3 || m.At(0, 1) != 2.5 {
		t.Errorf("matrix %+v", m)
	}
	m, _, err = ReadAttributes(writeTemp(t, "b.tsv", "1 2\n3 4\n5 6\n"), 3, AttributeOptions{})
	if err != nil || m.Names[0] != "attr0" || m.At(2, 1) != 6 {
		t.Errorf("headerless: %v %+v", err, m)
	}
	nan := writeTemp(t, "nan.tsv", "1\t2\n3\tNaN\n5\t+Inf\n")
	_, _, err = ReadAttributes(nan, 3, AttributeOptions{})
	if err == nil || !strings.Contains(err.Error(), "nan.tsv:2: column 2 (attr1) is NaN") {
		t.Errorf("NaN: got %v", err)
	}
	m, rep, err := ReadAttributes(nan, 3, AttributeOptions{InputOptions: InputOptions{Skip: true}})
	if err != nil || rep.NonFinite != 2 || !math.IsNaN(m.At(2, 1)) {
		t.Errorf("skip NaN: %v %+v", err, rep)
	}
	_, _, err = ReadAttributes(writeTemp(t, "short.tsv", "1 2\n3\n"), 2, AttributeOptions{})
	if err == nil || !strings.Contains(err.Error(), "short.tsv:2: 1 values, want 2") {
		t.Errorf("ragged: %v", err)
	}
	_, _, err = ReadAttributes(writeTemp(t, "few.tsv", "1 2\n"), 2, AttributeOptions{})
	if err == nil || !strings.Contains(err.Error(), "1 data lines for 2 nodes") {
		t.Errorf("few lines: %v", err)
	}
	// Id-keyed: node 1 missing stays NaN, duplicates fail.
	m, _, err = ReadAttributes(writeTemp(t, "id.tsv", "id,v\n2,7\n0,5\n"), 3, AttributeOptions{IDColumn: true})
	if err != nil || m.At(2, 0) != 7 || !math.IsNaN(m.At(1, 0)) || m.Names[0] != "v" {
		t.Errorf("id column: %v %+v", err, m)
	}
	_, _, err = ReadAttributes(writeTemp(t, "dup.tsv", "2,7\n2,5\n"), 3, AttributeOptions{IDColumn: true})
	if err == nil || !strings.Contains(err.Error(), "dup.tsv:2: node 2 listed twice") {
		t.Errorf("duplicate id: %v", err)
	}
}

func TestPlotsAreWellFormedSVG(t *testing.T) {
	f, tp := ROCCurve(hScores, hLabels)
	var a, b bytes.Buffer
	if err := ROCPlotSVG(&a, "ROC <test>", Curve{Name: "lr & co", X: f, Y: tp}); err != nil {
		t.Fatal(err)
	}
	if err := ScoreHistSVG(&b, "scores", hScores, hLabels, 5); err != nil {
		t.Fatal(err)
	}
	for _, doc := range []string{a.String(), b.String()} {
		d := xml.NewDecoder(strings.NewReader(doc))
		lines := 0
		for {
			tok, err := d.Token()
			if err != nil {
				if err.Error() != "EOF" {
					t.Fatalf("svg does not parse: %v\n%s", err, doc)
				}
				break
			}
			if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "polyline" {
				lines++
			}
		}
		if lines < 2 {
			t.Errorf("svg has %d polylines, want >= 2", lines)
		}
	}
	if !strings.Contains(a.String(), "ROC &lt;test&gt;") {
		t.Error("title not escaped")
	}
	p := filepath.Join(t.TempDir(), "roc.svg")
	if err := SaveSVG(p, func(w io.Writer) error { return ROCPlotSVG(w, "x", Curve{X: f, Y: tp}) }); err != nil {
		t.Fatal(err)
	}
}
