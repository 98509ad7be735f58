package scorer

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"riskwalk/bundle"
)

// TestAppendExtJSON: external ids come out of the bundle's id index as valid JSON strings equal
// to the id (escaped where needed), without allocating for ids up to 512 bytes.
func TestAppendExtJSON(t *testing.T) {
	in := bundle.Synthetic(50, 4, 1)
	odd := map[int]string{
		0: `quote"back\slash`, 1: "tab\there", 2: "ünïcødé-€", 3: "bad\xffutf8",
		4: strings.Repeat(`"`, 600), 5: strings.Repeat("a", 700),
	}
	for v, id := range odd {
		in.IDs[v] = id
	}
	dir := filepath.Join(t.TempDir(), "b")
	if err := bundle.Write(dir, in); err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	buf := make([]byte, 0, 8192)
	for v := uint32(0); v < b.N; v++ {
		out := appendExtJSON(buf[:0], b, v)
		var got string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("id %d: %q is not JSON: %v", v, out, err)
		}
		want := in.IDs[v]
		if v == 3 {
			want = "bad\ufffdutf8"
		}
		if got != want {
			t.Fatalf("id %d: %q, want %q", v, got, want)
		}
		if v == 4 {
			continue // escaping an id over 512 bytes may allocate
		}
		if a := testing.AllocsPerRun(50, func() { buf = appendExtJSON(buf[:0], b, v) }); a != 0 {
			t.Errorf("id %d: %.0f allocations", v, a)
		}
	}
}

// TestAppendStamp: the cached-second audit time stamp equals the full format, across seconds,
// days and time zones, without allocating once the second is cached.
func TestAppendStamp(t *testing.T) {
	sc := newScratch()
	base := time.Date(2026, 12, 31, 23, 59, 58, 999_999_000, time.FixedZone("X", 3600))
	var buf []byte
	for _, d := range []time.Duration{0, 1, 1000, 1500 * time.Millisecond, 2 * time.Second, 25 * time.Hour, -time.Second} {
		now := base.Add(d)
		buf = sc.appendStamp(buf[:0], now)
		if want := now.UTC().Format("2006-01-02T15:04:05.000000Z07:00"); string(buf) != want {
			t.Fatalf("%v: %s, want %s", now, buf, want)
		}
	}
	if a := testing.AllocsPerRun(100, func() { buf = sc.appendStamp(buf[:0], base) }); a != 0 {
		t.Errorf("%.0f allocations", a)
	}
}
