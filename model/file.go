package model

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"

	"riskwalk/internal/atomicfile"
)

// Kind names the model family inside model.json.
type Kind string

const (
	KindLogReg Kind = "logreg"
	KindGBDT   Kind = "gbdt"
)

// Version of the model.json format.
type Version int

const (
	// V1: logistic regression (scaling, weights, bias) or GBDT (base, flat trees), feature names,
	// thresholds, training parameters, data checksums, validation metrics, body CRC32C.
	V1 Version = 1
	// CurrentVersion is what Save writes.
	CurrentVersion = V1
)

// FormatName is model.json's "format" value.
const FormatName = "riskwalk-model"

// Model is a fitted, serialisable risk model: exactly one of LogReg and GBDT is set, as Kind says.
// Score is the fast path (no allocations, no interface dispatch).
type Model struct {
	Kind       Kind
	Features   []string
	LogReg     *LogReg
	GBDT       *GBDT
	Thresholds Thresholds
	// Params are the training parameters (any JSON value, typically the options struct).
	Params json.RawMessage
	Data   DataInfo
	// Validation holds metrics measured on validation rows when the model was chosen.
	Validation map[string]float64
}

// DataInfo describes the data a model was fitted on.
type DataInfo struct {
	TrainRows      int               `json:"train_rows"`
	TrainPositives int               `json:"train_positives"`
	ValRows        int               `json:"val_rows"`
	Checksums      map[string]string `json:"checksums"` // e.g. "vectors": "crc32c:1a2b3c4d"
}

// Raw is the model's log-odds for raw feature vector x (len(x) == len(Features)).
func (m *Model) Raw(x []float64) float64 {
	if m.Kind == KindGBDT {
		return m.GBDT.Raw(x)
	}
	return m.LogReg.Raw(x)
}

// Score is the risk probability for x. It does not allocate.
func (m *Model) Score(x []float64) float64 { return sigmoid(m.Raw(x)) }

// Decide applies the model's pass/review/reject thresholds to Score(x).
func (m *Model) Decide(x []float64) Decision { return m.Thresholds.Decide(m.Score(x)) }

// Bias is the log-odds shared by every input, so that Bias() + Σ Explain contributions == Raw(x).
func (m *Model) Bias() float64 {
	if m.Kind == KindGBDT {
		return m.GBDT.Bias()
	}
	return m.LogReg.B
}

// Explain appends per-feature contributions (log-odds, sorted by magnitude) to dst.
func (m *Model) Explain(dst []Contribution, x []float64) []Contribution {
	if m.Kind == KindGBDT {
		return m.GBDT.Explain(dst, x)
	}
	return m.LogReg.Explain(dst, x)
}

// model.json, format V1, is a JSON object:
//
//	{
//	  "format": "riskwalk-model",
//	  "version": 1,
//	  "crc32c": "1a2b3c4d",          // CRC32C (Castagnoli) of the compact JSON encoding of "model"
//	  "model": {
//	    "kind": "logreg" | "gbdt",
//	    "features": ["name", ...],    // input order of Score's x
//	    "scaling": {"names": [...], "mean": [...], "std": [...]},   // logreg; std 0 = constant
//	    "logreg": {"weights": [...], "bias": b},                    // logreg, weights on z
//	    "gbdt": {"base": b, "trees": [{"feature": [...], "threshold": [...], "left": [...],
//	             "right": [...], "value": [...]}, ...]},            // gbdt; feature -1 = leaf
//	    "thresholds": {"review_fpr": .05, "reject_fpr": .01, "review": t1, "reject": t2},
//	    "params": {...}, "data": {"train_rows": n, ..., "checksums": {...}},
//	    "validation": {"roc_auc": ..., ...}
//	  }
//	}
//
// Numbers are finite. Go's encoder writes each float64 in its shortest round-tripping form, so
// decoding and re-encoding "model" reproduces the bytes the checksum was taken over.
type fileV1 struct {
	Format  string  `json:"format"`
	Version Version `json:"version"`
	CRC32C  string  `json:"crc32c"`
	Model   body    `json:"model"`
}

type body struct {
	Kind       Kind               `json:"kind"`
	Features   []string           `json:"features"`
	Scaling    *Standardizer      `json:"scaling,omitempty"`
	LogReg     *logregJSON        `json:"logreg,omitempty"`
	GBDT       *GBDT              `json:"gbdt,omitempty"`
	Thresholds Thresholds         `json:"thresholds"`
	Params     json.RawMessage    `json:"params,omitempty"`
	Data       DataInfo           `json:"data"`
	Validation map[string]float64 `json:"validation,omitempty"`
}

