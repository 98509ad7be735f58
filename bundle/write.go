package bundle

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"riskwalk/graph"
	"riskwalk/internal/atomicfile"
	"riskwalk/internal/progress"
	"riskwalk/internal/secfile"
	"riskwalk/vecfile"
)

// Input is everything Write needs, as plain slices indexed by dense user id 0..N-1. The id index
// and the vectors may instead be given as the pipeline's own files (IDIndexPath, VectorPath),
// which Write verifies and copies, so that the bundle holds exactly the files ingest and the
// trainer wrote.
type Input struct {
	// IDs are the external ids (possibly HMAC-hashed at ingest), unique and non-empty. Write
	// stores them as a .rwi with graph.NewIDIndex. May be nil when IDIndexPath is set; when both
	// are set they must agree.
	IDs []string
	// IDIndexPath, if set, is a .rwi (graph.OpenIDs; e.g. ingest's out/graph.rwi) copied into the
	// bundle as ids.rwi after its checksums are verified.
	IDIndexPath string
	// Graph is the relation graph over the same dense ids (Graph.N == number of ids).
	Graph *graph.Graph
	// GraphChecksum identifies the graph file (graph.File.Checksum); 0 when unknown. When it and
	// the checksum recorded in a copied .rwi or .rwv are both non-zero they must agree.
	GraphChecksum uint64

	// Scores are the model's probabilities of "bad", in [0,1].
	Scores       []float32
	ModelVersion string
	Thresholds   Thresholds
	// ReasonNames names the F features; Contrib (nil, or N*F row-major) holds each feature's
	// contribution to user v's logit. The four largest in magnitude become v's reasons.
	ReasonNames []string
	Contrib     []float32

	// Labels: 1 labelled bad, 0 labelled good, -1 unknown; nil means no labels.
	Labels []int8
	// Community is each user's community id (dense, < N), or nil.
	Community []uint32

	// Vectors are N rows of Dim float32 embeddings, row-major, written with vecfile.Write; Int8
	// stores them quantised (vecfile.Int8, per-row scale).
	Dim     int
	Vectors []float32
	Int8    bool
	// VectorPath, if set instead of Vectors, is a .rwv (vecfile; e.g. the trainer's output)
	// verified and copied into the bundle; with Int8 a float32 file is re-written quantised (an
	// int8 file is always kept as it is). Dim may then be 0.
	VectorPath string

	// ColdScore is the answer for unknown ids (e.g. the base rate); TxnLinkWeight is beta in the
	// transaction score (0 means the default 0.3).
	ColdScore     float32
	TxnLinkWeight float32
	// NbrCap caps each stored neighbourhood (0: 32). NearCandidates bounds the labelled-bad users
	// compared by cosine with each user (0: 1024; when there are more, an evenly spaced sample of
	// that many plus the labelled-bad users in the user's neighbourhood).
	NbrCap         int
	NearCandidates int
	// Created stamps the manifest (zero: now).
	Created time.Time
	// Progress, if true, prints rate and ETA lines on stderr while computing rows.
	Progress bool
}

// validate checks in for n users (the id count).
func (in *Input) validate(n int) error {
	switch {
	case n == 0:
		return fmt.Errorf("no users")
	case uint64(n) > uint64(maxDenseID):
		return fmt.Errorf("%d users: the bundle holds at most %d", n, maxDenseID)
	case in.IDs != nil && len(in.IDs) != n:
		return fmt.Errorf("%d ids, the id index %s holds %d", len(in.IDs), in.IDIndexPath, n)
	case in.Graph == nil || int(in.Graph.N) != n:
		return fmt.Errorf("graph must have one node per id (%d ids)", n)
	case len(in.Scores) != n:
		return fmt.Errorf("%d scores for %d ids", len(in.Scores), n)
	case in.Labels != nil && len(in.Labels) != n:
		return fmt.Errorf("%d labels for %d ids", len(in.Labels), n)
	case in.Community != nil && len(in.Community) != n:
		return fmt.Errorf("%d community ids for %d ids", len(in.Community), n)
	case in.VectorPath == "" && (in.Dim < 1 || len(in.Vectors) != n*in.Dim):
		return fmt.Errorf("vectors: %d floats for %d ids of dimension %d", len(in.Vectors), n, in.Dim)
	case in.VectorPath != "" && in.Vectors != nil:
		return fmt.Errorf("vectors given both as a slice and as the file %s: give one", in.VectorPath)
	case in.Contrib != nil && len(in.Contrib) != n*len(in.ReasonNames):
		return fmt.Errorf("contributions: %d floats for %d ids x %d reasons", len(in.Contrib), n, len(in.ReasonNames))
	case len(in.ReasonNames) > math.MaxUint16:
		return fmt.Errorf("%d reason names: at most %d", len(in.ReasonNames), math.MaxUint16)
	case !(in.Thresholds.Review >= 0 && in.Thresholds.Review <= in.Thresholds.Reject && in.Thresholds.Reject <= 1):
		return fmt.Errorf("thresholds review=%g reject=%g: need 0 <= review <= reject <= 1", in.Thresholds.Review, in.Thresholds.Reject)
	case !(in.ColdScore >= 0 && in.ColdScore <= 1):
		return fmt.Errorf("cold score %g outside [0,1]", in.ColdScore)
	case in.ModelVersion == "":
		return fmt.Errorf("model version is empty")
	}
	for v, s := range in.Scores {
		if !(s >= 0 && s <= 1) {
			return fmt.Errorf("score of dense user %d is %g, outside [0,1]", v, s)
		}
	}
	for v, c := range in.Community {
		if c != NoCommunity && int(c) >= n {
			return fmt.Errorf("community id %d of dense user %d is not < N=%d", c, v, n)
		}
	}
	return nil
}

