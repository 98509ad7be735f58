package synth

import (
	"fmt"
	"math"
	"sort"
)

// Medium types, in the order of their id spaces and of nodes.tsv.
const (
	tDevice = iota
	tPhone
	tIP
	nTypes
)

var (
	typePrefix = [nTypes]byte{'d', 'p', 'i'}
	typeName   = [nTypes]string{"device", "phone", "ip"}
)

// Layout constants. Households never cross a multiple of householdAlign and offices are blocks of
// blockSize users, so a chunk (a multiple of both) is generated without looking outside it.
const (
	householdAlign = 8
	blockSize      = 64
	chunkSize      = 8192 // users per chunk and per gzip member of edges.tsv.gz
	windowDays     = 30
	day            = 86400
	// epochBase is 2024-01-01T00:00:00Z; the window ends epochBase + (seed mod 365) days.
	epochBase = 1704067200
)

// Model parameters. They set the difficulty: households and offices give normal users dense
// local sharing that looks like a gang's at one hop; gangs differ in sharing device and phone
// pools across many members, funnelling money to mules and acting in bursts.
const (
	pHouseholdStart = 0.42 // P(user starts a new household); mean size ~2.3, at most 8
	pOffice         = 0.2  // P(normal user works in the block's office and uses its devices)
	pLonerShare     = 0.04 // share of bad users that are loners (no gang), rounded down
	minGang         = 5
	maxGang         = 50
	pSuspicious     = 0.01  // P(normal user uses one device of a gang's pool)
	pVictim         = 0.005 // P(normal user pays a gang's mule)
	pBadHousehold   = 0.2   // P(gang member also uses a device of its household)
	pLocalTransfer  = 0.3   // share of normal transfers to someone in the same office block
	pGangNight      = 0.15  // share of a gang member's events moved to the night
	pOwl            = 0.15  // share of users active at night half of the time
	supernodeShare  = 1e-4  // public media as a share of all media
	supTopShare     = 0.01  // the largest supernode's users as a share of all users
	supExponent     = 0.7   // supernode k has users ∝ (k+1)^-supExponent
	supMinDegree    = 20
	// Transfer targets: rank r has weight ∝ (r+zipfR0)^-0.8 (a static stand-in for preferential
	// attachment: in-degrees follow a power law with exponent 1+1/0.8 = 2.25). With exponent 0.8
	// the inverse CDF is r = (a + U·b)^5 − zipfR0.
	zipfR0 = 10.0
)

// hourCum is the cumulative weight of each hour of day (UTC) for normal activity: low at night,
// peaks at noon and evening.
var hourCum = func() []float64 {
	w := []float64{2, 1, 1, 1, 1, 2, 4, 6, 8, 9, 9, 10, 11, 10, 9, 9, 9, 10, 11, 12, 12, 10, 7, 4}
	for i := 1; i < len(w); i++ {
		w[i] += w[i-1]
	}
	return w
}()

// span is a run of medium indices [lo, lo+n) of one type.
type span struct{ lo, n uint64 }

type gang struct {
	members []uint64 // internal user indices; members[:mules] are the mules
	mules   int
	pool    [nTypes]span // the gang's device, phone and ip pools
	burst   [3]int       // burst days, 0..windowDays-1
	nburst  int
}

// badUser is one bad user; gang < 0 marks a loner.
type badUser struct {
	idx  uint64
	gang int32
	pos  int32 // position in the gang's member list (mules first)
}

type supernode struct {
	t      int
	idx    uint64
	degree float64 // expected number of users
}

