package bundle

import (
	"bytes"
	"fmt"
	"math/bits"

	"github.com/cespare/xxhash/v2"
)

// idTable is the in-file hash index of ids.rwbi (see the package doc). All slices may alias a
// read-only mapping.
type idTable struct {
	off   []uint64
	keys  []byte
	slots []uint64
	mask  uint64
}

// slotCount is the power of two >= 2n (at least 2), for a load factor of at most one half.
func slotCount(n int) uint64 {
	if n < 1 {
		return 2
	}
	return uint64(1) << bits.Len64(uint64(2*n-1))
}

// buildIDTable builds off, keys and slots for ids; it fails on a duplicate or empty id.
func buildIDTable(ids []string) (*idTable, error) {
	t := &idTable{off: make([]uint64, len(ids)+1)}
	total := 0
	for _, s := range ids {
		total += len(s)
	}
	t.keys = make([]byte, 0, total)
	for i, s := range ids {
		if len(s) == 0 {
			return nil, fmt.Errorf("id of dense user %d is empty", i)
		}
		t.keys = append(t.keys, s...)
		t.off[i+1] = uint64(len(t.keys))
	}
	t.slots = make([]uint64, slotCount(len(ids)))
	t.mask = uint64(len(t.slots) - 1)
	for v, s := range ids {
		h := xxhash.Sum64String(s)
		for i := h & t.mask; ; i = (i + 1) & t.mask {
			e := t.slots[i]
			if e == 0 {
				t.slots[i] = h>>32<<32 | uint64(v+1)
				break
			}
			if e>>32 == h>>32 && string(t.ext(uint32(e)-1)) == s {
				return nil, fmt.Errorf("id %q appears twice (dense users %d and %d)", s, uint32(e)-1, v)
			}
		}
	}
	return t, nil
}

// ext is the external id of dense id v; it aliases the table.
func (t *idTable) ext(v uint32) []byte { return t.keys[t.off[v]:t.off[v+1]:t.off[v+1]] }

// lookup finds key's dense id without allocating.
func (t *idTable) lookup(key []byte) (uint32, bool) {
	h := xxhash.Sum64(key)
	tag := h >> 32
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		e := t.slots[i]
		if e == 0 {
			return 0, false
		}
		if e>>32 == tag {
			v := uint32(e) - 1
			if bytes.Equal(t.keys[t.off[v]:t.off[v+1]], key) {
				return v, true
			}
		}
	}
}

// check validates a table read from disk: monotone offsets inside keys, and every slot naming a
// user whose key hashes to that slot's tag, and every user found by its own key. O(N + S).
func (t *idTable) check(n uint64) error {
	if uint64(len(t.off)) != n+1 || t.off[0] != 0 || t.off[n] != uint64(len(t.keys)) {
		return fmt.Errorf("id offsets do not span the key bytes")
	}
	for v := uint64(0); v < n; v++ {
		if t.off[v+1] <= t.off[v] {
			return fmt.Errorf("id offsets not increasing at dense id %d", v)
		}
	}
	s := uint64(len(t.slots))
	if s < 2 || s&(s-1) != 0 || s < 2*n {
		return fmt.Errorf("slot count %d is not a power of two >= 2N", s)
	}
	var used uint64
	for _, e := range t.slots {
		if e == 0 {
			continue
		}
		v := uint64(uint32(e)) - 1
		if v >= n {
			return fmt.Errorf("slot names dense id %d >= N=%d", v, n)
		}
		if xxhash.Sum64(t.ext(uint32(v)))>>32 != e>>32 {
			return fmt.Errorf("slot tag of dense id %d does not match its key", v)
		}
		used++
	}
	if used != n {
		return fmt.Errorf("%d slots used for %d ids", used, n)
	}
	for v := uint64(0); v < n; v++ {
		if w, ok := t.lookup(t.ext(uint32(v))); !ok || uint64(w) != v {
			return fmt.Errorf("dense id %d is not found by its own key", v)
		}
	}
	return nil
}
