package synth

import (
	"math"
	"sort"
	"strconv"
)

// Edge kinds, for counting: user-medium edges by medium type, then transfers.
const (
	kDevice   = tDevice
	kPhone    = tPhone
	kIP       = tIP
	kTransfer = nTypes
	nKinds    = nTypes + 1
)

type use struct {
	t      int
	idx    uint64
	weight uint64
	ts     int64
	sup    int // index into world.sups, or -1
}

type transfer struct {
	dst   uint64
	cents uint64
	ts    int64
}

// chunkGen generates chunks of users into plain TSV. One per worker; its slices are scratch reused
// for every user, so generating allocates nothing once they have grown.
type chunkGen struct {
	w *world
	r rng

	raw    []byte // the chunk's TSV lines
	counts [nKinds]uint64
	supDeg []uint64

	media        []use
	xfers        []transfer
	coverers     []uint64 // users of the current household that cover its pools
	officeStaff  []uint64 // office workers of the current block
	blockNormals []uint64 // users of the current block not in a gang
	src          []byte   // "u<id>" of the current user
	days         [8]int   // the current user's active days
	ndays        int
	owl          bool // the current user is active at night
	badCur       int  // index into w.bad of the first bad user >= the current user
}

func newChunkGen(w *world) *chunkGen {
	return &chunkGen{w: w, supDeg: make([]uint64, len(w.sups))}
}

// gen generates chunk c (users [c*chunkSize, min((c+1)*chunkSize, n))) into k.raw, k.counts and
// k.supDeg, replacing what they held. The output depends only on the world and c.
func (k *chunkGen) gen(c uint64) {
	w := k.w
	k.raw = k.raw[:0]
	k.counts = [nKinds]uint64{}
	clear(k.supDeg)
	lo := c * chunkSize
	hi := min(lo+chunkSize, w.n)
	for blk := lo; blk < hi; blk += blockSize {
		bend := min(blk+blockSize, hi)
		k.officeStaff = k.officeStaff[:0]
		k.blockNormals = k.blockNormals[:0]
		for i := blk; i < bend; i++ {
			if k.gangOf(i) < 0 {
				k.blockNormals = append(k.blockNormals, i)
				if w.officeWorker(i) {
					k.officeStaff = append(k.officeStaff, i)
				}
			}
		}
		if len(k.officeStaff) == 0 && len(k.blockNormals) > 0 {
			k.officeStaff = append(k.officeStaff, k.blockNormals[0]) // every office pool is used
		}
		for hs := blk; hs < bend; {
			he := hs + 1
			for he < bend && !w.householdStart(he) {
				he++
			}
			k.coverers = k.coverers[:0]
			for i := hs; i < he; i++ {
				if k.gangOf(i) < 0 {
					k.coverers = append(k.coverers, i)
				}
			}
			if len(k.coverers) == 0 { // a household of gang members still uses its pools
				for i := hs; i < he; i++ {
					k.coverers = append(k.coverers, i)
				}
			}
			for i := hs; i < he; i++ {
				k.user(i, hs, he, blk)
			}
			hs = he
		}
	}
}

// lookupBad returns user i's bad-user record, or nil for a normal user.
func (k *chunkGen) lookupBad(i uint64) *badUser {
	w := k.w
	if !w.bad1(i) {
		return nil
	}
	j := sort.Search(len(w.bad), func(j int) bool { return w.bad[j].idx >= i })
	return &w.bad[j]
}

// gangOf is user i's gang, or -1 for normal users and loners.
func (k *chunkGen) gangOf(i uint64) int32 {
	if b := k.lookupBad(i); b != nil {
		return b.gang
	}
	return -1
}

func indexOf(s []uint64, x uint64) int {
	for j, v := range s {
		if v == x {
			return j
		}
	}
	return -1
}

