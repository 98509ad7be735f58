package scorer

import (
	"errors"
	"unicode/utf16"
	"unicode/utf8"
)

// span is a decoded id inside request.buf.
type span struct{ off, n int32 }

// request is what the POST bodies may carry, decoded into caller-owned, reused storage:
//
//	{"ids": ["a", "b", ...]}                     POST /v1/score
//	{"payer": "a", "payee": "b", ...}            POST /v1/transaction
//
// Other members are skipped (any JSON value, nested at most maxDepth deep). Strings are
// unescaped (\uXXXX and surrogate pairs included). A repeated member replaces the earlier one,
// as encoding/json does.
type request struct {
	buf          []byte
	ids          []span
	hasIDs       bool
	payer, payee span
	hasPayer     bool
	hasPayee     bool
	key          []byte
}

// Parse errors are static values so that rejecting a request allocates nothing.
var (
	errSyntax    = errors.New("body is not a JSON object of the expected shape")
	errType      = errors.New("ids must be an array of strings; payer and payee strings")
	errTooMany   = errors.New("too many ids in one batch")
	errIDLength  = errors.New("an id is empty or longer than the limit")
	errDepth     = errors.New("JSON nested too deeply")
	errMissingID = errors.New("required member missing (ids, or payer and payee)")
)

const maxDepth = 32

type parser struct {
	b        []byte
	i        int
	maxBatch int
	maxID    int
}

func (p *parser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) eat(c byte) bool {
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// parseRequest decodes body into r (reset first). maxBatch bounds len(ids); maxID bounds each
// decoded id's length in bytes (ids must be non-empty).
func parseRequest(body []byte, r *request, maxBatch, maxID int) error {
	r.buf, r.ids, r.key = r.buf[:0], r.ids[:0], r.key[:0]
	r.hasIDs, r.hasPayer, r.hasPayee = false, false, false
	p := parser{b: body, maxBatch: maxBatch, maxID: maxID}
	if !p.eat('{') {
		return errSyntax
	}
	if p.eat('}') {
		return p.end()
	}
	for {
		p.ws()
		var ok bool
		r.key, ok = p.str(r.key[:0])
		if !ok || !p.eat(':') {
			return errSyntax
		}
		p.ws()
		switch string(r.key) {
		case "ids":
			if err := p.idArray(r); err != nil {
				return err
			}
		case "payer", "payee":
			if p.i >= len(p.b) || p.b[p.i] != '"' {
				if err := p.skip(0); err != nil {
					return err
				}
				return errType
			}
			s, err := p.id(r)
			if err != nil {
				return err
			}
			if r.key[len(r.key)-1] == 'r' {
				r.payer, r.hasPayer = s, true
			} else {
				r.payee, r.hasPayee = s, true
			}
		default:
			if err := p.skip(0); err != nil {
				return err
			}
		}
		if p.eat(',') {
			continue
		}
		if p.eat('}') {
			return p.end()
		}
		return errSyntax
	}
}

func (p *parser) end() error {
	p.ws()
	if p.i != len(p.b) {
		return errSyntax
	}
	return nil
}

func (p *parser) idArray(r *request) error {
	if p.i >= len(p.b) || p.b[p.i] != '[' {
		if err := p.skip(0); err != nil {
			return err
		}
		return errType
	}
	p.i++
	r.ids, r.hasIDs = r.ids[:0], true
	if p.eat(']') {
		return nil
	}
	for {
		p.ws()
		if p.i >= len(p.b) || p.b[p.i] == ']' {
			return errSyntax
		}
		if p.b[p.i] != '"' {
			return errType
		}
		if len(r.ids) == p.maxBatch {
			return errTooMany
		}
		s, err := p.id(r)
		if err != nil {
			return err
		}
		r.ids = append(r.ids, s)
		if p.eat(',') {
			continue
		}
		if p.eat(']') {
			return nil
		}
		return errSyntax
	}
}

// id decodes a string into r.buf and checks its length.
func (p *parser) id(r *request) (span, error) {
	off := len(r.buf)
	var ok bool
	r.buf, ok = p.str(r.buf)
	if !ok {
		return span{}, errSyntax
	}
	n := len(r.buf) - off
	if n == 0 || n > p.maxID {
		return span{}, errIDLength
	}
	return span{int32(off), int32(n)}, nil
}

// str decodes the JSON string at p.i (which must be '"'), appending it to dst.
func (p *parser) str(dst []byte) ([]byte, bool) {
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return dst, false
	}
	p.i++
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return dst, true
		case c < 0x20:
			return dst, false
		case c != '\\':
			dst = append(dst, c)
			p.i++
			continue
		}
		// escape
		if p.i+1 >= len(p.b) {
			return dst, false
		}
		e := p.b[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			dst = append(dst, e)
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r1, ok := p.hex4()
			if !ok {
				return dst, false
			}
			if utf16.IsSurrogate(r1) {
				// A high surrogate followed by \uDC00-\uDFFF makes one rune; anything else is
				// U+FFFD, as encoding/json decodes it.
				save := p.i
				if p.i+1 < len(p.b) && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
					p.i += 2
					if r2, ok := p.hex4(); ok {
						if dec := utf16.DecodeRune(r1, r2); dec != utf8.RuneError {
							dst = utf8.AppendRune(dst, dec)
							continue
						}
					}
					p.i = save
				}
				r1 = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r1)
		default:
			return dst, false
		}
	}
	return dst, false
}

