package trainer

import "riskwalk/graph"

// WarmStart starts a model from old vectors (incremental training): every row whose node old
// knows gets that vector in In; every other row gets the mean of the old vectors of its graph
// neighbours, or keeps its current (random) initialisation if none has one. old(v, dst) writes
// node v's old vector (Dim floats) into dst and reports whether it had one. Out rows are left as
// they are (the vector file keeps only In). It returns how many rows were copied and averaged.
func WarmStart(m *Model, g *graph.Graph, rows *RowMap, old func(v uint32, dst []float32) bool) (copied, averaged int) {
	known := make([]bool, m.Rows)
	node := func(r int) uint32 {
		if rows != nil {
			return rows.Nodes[r]
		}
		return uint32(r)
	}
	nr := m.Rows
	if rows != nil {
		nr = len(rows.Nodes)
	} else {
		nr = min(nr, int(g.N))
	}
	for r := 0; r < nr; r++ {
		if old(node(r), m.In[r*m.Stride:r*m.Stride+m.Dim]) {
			known[r] = true
			copied++
		}
	}
	tmp := make([]float32, m.Dim)
	for r := 0; r < nr; r++ {
		if known[r] {
			continue
		}
		dst := m.In[r*m.Stride : r*m.Stride+m.Dim]
		k := 0
		for _, u := range g.Neighbors(node(r)) {
			ur := int(u)
			if rows != nil {
				ur = int(rows.Local[u])
			}
			if ur >= 0 && ur < nr && known[ur] {
				if k == 0 {
					clear(tmp)
				}
				axpyRef(1, m.In[ur*m.Stride:ur*m.Stride+m.Dim], tmp)
				k++
			}
		}
		if k > 0 {
			for i := range dst {
				dst[i] = tmp[i] / float32(k)
			}
			averaged++
		}
	}
	return copied, averaged
}
