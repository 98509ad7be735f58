// Package synth generates a deterministic synthetic fraud graph shaped like an anti-fraud
// user-device graph: users, the devices, phones and ip addresses they use, and payments between
// users, with about 1% bad users organised in gangs. It is the data of `make demo`, of tests and of
// benchmarks, so it streams (memory is a small fraction of the output) and uses every core, while
// the bytes it writes depend only on the Config (not on the thread count or the clock).
//
// # Model
//
// Internal user indices 0..N-1 are grouped into households (runs of 1-8 users, mean ~2.3) and
// office blocks of 64. Each medium type has its own index space laid out as: public media
// (supernodes), gang pools, office pools, then household pools, which split the rest among
// households in proportion to their size. Public ids are a keyed pseudo-random permutation of the
// internal indices (per type), so ids carry no structure.
//
//   - Normal users use 1-3 devices, 1-2 phones and 0-2 home ips from their household's pools (the
//     household's members between them use every medium of its pools; with --media equal to
//     --users a private medium has ~3 users), office workers (20%) share their block's two devices
//     and its ip, and some use public media. They pay 0-200 others (log-normal count, mean ~2),
//     30% inside their block, the rest to payees drawn with weight ∝ (rank+10)^-0.8, which skews
//     in-degrees like preferential attachment; amounts are log-normal (median 36, heavy tail).
//     Each user is active on 1-8 days of the window (mean ~3), 15% of users half at night.
//   - Public media (0.01% of media, at least 3; internet-café devices, call-centre phones, public
//     Wi-Fi ips) have sizes ∝ (k+1)^-0.7 from 1% of all users down (10^5 down to ~800 at 10M
//     users); anyone may use them, bad users as much as normal ones.
//   - Bad users (--bad-rate, default 1%): 96% in gangs of 5-50 (log-uniform), 4% loners. A gang has
//     pools of ~size/2 devices, ~size/3 phones and 1+size/10 ips that its members share, each
//     member wanting as many media as a normal user; one in ten members is a mule. Members pay
//     mules 1-2 times (funnel), mules pass money along the mule chain and cash out to 1-3 users;
//     members also make 0-2 ordinary payments (camouflage) and 20% use a device of their
//     household. A member is active on as many days as a normal user, but they are the gang's 2-3
//     burst days (weekends preferred), and 15% of its events are at night. Loners pay 1-4 users;
//     half use a gang's device and half pay a mule.
//   - Noise: 1% of normal users use one device of a gang's pool, 0.5% pay a mule (victims).
//
// The difficulty, measured on the default 100k users with 70% of labels known: a logistic
// regression on a user's own features (edge counts, amounts, uses, night share, active days,
// sizes of its media) reaches a held-out ROC AUC of ~0.87; personalised PageRank from the known
// bad users ~0.99. Timing is informative jointly (gang members share days), not per user.
//
// Timestamps are unix seconds in [start, start+30 days) with start = 2024-01-01T00:00:00Z +
// (seed mod 365) days; each edge's timestamp is its most recent event.
//
// # Files (format version 1, all UTF-8 text, '\n' line ends, written atomically)
//
// Every file starts with one header line beginning "# riskwalk-synth v1 " that names the file and
// its columns; readers skip lines starting with '#'. Ids: users "u<decimal>" (0..N-1), devices
// "d<decimal>", phones "p<decimal>", ips "i<decimal>" (each 0..count-1 of its type). Fields are
// separated by one TAB.
//
//	edges.tsv.gz  gzip (several concatenated members, as gzip allows; read with any gzip reader
//	              that handles multi-member files: gzip -d, zcat, Go's gzip.Reader, Python's gzip).
//	              Header: "# riskwalk-synth v1 edges: src dst weight timestamp; ..." then one line
//	              per edge:   src TAB dst TAB weight TAB timestamp
//	              user-medium edges: src user, dst medium, weight = uses (integer >= 1);
//	              transfers: src payer, dst payee, weight = amount (decimal with 2 places, >= 1.00).
//	              Each (user, medium) pair appears once; each ordered (payer, payee) pair appears
//	              once, but a pair of users may pay each other (u->v and v->u both listed). No
//	              self-loops. Edges are grouped by src user (internal order), media before payments.
//	nodes.tsv     "id TAB type" for every node: users u0..u(N-1) "user", then devices "device",
//	              phones "phone", ips "ip", each in id order. Media that no edge uses may exist.
//	labels.tsv    "user TAB isbad" (0 or 1) for every user once, in id order.
//	gangs.tsv     "user TAB gang TAB role" for every bad user: gang 0..G-1 with role "mule" or
//	              "member", listed gang by gang; then loners with gang -1 and role "loner".
//	gen.json      the Manifest (parameters, counts, supernodes), written last: a directory without
//	              it holds an interrupted run.
package synth

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"time"

	"riskwalk/internal/atomicfile"
)