// user generates user i of household [hs, he) in the office block starting at blk.
func (k *chunkGen) user(i, hs, he, blk uint64) {
	w, r := k.w, &k.r
	r.seed(w.cfg.Seed, saltUser, i)
	k.media = k.media[:0]
	k.xfers = k.xfers[:0]
	k.ndays = 1 + min(len(k.days)-1, r.geom(2.5))
	for j := range k.ndays {
		k.days[j] = r.intn(windowDays)
	}
	k.owl = r.float() < pOwl
	b := k.lookupBad(i)
	var g *gang
	if b != nil && b.gang >= 0 {
		g = &w.gangs[b.gang]
		// A gang member is active on as many days as anyone, but they are the gang's burst days.
		for j := range min(k.ndays, g.nburst) {
			k.days[j] = g.burst[j]
		}
	}

	// Household pools: coverers use every pool medium between them; each user then tops up to the
	// number of media it wants. Gang members take a household device only now and then.
	pos := indexOf(k.coverers, i)
	for t := range nTypes {
		sp := w.household(t, hs, he)
		want := 0
		if g == nil {
			want = wantMedia(r, t)
		} else if t == tDevice && r.float() < pBadHousehold {
			want = 1
		}
		have := 0
		if pos >= 0 {
			for j := uint64(pos); j < sp.n; j += uint64(len(k.coverers)) {
				if k.addHousehold(t, sp.lo+j, have == 0, g) {
					have++
				}
			}
		}
		for tries := 0; have < min(want, int(sp.n)) && tries < 8; tries++ {
			if k.addHousehold(t, sp.lo+uint64(r.intn(int(sp.n))), have == 0, g) {
				have++
			}
		}
	}

	// Office: the block's two office devices and one office ip, shared by its office workers.
	if ow := indexOf(k.officeStaff, i); ow >= 0 {
		b := blk / blockSize
		d0 := w.office[tDevice] + 2*b
		mine := uint64(ow % 2)
		k.add(tDevice, d0+mine, 1+uint64(r.geom(6)), k.normalTime(), -1)
		if len(k.officeStaff) == 1 || r.float() < 0.3 {
			k.add(tDevice, d0+1-mine, 1+uint64(r.geom(3)), k.normalTime(), -1)
		}
		if ow == 0 || r.float() < 0.5 {
			k.add(tIP, w.office[tIP]+b, 1+uint64(r.geom(6)), k.normalTime(), -1)
		}
	}

	// Public media: the covering user, then draws proportional to each supernode's size.
	if i%w.supStr == 0 && i/w.supStr < uint64(len(w.sups)) {
		s := int(i / w.supStr)
		k.add(w.sups[s].t, w.sups[s].idx, 1+uint64(r.geom(0.7)), k.normalTime(), s)
	}
	np := int(w.pPub)
	if r.float() < w.pPub-float64(np) {
		np++
	}
	for range np {
		s := r.pick(w.supCum)
		k.add(w.sups[s].t, w.sups[s].idx, 1+uint64(r.geom(0.7)), k.normalTime(), s)
	}

	switch {
	case b == nil:
		k.normalUser(i)
	case g == nil:
		k.loner(i)
	default:
		k.member(i, b, g)
	}
	k.emit(i)
}

