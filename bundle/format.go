package bundle

import (
	"errors"
	"unsafe"

	"riskwalk/internal/secfile"
)

// Version is the bundle format version recorded in manifest.json.
type Version uint32

const (
	// V1 was the first layout: the bundle's own id index (ids.rwbi) and vector file
	// (vectors.rwbv). No longer read: rebuild such bundles.
	V1 Version = 1
	// V2 stores the project's shared formats: ids.rwi (graph's id index) and vectors.rwv
	// (vecfile), beside scores.rws with 80-byte user rows.
	V2 Version = 2
	// FormatVersion is what Write produces and the newest Open reads; Open reads V2 only.
	FormatVersion = V2
)

// File names inside a bundle directory.
const (
	ManifestFile = "manifest.json"
	IDsFile      = "ids.rwi"     // graph.IDIndex (graph.OpenIDs)
	VectorsFile  = "vectors.rwv" // vecfile
	ScoresFile   = "scores.rws"
)

var (
	scoresMagic  = secfile.Magic("RWBSCORE")
	scoreVersion = uint32(1)
)

// Decision is the answer the business system acts on.
type Decision uint8

const (
	Pass   Decision = 0
	Review Decision = 1
	Reject Decision = 2
)

// String is "pass", "review" or "reject".
func (d Decision) String() string {
	switch d {
	case Pass:
		return "pass"
	case Review:
		return "review"
	case Reject:
		return "reject"
	}
	return "unknown"
}

// ParseDecision is the inverse of String.
func ParseDecision(s string) (Decision, bool) {
	switch s {
	case "pass":
		return Pass, true
	case "review":
		return Review, true
	case "reject":
		return Reject, true
	}
	return 0, false
}

// Thresholds turn a score into a decision: score >= Reject is reject, score >= Review is review,
// anything lower is pass. 0 <= Review <= Reject <= 1.
type Thresholds struct {
	Review float32 `json:"review"`
	Reject float32 `json:"reject"`
}

// Decide applies the thresholds.
func (t Thresholds) Decide(score float32) Decision {
	switch {
	case score >= t.Reject:
		return Reject
	case score >= t.Review:
		return Review
	}
	return Pass
}

// MaxReasons and MaxNear are the fixed slot counts of a UserRow.
const (
	MaxReasons = 4
	MaxNear    = 4
)

// UserRow flags.
const (
	FlagBad               uint8 = 1 << 0
	FlagGood              uint8 = 1 << 1
	FlagNbrCapped         uint8 = 1 << 2
	FlagTwoHopCap         uint8 = 1 << 3
	FlagNoVector          uint8 = 1 << 4
	NoCommunity                 = ^uint32(0)
	HopTwoBit                   = uint32(1) << 31
	maxDenseID                  = HopTwoBit - 1
	userRowSize                 = 80
	commRowSize                 = 8
	nbrDefaultCap               = 32
	nearDefaultCandidates       = 1024
)

// UserRow is one user's precomputed answer, exactly as stored (80 bytes, see the package doc).
type UserRow struct {
	Score         float32
	Decision      Decision
	Flags         uint8
	NReasons      uint8
	NNear         uint8
	Community     uint32
	Degree        uint32
	BadTwoHop     uint32
	InvNorm       float32
	ReasonCode    [MaxReasons]uint16
	ReasonContrib [MaxReasons]float32
	NearID        [MaxNear]uint32
	NearSim       [MaxNear]float32
}

// CommRow is one community's size and labelled-bad count.
type CommRow struct {
	Size uint32
	Bad  uint32
}

// Compile-time checks that the Go structs match the drawn layout.
var (
	_ [userRowSize - unsafe.Sizeof(UserRow{})]struct{}
	_ [unsafe.Sizeof(UserRow{}) - userRowSize]struct{}
	_ [commRowSize - unsafe.Sizeof(CommRow{})]struct{}
	_ [unsafe.Offsetof(UserRow{}.NearSim) - 64]struct{}
	_ [64 - unsafe.Offsetof(UserRow{}.NearSim)]struct{}
)

// Meta is scores.rws's "meta" section (JSON) and is repeated in the manifest's parameters.
type Meta struct {
	ModelVersion string     `json:"model_version"`
	Thresholds   Thresholds `json:"thresholds"`
	// ReasonNames names reason codes (features the model weighs), indexed by UserRow.ReasonCode.
	ReasonNames []string `json:"reason_names"`
	// ColdScore is the score given to ids the bundle does not know (the training base rate unless
	// the caller chose otherwise).
	ColdScore float32 `json:"cold_score"`
	// TxnLinkWeight is beta in the transaction score 1-(1-max(s_payer,s_payee))(1-beta*link).
	TxnLinkWeight float32 `json:"txn_link_weight"`
	NbrCap        int     `json:"nbr_cap"`
	NearCands     int     `json:"near_candidates"`
	Users         uint32  `json:"users"`
	Communities   uint32  `json:"communities"`
}

// FileSum is a file's size and CRC32C in the manifest.
type FileSum struct {
	Size   int64  `json:"size"`
	CRC32C string `json:"crc32c"`
}

// Manifest is manifest.json.
type Manifest struct {
	Format        string             `json:"format"` // "riskwalk-bundle"
	Version       Version            `json:"version"`
	ModelVersion  string             `json:"model_version"`
	Created       string             `json:"created"` // RFC 3339, UTC
	Users         uint32             `json:"users"`
	Dim           int                `json:"dim"`
	VectorKind    string             `json:"vector_kind"` // "f32" or "i8"
	GraphChecksum string             `json:"graph_checksum"`
	Parameters    Meta               `json:"parameters"`
	Files         map[string]FileSum `json:"files"`
}

const manifestFormat = "riskwalk-bundle"

// ErrBadBundle marks every reason Open refuses a bundle (missing file, size or checksum mismatch,
// inconsistent contents); errors.Is(err, secfile.ErrCorrupt) also holds for structural damage.
var ErrBadBundle = errors.New("bad bundle")