// world is everything global to one generation: built once from Config, read-only afterwards and
// shared by all workers.
type world struct {
	cfg   Config
	n     uint64         // users
	count [nTypes]uint64 // media per type
	// Per-type index layout: [0,pub) public, [pub,office) gang pools, [office,priv) office pools,
	// [priv,count) household pools.
	pub, office, priv [nTypes]uint64
	blocks            uint64

	sups   []supernode
	supCum []float64
	pPub   float64 // mean public media drawn per user, on top of the covering user
	supStr uint64  // user i*supStr covers supernode i

	gangs  []gang
	bad    []badUser // sorted by idx
	isBad  []uint64  // bitset over users
	loners uint64
	mules  uint64

	userPerm  perm
	rankPerm  perm
	mediaPerm [nTypes]perm

	start, end int64 // timestamp window [start, end)
	satOffset  int   // day index (0..6) of the first Saturday in the window
	zipfA      float64
	zipfB      float64
}

const (
	saltUser = iota + 1
	saltHousehold
	saltOffice
	saltWorld
	saltUserPerm
	saltRankPerm
	saltMediaPerm
)

// transfers is the transfer scale when it is not the default (0 otherwise).
func (w *world) transfers() float64 {
	if w.cfg.Transfers == 1 {
		return 0
	}
	return w.cfg.Transfers
}