func (p *parser) hex4() (rune, bool) {
	if p.i+4 > len(p.b) {
		return 0, false
	}
	var r rune
	for _, c := range p.b[p.i : p.i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	p.i += 4
	return r, true
}

// skip passes over one JSON value of any kind.
func (p *parser) skip(depth int) error {
	if depth > maxDepth {
		return errDepth
	}
	p.ws()
	if p.i >= len(p.b) {
		return errSyntax
	}
	switch c := p.b[p.i]; {
	case c == '"':
		return p.skipString()
	case c == '{':
		p.i++
		if p.eat('}') {
			return nil
		}
		for {
			p.ws()
			if err := p.skipString(); err != nil {
				return err
			}
			if !p.eat(':') {
				return errSyntax
			}
			if err := p.skip(depth + 1); err != nil {
				return err
			}
			if p.eat(',') {
				continue
			}
			if p.eat('}') {
				return nil
			}
			return errSyntax
		}
	case c == '[':
		p.i++
		if p.eat(']') {
			return nil
		}
		for {
			if err := p.skip(depth + 1); err != nil {
				return err
			}
			if p.eat(',') {
				continue
			}
			if p.eat(']') {
				return nil
			}
			return errSyntax
		}
	case c == 't':
		return p.lit("true")
	case c == 'f':
		return p.lit("false")
	case c == 'n':
		return p.lit("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	return errSyntax
}

// skipString passes over a string, checking its escapes, without keeping it.
func (p *parser) skipString() error {
	start := p.i
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return errSyntax
	}
	for j := p.i + 1; j < len(p.b); j++ {
		switch d := p.b[j]; {
		case d == '"':
			p.i = j + 1
			return nil
		case d < 0x20:
			return errSyntax
		case d == '\\':
			p.i = start
			return p.validateEscaped()
		}
	}
	return errSyntax
}

// validateEscaped walks a string with escapes, checking them, without storing it.
func (p *parser) validateEscaped() error {
	p.i++ // opening quote
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return nil
		case c < 0x20:
			return errSyntax
		case c != '\\':
			p.i++
			continue
		}
		if p.i+1 >= len(p.b) {
			return errSyntax
		}
		e := p.b[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		case 'u':
			if _, ok := p.hex4(); !ok {
				return errSyntax
			}
		default:
			return errSyntax
		}
	}
	return errSyntax
}

func (p *parser) lit(s string) error {
	if len(p.b)-p.i < len(s) || string(p.b[p.i:p.i+len(s)]) != s {
		return errSyntax
	}
	p.i += len(s)
	return nil
}

// number checks the JSON number grammar: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
func (p *parser) number() error {
	b := p.b
	if p.i < len(b) && b[p.i] == '-' {
		p.i++
	}
	digits := func() int {
		s := p.i
		for p.i < len(b) && b[p.i] >= '0' && b[p.i] <= '9' {
			p.i++
		}
		return p.i - s
	}
	if p.i < len(b) && b[p.i] == '0' {
		p.i++
	} else if digits() == 0 {
		return errSyntax
	}
	if p.i < len(b) && b[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return errSyntax
		}
	}
	if p.i < len(b) && (b[p.i] == 'e' || b[p.i] == 'E') {
		p.i++
		if p.i < len(b) && (b[p.i] == '+' || b[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return errSyntax
		}
	}
	return nil
}
