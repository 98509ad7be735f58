package scorer

import (
	"bufio"
	"bytes"
	"container/heap"
	"fmt"
	"os"
	"sort"

	"riskwalk/graph"

	"riskwalk/bundle"
)

// hotTable is tier T1: the pre-rendered answers of a preheated hot set, keyed by external id,
// immutable once built and therefore read without locks. arena holds, per entry, the key then
// the cached value (see valHeader).
type hotTable struct {
	slots []hotSlot
	mask  uint64
	arena []byte
	n     int
}

type hotSlot struct {
	h              uint64
	off, klen, vln uint32 // key at arena[off:off+klen], value right after it
}

func (t *hotTable) get(key []byte) ([]byte, bool) {
	if t.n == 0 {
		return nil, false
	}
	h := graph.Hash64(key)
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		if s.klen == 0 {
			return nil, false
		}
		if s.h == h {
			k := t.arena[s.off : s.off+s.klen]
			if bytes.Equal(k, key) {
				return t.arena[s.off+s.klen : s.off+s.klen+s.vln], true
			}
		}
	}
}

// buildHot renders the answers of users into a new table.
func buildHot(st *state, users []uint32) hotTable {
	t := hotTable{}
	if len(users) == 0 {
		return t
	}
	size := 2
	for size < 2*len(users) {
		size *= 2
	}
	t.slots = make([]hotSlot, size)
	t.mask = uint64(size - 1)
	for _, v := range users {
		off := len(t.arena)
		t.arena = st.b.AppendExtID(t.arena, v)
		key := t.arena[off:]
		h := graph.Hash64(key)
		klen := len(key)
		t.arena = st.renderUser(t.arena, v)
		i := h & t.mask
		for t.slots[i].klen != 0 {
			i = (i + 1) & t.mask
		}
		t.slots[i] = hotSlot{h: h, off: uint32(off), klen: uint32(klen), vln: uint32(len(t.arena) - off - klen)}
		t.n++
	}
	return t
}

// hotByDegree picks the k users of highest degree (ties to the lower dense id).
func hotByDegree(b *bundle.Bundle, k int) []uint32 {
	if k <= 0 {
		return nil
	}
	h := &degHeap{b: b}
	for v := uint32(0); v < b.N; v++ {
		if h.Len() < k {
			heap.Push(h, v)
		} else if b.Row(v).Degree > b.Row(h.ids[0]).Degree {
			h.ids[0] = v
			heap.Fix(h, 0)
		}
	}
	sort.Slice(h.ids, func(i, j int) bool { return h.ids[i] < h.ids[j] })
	return h.ids
}

type degHeap struct {
	b   *bundle.Bundle
	ids []uint32
}

func (h *degHeap) Len() int { return len(h.ids) }
func (h *degHeap) Less(i, j int) bool {
	di, dj := h.b.Row(h.ids[i]).Degree, h.b.Row(h.ids[j]).Degree
	if di != dj {
		return di < dj
	}
	return h.ids[i] > h.ids[j]
}
func (h *degHeap) Swap(i, j int) { h.ids[i], h.ids[j] = h.ids[j], h.ids[i] }
func (h *degHeap) Push(x any)    { h.ids = append(h.ids, x.(uint32)) }
func (h *degHeap) Pop() any {
	x := h.ids[len(h.ids)-1]
	h.ids = h.ids[:len(h.ids)-1]
	return x
}

// hotFromLog picks the k ids seen most often in a traffic log: one id per line (the first
// tab-separated field; blank lines and lines starting with # are skipped). Ids the bundle does
// not know are ignored.
func hotFromLog(b *bundle.Bundle, path string, k int) ([]uint32, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("hot-set traffic log: %w", err)
	}
	defer f.Close()
	counts := map[uint32]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if i := bytes.IndexByte(line, '\t'); i >= 0 {
			line = line[:i]
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		if v, ok := b.Lookup(line); ok {
			counts[v]++
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("hot-set traffic log %s: %w", path, err)
	}
	ids := make([]uint32, 0, len(counts))
	for v := range counts {
		ids = append(ids, v)
	}
	sort.Slice(ids, func(i, j int) bool {
		if counts[ids[i]] != counts[ids[j]] {
			return counts[ids[i]] > counts[ids[j]]
		}
		return ids[i] < ids[j]
	})
	if len(ids) > k {
		ids = ids[:k]
	}
	return ids, nil
}
