// Command owners prints, for every node of a partitioned graph, its external id, the part that
// owns it, and 1 if another part replicates it (a boundary node), else 0, tab-separated, one node
// a line: the input of bench/dist/linkpred_groups.py.
//
//	go run ./bench/dist/owners PARTS.rwp GRAPH.rwi > owners.tsv
package main

import (
	"bufio"
	"fmt"
	"os"

	"riskwalk/graph"
	"riskwalk/partition"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "owners:", err)
		os.Exit(1)
	}
}

func run() error {
	if len(os.Args) != 3 {
		return fmt.Errorf("usage: owners PARTS.rwp GRAPH.rwi (the partition and the id index of its graph)")
	}
	pf, err := partition.Open(os.Args[1])
	if err != nil {
		return err
	}
	defer pf.Close()
	ids, err := graph.OpenIDs(os.Args[2])
	if err != nil {
		return err
	}
	defer ids.Close()
	if uint64(ids.Len()) != uint64(pf.N) {
		return fmt.Errorf("%s has %d ids, %s %d nodes: give the id index of the partitioned graph", os.Args[2], ids.Len(), os.Args[1], pf.N)
	}
	boundary := make([]bool, pf.N)
	for q := uint32(0); q < pf.R; q++ {
		for _, v := range pf.Replicas(q) {
			boundary[v] = true
		}
	}
	w := bufio.NewWriter(os.Stdout)
	for v := uint32(0); v < pf.N; v++ {
		b := 0
		if boundary[v] {
			b = 1
		}
		fmt.Fprintf(w, "%s\t%d\t%d\n", ids.Ext(v), pf.Owner(v), b)
	}
	return w.Flush()
}