// Write builds a bundle from in and places it at dir atomically: readers of dir see the old
// bundle or the complete new one. An existing bundle at dir is replaced (and deleted).
func Write(dir string, in *Input) error {
	if in.IDs == nil && in.IDIndexPath == "" {
		return fmt.Errorf("bundle %s: no ids (give IDs or IDIndexPath)", dir)
	}
	if in.IDIndexPath == "" {
		if err := in.validate(len(in.IDs)); err != nil {
			return fmt.Errorf("bundle %s: %w", dir, err)
		}
	}
	dir = filepath.Clean(dir)
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return fmt.Errorf("bundle %s: %w", dir, err)
	}
	defer os.RemoveAll(tmp) // after a successful exchange it holds the old bundle
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := writeFiles(tmp, in); err != nil {
		return fmt.Errorf("bundle %s: %w", dir, err)
	}
	if err := atomicfile.SyncDir(tmp); err != nil {
		return err
	}
	if _, err := os.Lstat(dir); err == nil {
		if err := unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, dir, unix.RENAME_EXCHANGE); err != nil {
			return fmt.Errorf("bundle %s: exchange with the new bundle: %w", dir, err)
		}
	} else if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("bundle %s: %w", dir, err)
	}
	return atomicfile.SyncDir(parent)
}

func writeFiles(dir string, in *Input) error {
	ids, err := writeIDs(filepath.Join(dir, IDsFile), in)
	if err != nil {
		return err
	}
	n := ids.Len()
	gsum := in.GraphChecksum
	if gsum == 0 {
		gsum = ids.GraphChecksum()
	}
	ids.Close()
	if in.IDIndexPath != "" {
		if err := in.validate(n); err != nil {
			return err
		}
	}
	vf, err := writeVectors(filepath.Join(dir, VectorsFile), in, uint64(n))
	if err != nil {
		return err
	}
	defer vf.Close()
	if gsum == 0 {
		gsum = vf.GraphSum
	}
	meta := Meta{
		ModelVersion: in.ModelVersion, Thresholds: in.Thresholds, ReasonNames: in.ReasonNames,
		ColdScore: in.ColdScore, TxnLinkWeight: in.TxnLinkWeight, NbrCap: in.NbrCap,
		NearCands: in.NearCandidates, Users: uint32(n),
	}
	if meta.ReasonNames == nil {
		meta.ReasonNames = []string{}
	}
	if meta.TxnLinkWeight == 0 {
		meta.TxnLinkWeight = 0.3
	}
	if meta.NbrCap <= 0 {
		meta.NbrCap = nbrDefaultCap
	}
	if meta.NearCands <= 0 {
		meta.NearCands = nearDefaultCandidates
	}
	// Cosines are computed from the vectors as stored (dequantised for int8), so that the
	// scorer's Cosine and the stored nearest-bad similarities agree.
	vec, stride := storedRows(vf)
	c := computeRows(in, n, vf.Dim, &meta, vec, stride)

	mj, err := json.Marshal(&meta)
	if err != nil {
		return err
	}
	if err := writeSec(filepath.Join(dir, ScoresFile), scoresMagic, scoreVersion, 5, func(w *secfile.Writer) error {
		return firstErr(w.Bytes("meta", mj), w.Bytes("users", rowBytes(c.rows)), w.Bytes("comms", commBytes(c.comms)),
			secfile.Slice(w, "nbr_off", c.nbrOff), secfile.Slice(w, "nbr", c.nbr))
	}); err != nil {
		return err
	}

	created := in.Created
	if created.IsZero() {
		created = time.Now()
	}
	man := Manifest{
		Format: manifestFormat, Version: FormatVersion, ModelVersion: in.ModelVersion,
		Created: created.UTC().Format(time.RFC3339), Users: uint32(n), Dim: vf.Dim, VectorKind: "f32",
		GraphChecksum: fmt.Sprintf("%016x", gsum), Parameters: meta, Files: map[string]FileSum{},
	}
	if vf.DType == vecfile.Int8 {
		man.VectorKind = "i8"
	}
	for _, name := range []string{IDsFile, VectorsFile, ScoresFile} {
		// Readable by the scorer's own user; access is controlled by the bundle's parent directory.
		if err := os.Chmod(filepath.Join(dir, name), 0o644); err != nil {
			return err
		}
		s, err := sumFile(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		man.Files[name] = s
	}
	mb, err := json.MarshalIndent(&man, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, ManifestFile), append(mb, '\n')); err != nil {
		return err
	}
	return os.Chmod(filepath.Join(dir, ManifestFile), 0o644)
}

