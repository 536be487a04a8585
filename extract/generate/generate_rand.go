package generate

import (
	"math"
	"math/bits"
)

// mix hashes two words into one (the splitmix64 finalizer over a ^ b·φ).
// Every seed in the generator is derived with it, so that any row can be
// rebuilt from (Seed, day, slot, index) alone.
func mixSeed(a, b uint64) uint64 {
	z := a ^ (b+0x632be59bd9b4e019)*0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// rng is a splitmix64 stream: tiny state, cheap to seed per row, and good
// enough for simulated behaviour (it is not used for anything secret).
type simRand struct{ s uint64 }

func (r *simRand) u64() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// float is uniform in [0, 1).
func (r *simRand) float() float64 { return float64(r.u64()>>11) * (1.0 / (1 << 53)) }

// intn is uniform in [0, n); the multiply-high bias is below 2^-50 for the
// small n used here.
func (r *simRand) intn(n int) int {
	hi, _ := bits.Mul64(r.u64(), uint64(n))
	return int(hi)
}

// between is uniform in [lo, hi].
func (r *simRand) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

func (r *simRand) chance(p float64) bool { return r.float() < p }

// normal is a standard normal deviate (Box–Muller, one of the pair).
func (r *simRand) normal() float64 {
	u := 1 - r.float() // (0, 1], so the log is finite
	return math.Sqrt(-2*math.Log(u)) * math.Cos(2*math.Pi*r.float())
}

// lognormal models human think times and simDevice speeds: most values near
// the median, a long right tail.
func (r *simRand) lognormal(median, sigma float64) float64 {
	return median * math.Exp(sigma*r.normal())
}

// geometric counts failures before a success of probability p, capped.
func (r *simRand) geometric(p float64, max int) int {
	n := 0
	for n < max && !r.chance(p) {
		n++
	}
	return n
}

// weighted picks values with integer weights.
type weighted[T any] struct {
	vals  []T
	cum   []int
	total int
}

// choice is one value of a weighted table and its weight.
type weightedChoice[T any] struct {
	v T
	w int
}

func newWeighted[T any](cs ...weightedChoice[T]) weighted[T] {
	var t weighted[T]
	for _, c := range cs {
		t.total += c.w
		t.vals = append(t.vals, c.v)
		t.cum = append(t.cum, t.total)
	}
	return t
}

func (t *weighted[T]) pick(r *simRand) T {
	x := r.intn(t.total)
	for i, c := range t.cum {
		if x < c {
			return t.vals[i]
		}
	}
	return t.vals[len(t.vals)-1]
}
