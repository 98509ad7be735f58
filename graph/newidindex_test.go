package graph

import (
	"path/filepath"
	"testing"
)

// TestNewIDIndex: kind chosen like ingest, Write/OpenIDs round trip, duplicates and empty ids
// refused.
func TestNewIDIndex(t *testing.T) {
	for _, c := range []struct {
		ids  []string
		kind IDKind
	}{
		{[]string{"0", "1", "2"}, IDIdentity},
		{[]string{"3", "10", "200"}, IDInt},
		{[]string{"10", "3"}, IDString},
		{[]string{"a", "01", "b c"}, IDString},
	} {
		x, err := NewIDIndex(c.ids)
		if err != nil || x.Kind != c.kind {
			t.Fatalf("%q: kind %v err %v, want %v", c.ids, x.Kind, err, c.kind)
		}
		p := filepath.Join(t.TempDir(), "x.rwi")
		if err := x.Write(p, 77); err != nil {
			t.Fatal(err)
		}
		y, err := OpenIDs(p)
		if err != nil {
			t.Fatal(err)
		}
		for v, id := range c.ids {
			if w, ok := y.Lookup(id); !ok || w != uint32(v) || y.Ext(w) != id {
				t.Fatalf("%q: lookup %q = %d %v", c.ids, id, w, ok)
			}
		}
		if y.GraphChecksum() != 77 || y.Len() != len(c.ids) {
			t.Fatalf("checksum %d len %d", y.GraphChecksum(), y.Len())
		}
		y.Close()
	}
	for _, ids := range [][]string{{"a", "b", "a"}, {"a", ""}} {
		if _, err := NewIDIndex(ids); err == nil {
			t.Fatalf("%q accepted", ids)
		}
	}
}