// FormatVersion is the version of the files Generate writes; it changes whenever their syntax or
// meaning does. v1: edges.tsv.gz, nodes.tsv, labels.tsv, gangs.tsv, gen.json as in the package doc.
const FormatVersion = 1

// Config is what a generation depends on. Users, Media, Seed, BadRate and Transfers determine the bytes
// written; Workers and Progress do not.
type Config struct {
	Users   int     // number of users, >= 100
	Media   int     // number of devices+phones+ips (45%, 40%, 15%), >= 100
	Seed    uint64  // random seed; also sets the time window
	BadRate float64 // share of bad users, in [0, 0.2]
	// Transfers scales normal users' transfer counts (mean ~2 each) for denser graphs; 0 and 1
	// both mean the default (and give the default's bytes). In [0, 50].
	Transfers float64
	Workers   int // goroutines generating chunks; <= 0 means GOMAXPROCS
	// Progress, if not nil, receives a progress line (users done, rate, ETA) every 2 seconds.
	Progress io.Writer
}

// DefaultConfig is 100k users, 100k media, seed 1, 1% bad users.
func DefaultConfig() Config {
	return Config{Users: 100_000, Media: 100_000, Seed: 1, BadRate: 0.01}
}

// Manifest describes one generated data set; it is gen.json.
type Manifest struct {
	Format      string  `json:"format"` // "riskwalk-synth v1"
	Seed        uint64  `json:"seed"`
	BadRate     float64 `json:"bad_rate"`
	Transfers   float64 `json:"transfers,omitempty"` // Config.Transfers when not the default
	Users       uint64  `json:"users"`
	Media       uint64  `json:"media"`
	Devices     uint64  `json:"devices"`
	Phones      uint64  `json:"phones"`
	IPs         uint64  `json:"ips"`
	WindowStart int64   `json:"window_start"` // unix seconds, inclusive
	WindowEnd   int64   `json:"window_end"`   // unix seconds, exclusive
	Edges       struct {
		UserDevice uint64 `json:"user_device"`
		UserPhone  uint64 `json:"user_phone"`
		UserIP     uint64 `json:"user_ip"`
		Transfer   uint64 `json:"transfer"`
		Total      uint64 `json:"total"`
	} `json:"edges"`
	BadUsers    uint64      `json:"bad_users"`
	GangMembers uint64      `json:"gang_members"` // mules included
	Mules       uint64      `json:"mules"`
	Loners      uint64      `json:"loners"`
	Gangs       uint64      `json:"gangs"`
	Supernodes  []Supernode `json:"supernodes"` // public media, largest expected first
	Files       []string    `json:"files"`
}

// Supernode is one public medium and its number of users in edges.tsv.gz.
type Supernode struct {
	ID     string `json:"id"`
	Type   string `json:"type"`
	Degree uint64 `json:"degree"`
}

// File names inside the output directory.
const (
	EdgesFile    = "edges.tsv.gz"
	NodesFile    = "nodes.tsv"
	LabelsFile   = "labels.tsv"
	GangsFile    = "gangs.tsv"
	ManifestFile = "gen.json"
)

const header = "# riskwalk-synth v1 "

// Generate writes the data set for cfg into dir (created if missing), replacing files of a
// previous run, and returns its manifest.
func Generate(dir string, cfg Config) (*Manifest, error) {
	w, err := newWorld(cfg)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create output directory: %w", err)
	}
	// The manifest marks a complete directory: remove a previous run's before replacing its files.
	if err := os.Remove(filepath.Join(dir, ManifestFile)); err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	man := w.manifest()
	if err := w.writeEdges(filepath.Join(dir, EdgesFile), man); err != nil {
		return nil, err
	}
	if err := w.writeNodes(filepath.Join(dir, NodesFile)); err != nil {
		return nil, err
	}
	if err := w.writeLabels(filepath.Join(dir, LabelsFile)); err != nil {
		return nil, err
	}
	if err := w.writeGangs(filepath.Join(dir, GangsFile)); err != nil {
		return nil, err
	}
	js, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, ManifestFile), append(js, '\n')); err != nil {
		return nil, err
	}
	return man, nil
}

