package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"riskwalk/graph"
	"riskwalk/internal/atomicfile"
	"riskwalk/vecfile"
)

func init() {
	register("export", "write a vector file in another format (word2vec text)", runExport)
}

func runExport(args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: riskwalk export --format word2vec -o OUT.emb [--ids graph.rwi|dense] vectors.rwv\n\nflags:")
		fs.PrintDefaults()
	}
	format := fs.String("format", "word2vec", "output format: word2vec (text: `N D`, then `id v1 ... vD`)")
	out := fs.String("o", "", "output file (required)")
	ids := fs.String("ids", "", "id index (.rwi) naming the rows by external id (default: the one the vector file records; \"dense\": dense ids)")
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
	f, err := vecfile.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	var name func(dst []byte, i uint64) []byte
	if *ids == "" {
		p, ok := f.IDsPath()
		if !ok {
			fmt.Fprintf(os.Stderr, "%s records no id index: rows are named by dense id (pass --ids graph.rwi for external ids)\n", fs.Arg(0))
		}
		*ids = p
	}
	if *ids != "" && *ids != "dense" {
		x, err := graph.OpenIDs(*ids)
		if err != nil {
			return fmt.Errorf("id index for %s: %w (pass --ids FILE.rwi, or --ids dense for dense ids)", fs.Arg(0), err)
		}
		defer x.Close()
		if s := x.GraphChecksum(); s != 0 && f.GraphSum != 0 && s != f.GraphSum {
			return fmt.Errorf("id index %s belongs to another graph (checksum %016x) than the vectors %s (%016x): pass the right --ids", *ids, s, fs.Arg(0), f.GraphSum)
		}
		if uint64(x.Len()) != f.Count {
			return fmt.Errorf("id index %s names %d nodes, %s has %d rows", *ids, x.Len(), fs.Arg(0), f.Count)
		}
		name = func(dst []byte, i uint64) []byte { return x.AppendExt(dst, uint32(i)) }
	}
	af, err := atomicfile.Create(*out)
	if err != nil {
		return err
	}
	defer af.Abort()
	if err := vecfile.WriteWord2Vec(af.W, f, name); err != nil {
		return fmt.Errorf("write %s: %w", *out, err)
	}
	if err := af.Commit(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %d vectors of %d to %s\n", f.Count, f.Dim, *out)
	return nil
}