// wantMedia is how many media of type t a normal user wants.
func wantMedia(r *rng, t int) int {
	x := r.float()
	switch t {
	case tDevice: // 1-3 devices
		return 1 + b2i(x >= 0.72) + b2i(x >= 0.93)
	case tPhone: // 1-2 phones
		return 1 + b2i(x >= 0.88)
	default: // 0-2 home ips
		return b2i(x >= 0.45) + b2i(x >= 0.93)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (k *chunkGen) addHousehold(t int, idx uint64, primary bool, g *gang) bool {
	r := &k.r
	wt := usage(r, primary)
	ts := k.normalTime()
	if g != nil {
		wt, ts = 1+uint64(r.geom(2)), k.gangTime(g)
	}
	return k.add(t, idx, wt, ts, -1)
}

// usage is the number of uses of a private or pool medium: a user's primary medium of a type is
// used more.
func usage(r *rng, primary bool) uint64 {
	if primary {
		return 1 + uint64(r.geom(12))
	}
	return 1 + uint64(r.geom(3))
}

// add records the use of medium (t, idx) unless the user has it already; it reports whether it
// was new.
func (k *chunkGen) add(t int, idx, weight uint64, ts int64, sup int) bool {
	for _, m := range k.media {
		if m.t == t && m.idx == idx {
			return false
		}
	}
	k.media = append(k.media, use{t: t, idx: idx, weight: weight, ts: ts, sup: sup})
	return true
}

func (k *chunkGen) pay(i, dst, cents uint64, ts int64) {
	if dst == i {
		return
	}
	for _, x := range k.xfers {
		if x.dst == dst {
			return
		}
	}
	k.xfers = append(k.xfers, transfer{dst: dst, cents: max(100, cents), ts: ts})
}

// amount is a log-normal amount in cents with median e^mu currency units.
func (k *chunkGen) amount(mu, sigma float64) uint64 {
	return uint64(math.Round(math.Exp(mu+sigma*k.r.norm()) * 100))
}

// target draws a payee by rank: weight ∝ (rank+zipfR0)^-0.8 (see world.zipfA).
func (k *chunkGen) target(i uint64) uint64 {
	w, r := k.w, &k.r
	for {
		x := w.zipfA + r.float()*w.zipfB
		x2 := x * x
		rank := min(uint64(max(0, x2*x2*x-zipfR0)), w.n-1)
		if j := w.rankPerm.at(rank); j != i {
			return j
		}
	}
}

func (k *chunkGen) randomMule() uint64 {
	g := &k.w.gangs[k.r.intn(len(k.w.gangs))]
	return g.members[k.r.intn(g.mules)]
}

func (k *chunkGen) gangDevice() uint64 {
	g := &k.w.gangs[k.r.intn(len(k.w.gangs))]
	return g.pool[tDevice].lo + uint64(k.r.intn(int(g.pool[tDevice].n)))
}

func (k *chunkGen) normalUser(i uint64) {
	w, r := k.w, &k.r
	if len(w.gangs) > 0 && r.float() < pSuspicious {
		k.add(tDevice, k.gangDevice(), 1+uint64(r.geom(2)), k.normalTime(), -1)
	}
	c := 0
	if r.float() >= 0.2 {
		x := math.Exp(0.5 + 0.9*r.norm())
		if s := w.transfers(); s > 0 {
			x *= s
		}
		c = min(200, int(math.Round(x)))
	}
	for range c {
		var dst uint64
		if len(k.blockNormals) > 1 && r.float() < pLocalTransfer {
			dst = k.blockNormals[r.intn(len(k.blockNormals))]
		} else {
			dst = k.target(i)
		}
		k.pay(i, dst, k.amount(3.6, 1.3), k.normalTime())
	}
	if len(w.gangs) > 0 && r.float() < pVictim {
		k.pay(i, k.randomMule(), k.amount(5.5, 0.8), k.normalTime())
	}
}

func (k *chunkGen) loner(i uint64) {
	w, r := k.w, &k.r
	if len(w.gangs) > 0 && r.float() < 0.5 {
		k.add(tDevice, k.gangDevice(), 1+uint64(r.geom(3)), k.normalTime(), -1)
	}
	for range 1 + r.intn(4) {
		k.pay(i, k.target(i), k.amount(5, 1), k.normalTime())
	}
	if len(w.gangs) > 0 && r.float() < 0.5 {
		k.pay(i, k.randomMule(), k.amount(5.5, 0.8), k.normalTime())
	}
}

func (k *chunkGen) member(i uint64, b *badUser, g *gang) {
	r := &k.r
	pos := uint64(b.pos)
	size := uint64(len(g.members))
	for t := range nTypes {
		want := wantMedia(r, t)
		sp := g.pool[t]
		have := 0
		for j := pos; j < sp.n; j += size {
			if k.add(t, sp.lo+j, usage(r, have == 0), k.gangTime(g), -1) {
				have++
			}
		}
		for tries := 0; have < min(want, int(sp.n)) && tries < 8; tries++ {
			if k.add(t, sp.lo+uint64(r.intn(int(sp.n))), usage(r, have == 0), k.gangTime(g), -1) {
				have++
			}
		}
	}
	if int(pos) < g.mules { // a mule: pass money along the gang's mule chain, then cash out
		for q := g.mules - 1; q > int(pos); q-- {
			if r.float() < 0.7 {
				k.pay(i, g.members[q], k.amount(4.5, 1), k.gangTime(g))
			}
		}
		for range 1 + r.intn(3) {
			k.pay(i, k.target(i), k.amount(4.5, 1), k.gangTime(g))
		}
	} else {
		for range 1 + r.intn(2) {
			k.pay(i, g.members[r.intn(g.mules)], k.amount(3.9, 1.2), k.gangTime(g))
		}
	}
	for range r.intn(3) { // camouflage: ordinary payments to ordinary users
		k.pay(i, k.target(i), k.amount(3.6, 1.3), k.normalTime())
	}
}

// normalTime is on one of the user's active days, at a daytime hour unless the user is an owl.
func (k *chunkGen) normalTime() int64 {
	r := &k.r
	d := k.days[r.intn(k.ndays)]
	h := r.pick(hourCum)
	if k.owl && r.float() < 0.5 {
		h = r.intn(6)
	}
	return k.w.start + int64(d)*day + int64(h)*3600 + int64(r.intn(3600))
}

// gangTime is a gang member's event time: on its active days (which begin with the gang's burst
// days), some of it moved to the night.
func (k *chunkGen) gangTime(g *gang) int64 {
	r := &k.r
	if r.float() >= pGangNight {
		return k.normalTime()
	}
	d := k.days[r.intn(k.ndays)]
	return k.w.start + int64(d)*day + int64(r.intn(6))*3600 + int64(r.intn(3600))
}

// emit appends user i's edges to k.raw: media first, then payments.
func (k *chunkGen) emit(i uint64) {
	w := k.w
	k.src = append(k.src[:0], 'u')
	k.src = strconv.AppendUint(k.src, w.userPerm.at(i), 10)
	b := k.raw
	for _, m := range k.media {
		b = append(b, k.src...)
		b = append(b, '\t', typePrefix[m.t])
		b = strconv.AppendUint(b, w.mediaPerm[m.t].at(m.idx), 10)
		b = append(b, '\t')
		b = strconv.AppendUint(b, m.weight, 10)
		b = append(b, '\t')
		b = strconv.AppendInt(b, m.ts, 10)
		b = append(b, '\n')
		k.counts[m.t]++
		if m.sup >= 0 {
			k.supDeg[m.sup]++
		}
	}
	for _, x := range k.xfers {
		b = append(b, k.src...)
		b = append(b, '\t', 'u')
		b = strconv.AppendUint(b, w.userPerm.at(x.dst), 10)
		b = append(b, '\t')
		b = strconv.AppendUint(b, x.cents/100, 10)
		c := x.cents % 100
		b = append(b, '.', byte('0'+c/10), byte('0'+c%10), '\t')
		b = strconv.AppendInt(b, x.ts, 10)
		b = append(b, '\n')
	}
	k.counts[kTransfer] += uint64(len(k.xfers))
	k.raw = b
}
