package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"riskwalk/synth"
)

func init() {
	register("gen", "generate a synthetic fraud graph (users, devices, phones, ips, transfers, labels)", runGen)
}

func runGen(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: riskwalk gen -o DIR [--users N] [--media M] [--seed S] [--bad-rate R] [--transfers X] [--workers W]")
		fmt.Fprintln(fs.Output(), "\nWrites DIR/edges.tsv.gz, nodes.tsv, labels.tsv, gangs.tsv and gen.json (formats: go doc riskwalk/synth).")
		fs.PrintDefaults()
	}
	def := synth.DefaultConfig()
	out := fs.String("o", "", "output directory (required; created if missing)")
	users := fs.Int("users", def.Users, "number of users")
	media := fs.Int("media", 0, "number of media: devices, phones and ips (default: same as --users)")
	seed := fs.Uint64("seed", def.Seed, "random seed; the same flags give byte-identical files")
	badRate := fs.Float64("bad-rate", def.BadRate, "share of bad users, in [0, 0.2]")
	transfers := fs.Float64("transfers", 1, "scale of normal users' transfer counts (mean ~2 each), in [0, 50]; for denser graphs")
	workers := fs.Int("workers", 0, "generator threads (default: all cores); does not change the output")
	quiet := fs.Bool("q", false, "no progress on stderr")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("need -o DIR and no arguments")
	}
	cfg := synth.Config{Users: *users, Media: *media, Seed: *seed, BadRate: *badRate, Transfers: *transfers, Workers: *workers}
	if cfg.Media == 0 {
		cfg.Media = cfg.Users
	}
	if !*quiet && cfg.Users >= 1_000_000 {
		cfg.Progress = os.Stderr
	}
	t0 := time.Now()
	m, err := synth.Generate(*out, cfg)
	if err != nil {
		return err
	}
	el := time.Since(t0)
	var maxSup, minSup uint64 = 0, ^uint64(0)
	for _, s := range m.Supernodes {
		maxSup, minSup = max(maxSup, s.Degree), min(minSup, s.Degree)
	}
	fmt.Printf("riskwalk gen: %d users, %d media (%d devices, %d phones, %d ips), seed %d, in %s (%.0f users/s)\n",
		m.Users, m.Media, m.Devices, m.Phones, m.IPs, m.Seed, el.Round(time.Millisecond), float64(m.Users)/el.Seconds())
	fmt.Printf("  edges %d: user-device %d, user-phone %d, user-ip %d, transfer %d\n",
		m.Edges.Total, m.Edges.UserDevice, m.Edges.UserPhone, m.Edges.UserIP, m.Edges.Transfer)
	fmt.Printf("  bad users %d (%.2f%%): %d in %d gangs (%d mules), %d loners\n",
		m.BadUsers, 100*float64(m.BadUsers)/float64(m.Users), m.GangMembers, m.Gangs, m.Mules, m.Loners)
	fmt.Printf("  supernodes %d, users each %d to %d\n", len(m.Supernodes), minSup, maxSup)
	for _, f := range m.Files {
		p := filepath.Join(*out, f)
		if st, err := os.Stat(p); err == nil {
			fmt.Printf("  %s  %s\n", p, size(st.Size()))
		}
	}
	return nil
}

func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	default:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
}