// writeSec writes one secfile of nsec sections, filled by fill.
func writeSec(path string, magic [8]byte, version uint32, nsec int, fill func(*secfile.Writer) error) error {
	w, err := secfile.Create(path, magic, version, nsec)
	if err != nil {
		return err
	}
	if err := fill(w); err != nil {
		w.Abort()
		return fmt.Errorf("%s: %w", path, err)
	}
	return w.Commit()
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func sumFile(path string) (FileSum, error) {
	f, err := os.Open(path)
	if err != nil {
		return FileSum{}, err
	}
	defer f.Close()
	h := newCRC()
	n, err := io.Copy(h, f)
	if err != nil {
		return FileSum{}, fmt.Errorf("checksum %s: %w", path, err)
	}
	return FileSum{Size: n, CRC32C: fmt.Sprintf("%08x", h.Sum32())}, nil
}

func rowBytes(r []UserRow) []byte {
	if len(r) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&r[0])), len(r)*userRowSize)
}

func commBytes(r []CommRow) []byte {
	if len(r) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&r[0])), len(r)*commRowSize)
}

type computed struct {
	rows   []UserRow
	comms  []CommRow
	nbrOff []uint64
	nbr    []uint32
}

// computeRows fills every user's row, the community table and the capped neighbourhoods.
// Row v of the vectors is vec[v*stride : v*stride+d].
func computeRows(in *Input, n, d int, meta *Meta, vec []float32, stride int) *computed {
	g := in.Graph
	c := &computed{rows: make([]UserRow, n)}
	bad := func(v uint32) bool { return in.Labels != nil && in.Labels[v] == 1 }

	// Communities.
	var nc uint32
	for _, k := range in.Community {
		if k != NoCommunity {
			nc = max(nc, k+1)
		}
	}
	c.comms = make([]CommRow, nc)
	for v, k := range in.Community {
		if k != NoCommunity {
			c.comms[k].Size++
			if bad(uint32(v)) {
				c.comms[k].Bad++
			}
		}
	}
	meta.Communities = nc

	// Inverse norms of the stored vectors; unit candidate rows for the nearest-bad search.
	inv := make([]float32, n)
	for v := 0; v < n; v++ {
		var s float64
		for _, a := range vec[v*stride : v*stride+d] {
			s += float64(a) * float64(a)
		}
		if s > 0 {
			inv[v] = float32(1 / math.Sqrt(s))
		}
	}
	var badIDs []uint32
	for v := 0; v < n; v++ {
		if bad(uint32(v)) {
			badIDs = append(badIDs, uint32(v))
		}
	}
	cands := badIDs
	if len(cands) > meta.NearCands {
		cands = make([]uint32, meta.NearCands)
		for i := range cands {
			cands[i] = badIDs[i*len(badIDs)/meta.NearCands]
		}
	}

	// Neighbourhoods are built per worker chunk, then concatenated in order.
	workers := runtime.GOMAXPROCS(0)
	chunk := (n + workers - 1) / workers
	parts := make([][]uint32, workers)
	lens := make([]uint32, n)
	var m *progress.Meter
	if in.Progress {
		m = progress.Start("bundle rows", "users", int64(n), 0, nil)
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min(n, (w+1)*chunk)
		if lo >= hi {
			continue
		}
		wg.Add(1)
		go func(w, lo, hi int) {
			defer wg.Done()
			stamp := make([]uint32, n) // stamp[u] == v+1: u seen while visiting v
			var nb []uint32
			type cand struct {
				id  uint32
				sim float32
			}
			var top []cand
			var order []int
			for v := lo; v < hi; v++ {
				if m != nil && (v-lo)&4095 == 4095 {
					m.Add(4096)
				}
				u32 := uint32(v)
				mark := u32 + 1
				r := &c.rows[v]
				r.Score = in.Scores[v]
				r.Decision = in.Thresholds.Decide(in.Scores[v])
				r.Community = NoCommunity
				if in.Community != nil {
					r.Community = in.Community[v]
				}
				r.Degree = g.Degree(u32)
				r.InvNorm = inv[v]
				if inv[v] == 0 {
					r.Flags |= FlagNoVector
				}
				if in.Labels != nil {
					switch in.Labels[v] {
					case 1:
						r.Flags |= FlagBad
					case 0:
						r.Flags |= FlagGood
					}
				}
				// Reasons: the largest contributions in magnitude.
				if f := len(in.ReasonNames); in.Contrib != nil && f > 0 {
					row := in.Contrib[v*f : (v+1)*f]
					order = order[:0]
					for j := range row {
						if row[j] != 0 {
							order = append(order, j)
						}
					}
					sort.Slice(order, func(a, b int) bool {
						x, y := math.Abs(float64(row[order[a]])), math.Abs(float64(row[order[b]]))
						if x != y {
							return x > y
						}
						return order[a] < order[b]
					})
					k := min(len(order), MaxReasons)
					for i := 0; i < k; i++ {
						r.ReasonCode[i] = uint16(order[i])
						r.ReasonContrib[i] = row[order[i]]
					}
					r.NReasons = uint8(k)
				}
				// Two-hop: count labelled-bad users (exactly, up to a work budget) and keep the
				// capped neighbourhood list.
				stamp[v] = mark
				nb = nb[:0]
				badCount := uint32(0)
				const budget = 1 << 16
				work := 0
				for _, u := range g.Neighbors(u32) {
					if stamp[u] != mark {
						stamp[u] = mark
						if bad(u) {
							badCount++
						}
						if len(nb) < meta.NbrCap {
							nb = append(nb, u)
						} else {
							r.Flags |= FlagNbrCapped
						}
					}
				}
			outer:
				for _, u := range g.Neighbors(u32) {
					for _, x := range g.Neighbors(u) {
						if work++; work > budget {
							r.Flags |= FlagTwoHopCap
							break outer
						}
						if stamp[x] != mark {
							stamp[x] = mark
							if bad(x) {
								badCount++
							}
							if len(nb) < meta.NbrCap {
								nb = append(nb, x|HopTwoBit)
							} else {
								r.Flags |= FlagNbrCapped
							}
						}
					}
				}
				r.BadTwoHop = badCount
				lens[v] = uint32(len(nb))
				parts[w] = append(parts[w], nb...)

				// Nearest labelled-bad users by cosine among the candidates and the neighbourhood.
				if inv[v] != 0 && len(badIDs) > 0 {
					top = top[:0]
					xv := vec[v*stride : v*stride+d]
					consider := func(b uint32) {
						if b == u32 || inv[b] == 0 {
							return
						}
						for _, t := range top {
							if t.id == b {
								return
							}
						}
						var s float32
						for j, a := range vec[int(b)*stride : int(b)*stride+d] {
							s += a * xv[j]
						}
						s *= inv[b] * inv[v]
						if len(top) < MaxNear {
							top = append(top, cand{b, s})
						} else if s > top[MaxNear-1].sim {
							top[MaxNear-1] = cand{b, s}
						} else {
							return
						}
						for i := len(top) - 1; i > 0 && (top[i].sim > top[i-1].sim || top[i].sim == top[i-1].sim && top[i].id < top[i-1].id); i-- {
							top[i], top[i-1] = top[i-1], top[i]
						}
					}
					for _, b := range cands {
						consider(b)
					}
					for _, e := range nb {
						if b := e &^ HopTwoBit; bad(b) {
							consider(b)
						}
					}
					for i, t := range top {
						r.NearID[i], r.NearSim[i] = t.id, t.sim
					}
					r.NNear = uint8(len(top))
				}
			}
		}(w, lo, hi)
	}
	wg.Wait()
	if m != nil {
		m.Add(int64(n) - m.Done())
		m.Finish()
	}
	c.nbrOff = make([]uint64, n+1)
	for v := 0; v < n; v++ {
		c.nbrOff[v+1] = c.nbrOff[v] + uint64(lens[v])
	}
	c.nbr = make([]uint32, 0, c.nbrOff[n])
	for _, p := range parts {
		c.nbr = append(c.nbr, p...)
	}
	return c
}
