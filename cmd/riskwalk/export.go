package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"riskwalk/internal/atomicfile"
	"riskwalk/vecfile"
)

func init() {
	register("export", "write a vector file in another format (word2vec text)", runExport)
}

func runExport(args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: riskwalk export --format word2vec -o OUT.emb [--ids graph.rwi] vectors.rwv\n\nflags:")
		fs.PrintDefaults()
	}
	format := fs.String("format", "word2vec", "output format: word2vec (text: `N D`, then `id v1 ... vD`)")
	out := fs.String("o", "", "output file (required)")
	ids := fs.String("ids", "", "id index of the graph, to write external ids (default: dense ids)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() != 1 {
		fs.Usage()
		return errors.New("want -o OUT and one vector file")
	}
	if *format != "word2vec" {
		return fmt.Errorf("--format %q: only word2vec is supported", *format)
	}
	if *ids != "" {
		// TODO(trainer): name rows through graph.OpenIDs once the id index reader is in main.
		return fmt.Errorf("--ids %s: the id index reader is not in this build yet; omit --ids to write dense ids", *ids)
	}
	f, err := vecfile.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	af, err := atomicfile.Create(*out)
	if err != nil {
		return err
	}
	defer af.Abort()
	if err := vecfile.WriteWord2Vec(af.W, f, nil); err != nil {
		return fmt.Errorf("write %s: %w", *out, err)
	}
	if err := af.Commit(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %d vectors of %d to %s\n", f.Count, f.Dim, *out)
	return nil
}