// ReadManifest reads dir/gen.json, checking that it describes format v1.
func ReadManifest(dir string) (*Manifest, error) {
	p := filepath.Join(dir, ManifestFile)
	js, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("%w (run `riskwalk gen -o %s` to make the data set)", err, dir)
	}
	var m Manifest
	if err := json.Unmarshal(js, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if want := header[2 : len(header)-1]; m.Format != want {
		return nil, fmt.Errorf("%s: format %q, this riskwalk reads %q; regenerate with `riskwalk gen`", p, m.Format, want)
	}
	return &m, nil
}

func (w *world) manifest() *Manifest {
	m := &Manifest{
		Format: header[2 : len(header)-1], Seed: w.cfg.Seed, BadRate: w.cfg.BadRate, Transfers: w.transfers(),
		Users: w.n, Media: w.count[tDevice] + w.count[tPhone] + w.count[tIP],
		Devices: w.count[tDevice], Phones: w.count[tPhone], IPs: w.count[tIP],
		WindowStart: w.start, WindowEnd: w.end,
		BadUsers: uint64(len(w.bad)), Loners: w.loners, Mules: w.mules, Gangs: uint64(len(w.gangs)),
		Files: []string{EdgesFile, NodesFile, LabelsFile, GangsFile, ManifestFile},
	}
	m.GangMembers = m.BadUsers - m.Loners
	for _, s := range w.sups {
		m.Supernodes = append(m.Supernodes, Supernode{ID: w.mediumID(s.t, s.idx), Type: typeName[s.t]})
	}
	return m
}

func (w *world) mediumID(t int, idx uint64) string {
	return string(typePrefix[t]) + strconv.FormatUint(w.mediaPerm[t].at(idx), 10)
}

// UserID is the public id of internal user i.
func (w *world) userID(i uint64) string { return "u" + strconv.FormatUint(w.userPerm.at(i), 10) }

// chunkOut is one compressed chunk on its way from a worker to the writer.
type chunkOut struct {
	c      uint64
	gz     bytes.Buffer
	counts [nKinds]uint64
	supDeg []uint64
	users  uint64
	done   chan struct{}
}

// writeEdges generates the chunks on cfg.Workers goroutines, each compressed as its own gzip
// member, and writes them in chunk order, so the file does not depend on the thread count. At most
// 2×workers chunks are in flight.
func (w *world) writeEdges(path string, man *Manifest) error {
	f, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	zw, _ := gzip.NewWriterLevel(f.W, gzip.BestSpeed)
	fmt.Fprintf(zw, "%sedges: src dst weight timestamp; src=user, dst=device d*/phone p*/ip i* (weight=uses) or user u* (a transfer src->dst, weight=amount); timestamp=unix seconds\n", header)
	if err := zw.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}

	workers := w.cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	nchunks := (w.n + chunkSize - 1) / chunkSize
	free := make(chan *chunkOut, 2*workers)
	for range 2 * workers {
		free <- &chunkOut{supDeg: make([]uint64, len(w.sups)), done: make(chan struct{}, 1)}
	}
	jobs := make(chan *chunkOut, 2*workers)
	order := make(chan *chunkOut, 2*workers)
	stop := make(chan struct{})
	go func() { // producer: hands out chunks in order, as buffers come free
		defer close(jobs)
		defer close(order)
		for c := uint64(0); c < nchunks; c++ {
			var o *chunkOut
			select {
			case o = <-free:
			case <-stop:
				return
			}
			o.c = c
			order <- o
			jobs <- o
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := newChunkGen(w)
			zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
			for o := range jobs {
				k.gen(o.c)
				o.gz.Reset()
				zw.Reset(&o.gz)
				zw.Write(k.raw) // a bytes.Buffer never fails
				zw.Close()
				o.counts = k.counts
				copy(o.supDeg, k.supDeg)
				o.users = min(w.n, (o.c+1)*chunkSize) - o.c*chunkSize
				o.done <- struct{}{}
			}
		}()
	}

	var counts [nKinds]uint64
	supDeg := make([]uint64, len(w.sups))
	prog := newProgress(w.cfg.Progress, w.n)
	var werr error
	for o := range order {
		<-o.done
		if werr == nil {
			if _, err := f.W.Write(o.gz.Bytes()); err != nil {
				werr = fmt.Errorf("write %s: %w", path, err)
				close(stop)
			}
		}
		for j := range counts {
			counts[j] += o.counts[j]
		}
		for j := range supDeg {
			supDeg[j] += o.supDeg[j]
		}
		prog.add(o.users)
		free <- o
	}
	wg.Wait()
	if werr != nil {
		return werr
	}
	prog.finish()
	man.Edges.UserDevice, man.Edges.UserPhone = counts[kDevice], counts[kPhone]
	man.Edges.UserIP, man.Edges.Transfer = counts[kIP], counts[kTransfer]
	man.Edges.Total = counts[kDevice] + counts[kPhone] + counts[kIP] + counts[kTransfer]
	for j := range supDeg {
		man.Supernodes[j].Degree = supDeg[j]
	}
	return f.Commit()
}

