package model

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func fitted(t *testing.T) (lrM, gbM *Model, m *Matrix) {
	t.Helper()
	m, y := xorData(800, 6)
	lr, _, err := FitLogReg(m, y, seq(0, 500), LogRegOptions{})
	if err != nil {
		t.Fatal(err)
	}
	gb, _, err := FitGBDT(m, y, seq(0, 500), seq(500, 800), GBDTOptions{Rounds: 30, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	val := seq(500, 800)
	th := ChooseThresholds(scoresOf(lr.Score, m, val), labelsOf(y, val), 0.05, 0.01)
	params, _ := json.Marshal(LogRegOptions{})
	data := DataInfo{TrainRows: 500, Checksums: map[string]string{"train": ChecksumData(m, seq(0, 500), y)}}
	lrM = &Model{Kind: KindLogReg, Features: m.Names, LogReg: lr, Thresholds: th, Params: params, Data: data,
		Validation: map[string]float64{"roc_auc": 0.5}}
	gbM = &Model{Kind: KindGBDT, Features: m.Names, GBDT: gb, Thresholds: th, Data: data}
	return lrM, gbM, m
}

func TestModelRoundTrip(t *testing.T) {
	lrM, gbM, m := fitted(t)
	dir := t.TempDir()
	for _, mod := range []*Model{lrM, gbM} {
		p := filepath.Join(dir, string(mod.Kind)+".json")
		if err := mod.Save(p); err != nil {
			t.Fatal(err)
		}
		got, err := Load(p)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < m.Rows; i += 37 {
			if a, b := mod.Score(m.Row(i)), got.Score(m.Row(i)); a != b {
				t.Fatalf("%s row %d: score %v before save, %v after load", mod.Kind, i, a, b)
			}
		}
		if got.Thresholds != mod.Thresholds || got.Data.Checksums["train"] != mod.Data.Checksums["train"] {
			t.Errorf("%s: metadata lost: %+v", mod.Kind, got)
		}
		x := m.Row(3)
		dst := make([]Contribution, 0, 8)
		if a := testing.AllocsPerRun(100, func() { _ = got.Score(x) }); a != 0 {
			t.Errorf("%s: Model.Score allocates %v times", mod.Kind, a)
		}
		if a := testing.AllocsPerRun(100, func() { dst = got.Explain(dst[:0], x) }); a != 0 {
			t.Errorf("%s: Model.Explain allocates %v times", mod.Kind, a)
		}
		if d := got.Decide(x); d != mod.Thresholds.Decide(mod.Score(x)) {
			t.Errorf("decision %v", d)
		}
	}
}

func TestLoadRejectsBadFiles(t *testing.T) {
	lrM, gbM, _ := fitted(t)
	enc := func(mod *Model) string {
		var b bytes.Buffer
		if err := mod.Encode(&b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	lrDoc, gbDoc := enc(lrM), enc(gbM)
	// Re-sign a tampered body so that only the structural checks can catch it.
	resign := func(doc string, edit func(map[string]any)) string {
		var f map[string]any
		if err := json.Unmarshal([]byte(doc), &f); err != nil {
			t.Fatal(err)
		}
		edit(f["model"].(map[string]any))
		var b body
		raw, _ := json.Marshal(f["model"])
		if err := json.Unmarshal(raw, &b); err != nil {
			t.Fatal(err)
		}
		compact, _ := json.Marshal(b)
		f["crc32c"] = crcHex(compact)
		out, _ := json.Marshal(f)
		return string(out)
	}
	cases := []struct{ name, doc, want string }{
		{"not json", "{", "not a model.json"},
		{"wrong format", strings.Replace(lrDoc, FormatName, "other", 1), "format is"},
		{"future version", strings.Replace(lrDoc, `"version": 1`, `"version": 7`, 1), "version 7 not supported"},
		{"edited weight", strings.Replace(lrDoc, `"bias": `, `"bias": 1`, 1), "checksum mismatch"},
		{"short weights", resign(lrDoc, func(b map[string]any) {
			w := b["logreg"].(map[string]any)
			w["weights"] = w["weights"].([]any)[:1]
		}), "lengths disagree"},
		{"unknown kind", resign(lrDoc, func(b map[string]any) { b["kind"] = "svm" }), "unknown kind"},
		{"tree cycle", resign(gbDoc, func(b map[string]any) {
			tr := b["gbdt"].(map[string]any)["trees"].([]any)[0].(map[string]any)
			tr["left"].([]any)[0] = 0.0
		}), "must come after it"},
		{"tree feature", resign(gbDoc, func(b map[string]any) {
			tr := b["gbdt"].(map[string]any)["trees"].([]any)[0].(map[string]any)
			tr["feature"].([]any)[0] = 99.0
		}), "splits on feature 99"},
		{"thresholds reversed", resign(gbDoc, func(b map[string]any) {
			b["thresholds"].(map[string]any)["review"] = 2.0
		}), "below review"},
	}
	dir := t.TempDir()
	for _, c := range cases {
		p := filepath.Join(dir, "m.json")
		os.WriteFile(p, []byte(c.doc), 0o644)
		_, err := Load(p)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got error %v, want one containing %q", c.name, err, c.want)
		}
	}
	// NaN cannot even be encoded: Save refuses a model with a non-finite weight.
	lrM.LogReg.W[0] = nanValue()
	if err := lrM.Save(filepath.Join(dir, "nan.json")); err == nil || !strings.Contains(err.Error(), "finite") {
		t.Errorf("saving NaN weight: %v", err)
	}
}

func nanValue() float64 { var z float64; return z / z }
