package scorer

import (
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

var parseSeeds = []string{
	`{"ids":["u1","u2"]}`,
	`{"ids":[]}`,
	` { "ids" : [ "a\"b", "\u00e9\ud83d\ude00", "x\/y\n" ] } `,
	`{"payer":"u1","payee":"u2","amount":-12.5e+3,"tags":[true,false,null,{"k":[1,{"z":"q"}]}]}`,
	`{"ids":["a"],"ids":["b","c"]}`,
	`{"payer":"a","payer":"b","payee":"c"}`,
	`{"ids":["\ud800"]}`,
	`{"ids":["a",]}`,
	`{"ids":[1]}`,
	`{"ids":"a"}`,
	`{"ids":["a"]} x`,
	`{"x":01}`,
	`{"x":1.}`,
	`{"x":-}`,
	`[]`,
	`{"ids":["` + "\x01" + `"]}`,
	`{"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`,
	`{"ids":[""]}`,
	`{"ids":["abc\u"]}`,
	`{"k\u0041":{"ids":["nested"]},"ids":["top"]}`,
}

func TestParseRequest(t *testing.T) {
	var r request
	ids := func() []string {
		var s []string
		for _, sp := range r.ids {
			s = append(s, string(r.buf[sp.off:sp.off+sp.n]))
		}
		return s
	}
	for _, c := range []struct {
		body string
		err  error
		ids  []string
	}{
		{`{"ids":["u1","u2"]}`, nil, []string{"u1", "u2"}},
		{` { "ids" : [ "a\"b", "\u00e9\ud83d\ude00", "x\/y\n" ] } `, nil, []string{"a\"b", "é😀", "x/y\n"}},
		{`{"ids":["a"],"ids":["b","c"]}`, nil, []string{"b", "c"}},
		{`{"ids":["\ud800"]}`, nil, []string{"\uFFFD"}},
		{`{"k\u0041":{"ids":["nested"]},"ids":["top"]}`, nil, []string{"top"}},
		{`{"ids":["a",]}`, errSyntax, nil},
		{`{"ids":[1]}`, errType, nil},
		{`{"ids":"a"}`, errType, nil},
		{`{"ids":["a"]} x`, errSyntax, nil},
		{`{"ids":[""]}`, errIDLength, nil},
		{`{"ids":["1","2","3","4","5","6","7","8","9"]}`, errTooMany, nil},
		{`{"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`, errDepth, nil},
	} {
		err := parseRequest([]byte(c.body), &r, 8, 16)
		if err != c.err || (err == nil && !reflect.DeepEqual(ids(), c.ids)) {
			t.Errorf("%s: err %v ids %q; want %v %q", c.body, err, ids(), c.err, c.ids)
		}
	}
	if err := parseRequest([]byte(`{"payer":"a","payer":"b","payee":"c","n":-0.5E-7}`), &r, 8, 16); err != nil || !r.hasPayer || !r.hasPayee ||
		string(r.buf[r.payer.off:r.payer.off+r.payer.n]) != "b" || string(r.buf[r.payee.off:r.payee.off+r.payee.n]) != "c" {
		t.Errorf("payer/payee: %v", err)
	}
}

// FuzzParseRequest: the parser never panics, and whatever it accepts encoding/json accepts too,
// with the same ids, payer and payee (for valid UTF-8, where encoding/json does not rewrite
// bytes). Run bounded in CI by `make fuzz-scorer`; the seeds run in every `go test`.
func FuzzParseRequest(f *testing.F) {
	for _, s := range parseSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var r request
		err := parseRequest(body, &r, 1000, 1<<20)
		if err != nil || !utf8.Valid(body) {
			return
		}
		var m map[string]json.RawMessage
		if jerr := json.Unmarshal(body, &m); jerr != nil {
			t.Fatalf("parser accepted %q, encoding/json refused: %v", body, jerr)
		}
		if r.hasIDs {
			var want []string
			if jerr := json.Unmarshal(m["ids"], &want); jerr != nil {
				t.Fatalf("ids of %q: %v", body, jerr)
			}
			if len(want) != len(r.ids) {
				t.Fatalf("%q: %d ids, encoding/json %d", body, len(r.ids), len(want))
			}
			for i, sp := range r.ids {
				if got := string(r.buf[sp.off : sp.off+sp.n]); got != want[i] {
					t.Fatalf("%q: id %d %q, encoding/json %q", body, i, got, want[i])
				}
			}
		}
		for _, p := range []struct {
			has  bool
			sp   span
			name string
		}{{r.hasPayer, r.payer, "payer"}, {r.hasPayee, r.payee, "payee"}} {
			if !p.has {
				continue
			}
			var want string
			if jerr := json.Unmarshal(m[p.name], &want); jerr != nil || want != string(r.buf[p.sp.off:p.sp.off+p.sp.n]) {
				t.Fatalf("%q: %s %q, encoding/json %q (%v)", body, p.name, r.buf[p.sp.off:p.sp.off+p.sp.n], want, jerr)
			}
		}
	})
}
