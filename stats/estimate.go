package stats

import "math"

// Total returns the Horvitz–Thompson estimate of a population total,
// T = Num = Σ w·y, with the 95% interval T ± Z·√Var, where under Poisson
// sampling Var = Σ w·(w−1)·y² = W2Y2 − WY2 (0 for a census, every w = 1).
// The lower end is never below Y, the sampled blobs' own Σ y (they are
// real, so the population has at least them), nor below 0. Values y are
// expected to be 0 or more.
//
// Total is defined for any Sums: the total over no blobs is 0 (with the
// interval [0, 0]), as a day with shown dialogs but no new user has 0 new
// users. A sample that saw no counted unit has variance 0, so its interval
// is [0, 0] too; whether such a row exists is the caller's rule.
func Total(s Sums) Interval {
	t := s.Num
	h := Z * math.Sqrt(totalVar(s))
	lo := math.Min(t, math.Max(t-h, math.Max(s.Y, 0)))
	return Interval{Value: t, Lo: lo, Hi: t + h}
}

// totalVar is the Poisson-sampling variance of the total, Σ w·(w−1)·y².
func totalVar(s Sums) float64 {
	return nonNegative(s.W2Y2-s.WY2, s.W2Y2)
}

// Rate returns the ratio (Hájek) estimate of a rate, p = Num/Den, for
// values 0 ≤ y ≤ 1 (0/1: has the property or not), with the Wilson score
// interval computed on the effective sample size n of the estimate (see
// effective sizes in the package documentation):
//
//	centre     = (p + Z²/(2n)) / (1 + Z²/n)
//	half-width = Z/(1 + Z²/n) · √(p·(1−p)/n + Z²/(4n²))
//
// With every w = 1, n = N and this is the classical Wilson interval. It
// stays within [0, 1] and keeps a width at p = 0 or 1 and on small
// segments, where p ± Z·√Var would not. The result is undefined (NaN) when
// Den is 0: no blob in the denominator, no rate. A p outside [0, 1] (the
// values were not a rate) has no interval.
func Rate(s Sums) Interval {
	if !(s.Den > 0) {
		return undefined()
	}
	p := s.Num / s.Den
	lo, hi := wilson(p, rateSize(s), Z)
	return Interval{Value: p, Lo: lo, Hi: hi}
}

// rateSize is the effective sample size of the rate Num/Den (Den > 0).
func rateSize(s Sums) float64 {
	return effectiveSize(s.Num/s.Den, linVar(s), kish(s.Den, s.W2), s.N, math.Min(s.Y, s.N-s.Y))
}

// effectiveSize returns the effective size of a proportion p with
// linearised variance v, estimated from n blobs of which fewer have (or
// lack) the property than the other way round. It is the design effective
// size p·(1−p)/v, the number of unweighted blobs that would give p the
// same variance, at most n. Where v is 0 (every value the same, as at
// p = 0 or 1) the data say nothing about it and Kish's size, from the
// weights alone, stands in; where fewer than fewBlobs blobs are on one
// side, v rests on too few of them to be trusted above Kish's size.
func effectiveSize(p, v, kish, n, fewer float64) float64 {
	if !(v > 0 && p > 0 && p < 1) {
		return kish
	}
	size := math.Min(n, p*(1-p)/v)
	if fewer < fewBlobs {
		size = math.Min(size, kish)
	}
	return size
}

// fewBlobs is how many blobs on each side of a proportion its design
// effective size needs to be used above Kish's.
const fewBlobs = 10

// wilson returns the Wilson score interval for a proportion p observed on
// n trials at the normal point z. NaN ends for p outside [0, 1] (beyond
// rounding) or n ≤ 0.
func wilson(p, n, z float64) (lo, hi float64) {
	const slack = 1e-9
	if !(n > 0) || !(p >= -slack && p <= 1+slack) {
		return math.NaN(), math.NaN()
	}
	p = math.Min(1, math.Max(0, p))
	z2 := z * z
	d := 1 + z2/n
	centre := (p + z2/(2*n)) / d
	half := z / d * math.Sqrt(p*(1-p)/n+z2/(4*n*n))
	// At p = 0 or 1 one end equals p exactly; keep rounding from moving it.
	return math.Max(0, math.Min(p, centre-half)), math.Min(1, math.Max(p, centre+half))
}

// Mean returns the ratio (Hájek) estimate of a mean, p = Num/Den, for
// values of any size (sites signed in, milliseconds), with the normal
// interval p ± Z·√Var and the linearised variance
//
//	Var = N/(N−1) · Σ w²·(y−p)² / (Σ w)²
//	    = N/(N−1) · (W2Y2 − 2p·W2Y + p²·W2) / Den²
//
// The factor N/(N−1) is the usual small-sample correction, with which
// every w = 1 gives the classical standard error s/√N. The result is
// undefined (NaN) when Den is 0, and a value without an interval when N is
// below 2.
func Mean(s Sums) Interval {
	if !(s.Den > 0) {
		return undefined()
	}
	p := s.Num / s.Den
	return normal(p, meanVar(s))
}

// meanVar is the variance of the ratio estimate Num/Den with the
// correction N/(N−1); NaN for N < 2 or Den ≤ 0.
func meanVar(s Sums) float64 {
	if !(s.N >= 2) || !(s.Den > 0) {
		return math.NaN()
	}
	return linVar(s) * s.N / (s.N - 1)
}

// linVar is the linearised variance of the ratio estimate p = Num/Den
// (Den > 0), Σ w²·(y−p)² / (Σ w)².
func linVar(s Sums) float64 {
	p := s.Num / s.Den
	v := nonNegative(s.W2Y2-2*p*s.W2Y+p*p*s.W2, s.W2Y2+p*p*s.W2)
	return v / (s.Den * s.Den)
}