func newWorld(cfg Config) (*world, error) {
	n, m := uint64(cfg.Users), uint64(cfg.Media)
	if cfg.Users < 100 {
		return nil, fmt.Errorf("--users %d: need at least 100", cfg.Users)
	}
	if cfg.Media < 100 || cfg.Media > 1<<32-2 {
		return nil, fmt.Errorf("--media %d: must be in [100, %d]", cfg.Media, uint64(1<<32-2))
	}
	if cfg.Media > 8*cfg.Users {
		return nil, fmt.Errorf("--media %d: at most 8 × --users (%d); more media than that would have no users", cfg.Media, 8*cfg.Users)
	}
	if cfg.Users > 1<<32-2 {
		return nil, fmt.Errorf("--users %d: at most %d (ids are dense uint32 downstream)", cfg.Users, uint64(1<<32-2))
	}
	if cfg.BadRate < 0 || cfg.BadRate > 0.2 || math.IsNaN(cfg.BadRate) {
		return nil, fmt.Errorf("--bad-rate %g: must be in [0, 0.2]", cfg.BadRate)
	}
	if !(cfg.Transfers >= 0 && cfg.Transfers <= 50) {
		return nil, fmt.Errorf("--transfers %g: must be in [0, 50]", cfg.Transfers)
	}
	w := &world{cfg: cfg, n: n}
	w.count[tDevice] = m * 45 / 100
	w.count[tPhone] = m * 40 / 100
	w.count[tIP] = m - w.count[tDevice] - w.count[tPhone]
	w.blocks = (n + blockSize - 1) / blockSize
	r := &rng{}
	r.seed(cfg.Seed, saltWorld, 0)

	w.start = epochBase + int64(cfg.Seed%365)*day
	w.end = w.start + windowDays*day
	// 1970-01-01 was a Thursday (weekday 4, Sunday = 0); Saturday is 6.
	w.satOffset = int((6 - (w.start/day+4)%7 + 7) % 7)

	// Supernodes: a share of media, each type at least one; internet-café devices, call-centre
	// phones and public Wi-Fi addresses, interleaved so the largest ones span all types.
	ns := max(3, uint64(math.Round(float64(m)*supernodeShare)))
	kinds := [...]int{tIP, tDevice, tPhone, tIP, tDevice}
	top := max(supMinDegree, supTopShare*float64(n))
	total := 0.0
	for k := uint64(0); k < ns; k++ {
		t := kinds[k%uint64(len(kinds))]
		deg := max(supMinDegree, top*math.Pow(float64(k+1), -supExponent))
		w.sups = append(w.sups, supernode{t: t, idx: w.pub[t], degree: deg})
		w.pub[t]++
		total += deg
		w.supCum = append(w.supCum, total)
	}
	w.supStr = max(1, n/ns)
	w.pPub = max(0, total-float64(ns)) / float64(n)

	// Bad users: distinct random users; the first drawn are loners, the rest fill gangs in order.
	nbad := uint64(math.Round(cfg.BadRate * float64(n)))
	w.isBad = make([]uint64, (n+63)/64)
	order := make([]uint64, 0, nbad)
	for uint64(len(order)) < nbad {
		i := uint64(r.intn(int(n)))
		if w.isBad[i/64]&(1<<(i%64)) != 0 {
			continue
		}
		w.isBad[i/64] |= 1 << (i % 64)
		order = append(order, i)
	}
	w.loners = uint64(float64(nbad) * pLonerShare)
	if nbad-w.loners < minGang {
		w.loners = nbad
	}
	for _, i := range order[:w.loners] {
		w.bad = append(w.bad, badUser{idx: i, gang: -1})
	}
	rest := order[w.loners:]
	poolLo := w.pub
	for len(rest) > 0 {
		size := int(math.Round(math.Exp(math.Log(minGang) + r.float()*(math.Log(maxGang)-math.Log(minGang)))))
		if len(rest)-size < minGang {
			size = len(rest)
		}
		g := gang{members: rest[:size:size], mules: max(1, (size+5)/10)}
		rest = rest[size:]
		sizes := [nTypes]uint64{max(2, uint64(size+1)/2), max(2, uint64(size+1)/3), 1 + uint64(size/10)}
		for t := range nTypes {
			g.pool[t] = span{poolLo[t], sizes[t]}
			poolLo[t] += sizes[t]
		}
		g.nburst = 2 + r.intn(2)
		for b := range g.nburst {
			d := r.intn(windowDays)
			if r.float() < 0.6 { // move to the weekend
				if sat := d + (w.satOffset-d%7+7)%7; sat < windowDays {
					d = sat
				} else if sat-7 >= 0 {
					d = sat - 7
				}
			}
			g.burst[b] = d
		}
		gi := int32(len(w.gangs))
		for p, i := range g.members {
			w.bad = append(w.bad, badUser{idx: i, gang: gi, pos: int32(p)})
		}
		w.mules += uint64(g.mules)
		w.gangs = append(w.gangs, g)
	}
	sort.Slice(w.bad, func(a, b int) bool { return w.bad[a].idx < w.bad[b].idx })

	w.office = poolLo
	w.priv = poolLo
	w.priv[tDevice] += 2 * w.blocks
	w.priv[tIP] += w.blocks
	for t := range nTypes {
		if w.priv[t] >= w.count[t] || w.count[t]-w.priv[t] < n/20 {
			return nil, fmt.Errorf("--media %d too small for --users %d: %ss need %d for public, gang and office pools plus at least %d private ones; use --media >= %d",
				m, n, typeName[t], w.priv[t], n/20+1, m*(w.priv[t]+n/20+1)/max(1, w.count[t])+1)
		}
	}

	w.userPerm = newPerm(n, cfg.Seed, saltUserPerm)
	w.rankPerm = newPerm(n, cfg.Seed, saltRankPerm)
	for t := range nTypes {
		w.mediaPerm[t] = newPerm(w.count[t], cfg.Seed, saltMediaPerm+uint64(t))
	}
	w.zipfA = math.Pow(zipfR0, 0.2)
	w.zipfB = math.Pow(float64(n)+zipfR0, 0.2) - w.zipfA
	return w, nil
}

func (w *world) bad1(i uint64) bool { return w.isBad[i/64]&(1<<(i%64)) != 0 }

// household returns the household pool of type t for the household of users [s, e).
func (w *world) household(t int, s, e uint64) span {
	h := w.count[t] - w.priv[t]
	lo := s * h / w.n // s*h fits: both < 2^32
	hi := max(e*h/w.n, lo+1)
	return span{w.priv[t] + lo, hi - lo}
}

func (w *world) householdStart(i uint64) bool {
	return i%householdAlign == 0 || unit(hash3(w.cfg.Seed, saltHousehold, i)) < pHouseholdStart
}

func (w *world) officeWorker(i uint64) bool {
	return unit(hash3(w.cfg.Seed, saltOffice, i)) < pOffice
}
