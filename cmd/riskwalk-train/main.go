// Command riskwalk-train trains DeepWalk embeddings; it is the only binary that links MPI.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "riskwalk-train: not built yet")
	os.Exit(2)
}
