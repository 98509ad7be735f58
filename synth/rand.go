package synth

import (
	"math"
	"math/bits"
)

// The generator uses its own tiny random functions rather than math/rand so that the bytes it writes
// depend only on this file: same seed and flags give the same files under any Go release and any
// number of threads.

// mix64 is the splitmix64 finaliser (Steele, Lea, Flood, "Fast splittable pseudorandom number
// generators", OOPSLA 2014): a bijection on uint64 with good avalanche.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// hash3 is a stateless hash of (seed, salt, i), used for per-node decisions that several users must
// agree on without sharing state (household starts, office workers).
func hash3(seed, salt, i uint64) uint64 {
	return mix64(mix64(seed^salt*0x9e3779b97f4a7c15) + i*0xd1b54a32d192ed03)
}

// unit maps a hash to [0,1).
func unit(h uint64) float64 { return float64(h>>11) * (1.0 / (1 << 53)) }

// rng is splitmix64: one uint64 of state, reseeded per user so that a user's draws do not depend on
// which worker or chunk produced the users before it.
type rng struct{ s uint64 }

func (r *rng) seed(seed, salt, i uint64) { r.s = hash3(seed, salt, i) }

func (r *rng) u64() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix64(r.s)
}

// float is uniform in [0,1).
func (r *rng) float() float64 { return unit(r.u64()) }

// intn is uniform in [0,n) for n > 0 (Lemire's multiply-shift; the bias is below 2^-32 for the n
// used here).
func (r *rng) intn(n int) int {
	hi, _ := bits.Mul64(r.u64(), uint64(n))
	return int(hi)
}

// norm is a standard normal draw (Box-Muller, one of the pair).
func (r *rng) norm() float64 {
	u := 1 - r.float() // (0,1]
	v := r.float()
	return math.Sqrt(-2*math.Log(u)) * math.Cos(2*math.Pi*v)
}

// geom is a geometric count >= 0 with the given mean.
func (r *rng) geom(mean float64) int {
	if mean <= 0 {
		return 0
	}
	u := 1 - r.float()
	return int(-math.Log(u) * mean)
}

// pick returns an index drawn from cumulative weights cum (cum[len-1] is the total).
func (r *rng) pick(cum []float64) int {
	x := r.float() * cum[len(cum)-1]
	lo, hi := 0, len(cum)-1
	for lo < hi {
		m := (lo + hi) / 2
		if cum[m] > x {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// perm is a pseudo-random bijection on [0,n): a 4-round balanced Feistel network on the smallest
// even-bit power of two >= n, cycle-walked back into range (Black and Rogaway, "Ciphers with
// arbitrary finite domains", 2002). It turns internal indices, where households and gangs sit in
// runs, into the public decimal ids, so that ids carry no structure.
type perm struct {
	n    uint64
	half uint // bits per Feistel half
	mask uint64
	keys [4]uint64
}

func newPerm(n uint64, seed, salt uint64) perm {
	p := perm{n: n, half: 1}
	for uint64(1)<<(2*p.half) < n {
		p.half++
	}
	p.mask = 1<<p.half - 1
	for k := range p.keys {
		p.keys[k] = hash3(seed, salt, uint64(k))
	}
	return p
}

func (p *perm) round(x uint64) uint64 {
	l, r := x>>p.half, x&p.mask
	for _, k := range p.keys {
		l, r = r, l^(mix64(r^k)&p.mask)
	}
	return l<<p.half | r
}

func (p *perm) unround(x uint64) uint64 {
	l, r := x>>p.half, x&p.mask
	for k := len(p.keys) - 1; k >= 0; k-- {
		l, r = r^(mix64(l^p.keys[k])&p.mask), l
	}
	return l<<p.half | r
}

// at maps internal index i < n to its public id.
func (p *perm) at(i uint64) uint64 {
	x := p.round(i)
	for x >= p.n {
		x = p.round(x)
	}
	return x
}

// inv maps a public id back to its internal index.
func (p *perm) inv(x uint64) uint64 {
	i := p.unround(x)
	for i >= p.n {
		i = p.unround(i)
	}
	return i
}