func (w *world) writeNodes(path string) error {
	f, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	fmt.Fprintf(f.W, "%snodes: id type; type is user, device, phone or ip\n", header)
	var b []byte
	put := func(prefix byte, n uint64, typ string) {
		for x := range n {
			b = append(b[:0], prefix)
			b = strconv.AppendUint(b, x, 10)
			b = append(b, '\t')
			b = append(b, typ...)
			b = append(b, '\n')
			f.W.Write(b)
		}
	}
	put('u', w.n, "user")
	for t := range nTypes {
		put(typePrefix[t], w.count[t], typeName[t])
	}
	return f.Commit()
}

func (w *world) writeLabels(path string) error {
	f, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	fmt.Fprintf(f.W, "%slabels: user isbad; isbad is 1 for a bad user (gang member or loner), else 0\n", header)
	var b []byte
	for x := range w.n {
		b = append(b[:0], 'u')
		b = strconv.AppendUint(b, x, 10)
		b = append(b, '\t', '0'+byte(b2i(w.bad1(w.userPerm.inv(x)))), '\n')
		f.W.Write(b)
	}
	return f.Commit()
}

func (w *world) writeGangs(path string) error {
	f, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	fmt.Fprintf(f.W, "%sgangs: user gang role; gang is 0..G-1 (G=%d) with role mule or member, or -1 with role loner\n", header, len(w.gangs))
	for gi, g := range w.gangs {
		for p, i := range g.members {
			role := "member"
			if p < g.mules {
				role = "mule"
			}
			fmt.Fprintf(f.W, "%s\t%d\t%s\n", w.userID(i), gi, role)
		}
	}
	for _, b := range w.bad {
		if b.gang < 0 {
			fmt.Fprintf(f.W, "%s\t-1\tloner\n", w.userID(b.idx))
		}
	}
	return f.Commit()
}

// progress prints "gen: users done/total (pct), rate, ETA" at most every 2 seconds.
type progress struct {
	out         io.Writer
	total, done uint64
	t0, last    time.Time
}

func newProgress(out io.Writer, total uint64) *progress {
	now := time.Now()
	return &progress{out: out, total: total, t0: now, last: now}
}

func (p *progress) add(n uint64) {
	p.done += n
	if p.out == nil {
		return
	}
	now := time.Now()
	if now.Sub(p.last) < 2*time.Second {
		return
	}
	p.last = now
	el := now.Sub(p.t0).Seconds()
	rate := float64(p.done) / el
	eta := time.Duration(float64(p.total-p.done) / rate * float64(time.Second)).Round(time.Second)
	fmt.Fprintf(p.out, "gen: %d/%d users (%.0f%%), %.0f users/s, ETA %s\n", p.done, p.total, 100*float64(p.done)/float64(p.total), rate, eta)
}

func (p *progress) finish() {
	if p.out == nil {
		return
	}
	el := time.Since(p.t0)
	fmt.Fprintf(p.out, "gen: %d users in %s (%.0f users/s)\n", p.total, el.Round(time.Millisecond), float64(p.total)/el.Seconds())
}
