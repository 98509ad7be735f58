// Command riskwalk-train trains DeepWalk embeddings, as one process or as SPMD ranks under mpirun;
// it is the only binary that links MPI.
package main

import (
	"fmt"
	"os"
)

func main() {
	if err := runTrain(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "riskwalk-train: %v\n", err)
		os.Exit(1)
	}
}