type logregJSON struct {
	Weights []float64 `json:"weights"`
	Bias    float64   `json:"bias"`
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func (m *Model) body() body {
	b := body{Kind: m.Kind, Features: m.Features, Thresholds: m.Thresholds, Params: m.Params, Data: m.Data, Validation: m.Validation}
	switch m.Kind {
	case KindLogReg:
		b.Scaling = m.LogReg.Scale
		b.LogReg = &logregJSON{Weights: m.LogReg.W, Bias: m.LogReg.B}
	case KindGBDT:
		b.GBDT = m.GBDT
	}
	return b
}

// Encode writes model.json to w after validating the model.
func (m *Model) Encode(w io.Writer) error {
	if err := m.validate(); err != nil {
		return err
	}
	b := m.body()
	compact, err := json.Marshal(b)
	if err != nil {
		return fmt.Errorf("model: encode: %w", err)
	}
	f := fileV1{Format: FormatName, Version: CurrentVersion, CRC32C: crcHex(compact), Model: b}
	out, err := json.MarshalIndent(f, "", " ")
	if err != nil {
		return fmt.Errorf("model: encode: %w", err)
	}
	_, err = w.Write(append(out, '\n'))
	return err
}

// Save writes model.json to path atomically (temporary file, fsync, rename).
func (m *Model) Save(path string) error {
	var buf bytes.Buffer
	if err := m.Encode(&buf); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, buf.Bytes())
}

