package scorer

import (
	"math"
	"strconv"
	"unicode/utf8"

	"riskwalk/bundle"
)

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string: quotes, backslashes and control characters escaped,
// invalid UTF-8 replaced by \ufffd, so that any id yields valid JSON.
func appendString(dst, s []byte) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c < 0x20:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && n == 1 {
			dst = append(dst, `\ufffd`...)
		} else {
			dst = append(dst, s[i:i+n]...)
		}
		i += n
	}
	return append(dst, '"')
}

// appendExtJSON appends dense user v's external id as a JSON string without allocating: the id
// is appended raw and kept when it needs no escaping (the usual case); otherwise it is copied to
// a stack buffer (a heap one only past 512 bytes) and re-appended escaped.
func appendExtJSON(dst []byte, b *bundle.Bundle, v uint32) []byte {
	dst = append(dst, '"')
	mark := len(dst)
	dst = b.AppendExtID(dst, v)
	plain := true
	for _, c := range dst[mark:] {
		if c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
			plain = false
			break
		}
	}
	if plain {
		return append(dst, '"')
	}
	var buf [512]byte
	raw := buf[:0]
	if n := len(dst) - mark; n > len(buf) {
		raw = make([]byte, 0, n)
	}
	raw = append(raw, dst[mark:]...)
	return appendString(dst[:mark-1], raw)
}

// appendFloat appends a float32 in its shortest decimal form; NaN and infinities (which the
// bundle checks exclude) become 0 so that the output stays JSON.
func appendFloat(dst []byte, x float32) []byte {
	if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
		return append(dst, '0')
	}
	return strconv.AppendFloat(dst, float64(x), 'g', -1, 32)
}

func appendUint(dst []byte, x uint64) []byte { return strconv.AppendUint(dst, x, 10) }

func appendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, "true"...)
	}
	return append(dst, "false"...)
}

func labelOf(flags uint8) string {
	switch {
	case flags&bundle.FlagBad != 0:
		return "bad"
	case flags&bundle.FlagGood != 0:
		return "good"
	}
	return "unlabelled"
}

// Cached answers (T1 and T2) are stored as a 6-byte header and the answer's JSON without its
// closing brace, so that per-request fields (tier, degraded, took_us) can follow:
//
//	0  4  score, float32 little-endian
//	4  1  decision
//	5  1  1 if a cold-start answer, else 0
//	6  .. JSON: {"id":...,"model_version":"..."
const valHeader = 6

func putHeader(dst []byte, score float32, d bundle.Decision, cold bool) []byte {
	u := math.Float32bits(score)
	c := byte(0)
	if cold {
		c = 1
	}
	return append(dst, byte(u), byte(u>>8), byte(u>>16), byte(u>>24), byte(d), c)
}

func getHeader(v []byte) (score float32, d bundle.Decision, cold bool) {
	u := uint32(v[0]) | uint32(v[1])<<8 | uint32(v[2])<<16 | uint32(v[3])<<24
	return math.Float32frombits(u), bundle.Decision(v[4]), v[5] == 1
}

// renderUser appends user v's cached value (header and open JSON object) to dst. The answer
// explains the score: the model's largest per-feature contributions to its logit, and the graph
// evidence (community size and labelled-bad share, labelled-bad users within two hops, the
// nearest labelled-bad users by embedding cosine).
func (st *state) renderUser(dst []byte, v uint32) []byte {
	b := st.b
	r := b.Row(v)
	dst = putHeader(dst, r.Score, r.Decision, false)
	dst = append(dst, `{"id":`...)
	dst = appendExtJSON(dst, b, v)
	dst = append(dst, `,"known":true,"cold":false,"score":`...)
	dst = appendFloat(dst, r.Score)
	dst = append(dst, `,"decision":"`...)
	dst = append(dst, r.Decision.String()...)
	dst = append(dst, `","label":"`...)
	dst = append(dst, labelOf(r.Flags)...)
	dst = append(dst, `","reasons":[`...)
	for i := 0; i < int(r.NReasons); i++ {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"feature":`...)
		dst = append(dst, st.reasonJSON[r.ReasonCode[i]]...)
		dst = append(dst, `,"contribution":`...)
		dst = appendFloat(dst, r.ReasonContrib[i])
		dst = append(dst, '}')
	}
	dst = append(dst, `],"graph":{"degree":`...)
	dst = appendUint(dst, uint64(r.Degree))
	if r.Community != bundle.NoCommunity {
		c := b.Comm(r.Community)
		share := float32(0)
		if c.Size > 0 {
			share = float32(c.Bad) / float32(c.Size)
		}
		dst = append(dst, `,"community":`...)
		dst = appendUint(dst, uint64(r.Community))
		dst = append(dst, `,"community_size":`...)
		dst = appendUint(dst, uint64(c.Size))
		dst = append(dst, `,"community_bad_share":`...)
		dst = appendFloat(dst, share)
	}
	dst = append(dst, `,"bad_within_2_hops":`...)
	dst = appendUint(dst, uint64(r.BadTwoHop))
	dst = append(dst, `,"bad_within_2_hops_capped":`...)
	dst = appendBool(dst, r.Flags&bundle.FlagTwoHopCap != 0)
	dst = append(dst, `,"nearest_bad":[`...)
	for i := 0; i < int(r.NNear); i++ {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"id":`...)
		dst = appendExtJSON(dst, b, r.NearID[i])
		dst = append(dst, `,"similarity":`...)
		dst = appendFloat(dst, r.NearSim[i])
		dst = append(dst, '}')
	}
	dst = append(dst, `]},"model_version":`...)
	return append(dst, st.modelJSON...)
}

// renderCold appends the cold-start value for an id the bundle does not know.
func (st *state) renderCold(dst, id []byte) []byte {
	dst = putHeader(dst, st.b.Meta.ColdScore, st.coldDecision, true)
	dst = append(dst, `{"id":`...)
	dst = appendString(dst, id)
	dst = append(dst, `,"known":false,"cold":true,"score":`...)
	dst = appendFloat(dst, st.b.Meta.ColdScore)
	dst = append(dst, `,"decision":"`...)
	dst = append(dst, st.coldDecision.String()...)
	dst = append(dst, `","reasons":[{"feature":"cold_start","contribution":0}],"explanation":"id not in the bundle: the bundle's cold-start score","model_version":`...)
	return append(dst, st.modelJSON...)
}
