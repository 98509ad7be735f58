package walk

import "math/bits"

// Rand is a small, fast, seedable pseudo-random generator (wyrand, by Wang Yi): 8 bytes of state,
// one 64x64->128 multiply per draw. It is not safe for concurrent use and not for cryptography.
// The zero value is a valid generator; NewRand spreads a seed over the state.
type Rand struct{ s uint64 }

// NewRand returns a generator seeded with seed.
func NewRand(seed uint64) Rand { return Rand{s: Mix(seed)} }

// Uint64 returns 64 uniformly distributed bits.
func (r *Rand) Uint64() uint64 {
	r.s += 0xa0761d6478bd642f
	hi, lo := bits.Mul64(r.s, r.s^0xe7037ed1a0b428db)
	return hi ^ lo
}

// Uint32n returns a uniform value in [0, n) by Lemire's multiply-shift (bias below 2^-32 * n,
// irrelevant for degrees and window sizes); n must be > 0.
func (r *Rand) Uint32n(n uint32) uint32 {
	return uint32((uint64(uint32(r.Uint64())) * uint64(n)) >> 32)
}

// Float32 returns a uniform value in [0, 1) with 24 random bits.
func (r *Rand) Float32() float32 { return float32(r.Uint64()>>40) * (1.0 / (1 << 24)) }

// Mix is the splitmix64 finaliser: a bijection on uint64 that spreads every input bit over the
// output. Seeds for independent streams are derived as Mix(seed ^ Mix(stream)).
func Mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Stream derives the seed of stream (a, b) from a base seed, so that e.g. each (round, chunk) of a
// job gets its own reproducible sequence however the chunks are spread over threads and ranks.
func Stream(seed, a, b uint64) uint64 { return Mix(seed ^ Mix(a^Mix(b+0x632be59bd9b4e019))) }

// Perm is a pseudo-random permutation of [0, n), evaluated one index at a time in O(1) memory
// (a 4-round Feistel network on the smallest even-width bit domain holding n, cycle-walking back
// into range). It lets every worker and rank find "the p-th start node of round r" without
// storing a shuffled array.
type Perm struct {
	n    uint64
	half uint   // bits per Feistel half
	mask uint64 // (1<<half)-1
	keys [4]uint64
}

// NewPerm returns the permutation of [0, n) chosen by seed.
func NewPerm(n uint64, seed uint64) Perm {
	p := Perm{n: n}
	w := uint(bits.Len64(n - 1)) // bits needed for n-1
	if n <= 1 {
		w = 0
	}
	if w%2 == 1 {
		w++
	}
	if w < 2 {
		w = 2
	}
	p.half = w / 2
	p.mask = 1<<p.half - 1
	for i := range p.keys {
		p.keys[i] = Mix(seed + uint64(i)*0x9e3779b97f4a7c15)
	}
	return p
}

// At returns the image of i (i < n).
func (p *Perm) At(i uint64) uint64 {
	if p.n <= 1 {
		return i
	}
	for {
		l, r := i>>p.half, i&p.mask
		for _, k := range p.keys {
			l, r = r, l^(Mix(r^k)&p.mask)
		}
		i = l<<p.half | r
		if i < p.n {
			return i
		}
	}
}