// Load reads and validates model.json.
func Load(path string) (*Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Decode parses and validates a model.json document: format name, version, checksum, lengths,
// tree structure and finite numbers.
func Decode(data []byte) (*Model, error) {
	var head struct {
		Format  string  `json:"format"`
		Version Version `json:"version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("model: not a model.json document: %v", err)
	}
	if head.Format != FormatName {
		return nil, fmt.Errorf("model: format is %q, want %q (is this a model.json written by riskwalk fit?)", head.Format, FormatName)
	}
	if head.Version != V1 {
		return nil, fmt.Errorf("model: version %d not supported (this build reads version %d); refit the model or upgrade riskwalk", head.Version, V1)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f fileV1
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("model: decode: %v", err)
	}
	compact, err := json.Marshal(f.Model)
	if err != nil {
		return nil, fmt.Errorf("model: re-encode: %v", err)
	}
	if got := crcHex(compact); got != f.CRC32C {
		return nil, fmt.Errorf("model: checksum mismatch: file says %s, body gives %s; the file was edited or damaged, refit or restore it", f.CRC32C, got)
	}
	b := f.Model
	m := &Model{Kind: b.Kind, Features: b.Features, Thresholds: b.Thresholds, Params: b.Params, Data: b.Data, Validation: b.Validation}
	switch b.Kind {
	case KindLogReg:
		if b.Scaling == nil || b.LogReg == nil {
			return nil, fmt.Errorf("model: kind logreg needs \"scaling\" and \"logreg\"")
		}
		m.LogReg = &LogReg{Scale: b.Scaling, W: b.LogReg.Weights, B: b.LogReg.Bias}
	case KindGBDT:
		if b.GBDT == nil {
			return nil, fmt.Errorf("model: kind gbdt needs \"gbdt\"")
		}
		m.GBDT = b.GBDT
		m.GBDT.Names = b.Features
	default:
		return nil, fmt.Errorf("model: unknown kind %q (want %q or %q)", b.Kind, KindLogReg, KindGBDT)
	}
	if err := m.validate(); err != nil {
		return nil, err
	}
	if m.LogReg != nil {
		m.LogReg.Scale.init()
	}
	return m, nil
}

func (m *Model) validate() error {
	d := len(m.Features)
	if d == 0 {
		return fmt.Errorf("model: no features")
	}
	seen := map[string]bool{}
	for j, n := range m.Features {
		if n == "" || seen[n] {
			return fmt.Errorf("model: feature %d name %q is empty or repeated", j, n)
		}
		seen[n] = true
	}
	allFinite := func(what string, xs ...float64) error {
		for i, v := range xs {
			if !finite(v) {
				return fmt.Errorf("model: %s[%d] is %v; every number must be finite", what, i, v)
			}
		}
		return nil
	}
	if err := allFinite("thresholds", m.Thresholds.Review, m.Thresholds.Reject, m.Thresholds.ReviewFPR, m.Thresholds.RejectFPR); err != nil {
		return err
	}
	if m.Thresholds.Reject < m.Thresholds.Review {
		return fmt.Errorf("model: reject threshold %v below review threshold %v", m.Thresholds.Reject, m.Thresholds.Review)
	}
	switch m.Kind {
	case KindLogReg:
		if m.LogReg == nil || m.GBDT != nil {
			return fmt.Errorf("model: kind logreg must hold exactly a logistic regression")
		}
		lr := m.LogReg
		s := lr.Scale
		if s == nil || len(lr.W) != d || len(s.Mean) != d || len(s.Std) != d || len(s.Names) != d {
			return fmt.Errorf("model: logreg lengths disagree: %d features, %d weights, scaling %d means %d stds", d, len(lr.W), len(s.Mean), len(s.Std))
		}
		for j := range s.Names {
			if s.Names[j] != m.Features[j] {
				return fmt.Errorf("model: scaling column %d is %q but feature %d is %q", j, s.Names[j], j, m.Features[j])
			}
			if s.Std[j] < 0 {
				return fmt.Errorf("model: scaling std[%d] = %v is negative", j, s.Std[j])
			}
		}
		for _, e := range []error{allFinite("weights", lr.W...), allFinite("bias", lr.B), allFinite("mean", s.Mean...), allFinite("std", s.Std...)} {
			if e != nil {
				return e
			}
		}
	case KindGBDT:
		if m.GBDT == nil || m.LogReg != nil {
			return fmt.Errorf("model: kind gbdt must hold exactly a tree ensemble")
		}
		if err := allFinite("base", m.GBDT.Base); err != nil {
			return err
		}
		for ti := range m.GBDT.Trees {
			if err := m.GBDT.Trees[ti].validate(d); err != nil {
				return fmt.Errorf("model: tree %d: %w", ti, err)
			}
		}
	default:
		return fmt.Errorf("model: unknown kind %q", m.Kind)
	}
	return nil
}

// validate checks a tree's arrays: equal lengths, finite numbers, features < d, and children
// indexed after their parent (so every path ends at a leaf).
func (t *Tree) validate(d int) error {
	n := len(t.Feature)
	if n == 0 || len(t.Threshold) != n || len(t.Left) != n || len(t.Right) != n || len(t.Value) != n {
		return fmt.Errorf("node arrays must be non-empty and of equal length (feature %d, threshold %d, left %d, right %d, value %d)",
			n, len(t.Threshold), len(t.Left), len(t.Right), len(t.Value))
	}
	for i := 0; i < n; i++ {
		if !finite(t.Value[i]) || !finite(t.Threshold[i]) {
			return fmt.Errorf("node %d holds a non-finite number", i)
		}
		f := t.Feature[i]
		if f < 0 {
			if f != -1 || t.Left[i] != -1 || t.Right[i] != -1 {
				return fmt.Errorf("leaf %d must have feature -1 and children -1", i)
			}
			continue
		}
		if int(f) >= d {
			return fmt.Errorf("node %d splits on feature %d of %d", i, f, d)
		}
		if l, r := t.Left[i], t.Right[i]; l <= int32(i) || r <= int32(i) || int(l) >= n || int(r) >= n {
			return fmt.Errorf("node %d has children %d, %d; they must come after it and before %d", i, l, r, n)
		}
	}
	return nil
}

// ChecksumFile is "crc32c:xxxxxxxx" over a file's bytes, for DataInfo.Checksums.
func ChecksumFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := crc32.New(castagnoli)
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("checksum %s: %w", path, err)
	}
	return fmt.Sprintf("crc32c:%08x", h.Sum32()), nil
}

// ChecksumData is "crc32c:xxxxxxxx" over the given rows of m (little-endian float64 bits, row by
// row) followed by their labels (one byte each): it identifies the exact training data.
func ChecksumData(m *Matrix, rows []int, y []bool) string {
	h := crc32.New(castagnoli)
	var b [8]byte
	for _, i := range rows {
		for _, v := range m.Row(i) {
			binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
			h.Write(b[:])
		}
	}
	for _, i := range rows {
		b[0] = 0
		if y[i] {
			b[0] = 1
		}
		h.Write(b[:1])
	}
	return fmt.Sprintf("crc32c:%08x", h.Sum32())
}

func crcHex(b []byte) string { return fmt.Sprintf("%08x", crc32.Checksum(b, castagnoli)) }
