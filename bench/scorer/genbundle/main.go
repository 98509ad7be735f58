// Command genbundle writes a synthetic scoring bundle (bundle.Synthetic) and, optionally, a file
// of Zipf-distributed request paths over its ids, for `make bench-scorer` and tests.
//
//	genbundle -n 1000000 -dim 64 [-int8] -o DIR [-zipf FILE -requests 200000 -s 1.1]
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"riskwalk/bundle"
)

func main() {
	n := flag.Int("n", 1000000, "users")
	dim := flag.Int("dim", 64, "vector dimension")
	int8 := flag.Bool("int8", false, "store vectors as int8 with a per-row scale")
	out := flag.String("o", "", "bundle directory to write")
	zipf := flag.String("zipf", "", "also write this many Zipf-distributed request paths here")
	reqs := flag.Int("requests", 200000, "paths in the -zipf file")
	s := flag.Float64("s", 1.1, "Zipf exponent (> 1)")
	cands := flag.Int("near-candidates", 256, "labelled-bad users compared with each user by cosine")
	seed := flag.Uint64("seed", 1, "seed")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: genbundle -n USERS -dim D [-int8] -o DIR [-zipf FILE -requests N -s EXP]")
		os.Exit(2)
	}
	t0 := time.Now()
	in := bundle.Synthetic(*n, *dim, *seed)
	in.Int8 = *int8
	in.NearCandidates = *cands
	in.Progress = true
	fmt.Fprintf(os.Stderr, "genbundle: synthetic input of %d users, %d arcs in %s\n", *n, in.Graph.NumArcs(), time.Since(t0).Round(time.Millisecond))
	if err := bundle.Write(*out, in); err != nil {
		fmt.Fprintln(os.Stderr, "genbundle:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "genbundle: wrote %s in %s\n", *out, time.Since(t0).Round(time.Millisecond))
	if *zipf != "" {
		// Ranks are mapped to ids through a fixed permutation so that popular ids are spread
		// over the file (not just the low, high-degree ids).
		r := rand.New(rand.NewPCG(*seed, 99))
		perm := r.Perm(*n)
		z := rand.NewZipf(rand.New(rand.NewPCG(*seed, 7)), *s, 1, uint64(*n-1))
		f, err := os.Create(*zipf)
		if err != nil {
			fmt.Fprintln(os.Stderr, "genbundle:", err)
			os.Exit(1)
		}
		w := bufio.NewWriter(f)
		for i := 0; i < *reqs; i++ {
			fmt.Fprintf(w, "/v1/score/%s\n", in.IDs[perm[z.Uint64()]])
		}
		if err := w.Flush(); err != nil {
			fmt.Fprintln(os.Stderr, "genbundle:", err)
			os.Exit(1)
		}
		f.Close()
	}
}
